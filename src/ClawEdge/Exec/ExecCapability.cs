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
        var files = new ApprovedFiles(); // what prepare identified, for run to verify
        return
        [
            new SystemWhichCommand(),
            new SystemRunCommand(approvals, deviceId, files),
            new SystemRunPrepareCommand(approvals, files),
            new SystemExecApprovalsGetCommand(approvals),
            new SystemExecApprovalsSetCommand(approvals),
        ];
    }

    /// <summary>The approvals file is obeyed only when nobody but root and the node's user can change it.</summary>
    public override IEnumerable<DoctorCheck> Doctor(NodeServices services)
    {
        var store = ExecApprovalsStore.In(services.State);
        if (StateFileTrust.Check(store.FilePath) is { } problem)
        {
            yield return new DoctorCheck(CheckStatus.Fail, "approvals", $"{problem.What}: every system.run is denied", problem.Fix);
            yield break;
        }
        var snapshot = store.Read();
        yield return snapshot.Corrupt
            ? new DoctorCheck(CheckStatus.Fail, "approvals", $"{store.FilePath} is unreadable: {snapshot.Error}; every system.run is denied",
                "fix the JSON, or replace it: openclaw approvals set --node <node-id> --file <approvals.json>")
            : new DoctorCheck(CheckStatus.Ok, "approvals", snapshot.Exists ? $"{store.FilePath} (0600)" : $"{store.FilePath} not created yet (built-in: allowlist, nothing allowed)");
    }

    public override string Verb => "approvals";
    public override string VerbHelp => "clawedge approvals …              exec approvals on this node (clawedge approvals help)";
    public override Task<int> RunVerbAsync(CommandLine line) => Task.FromResult(ApprovalsCommand.Execute(line));
}
