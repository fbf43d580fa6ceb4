using System.Diagnostics;
using System.Runtime.InteropServices;
using ClawEdge.Capture.Native;

using ClawEdge.Platform.Native;

namespace ClawEdge.Capture.V4l2;

/// <summary>
/// An mmap streaming session: a ring of driver buffers mapped once; <see cref="ReadFrame"/> dequeues one and
/// hands out a span over it (no copy, no allocation), disposing the lease queues it back.
/// </summary>
public sealed unsafe class V4l2Session : CaptureSession
{
    private readonly SafeFileDescriptor _fd;
    private readonly string _path;
    private readonly uint _type;
    private readonly bool _multiPlanar;
    private readonly byte*[] _maps;
    private readonly nuint[] _lengths;
    private int _outstanding = -1;
    private bool _streaming;
    private bool _disposed;

    private V4l2Session(SafeFileDescriptor fd, string path, uint type, int bufferCount)
    {
        _fd = fd;
        _path = path;
        _type = type;
        _multiPlanar = type == Native.V4l2Abi.BUF_TYPE_VIDEO_CAPTURE_MPLANE;
        _maps = new byte*[bufferCount];
        _lengths = new nuint[bufferCount];
    }

    public override CameraMode Mode => new(Width, Height, Format, FramesPerSecond);
    public int Width { get; private set; }
    public int Height { get; private set; }
    public PixelFormat Format { get; private set; }
    public int BytesPerLine { get; private set; }
    public int SizeImage { get; private set; }
    public double FramesPerSecond { get; private set; }

    /// <summary>True when the driver accepted <c>VIDIOC_S_PARM</c> (it advertises <c>V4L2_CAP_TIMEPERFRAME</c>).</summary>
    public bool RateSet { get; private set; }
    public int BufferCount => _maps.Length;
    public string DriverName { get; private set; } = "";

    internal static V4l2Session Start(string path, PixelFormat format, int width, int height, double fps, int bufferCount)
    {
        var fd = V4l2Io.OpenDevice(path);
        V4l2Session? session = null;
        try
        {
            var caps = V4l2Io.QueryCapabilities(fd, path);
            if (!caps.IsStreamingCapture)
                throw new CaptureException(CaptureError.Unsupported, $"{path} is not a streaming capture device");
            uint type = caps.MultiPlanar ? Native.V4l2Abi.BUF_TYPE_VIDEO_CAPTURE_MPLANE : Native.V4l2Abi.BUF_TYPE_VIDEO_CAPTURE;
            session = new V4l2Session(fd, path, type, Math.Clamp(bufferCount, 2, 8)) { DriverName = caps.Driver };
            session.SetFormat(format, width, height);
            session.SetRate(fps);
            session.MapBuffers();
            session.StreamOn();
            return session;
        }
        catch
        {
            if (session is not null)
                session.Dispose();
            else
                fd.Dispose();
            throw;
        }
    }

    private void SetFormat(PixelFormat format, int width, int height)
    {
        V4l2Format f = default;
        f.Type = _type;
        if (_multiPlanar)
        {
            f.PixMp.Width = (uint)width;
            f.PixMp.Height = (uint)height;
            f.PixMp.PixelFormat = (uint)format;
            f.PixMp.Field = Native.V4l2Abi.FIELD_NONE;
            f.PixMp.NumPlanes = 1;
        }
        else
        {
            f.Pix.Width = (uint)width;
            f.Pix.Height = (uint)height;
            f.Pix.PixelFormat = (uint)format;
            f.Pix.Field = Native.V4l2Abi.FIELD_NONE;
        }
        V4l2Io.Check(_fd, Native.V4l2Abi.VIDIOC_S_FMT, &f, _path, "VIDIOC_S_FMT");
        if (_multiPlanar)
        {
            if (f.PixMp.NumPlanes != 1)
                throw new CaptureException(CaptureError.Unsupported, $"{_path}: {((PixelFormat)f.PixMp.PixelFormat).FourCc()} uses {f.PixMp.NumPlanes} memory planes; only single-plane layouts are supported");
            Width = (int)f.PixMp.Width;
            Height = (int)f.PixMp.Height;
            Format = (PixelFormat)f.PixMp.PixelFormat;
            BytesPerLine = (int)f.PixMp.Plane0.BytesPerLine;
            SizeImage = (int)f.PixMp.Plane0.SizeImage;
        }
        else
        {
            Width = (int)f.Pix.Width;
            Height = (int)f.Pix.Height;
            Format = (PixelFormat)f.Pix.PixelFormat;
            BytesPerLine = (int)f.Pix.BytesPerLine;
            SizeImage = (int)f.Pix.SizeImage;
        }
        if (Format != format)
            throw new CaptureException(CaptureError.Unsupported, $"{_path} refused {format.FourCc()} (gave {Format.FourCc()})");
    }

    private void SetRate(double fps)
    {
        V4l2StreamParm parm = default;
        parm.Type = _type;
        if (V4l2Io.Ioctl(_fd, Native.V4l2Abi.VIDIOC_G_PARM, &parm) != 0)
            return; // drivers without G_PARM run at their one rate
        if (fps > 0 && (parm.Capture.Capability & Native.V4l2Abi.CAP_TIMEPERFRAME) != 0)
        {
            // Express the rate as a fraction exact for NTSC-style rates (29.97 = 1000/30000).
            parm.Capture.TimePerFrame.Numerator = 1000;
            parm.Capture.TimePerFrame.Denominator = (uint)Math.Round(fps * 1000);
            int errno = V4l2Io.Ioctl(_fd, Native.V4l2Abi.VIDIOC_S_PARM, &parm);
            if (errno == Libc.EBUSY || errno == Libc.ENODEV)
                throw V4l2Io.Error(errno, _path, "VIDIOC_S_PARM");
            RateSet = errno == 0;
        }
        var tpf = parm.Capture.TimePerFrame;
        FramesPerSecond = tpf.Numerator > 0 ? Math.Round((double)tpf.Denominator / tpf.Numerator, 3) : fps;
    }

    private void MapBuffers()
    {
        V4l2RequestBuffers req = default;
        req.Count = (uint)_maps.Length;
        req.Type = _type;
        req.Memory = Native.V4l2Abi.MEMORY_MMAP;
        V4l2Io.Check(_fd, Native.V4l2Abi.VIDIOC_REQBUFS, &req, _path, "VIDIOC_REQBUFS");
        if (req.Count < 2)
            throw new CaptureException(CaptureError.Failed, $"{_path} granted {req.Count} buffer(s); streaming needs 2");
        int count = (int)Math.Min(req.Count, (uint)_maps.Length);
        for (int i = 0; i < count; i++)
        {
            V4l2Buffer buf = default;
            V4l2Plane plane = default;
            Prepare(ref buf, &plane, (uint)i);
            V4l2Io.Check(_fd, Native.V4l2Abi.VIDIOC_QUERYBUF, &buf, _path, "VIDIOC_QUERYBUF");
            nuint length = _multiPlanar ? plane.Length : buf.Length;
            long offset = _multiPlanar ? plane.MMemOffset : buf.MOffset;
            void* map = Libc.Mmap(null, length, Libc.PROT_READ | Libc.PROT_WRITE, Libc.MAP_SHARED, _fd, offset);
            if (map == (void*)-1)
                throw V4l2Io.Error(Marshal.GetLastPInvokeError(), _path, "mmap");
            _maps[i] = (byte*)map;
            _lengths[i] = length;
        }
        for (int i = 0; i < count; i++)
            Queue(i);
    }

    private void Prepare(ref V4l2Buffer buf, V4l2Plane* plane, uint index) =>
        V4l2Io.PrepareMmapBuffer(ref buf, plane, _type, index, _multiPlanar);

    private void Queue(int index)
    {
        V4l2Buffer buf = default;
        V4l2Plane plane = default;
        Prepare(ref buf, &plane, (uint)index);
        V4l2Io.Check(_fd, Native.V4l2Abi.VIDIOC_QBUF, &buf, _path, "VIDIOC_QBUF");
    }

    private void StreamOn()
    {
        int type = (int)_type;
        V4l2Io.Check(_fd, Native.V4l2Abi.VIDIOC_STREAMON, &type, _path, "VIDIOC_STREAMON");
        _streaming = true;
    }

    public override FrameLease ReadFrame(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_outstanding >= 0)
            throw new InvalidOperationException("dispose the previous frame lease before reading the next frame");
        long deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            V4l2Buffer buf = default;
            V4l2Plane plane = default;
            Prepare(ref buf, &plane, 0);
            int errno = V4l2Io.Ioctl(_fd, Native.V4l2Abi.VIDIOC_DQBUF, &buf);
            if (errno == 0)
            {
                if ((buf.Flags & Native.V4l2Abi.BUF_FLAG_ERROR) != 0)
                {
                    Queue((int)buf.Index); // a corrupt frame (USB hiccup): drop it, wait for the next
                    continue;
                }
                int used = (int)(_multiPlanar ? plane.BytesUsed - plane.DataOffset : buf.BytesUsed);
                int start = _multiPlanar ? (int)plane.DataOffset : 0;
                if (used <= 0)
                    used = SizeImage; // some drivers leave bytesused 0 for raw formats
                used = (int)Math.Min((nuint)used, _lengths[buf.Index] - (nuint)start);
                _outstanding = (int)buf.Index;
                var data = new ReadOnlySpan<byte>(_maps[buf.Index] + start, used);
                var timestamp = TimeSpan.FromMicroseconds(buf.Timestamp.Seconds * 1_000_000 + buf.Timestamp.Microseconds);
                var frame = new Frame(data, Width, Height, Format.IsCompressed() ? 0 : BytesPerLine, Format, timestamp, buf.Sequence);
                return new FrameLease(frame, this, (int)buf.Index);
            }
            if (errno != Libc.EAGAIN)
                throw V4l2Io.Error(errno, _path, "VIDIOC_DQBUF");

            long remaining = (deadline - Stopwatch.GetTimestamp()) * 1000 / Stopwatch.Frequency;
            if (remaining <= 0)
                throw new CaptureException(CaptureError.Timeout, $"{_path} delivered no frame within {timeout.TotalMilliseconds:0} ms (stalled device?)");
            // Short slices so cancellation is seen promptly without an extra wake-up pipe.
            Libc.PollFd pfd = new() { Fd = _fd.Fd, Events = Libc.POLLIN };
            int ready = Libc.Poll(&pfd, 1, (int)Math.Min(remaining, 100));
            if (ready < 0 && Marshal.GetLastPInvokeError() is int perr && perr != Libc.EINTR)
                throw V4l2Io.Error(perr, _path, "poll");
            if (ready > 0 && (pfd.Revents & (Libc.POLLHUP | Libc.POLLNVAL)) != 0 && (pfd.Revents & Libc.POLLIN) == 0)
                throw new CaptureException(CaptureError.Disconnected, $"{_path} is gone (unplugged?)");
        }
    }

    protected internal override void Release(int token)
    {
        if (token != _outstanding)
            return;
        _outstanding = -1;
        if (_disposed)
            return;
        int errno;
        V4l2Buffer buf = default;
        V4l2Plane plane = default;
        Prepare(ref buf, &plane, (uint)token);
        errno = V4l2Io.Ioctl(_fd, Native.V4l2Abi.VIDIOC_QBUF, &buf);
        if (errno != 0 && errno != Libc.ENODEV)
            throw V4l2Io.Error(errno, _path, "VIDIOC_QBUF");
    }

    public override void Dispose()
    {
        if (_disposed)
            return;
        _disposed = true;
        if (_streaming && !_fd.IsClosed)
        {
            int type = (int)_type;
            V4l2Io.Ioctl(_fd, Native.V4l2Abi.VIDIOC_STREAMOFF, &type);
        }
        for (int i = 0; i < _maps.Length; i++)
        {
            if (_maps[i] != null)
                Libc.Munmap(_maps[i], _lengths[i]);
            _maps[i] = null;
        }
        _fd.Dispose();
    }
}
