using System.Runtime.InteropServices;
using System.Text;
using ClawEdge.Capture.Native;

using ClawEdge.Platform.Native;

namespace ClawEdge.Capture.V4l2;

/// <summary>The ioctls, with errno mapped to <see cref="CaptureError"/>.</summary>
internal static unsafe class V4l2Io
{
    public static SafeFileDescriptor OpenDevice(string path)
    {
        var fd = Libc.Open(path, Libc.O_RDWR | Libc.O_NONBLOCK | Libc.O_CLOEXEC);
        if (fd.IsInvalid)
        {
            int errno = Marshal.GetLastPInvokeError();
            fd.Dispose();
            throw Error(errno, path, "open");
        }
        return fd;
    }

    /// <summary>errno from an ioctl or open → the failure a caller can act on.</summary>
    public static CaptureException Error(int errno, string path, string operation) => errno switch
    {
        Libc.EACCES or Libc.EPERM => new CaptureException(CaptureError.PermissionDenied,
            $"{path}: permission denied ({operation}); add the user to the 'video' group (sudo usermod -aG video $USER) and log in again"),
        Libc.EBUSY => new CaptureException(CaptureError.Busy, $"{path} is busy: another program is streaming from it ({operation})"),
        Libc.ENODEV or Libc.ENXIO => new CaptureException(CaptureError.Disconnected, $"{path} is gone (unplugged?) ({operation})"),
        Libc.ENOENT => new CaptureException(CaptureError.NotFound, $"{path} does not exist"),
        _ => new CaptureException(CaptureError.Failed, $"{path}: {operation} failed: {Libc.Describe(errno)} (errno {errno})"),
    };

    /// <summary>ioctl, retried on EINTR; returns errno (0 on success).</summary>
    public static int Ioctl(SafeFileDescriptor fd, nuint request, void* arg)
    {
        while (true)
        {
            if (Libc.Ioctl(fd, request, arg) == 0)
                return 0;
            int errno = Marshal.GetLastPInvokeError();
            if (errno != Libc.EINTR)
                return errno;
        }
    }

    public static void Check(SafeFileDescriptor fd, nuint request, void* arg, string path, string operation)
    {
        int errno = Ioctl(fd, request, arg);
        if (errno != 0)
            throw Error(errno, path, operation);
    }

    /// <summary>
    /// Fills <paramref name="buf"/> for QUERYBUF/QBUF/DQBUF on an mmap queue of <paramref name="type"/>; a multi-planar
    /// queue takes its one plane's description in <paramref name="plane"/> (the caller's, valid for the ioctl).
    /// </summary>
    public static void PrepareMmapBuffer(ref V4l2Buffer buf, V4l2Plane* plane, uint type, uint index, bool multiPlanar)
    {
        buf.Index = index;
        buf.Type = type;
        buf.Memory = V4l2Abi.MEMORY_MMAP;
        if (multiPlanar)
        {
            buf.MPlanes = plane;
            buf.Length = 1; // number of planes
        }
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
        Check(fd, Native.V4l2Abi.VIDIOC_QUERYCAP, &cap, path, "VIDIOC_QUERYCAP");
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
            if (Ioctl(fd, Native.V4l2Abi.VIDIOC_ENUM_FMT, &desc) != 0)
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
            if (Ioctl(fd, Native.V4l2Abi.VIDIOC_ENUM_FRAMESIZES, &size) != 0)
                break;
            if (size.Type == Native.V4l2Abi.FRMSIZE_TYPE_DISCRETE)
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
            if (Ioctl(fd, Native.V4l2Abi.VIDIOC_ENUM_FRAMEINTERVALS, &ival) != 0)
                break;
            if (ival.Type == Native.V4l2Abi.FRMIVAL_TYPE_DISCRETE)
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
