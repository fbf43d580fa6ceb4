using System.Runtime.InteropServices;

namespace ClawEdge.Capture.Native;

/// <summary>
/// The few libX11 / MIT-SHM / Xinerama entry points screen capture needs. The libraries are loaded on first
/// call; <see cref="TryLoad"/> probes them first so a machine without X gets "unavailable", not a crash.
/// Only <c>XImage</c> and <c>XShmSegmentInfo</c> fields at the offsets below are touched (x86-64 and aarch64
/// alike; checked against Xlib.h with gcc in the tests).
/// </summary>
internal static unsafe partial class Xlib
{
    private const string X11 = "libX11.so.6";
    private const string Xext = "libXext.so.6";
    private const string Xinerama = "libXinerama.so.1";

    public const int ZPixmap = 2;
    public static readonly nuint AllPlanes = nuint.MaxValue;
    public const int ImageDataOffset = 16;
    public const int ImageBytesPerLineOffset = 44;
    public const int ImageBitsPerPixelOffset = 48;
    public const int ImageRedMaskOffset = 56;
    public const int ImageDestroyOffset = 96;
    public const int ShmInfoSize = 32;
    public const int ShmInfoIdOffset = 8;
    public const int ShmInfoAddressOffset = 16;
    public const int ErrorEventCodeOffset = 32;

    private static readonly Lock Gate = new();
    private static bool _tried;
    private static string? _error;

    public static bool HasXinerama { get; private set; }
    public static bool HasExitHandler { get; private set; }

    public static bool TryLoad(out string? error)
    {
        lock (Gate)
        {
            if (!_tried)
            {
                _tried = true;
                if (!NativeLibrary.TryLoad(X11, out nint x11))
                    _error = "libX11 not installed";
                else
                {
                    HasExitHandler = NativeLibrary.TryGetExport(x11, "XSetIOErrorExitHandler", out _);
                    HasXinerama = NativeLibrary.TryLoad(Xinerama, out _);
                    HasShmLibrary = NativeLibrary.TryLoad(Xext, out _);
                }
            }
            error = _error;
            return _error is null;
        }
    }

    public static bool HasShmLibrary { get; private set; }

    /// <summary>Connection to the server named <paramref name="name"/> (null: $DISPLAY), or 0.</summary>
    [LibraryImport(X11, StringMarshalling = StringMarshalling.Utf8)]
    public static partial nint XOpenDisplay(string? name);

    [LibraryImport(X11)]
    public static partial int XCloseDisplay(nint display);

    [LibraryImport(X11)]
    public static partial int XScreenCount(nint display);

    [LibraryImport(X11)]
    public static partial nuint XRootWindow(nint display, int screen);

    [LibraryImport(X11)]
    public static partial int XDisplayWidth(nint display, int screen);

    [LibraryImport(X11)]
    public static partial int XDisplayHeight(nint display, int screen);

    [LibraryImport(X11)]
    public static partial nint XDefaultVisual(nint display, int screen);

    [LibraryImport(X11)]
    public static partial int XDefaultDepth(nint display, int screen);

    [LibraryImport(X11)]
    public static partial int XSync(nint display, int discard);

    [LibraryImport(X11)]
    public static partial int XFree(void* data);

    /// <summary>Installs the process-wide protocol error handler; returns the previous one.</summary>
    [LibraryImport(X11)]
    public static partial nint XSetErrorHandler(delegate* unmanaged<nint, nint, int> handler);

    [LibraryImport(X11)]
    public static partial nint XSetIOErrorHandler(delegate* unmanaged<nint, int> handler);

    /// <summary>libX11 ≥ 1.7: called after a fatal I/O error instead of <c>exit()</c>; if it returns, the display is dead but the process lives.</summary>
    [LibraryImport(X11)]
    public static partial void XSetIOErrorExitHandler(nint display, delegate* unmanaged<nint, void*, void> handler, void* userData);

    /// <summary>Creates a client-side image over <paramref name="data"/> (malloc'd: the image's destroy frees it).</summary>
    [LibraryImport(X11)]
    public static partial nint XCreateImage(nint display, nint visual, uint depth, int format, int offset, void* data,
        uint width, uint height, int bitmapPad, int bytesPerLine);

    /// <summary>Copies a rectangle of a drawable into an existing image (round trip through the socket).</summary>
    [LibraryImport(X11)]
    public static partial nint XGetSubImage(nint display, nuint drawable, int x, int y, uint width, uint height,
        nuint planeMask, int format, nint destination, int destX, int destY);

    [LibraryImport(Xext)]
    public static partial int XShmQueryExtension(nint display);

    [LibraryImport(Xext)]
    public static partial nint XShmCreateImage(nint display, nint visual, uint depth, int format, void* data, void* shmInfo,
        uint width, uint height);

    [LibraryImport(Xext)]
    public static partial int XShmAttach(nint display, void* shmInfo);

    [LibraryImport(Xext)]
    public static partial int XShmDetach(nint display, void* shmInfo);

    /// <summary>The server writes the rectangle straight into our shared segment: true on success.</summary>
    [LibraryImport(Xext)]
    public static partial int XShmGetImage(nint display, nuint drawable, nint image, int x, int y, nuint planeMask);

    [LibraryImport(Xinerama)]
    public static partial int XineramaIsActive(nint display);

    /// <summary>Array of {int screen; short x, y, width, height} (12 bytes each), freed with XFree.</summary>
    [LibraryImport(Xinerama)]
    public static partial short* XineramaQueryScreens(nint display, out int count);

    /// <summary>Calls the image's own destroy function (Xlib's XDestroyImage is a macro).</summary>
    public static void DestroyImage(nint image)
    {
        var destroy = *(delegate* unmanaged<nint, int>*)((byte*)image + ImageDestroyOffset);
        destroy(image);
    }
}

/// <summary>System V shared memory, for MIT-SHM.</summary>
internal static unsafe partial class SysVShm
{
    public const int IpcPrivate = 0;
    public const int IpcCreat = 0x200;
    public const int IpcRmid = 0;

    /// <summary>Creates a segment; returns its id or -1 (errno).</summary>
    [LibraryImport("libc", EntryPoint = "shmget", SetLastError = true)]
    public static partial int Get(int key, nuint size, int flags);

    /// <summary>Maps a segment; returns its address or (void*)-1 (errno).</summary>
    [LibraryImport("libc", EntryPoint = "shmat", SetLastError = true)]
    public static partial void* Attach(int id, void* address, int flags);

    [LibraryImport("libc", EntryPoint = "shmdt", SetLastError = true)]
    public static partial int Detach(void* address);

    /// <summary>With <see cref="IpcRmid"/>: the segment goes away once the last process detaches.</summary>
    [LibraryImport("libc", EntryPoint = "shmctl", SetLastError = true)]
    public static partial int Control(int id, int command, void* buffer);
}
