using System.Globalization;
using System.Text.Json.Nodes;
using ClawEdge.Tests.Interop;
using TUnit.Core.Interfaces;

namespace ClawEdge.Tests.Device;

/// <summary>A gateway with the README's <c>commands.allow</c> line for device.*, and a node with default config.</summary>
public sealed class DeviceNodeFixture : IAsyncInitializer, IAsyncDisposable
{
    public RealGateway Gateway { get; private set; } = null!;
    public EdgeNode Node { get; private set; } = null!;
    public string NodeId { get; private set; } = "";

    public async Task InitializeAsync()
    {
        Gateway = await RealGateway.StartAsync(JsonNode.Parse("""{"gateway":{"nodes":{"commands":{"allow":["device.info","device.status"]}}}}""")!.AsObject());
        Node = EdgeNode.Start(Gateway);
        NodeId = await Node.ConnectAndApproveAsync(Gateway);
    }

    public async ValueTask DisposeAsync()
    {
        if (Node is not null) await Node.DisposeAsync();
        if (Gateway is not null) await Gateway.DisposeAsync();
    }
}

/// <summary>device.info / device.status through <c>openclaw nodes invoke</c>, checked against this host's own /proc, /sys and statvfs.</summary>
[ClassDataSource<DeviceNodeFixture>(Shared = SharedType.PerClass)]
public class DeviceInteropTests(DeviceNodeFixture f)
{
    private async Task<JsonNode> Invoke(string command) => (await EdgeNode.InvokeAsync(f.Gateway, f.NodeId, command, "{}"))["payload"]!;

    private static string? Read(string path)
    {
        try { return File.ReadAllText(path).TrimEnd('\0', '\n', ' '); } catch (IOException) { return null; } catch (UnauthorizedAccessException) { return null; }
    }

    private static Dictionary<string, string> OsRelease() => File.ReadAllLines("/etc/os-release")
        .Where(l => l.Contains('=') && !l.StartsWith('#')).Select(l => l.Split('=', 2))
        .ToDictionary(p => p[0], p => p[1].Trim('"'));

    [Test]
    public async Task Device_info_is_this_hosts_board_os_and_kernel()
    {
        var info = await Invoke("device.info");
        var os = OsRelease();
        string kernel = Read("/proc/sys/kernel/osrelease")!;
        await Assert.That((string?)info["systemName"]).IsEqualTo(os["NAME"]);
        await Assert.That((string?)info["systemVersion"]).IsEqualTo($"{os.GetValueOrDefault("VERSION") ?? os["VERSION_ID"]}, kernel {kernel}");
        await Assert.That((string?)info["kernelRelease"]).IsEqualTo(kernel);
        await Assert.That((string?)info["deviceName"]).IsEqualTo(EdgeNode.DisplayNameFor(f.Node.StateDir));
        string? model = Read("/proc/device-tree/model") ?? Read("/sys/devices/virtual/dmi/id/product_name");
        await Assert.That((string?)info["modelIdentifier"]).IsEqualTo(model).Because("a host without a board model says null");
        await Assert.That((string?)info["appVersion"]).Matches(@"^\d+\.\d+\.\d+$");
        await Assert.That((string?)info["architecture"]).IsEqualTo("x64");
    }

    [Test]
    public async Task Device_status_is_what_statvfs_proc_and_sys_say()
    {
        var status = await Invoke("device.status");
        // python3's os.statvfs is an independent reader of the same call.
        var (code, output) = await ChildProcess.RunAsync("/usr/bin/python3", ["-c", "import os; s=os.statvfs('/'); print(s.f_blocks*s.f_frsize, s.f_bavail*s.f_frsize, (s.f_blocks-s.f_bfree)*s.f_frsize)"]);
        await Assert.That(code).IsEqualTo(0).Because(output);
        var df = output.Trim().Split(' ').Select(v => long.Parse(v, CultureInfo.InvariantCulture)).ToArray();
        var storage = status["storage"]!;
        await Assert.That((long)storage["totalBytes"]!).IsEqualTo(df[0]);
        await Assert.That(Math.Abs((long)storage["freeBytes"]! - df[1])).IsLessThan(256L << 20).Because("other tests write files meanwhile");
        await Assert.That(Math.Abs((long)storage["usedBytes"]! - df[2])).IsLessThan(256L << 20);

        double uptime = double.Parse(Read("/proc/uptime")!.Split(' ')[0], CultureInfo.InvariantCulture);
        await Assert.That(Math.Abs((double)status["uptimeSeconds"]! - uptime)).IsLessThan(30);

        bool hasBattery = Directory.Exists("/sys/class/power_supply") && Directory.GetDirectories("/sys/class/power_supply").Any(d => Read(Path.Combine(d, "type")) is "Battery" or "UPS");
        await Assert.That(status["battery"] is null).IsEqualTo(!hasBattery);
        int zones = Directory.Exists("/sys/class/thermal") ? Directory.GetDirectories("/sys/class/thermal", "thermal_zone*").Count(d => Read(Path.Combine(d, "temp")) is not null) : 0;
        await Assert.That(status["thermal"]!["zones"]!.AsArray().Count).IsEqualTo(zones);
        await Assert.That(status["thermal"]!["state"] is null).IsEqualTo(zones == 0);
        bool firmware = File.Exists("/sys/devices/platform/soc/soc:firmware/get_throttled");
        if (!firmware)
            await Assert.That(status["throttling"]).IsNull().Because("no Raspberry Pi firmware node here: nothing is made up");

        var links = status["network"]!["links"]!.AsArray().Select(l => (string)l!["name"]!).Order(StringComparer.Ordinal).ToArray();
        var sys = Directory.GetFileSystemEntries("/sys/class/net").Select(Path.GetFileName).Where(n => n != "lo" && File.Exists($"/sys/class/net/{n}/type")).Order(StringComparer.Ordinal).ToArray();
        await Assert.That(string.Join(",", links)).IsEqualTo(string.Join(",", sys));
        foreach (var link in status["network"]!["links"]!.AsArray())
            await Assert.That((string?)link!["state"]).IsEqualTo(Read($"/sys/class/net/{link["name"]}/operstate"));
        bool defaultRoute = File.ReadAllLines("/proc/net/route").Skip(1).Any(l => l.Split('\t')[1] == "00000000");
        await Assert.That((string?)status["network"]!["status"]).IsEqualTo(defaultRoute ? "satisfied" : "unsatisfied");
    }

    [Test]
    public async Task Params_other_than_an_object_are_refused_and_the_node_stays()
    {
        var (code, output) = await f.Gateway.CliAsync("nodes", "invoke", "--node", f.NodeId, "--command", "device.status", "--params", "[1,2]");
        await Assert.That(code).IsNotEqualTo(0);
        await Assert.That(output).Contains("INVALID_REQUEST");
        await Assert.That((string?)(await Invoke("device.info"))["systemName"]).IsNotNull();
    }
}
