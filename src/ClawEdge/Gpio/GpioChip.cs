using System.Runtime.InteropServices;
using System.Text;
using ClawEdge.Gpio.Native;
using ClawEdge.Platform.Native;

namespace ClawEdge.Gpio;

/// <summary>A GPIO character device (<c>/dev/gpiochipN</c>): its name, label and lines, and line requests.</summary>
internal sealed unsafe class GpioChip : IDisposable
{
    private readonly SafeFileDescriptor _fd;

    private GpioChip(string path, SafeFileDescriptor fd, string name, string label, uint lines)
    {
        Path = path;
        _fd = fd;
        Name = name;
        Label = label;
        Lines = lines;
    }

    public string Path { get; }
    public string Name { get; }
    public string Label { get; }
    public uint Lines { get; }

    public static GpioChip Open(string path)
    {
        var handle = Libc.Open(path, Libc.O_RDWR | Libc.O_CLOEXEC);
        if (handle.IsInvalid)
        {
            int errno = Marshal.GetLastPInvokeError();
            throw new GpioException(GpioErrorCodes.Unavailable, errno switch
            {
                Libc.ENOENT => $"{path} does not exist: this board has no such GPIO chip (see `clawedge gpio chips`)",
                Libc.EACCES or Libc.EPERM => $"no permission to open {path}: add the node's user to the gpio group (usermod -aG gpio clawedge) and restart",
                _ => $"cannot open {path}: {Libc.Describe(errno)}",
            });
        }
        GpioChipInfo info;
        if (Libc.Ioctl(handle, GpioUapi.GetChipInfo, &info) < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            handle.Dispose();
            throw new GpioException(GpioErrorCodes.Unavailable, $"{path} is not a GPIO chip: {Libc.Describe(errno)}");
        }
        return new GpioChip(path, handle, CString(info.Name, 32), CString(info.Label, 32), info.Lines);
    }

    /// <summary>Every <c>/dev/gpiochip*</c>, in number order.</summary>
    public static IEnumerable<string> Paths(string devDirectory = "/dev") =>
        Directory.Exists(devDirectory)
            ? Directory.EnumerateFiles(devDirectory, "gpiochip*")
                .OrderBy(p => int.TryParse(System.IO.Path.GetFileName(p)["gpiochip".Length..], out int n) ? n : int.MaxValue)
            : [];

    /// <summary>Who holds a line (the consumer string), or null when it is free.</summary>
    public (string Name, string? Consumer, ulong Flags) LineInfo(uint offset)
    {
        GpioLineInfo info = default;
        info.Offset = offset;
        if (Libc.Ioctl(_fd, GpioUapi.GetLineInfo, &info) < 0)
            throw new GpioException(GpioErrorCodes.Unavailable, $"line {offset} of {Path}: {Libc.Describe(Marshal.GetLastPInvokeError())}");
        string consumer = CString(info.Consumer, 32);
        return (CString(info.Name, 32), (info.Flags & GpioUapi.FlagUsed) != 0 ? (consumer.Length > 0 ? consumer : "?") : null, info.Flags);
    }

    /// <summary>Requests one line with <paramref name="flags"/> (and its output level); the line is ours until disposed.</summary>
    public GpioLine Request(uint offset, ulong flags, int outputLevel, string consumer)
    {
        if (offset >= Lines)
            throw new GpioException(ClawEdge.Host.ErrorCodes.InvalidRequest, $"{Path} ({Label}) has lines 0..{Lines - 1}; there is no line {offset}");
        GpioLineRequest request = default;
        request.Offsets[0] = offset;
        request.NumLines = 1;
        int n = Math.Min(Encoding.UTF8.GetByteCount(consumer), 31);
        Encoding.UTF8.GetBytes(consumer.AsSpan(), new Span<byte>(request.Consumer, n));
        GpioLine.FillConfig(ref request.Config, flags, outputLevel);
        if (Libc.Ioctl(_fd, GpioUapi.GetLine, &request) < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            if (errno == Libc.EBUSY)
            {
                string? holder = null;
                try { holder = LineInfo(offset).Consumer; } catch (GpioException) { }
                throw new GpioException(GpioErrorCodes.Busy,
                    $"line {offset} of {Path} is held by another program{(holder is null ? "" : $" (consumer \"{holder}\")")}: stop it, or free the pin from its dtoverlay, then retry");
            }
            throw new GpioException(GpioErrorCodes.Unavailable, $"cannot request line {offset} of {Path}: {Libc.Describe(errno)}");
        }
        return new GpioLine(Path, offset, new SafeFileDescriptor(request.Fd));
    }

    private static string CString(byte* bytes, int max)
    {
        var span = new ReadOnlySpan<byte>(bytes, max);
        int end = span.IndexOf((byte)0);
        return Encoding.UTF8.GetString(end < 0 ? span : span[..end]);
    }

    public void Dispose() => _fd.Dispose();
}
