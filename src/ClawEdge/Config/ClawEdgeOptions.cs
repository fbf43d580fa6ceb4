namespace ClawEdge.Config;

/// <summary>
/// Everything a node reads from <c>clawedge.json</c>, <c>CLAWEDGE_&lt;Section&gt;__&lt;Key&gt;</c> and the
/// command line, bound by the configuration binder's source generator. Secrets are not here: the
/// gateway token comes from <c>OPENCLAW_GATEWAY_TOKEN</c> or a token file, the device token from the
/// 0600 state directory.
/// </summary>
public sealed class ClawEdgeOptions
{
    public GatewayOptions Gateway { get; set; } = new();
    public NodeOptions Node { get; set; } = new();
    public StateOptions State { get; set; } = new();
    public LogOptions Log { get; set; } = new();
    public ClawEdge.Screen.ScreenOptions Screen { get; set; } = new();
    public ClawEdge.Camera.CameraOptions Camera { get; set; } = new();
    public ClawEdge.Canvas.CanvasOptions Canvas { get; set; } = new();
    public ClawEdge.Gpio.GpioOptions Gpio { get; set; } = new();
    public ClawEdge.Location.LocationOptions Location { get; set; } = new();
    public ClawEdge.Device.DeviceOptions Device { get; set; } = new();
    public ClawEdge.Media.AudioOptions Audio { get; set; } = new();
}

public sealed class GatewayOptions
{
    /// <summary>null: the endpoint saved by <c>--pair</c>, else 127.0.0.1.</summary>
    public string? Host { get; set; }

    /// <summary>null: the saved endpoint's port, else 18789.</summary>
    public int? Port { get; set; }

    /// <summary>Appended to the WebSocket URL, for a gateway behind a reverse proxy (<c>/openclaw-gw</c>).</summary>
    public string? ContextPath { get; set; }

    /// <summary>null: plaintext unless a fingerprint is pinned.</summary>
    public bool? Tls { get; set; }

    /// <summary>SHA-256 of the gateway's leaf certificate (DER). When set, the CA chain is not consulted.</summary>
    public string? TlsFingerprint { get; set; }

    /// <summary>Permit <c>ws://</c> to a host that is neither loopback nor private (the token would travel in clear).</summary>
    public bool AllowInsecurePlaintext { get; set; }

    /// <summary>A file holding the shared gateway token (e.g. a systemd credential), instead of the environment.</summary>
    public string? TokenFile { get; set; }

    /// <summary>A file holding the gateway password.</summary>
    public string? PasswordFile { get; set; }

    /// <summary>Most time between two reconnect attempts.</summary>
    public int MaxBackoffMs { get; set; } = 30_000;
}

public sealed class NodeOptions
{
    /// <summary>The name operators see; defaults to the host name.</summary>
    public string? DisplayName { get; set; }

    /// <summary>The client instance id (<c>--node-id</c>); generated once and kept in the state directory.</summary>
    public string? InstanceId { get; set; }

    /// <summary>Exact allowlist of advertised commands (<c>--commands</c>); empty advertises all available.</summary>
    public string[]? Commands { get; set; }

    /// <summary>Seconds between <c>node.host.stats</c> reports.</summary>
    public int StatsIntervalSeconds { get; set; } = 60;
}

public sealed class StateOptions
{
    /// <summary>Where identity, device token and approvals live; 0700, files 0600.</summary>
    public string? Directory { get; set; }
}

public sealed class LogOptions
{
    /// <summary>error, warn, info or debug.</summary>
    public string Level { get; set; } = "info";
}
