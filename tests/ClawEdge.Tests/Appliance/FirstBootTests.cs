using System.Text.Json.Nodes;
using ClawEdge.Tests.Interop;

namespace ClawEdge.Tests.Appliance;

/// <summary>
/// The first-boot path end to end against the real gateway: an operator mints a node setup code, the
/// image carries it on the boot partition, <c>clawedge-firstboot</c> moves it into the state directory,
/// <c>clawedge run --pair-file</c> pairs with it (no gateway token at all) and deletes it.
/// </summary>
public class FirstBootTests
{
    [Test]
    public async Task Setup_code_from_the_boot_partition_pairs_once_and_is_deleted()
    {
        await using var gateway = await RealGateway.StartAsync();
        var minted = await gateway.CliJsonAsync("gateway", "call", "device.pair.setupCode", "--params",
            $$"""{"bootstrapProfile":"node","publicUrl":"ws://127.0.0.1:{{gateway.Port}}","includeQr":false}""");
        string code = (string)minted["setupCode"]!;

        string dir = Tools.TempDir("firstboot");
        string boot = Path.Combine(dir, "boot", "firmware");
        string state = Path.Combine(dir, "state");
        Directory.CreateDirectory(boot);
        Directory.CreateDirectory(state, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        string source = Path.Combine(boot, "clawedge-pair.txt");
        await File.WriteAllTextAsync(source, code + "\n");

        // 1. The root step (ExecStartPre=+ in the unit): move the code off the boot partition, 0600.
        var (moved, log) = await ChildProcess.RunAsync("/bin/sh", [Path.Combine(Appliance.RootfsSource, "usr/lib/clawedge/clawedge-firstboot")],
            new Dictionary<string, string?> { ["CLAWEDGE_PAIR_SOURCE"] = source, ["STATE_DIRECTORY"] = state });
        await Assert.That(moved).IsEqualTo(0).Because(log);
        string pairFile = Path.Combine(state, "pair-code.txt");
        await Assert.That(File.Exists(source)).IsFalse();
        await Assert.That(File.Exists(pairFile)).IsTrue();
        await Assert.That(File.GetUnixFileMode(pairFile)).IsEqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        await Assert.That(log).DoesNotContain(code);

        // 2. The node, as the unit runs it: no token, no code on the command line.
        var args = new List<string> { "run", "--state-dir", state, "--pair-file", pairFile, "--once-connected-exit", "--timeout", "60" };
        var (file, full) = EdgeNode.Command(arm64: false, args);
        var (exit, output) = await ChildProcess.RunAsync(file, full, new Dictionary<string, string?>
        {
            ["OPENCLAW_GATEWAY_TOKEN"] = null, ["JOURNAL_STREAM"] = null, ["NOTIFY_SOCKET"] = null,
        }, TimeSpan.FromSeconds(90));
        await Assert.That(exit).IsEqualTo(0).Because(output);
        await Assert.That(output).Contains("deleted the setup code file");
        await Assert.That(output).DoesNotContain(code);
        await Assert.That(File.Exists(pairFile)).IsFalse();

        // Paired for good: a device token and the gateway's endpoint are stored, so the next boot
        // (no code any more) connects on its own.
        var nodeJson = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(state, "node.json")))!;
        await Assert.That(nodeJson["deviceTokens"]!.AsObject().Count).IsEqualTo(1);
        await Assert.That((int)nodeJson["gateway"]!["port"]!).IsEqualTo(gateway.Port);
        var (again, againOutput) = await ChildProcess.RunAsync(file, full, new Dictionary<string, string?>
        {
            ["OPENCLAW_GATEWAY_TOKEN"] = null, ["JOURNAL_STREAM"] = null, ["NOTIFY_SOCKET"] = null,
        }, TimeSpan.FromSeconds(90));
        await Assert.That(again).IsEqualTo(0).Because(againOutput);

        // The root step with nothing on the boot partition is a no-op.
        var (noop, _) = await ChildProcess.RunAsync("/bin/sh", [Path.Combine(Appliance.RootfsSource, "usr/lib/clawedge/clawedge-firstboot")],
            new Dictionary<string, string?> { ["CLAWEDGE_PAIR_SOURCE"] = source, ["STATE_DIRECTORY"] = state });
        await Assert.That(noop).IsEqualTo(0);
        await Assert.That(File.Exists(pairFile)).IsFalse();
        Directory.Delete(dir, recursive: true);
    }
}
