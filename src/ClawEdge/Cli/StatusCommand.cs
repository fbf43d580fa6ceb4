using System.Text;
using ClawEdge.Config;
using ClawEdge.State;

using ClawEdge.Gateway;

namespace ClawEdge.Cli;

/// <summary><c>clawedge status</c>: what this node is and where its link stands, read from the state directory.</summary>
public static class StatusCommand
{
    public static int Execute(CommandLine line)
    {
        var options = ConfigLoader.Load(line.Option("--config"), line.ConfigOverrides);
        var state = new StateStore(options.State.Directory ?? StateStore.DefaultDirectory());
        var identity = state.TryLoadIdentity();
        var node = File.Exists(state.PathOf(StateStore.NodeFileName)) ? state.LoadNode() : null;
        var endpoint = EndpointResolver.Resolve(options.Gateway, null, node ?? new NodeFile());
        // Without gateway options, describe the gateway the node last talked to, not the defaults.
        bool explicitGateway = options.Gateway.Host is not null || options.Gateway.Port is not null;
        string origin = !explicitGateway && node?.LastConnect?.Url is { Length: > 0 } lastUrl ? lastUrl : endpoint.Origin;
        bool running = InstanceLock.IsHeld(state.PathOf(StateStore.LockFileName), out int pid);
        var last = node?.LastConnect;

        if (line.Has("--json"))
        {
            var json = new StatusJson
            {
                StateDirectory = state.StateDirectory,
                DeviceId = identity?.DeviceId,
                InstanceId = node?.InstanceId,
                DisplayName = node?.DisplayName,
                Gateway = origin,
                TlsFingerprint = endpoint.TlsFingerprint,
                HasDeviceToken = node?.DeviceTokens.ContainsKey(origin) == true,
                Running = running,
                Pid = running ? pid : null,
                LastConnect = last,
            };
            Console.Out.WriteLine(System.Text.Json.JsonSerializer.Serialize(json, CliJsonContext.Default.StatusJson));
            return 0;
        }

        var text = new StringBuilder();
        text.AppendLine($"state directory  {state.StateDirectory}");
        text.AppendLine($"device id        {identity?.DeviceId ?? "(none yet: created by the first `clawedge run`)"}");
        if (node is not null)
            text.AppendLine($"display name     {node.DisplayName ?? Environment.MachineName}");
        text.AppendLine($"gateway          {origin}{(endpoint.TlsFingerprint is { } fp ? $"  pinned sha256:{fp}" : "")}");
        text.AppendLine($"device token     {(node?.DeviceTokens.ContainsKey(origin) == true ? "stored (paired)" : "none")}");
        text.AppendLine($"process          {(running ? $"running, pid {pid}" : "not running")}");
        if (last is not null)
        {
            text.AppendLine($"last link event  {last.State} at {DateTimeOffset.FromUnixTimeMilliseconds(last.AtMs).ToLocalTime():yyyy-MM-dd HH:mm:ss} ({last.Url})");
            if (last.ConnectedAtMs is { } at)
                text.AppendLine($"last connected   {DateTimeOffset.FromUnixTimeMilliseconds(at).ToLocalTime():yyyy-MM-dd HH:mm:ss}");
            if (last.Detail is { Length: > 0 } detail)
                text.AppendLine($"detail           {detail}");
            if (last.State == "pairing-required" && last.PairingRequestId is { } request)
                text.AppendLine($"to do            on the gateway host: openclaw devices approve {request}");
            if (last.State == "surface-pending")
                text.AppendLine($"to do            on the gateway host: openclaw nodes approve {last.SurfaceRequestId ?? "<id from: openclaw nodes pending>"}");
        }
        Console.Out.Write(text.ToString());
        return 0;
    }
}

public sealed class StatusJson
{
    public required string StateDirectory { get; init; }
    public string? DeviceId { get; init; }
    public string? InstanceId { get; init; }
    public string? DisplayName { get; init; }
    public required string Gateway { get; init; }
    public string? TlsFingerprint { get; init; }
    public bool HasDeviceToken { get; init; }
    public bool Running { get; init; }
    public int? Pid { get; init; }
    public ConnectStatus? LastConnect { get; init; }
}

[System.Text.Json.Serialization.JsonSourceGenerationOptions(WriteIndented = true,
    PropertyNamingPolicy = System.Text.Json.Serialization.JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
[System.Text.Json.Serialization.JsonSerializable(typeof(StatusJson))]
internal sealed partial class CliJsonContext : System.Text.Json.Serialization.JsonSerializerContext;
