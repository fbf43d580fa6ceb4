using ClawEdge.Service;
using ClawEdge.Tests.Interop;

using ClawEdge.Camera;
using ClawEdge.Screen;

namespace ClawEdge.Tests.Appliance;

/// <summary><c>clawedge doctor</c>: its checks on real directories and clocks, and the binary against the real gateway.</summary>
public class DoctorTests
{
    private const UnixFileMode Owner = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    [Test]
    public async Task State_directory_permissions()
    {
        string dir = Tools.TempDir("doctor");
        File.SetUnixFileMode(dir, Owner);
        await File.WriteAllTextAsync(Path.Combine(dir, "node.json"), "{}");
        File.SetUnixFileMode(Path.Combine(dir, "node.json"), UnixFileMode.UserRead | UnixFileMode.UserWrite);
        await Assert.That(Doctor.StateDirectory(dir).All(c => c.Status == CheckStatus.Ok)).IsTrue();

        File.SetUnixFileMode(Path.Combine(dir, "node.json"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);
        var loose = Doctor.StateDirectory(dir).Single(c => c.Status == CheckStatus.Fail);
        await Assert.That(loose.Fix).IsEqualTo($"chmod 600 {Path.Combine(dir, "node.json")}");

        File.SetUnixFileMode(dir, Owner | UnixFileMode.GroupRead | UnixFileMode.GroupExecute);
        await Assert.That(Doctor.StateDirectory(dir).Any(c => c.Status == CheckStatus.Fail && c.Fix == $"chmod 700 {dir}")).IsTrue();
        await Assert.That(Doctor.StateDirectory(Path.Combine(dir, "absent")).Single().Status).IsEqualTo(CheckStatus.Warn);
        Directory.Delete(dir, recursive: true);
    }

    [Test]
    public async Task Clock_and_screen()
    {
        await Assert.That(Doctor.Clock(new DateTimeOffset(1970, 1, 1, 0, 0, 12, TimeSpan.Zero), false).Status).IsEqualTo(CheckStatus.Fail);
        await Assert.That(Doctor.Clock(DateTimeOffset.UtcNow, true).Status).IsEqualTo(CheckStatus.Ok);
        await Assert.That(ScreenDoctor.Display(_ => null).Status).IsEqualTo(CheckStatus.Warn);
        await Assert.That(ScreenDoctor.Display(n => n == "DISPLAY" ? ":4711" : null).Status).IsEqualTo(CheckStatus.Warn);
        string runtime = Tools.TempDir("wl");
        await File.WriteAllTextAsync(Path.Combine(runtime, "wayland-1"), "");
        await Assert.That(ScreenDoctor.Display(n => n switch { "WAYLAND_DISPLAY" => "wayland-1", "XDG_RUNTIME_DIR" => runtime, _ => null }).Status).IsEqualTo(CheckStatus.Ok);
        Directory.Delete(runtime, recursive: true);
    }

    [Test]
    public async Task Cameras_are_checked_by_opening_the_device_node()
    {
        string dev = Tools.TempDir("dev");
        await Assert.That(CameraDoctor.Devices(dev).Single().Status).IsEqualTo(CheckStatus.Warn);
        // A regular file stands in for a node here: it opens, so the check passes; one that
        // does not exist between listing and opening is reported, not thrown.
        await File.WriteAllTextAsync(Path.Combine(dev, "video0"), "");
        await Assert.That(CameraDoctor.Devices(dev).Single().Status).IsEqualTo(CheckStatus.Ok);
        Directory.Delete(dev, recursive: true);
    }

    [Test]
    public async Task Binary_against_the_real_gateway_and_a_closed_port()
    {
        await using var gateway = await RealGateway.StartAsync(tls: true);
        string state = Tools.TempDir("doctor-node");
        File.SetUnixFileMode(state, Owner);
        var env = new Dictionary<string, string?> { ["OPENCLAW_GATEWAY_TOKEN"] = null, ["JOURNAL_STREAM"] = null, ["DISPLAY"] = null, ["WAYLAND_DISPLAY"] = null };
        string pin = gateway.Fingerprint();

        var (ok, okOutput) = await ChildProcess.RunAsync(Tools.BinX64,
            ["doctor", "--host", "127.0.0.1", "--port", gateway.Port.ToString(), "--tls-fingerprint", pin, "--state-dir", state], env);
        await Assert.That(okOutput).Contains("ok    gateway");
        await Assert.That(okOutput).Contains("connect.challenge");
        await Assert.That(okOutput).Contains("matches");
        await Assert.That(ok).IsEqualTo(0).Because(okOutput);
        // One file: Skia's native library came out of the executable itself, through a memfd.
        await Assert.That(okOutput).Contains("ok    skia         libSkiaSharp from memfd");
        await Assert.That(File.Exists(Path.Combine(Path.GetDirectoryName(Tools.BinX64)!, "libSkiaSharp.so"))).IsFalse();
        // Doctor only reads: no identity, no state directory created.
        await Assert.That(File.Exists(Path.Combine(state, "identity.json"))).IsFalse();

        string wrong = new string('a', 64);
        var (bad, badOutput) = await ChildProcess.RunAsync(Tools.BinX64,
            ["doctor", "--host", "127.0.0.1", "--port", gateway.Port.ToString(), "--tls-fingerprint", wrong, "--state-dir", state], env);
        await Assert.That(bad).IsEqualTo(1);
        await Assert.That(badOutput).Contains($"clawedge pin {pin}");

        // Where executable memfds are refused (vm.memfd_noexec=2), a private file is loaded and unlinked.
        string runtimeDir = Tools.TempDir("rtdir");
        var (_, fileOutput) = await ChildProcess.RunAsync(Tools.BinX64, ["doctor", "--state-dir", state],
            new Dictionary<string, string?>(env) { ["CLAWEDGE_SKIA_LOAD"] = "file", ["RUNTIME_DIRECTORY"] = runtimeDir });
        await Assert.That(fileOutput).Contains($"ok    skia         libSkiaSharp from file:{runtimeDir}");
        await Assert.That(Directory.GetFileSystemEntries(runtimeDir).Length).IsEqualTo(0);
        Directory.Delete(runtimeDir);

        var (closed, closedOutput) = await ChildProcess.RunAsync(Tools.BinX64,
            ["doctor", "--host", "127.0.0.1", "--port", Tools.FreePort().ToString(), "--state-dir", state], env);
        await Assert.That(closed).IsEqualTo(1);
        await Assert.That(closedOutput).Contains("FAIL  gateway");
        Directory.Delete(state, recursive: true);
    }
}
