using ClawEdge.Config;
using ClawEdge.Gateway;
using ClawEdge.State;

namespace ClawEdge.Cli;

/// <summary>
/// <c>clawedge pin</c>: re-pinning after a certificate renewal is one local command. <c>--show</c> opens a
/// TLS connection that accepts any certificate only to read its fingerprint, then closes it before
/// any HTTP or WebSocket byte (and so any token) is sent.
/// </summary>
public static class PinCommand
{
    public static async Task<int> ExecuteAsync(CommandLine line)
    {
        var options = ConfigLoader.Load(line.Option("--config"), line.ConfigOverrides);
        var state = new StateStore(options.State.Directory ?? StateStore.DefaultDirectory());

        if (line.Has("--clear"))
        {
            state.UpdateNode(n => n.PinnedFingerprint = null);
            return Program.Print("pin cleared; the configured pin (if any) applies again at the next reconnect");
        }
        if (line.Has("--show"))
        {
            var endpoint = EndpointResolver.Resolve(options.Gateway, null, File.Exists(state.PathOf(StateStore.NodeFileName)) ? state.LoadNode() : new NodeFile());
            string fingerprint = await CertificateProbe.FingerprintAsync(endpoint.Host, endpoint.Port, CancellationToken.None).ConfigureAwait(false);
            Console.Out.WriteLine($"{endpoint.Host}:{endpoint.Port} presents sha256:{fingerprint}");
            Console.Out.WriteLine(endpoint.TlsFingerprint == fingerprint ? "this matches the current pin" : $"to trust it (after checking it on the gateway host): clawedge pin {fingerprint}");
            return 0;
        }
        if (line.Positionals.Count != 1)
            throw new UsageException("usage: clawedge pin <sha256 fingerprint> | --show | --clear");
        string pin = TlsPin.Normalize(line.Positionals[0])
            ?? throw new UsageException("not a SHA-256 fingerprint: expected 64 hex digits, optionally colon-separated or prefixed sha256:");
        state.EnsureDirectory();
        if (!state.UpdateNode(n => n.PinnedFingerprint = pin))
            return Program.Fail($"could not write {state.PathOf(StateStore.NodeFileName)}", 3);
        Console.Out.WriteLine($"pinned sha256:{pin} in {state.StateDirectory}; a running node uses it at its next reconnect");
        return 0;
    }
}
