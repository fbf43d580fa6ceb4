using ClawEdge.Tests.Interop;

namespace ClawEdge.Tests.Capture;

/// <summary>
/// One boot of Debian's kernel with the <c>vivid</c> driver under qemu (scripts/vivid-vm.sh): a busybox
/// shell script runs inside with /dev/video0, and everything it wrote under /out comes back here.
/// </summary>
public sealed class VividVm
{
    public static string LauncherPath => Path.Combine(Fixtures.RepoRoot, "scripts", "vivid-vm.sh");

    /// <summary>
    /// The linux-x64 libSkiaSharp.so of the package the binary embeds (restored next to the tests): the guest
    /// needs what it links against (libstdc++, libgcc_s…), as a host needs the .deb's dependencies.
    /// </summary>
    public static string SkiaLibraryX64 => Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libSkiaSharp.so");

    private readonly string _workDir;

    private VividVm(string workDir, string outDir, int exitCode, string launcherOutput)
    {
        _workDir = workDir;
        OutDir = outDir;
        ExitCode = exitCode;
        LauncherOutput = launcherOutput;
    }

    /// <summary>Where the guest's /out landed, plus <c>stdout</c>, <c>stderr</c>, <c>exitcode</c>, <c>console.log</c>.</summary>
    public string OutDir { get; }

    /// <summary>The guest script's exit code (the launcher's: 125 means the VM itself failed).</summary>
    public int ExitCode { get; }

    public string LauncherOutput { get; }

    public string PathOf(string guestOutFile) => Path.Combine(OutDir, guestOutFile);

    public bool Has(string guestOutFile) => File.Exists(PathOf(guestOutFile));

    /// <summary>A file the guest wrote under /out; a missing one fails with what the VM printed, to debug from.</summary>
    public string Read(string guestOutFile) =>
        Has(guestOutFile) ? File.ReadAllText(PathOf(guestOutFile)) : throw new FileNotFoundException(
            $"the guest wrote no /out/{guestOutFile}.\n{Diagnostics()}");

    public string Diagnostics()
    {
        string Tail(string name) => File.Exists(PathOf(name)) ? File.ReadAllText(PathOf(name)) : "(none)";
        return $"launcher exit {ExitCode}:\n{LauncherOutput}\n--- guest stdout:\n{Tail("stdout")}\n--- guest stderr:\n{Tail("stderr")}\n--- console:\n{Tail("console.log")}";
    }

    /// <summary>Removes the guest's results (raw frames, JPEGs, decoded images) once the tests have read them.</summary>
    public void Delete()
    {
        try { Directory.Delete(_workDir, recursive: true); } catch (IOException) { }
    }

    /// <summary>
    /// Boots the VM with <paramref name="guestSetup"/> followed by a <see cref="GuestShell"/> loop, and runs
    /// <paramref name="drive"/> once the setup is done: the host interleaves gateway calls with shell steps in the
    /// guest. Returns the VM after it powered off (the caller reads its /out and deletes it). Whatever fails while the
    /// VM is gone fails with what the VM printed; a VM still up when <paramref name="drive"/> throws is stopped.
    /// </summary>
    public static async Task<VividVm> RunWithShellAsync(string guestSetup, IEnumerable<string> bins, IEnumerable<string> launcherOptions,
        TimeSpan guestTimeout, Func<GuestShell, Task> drive)
    {
        await using var shell = new GuestShell();
        var vmTask = RunAsync(guestSetup + GuestShell.GuestLoop, bins, [], guestTimeout,
            launcherOptions: [.. launcherOptions, "--forward", $"{GuestShell.GuestPort}={shell.Port}"]);
        VividVm? vm = null;
        try
        {
            var ready = shell.ReadyAsync(TimeSpan.FromMinutes(4));
            if (await Task.WhenAny(ready, vmTask) == vmTask)
                throw new InvalidOperationException($"the VM ended before its shell came up:\n{(await vmTask).Diagnostics()}");
            await ready;
            await drive(shell);
            await shell.ExitAsync();
            vm = await vmTask;
            return vm;
        }
        catch (Exception e) when (vm is null && vmTask.IsCompleted)
        {
            throw new InvalidOperationException($"{e.Message}\n{(await vmTask).Diagnostics()}", e);
        }
        finally
        {
            if (vm is null && !vmTask.IsCompleted)
            {
                await shell.ExitAsync();
                try { (await vmTask.WaitAsync(TimeSpan.FromMinutes(2))).Delete(); } catch (Exception) { }
            }
        }
    }

    /// <summary>Boots the VM, runs <paramref name="guestScript"/> (busybox sh, cwd /out) and waits for power-off.</summary>
    /// <param name="bins">Executables to carry in (with their libraries and the .so files beside them); on the guest PATH.</param>
    /// <param name="needsOf">Libraries whose own dependencies the guest needs (one a binary embeds and loads from memory).</param>
    /// <param name="launcherOptions">More scripts/vivid-vm.sh options, as given.</param>
    public static async Task<VividVm> RunAsync(string guestScript, IEnumerable<string> bins, IEnumerable<string> needsOf,
        TimeSpan guestTimeout, string? vividParameters = null, IEnumerable<string>? launcherOptions = null)
    {
        string work = Tools.TempDir("vivid");
        string scriptPath = Path.Combine(work, "guest.sh");
        await File.WriteAllTextAsync(scriptPath, "cd /out\n" + guestScript);
        string outDir = Path.Combine(work, "out");

        var args = new List<string> { LauncherPath };
        foreach (string bin in bins)
        {
            if (!File.Exists(bin))
                throw new FileNotFoundException($"{bin} is missing: run ./build.sh publish linux-x64 first");
            args.Add("--bin");
            args.Add(bin);
        }
        foreach (string library in needsOf)
            args.AddRange(["--needs-of", library]);
        if (vividParameters is not null)
            args.AddRange(["--vivid", vividParameters]);
        args.AddRange(launcherOptions ?? []); // --insmod, --forward, --file, --env, --lib …
        args.AddRange(["--timeout", ((int)guestTimeout.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--script", scriptPath, outDir]);
        var (code, output) = await ChildProcess.RunAsync("bash", args, timeout: guestTimeout + TimeSpan.FromMinutes(3));
        var vm = new VividVm(work, outDir, code, output);
        if (code == 125 || !File.Exists(vm.PathOf("exitcode")))
            throw new InvalidOperationException($"the vivid VM did not run.\n{vm.Diagnostics()}");
        return vm;
    }
}
