using System.Text.Json.Nodes;
using ClawEdge.State;
using ClawEdge.Tests.Interop;

namespace ClawEdge.Tests.Appliance;

/// <summary>
/// Power cuts, read-only and full state directories. State files are written with AtomicFile
/// (temp, fsync, rename, directory fsync): whatever instant a process dies, each file is the old or
/// the new version, never a torn one; and a node that cannot write says so and keeps serving.
/// </summary>
public class DurabilityTests
{
    [Test]
    public async Task Kill_9_at_random_points_never_leaves_a_torn_state_file()
    {
        string shared = Tools.TempDir("crash");
        var random = new Random(4242);
        var written = new HashSet<string>();
        int killedMidway = 0;
        for (int i = 0; i < 100; i++)
        {
            // Alternate: `pin` rewriting node.json in a live directory, and a first `run` creating the
            // identity in a fresh one (its gateway port is closed: it only gets as far as the files).
            bool pin = i % 2 == 0;
            string dir = pin ? shared : Tools.TempDir("crash-run");
            string fingerprint = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
            written.Add(fingerprint);
            string[] args = pin
                ? ["pin", fingerprint, "--state-dir", dir]
                : ["run", "--state-dir", dir, "--host", "127.0.0.1", "--port", "9", "--display-name", "crash"];
            var (file, full) = EdgeNode.Command(arm64: false, args);
            await using (var child = ChildProcess.Start(file, full, new Dictionary<string, string?> { ["JOURNAL_STREAM"] = null }))
            {
                await Task.Delay(random.Next(0, 60));
                if (!child.HasExited)
                {
                    child.Signal(Interop.Mono.SIGKILL);
                    killedMidway++;
                }
                await child.WaitForExitAsync(TimeSpan.FromSeconds(10));
            }

            // Every state file that exists parses, with the loader the node itself uses.
            var store = new StateStore(dir);
            if (File.Exists(store.PathOf(StateStore.IdentityFileName)))
                await Assert.That(store.TryLoadIdentity()).IsNotNull();
            if (File.Exists(store.PathOf(StateStore.NodeFileName)))
            {
                var node = store.LoadNode();
                if (pin && node.PinnedFingerprint is { } p)
                    await Assert.That(written.Contains(p)).IsTrue();
            }
            foreach (var f in Directory.GetFiles(dir, "*.json"))
                await Assert.That(() => JsonNode.Parse(File.ReadAllText(f))).ThrowsNothing();
            if (!pin)
                Directory.Delete(dir, recursive: true);
        }
        await Assert.That(killedMidway).IsGreaterThan(30);
        Directory.Delete(shared, recursive: true);
    }

    [Test]
    public async Task Read_only_state_directory_runs_and_says_it_cannot_persist()
    {
        await using var gateway = await RealGateway.StartAsync();
        string dir = Tools.TempDir("ro");
        await PairOnceAsync(gateway, dir);
        // The hardest case: not even the lock file exists (the single-instance lock falls back to the directory).
        File.Delete(Path.Combine(dir, StateStore.LockFileName));
        await RunMount(["--bind", dir, dir]);
        try
        {
            await RunMount(["-o", "remount,ro,bind", dir]);
            var (exit, output) = await RunOnceAsync(gateway, dir);
            await Assert.That(exit).IsEqualTo(0).Because(output);
            await Assert.That(output).Contains("cannot persist");
            await Assert.That(output).Contains("Read-only file system");
        }
        finally
        {
            await RunMount(["-u", dir], umount: true);
        }
        // Nothing was torn: the files are those of the paired node.
        await Assert.That(new StateStore(dir).LoadNode().DeviceTokens.Count).IsEqualTo(1);
        Directory.Delete(dir, recursive: true);
    }

    [Test]
    public async Task Full_state_directory_runs_and_says_it_cannot_persist()
    {
        await using var gateway = await RealGateway.StartAsync();
        string dir = Tools.TempDir("full");
        string paired = Tools.TempDir("full-src");
        await PairOnceAsync(gateway, paired);
        await RunMount(["-t", "tmpfs", "-o", "size=64k,mode=0700", "tmpfs", dir]);
        try
        {
            foreach (var f in Directory.GetFiles(paired))
                File.Copy(f, Path.Combine(dir, Path.GetFileName(f)));
            // Fill what is left.
            try
            {
                await using var filler = File.OpenWrite(Path.Combine(dir, "filler"));
                var block = new byte[4096];
                while (true)
                {
                    filler.Write(block);
                    filler.Flush();
                }
            }
            catch (IOException)
            {
            }
            string before = await File.ReadAllTextAsync(Path.Combine(dir, StateStore.NodeFileName));
            var (exit, output) = await RunOnceAsync(gateway, dir);
            await Assert.That(exit).IsEqualTo(0).Because(output);
            await Assert.That(output).Contains("cannot persist");
            await Assert.That(output).Contains("No space left on device");
            // The old file survived the failed write whole, and no temp file is left behind.
            await Assert.That(await File.ReadAllTextAsync(Path.Combine(dir, StateStore.NodeFileName))).IsEqualTo(before);
            await Assert.That(Directory.GetFiles(dir, "*.tmp").Length).IsEqualTo(0);
        }
        finally
        {
            await RunMount(["-u", dir], umount: true);
        }
        Directory.Delete(dir, recursive: true);
        Directory.Delete(paired, recursive: true);
    }

    private static async Task PairOnceAsync(RealGateway gateway, string dir)
    {
        var (exit, output) = await RunOnceAsync(gateway, dir);
        if (exit != 0 || !File.Exists(Path.Combine(dir, StateStore.NodeFileName)))
            throw new InvalidOperationException($"first connect failed ({exit}):\n{output}");
    }

    private static async Task<(int, string)> RunOnceAsync(RealGateway gateway, string dir)
    {
        var (file, full) = EdgeNode.Command(arm64: false,
            ["run", "--host", "127.0.0.1", "--port", gateway.Port.ToString(), "--state-dir", dir, "--display-name", "ce-durable", "--once-connected-exit", "--timeout", "60"]);
        return await ChildProcess.RunAsync(file, full, new Dictionary<string, string?>
        {
            ["OPENCLAW_GATEWAY_TOKEN"] = RealGateway.Token, ["JOURNAL_STREAM"] = null, ["NOTIFY_SOCKET"] = null,
        }, TimeSpan.FromSeconds(90));
    }

    private static async Task RunMount(string[] args, bool umount = false)
    {
        var (code, output) = await ChildProcess.RunAsync(umount ? "umount" : "mount", umount ? args[1..] : args);
        if (code != 0)
            throw new InvalidOperationException($"{(umount ? "umount" : "mount")} {string.Join(' ', args)} failed ({code}): {output} (these tests need root and CAP_SYS_ADMIN, as CI has)");
    }
}
