using System.Runtime.InteropServices;
using ClawEdge.Capture.Native;

using ClawEdge.Platform.Native;

namespace ClawEdge.Capture.Screen;

/// <summary>
/// Reads one output of a wlroots compositor (labwc, sway, cage) through <c>zwlr_screencopy_manager_v1</c>, speaking
/// the Wayland wire protocol itself over the compositor's Unix socket: no libwayland on the board. The compositor
/// copies each frame into one shared-memory buffer (a memfd we map once), so after the first frame a grab
/// allocates nothing: one <c>capture_output</c>, one <c>copy</c> into the same <c>wl_buffer</c>, one <c>destroy</c>.
/// Outputs are numbered in the order the registry announces them. Used from one thread.
/// </summary>
public sealed unsafe class WaylandScreenCapture : ScreenCapture
{
    private const uint DisplayId = 1;
    private const int ReplyTimeoutMs = 5000;

    // wl_shm formats: ARGB8888 and XRGB8888 have their own codes; others are DRM fourccs.
    private const uint ShmArgb8888 = 0, ShmXrgb8888 = 1, ShmAbgr8888 = 0x34324241, ShmXbgr8888 = 0x34324258;
    private const uint FlagYInvert = 1;

    private readonly SafeFileDescriptor _socket;
    private readonly byte[] _in = new byte[16384];
    private readonly byte[] _out = new byte[512];
    private int _inStart, _inEnd;
    private uint _nextId = 2;
    private uint _output, _manager, _shm, _pool, _buffer;
    private int _managerVersion;
    private int _width, _height, _stride;
    private uint _format;
    private byte* _pixels;
    private nuint _mappedBytes;
    private byte* _flipped;
    private bool _lost, _disposed;

    private WaylandScreenCapture(SafeFileDescriptor socket) => _socket = socket;

    public override int Width => _width;
    public override int Height => _height;
    public int Stride => _stride;
    public override PixelFormat PixelFormat => _format is ShmAbgr8888 or ShmXbgr8888 ? PixelFormat.Rgbx32 : PixelFormat.Bgrx32;
    public override string Method => "wlr-screencopy";

    /// <summary>
    /// The socket a display name means: an absolute path as is, else <c>$XDG_RUNTIME_DIR/name</c>; null or empty
    /// name: <c>$WAYLAND_DISPLAY</c>, then <c>wayland-0</c>, as libwayland does.
    /// </summary>
    public static string SocketPath(string? name)
    {
        if (string.IsNullOrEmpty(name))
            name = Environment.GetEnvironmentVariable("WAYLAND_DISPLAY");
        if (string.IsNullOrEmpty(name))
            name = "wayland-0";
        if (name.StartsWith('/'))
            return name;
        string? runtime = Environment.GetEnvironmentVariable("XDG_RUNTIME_DIR");
        if (string.IsNullOrEmpty(runtime))
            throw new ScreenException(ScreenError.Unavailable, $"cannot find Wayland display {name}: XDG_RUNTIME_DIR is not set");
        return Path.Combine(runtime, name);
    }

    /// <summary>Connects to <paramref name="displayName"/> (see <see cref="SocketPath"/>) and opens output <paramref name="index"/>.</summary>
    /// <exception cref="ScreenException">no compositor, no screencopy, no such output, or an unsupported pixel format.</exception>
    public static WaylandScreenCapture Open(string? displayName, int index)
    {
        string path = SocketPath(displayName);
        var capture = new WaylandScreenCapture(ConnectSocket(path));
        try
        {
            capture.Bind(path, index);
            capture.Allocate();
            return capture;
        }
        catch
        {
            capture.Dispose();
            throw;
        }
    }

    private static SafeFileDescriptor ConnectSocket(string path)
    {
        byte[] pathBytes = System.Text.Encoding.UTF8.GetBytes(path);
        if (pathBytes.Length >= SockAddrUn.PathLength)
            throw new ScreenException(ScreenError.Unavailable, $"Wayland socket path is too long: {path}");
        int fd = UnixSocket.Socket(UnixSocket.AF_UNIX, UnixSocket.SOCK_STREAM | UnixSocket.SOCK_CLOEXEC, 0);
        if (fd < 0)
            throw new ScreenException(ScreenError.Unavailable, $"socket: {Libc.Describe(Marshal.GetLastPInvokeError())}");
        var socket = new SafeFileDescriptor(fd);
        SockAddrUn address = default;
        address.Family = UnixSocket.AF_UNIX;
        pathBytes.CopyTo(new Span<byte>(address.Path, SockAddrUn.PathLength));
        if (UnixSocket.Connect(socket, &address, (uint)(sizeof(ushort) + pathBytes.Length + 1)) != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            socket.Dispose();
            throw new ScreenException(ScreenError.Unavailable, $"no Wayland compositor at {path}: {Libc.Describe(errno)}");
        }
        return socket;
    }

    private void Bind(string path, int index)
    {
        uint registry = _nextId++;
        var get = new WaylandMessage(_out, DisplayId, 1); // wl_display.get_registry
        get.Uint(registry);
        Send(get.Finish());
        uint sync = _nextId++;
        var roundtrip = new WaylandMessage(_out, DisplayId, 0); // wl_display.sync
        roundtrip.Uint(sync);
        Send(roundtrip.Finish());

        uint shmName = 0, managerName = 0, outputName = 0;
        int managerVersion = 0, outputs = 0;
        while (true)
        {
            ushort opcode = Next(out uint objectId, out var args);
            if (objectId == sync)
                break;
            if (objectId != registry || opcode != 0) // wl_registry.global
                continue;
            var reader = new WaylandArgs(args);
            uint name = reader.Uint();
            var iface = reader.String();
            int version = reader.Int();
            if (iface.SequenceEqual("wl_shm"u8))
                shmName = name;
            else if (iface.SequenceEqual("zwlr_screencopy_manager_v1"u8))
                (managerName, managerVersion) = (name, version);
            else if (iface.SequenceEqual("wl_output"u8) && outputs++ == index)
                outputName = name;
        }
        if (managerName == 0)
            throw new ScreenException(ScreenError.Unavailable, $"the Wayland compositor at {path} has no zwlr_screencopy_manager_v1 (not a wlroots compositor?)");
        if (shmName == 0)
            throw new ScreenException(ScreenError.Unavailable, $"the Wayland compositor at {path} has no wl_shm");
        if (outputName == 0)
            throw new ScreenException(ScreenError.NoSuchScreen, $"screen {index} does not exist ({outputs} output(s) on this compositor)");
        _shm = BindGlobal(registry, shmName, "wl_shm"u8, 1);
        _output = BindGlobal(registry, outputName, "wl_output"u8, 1);
        // Version 3 ends the buffer offers with buffer_done; 1 and 2 send one shm offer to copy into.
        _managerVersion = Math.Min(managerVersion, 3);
        _manager = BindGlobal(registry, managerName, "zwlr_screencopy_manager_v1"u8, (uint)_managerVersion);
    }

    private uint BindGlobal(uint registry, uint name, ReadOnlySpan<byte> iface, uint version)
    {
        uint id = _nextId++;
        var bind = new WaylandMessage(_out, registry, 0); // wl_registry.bind
        bind.Uint(name);
        bind.String(iface);
        bind.Uint(version);
        bind.Uint(id);
        Send(bind.Finish());
        return id;
    }

    /// <summary>Asks for one frame to learn the buffer the compositor wants, then makes that buffer once and fills it.</summary>
    private void Allocate()
    {
        uint frame = RequestFrame(out uint format, out int width, out int height, out int stride);
        if (format is not (ShmArgb8888 or ShmXrgb8888 or ShmAbgr8888 or ShmXbgr8888))
            throw new ScreenException(ScreenError.Unavailable, $"compositor offers shm format 0x{format:x8}; only 32-bit XRGB/ARGB/XBGR/ABGR are supported");
        if (width <= 0 || height <= 0 || stride < width * 4)
            throw new ScreenException(ScreenError.Unavailable, $"compositor offers an unusable {width}x{height} buffer with stride {stride}");
        (_format, _width, _height, _stride) = (format, width, height, stride);
        _mappedBytes = (nuint)((long)stride * height);

        int memfd = UnixSocket.MemfdCreate("clawedge-screencopy", UnixSocket.MFD_CLOEXEC);
        if (memfd < 0)
            throw new ScreenException(ScreenError.Unavailable, $"memfd_create: {Libc.Describe(Marshal.GetLastPInvokeError())}");
        using (var pool = new SafeFileDescriptor(memfd))
        {
            if (UnixSocket.Ftruncate(pool, (long)_mappedBytes) != 0)
                throw new ScreenException(ScreenError.Unavailable, $"ftruncate: {Libc.Describe(Marshal.GetLastPInvokeError())}");
            void* mapped = Libc.Mmap(null, _mappedBytes, Libc.PROT_READ | Libc.PROT_WRITE, Libc.MAP_SHARED, pool, 0);
            if (mapped == (void*)-1)
                throw new ScreenException(ScreenError.Unavailable, $"mmap: {Libc.Describe(Marshal.GetLastPInvokeError())}");
            _pixels = (byte*)mapped;
            _pool = _nextId++;
            var create = new WaylandMessage(_out, _shm, 0); // wl_shm.create_pool(new_id, fd, size)
            create.Uint(_pool);
            create.Int((int)_mappedBytes);
            Send(create.Finish(), pool.Fd);
        } // the compositor holds its own copy of the fd now
        _buffer = _nextId++;
        var buffer = new WaylandMessage(_out, _pool, 0); // wl_shm_pool.create_buffer
        buffer.Uint(_buffer);
        buffer.Int(0);
        buffer.Int(_width);
        buffer.Int(_height);
        buffer.Int(_stride);
        buffer.Uint(_format);
        Send(buffer.Finish());
        CopyFrame(frame);
    }

    /// <summary>
    /// Copies the output into the shared buffer and returns a view of it. Bottom-up frames (Y_INVERT, which
    /// GL renderers produce) are turned upright into a second buffer made on first need.
    /// </summary>
    public override Frame Grab(TimeSpan timestamp, long sequence)
    {
        if (_lost || _disposed)
            throw new ScreenException(ScreenError.Lost, "the Wayland compositor went away");
        uint frame = RequestFrame(out uint format, out int width, out int height, out int stride);
        if (format != _format || width != _width || height != _height || stride != _stride)
            throw new ScreenException(ScreenError.Lost, $"the output changed to {width}x{height} during the recording");
        uint flags = CopyFrame(frame);
        byte* data = _pixels;
        if ((flags & FlagYInvert) != 0)
        {
            if (_flipped == null)
                _flipped = (byte*)NativeMemory.Alloc(_mappedBytes);
            for (int row = 0; row < _height; row++)
                Buffer.MemoryCopy(_pixels + (long)row * _stride, _flipped + (long)(_height - 1 - row) * _stride, _stride, _stride);
            data = _flipped;
        }
        return new Frame(new ReadOnlySpan<byte>(data, _stride * _height), _width, _height, _stride, PixelFormat, timestamp, sequence);
    }

    /// <summary>Sends <c>capture_output</c> and waits for the compositor's shm buffer offer.</summary>
    private uint RequestFrame(out uint format, out int width, out int height, out int stride)
    {
        uint frame = _nextId++;
        var capture = new WaylandMessage(_out, _manager, 0); // zwlr_screencopy_manager_v1.capture_output
        capture.Uint(frame);
        capture.Int(0); // no cursor
        capture.Uint(_output);
        Send(capture.Finish());
        bool offered = false;
        (format, width, height, stride) = (0, 0, 0, 0);
        while (true)
        {
            ushort opcode = Next(out uint objectId, out var args);
            if (objectId != frame)
                continue;
            if (opcode == 0) // buffer(format, width, height, stride): the shm offer
            {
                var reader = new WaylandArgs(args);
                (format, width, height, stride) = (reader.Uint(), reader.Int(), reader.Int(), reader.Int());
                offered = true;
                if (_managerVersion < 3)
                    return frame;
            }
            else if (opcode == 6) // buffer_done
            {
                if (!offered)
                    throw new ScreenException(ScreenError.Unavailable, "the compositor offers no shared-memory buffer for screencopy");
                return frame;
            }
            else if (opcode == 3) // failed
            {
                DestroyFrame(frame);
                throw new ScreenException(ScreenError.Lost, "the compositor could not capture the output");
            }
        }
    }

    /// <summary>Sends <c>copy</c> into our buffer, waits for <c>ready</c>, destroys the frame; returns its flags.</summary>
    private uint CopyFrame(uint frame)
    {
        var copy = new WaylandMessage(_out, frame, 0); // zwlr_screencopy_frame_v1.copy
        copy.Uint(_buffer);
        Send(copy.Finish());
        uint flags = 0;
        while (true)
        {
            ushort opcode = Next(out uint objectId, out var args);
            if (objectId != frame)
                continue;
            if (opcode == 1) // flags
                flags = new WaylandArgs(args).Uint();
            else if (opcode == 2) // ready
                break;
            else if (opcode == 3) // failed
            {
                DestroyFrame(frame);
                throw new ScreenException(ScreenError.Lost, "the compositor failed to copy the output");
            }
        }
        DestroyFrame(frame);
        return flags;
    }

    private void DestroyFrame(uint frame)
    {
        var destroy = new WaylandMessage(_out, frame, 1); // zwlr_screencopy_frame_v1.destroy
        Send(destroy.Finish());
    }

    private void Send(ReadOnlySpan<byte> message, int fd = -1)
    {
        byte* control = stackalloc byte[UnixSocket.FdControlSpace];
        fixed (byte* bytes = message)
        {
            var iov = new IoVec { Base = bytes, Length = (nuint)message.Length };
            var header = new MsgHdr { Iov = &iov, IovLength = 1 };
            if (fd >= 0)
            {
                new Span<byte>(control, UnixSocket.FdControlSpace).Clear();
                var cmsg = (CmsgHdr*)control;
                cmsg->Length = UnixSocket.FdControlLength;
                cmsg->Level = UnixSocket.SOL_SOCKET;
                cmsg->Type = UnixSocket.SCM_RIGHTS;
                *(int*)(control + sizeof(CmsgHdr)) = fd;
                header.Control = control;
                header.ControlLength = UnixSocket.FdControlSpace;
            }
            nint sent;
            do
                sent = UnixSocket.SendMsg(_socket, &header, UnixSocket.MSG_NOSIGNAL);
            while (sent < 0 && Marshal.GetLastPInvokeError() == Libc.EINTR);
            if (sent != message.Length)
                Lose(sent < 0 ? $"cannot write to the Wayland compositor: {Libc.Describe(Marshal.GetLastPInvokeError())}" : "short write to the Wayland compositor");
        }
    }

    /// <summary>
    /// The next event, its arguments valid until the following call. Display errors end the capture;
    /// <c>delete_id</c> needs no action because ids are never reused within a capture.
    /// </summary>
    private ushort Next(out uint eventObject, out ReadOnlySpan<byte> eventArgs)
    {
        while (true)
        {
            while (_inEnd - _inStart < WaylandMessage.HeaderSize)
                Fill();
            var (objectId, opcode, size) = WaylandArgs.Header(_in.AsSpan(_inStart));
            if (size < WaylandMessage.HeaderSize || size > _in.Length)
                Lose($"malformed Wayland event (size {size})");
            while (_inEnd - _inStart < size)
                Fill();
            var args = new ReadOnlySpan<byte>(_in, _inStart + WaylandMessage.HeaderSize, size - WaylandMessage.HeaderSize);
            _inStart += size;
            if (objectId == DisplayId && opcode == 0) // wl_display.error(object, code, message)
            {
                var reader = new WaylandArgs(args);
                uint culprit = reader.Uint();
                uint code = reader.Uint();
                Lose($"Wayland protocol error {code} on object {culprit}: {System.Text.Encoding.UTF8.GetString(reader.String())}");
            }
            if (objectId == DisplayId)
                continue;
            eventObject = objectId;
            eventArgs = args;
            return opcode;
        }
    }

    private void Fill()
    {
        if (_inStart > 0)
        {
            Array.Copy(_in, _inStart, _in, 0, _inEnd - _inStart);
            _inEnd -= _inStart;
            _inStart = 0;
        }
        var poll = new Libc.PollFd { Fd = _socket.Fd, Events = Libc.POLLIN };
        int ready = Libc.Poll(&poll, 1, ReplyTimeoutMs);
        if (ready == 0)
            Lose($"the Wayland compositor did not answer within {ReplyTimeoutMs} ms");
        if (ready < 0)
        {
            if (Marshal.GetLastPInvokeError() == Libc.EINTR)
                return;
            Lose($"poll: {Libc.Describe(Marshal.GetLastPInvokeError())}");
        }
        nint read;
        fixed (byte* buffer = _in)
            read = UnixSocket.Recv(_socket, buffer + _inEnd, (nuint)(_in.Length - _inEnd), UnixSocket.MSG_DONTWAIT);
        if (read == 0)
            Lose("the Wayland compositor went away");
        if (read < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            if (errno is Libc.EINTR or Libc.EAGAIN)
                return;
            Lose($"cannot read from the Wayland compositor: {Libc.Describe(errno)}");
        }
        _inEnd += (int)read;
    }

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    private void Lose(string message)
    {
        _lost = true;
        throw new ScreenException(ScreenError.Lost, message);
    }

    protected override void Dispose(bool disposing)
    {
        if (_disposed)
            return;
        _disposed = true;
        if (!_lost && !_socket.IsClosed)
        {
            try
            {
                if (_buffer != 0)
                    Send(new WaylandMessage(_out, _buffer, 0).Finish()); // wl_buffer.destroy
                if (_pool != 0)
                    Send(new WaylandMessage(_out, _pool, 1).Finish()); // wl_shm_pool.destroy
                if (_manager != 0)
                    Send(new WaylandMessage(_out, _manager, 2).Finish()); // zwlr_screencopy_manager_v1.destroy
            }
            catch (ScreenException)
            {
                // Closing the socket frees everything on the compositor's side anyway.
            }
        }
        _socket.Dispose();
        if (_pixels != null)
            Libc.Munmap(_pixels, _mappedBytes);
        if (_flipped != null)
            NativeMemory.Free(_flipped);
        _pixels = _flipped = null;
    }
}
