using System.Runtime.InteropServices;
using ClawEdge.Capture.Native;

using ClawEdge.Platform.Native;

namespace ClawEdge.Capture.V4l2;

/// <summary>What to ask a memory-to-memory encoder for; 0 leaves the driver's default.</summary>
public sealed record M2mEncoderSettings(int BitrateBitsPerSecond = 0, int GopSize = 0, double FramesPerSecond = 30,
    int OutputBuffers = 4, int CaptureBuffers = 4);

/// <summary>A raw frame slot of the OUTPUT queue: write the picture into <see cref="Data"/>, then queue it.</summary>
public readonly unsafe ref struct M2mInput(int index, byte* data, int length)
{
    public int Index { get; } = index;
    public Span<byte> Data => new(Pointer, Length);
    public byte* Pointer { get; } = data;
    public int Length { get; } = length;
}

/// <summary>An encoded buffer of the CAPTURE queue, valid until <see cref="V4l2M2mSession.Release"/>.</summary>
public readonly ref struct M2mOutput(int index, ReadOnlySpan<byte> data, TimeSpan timestamp, bool keyFrame, bool last)
{
    public int Index { get; } = index;
    public ReadOnlySpan<byte> Data { get; } = data;
    public TimeSpan Timestamp { get; } = timestamp;
    public bool KeyFrame { get; } = keyFrame;

    /// <summary>The driver's last buffer after <see cref="V4l2M2mSession.Drain"/> (it may be empty).</summary>
    public bool Last { get; } = last;
}

/// <summary>
/// A V4L2 stateful encoder (kernel doc "Memory-to-memory Stateful Video Encoder Interface"): raw frames go into the
/// OUTPUT queue, the coded stream comes out of the CAPTURE queue. Both queues are mmap rings mapped once; a frame is
/// written straight into a driver buffer and the coded bytes are read in place, so the steady state allocates
/// nothing. Single-planar and multi-planar devices (the Pi's <c>bcm2835-codec</c> is multi-planar) take the same
/// path, with one memory plane per buffer (YU12 and NV12 are contiguous formats).
/// </summary>
public sealed unsafe class V4l2M2mSession : IDisposable
{
    private readonly SafeFileDescriptor _fd;
    private readonly uint _outputType;
    private readonly uint _captureType;
    private byte*[] _outputMaps = [];
    private nuint[] _outputLengths = [];
    private byte*[] _captureMaps = [];
    private nuint[] _captureLengths = [];
    private int[] _free = [];
    private int _freeCount;
    private bool _streaming;
    private bool _keyFrameAsked;
    private bool _disposed;

    private V4l2M2mSession(SafeFileDescriptor fd, string path, V4l2Capabilities caps)
    {
        _fd = fd;
        Path = path;
        Driver = caps.Driver;
        MultiPlanar = (caps.DeviceCaps & V4l2Abi.CAP_VIDEO_M2M_MPLANE) != 0;
        _outputType = MultiPlanar ? V4l2Abi.BUF_TYPE_VIDEO_OUTPUT_MPLANE : V4l2Abi.BUF_TYPE_VIDEO_OUTPUT;
        _captureType = MultiPlanar ? V4l2Abi.BUF_TYPE_VIDEO_CAPTURE_MPLANE : V4l2Abi.BUF_TYPE_VIDEO_CAPTURE;
    }

    /// <summary>The fourccs a session is opened with: raw YU12 / NV12, coded H.264 / FWHT (vicodec).</summary>
    public const uint Yu12 = V4l2Abi.PIX_FMT_YUV420, Nv12 = V4l2Abi.PIX_FMT_NV12, H264 = V4l2Abi.PIX_FMT_H264, Fwht = V4l2Abi.PIX_FMT_FWHT;

    public string Path { get; }
    public string Driver { get; }
    public bool MultiPlanar { get; }
    public uint RawFormat { get; private set; }
    public uint CodedFormat { get; private set; }
    public int Width { get; private set; }
    public int Height { get; private set; }

    /// <summary>Bytes per line of the raw luma plane (chroma planes of YU12 use half, NV12's interleaved plane the same).</summary>
    public int BytesPerLine { get; private set; }
    public int RawSizeImage { get; private set; }
    public int CodedSizeImage { get; private set; }
    public int OutputBufferCount => _outputMaps.Length;
    public int CaptureBufferCount => _captureMaps.Length;

    /// <summary>The GOP size the driver took (clamped to its range), null when it has no such control.</summary>
    public int? GopSize { get; private set; }
    public int? BitrateBitsPerSecond { get; private set; }

    /// <summary>True when the driver has an H.264 profile control and took Constrained Baseline.</summary>
    public bool ConstrainedBaseline { get; private set; }

    /// <summary>Frames queued on OUTPUT and coded buffers dequeued from CAPTURE (an empty LAST buffer not counted).</summary>
    public int Queued { get; private set; }
    public int Encoded { get; private set; }
    public bool Draining { get; private set; }
    public bool Stopped { get; private set; }

    /// <summary>True when <paramref name="path"/> is a memory-to-memory device whose CAPTURE queue offers <paramref name="codedFormat"/>.</summary>
    public static bool IsEncoder(string path, uint codedFormat)
    {
        try
        {
            using var fd = V4l2Io.OpenDevice(path);
            var caps = V4l2Io.QueryCapabilities(fd, path);
            uint m2m = caps.DeviceCaps & (V4l2Abi.CAP_VIDEO_M2M | V4l2Abi.CAP_VIDEO_M2M_MPLANE);
            if (m2m == 0)
                return false;
            uint type = (m2m & V4l2Abi.CAP_VIDEO_M2M_MPLANE) != 0 ? V4l2Abi.BUF_TYPE_VIDEO_CAPTURE_MPLANE : V4l2Abi.BUF_TYPE_VIDEO_CAPTURE;
            for (uint i = 0; i < 64; i++)
            {
                V4l2FmtDesc desc = default;
                desc.Index = i;
                desc.Type = type;
                if (V4l2Io.Ioctl(fd, V4l2Abi.VIDIOC_ENUM_FMT, &desc) != 0)
                    return false;
                if (desc.PixelFormat == codedFormat)
                    return true;
            }
            return false;
        }
        catch (CaptureException)
        {
            return false;
        }
    }

    /// <summary>The first <c>/dev/video*</c> (by number) that encodes to <paramref name="codedFormat"/>, or null.</summary>
    public static string? FindEncoder(uint codedFormat, string devDirectory = "/dev")
    {
        string[] nodes;
        try
        {
            nodes = Directory.GetFiles(devDirectory, "video*");
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
        static int Number(string p) => int.TryParse(System.IO.Path.GetFileName(p).AsSpan(5), out int n) ? n : int.MaxValue;
        Array.Sort(nodes, (a, b) => Number(a).CompareTo(Number(b)));
        foreach (string node in nodes)
        {
            if (IsEncoder(node, codedFormat))
                return node;
        }
        return null;
    }

    /// <summary>Opens and starts an encoder: formats negotiated, controls set, buffers mapped, both queues streaming.</summary>
    public static V4l2M2mSession Open(string path, uint rawFormat, uint codedFormat, int width, int height, M2mEncoderSettings settings)
    {
        var fd = V4l2Io.OpenDevice(path);
        V4l2M2mSession? session = null;
        try
        {
            var caps = V4l2Io.QueryCapabilities(fd, path);
            if ((caps.DeviceCaps & (V4l2Abi.CAP_VIDEO_M2M | V4l2Abi.CAP_VIDEO_M2M_MPLANE)) == 0 || (caps.DeviceCaps & V4l2Abi.CAP_STREAMING) == 0)
                throw new CaptureException(CaptureError.Unsupported, $"{path} ({caps.Driver}) is not a streaming memory-to-memory device");
            session = new V4l2M2mSession(fd, path, caps);
            // The encoder interface's order: the coded format first, then the raw one (which sets the resolution),
            // then the coded side again for the buffer size that resolution needs.
            session.SetFormat(session._captureType, codedFormat, width, height, 0);
            session.SetFormat(session._outputType, rawFormat, width, height, 0);
            session.ReadCodedFormat();
            session.SetRate(settings.FramesPerSecond);
            session.SetControls(settings);
            session._outputMaps = new byte*[Math.Clamp(settings.OutputBuffers, 1, 16)];
            session._outputLengths = new nuint[session._outputMaps.Length];
            session._captureMaps = new byte*[Math.Clamp(settings.CaptureBuffers, 1, 16)];
            session._captureLengths = new nuint[session._captureMaps.Length];
            session.MapBuffers(session._outputType, ref session._outputMaps, ref session._outputLengths, Libc.PROT_READ | Libc.PROT_WRITE);
            session.MapBuffers(session._captureType, ref session._captureMaps, ref session._captureLengths, Libc.PROT_READ);
            session._free = new int[session._outputMaps.Length];
            for (int i = 0; i < session._free.Length; i++)
                session._free[i] = session._free.Length - 1 - i;
            session._freeCount = session._free.Length;
            for (int i = 0; i < session._captureMaps.Length; i++)
                session.QueueCapture(i);
            session.StreamOn(session._captureType);
            session.StreamOn(session._outputType);
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

    /// <summary>
    /// Sets the raw side's resolution. The interface allows it only while the OUTPUT queue is stopped: on a
    /// streaming session the driver answers <c>EBUSY</c>, which becomes <see cref="CaptureError.Busy"/>.
    /// </summary>
    public void SetResolution(int width, int height)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        SetFormat(_outputType, RawFormat, width, height, 0);
    }

    private void SetFormat(uint type, uint fourcc, int width, int height, int sizeImage)
    {
        V4l2Format f = default;
        f.Type = type;
        if (MultiPlanar)
        {
            f.PixMp.Width = (uint)width;
            f.PixMp.Height = (uint)height;
            f.PixMp.PixelFormat = fourcc;
            f.PixMp.Field = V4l2Abi.FIELD_NONE;
            f.PixMp.NumPlanes = 1;
            f.PixMp.Plane0.SizeImage = (uint)sizeImage;
        }
        else
        {
            f.Pix.Width = (uint)width;
            f.Pix.Height = (uint)height;
            f.Pix.PixelFormat = fourcc;
            f.Pix.Field = V4l2Abi.FIELD_NONE;
            f.Pix.SizeImage = (uint)sizeImage;
        }
        Check(V4l2Abi.VIDIOC_S_FMT, &f, type == _outputType ? "VIDIOC_S_FMT (raw)" : "VIDIOC_S_FMT (coded)");
        uint got = MultiPlanar ? f.PixMp.PixelFormat : f.Pix.PixelFormat;
        if (got != fourcc)
            throw new CaptureException(CaptureError.Unsupported, $"{Path} refused {FourCc(fourcc)} (gave {FourCc(got)})");
        if (MultiPlanar && f.PixMp.NumPlanes != 1)
            throw new CaptureException(CaptureError.Unsupported, $"{Path}: {FourCc(fourcc)} uses {f.PixMp.NumPlanes} memory planes; one is supported");
        if (type != _outputType)
            return;
        RawFormat = fourcc;
        Width = (int)(MultiPlanar ? f.PixMp.Width : f.Pix.Width);
        Height = (int)(MultiPlanar ? f.PixMp.Height : f.Pix.Height);
        BytesPerLine = (int)(MultiPlanar ? f.PixMp.Plane0.BytesPerLine : f.Pix.BytesPerLine);
        RawSizeImage = (int)(MultiPlanar ? f.PixMp.Plane0.SizeImage : f.Pix.SizeImage);
        if (BytesPerLine < Width)
            BytesPerLine = Width;
    }

    private void ReadCodedFormat()
    {
        V4l2Format f = default;
        f.Type = _captureType;
        Check(V4l2Abi.VIDIOC_G_FMT, &f, "VIDIOC_G_FMT (coded)");
        CodedFormat = MultiPlanar ? f.PixMp.PixelFormat : f.Pix.PixelFormat;
        CodedSizeImage = (int)(MultiPlanar ? f.PixMp.Plane0.SizeImage : f.Pix.SizeImage);
    }

    private void SetRate(double fps)
    {
        if (fps <= 0)
            return;
        // v4l2_outputparm has the capture parameters' layout: the frame interval at the same offset. Drivers
        // without S_PARM (vicodec) pace nothing, so a refusal is not an error.
        V4l2StreamParm parm = default;
        parm.Type = _outputType;
        parm.Capture.TimePerFrame.Numerator = 1000;
        parm.Capture.TimePerFrame.Denominator = (uint)Math.Round(fps * 1000);
        int errno = V4l2Io.Ioctl(_fd, V4l2Abi.VIDIOC_S_PARM, &parm);
        if (errno is Libc.EBUSY or Libc.ENODEV)
            throw Error(errno, "VIDIOC_S_PARM");
    }

    private void SetControls(M2mEncoderSettings settings)
    {
        if (settings.GopSize > 0)
        {
            GopSize = SetControl(V4l2Abi.CID_MPEG_VIDEO_GOP_SIZE, settings.GopSize);
            // bcm2835-codec takes the key frame interval from the H.264 I-period control.
            SetControl(V4l2Abi.CID_MPEG_VIDEO_H264_I_PERIOD, settings.GopSize);
        }
        if (settings.BitrateBitsPerSecond > 0)
            BitrateBitsPerSecond = SetControl(V4l2Abi.CID_MPEG_VIDEO_BITRATE, settings.BitrateBitsPerSecond);
        ConstrainedBaseline = SetControl(V4l2Abi.CID_MPEG_VIDEO_H264_PROFILE, V4l2Abi.MPEG_VIDEO_H264_PROFILE_CONSTRAINED_BASELINE)
            == V4l2Abi.MPEG_VIDEO_H264_PROFILE_CONSTRAINED_BASELINE;
        // SPS/PPS before every IDR, so the stream carries its own parameter sets (the MP4 writer takes them from it).
        SetControl(V4l2Abi.CID_MPEG_VIDEO_REPEAT_SEQ_HEADER, 1);
    }

    /// <summary>Sets a control clamped to the range QUERYCTRL reports; the value taken, or null when the driver has no such control.</summary>
    private int? SetControl(uint id, int value)
    {
        V4l2QueryCtrl query = default;
        query.Id = id;
        if (V4l2Io.Ioctl(_fd, V4l2Abi.VIDIOC_QUERYCTRL, &query) != 0 || (query.Flags & V4l2Abi.CTRL_FLAG_DISABLED) != 0)
            return null;
        int clamped = Math.Clamp(value, query.Minimum, Math.Max(query.Minimum, query.Maximum));
        if (query.Step > 1)
            clamped = query.Minimum + (clamped - query.Minimum) / query.Step * query.Step;
        V4l2Control control = new() { Id = id, Value = clamped };
        int errno = V4l2Io.Ioctl(_fd, V4l2Abi.VIDIOC_S_CTRL, &control);
        if (errno is Libc.EBUSY or Libc.ENODEV)
            throw Error(errno, "VIDIOC_S_CTRL");
        return errno == 0 ? control.Value : null;
    }

    private void MapBuffers(uint type, ref byte*[] maps, ref nuint[] lengths, int protection)
    {
        V4l2RequestBuffers req = default;
        req.Count = (uint)maps.Length;
        req.Type = type;
        req.Memory = V4l2Abi.MEMORY_MMAP;
        Check(V4l2Abi.VIDIOC_REQBUFS, &req, "VIDIOC_REQBUFS");
        if (req.Count == 0)
            throw new CaptureException(CaptureError.Failed, $"{Path} granted no buffers");
        if (req.Count < maps.Length)
        {
            maps = new byte*[req.Count];
            lengths = new nuint[req.Count];
        }
        for (int i = 0; i < maps.Length; i++)
        {
            V4l2Buffer buf = default;
            V4l2Plane plane = default;
            Prepare(ref buf, &plane, type, (uint)i);
            Check(V4l2Abi.VIDIOC_QUERYBUF, &buf, "VIDIOC_QUERYBUF");
            nuint length = MultiPlanar ? plane.Length : buf.Length;
            long offset = MultiPlanar ? plane.MMemOffset : buf.MOffset;
            void* map = Libc.Mmap(null, length, protection, Libc.MAP_SHARED, _fd, offset);
            if (map == (void*)-1)
                throw Error(Marshal.GetLastPInvokeError(), "mmap");
            maps[i] = (byte*)map;
            lengths[i] = length;
        }
    }

    private void Prepare(ref V4l2Buffer buf, V4l2Plane* plane, uint type, uint index) =>
        V4l2Io.PrepareMmapBuffer(ref buf, plane, type, index, MultiPlanar);

    private void QueueCapture(int index)
    {
        V4l2Buffer buf = default;
        V4l2Plane plane = default;
        Prepare(ref buf, &plane, _captureType, (uint)index);
        Check(V4l2Abi.VIDIOC_QBUF, &buf, "VIDIOC_QBUF (coded)");
    }

    private void StreamOn(uint type)
    {
        int t = (int)type;
        Check(V4l2Abi.VIDIOC_STREAMON, &t, "VIDIOC_STREAMON");
        _streaming = true;
    }

    /// <summary>
    /// A free OUTPUT buffer to write the next raw frame into; waits up to <paramref name="timeoutMs"/> for the
    /// driver to give one back. False on timeout. Coded buffers are not touched: dequeue them with <see cref="TryDequeue"/>.
    /// </summary>
    public bool TryGetInput(int timeoutMs, out M2mInput input)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        input = default;
        if (Draining)
            throw new InvalidOperationException("the encoder is draining: no more frames");
        while (_freeCount == 0)
        {
            V4l2Buffer buf = default;
            V4l2Plane plane = default;
            Prepare(ref buf, &plane, _outputType, 0);
            int errno = V4l2Io.Ioctl(_fd, V4l2Abi.VIDIOC_DQBUF, &buf);
            if (errno == 0)
            {
                _free[_freeCount++] = (int)buf.Index;
                break;
            }
            if (errno != Libc.EAGAIN)
                throw Error(errno, "VIDIOC_DQBUF (raw)");
            if (!Wait(Libc.POLLOUT, timeoutMs))
                return false;
        }
        int index = _free[--_freeCount];
        input = new M2mInput(index, _outputMaps[index], (int)_outputLengths[index]);
        return true;
    }

    /// <summary>Queues a filled OUTPUT buffer. The first frame asks for a key frame where the driver has the control.</summary>
    public void Queue(int index, int bytesUsed, TimeSpan timestamp)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!_keyFrameAsked)
        {
            _keyFrameAsked = true;
            SetControl(V4l2Abi.CID_MPEG_VIDEO_FORCE_KEY_FRAME, 1);
        }
        V4l2Buffer buf = default;
        V4l2Plane plane = default;
        Prepare(ref buf, &plane, _outputType, (uint)index);
        long micros = timestamp.Ticks / 10;
        buf.Timestamp.Seconds = micros / 1_000_000;
        buf.Timestamp.Microseconds = micros % 1_000_000;
        buf.Field = V4l2Abi.FIELD_NONE;
        if (MultiPlanar)
            plane.BytesUsed = (uint)bytesUsed;
        else
            buf.BytesUsed = (uint)bytesUsed;
        Check(V4l2Abi.VIDIOC_QBUF, &buf, "VIDIOC_QBUF (raw)");
        Queued++;
    }

    /// <summary>
    /// The next coded buffer, waiting up to <paramref name="timeoutMs"/> (0: do not wait). False on timeout, or once
    /// the LAST buffer has been handed out. Give the buffer back with <see cref="Release"/>.
    /// </summary>
    public bool TryDequeue(int timeoutMs, out M2mOutput output)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        output = default;
        if (Stopped)
            return false;
        while (true)
        {
            V4l2Buffer buf = default;
            V4l2Plane plane = default;
            Prepare(ref buf, &plane, _captureType, 0);
            int errno = V4l2Io.Ioctl(_fd, V4l2Abi.VIDIOC_DQBUF, &buf);
            if (errno == 0)
            {
                bool last = (buf.Flags & V4l2Abi.BUF_FLAG_LAST) != 0;
                int start = MultiPlanar ? (int)plane.DataOffset : 0;
                int used = (int)(MultiPlanar ? plane.BytesUsed : buf.BytesUsed) - start;
                used = (int)Math.Min((nuint)Math.Max(used, 0), _captureLengths[buf.Index] - (nuint)start);
                if (last)
                    Stopped = true;
                if (used > 0)
                    Encoded++;
                var timestamp = TimeSpan.FromTicks((buf.Timestamp.Seconds * 1_000_000 + buf.Timestamp.Microseconds) * 10);
                output = new M2mOutput((int)buf.Index, new ReadOnlySpan<byte>(_captureMaps[buf.Index] + start, used), timestamp,
                    (buf.Flags & V4l2Abi.BUF_FLAG_KEYFRAME) != 0, last);
                return true;
            }
            if (errno == Libc.EPIPE)
            {
                // The LAST buffer was already dequeued: the stream has ended.
                Stopped = true;
                return false;
            }
            if (errno != Libc.EAGAIN)
                throw Error(errno, "VIDIOC_DQBUF (coded)");
            if (timeoutMs <= 0 || !Wait(Libc.POLLIN, timeoutMs))
                return false;
        }
    }

    /// <summary>Gives a coded buffer back to the driver (not after the LAST one: the stream has ended).</summary>
    public void Release(in M2mOutput output)
    {
        if (_disposed || Stopped)
            return;
        QueueCapture(output.Index);
    }

    /// <summary>
    /// Asks the encoder to finish (<c>V4L2_ENC_CMD_STOP</c>): every queued frame is still coded, and the last coded
    /// buffer carries <c>V4L2_BUF_FLAG_LAST</c>. A second stop before that buffer is dequeued is refused by the
    /// framework with <c>EBUSY</c> (→ <see cref="CaptureError.Busy"/>).
    /// </summary>
    public void Drain()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        V4l2EncoderCmd cmd = default;
        cmd.Cmd = V4l2Abi.ENC_CMD_STOP;
        Check(V4l2Abi.VIDIOC_ENCODER_CMD, &cmd, "VIDIOC_ENCODER_CMD stop");
        Draining = true;
    }

    /// <summary>poll() for <paramref name="events"/>; false on timeout.</summary>
    private bool Wait(short events, int timeoutMs)
    {
        while (true)
        {
            Libc.PollFd pfd = new() { Fd = _fd.Fd, Events = events };
            int ready = Libc.Poll(&pfd, 1, timeoutMs);
            if (ready > 0)
            {
                if ((pfd.Revents & (Libc.POLLNVAL | Libc.POLLHUP)) != 0 && (pfd.Revents & events) == 0)
                    throw new CaptureException(CaptureError.Disconnected, $"{Path} is gone");
                return true;
            }
            if (ready == 0)
                return false;
            int errno = Marshal.GetLastPInvokeError();
            if (errno != Libc.EINTR)
                throw Error(errno, "poll");
        }
    }

    private void Check(nuint request, void* arg, string operation)
    {
        int errno = V4l2Io.Ioctl(_fd, request, arg);
        if (errno != 0)
            throw Error(errno, operation);
    }

    /// <summary>errno → <see cref="CaptureException"/>; EBUSY is the project's busy error, in this interface's words.</summary>
    private CaptureException Error(int errno, string operation) => errno == Libc.EBUSY
        ? new CaptureException(CaptureError.Busy, $"{Path} is busy ({operation}): the encoder is streaming or draining")
        : V4l2Io.Error(errno, Path, operation);

    public static string FourCc(uint v) => ((PixelFormat)v).FourCc();

    public void Dispose()
    {
        if (_disposed)
            return;
        _disposed = true;
        if (_streaming && !_fd.IsClosed)
        {
            int t = (int)_outputType;
            V4l2Io.Ioctl(_fd, V4l2Abi.VIDIOC_STREAMOFF, &t);
            t = (int)_captureType;
            V4l2Io.Ioctl(_fd, V4l2Abi.VIDIOC_STREAMOFF, &t);
        }
        Unmap(_outputMaps, _outputLengths);
        Unmap(_captureMaps, _captureLengths);
        _fd.Dispose();
    }

    private static void Unmap(byte*[] maps, nuint[] lengths)
    {
        for (int i = 0; i < maps.Length; i++)
        {
            if (maps[i] != null)
                Libc.Munmap(maps[i], lengths[i]);
            maps[i] = null;
        }
    }
}
