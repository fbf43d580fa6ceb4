using System.Runtime.InteropServices;

namespace ClawEdge.Capture.Native;

/// <summary>
/// libjpeg-turbo's TurboJPEG API (Debian/Raspberry Pi OS package <c>libturbojpeg0</c>) loaded at run time: the
/// node must start on a board without it, and Skia then encodes. Only TurboJPEG 2.x entry points are used
/// (bookworm ships 2.1.5); 3.x keeps them. Every function returns 0 on success and -1 on failure with the
/// reason in <see cref="GetErrorStr2"/>, except the initialisers (null on failure) and <see cref="BufSize"/>.
/// </summary>
internal static unsafe class TurboJpeg
{
    /// <summary>Overrides the library name or path; a name that does not load turns TurboJPEG off (tests, a misbehaving build).</summary>
    public const string LibraryVariable = "CLAWEDGE_TURBOJPEG_LIBRARY";
    public const string DefaultLibrary = "libturbojpeg.so.0";

    public const int Samp444 = 0;
    public const int Samp422 = 1;
    public const int Samp420 = 2;
    public const int SampGray = 3;
    public const int PixelRgbx = 2;
    public const int FlagNoRealloc = 1024;

    private static readonly OptionalLibrary Library = new(Load);

    public static delegate* unmanaged<nint> InitCompress;
    public static delegate* unmanaged<nint> InitDecompress;
    public static delegate* unmanaged<nint, int> Destroy;
    /// <summary>(width, height, subsampling) → worst-case JPEG size, or (unsigned long)-1 for bad arguments.</summary>
    public static delegate* unmanaged<int, int, int, nuint> BufSize;
    public static delegate* unmanaged<nuint, byte*> Alloc;
    public static delegate* unmanaged<byte*, void> Free;
    /// <summary>(handle, planes[3], width, strides[3], height, subsampling, &amp;jpeg, &amp;size, quality, flags).</summary>
    public static delegate* unmanaged<nint, byte**, int, int*, int, int, byte**, nuint*, int, int, int> CompressFromYuvPlanes;
    /// <summary>(handle, jpeg, size, &amp;width, &amp;height, &amp;subsampling, &amp;colorspace).</summary>
    public static delegate* unmanaged<nint, byte*, nuint, int*, int*, int*, int*, int> DecompressHeader3;
    /// <summary>(handle, jpeg, size, planes[3], width, strides[3], height, flags): width/height 0 keep the JPEG's size.</summary>
    public static delegate* unmanaged<nint, byte*, nuint, byte**, int, int*, int, int, int> DecompressToYuvPlanes;
    /// <summary>(handle, jpeg, size, pixels, width, pitch, height, pixel format, flags).</summary>
    public static delegate* unmanaged<nint, byte*, nuint, byte*, int, int, int, int, int, int> Decompress2;
    /// <summary>The last error of this handle (or of the last failed initialiser with null): a static string, never freed.</summary>
    public static delegate* unmanaged<nint, byte*> GetErrorStr2;

    /// <summary>Loads the library once; false (with the reason) when it is absent or lacks the 2.x API.</summary>
    public static bool TryLoad(out string? error) => Library.TryLoad(out error);

    private static string? Load()
    {
        string name = Environment.GetEnvironmentVariable(LibraryVariable) is { Length: > 0 } configured ? configured : DefaultLibrary;
        if (!NativeLibrary.TryLoad(name, out nint lib))
            return $"{name} not loadable (package libturbojpeg0)";
        // tjGetErrorStr2 arrived with 2.0: older builds lack the error reporting we rely on.
        if (!NativeLibrary.TryGetExport(lib, "tjGetErrorStr2", out nint errorStr))
            return $"{name} is older than TurboJPEG 2.0";
        GetErrorStr2 = (delegate* unmanaged<nint, byte*>)errorStr;
        InitCompress = (delegate* unmanaged<nint>)NativeLibrary.GetExport(lib, "tjInitCompress");
        InitDecompress = (delegate* unmanaged<nint>)NativeLibrary.GetExport(lib, "tjInitDecompress");
        Destroy = (delegate* unmanaged<nint, int>)NativeLibrary.GetExport(lib, "tjDestroy");
        BufSize = (delegate* unmanaged<int, int, int, nuint>)NativeLibrary.GetExport(lib, "tjBufSize");
        Alloc = (delegate* unmanaged<nuint, byte*>)NativeLibrary.GetExport(lib, "tjAlloc");
        Free = (delegate* unmanaged<byte*, void>)NativeLibrary.GetExport(lib, "tjFree");
        CompressFromYuvPlanes = (delegate* unmanaged<nint, byte**, int, int*, int, int, byte**, nuint*, int, int, int>)NativeLibrary.GetExport(lib, "tjCompressFromYUVPlanes");
        DecompressHeader3 = (delegate* unmanaged<nint, byte*, nuint, int*, int*, int*, int*, int>)NativeLibrary.GetExport(lib, "tjDecompressHeader3");
        DecompressToYuvPlanes = (delegate* unmanaged<nint, byte*, nuint, byte**, int, int*, int, int, int>)NativeLibrary.GetExport(lib, "tjDecompressToYUVPlanes");
        Decompress2 = (delegate* unmanaged<nint, byte*, nuint, byte*, int, int, int, int, int, int>)NativeLibrary.GetExport(lib, "tjDecompress2");
        return null;
    }

    /// <summary>The handle's last error as text.</summary>
    public static string Error(TurboJpegHandle handle) =>
        Marshal.PtrToStringUTF8((nint)GetErrorStr2(handle.DangerousGetHandle())) ?? "unknown TurboJPEG error";
}

/// <summary>A TurboJPEG compressor or decompressor instance; tjDestroy frees it.</summary>
internal sealed unsafe class TurboJpegHandle : SafeHandle
{
    public TurboJpegHandle(nint handle) : base(0, ownsHandle: true) => SetHandle(handle);

    public override bool IsInvalid => handle == 0;

    protected override bool ReleaseHandle() => TurboJpeg.Destroy(handle) == 0;
}

/// <summary>A buffer from tjAlloc, so TurboJPEG may write a whole JPEG into it; tjFree frees it.</summary>
internal sealed unsafe class TurboJpegBuffer : SafeHandle
{
    private TurboJpegBuffer() : base(0, ownsHandle: true)
    {
    }

    public override bool IsInvalid => handle == 0;

    public nuint Size { get; private set; }

    public byte* Pointer => (byte*)handle;

    public static TurboJpegBuffer Allocate(nuint size)
    {
        var buffer = new TurboJpegBuffer();
        buffer.SetHandle((nint)TurboJpeg.Alloc(size));
        if (buffer.IsInvalid)
            throw new OutOfMemoryException($"tjAlloc({size}) failed");
        buffer.Size = size;
        return buffer;
    }

    protected override bool ReleaseHandle()
    {
        TurboJpeg.Free((byte*)handle);
        return true;
    }
}
