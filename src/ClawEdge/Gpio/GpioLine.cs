using System.Runtime.InteropServices;
using ClawEdge.Gpio.Native;
using ClawEdge.Platform.Native;

namespace ClawEdge.Gpio;

/// <summary>One line we requested (its own file descriptor): level, reconfiguration, and edge waits that sleep in the kernel.</summary>
internal sealed unsafe class GpioLine : IDisposable
{
    private readonly SafeFileDescriptor _fd;

    public GpioLine(string chipPath, uint offset, SafeFileDescriptor fd)
    {
        ChipPath = chipPath;
        Offset = offset;
        _fd = fd;
    }

    public string ChipPath { get; }
    public uint Offset { get; }

    internal static void FillConfig(ref GpioLineConfig config, ulong flags, int outputLevel)
    {
        config = default;
        config.Flags = flags;
        if ((flags & GpioUapi.FlagOutput) != 0)
        {
            // The output value travels as an attribute for the line's bit in the request (bit 0: one line).
            config.NumAttrs = 1;
            config.Attrs[0].Attribute.Id = GpioUapi.AttrIdOutputValues;
            config.Attrs[0].Attribute.Value = outputLevel != 0 ? 1UL : 0UL;
            config.Attrs[0].Mask = 1;
        }
    }

    public void Reconfigure(ulong flags, int outputLevel)
    {
        GpioLineConfig config = default;
        FillConfig(ref config, flags, outputLevel);
        if (Libc.Ioctl(_fd, GpioUapi.LineSetConfig, &config) < 0)
            throw Failure("reconfigure");
    }

    public int Get()
    {
        GpioLineValues values = new() { Mask = 1 };
        if (Libc.Ioctl(_fd, GpioUapi.LineGetValues, &values) < 0)
            throw Failure("read");
        return (int)(values.Bits & 1);
    }

    public void Set(int level)
    {
        GpioLineValues values = new() { Bits = level != 0 ? 1UL : 0UL, Mask = 1 };
        if (Libc.Ioctl(_fd, GpioUapi.LineSetValues, &values) < 0)
            throw Failure("write");
    }

    /// <summary>Drops edge events queued before this wait (an earlier edge is not this wait's answer).</summary>
    public void DrainEvents()
    {
        GpioLineEvent ev;
        var poll = new Libc.PollFd { Fd = _fd.Fd, Events = Libc.POLLIN };
        while (Libc.Poll(&poll, 1, 0) > 0 && (poll.Revents & Libc.POLLIN) != 0)
            if (Libc.Read(_fd, (byte*)&ev, (nuint)sizeof(GpioLineEvent)) <= 0)
                break;
    }

    /// <summary>
    /// Sleeps in poll(2) on the line's event descriptor and <paramref name="wake"/> (an eventfd the caller signals to
    /// cancel) until an edge, the timeout or the wake: no polling loop, no timer ticks. null: timed out or woken.
    /// </summary>
    public GpioLineEvent? WaitEdge(int timeoutMs, SafeFileDescriptor wake)
    {
        Libc.PollFd* fds = stackalloc Libc.PollFd[2];
        long deadline = Environment.TickCount64 + timeoutMs;
        while (true)
        {
            fds[0] = new Libc.PollFd { Fd = _fd.Fd, Events = Libc.POLLIN };
            fds[1] = new Libc.PollFd { Fd = wake.Fd, Events = Libc.POLLIN };
            int left = (int)Math.Max(0, deadline - Environment.TickCount64);
            int ready = Libc.Poll(fds, 2, left);
            if (ready < 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                if (errno == Libc.EINTR)
                    continue;
                throw new GpioException(GpioErrorCodes.Unavailable, $"waiting on line {Offset} of {ChipPath}: {Libc.Describe(errno)}");
            }
            if (ready == 0 || (fds[1].Revents & Libc.POLLIN) != 0)
                return null;
            GpioLineEvent ev;
            nint n = Libc.Read(_fd, (byte*)&ev, (nuint)sizeof(GpioLineEvent));
            if (n == sizeof(GpioLineEvent))
                return ev;
            if (n < 0 && Marshal.GetLastPInvokeError() is not (Libc.EINTR or Libc.EAGAIN))
                throw Failure("read an edge event from");
        }
    }

    private GpioException Failure(string what) =>
        new(GpioErrorCodes.Unavailable, $"cannot {what} line {Offset} of {ChipPath}: {Libc.Describe(Marshal.GetLastPInvokeError())}");

    public void Dispose() => _fd.Dispose();
}
