using ClawEdge.Cli;
using ClawEdge.Host;
using ClawEdge.Service;
using ClawEdge.State;

namespace ClawEdge.Exec;

/// <summary><c>system.run</c>, <c>system.run.prepare</c>, <c>system.which</c> and <c>system.execApprovals.*</c>, under the local approvals file.</summary>
public sealed class ExecCapability : Capability
{
    public override string Name => "exec";

    public override IEnumerable<NodeCommand> CreateCommands(NodeServices services)
    {
        var approvals = ExecApprovalsStore.In(services.State);
        var state = services.State;
        var deviceId = new Lazy<string?>(() =>
        {
            try { return state.TryLoadIdentity()?.DeviceId; }
            catch (StateException) { return null; }
        });
        return
        [
            new SystemWhichCommand(),
            new SystemRunCommand(approvals, deviceId),
            new SystemRunPrepareCommand(approvals),
            new SystemExecApprovalsGetCommand(approvals),
            new SystemExecApprovalsSetCommand(approvals),
        ];
    }

    public override string Verb => "approvals";
    public override string VerbHelp => "clawedge approvals …              exec approvals on this node (clawedge approvals help)";
    public override Task<int> RunVerbAsync(CommandLine line) => Task.FromResult(ApprovalsCommand.Execute(line));
}
