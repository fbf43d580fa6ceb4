using System.Runtime.InteropServices;
using ClawEdge.Capture.Native;

namespace ClawEdge.Capture.Screen;

/// <summary>
/// Reads one screen of an X server: one area per Xinerama monitor when Xinerama is active, else one per X
/// screen. With MIT-SHM the server copies the pixels straight into a shared segment (about 1 ms per 1080p
/// frame); without it <c>XGetSubImage</c> sends them through the socket (~18 ms) into one image made once.
/// Either way one buffer serves every frame. Each capture owns its own connection, used from one thread.
/// If the server dies, libX11 would call <c>exit()</c>; the I/O exit handler keeps the process alive and
/// the next <see cref="Grab"/> throws <see cref="ScreenError.Lost"/>.
/// </summary>
public sealed unsafe class X11ScreenCapture : ScreenCapture
{
    private static readonly Lock HandlerGate = new();
    private static bool _handlersInstalled;
    private static volatile int _lastErrorCode;
    // Connections whose server went away; written from libX11's I/O error path.
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<nint, bool> LostDisplays = new();

    private nint _display;
    private readonly nuint _root;
    private readonly nint _image;
    private readonly byte* _shmInfo;
    private readonly int _x, _y;

    private X11ScreenCapture(nint display, nuint root, nint image, byte* shmInfo, int x, int y, int width, int height)
    {
        _display = display;
        _root = root;
        _image = image;
        _shmInfo = shmInfo;
        _x = x;
        _y = y;
        Width = width;
        Height = height;
        Stride = *(int*)((byte*)image + Xlib.ImageBytesPerLineOffset);
    }

    public override int Width { get; }
    public override int Height { get; }
    public int Stride { get; }
    public override PixelFormat PixelFormat => PixelFormat.Bgrx32;
    public override string Method => UsesShm ? "x11-shm" : "x11";

    /// <summary>True when pixels come through MIT-SHM.</summary>
    public bool UsesShm => _shmInfo != null;

    /// <summary>Index and geometry of every screen on <paramref name="displayName"/> (null: $DISPLAY).</summary>
    public static IReadOnlyList<(int X, int Y, int Width, int Height, int XScreen)> ListScreens(string? displayName)
    {
        nint display = Connect(displayName);
        try
        {
            return Areas(display);
        }
        finally
        {
            Xlib.XCloseDisplay(display);
        }
    }

    /// <summary>Opens screen <paramref name="index"/> for capture.</summary>
    /// <exception cref="ScreenException">no server, no such screen, or an unsupported pixel layout.</exception>
    public static X11ScreenCapture Open(string? displayName, int index)
    {
        nint display = Connect(displayName);
        try
        {
            var areas = Areas(display);
            if (index < 0 || index >= areas.Count)
                throw new ScreenException(ScreenError.NoSuchScreen, $"screen {index} does not exist ({areas.Count} screen(s) on this display)");
            var (x, y, width, height, screen) = areas[index];
            int depth = Xlib.XDefaultDepth(display, screen);
            if (depth is not (24 or 32))
                throw new ScreenException(ScreenError.Unavailable, $"X screen depth {depth} is not supported (24 or 32 bits only)");
            nint visual = Xlib.XDefaultVisual(display, screen);
            nuint root = Xlib.XRootWindow(display, screen);
            var capture = TryShm(display, visual, depth, root, x, y, width, height)
                ?? Plain(display, visual, depth, root, x, y, width, height);
            int bpp = *(int*)((byte*)capture._image + Xlib.ImageBitsPerPixelOffset);
            ulong redMask = *(ulong*)((byte*)capture._image + Xlib.ImageRedMaskOffset);
            if (bpp != 32 || redMask != 0xFF0000)
            {
                capture.Dispose();
                throw new ScreenException(ScreenError.Unavailable, $"X image layout {bpp} bpp, red mask {redMask:x} is not BGRX");
            }
            return capture;
        }
        catch
        {
            if (!LostDisplays.ContainsKey(display))
                Xlib.XCloseDisplay(display);
            throw;
        }
    }

    private static nint Connect(string? displayName)
    {
        if (!Xlib.TryLoad(out string? error))
            throw new ScreenException(ScreenError.Unavailable, error!);
        InstallHandlers();
        nint display = Xlib.XOpenDisplay(displayName);
        if (display == 0)
            throw new ScreenException(ScreenError.Unavailable, $"cannot open X display {displayName ?? Environment.GetEnvironmentVariable("DISPLAY") ?? "(DISPLAY not set)"}");
        if (Xlib.HasExitHandler)
            Xlib.XSetIOErrorExitHandler(display, &OnConnectionLost, null);
        return display;
    }

    private static List<(int X, int Y, int Width, int Height, int XScreen)> Areas(nint display)
    {
        var areas = new List<(int, int, int, int, int)>();
        if (Xlib.HasXinerama && Xlib.XineramaIsActive(display) != 0)
        {
            short* info = Xlib.XineramaQueryScreens(display, out int count);
            if (info != null)
            {
                // XineramaScreenInfo: int screen_number; short x_org, y_org, width, height.
                for (int i = 0; i < count; i++)
                {
                    short* entry = (short*)((byte*)info + 12 * i + 4);
                    areas.Add((entry[0], entry[1], entry[2], entry[3], 0));
                }
                Xlib.XFree(info);
                if (areas.Count > 0)
                    return areas;
            }
        }
        int screens = Xlib.XScreenCount(display);
        for (int s = 0; s < screens; s++)
            areas.Add((0, 0, Xlib.XDisplayWidth(display, s), Xlib.XDisplayHeight(display, s), s));
        return areas;
    }

    private static X11ScreenCapture? TryShm(nint display, nint visual, int depth, nuint root, int x, int y, int width, int height)
    {
        if (!Xlib.HasShmLibrary || Xlib.XShmQueryExtension(display) == 0)
            return null;
        byte* info = (byte*)NativeMemory.AllocZeroed(Xlib.ShmInfoSize);
        nint image = Xlib.XShmCreateImage(display, visual, (uint)depth, Xlib.ZPixmap, null, info, (uint)width, (uint)height);
        if (image == 0)
        {
            NativeMemory.Free(info);
            return null;
        }
        int stride = *(int*)((byte*)image + Xlib.ImageBytesPerLineOffset);
        int id = SysVShm.Get(SysVShm.IpcPrivate, (nuint)((long)stride * height), SysVShm.IpcCreat | 0x180 /* 0600 */);
        void* address = id < 0 ? (void*)-1 : SysVShm.Attach(id, null, 0);
        if (address == (void*)-1)
        {
            if (id >= 0)
                SysVShm.Control(id, SysVShm.IpcRmid, null);
            *(void**)((byte*)image + Xlib.ImageDataOffset) = null;
            Xlib.DestroyImage(image);
            NativeMemory.Free(info);
            return null;
        }
        *(int*)(info + Xlib.ShmInfoIdOffset) = id;
        *(void**)(info + Xlib.ShmInfoAddressOffset) = address;
        *(void**)((byte*)image + Xlib.ImageDataOffset) = address;
        _lastErrorCode = 0;
        Xlib.XShmAttach(display, info);
        Xlib.XSync(display, 0);
        // Marked for removal now: the kernel frees it when both we and the server have detached, even if we crash.
        SysVShm.Control(id, SysVShm.IpcRmid, null);
        if (_lastErrorCode != 0)
        {
            // A server on another host (or in another IPC namespace) cannot attach: fall back to the socket.
            SysVShm.Detach(address);
            *(void**)((byte*)image + Xlib.ImageDataOffset) = null;
            Xlib.DestroyImage(image);
            NativeMemory.Free(info);
            return null;
        }
        return new X11ScreenCapture(display, root, image, info, x, y, width, height);
    }

    private static X11ScreenCapture Plain(nint display, nint visual, int depth, nuint root, int x, int y, int width, int height)
    {
        int stride = width * 4;
        void* data = NativeMemory.AllocZeroed((nuint)((long)stride * height)); // malloc: freed by the image's destroy
        nint image = Xlib.XCreateImage(display, visual, (uint)depth, Xlib.ZPixmap, 0, data, (uint)width, (uint)height, 32, stride);
        if (image == 0)
        {
            NativeMemory.Free(data);
            throw new ScreenException(ScreenError.Unavailable, "XCreateImage failed");
        }
        return new X11ScreenCapture(display, root, image, null, x, y, width, height);
    }

    /// <summary>
    /// Copies the screen into the capture buffer and returns a view of it (BGRX, valid until the next call).
    /// </summary>
    /// <exception cref="ScreenException"><see cref="ScreenError.Lost"/> when the server is gone.</exception>
    public override Frame Grab(TimeSpan timestamp, long sequence)
    {
        if (_display == 0 || LostDisplays.ContainsKey(_display))
            throw new ScreenException(ScreenError.Lost, "the X server went away");
        bool ok = _shmInfo != null
            ? Xlib.XShmGetImage(_display, _root, _image, _x, _y, Xlib.AllPlanes) != 0
            : Xlib.XGetSubImage(_display, _root, _x, _y, (uint)Width, (uint)Height, Xlib.AllPlanes, Xlib.ZPixmap, _image, 0, 0) != 0;
        if (LostDisplays.ContainsKey(_display))
            throw new ScreenException(ScreenError.Lost, "the X server went away");
        if (!ok)
            throw new ScreenException(ScreenError.Lost, "the X server refused to copy the screen");
        byte* data = *(byte**)((byte*)_image + Xlib.ImageDataOffset);
        return new Frame(new ReadOnlySpan<byte>(data, Stride * Height), Width, Height, Stride, PixelFormat.Bgrx32, timestamp, sequence);
    }

    private static void InstallHandlers()
    {
        lock (HandlerGate)
        {
            if (_handlersInstalled)
                return;
            _handlersInstalled = true;
            // The default handlers print and exit the process on any protocol or connection error.
            Xlib.XSetErrorHandler(&OnProtocolError);
            Xlib.XSetIOErrorHandler(&OnIoError);
        }
    }

    [UnmanagedCallersOnly]
    private static int OnProtocolError(nint display, nint errorEvent)
    {
        _lastErrorCode = *((byte*)errorEvent + Xlib.ErrorEventCodeOffset);
        return 0;
    }

    [UnmanagedCallersOnly]
    private static int OnIoError(nint display)
    {
        LostDisplays[display] = true;
        return 0;
    }

    [UnmanagedCallersOnly]
    private static void OnConnectionLost(nint display, void* userData) => LostDisplays[display] = true;

    protected override void Dispose(bool disposing)
    {
        if (_display == 0)
            return;
        bool lost = LostDisplays.ContainsKey(_display);
        if (_shmInfo != null)
        {
            if (!lost)
                Xlib.XShmDetach(_display, _shmInfo);
            SysVShm.Detach(*(void**)(_shmInfo + Xlib.ShmInfoAddressOffset));
            *(void**)((byte*)_image + Xlib.ImageDataOffset) = null;
        }
        Xlib.DestroyImage(_image);
        if (_shmInfo != null)
            NativeMemory.Free(_shmInfo);
        if (lost)
            LostDisplays.TryRemove(_display, out _); // a dead connection is not closed: libX11 would write to it
        else
            Xlib.XCloseDisplay(_display);
        _display = 0;
    }
}
