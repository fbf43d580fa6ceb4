using System.Text.Json.Nodes;

namespace ClawEdge.Tests.Interop;

/// <summary>
/// Checks managed struct layouts and constants against the kernel and libc headers: a C program printing
/// "expression=value" lines is compiled by gcc for x86-64 or by aarch64-linux-gnu-gcc (and run under qemu), and its
/// lines are compared with the managed side's, or with the arm64 AOT binary's own view under qemu.
/// </summary>
internal static class StructLayouts
{
    /// <summary>The C program's lines as a map; <paramref name="arm64"/> cross-compiles it and runs it under qemu.</summary>
    public static async Task<Dictionary<string, ulong>> FromGcc(string name, string program, bool arm64)
    {
        string dir = Tools.TempDir($"{name}-layout");
        string c = Path.Combine(dir, "layout.c"), exe = Path.Combine(dir, arm64 ? "layout-arm64" : "layout-x64");
        await File.WriteAllTextAsync(c, program);
        string compiler = arm64 ? "aarch64-linux-gnu-gcc" : "gcc";
        var (code, output) = await ChildProcess.RunAsync(compiler, ["-O0", "-o", exe, c]);
        if (code != 0)
            throw new InvalidOperationException($"{compiler} failed: {output}");
        (code, output) = arm64
            ? await ChildProcess.RunAsync("qemu-aarch64-static", ["-L", "/usr/aarch64-linux-gnu", exe])
            : await ChildProcess.RunAsync(exe, []);
        if (code != 0)
            throw new InvalidOperationException($"layout program failed: {output}");
        Directory.Delete(dir, recursive: true);
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => l.Contains('='))
            .Select(l => l.Split('=', 2)).ToDictionary(p => p[0].Trim(), p => ulong.Parse(p[1].Trim()));
    }

    /// <summary>What the arm64 binary reports with <c>clawedge &lt;verb&gt; layout --json</c> under qemu.</summary>
    public static async Task<List<KeyValuePair<string, ulong>>> FromArm64Binary(string verb)
    {
        if (!File.Exists(Tools.BinArm64))
            throw new InvalidOperationException($"{Tools.BinArm64} is missing: run ./build.sh publish linux-arm64 first");
        var (code, output) = await ChildProcess.RunAsync("qemu-aarch64-static", ["-L", Tools.Arm64Sysroot, Tools.BinArm64, verb, "layout", "--json"]);
        await Assert.That(code).IsEqualTo(0).Because(output);
        var json = JsonNode.Parse(output[output.IndexOf('{')..])!;
        await Assert.That((string?)json["architecture"]).IsEqualTo("arm64");
        return json["entries"]!.AsObject().Select(p => new KeyValuePair<string, ulong>(p.Key, (ulong)p.Value!)).ToList();
    }

    /// <summary>Every managed entry equals the header's, and the header has no entry the managed side lacks.</summary>
    public static async Task AssertMatches(Dictionary<string, ulong> reference, IEnumerable<KeyValuePair<string, ulong>> managed, string what)
    {
        var list = managed.ToList();
        var mismatches = list.Where(e => !reference.TryGetValue(e.Key, out var v) || v != e.Value)
            .Select(e => $"{e.Key}: managed {e.Value}, C {(reference.TryGetValue(e.Key, out var v) ? v.ToString() : "missing")}").ToList();
        await Assert.That(string.Join("\n", mismatches)).IsEqualTo("").Because(what);
        await Assert.That(reference.Count).IsEqualTo(list.Count);
    }
}
