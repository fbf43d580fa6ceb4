using System.Runtime.InteropServices;
using System.Text;
using ClawEdge.Capture.Native;

namespace ClawEdge.Capture.V4l2;

/// <summary>What <c>VIDIOC_QUERYCAP</c> says about a device node.</summary>
public sealed record V4l2Capabilities(string Driver, string Card, string BusInfo, uint Capabilities, uint DeviceCaps)
{
    /// <summary>What this node can do: <c>device_caps</c> when the driver fills it (it always does since 3.3), never the whole device's <c>capabilities</c>.</summary>
    public uint Effective => (Capabilities & Native.V4l2.CAP_DEVICE_CAPS) != 0 ? DeviceCaps : Capabilities;
    public bool MultiPlanar => (Effective & Native.V4l2.CAP_VIDEO_CAPTURE_MPLANE) != 0 && (Effective & Native.V4l2.CAP_VIDEO_CAPTURE) == 0;

    /// <summary>A capture node we can stream from. UVC metadata nodes and ISP output nodes fail this.</summary>
    public bool IsStreamingCapture => (Effective & (Native.V4l2.CAP_VIDEO_CAPTURE | Native.V4l2.CAP_VIDEO_CAPTURE_MPLANE)) != 0
        && (Effective & Native.V4l2.CAP_STREAMING) != 0;
}

/// <summary>One pixel format a device offers, with its sizes and, per size, its frame rates.</summary>
public sealed record V4l2FormatInfo(uint FourCc, string Description, bool Compressed, IReadOnlyList<V4l2SizeInfo> Sizes)
{
    public PixelFormat Format => Enum.IsDefined((PixelFormat)FourCc) ? (PixelFormat)FourCc : PixelFormat.Unknown;
    public string FourCcText => ((PixelFormat)FourCc).FourCc();
}

/// <param name="Stepwise">True when the driver gave a range (min..max by step) rather than discrete sizes; Width/Height are then the largest.</param>
public sealed record V4l2SizeInfo(int Width, int Height, IReadOnlyList<double> FramesPerSecond, bool Stepwise = false, int MinWidth = 0, int MinHeight = 0);

/// <summary>
/// A V4L2 device node (<c>/dev/videoN</c>): enumeration through <c>QUERYCAP</c>/<c>ENUM_FMT</c>/<c>ENUM_FRAMESIZES</c>/
/// <c>ENUM_FRAMEINTERVALS</c>, and <see cref="Open"/> for mmap streaming.
/// </summary>
public sealed class V4l2Camera : CameraSource
{
    private V4l2Camera(string path, V4l2Capabilities? caps, IReadOnlyList<V4l2FormatInfo> formats, CameraInfo info)
    {
        DevicePath = path;
        Capabilities = caps;
        Formats = formats;
        Info = info;
    }

    public string DevicePath { get; }

    /// <summary>Null when the node could not be opened for enumeration (no permission): it is still listed so a snap says why.</summary>
    public V4l2Capabilities? Capabilities { get; }
    public IReadOnlyList<V4l2FormatInfo> Formats { get; }
    public override CameraInfo Info { get; }

    /// <summary>The capture devices under <paramref name="devDirectory"/>, in numeric order. Nodes that are not streaming capture nodes are skipped.</summary>
    public static IReadOnlyList<V4l2Camera> Enumerate(string devDirectory = "/dev")
    {
        var result = new List<V4l2Camera>();
        string[] entries;
        try
        {
            entries = Directory.GetFiles(devDirectory, "video*");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return result;
        }
        foreach (var path in entries.Where(p => int.TryParse(Path.GetFileName(p).AsSpan(5), out _))
                     .OrderBy(p => int.Parse(Path.GetFileName(p).AsSpan(5), System.Globalization.CultureInfo.InvariantCulture)))
        {
            try
            {
                if (Probe(path) is { } camera)
                    result.Add(camera);
            }
            catch (CaptureException)
            {
                // vanished or unusable between readdir and open: not a camera now.
            }
        }
        return result;
    }

    /// <summary>Reads one node. Null when it is not a streaming capture node; a permission-less entry when it cannot be opened for lack of permission.</summary>
    public static V4l2Camera? Probe(string path)
    {
        SafeFileDescriptor fd;
        try
        {
            fd = V4l2Io.OpenDevice(path);
        }
        catch (CaptureException e) when (e.Error == CaptureError.PermissionDenied)
        {
            string name = SysfsName(path) ?? Path.GetFileName(path);
            return new V4l2Camera(path, null, [], new CameraInfo(path, name, "v4l2", "unknown", []));
        }
        using (fd)
        {
            var caps = V4l2Io.QueryCapabilities(fd, path);
            if (!caps.IsStreamingCapture)
                return null;
            uint type = caps.MultiPlanar ? Native.V4l2.BUF_TYPE_VIDEO_CAPTURE_MPLANE : Native.V4l2.BUF_TYPE_VIDEO_CAPTURE;
            var formats = V4l2Io.EnumerateFormats(fd, type);
            var modes = new List<CameraMode>();
            foreach (var f in formats)
            {
                if (f.Format == PixelFormat.Unknown)
                    continue;
                foreach (var s in f.Sizes)
                    modes.Add(new CameraMode(s.Width, s.Height, f.Format, s.FramesPerSecond.Count > 0 ? s.FramesPerSecond.Max() : 0));
            }
            string card = caps.Card.Length > 0 ? caps.Card : SysfsName(path) ?? Path.GetFileName(path);
            return new V4l2Camera(path, caps, formats, new CameraInfo(path, card, "v4l2", "unknown", modes, caps.Driver, caps.BusInfo));
        }
    }

    private static string? SysfsName(string path)
    {
        try
        {
            return File.ReadAllText($"/sys/class/video4linux/{Path.GetFileName(path)}/name").Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    public override CaptureSession Open(CaptureRequest request)
    {
        if (Capabilities is null)
            V4l2Io.OpenDevice(DevicePath).Dispose(); // throws the permission error with its advice
        var (format, size, fps) = ChooseMode(request);
        return V4l2Session.Start(DevicePath, format, size.Width, size.Height, fps, request.BufferCount);
    }

    /// <summary>The offered mode closest to the request: its format if offered (else the cheapest to serve), the smallest size covering the request (else the largest), the highest rate not above the request.</summary>
    internal (PixelFormat Format, V4l2SizeInfo Size, double Fps) ChooseMode(CaptureRequest request)
    {
        var usable = Formats.Where(f => f.Format is PixelFormat.Mjpeg or PixelFormat.Jpeg or PixelFormat.Yuyv or PixelFormat.Uyvy
            or PixelFormat.Nv12 or PixelFormat.Rgb24 or PixelFormat.Bgr24 && f.Sizes.Count > 0).ToList();
        if (usable.Count == 0)
            throw new CaptureException(CaptureError.Unsupported, $"{DevicePath} offers no pixel format ClawEdge can convert ({string.Join(", ", Formats.Select(f => f.FourCcText))})");
        V4l2FormatInfo chosen;
        if (request.Format is { } wanted)
        {
            chosen = usable.FirstOrDefault(f => f.Format == wanted)
                ?? throw new CaptureException(CaptureError.Unsupported, $"{DevicePath} does not offer {wanted.FourCc()} (offers {string.Join(", ", usable.Select(f => f.FourCcText))})");
        }
        else
        {
            PixelFormat[] preference = [PixelFormat.Mjpeg, PixelFormat.Jpeg, PixelFormat.Yuyv, PixelFormat.Nv12, PixelFormat.Uyvy, PixelFormat.Rgb24, PixelFormat.Bgr24];
            chosen = preference.Select(p => usable.FirstOrDefault(f => f.Format == p)).First(f => f is not null)!;
        }

        V4l2SizeInfo size;
        var sizes = chosen.Sizes.OrderBy(s => (long)s.Width * s.Height).ToList();
        if (request.Width is { } w)
        {
            int h = request.Height ?? 0;
            size = sizes.FirstOrDefault(s => s.Width >= w && s.Height >= h) ?? sizes[^1];
            if (size.Stepwise)
                size = size with { Width = Math.Clamp(w, size.MinWidth, size.Width), Height = Math.Clamp(h > 0 ? h : size.Height * w / Math.Max(1, size.Width), size.MinHeight, size.Height) };
        }
        else
        {
            size = sizes[^1];
        }
        double fps = 0;
        if (size.FramesPerSecond.Count > 0)
        {
            var rates = size.FramesPerSecond.Order().ToList();
            fps = request.FramesPerSecond is { } r ? rates.LastOrDefault(x => x <= r + 0.01, rates[0]) : rates[^1];
        }
        return (chosen.Format, size, fps);
    }
}

/// <summary>The ioctls, with errno mapped to <see cref="CaptureError"/>.</summary>
internal static unsafe class V4l2Io
{
    public static SafeFileDescriptor OpenDevice(string path)
    {
        int fd = CaptureLibc.Open(path, CaptureLibc.O_RDWR | CaptureLibc.O_NONBLOCK | CaptureLibc.O_CLOEXEC);
        if (fd < 0)
            throw Error(Marshal.GetLastPInvokeError(), path, "open");
        return new SafeFileDescriptor(fd);
    }

    /// <summary>errno from an ioctl or open → the failure a caller can act on.</summary>
    public static CaptureException Error(int errno, string path, string operation) => errno switch
    {
        CaptureLibc.EACCES or CaptureLibc.EPERM => new CaptureException(CaptureError.PermissionDenied,
            $"{path}: permission denied ({operation}); add the user to the 'video' group (sudo usermod -aG video $USER) and log in again"),
        CaptureLibc.EBUSY => new CaptureException(CaptureError.Busy, $"{path} is busy: another program is streaming from it ({operation})"),
        CaptureLibc.ENODEV or CaptureLibc.ENXIO => new CaptureException(CaptureError.Disconnected, $"{path} is gone (unplugged?) ({operation})"),
        CaptureLibc.ENOENT => new CaptureException(CaptureError.NotFound, $"{path} does not exist"),
        _ => new CaptureException(CaptureError.Failed, $"{path}: {operation} failed: {CaptureLibc.Describe(errno)} (errno {errno})"),
    };

    /// <summary>ioctl, retried on EINTR; returns errno (0 on success).</summary>
    public static int Ioctl(SafeFileDescriptor fd, nuint request, void* arg)
    {
        while (true)
        {
            if (CaptureLibc.Ioctl(fd, request, arg) == 0)
                return 0;
            int errno = Marshal.GetLastPInvokeError();
            if (errno != CaptureLibc.EINTR)
                return errno;
        }
    }

    public static void Check(SafeFileDescriptor fd, nuint request, void* arg, string path, string operation)
    {
        int errno = Ioctl(fd, request, arg);
        if (errno != 0)
            throw Error(errno, path, operation);
    }

    public static string Text(byte* bytes, int max)
    {
        var span = new ReadOnlySpan<byte>(bytes, max);
        int end = span.IndexOf((byte)0);
        return Encoding.UTF8.GetString(end < 0 ? span : span[..end]).Trim();
    }

    public static V4l2Capabilities QueryCapabilities(SafeFileDescriptor fd, string path)
    {
        V4l2Capability cap = default;
        Check(fd, Native.V4l2.VIDIOC_QUERYCAP, &cap, path, "VIDIOC_QUERYCAP");
        return new V4l2Capabilities(Text(cap.Driver, 16), Text(cap.Card, 32), Text(cap.BusInfo, 32), cap.Capabilities, cap.DeviceCaps);
    }

    public static List<V4l2FormatInfo> EnumerateFormats(SafeFileDescriptor fd, uint type)
    {
        var formats = new List<V4l2FormatInfo>();
        for (uint i = 0; i < 64; i++)
        {
            V4l2FmtDesc desc = default;
            desc.Index = i;
            desc.Type = type;
            if (Ioctl(fd, Native.V4l2.VIDIOC_ENUM_FMT, &desc) != 0)
                break; // EINVAL ends the list
            formats.Add(new V4l2FormatInfo(desc.PixelFormat, Text(desc.Description, 32), (desc.Flags & 1) != 0, EnumerateSizes(fd, desc.PixelFormat)));
        }
        return formats;
    }

    private static List<V4l2SizeInfo> EnumerateSizes(SafeFileDescriptor fd, uint fourcc)
    {
        var sizes = new List<V4l2SizeInfo>();
        for (uint i = 0; i < 256; i++)
        {
            V4l2FrmSizeEnum size = default;
            size.Index = i;
            size.PixelFormat = fourcc;
            if (Ioctl(fd, Native.V4l2.VIDIOC_ENUM_FRAMESIZES, &size) != 0)
                break;
            if (size.Type == Native.V4l2.FRMSIZE_TYPE_DISCRETE)
            {
                sizes.Add(new V4l2SizeInfo((int)size.DiscreteWidth, (int)size.DiscreteHeight, EnumerateRates(fd, fourcc, size.DiscreteWidth, size.DiscreteHeight)));
            }
            else
            {
                // A range: report its largest size (and the smallest) instead of every step.
                sizes.Add(new V4l2SizeInfo((int)size.MaxWidth, (int)size.MaxHeight, EnumerateRates(fd, fourcc, size.MaxWidth, size.MaxHeight),
                    Stepwise: true, MinWidth: (int)size.MinWidth, MinHeight: (int)size.MinHeight));
                break;
            }
        }
        return sizes;
    }

    private static List<double> EnumerateRates(SafeFileDescriptor fd, uint fourcc, uint width, uint height)
    {
        var rates = new List<double>();
        for (uint i = 0; i < 64; i++)
        {
            V4l2FrmIvalEnum ival = default;
            ival.Index = i;
            ival.PixelFormat = fourcc;
            ival.Width = width;
            ival.Height = height;
            if (Ioctl(fd, Native.V4l2.VIDIOC_ENUM_FRAMEINTERVALS, &ival) != 0)
                break;
            if (ival.Type == Native.V4l2.FRMIVAL_TYPE_DISCRETE)
            {
                if (ival.Discrete.Numerator > 0)
                    rates.Add(Math.Round((double)ival.Discrete.Denominator / ival.Discrete.Numerator, 3));
            }
            else
            {
                // Continuous/stepwise: the fastest (shortest interval) and slowest rates bound the range.
                if (ival.Min.Numerator > 0)
                    rates.Add(Math.Round((double)ival.Min.Denominator / ival.Min.Numerator, 3));
                if (ival.Max.Numerator > 0)
                    rates.Add(Math.Round((double)ival.Max.Denominator / ival.Max.Numerator, 3));
                break;
            }
        }
        return rates.Distinct().ToList();
    }
}
