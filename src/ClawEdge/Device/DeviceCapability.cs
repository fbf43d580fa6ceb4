using System.Text.Json;
using ClawEdge.Host;
using ClawEdge.Service;

namespace ClawEdge.Device;

/// <summary>
/// <c>device.info</c> and <c>device.status</c>, on by default (<see cref="DeviceOptions"/> says why). The gateway
/// does not allow them for Linux nodes by default: the operator adds them to <c>gateway.nodes.commands.allow</c>.
/// </summary>
public sealed class DeviceCapability : Capability
{
    public override string Name => "device";
    public override string? Verb => "device";
    public override string? VerbHelp => "clawedge device info|status [--json]    what device.info / device.status answer";

    public override IEnumerable<NodeCommand> CreateCommands(NodeServices services)
    {
        if (!services.Options.Device.Enabled)
            return [];
        var files = new SystemFiles();
        return [new DeviceInfoCommand(files, services.Options.Node.DisplayName), new DeviceStatusCommand(files)];
    }

    public override Task<int> RunVerbAsync(ClawEdge.Cli.CommandLine line)
    {
        var files = new SystemFiles(line.Option("--root") ?? "/");
        string? sub = line.Positionals.Count > 0 ? line.Positionals[0] : null;
        string? json = sub switch
        {
            "info" => JsonSerializer.Serialize(DeviceInfoReader.Read(files, null, Environment.GetEnvironmentVariable), DeviceJsonContext.Default.DeviceInfo),
            "status" => JsonSerializer.Serialize(DeviceStatusReader.Read(files), DeviceJsonContext.Default.DeviceStatus),
            _ => null,
        };
        return Task.FromResult(json is null ? Program.Fail("usage: clawedge device info|status [--json]", 2) : Program.Print(json));
    }

    /// <summary>What a Pi owner should hear about first: under-voltage and heat.</summary>
    public override IEnumerable<DoctorCheck> Doctor(NodeServices services)
    {
        var files = new SystemFiles();
        var throttling = DeviceStatusReader.Throttling(files);
        if (throttling is { UnderVoltage: true } or { UnderVoltageOccurred: true })
            yield return new(CheckStatus.Warn, "power", $"under-voltage {(throttling.UnderVoltage ? "now" : "since boot")} ({throttling.Raw ?? throttling.Source})",
                "use a supply that holds 5.1 V under load (the official Pi supply) and a short, thick cable");
        else if (throttling is not null)
            yield return new(CheckStatus.Ok, "power", $"no under-voltage ({throttling.Raw ?? throttling.Source})");
        var thermal = DeviceStatusReader.Thermal(files, throttling);
        if (thermal.State is "serious" or "critical")
            yield return new(CheckStatus.Warn, "thermal", $"CPU at {thermal.CpuTemperatureC:0.0} °C ({thermal.State}){(throttling is { Throttled: true } ? ", throttled now" : "")}",
                "add a heatsink or fan, or give the case air");
        else if (thermal.State is not null)
            yield return new(CheckStatus.Ok, "thermal", $"CPU at {thermal.CpuTemperatureC:0.0} °C");
    }
}
