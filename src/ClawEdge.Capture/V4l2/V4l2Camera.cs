using System.Runtime.InteropServices;
using System.Text;
using ClawEdge.Capture.Native;

using ClawEdge.Platform.Native;

namespace ClawEdge.Capture.V4l2;

/// <summary>What <c>VIDIOC_QUERYCAP</c> says about a device node.</summary>
public sealed record V4l2Capabilities(string Driver, string Card, string BusInfo, uint Capabilities, uint DeviceCaps)
{
    /// <summary>What this node can do: <c>device_caps</c> when the driver fills it (it always does since 3.3), never the whole device's <c>capabilities</c>.</summary>
    public uint Effective => (Capabilities & Native.V4l2Abi.CAP_DEVICE_CAPS) != 0 ? DeviceCaps : Capabilities;
    public bool MultiPlanar => (Effective & Native.V4l2Abi.CAP_VIDEO_CAPTURE_MPLANE) != 0 && (Effective & Native.V4l2Abi.CAP_VIDEO_CAPTURE) == 0;

    /// <summary>A capture node we can stream from. UVC metadata nodes and ISP output nodes fail this.</summary>
    public bool IsStreamingCapture => (Effective & (Native.V4l2Abi.CAP_VIDEO_CAPTURE | Native.V4l2Abi.CAP_VIDEO_CAPTURE_MPLANE)) != 0
        && (Effective & Native.V4l2Abi.CAP_STREAMING) != 0;
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
            uint type = caps.MultiPlanar ? Native.V4l2Abi.BUF_TYPE_VIDEO_CAPTURE_MPLANE : Native.V4l2Abi.BUF_TYPE_VIDEO_CAPTURE;
            var formats = V4l2Io.EnumerateFormats(fd, type);
            var modes = new List<CameraMode>();
            foreach (var f in formats)
            {
                // RGB4/BGR4 share our internal 32-bit fourccs but V4L2 lays them out X,R,G,B: not capturable
                // as-is, so they are not offered (open would refuse them).
                if (f.Format is PixelFormat.Unknown or PixelFormat.Rgbx32 or PixelFormat.Bgrx32)
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
