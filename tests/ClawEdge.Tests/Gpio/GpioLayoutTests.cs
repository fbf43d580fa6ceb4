using System.Text.Json.Nodes;
using ClawEdge.Gpio.Native;
using ClawEdge.Tests.Interop;

namespace ClawEdge.Tests.Gpio;

/// <summary>
/// The managed GPIO uAPI v2 and i2c-dev structs, ioctl numbers and flags against &lt;linux/gpio.h&gt; and
/// &lt;linux/i2c-dev.h&gt; as gcc sees them for x86-64 and arm64 (aarch64-linux-gnu-gcc, run under qemu), and the
/// arm64 AOT binary's own view under qemu.
/// </summary>
public class GpioLayoutTests
{
    private static readonly Lazy<Task<string>> Source = new(async () =>
    {
        string dir = Tools.TempDir("gpio-layout");
        string c = Path.Combine(dir, "layout.c");
        await File.WriteAllTextAsync(c, GpioLayout.CProgram());
        return c;
    });

    private static async Task<Dictionary<string, ulong>> RunC(string compiler, bool arm64)
    {
        string c = await Source.Value;
        string exe = Path.Combine(Path.GetDirectoryName(c)!, arm64 ? "layout-arm64" : "layout-x64");
        var (code, output) = await ChildProcess.RunAsync(compiler, ["-O0", "-o", exe, c]);
        if (code != 0)
            throw new InvalidOperationException($"{compiler} failed: {output}");
        (code, output) = arm64
            ? await ChildProcess.RunAsync("qemu-aarch64-static", ["-L", "/usr/aarch64-linux-gnu", exe])
            : await ChildProcess.RunAsync(exe, []);
        if (code != 0)
            throw new InvalidOperationException($"layout program failed: {output}");
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => l.Contains('='))
            .Select(l => l.Split('=', 2)).ToDictionary(p => p[0].Trim(), p => ulong.Parse(p[1].Trim()));
    }

    private static async Task AssertMatches(Dictionary<string, ulong> reference, IEnumerable<KeyValuePair<string, ulong>> managed, string what)
    {
        var list = managed.ToList();
        var mismatches = list.Where(e => !reference.TryGetValue(e.Key, out var v) || v != e.Value)
            .Select(e => $"{e.Key}: managed {e.Value}, C {(reference.TryGetValue(e.Key, out var v) ? v.ToString() : "missing")}").ToList();
        await Assert.That(string.Join("\n", mismatches)).IsEqualTo("").Because(what);
        await Assert.That(reference.Count).IsEqualTo(list.Count);
    }

    [Test]
    public async Task Managed_layout_matches_gcc_x86_64()
    {
        var c = await RunC("gcc", arm64: false);
        await AssertMatches(c, GpioLayout.Entries(), "x86-64");
        // The sizes the ioctl numbers encode, spelled out.
        await Assert.That(c["sizeof(struct gpio_v2_line_request)"]).IsEqualTo(592UL);
        await Assert.That(c["sizeof(struct gpio_v2_line_config)"]).IsEqualTo(272UL);
        await Assert.That(c["sizeof(struct gpio_v2_line_event)"]).IsEqualTo(48UL);
        await Assert.That(c["GPIO_V2_GET_LINE_IOCTL"]).IsEqualTo(0xC250B407UL);
    }

    [Test]
    public async Task Managed_layout_matches_gcc_arm64_under_qemu()
    {
        var c = await RunC("aarch64-linux-gnu-gcc", arm64: true);
        await AssertMatches(c, GpioLayout.Entries(), "arm64 header vs x64 managed");
    }

    [Test]
    public async Task Arm64_binary_layout_under_qemu_matches_gcc_arm64()
    {
        if (!File.Exists(Tools.BinArm64))
            throw new InvalidOperationException($"{Tools.BinArm64} is missing: run ./build.sh publish linux-arm64 first");
        var c = await RunC("aarch64-linux-gnu-gcc", arm64: true);
        var (code, output) = await ChildProcess.RunAsync("qemu-aarch64-static", ["-L", Tools.Arm64Sysroot, Tools.BinArm64, "gpio", "layout", "--json"]);
        await Assert.That(code).IsEqualTo(0).Because(output);
        var json = JsonNode.Parse(output[output.IndexOf('{')..])!;
        await Assert.That((string?)json["architecture"]).IsEqualTo("arm64");
        var managed = json["entries"]!.AsObject().Select(p => new KeyValuePair<string, ulong>(p.Key, (ulong)p.Value!)).ToList();
        await AssertMatches(c, managed, "arm64 binary under qemu");
    }
}
