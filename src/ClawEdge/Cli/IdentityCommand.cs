using ClawEdge.Config;
using ClawEdge.State;

namespace ClawEdge.Cli;

/// <summary>
/// <c>clawedge identity reset</c>: the deliberate way to become a new device (after a lost or leaked
/// identity.json). The old identity is moved aside, its device tokens forgotten, and the operator is told
/// which device to remove on the gateway so no ghost node is left behind.
/// </summary>
public static class IdentityCommand
{
    public static int Execute(CommandLine line)
    {
        if (line.Positionals.Count != 1 || line.Positionals[0] != "reset")
            throw new UsageException("usage: clawedge identity reset");
        var options = ConfigLoader.Load(line.Option("--config"), line.ConfigOverrides);
        var state = new StateStore(options.State.Directory ?? StateStore.DefaultDirectory());
        if (InstanceLock.IsHeld(state.PathOf(StateStore.LockFileName), out int pid))
            return Program.Fail($"the node is running (pid {pid}); stop it first (systemctl stop clawedge), then reset", 3);
        string? oldId = state.ResetIdentity();
        Console.Out.WriteLine($"identity reset in {state.StateDirectory}: the next `clawedge run` creates a new device identity and asks for pairing.");
        Console.Out.WriteLine(oldId is null
            ? "the old device id is unknown; on the gateway host, find it with `openclaw nodes list` and remove it: openclaw nodes remove --node <id>"
            : $"on the gateway host, remove the old device: openclaw nodes remove --node {oldId}");
        return 0;
    }
}
