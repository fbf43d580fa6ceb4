using System.Text.Json.Nodes;
using ClawEdge.Capture.Native;
using ClawEdge.Tests.Interop;

namespace ClawEdge.Tests.Camera;

/// <summary>
/// The managed V4L2 structs against &lt;linux/videodev2.h&gt; as gcc lays it out for x86-64 and for arm64
/// (aarch64-linux-gnu-gcc, run under qemu), and the arm64 AOT binary's own view under qemu.
/// </summary>
public class V4l2LayoutTests
{
    private static readonly Lazy<Task<string>> Source = new(async () =>
    {
        string dir = Tools.TempDir("v4l2-layout");
        string c = Path.Combine(dir, "layout.c");
        await File.WriteAllTextAsync(c, V4l2Layout.CProgram());
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
        return Parse(output);
    }

    private static Dictionary<string, ulong> Parse(string output) => output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
        .Where(l => l.Contains('='))
        .Select(l => l.Split('=', 2))
        .ToDictionary(p => p[0].Trim(), p => ulong.Parse(p[1].Trim()));

    private static async Task AssertMatches(Dictionary<string, ulong> reference, IEnumerable<KeyValuePair<string, ulong>> managed, string what)
    {
        var mismatches = managed.Where(e => !reference.TryGetValue(e.Key, out var v) || v != e.Value)
            .Select(e => $"{e.Key}: managed {e.Value}, C {(reference.TryGetValue(e.Key, out var v) ? v.ToString() : "missing")}").ToList();
        await Assert.That(string.Join("\n", mismatches)).IsEqualTo("").Because(what);
        await Assert.That(reference.Count).IsEqualTo(managed.Count());
    }

    [Test]
    public async Task Managed_layout_matches_gcc_x86_64()
    {
        var c = await RunC("gcc", arm64: false);
        await AssertMatches(c, V4l2Layout.Entries(), "x86-64");
        // The classic traps, spelled out.
        await Assert.That(c["sizeof(struct v4l2_buffer)"]).IsEqualTo(88UL);
        await Assert.That(c["offsetof(struct v4l2_buffer, timestamp)"]).IsEqualTo(24UL);
        await Assert.That(c["sizeof(struct v4l2_format)"]).IsEqualTo(208UL);
        await Assert.That(c["offsetof(struct v4l2_format, fmt)"]).IsEqualTo(8UL);
    }

    [Test]
    public async Task Managed_layout_matches_gcc_arm64_under_qemu()
    {
        var c = await RunC("aarch64-linux-gnu-gcc", arm64: true);
        await AssertMatches(c, V4l2Layout.Entries(), "arm64 header vs x64 managed");
    }

    [Test]
    public async Task Arm64_binary_layout_under_qemu_matches_gcc_arm64()
    {
        if (!File.Exists(Tools.BinArm64))
            throw new InvalidOperationException($"{Tools.BinArm64} is missing: run ./build.sh publish linux-arm64 first");
        var c = await RunC("aarch64-linux-gnu-gcc", arm64: true);
        var (code, output) = await ChildProcess.RunAsync("qemu-aarch64-static", ["-L", Tools.Arm64Sysroot, Tools.BinArm64, "camera", "layout", "--json"]);
        await Assert.That(code).IsEqualTo(0).Because(output);
        var json = JsonNode.Parse(output[output.IndexOf('{')..])!;
        await Assert.That((string?)json["architecture"]).IsEqualTo("arm64");
        var managed = json["entries"]!.AsObject().Select(p => new KeyValuePair<string, ulong>(p.Key, (ulong)p.Value!)).ToList();
        await AssertMatches(c, managed, "arm64 binary under qemu");
    }
}
