using System.IO.Compression;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace ClawEdge.Capture.Native;

/// <summary>
/// Resolves <c>libSkiaSharp</c> for SkiaSharp's P/Invokes so the node stays one file: the stripped,
/// gzipped library embedded at build time (Native/SkiaEmbedding.targets) is inflated at the first
/// Skia call into a <c>memfd_create</c> file and loaded from <c>/proc/self/fd/N</c>: nothing is written
/// to a possibly read-only root. Where the kernel refuses executable memfds (<c>vm.memfd_noexec=2</c>)
/// or /proc is missing, it is written to a private runtime directory, loaded, and unlinked at once.
/// A <c>libSkiaSharp.so</c> beside the executable (a two-file install, JIT tests) always wins.
/// </summary>
public static partial class SkiaLibrary
{
    public const string ResourceName = "ClawEdge.Native.libSkiaSharp.so.gz";
    private static readonly Lazy<IntPtr> Handle = new(Load);

    /// <summary>How the library was found, for logs and doctor: "beside", "memfd", "file:&lt;dir&gt;", "default".</summary>
    public static string Source { get; private set; } = "not loaded";

#pragma warning disable CA2255 // A library initializer by design: every Skia user in the process needs the resolver, before its first call.
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Install() =>
        NativeLibrary.SetDllImportResolver(typeof(SkiaSharp.SKImageInfo).Assembly, (name, _, _) => name == "libSkiaSharp" ? Handle.Value : IntPtr.Zero);

    private static IntPtr Load()
    {
        string beside = Path.Combine(AppContext.BaseDirectory, "libSkiaSharp.so");
        if (File.Exists(beside) && NativeLibrary.TryLoad(beside, out var handle))
        {
            Source = "beside";
            return handle;
        }
        // The executable embeds it (Native/SkiaEmbedding.targets is imported by the project built with a RID).
        using var embedded = System.Reflection.Assembly.GetEntryAssembly()?.GetManifestResourceStream(ResourceName)
            ?? typeof(SkiaLibrary).Assembly.GetManifestResourceStream(ResourceName);
        if (embedded is null)
        {
            Source = "default";
            return IntPtr.Zero; // the runtime's own probing (and its DllNotFoundException)
        }
        // CLAWEDGE_SKIA_LOAD=file takes the path a kernel with vm.memfd_noexec=2 forces (tests, measurements).
        if (Environment.GetEnvironmentVariable("CLAWEDGE_SKIA_LOAD") != "file" && FromMemfd(embedded) is { } fromMemory)
            return fromMemory;
        foreach (var dir in TempDirectories())
            if (FromFile(embedded, dir) is { } fromFile)
                return fromFile;
        throw new DllNotFoundException("libSkiaSharp: the embedded library could not be loaded from a memfd nor from a file in $RUNTIME_DIRECTORY, $XDG_RUNTIME_DIR, /dev/shm or /tmp (all noexec?); put libSkiaSharp.so beside the executable");
    }

    private static IntPtr? FromMemfd(Stream embedded)
    {
        int fd = MemfdCreate("libSkiaSharp", MFD_CLOEXEC);
        if (fd < 0)
            return null;
        using var handle = new SafeFileHandle(fd, ownsHandle: true);
        try
        {
            Inflate(embedded, handle);
        }
        catch (IOException)
        {
            return null;
        }
        if (!NativeLibrary.TryLoad($"/proc/self/fd/{fd}", out var library))
            return null; // noexec memfd (vm.memfd_noexec=2) or no /proc: the mapping was refused
        Source = "memfd";
        return library; // the mapping keeps the memory alive after the descriptor closes
    }

    private static IntPtr? FromFile(Stream embedded, string directory)
    {
        string dir = Path.Combine(directory, $"clawedge-skia-{Environment.ProcessId}");
        string path = Path.Combine(dir, "libSkiaSharp.so");
        try
        {
            Directory.CreateDirectory(dir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            embedded.Position = 0;
            using (var file = new FileStream(path, new FileStreamOptions
            {
                Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None,
                UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute,
            }))
                Inflate(embedded, file.SafeFileHandle);
            return NativeLibrary.TryLoad(path, out var library) ? Loaded(library, $"file:{directory}") : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
        finally
        {
            // Loaded or not, the file is not needed any more: no leftovers in tmpfs.
            try { Directory.Delete(dir, recursive: true); } catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        }
    }

    private static IntPtr Loaded(IntPtr library, string source)
    {
        Source = source;
        return library;
    }

    private static IEnumerable<string> TempDirectories()
    {
        foreach (var name in (string[])["RUNTIME_DIRECTORY", "XDG_RUNTIME_DIR"])
            if (Environment.GetEnvironmentVariable(name) is { Length: > 0 } value)
                yield return value.Split(':')[0];
        yield return "/dev/shm";
        yield return Path.GetTempPath();
    }

    // RandomAccess, not a FileStream: disposing a FileStream would close the memfd before dlopen sees it.
    private static void Inflate(Stream embedded, SafeFileHandle target)
    {
        using var gzip = new GZipStream(embedded, CompressionMode.Decompress, leaveOpen: true);
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(1 << 16);
        try
        {
            long offset = 0;
            int n;
            while ((n = gzip.Read(buffer, 0, buffer.Length)) > 0)
            {
                RandomAccess.Write(target, buffer.AsSpan(0, n), offset);
                offset += n;
            }
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private const uint MFD_CLOEXEC = 1;

    /// <summary>memfd_create(2) (glibc ≥ 2.27): an anonymous file descriptor, or -1 and errno.</summary>
    [LibraryImport("libc", EntryPoint = "memfd_create", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int MemfdCreate(string name, uint flags);
}
