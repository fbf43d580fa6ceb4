using System.Text.Json;
using System.Text.Json.Nodes;
using ClawEdge.Tests.Interop;

namespace ClawEdge.Tests.Appliance;

/// <summary>
/// The flashed appliance image booted whole: its own Debian kernel, initramfs and systemd under
/// qemu-system-aarch64 (TCG, -M virt -cpu cortex-a53 -m 512, root on a virtio disk), a real setup code minted by
/// the real gateway on its boot partition, and the node pairing on first boot. Then a power cut and a second
/// boot, the read-only variant, and a first boot on QEMU's Raspberry Pi 3 B board. Slow by nature (emulated
/// boots): generous timeouts, one boot at a time.
/// </summary>
[NotInParallel(nameof(ImageBootTests))]
public class ImageBootTests
{
    private static readonly TimeSpan BootTimeout = TimeSpan.FromMinutes(8);

    [Test]
    public async Task First_boot_pairs_from_the_boot_partition_applies_its_settings_and_survives_a_power_cut()
    {
        string dir = Tools.TempDir("image");
        var image = await ImageVm.BuildAsync(dir, readOnly: false);
        await using var gateway = await RealGateway.StartAsync();
        string code = await MintAsync(gateway);
        string bootstrap = BootstrapToken(code);

        // The user's edits, from "any PC": the setup code and the optional settings files.
        await image.WriteBootFileAsync("clawedge-pair.txt", code + "\n");
        await WriteSettingsFilesAsync(image);

        // Room to grow into, as on a card larger than the image.
        long imageBytes = new FileInfo(image.Path).Length;
        await using (var f = File.OpenWrite(image.Path))
            f.SetLength(imageBytes + 256L * 1024 * 1024);

        // 1. First boot.
        string nodeId;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await using (var vm = await image.BootAsync(gateway.Port, dir))
        {
            var connected = await WaitForConnectedNodeAsync(gateway, vm, BootTimeout);
            double connectedAfter = clock.Elapsed.TotalSeconds;
            nodeId = (string)connected["nodeId"]!;
            await Assert.That((string?)connected["displayName"]).IsEqualTo("kitchen-pi");
            await vm.WaitForLineAsync("auth bootstrap-token", TimeSpan.FromMinutes(1));

            // systemd marks a Type=notify unit started only on READY=1.
            await vm.WaitForLineAsync("Started clawedge.service", TimeSpan.FromMinutes(2));
            var which = await EdgeNode.InvokeAsync(gateway, nodeId, "system.which", """{"bins":["sh","no-such-bin-ce"]}""", 60000);
            await Assert.That(which.ToJsonString()).Contains("/usr/bin/sh");
            await Assert.That(which.ToJsonString()).DoesNotContain("no-such-bin-ce\":\"/");
            await vm.WaitForLineAsync("clawedge-settings: removed from /boot/firmware", TimeSpan.FromSeconds(10));
            await vm.WaitForLineAsync("grew /dev/vda partition 2", TimeSpan.FromSeconds(10));
            // sshd starts with the host keys its drop-in made on this card (its ExecStartPre `sshd -t` checks them).
            await vm.WaitForLineAsync("Started ssh.service", TimeSpan.FromMinutes(2));
            AssertNoWaitForWlan0(vm.Output);
            Console.WriteLine($"image boot: first boot connected after {connectedAfter:0.0} s (qemu TCG, emulated cortex-a53)");

            // 2. A hard power cut while the node runs.
            await Assert.That(vm.HasExited).IsFalse();
            vm.Signal(Interop.Mono.SIGKILL);
            await vm.WaitForExitAsync(TimeSpan.FromSeconds(30));
            await AssertNoSecretsAsync(vm.Output, code, bootstrap);
        }

        await AssertBootPartitionEmptiedAsync(image);

        // What the settings produced, read from the root partition (journal replayed on a copy).
        string root = await image.SnapshotPartitionAsync(2, Path.Combine(dir, "root-after-boot1.ext4"));
        await AssertSettingsAppliedAsync(root);
        await Assert.That(await ImageVm.ReadExt4FileAsync(root, "/etc/hosts")).Contains("127.0.1.1\tkitchen-pi");
        await Assert.That(await ImageVm.StatExt4Async(root, "/etc/systemd/system/sys-subsystem-net-devices-wlan0.device.wants/wpa_supplicant@wlan0.service")).IsNotNull();
        await Assert.That(await ImageVm.StatExt4Async(root, "/etc/systemd/system/multi-user.target.wants/ssh.service")).IsNotNull();
        string nodeJson = (await ImageVm.ReadExt4FileAsync(root, "/var/lib/clawedge/node.json"))!;
        await Assert.That(nodeJson).DoesNotContain(bootstrap);
        await Assert.That(await ImageVm.StatExt4Async(root, "/var/lib/clawedge/pair-code.txt")).IsNull();
        string deviceToken = DeviceToken(nodeJson);
        var journal = await JournalAsync(image, dir, root);
        await Assert.That(journal).Contains("clawedge");
        await AssertNoSecretsAsync(journal, code, bootstrap, deviceToken);

        // 3. Second boot after the power cut: the same device, its device token, no new pairing request.
        clock.Restart();
        await using (var vm = await image.BootAsync(gateway.Port, dir))
        {
            await vm.WaitForLineAsync("auth device-token", BootTimeout);
            Console.WriteLine($"image boot: second boot connected after {clock.Elapsed.TotalSeconds:0.0} s (qemu TCG)");
            await gateway.WaitForNodeAsync(nodeId, n => (bool?)n["connected"] == true, TimeSpan.FromMinutes(2));
            var which = await EdgeNode.InvokeAsync(gateway, nodeId, "system.which", """{"bins":["sh"]}""", 60000);
            await Assert.That(which.ToJsonString()).Contains("/usr/bin/sh");
            var devices = await gateway.CliJsonAsync("devices", "list");
            await Assert.That(devices["pending"]?.AsArray().Count ?? 0).IsEqualTo(0).Because(devices.ToJsonString());
            await Assert.That(vm.Output).DoesNotContain("pairing required");
            vm.Signal(Interop.Mono.SIGKILL);
            await vm.WaitForExitAsync(TimeSpan.FromSeconds(30));
            await AssertNoSecretsAsync(vm.Output, code, bootstrap, deviceToken);
        }
        string root2 = await image.SnapshotPartitionAsync(2, Path.Combine(dir, "root-after-boot2.ext4"));
        await Assert.That(DeviceToken((await ImageVm.ReadExt4FileAsync(root2, "/var/lib/clawedge/node.json"))!)).IsEqualTo(deviceToken);
        Directory.Delete(dir, recursive: true);
    }

    [Test]
    public async Task Read_only_image_pairs_applies_its_settings_and_writes_nothing_outside_its_state_partition()
    {
        string dir = Tools.TempDir("image-ro");
        var image = await ImageVm.BuildAsync(dir, readOnly: true);
        await Assert.That(image.PartitionStarts.Length).IsEqualTo(3);
        long rootStart = image.PartitionStarts[1], rootLength = image.PartitionStarts[2] - rootStart;
        string before = await ImageVm.Sha256Async(image.Path, rootStart, rootLength);

        await using var gateway = await RealGateway.StartAsync();
        string code = await MintAsync(gateway);
        await image.WriteBootFileAsync("clawedge-pair.txt", code + "\n");
        await WriteSettingsFilesAsync(image);
        string nodeId;
        await using (var vm = await image.BootAsync(gateway.Port, dir))
        {
            var connected = await WaitForConnectedNodeAsync(gateway, vm, BootTimeout);
            nodeId = (string)connected["nodeId"]!;
            await Assert.That((string?)connected["displayName"]).IsEqualTo("kitchen-pi");
            await vm.WaitForLineAsync("Started clawedge.service", TimeSpan.FromMinutes(2));
            var which = await EdgeNode.InvokeAsync(gateway, nodeId, "system.which", """{"bins":["sh"]}""", 60000);
            await Assert.That(which.ToJsonString()).Contains("/usr/bin/sh");
            // sshd starts with the host keys its drop-in made in the state partition (`sshd -t` checks them).
            await vm.WaitForLineAsync("Started ssh.service", TimeSpan.FromMinutes(2));
            AssertNoWaitForWlan0(vm.Output);
            // systemd's credential provisioning is off on the read-only root (it warned on the /root/.ssh symlink).
            await Assert.That(vm.Output).DoesNotContain("\"/root/.ssh\" already exists");
            vm.Signal(Interop.Mono.SIGKILL);
            await vm.WaitForExitAsync(TimeSpan.FromSeconds(30));
            await AssertNoSecretsAsync(vm.Output, code, BootstrapToken(code));
        }
        await AssertBootPartitionEmptiedAsync(image);
        // Not one byte of the root partition changed; the identity and the settings are on the state partition.
        await Assert.That(await ImageVm.Sha256Async(image.Path, rootStart, rootLength)).IsEqualTo(before);
        string state = await image.SnapshotPartitionAsync(3, Path.Combine(dir, "state.ext4"));
        string nodeJson = (await ImageVm.ReadExt4FileAsync(state, "/clawedge/node.json"))!;
        await Assert.That(DeviceToken(nodeJson).Length).IsGreaterThan(10);
        await AssertSettingsAppliedAsync(state);
        await Assert.That(await ImageVm.ReadExt4FileAsync(state, "/etc/hosts")).Contains("127.0.1.1\tkitchen-pi");

        // And the read-only root boots again into the same device, its settings brought up from the state partition.
        await using (var vm = await image.BootAsync(gateway.Port, dir))
        {
            await vm.WaitForLineAsync("auth device-token", BootTimeout);
            await gateway.WaitForNodeAsync(nodeId, n => (bool?)n["connected"] == true, TimeSpan.FromMinutes(2));
            await Assert.That(vm.Output).Contains("clawedge-settings: host name kitchen-pi (from /persist)");
            await vm.WaitForLineAsync("Started ssh.service", TimeSpan.FromMinutes(2));
            vm.Signal(Interop.Mono.SIGKILL);
            await vm.WaitForExitAsync(TimeSpan.FromSeconds(30));
        }
        await Assert.That(await ImageVm.Sha256Async(image.Path, rootStart, rootLength)).IsEqualTo(before);
        Directory.Delete(dir, recursive: true);
    }

    /// <summary>
    /// The closer check: QEMU's Raspberry Pi 3 B board with the Pi 3 B device tree from the image's own boot
    /// partition, the image as its SD card (sdhost) and its network a USB device named usb0 (as a Pi Zero 2 W's USB
    /// gadget port is). First boot only: the power cut and the second boot are the virt test's.
    /// </summary>
    [Test]
    public async Task Raspi3b_board_boots_the_image_from_its_sd_card_with_the_pi_device_tree_and_pairs()
    {
        string dir = Tools.TempDir("image-raspi3b");
        var image = await ImageVm.BuildAsync(dir, readOnly: false);
        await using var gateway = await RealGateway.StartAsync();
        string code = await MintAsync(gateway);
        await image.WriteBootFileAsync("clawedge-pair.txt", code + "\n");
        // An SD card's size is a power of two (QEMU refuses other sizes); the root grows into the rest.
        long card = 1L << 30;
        while (card < new FileInfo(image.Path).Length)
            card <<= 1;
        await using (var f = File.OpenWrite(image.Path))
            f.SetLength(card);

        var clock = System.Diagnostics.Stopwatch.StartNew();
        await using (var vm = await image.BootAsync(gateway.Port, dir, raspi3b: true))
        {
            var connected = await WaitForConnectedNodeAsync(gateway, vm, BootTimeout);
            Console.WriteLine($"image boot: raspi3b first boot connected after {clock.Elapsed.TotalSeconds:0.0} s (qemu TCG, emulated Pi 3 B)");
            await Assert.That(vm.Output).Contains("Machine model: Raspberry Pi 3 Model B");
            // The USB network keeps its kernel name; the image's wired file matches usb* for it.
            await Assert.That(vm.Output).Contains("usb0: DHCPv4 address");
            await vm.WaitForLineAsync("auth bootstrap-token", TimeSpan.FromMinutes(1));
            var which = await EdgeNode.InvokeAsync(gateway, (string)connected["nodeId"]!, "system.which", """{"bins":["sh"]}""", 60000);
            await Assert.That(which.ToJsonString()).Contains("/usr/bin/sh");
            await vm.WaitForLineAsync("grew /dev/mmcblk0 partition 2", TimeSpan.FromSeconds(10));
            vm.Signal(Interop.Mono.SIGKILL);
            await vm.WaitForExitAsync(TimeSpan.FromSeconds(30));
            await AssertNoSecretsAsync(vm.Output, code, BootstrapToken(code));
        }
        await Assert.That(await image.BootFilesAsync()).DoesNotContain("clawedge-pair.txt");
        Directory.Delete(dir, recursive: true);
    }

    private const string SshKey = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHpKk3oD0oZ4xvcQp1BoFqT3Y8uK2bGd9f2m4zJx7nYq ce@test";
    private static readonly string[] SettingsFiles = ["clawedge-pair.txt", "clawedge-hostname.txt", "clawedge-wifi.txt", "clawedge-ssh.pub", "clawedge.json"];

    /// <summary>The optional settings files a user leaves beside the setup code (docs/APPLIANCE.md).</summary>
    private static async Task WriteSettingsFilesAsync(ImageVm image)
    {
        await image.WriteBootFileAsync("clawedge-hostname.txt", "Kitchen-Pi\r\n");
        await image.WriteBootFileAsync("clawedge-wifi.txt", "country=ch\nssid=Home \"Net\"\npsk=correct horse battery\n");
        await image.WriteBootFileAsync("clawedge-ssh.pub", SshKey + "\n");
        string config = (await File.ReadAllTextAsync(Path.Combine(Appliance.RootfsSource, "etc/clawedge/clawedge.json")))
            .Replace("\"StatsIntervalSeconds\": 60", "\"StatsIntervalSeconds\": 120", StringComparison.Ordinal);
        await image.WriteBootFileAsync("clawedge.json", config);
    }

    /// <summary>
    /// Wi-Fi is configured and the VM has no wlan0: nothing may wait for it. A wpa_supplicant@wlan0 started at
    /// boot held network-online.target, and the node after it, for the device job's 90 s (seen on the console as
    /// "Job sys-subsystem-net-devices-wlan0… running").
    /// </summary>
    private static void AssertNoWaitForWlan0(string console)
    {
        if (console.Contains("sys-subsystem-net-devices-wlan0", StringComparison.Ordinal))
            throw new InvalidOperationException("the boot waited for the absent wlan0 device:\n" + console);
    }

    private static async Task AssertBootPartitionEmptiedAsync(ImageVm image)
    {
        var bootFiles = await image.BootFilesAsync();
        foreach (var name in SettingsFiles)
            await Assert.That(bootFiles).DoesNotContain(name);
    }

    /// <summary>
    /// The files the settings produced, in <paramref name="partition"/>: the root partition of the normal image,
    /// the state partition of the read-only one (the same paths under it).
    /// </summary>
    private static async Task AssertSettingsAppliedAsync(string partition)
    {
        await Assert.That(await ImageVm.ReadExt4FileAsync(partition, "/etc/hostname")).IsEqualTo("kitchen-pi\n");
        const string wpaPath = "/etc/wpa_supplicant/wpa_supplicant-wlan0.conf";
        string wpa = (await ImageVm.ReadExt4FileAsync(partition, wpaPath))!;
        await Assert.That(wpa).Contains("country=CH");
        await Assert.That(wpa).Contains("ssid=" + Convert.ToHexStringLower("Home \"Net\""u8));
        await Assert.That(wpa).Contains("psk=" + WpaPsk("Home \"Net\"", "correct horse battery"));
        await Assert.That(wpa).DoesNotContain("correct horse battery");
        await Assert.That((await ImageVm.StatExt4Async(partition, wpaPath))!).Contains("Mode:  0600");
        await Assert.That(await ImageVm.ReadExt4FileAsync(partition, "/root/.ssh/authorized_keys")).Contains(SshKey);
        await Assert.That(await ImageVm.StatExt4Async(partition, "/etc/ssh/ssh_host_ed25519_key")).IsNotNull();
        await Assert.That(await ImageVm.ReadExt4FileAsync(partition, "/etc/clawedge/clawedge.json")).Contains("\"StatsIntervalSeconds\": 120");
    }

    private static async Task<string> MintAsync(RealGateway gateway)
    {
        // The guest sees the gateway at 10.0.2.100 (qemu's guestfwd); the code carries that address.
        var minted = await gateway.CliJsonAsync("gateway", "call", "device.pair.setupCode", "--params",
            $$"""{"bootstrapProfile":"node","publicUrl":"ws://{{ImageVm.GatewayAddress}}:{{gateway.Port}}","includeQr":false}""");
        return (string)minted["setupCode"]!;
    }

    private static string BootstrapToken(string code) =>
        JsonDocument.Parse(System.Buffers.Text.Base64Url.DecodeFromChars(code)).RootElement.GetProperty("bootstrapToken").GetString()!;

    private static string DeviceToken(string nodeJson)
    {
        var tokens = JsonNode.Parse(nodeJson)!["deviceTokens"]!.AsObject();
        var first = tokens.First().Value!;
        return first is JsonValue ? (string)first! : (string)(first["token"] ?? first.AsObject().First().Value)!;
    }

    /// <summary>Polls <c>openclaw nodes status</c> until a node is connected; fails early if the VM dies.</summary>
    private static async Task<JsonNode> WaitForConnectedNodeAsync(RealGateway gateway, ChildProcess vm, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (vm.HasExited)
                throw new InvalidOperationException($"qemu exited ({vm.ExitCode}) before the node connected. Console:\n{vm.Output}");
            var status = await gateway.CliJsonAsync("nodes", "status");
            var node = status["nodes"]!.AsArray().FirstOrDefault(n => (bool?)n!["connected"] == true);
            if (node is not null)
                return node;
            await Task.Delay(2000);
        }
        throw new TimeoutException($"no node connected within {timeout.TotalMinutes} min. Console:\n{vm.Output}");
    }

    /// <summary>The persistent journal of the root snapshot, as text (journalctl on the host reads arm64 journals).</summary>
    private static async Task<string> JournalAsync(ImageVm image, string dir, string root)
    {
        string into = Path.Combine(dir, "journal");
        Directory.CreateDirectory(into);
        var (code, output) = await ChildProcess.RunAsync("debugfs", ["-R", $"rdump /var/log/journal {into}", root]);
        if (code != 0)
            throw new InvalidOperationException($"debugfs rdump: {output}");
        var (jc, text) = await ChildProcess.RunAsync("journalctl", ["--directory", Path.Combine(into, "journal"), "--no-pager", "-o", "cat"]);
        await Assert.That(jc).IsEqualTo(0).Because(text);
        return text;
    }

    private static async Task AssertNoSecretsAsync(string text, params string[] secrets)
    {
        foreach (var secret in secrets)
            await Assert.That(text.Contains(secret, StringComparison.Ordinal)).IsFalse().Because("a token reached the log");
    }

    /// <summary>WPA2 PSK = PBKDF2-HMAC-SHA1(passphrase, ssid, 4096, 32): what wpa_passphrase stores.</summary>
    private static string WpaPsk(string ssid, string passphrase) =>
        Convert.ToHexStringLower(System.Security.Cryptography.Rfc2898DeriveBytes.Pbkdf2(
            System.Text.Encoding.UTF8.GetBytes(passphrase), System.Text.Encoding.UTF8.GetBytes(ssid), 4096,
            System.Security.Cryptography.HashAlgorithmName.SHA1, 32));
}
