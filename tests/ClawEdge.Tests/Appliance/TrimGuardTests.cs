using ClawEdge.Tests.Interop;
using Guard = ClawEdge.Trim.Program;

namespace ClawEdge.Tests.Appliance;

/// <summary>
/// The size and trim guard on the real .mstat of the last x64 publish (build.sh runs it after every
/// publish): it passes the real build, fails it on a tiny budget, and fails on a rooted forbidden namespace.
/// </summary>
public class TrimGuardTests
{
    private static string Mstat => Path.Combine(Fixtures.RepoRoot, "src/ClawEdge/obj/Release/net10.0/linux-x64/native/clawedge.mstat");

    // The embedded, gzipped libSkiaSharp is not counted against the budget (as build.sh runs the guard).
    private static string SkiaPayload => Path.Combine(Fixtures.RepoRoot, "src/ClawEdge/obj/Release/net10.0/linux-x64/skia/libSkiaSharp.so.gz");

    // One budget for build.sh and this test: build/size-budget.
    private static string Budget => File.ReadAllText(Path.Combine(Fixtures.RepoRoot, "build", "size-budget")).Trim();

    [Test]
    public async Task Real_build_is_within_budget_and_has_no_forbidden_dependency()
    {
        await Assert.That(Guard.Main(["--mstat", Mstat, "--binary", Tools.BinX64, "--budget", Budget, "--exclude", SkiaPayload])).IsEqualTo(0);
        var report = ClawEdge.Trim.MstatReport.Read(Mstat);
        // The report attributes code to the assemblies it came from: ours among them.
        await Assert.That(report.ByAssembly().Any(a => a.Key == "clawedge" && a.Size > 50_000)).IsTrue();
        await Assert.That(report.ByAssembly().Any(a => a.Key == "System.Private.CoreLib")).IsTrue();
    }

    [Test]
    public async Task Fails_an_over_budget_build()
    {
        await Assert.That(Guard.Main(["--mstat", Mstat, "--binary", Tools.BinX64, "--budget", "1MB"])).IsEqualTo(1);
        // And the real budget without the Skia exclusion: the embedded library alone would break it.
        await Assert.That(Guard.Main(["--mstat", Mstat, "--binary", Tools.BinX64, "--budget", Budget])).IsEqualTo(1);
        // Excluding an embedded payload as large as the excess brings it back under budget.
        long size = new FileInfo(Tools.BinX64).Length;
        string payload = Path.Combine(Tools.TempDir("trim"), "payload.gz");
        await File.WriteAllBytesAsync(payload, new byte[size - 1024 * 1024 + 1]);
        await Assert.That(Guard.Main(["--mstat", Mstat, "--binary", Tools.BinX64, "--budget", "1MB", "--exclude", payload])).IsEqualTo(0);
        Directory.Delete(Path.GetDirectoryName(payload)!, recursive: true);
    }

    [Test]
    public async Task Fails_on_a_rooted_forbidden_namespace()
    {
        // WebSockets is really compiled into the node: listed as forbidden, the guard must catch it.
        await Assert.That(Guard.Main(["--mstat", Mstat, "--binary", Tools.BinX64, "--budget", Budget, "--exclude", SkiaPayload, "--forbid", "System.Net.WebSockets"])).IsEqualTo(1);
        await Assert.That(Guard.Main(["--mstat", Mstat, "--binary", Tools.BinX64, "--budget", Budget, "--exclude", SkiaPayload, "--forbid", "System.Net.WebSocketsX"])).IsEqualTo(0);
    }

    [Test]
    public async Task Rejects_a_file_that_is_not_an_mstat()
    {
        string bogus = Path.Combine(Tools.TempDir("trim"), "not.mstat");
        await File.WriteAllTextAsync(bogus, "not a PE file");
        await Assert.That(() => ClawEdge.Trim.MstatReport.Read(bogus)).Throws<Exception>();
        Directory.Delete(Path.GetDirectoryName(bogus)!, recursive: true);
    }
}
