using ClawEdge.Config;
using ClawEdge.Host;
using ClawEdge.Service;
using ClawEdge.State;

using ClawEdge.Gateway;

namespace ClawEdge.Cli;

/// <summary><c>clawedge doctor</c>: one line per check with ok/warn/FAIL and the fix; exit 1 when any check fails.</summary>
public static class DoctorCommand
{
    public static async Task<int> ExecuteAsync(CommandLine line)
    {
        var checks = new List<DoctorCheck>();
        void Add(DoctorCheck check)
        {
            checks.Add(check);
            Console.Out.WriteLine(check.ToString());
        }

        ClawEdgeOptions options;
        string source = ConfigLoader.ResolvePath(line.Option("--config")) ?? "built-in defaults";
        try
        {
            options = ConfigLoader.Load(line.Option("--config"), line.ConfigOverrides);
            Add(new(CheckStatus.Ok, "config", source));
        }
        catch (ConfigException e)
        {
            Add(new(CheckStatus.Fail, "config", $"{source}: {e.Message}", $"edit {source} (keys: {Path.ChangeExtension(ConfigLoader.DefaultPath, ".schema.json")})"));
            options = new ClawEdgeOptions();
        }

        var state = new StateStore(options.State.Directory ?? StateStore.DefaultDirectory());
        foreach (var check in Doctor.StateDirectory(state.StateDirectory))
            Add(check);
        Add(Doctor.Identity(state));

        NodeFile? node = null;
        try
        {
            node = File.Exists(state.PathOf(StateStore.NodeFileName)) ? state.LoadNode() : null;
        }
        catch (Exception e) when (e is StateException or IOException or UnauthorizedAccessException)
        {
            Add(new(CheckStatus.Fail, "node state", e.Message));
        }
        var endpoint = EndpointResolver.Resolve(options.Gateway, null, node ?? new NodeFile());
        Add(Doctor.Pairing(node, endpoint));
        if (node?.LastConnect is { } last)
            Add(new(last.State == "connected" ? CheckStatus.Ok : CheckStatus.Warn, "last link",
                $"{last.State} at {DateTimeOffset.FromUnixTimeMilliseconds(last.AtMs):u}{(last.Detail is { Length: > 0 } d ? $": {d}" : "")}"));

        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        Add(await Doctor.TlsPinAsync(endpoint, cancel.Token).ConfigureAwait(false));
        Add(await Doctor.GatewayAsync(endpoint, cancel.Token).ConfigureAwait(false));
        Add(Doctor.Skia());
        Add(Doctor.Clock(DateTimeOffset.UtcNow, File.Exists("/run/systemd/timesync/synchronized")));
        var services = new NodeServices { Options = options, State = state };
        foreach (var capability in Capabilities.All)
            foreach (var check in capability.Doctor(services))
                Add(check);

        int failed = checks.Count(c => c.Status == CheckStatus.Fail);
        int warned = checks.Count(c => c.Status == CheckStatus.Warn);
        Console.Out.WriteLine(failed == 0 ? $"doctor: no failure ({warned} warning{(warned == 1 ? "" : "s")})" : $"doctor: {failed} failed, {warned} warning{(warned == 1 ? "" : "s")}");
        return failed == 0 ? 0 : 1;
    }
}
