using ClawEdge.Tests.Interop;

namespace ClawEdge.Tests.Appliance;

/// <summary>
/// The tarball and the .deb carry the same files with the right modes, the maintainer scripts parse,
/// and the sysusers/tmpfiles entries do what the unit relies on (user, groups, 0700 state directory),
/// applied by the real systemd tools to a scratch root.
/// </summary>
public class PackageTests
{
    [Test]
    public async Task Tarball_and_deb_hold_the_same_files()
    {
        var (rc1, tarball) = await ChildProcess.RunAsync("bash", [Path.Combine(Fixtures.RepoRoot, "scripts/package.sh"), "rootfs", "linux-x64"]);
        var (rc2, deb) = await ChildProcess.RunAsync("bash", [Path.Combine(Fixtures.RepoRoot, "scripts/package.sh"), "deb", "linux-x64"]);
        await Assert.That(rc1).IsEqualTo(0).Because(tarball);
        await Assert.That(rc2).IsEqualTo(0).Because(deb);
        string tarPath = Path.Combine(Fixtures.RepoRoot, tarball.Trim().Split('\n')[^1]);
        string debPath = Path.Combine(Fixtures.RepoRoot, deb.Trim().Split('\n')[^1]);

        var (_, tarList) = await ChildProcess.RunAsync("tar", ["tzvf", tarPath]);
        var (_, debList) = await ChildProcess.RunAsync("dpkg-deb", ["-c", debPath]);
        static List<string> Entries(string listing) => listing.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(f => f.Length >= 6 && !f[0].StartsWith('d'))
            .Select(f => $"{f[0]} {(f[1] == "0/0" ? "root/root" : f[1])} {f[^1].TrimStart('.')}").Order().ToList();
        var inTar = Entries(tarList);
        await Assert.That(string.Join('\n', Entries(debList))).IsEqualTo(string.Join('\n', inTar));
        await Assert.That(inTar).Contains("-rwxr-xr-x root/root /usr/bin/clawedge");
        await Assert.That(inTar).Contains("-rwxr-xr-x root/root /usr/lib/clawedge/clawedge-firstboot");
        await Assert.That(inTar).Contains("-rw-r--r-- root/root /usr/lib/systemd/system/clawedge.service");
        await Assert.That(inTar.Any(e => e.Contains("libSkiaSharp"))).IsFalse(); // one file

        var (_, control) = await ChildProcess.RunAsync("dpkg-deb", ["-f", debPath, "Package", "Architecture", "Depends"]);
        await Assert.That(control).Contains("Architecture: amd64");
        await Assert.That(control).Contains("libssl3");
        string scripts = Tools.TempDir("debctl");
        var (ctl, ctlOut) = await ChildProcess.RunAsync("dpkg-deb", ["-e", debPath, scripts]);
        await Assert.That(ctl).IsEqualTo(0).Because(ctlOut);
        await Assert.That((await File.ReadAllTextAsync(Path.Combine(scripts, "conffiles"))).Split('\n')).Contains("/etc/clawedge/clawedge.json");
        foreach (var script in new[] { "postinst", "prerm", "postrm" })
        {
            var (syntax, why) = await ChildProcess.RunAsync("sh", ["-n", Path.Combine(scripts, script)]);
            await Assert.That(syntax).IsEqualTo(0).Because($"{script}: {why}");
        }
        Directory.Delete(scripts, recursive: true);
    }

    [Test]
    public async Task Sysusers_and_tmpfiles_create_the_user_groups_and_state_directory()
    {
        string root = Appliance.StageRoot(Tools.BinX64);
        foreach (var file in new[] { "passwd", "group", "shadow", "gshadow" })
            if (File.Exists($"/etc/{file}"))
                File.Copy($"/etc/{file}", Path.Combine(root, "etc", file));
        var (su, suOut) = await ChildProcess.RunAsync("systemd-sysusers", [$"--root={root}"]);
        await Assert.That(su).IsEqualTo(0).Because(suOut);
        var passwd = (await File.ReadAllLinesAsync(Path.Combine(root, "etc/passwd"))).Single(l => l.StartsWith("clawedge:"));
        await Assert.That(passwd).EndsWith(":/var/lib/clawedge:/usr/sbin/nologin");
        var groups = await File.ReadAllLinesAsync(Path.Combine(root, "etc/group"));
        foreach (var group in new[] { "video", "gpio", "i2c" })
            await Assert.That(groups.Single(g => g.StartsWith(group + ":")).Split(':')[3].Split(',')).Contains("clawedge");

        var (tf, tfOut) = await ChildProcess.RunAsync("systemd-tmpfiles", [$"--root={root}", "--create", "clawedge.conf"]);
        await Assert.That(tf).IsEqualTo(0).Because(tfOut);
        string state = Path.Combine(root, "var/lib/clawedge");
        await Assert.That(File.GetUnixFileMode(state)).IsEqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var (_, owner) = await ChildProcess.RunAsync("stat", ["-c", "%u", state]);
        await Assert.That(owner.Trim()).IsEqualTo(passwd.Split(':')[2]);
        Directory.Delete(root, recursive: true);
    }
}
