using System.Text.Json;
using ClawEdge.Host;

using ClawEdge.Platform;

namespace ClawEdge.Exec;

/// <summary>
/// <c>system.run.prepare</c>: the canonical plan the gateway's exec path binds an approval to (NODE-PROTOCOL
/// §9.2) — argv with the executable pinned to its real path (plain programs), the canonical cwd, the command
/// text — and the node's effective policy. Nothing runs; a later <c>system.run</c> is checked again.
/// </summary>
public sealed class SystemRunPrepareCommand(ExecApprovalsStore approvals, ApprovedFiles files) : NodeCommand
{
    public SystemRunPrepareCommand(ExecApprovalsStore approvals) : this(approvals, new ApprovedFiles())
    {
    }

    public override string Name => "system.run.prepare";
    public override string Capability => "system";

    public override Task<CommandResult> InvokeAsync(InvokeContext context, CancellationToken cancellationToken)
    {
        var p = SystemRunRequest.ReadParams(context);
        var request = SystemRunRequest.Parse(p);
        string requestedCwd = string.IsNullOrWhiteSpace(p!.Cwd) ? Environment.CurrentDirectory : p.Cwd.Trim();
        string? cwd = ExecutableResolver.RealPath(requestedCwd);
        if (cwd is null || !Directory.Exists(cwd))
            throw new CommandException(ErrorCodes.InvalidRequest, "SYSTEM_RUN_DENIED: working directory does not exist or is inaccessible");

        string[] argv = request.Argv;
        var resolved = ExecutableResolver.Resolve(argv[0], cwd, ExecutableResolver.SearchPath())
            ?? throw new CommandException(ErrorCodes.InvalidRequest, "SYSTEM_RUN_DENIED: approval requires a stable executable path");
        if (!request.Wrapper.IsWrapper)
            argv = [resolved.RealPath, .. argv[1..]];
        var (blocked, invalid) = ExecEnvironment.Inspect(p.Env);
        if (blocked.Count > 0 || invalid.Count > 0)
            throw new CommandException(ErrorCodes.InvalidRequest, ExecEnvironment.RejectionMessage(blocked, invalid));

        var policy = EffectiveExecPolicy.Resolve(approvals.Read(), p.AgentId);
        string commandText = SystemRunRequest.Format(argv);
        var plan = new SystemRunPlan
        {
            Argv = argv,
            Cwd = cwd,
            CommandText = commandText,
            CommandPreview = request.Preview is { } preview && preview != commandText ? preview : null,
            AgentId = string.IsNullOrWhiteSpace(p.AgentId) ? null : p.AgentId.Trim(),
            SessionKey = string.IsNullOrWhiteSpace(p.SessionKey) ? null : p.SessionKey.Trim(),
        };
        try
        {
            plan.MutableFileOperand = files.Record(plan, resolved.RealPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CommandException(ErrorCodes.InvalidRequest, $"SYSTEM_RUN_DENIED: cannot read {resolved.RealPath} to bind the approval to it: {e.Message}");
        }
        var result = new SystemRunPrepareResult
        {
            Plan = plan,
            ExecPolicy = new ExecPolicyView { Security = policy.Security, Ask = policy.Ask },
        };
        return Task.FromResult(CommandResult.Success(JsonSerializer.Serialize(result, SystemRunJsonContext.Default.SystemRunPrepareResult)));
    }
}
