using ClawEdge.Gateway;

namespace ClawEdge.Host;

/// <summary>What the node declares in <c>connect</c>: who it is and which commands it serves.</summary>
public sealed class NodeDescription
{
    public required ClientInfo Client { get; init; }
    public required string[] Caps { get; init; }
    public required string[] Commands { get; init; }
    public Dictionary<string, bool>? Permissions { get; init; }
    public string? PathEnv { get; init; }
    public string UserAgent => $"clawedge/{Client.Version}";

    public static NodeDescription Create(CommandRegistry registry, string? displayName, string instanceId)
    {
        return new NodeDescription
        {
            Client = new ClientInfo
            {
                Version = ClawEdgeVersion.Current,
                DisplayName = string.IsNullOrWhiteSpace(displayName) ? Environment.MachineName : displayName,
                InstanceId = instanceId,
                ModelIdentifier = ReadModel(),
            },
            Caps = registry.Capabilities.ToArray(),
            Commands = registry.Names.Order(StringComparer.Ordinal).ToArray(),
            PathEnv = Environment.GetEnvironmentVariable("PATH"),
        };
    }

    // What the reference host sends on Linux: the DMI product name, else the device-tree model (a Pi's).
    private static string? ReadModel()
    {
        foreach (var path in (string[])["/sys/devices/virtual/dmi/id/product_name", "/proc/device-tree/model"])
        {
            try
            {
                var text = File.ReadAllText(path).TrimEnd('\0', '\n', ' ');
                if (text.Length > 0)
                    return text.Length > 64 ? text[..64] : text;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
            }
        }
        return null;
    }
}

public static class ClawEdgeVersion
{
    public static string Current { get; } =
        typeof(ClawEdgeVersion).Assembly.GetName().Version is { } v ? $"{v.Major}.{v.Minor}.{v.Build}" : "0.0.0";
}
