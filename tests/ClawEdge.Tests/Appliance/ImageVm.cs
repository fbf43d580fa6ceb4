using System.Text.Json.Nodes;
using ClawEdge.Tests.Interop;

namespace ClawEdge.Tests.Appliance;

/// <summary>
/// The flashed image as a card: built by scripts/image.sh (raw, uncompressed), edited from "any PC" with mtools
/// (never mounted), booted with its own kernel, initrd and cmdline.txt under qemu-system-aarch64, read back with
/// e2fsprogs. Networking is qemu's user mode with restrict=on: the guest reaches one thing, the test gateway's
/// port on 127.0.0.1, as 10.0.2.100 (a per-connection relay, as scripts/vivid-vm.sh does).
/// </summary>
internal sealed class ImageVm
{
    public const string GatewayAddress = "10.0.2.100";
    private const long Sector = 512;

    private ImageVm(string path, long[] partitionStarts)
    {
        Path = path;
        PartitionStarts = partitionStarts;
    }

    public string Path { get; }
    /// <summary>Byte offsets of partitions 1 (boot), 2 (root) and, on the read-only image, 3 (state).</summary>
    public long[] PartitionStarts { get; }
    public long BootOffset => PartitionStarts[0];

    public static async Task<ImageVm> BuildAsync(string dir, bool readOnly)
    {
        string path = System.IO.Path.Combine(dir, readOnly ? "clawedge-ro.img" : "clawedge.img");
        List<string> args = [System.IO.Path.Combine(Fixtures.RepoRoot, "scripts", "image.sh"), "build", "--raw", "--out", path];
        if (readOnly)
            args.Add("--read-only");
        // Warm cache: a copy of the cached base, dpkg -i of the .deb and mkfs (about a minute on a busy 2-core machine).
        var (code, output) = await ChildProcess.RunAsync("bash", args, timeout: TimeSpan.FromMinutes(45));
        if (code != 0)
            throw new InvalidOperationException($"image.sh build failed ({code}):\n{output}");
        var table = JsonNode.Parse((await ChildProcess.RunAsync("sfdisk", ["-J", path])).Output)!;
        long[] starts = [.. table["partitiontable"]!["partitions"]!.AsArray().Select(p => (long)p!["start"]! * Sector)];
        return new ImageVm(path, starts);
    }

    private string Fat => $"{Path}@@{BootOffset}";

    private static Dictionary<string, string?> MtoolsEnv => new() { ["MTOOLS_SKIP_CHECK"] = "1" };

    /// <summary>Writes a file onto the boot partition, as a user would from a PC.</summary>
    public async Task WriteBootFileAsync(string name, string content)
    {
        string local = System.IO.Path.Combine(System.IO.Path.GetDirectoryName(Path)!, "put-" + name);
        await File.WriteAllTextAsync(local, content);
        var (code, output) = await ChildProcess.RunAsync("mcopy", ["-o", "-i", Fat, local, "::" + name], MtoolsEnv);
        File.Delete(local);
        if (code != 0)
            throw new InvalidOperationException($"mcopy {name}: {output}");
    }

    public async Task<string[]> BootFilesAsync()
    {
        var (code, output) = await ChildProcess.RunAsync("mdir", ["-b", "-i", Fat, "::"], MtoolsEnv);
        if (code != 0)
            throw new InvalidOperationException($"mdir: {output}");
        return [.. output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(l => l.TrimStart(':', '/'))];
    }

    public async Task<string> ReadBootFileAsync(string name, string to)
    {
        var (code, output) = await ChildProcess.RunAsync("mcopy", ["-o", "-n", "-i", Fat, "::" + name, to], MtoolsEnv);
        if (code != 0)
            throw new InvalidOperationException($"mcopy ::{name}: {output}");
        return to;
    }

    /// <summary>
    /// Boots the image as the Pi firmware would: the kernel and initramfs config.txt names, the command line from
    /// cmdline.txt (its Pi UART consoles swapped for the board's PL011). journald forwards to the serial console,
    /// so every log line the node writes is on the console this test reads. <paramref name="raspi3b"/> boots
    /// QEMU's Pi 3 B board with the image's own device tree instead of virt: the image is its SD card (a power of
    /// two in size) and its network a USB device.
    /// </summary>
    public async Task<ChildProcess> BootAsync(int gatewayPort, string workDir, bool raspi3b = false)
    {
        string config = await File.ReadAllTextAsync(await ReadBootFileAsync("config.txt", System.IO.Path.Combine(workDir, "config.txt")));
        string kernel = Directive(config, "kernel=");
        string initrd = Directive(config, "initramfs ").Split(' ')[0];
        string cmdline = (await File.ReadAllTextAsync(await ReadBootFileAsync("cmdline.txt", System.IO.Path.Combine(workDir, "cmdline.txt")))).Trim();
        cmdline = string.Join(' ', cmdline.Split(' ', StringSplitOptions.RemoveEmptyEntries).Where(a => !a.StartsWith("console=", StringComparison.Ordinal)));
        string kernelFile = await ReadBootFileAsync(kernel, System.IO.Path.Combine(workDir, "kernel"));
        string initrdFile = await ReadBootFileAsync(initrd, System.IO.Path.Combine(workDir, "initrd"));
        string relay = "/usr/bin/busybox";
        if (!File.Exists(relay))
            relay = "/bin/busybox";
        string netdev = $"user,id=n0,restrict=on,guestfwd=tcp:{GatewayAddress}:{gatewayPort}-cmd:{relay} nc 127.0.0.1 {gatewayPort}";
        List<string> board = raspi3b
            ? ["-M", "raspi3b", "-m", "1G", "-dtb", await ReadBootFileAsync("bcm2837-rpi-3-b.dtb", System.IO.Path.Combine(workDir, "board.dtb")),
               "-drive", $"file={Path},format=raw,if=sd,cache=writeback", "-usb", "-device", "usb-net,netdev=n0"]
            : ["-M", "virt", "-cpu", "cortex-a53", "-smp", "2", "-m", "512",
               "-drive", $"file={Path},format=raw,if=none,id=d0,cache=writeback", "-device", "virtio-blk-pci,drive=d0",
               "-device", "virtio-net-pci,netdev=n0"];
        return ChildProcess.Start("qemu-system-aarch64",
        [
            .. board,
            "-nodefaults", "-no-reboot", "-display", "none", "-monitor", "none", "-serial", "stdio",
            "-kernel", kernelFile, "-initrd", initrdFile,
            "-append", $"{cmdline} console=ttyAMA0 systemd.journald.forward_to_console=1 systemd.show_status=1 panic=-1",
            "-netdev", netdev,
        ]);
    }

    private static string Directive(string config, string prefix) =>
        config.Split('\n').Select(l => l.Trim()).First(l => l.StartsWith(prefix, StringComparison.Ordinal))[prefix.Length..].Trim();

    /// <summary>
    /// A copy of one ext4 partition with its journal replayed by e2fsck (after a power cut the newest metadata may
    /// still be only in the journal), for debugfs to read. The image itself is not touched.
    /// </summary>
    public async Task<string> SnapshotPartitionAsync(int number, string to)
    {
        long start = PartitionStarts[number - 1];
        long end = number < PartitionStarts.Length ? PartitionStarts[number] : new FileInfo(Path).Length;
        var (code, output) = await ChildProcess.RunAsync("dd", [$"if={Path}", $"of={to}", "bs=1M", $"skip={start}", $"count={end - start}",
            "iflag=skip_bytes,count_bytes", "conv=sparse", "status=none"]);
        if (code != 0)
            throw new InvalidOperationException($"dd: {output}");
        var (fsck, fsckOutput) = await ChildProcess.RunAsync("e2fsck", ["-fy", to]);
        if (fsck > 1)
            throw new InvalidOperationException($"e2fsck {fsck}: {fsckOutput}");
        return to;
    }

    /// <summary>The exact bytes of a file in an ext4 image (debugfs dump), as text; null when it is absent.</summary>
    public static async Task<string?> ReadExt4FileAsync(string partitionFile, string path)
    {
        string to = partitionFile + ".read-" + Guid.NewGuid().ToString("N");
        var (code, output) = await ChildProcess.RunAsync("debugfs", ["-R", $"dump {path} {to}", partitionFile]);
        try
        {
            if (code != 0 || !File.Exists(to) || output.Contains("File not found", StringComparison.Ordinal))
                return null;
            return await File.ReadAllTextAsync(to);
        }
        finally
        {
            File.Delete(to);
        }
    }

    /// <summary>debugfs stat: the mode line ("Mode:  0600") and owner of a path, or null when it is absent.</summary>
    public static async Task<string?> StatExt4Async(string partitionFile, string path)
    {
        var (code, output) = await ChildProcess.RunAsync("debugfs", ["-R", $"stat {path}", partitionFile]);
        if (code != 0 || output.Contains("File not found", StringComparison.Ordinal))
            return null;
        return output;
    }

    public static async Task<string> Sha256Async(string file, long offset, long length)
    {
        await using var stream = File.OpenRead(file);
        stream.Seek(offset, SeekOrigin.Begin);
        using var sha = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        var buffer = new byte[1 << 20];
        long left = length;
        while (left > 0)
        {
            int n = await stream.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, left)));
            if (n == 0)
                break;
            sha.AppendData(buffer, 0, n);
            left -= n;
        }
        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }
}
