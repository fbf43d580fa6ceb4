using System.Diagnostics;
using System.Text;
using System.Text.Json;
using ClawEdge.Logging;
using ClawEdge.Host;

using ClawEdge.Processes;

using ClawEdge.Platform;

namespace ClawEdge.Exec;

/// <summary>
/// <c>system.run</c>: checks the request against the local exec approvals before anything starts, then
/// runs it in its own process group (see <see cref="ProcessGroupRunner"/>) and answers with the reference
/// host's result shape. Lifecycle events (<c>exec.finished</c>, <c>exec.denied</c>) echo runId and sessionKey.
/// </summary>
public sealed class SystemRunCommand(ExecApprovalsStore approvals, Lazy<string?> nodeId, ApprovedFiles files) : NodeCommand
{
    public SystemRunCommand(ExecApprovalsStore approvals, Lazy<string?> nodeId) : this(approvals, nodeId, new ApprovedFiles())
    {
    }

    private const int EventOutputTailChars = 20_000;
    private const string TruncationMarker = "... (truncated)";

    public override string Name => "system.run";
    public override string Capability => "system";

    public override async Task<CommandResult> InvokeAsync(InvokeContext context, CancellationToken cancellationToken)
    {
        long received = Stopwatch.GetTimestamp();
        var p = SystemRunRequest.ReadParams(context);
        var request = SystemRunRequest.Parse(p);
        string? cwd = string.IsNullOrWhiteSpace(p!.Cwd) ? null : p.Cwd.Trim();
        string? agentId = string.IsNullOrWhiteSpace(p.AgentId) ? null : p.AgentId.Trim();
        string? requestedSessionKey = string.IsNullOrWhiteSpace(p.SessionKey) ? null : p.SessionKey.Trim();
        string sessionKey = requestedSessionKey ?? "node";
        string runId = string.IsNullOrWhiteSpace(p.RunId) ? Guid.NewGuid().ToString() : p.RunId.Trim();
        bool suppressNotify = p.SuppressNotifyOnExit == true;

        var (approved, plan) = CheckApproval(p, request, cwd, agentId, requestedSessionKey);

        var (blocked, invalid) = ExecEnvironment.Inspect(p.Env);
        if (blocked.Count > 0 || invalid.Count > 0)
        {
            string message = ExecEnvironment.RejectionMessage(blocked, invalid);
            Log.Warn($"system.run run={runId} argv={LogArgv(request.Argv)} decision=denied ({message})");
            throw new CommandException(ErrorCodes.InvalidRequest, message);
        }

        var snapshot = approvals.ReadCurrent();
        if (snapshot.Corrupt)
            Log.Error($"exec approvals file {snapshot.Path} cannot be trusted ({snapshot.Error}): denying every system.run until it is fixed");
        var policy = EffectiveExecPolicy.Resolve(snapshot, agentId);
        if (p.ApprovalSource == "ask-fallback")
            policy = policy with { Security = Stricter(policy.Security, policy.AskFallback), Ask = "off" };
        string[] path = ExecutableResolver.SearchPath();
        var decision = ExecApprovalEvaluator.Evaluate(new ExecRequestView(request.Argv, cwd, approved, nodeId.Value, snapshot.Path), policy, path);
        if (!decision.Allowed)
            return Deny(context, request, runId, sessionKey, suppressNotify, cwd, decision.EventReason!, decision.Message!);
        if (p.NeedsScreenRecording == true)
            return Deny(context, request, runId, sessionKey, suppressNotify, cwd, "permission:screenRecording", "PERMISSION_MISSING: screenRecording");

        string? executable = decision.Executable?.RealPath ?? (request.Argv[0].Contains('/') ? request.Argv[0] : null);
        int? timeoutMs = p.TimeoutMs is > 0 and var t ? (int)Math.Min(t, int.MaxValue) : null;
        ExecOutcome outcome;
        if (executable is null)
            outcome = new ExecOutcome { Error = $"spawn {request.Argv[0]} ENOENT" };
        else
        {
            ProcessGroupRunner.Started started;
            OpenedFiles? opened = null;
            try
            {
                // The file checked is the file run: opened once, verified, executed through its descriptor.
                if (decision.Executable is not null)
                    opened = files.Open(executable, request.Argv, cwd, approved ? plan : null);
            }
            catch (ApprovedFiles.Denial denial)
            {
                return Deny(context, request, runId, sessionKey, suppressNotify, cwd, denial.Reason, denial.Message);
            }
            using (opened)
            {
                string[] argv = request.Argv;
                if (opened?.Script is not null)
                {
                    argv = [.. argv];
                    argv[opened.ScriptArgvIndex] = ExecLaunch.DescriptorPath(ExecLaunch.ScriptFd);
                }
                if (approved && p.ApprovalDecision == "allow-always")
                    PersistAllowAlways(request.Argv, cwd, agentId, path);
                var launch = new ExecLaunch(executable, argv, cwd, ExecEnvironment.Build(p.Env, request.Wrapper.IsWrapper), timeoutMs,
                    opened?.Executable, opened?.Script);
                // Spawn here, then give the blocking pump a thread of its own (a long run must not hold a pool thread).
                // posix_spawn returns once the child has exec'd, so our copies of the descriptors can close right after.
                started = ProcessGroupRunner.Start(launch);
            }
            outcome = await Task.Factory.StartNew(() => ProcessGroupRunner.Wait(started, timeoutMs, cancellationToken), CancellationToken.None,
                TaskCreationOptions.LongRunning, TaskScheduler.Default).ConfigureAwait(false);
        }

        double durationMs = Stopwatch.GetElapsedTime(received).TotalMilliseconds;
        Log.Info($"system.run run={runId} argv={LogArgv(request.Argv)} cwd={cwd ?? "(node)"} decision={(approved ? "approved" : "allowed")} " +
                 $"exit={outcome.ExitCode?.ToString() ?? "-"}{(outcome.TermSignal is { } sig ? $" signal={sig}" : "")}{(outcome.TimedOut ? " timed-out" : "")}" +
                 $"{(outcome.Cancelled ? " cancelled" : "")}{(outcome.Error is { } err ? $" error=\"{err}\"" : "")} duration={durationMs:F1}ms");
        if (outcome.Cancelled)
            throw new OperationCanceledException(cancellationToken);

        string stdout = outcome.Stdout, stderr = outcome.Stderr;
        if (outcome.Truncated)
        {
            if (stderr.Trim().Length > 0)
                stderr = $"{stderr}\n{TruncationMarker}";
            else
                stdout = $"{stdout}\n{TruncationMarker}";
        }
        bool success = outcome.ExitCode == 0 && !outcome.TimedOut && outcome.Error is null;
        var result = new SystemRunResult
        {
            ExitCode = outcome.ExitCode,
            TimedOut = outcome.TimedOut,
            Success = success,
            Stdout = stdout,
            Stderr = stderr,
            Error = outcome.Error,
        };
        string json = JsonSerializer.Serialize(result, SystemRunJsonContext.Default.SystemRunResult);

        SendEvent(context, "exec.finished", new ExecEventPayload
        {
            SessionKey = sessionKey,
            RunId = runId,
            Command = request.CommandText,
            ExitCode = outcome.ExitCode,
            TimedOut = outcome.TimedOut,
            Success = success,
            Output = EventTail(stdout, stderr, outcome.Error),
            SuppressNotifyOnExit = suppressNotify,
        });
        if (outcome.SpawnedAt != 0)
            Log.Debug($"system.run timing run={runId} receive→spawn={Micros(received, outcome.SpawnedAt)}us exit→result={Micros(outcome.ReapedAt, Stopwatch.GetTimestamp())}us");
        return CommandResult.Success(json);
    }

    /// <summary>allow-always: the inner programs' real paths into this agent's allowlist, never a wrapper or inline code.</summary>
    private void PersistAllowAlways(IReadOnlyList<string> argv, string? cwd, string? agentId, string[] path)
    {
        var patterns = AllowAlways.Patterns(argv, cwd, path);
        if (patterns.Count == 0)
        {
            Log.Info($"allow-always for {LogArgv(argv)}: nothing persisted (inline eval, a shell construct or a program that cannot be pinned); it ran once");
            return;
        }
        string section = agentId ?? EffectiveExecPolicy.DefaultAgentId;
        try
        {
            approvals.Update(current =>
            {
                if (current.Corrupt)
                    return null;
                var agent = current.Document.GetOrAddAgent(section);
                bool changed = false;
                foreach (var pattern in patterns)
                {
                    if (agent.Allowlist.Any(e => e.Pattern == pattern))
                        continue;
                    agent.Allowlist.Add(new AllowlistEntry
                    {
                        // A plain path entry (what the issue asks for: a later `id -g` runs); no "allow-always" source, which
                        // the matcher, like the reference, honours only with a cwd-bound argPattern. The command says where it came from.
                        Pattern = pattern, LastUsedAt = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
                        LastUsedCommand = SystemRunRequest.Format(argv), LastResolvedPath = pattern,
                    });
                    changed = true;
                }
                return changed ? current.Document : null;
            });
            Log.Info($"allow-always: {string.Join(", ", patterns)} added to the allowlist of agent {section}");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Log.Error($"allow-always: cannot write {approvals.FilePath}: {e.Message}; the command runs once, nothing was persisted");
        }
    }

    // Approval fields are only honoured for the exact run the gateway's approval record covers.
    private static (bool Approved, SystemRunPlan? Plan) CheckApproval(SystemRunParams p, SystemRunRequest request, string? cwd, string? agentId, string? sessionKey)
    {
        if (p.ApprovalSource is not null and not "ask-fallback" and not "auto-review")
            throw new CommandException(ErrorCodes.InvalidRequest, "approvalSource invalid");
        bool explicitApproval = p.Approved == true || p.ApprovalDecision is "allow-once" or "allow-always";
        if (p.ApprovalSource is not null && (p.Approved is not null || p.ApprovalDecision is not null))
            throw new CommandException(ErrorCodes.InvalidRequest, "approvalSource cannot be combined with explicit approval");
        if (!explicitApproval && p.ApprovalSource is null)
            return (false, null);
        SystemRunPlan? plan = null;
        if (p.SystemRunPlan is { ValueKind: JsonValueKind.Object } element)
        {
            try
            {
                plan = element.Deserialize(SystemRunJsonContext.Default.SystemRunPlan);
            }
            catch (JsonException)
            {
                throw new CommandException(ErrorCodes.InvalidRequest, "systemRunPlan invalid");
            }
        }
        bool matches = plan?.Argv is { } argv && argv.SequenceEqual(request.Argv) && plan.CommandText == request.CommandText
                       && Blank(plan.Cwd) == cwd && Blank(plan.AgentId) == agentId && Blank(plan.SessionKey) == sessionKey;
        if (!matches)
            throw new CommandException(ErrorCodes.InvalidRequest, p.ApprovalSource is not null
                ? "approvalSource requires matching systemRunPlan"
                : "explicit approval requires matching systemRunPlan");
        return (explicitApproval || p.ApprovalSource == "auto-review", plan);
    }

    private CommandResult Deny(InvokeContext context, SystemRunRequest request, string runId, string sessionKey, bool suppressNotify, string? cwd,
        string reason, string message)
    {
        Log.Warn($"system.run run={runId} argv={LogArgv(request.Argv)} cwd={cwd ?? "(node)"} decision=denied reason={reason}: {message}");
        SendEvent(context, "exec.denied", new ExecEventPayload
        {
            SessionKey = sessionKey,
            RunId = runId,
            Command = request.CommandText,
            Reason = reason,
            SuppressNotifyOnExit = suppressNotify,
        });
        return CommandResult.Failure(ErrorCodes.SystemRunDenied, message);
    }

    // The event goes out before the result (same order as the reference host) without waiting for the
    // gateway's acknowledgement: the caller's answer should not wait on a bookkeeping round trip.
    private static void SendEvent(InvokeContext context, string name, ExecEventPayload payload)
    {
        string json = JsonSerializer.Serialize(payload, SystemRunJsonContext.Default.ExecEventPayload);
        // Not bound to the invoke's token: the handler returns (and its token source goes away) before the ack.
        _ = context.SendEventAsync(name, json, CancellationToken.None).ContinueWith(
            static (t, state) => Log.Debug($"node.event {state} not delivered: {t.Exception?.InnerException?.Message}"),
            name, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
    }

    private static string EventTail(string stdout, string stderr, string? error)
    {
        var parts = new List<string>(3);
        if (stdout.Length > 0) parts.Add(stdout);
        if (stderr.Length > 0) parts.Add(stderr);
        if (!string.IsNullOrEmpty(error)) parts.Add(error);
        string trimmed = string.Join('\n', parts).Trim();
        if (trimmed.Length <= EventOutputTailChars)
            return trimmed;
        int start = trimmed.Length - EventOutputTailChars;
        if (char.IsLowSurrogate(trimmed[start]))
            start++;
        return $"{TruncationMarker} {trimmed[start..]}";
    }

    private static string Stricter(string a, string b)
    {
        static int Rank(string s) => s switch { "deny" => 0, "allowlist" => 1, _ => 2 };
        return Rank(a) <= Rank(b) ? a : b;
    }

    private static string? Blank(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();

    private static long Micros(long from, long to) => (to - from) * 1_000_000 / Stopwatch.Frequency;

    /// <summary>argv for the log: each argument shortened, the whole bounded, never the environment.</summary>
    public static string LogArgv(IReadOnlyList<string> argv)
    {
        var text = new StringBuilder("[");
        for (int i = 0; i < argv.Count && text.Length < 1000; i++)
        {
            if (i > 0) text.Append(", ");
            string arg = argv[i];
            text.Append(JsonSerializer.Serialize(arg.Length > 200 ? arg[..200] + $"…(+{arg.Length - 200} chars)" : arg, SystemRunLogJson.Default.String));
        }
        if (text.Length >= 1000)
            text.Append(", …");
        return text.Append(']').ToString();
    }
}

[System.Text.Json.Serialization.JsonSerializable(typeof(string))]
internal sealed partial class SystemRunLogJson : System.Text.Json.Serialization.JsonSerializerContext;
