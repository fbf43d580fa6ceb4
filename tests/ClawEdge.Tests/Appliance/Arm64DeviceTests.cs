using ClawEdge.Tests.Interop;

namespace ClawEdge.Tests.Appliance;

/// <summary>
/// The arm64 Debian package on an arm64 Debian root (debootstrap --foreign of bookworm, cached by
/// build.sh setup), run through qemu-aarch64-static in a chroot, as on a Pi: the binary, its config
/// and the libraries it finds are the package's and Debian's, not the build machine's.
/// </summary>
public class Arm64DeviceTests
{
    private static string Userland => Environment.GetEnvironmentVariable("CE_ARM64_DEBIAN")
        ?? Path.Combine(Environment.GetEnvironmentVariable("HOME") ?? "/root", ".cache", "clawedge", "arm64-debian");

    [Test]
    public async Task Deb_unpacked_into_arm64_debian_runs_version_doctor_and_connects()
    {
        var (packed, deb) = await ChildProcess.RunAsync("bash", [Path.Combine(Fixtures.RepoRoot, "scripts", "package.sh"), "deb", "linux-arm64"]);
        await Assert.That(packed).IsEqualTo(0).Because(deb);
        string debPath = Path.Combine(Fixtures.RepoRoot, deb.Trim().Split('\n')[^1]);

        string root = Tools.TempDir("pi");
        Directory.Delete(root);
        // Hard links: a private copy of the cached userland in a second, not 200 MB of writes.
        await Run("cp", "-al", Userland, root);
        await Run("dpkg-deb", "-x", debPath, root);
        File.Copy("/usr/bin/qemu-aarch64-static", Path.Combine(root, "usr/bin/qemu-aarch64-static"), overwrite: true);
        await Assert.That(File.Exists(Path.Combine(root, "etc/clawedge/clawedge.json"))).IsTrue();
        await Assert.That(File.Exists(Path.Combine(root, "usr/lib/systemd/system/clawedge.service"))).IsTrue();

        await using var gateway = await RealGateway.StartAsync();
        var env = new Dictionary<string, string?>
        {
            ["OPENCLAW_GATEWAY_TOKEN"] = RealGateway.Token, ["JOURNAL_STREAM"] = null, ["NOTIFY_SOCKET"] = null,
            ["HOME"] = "/root", ["PATH"] = "/usr/sbin:/usr/bin:/sbin:/bin", ["DISPLAY"] = null, ["WAYLAND_DISPLAY"] = null,
        };
        Task<(int, string)> Chroot(params string[] args) =>
            ChildProcess.RunAsync("chroot", [root, "/usr/bin/qemu-aarch64-static", "/usr/bin/clawedge", .. args], env, TimeSpan.FromMinutes(3));
        string[] gatewayArgs = ["--host", "127.0.0.1", "--port", gateway.Port.ToString()];

        var (v, version) = await Chroot("version");
        await Assert.That(v).IsEqualTo(0).Because(version);
        await Assert.That(version).Contains("clawedge 0.1.0");

        // Root on the device: the default state directory /var/lib/clawedge, the default config file.
        var (d, doctor) = await Chroot(["doctor", .. gatewayArgs]);
        await Assert.That(doctor).Contains("ok    config       /etc/clawedge/clawedge.json");
        await Assert.That(doctor).Contains("ok    gateway");
        // The embedded arm64 libSkiaSharp loads on the device (no /proc in this chroot: from a private file).
        await Assert.That(doctor).Contains("ok    skia");
        await Assert.That(File.Exists(Path.Combine(root, "usr/lib/clawedge/libSkiaSharp.so"))).IsFalse();
        await Assert.That(d).IsEqualTo(0).Because(doctor);

        var (r, run) = await Chroot(["run", .. gatewayArgs, "--display-name", "ce-arm64-pi", "--once-connected-exit", "--timeout", "120"]);
        await Assert.That(r).IsEqualTo(0).Because(run);
        await Assert.That(File.Exists(Path.Combine(root, "var/lib/clawedge/identity.json"))).IsTrue();
        await Assert.That(File.GetUnixFileMode(Path.Combine(root, "var/lib/clawedge")))
            .IsEqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

        var (d2, doctor2) = await Chroot(["doctor", .. gatewayArgs]);
        await Assert.That(doctor2).Contains("ok    identity");
        await Assert.That(doctor2).Contains("ok    pairing");
        await Assert.That(d2).IsEqualTo(0).Because(doctor2);
        Directory.Delete(root, recursive: true);
    }

    /// <summary>The shipped arm64 binary converts screen pixels with NEON, and every byte matches the scalar formula.</summary>
    [Test]
    public async Task The_arm64_binary_converts_bgrx_with_neon_bit_exact_with_the_scalar_formula()
    {
        var (code, output) = await ChildProcess.RunAsync("qemu-aarch64-static", ["-L", Tools.Arm64Sysroot, Tools.BinArm64, "screen", "bench", "convert", "2"],
            timeout: TimeSpan.FromMinutes(3));
        await Assert.That(output).Contains("NEON tbl, 16-bit luma").And.Contains("bit-exact with the scalar formula");
        await Assert.That(code).IsEqualTo(0).Because(output);
    }

    private static async Task Run(string file, params string[] args)
    {
        var (code, output) = await ChildProcess.RunAsync(file, args);
        if (code != 0)
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} failed ({code}): {output}");
    }
}
