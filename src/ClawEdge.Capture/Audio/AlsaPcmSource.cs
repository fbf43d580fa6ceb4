using System.Text;
using ClawEdge.Capture.Native;
using ClawEdge.Platform.Native;

namespace ClawEdge.Capture.Audio;

/// <summary>
/// An ALSA capture PCM: S16_LE, 48 kHz, 1 or 2 channels (the fewest the device offers; through <c>plug</c> or a
/// sound server that is mono), non-blocking with <c>snd_pcm_wait</c> so every wait is bounded and a stop is
/// seen within one timeout. Overruns are recovered with <c>snd_pcm_recover</c> and reported.
/// </summary>
public sealed unsafe class AlsaPcmSource : PcmSource
{
    // 200 ms of device buffer: a busy core may stall the loop that long before samples are lost.
    private const uint LatencyMicroseconds = 200_000;

    private readonly AlsaPcmHandle _pcm;
    private string? _lastError;

    private AlsaPcmSource(AlsaPcmHandle pcm, string name, int channels)
    {
        _pcm = pcm;
        Name = name;
        Channels = channels;
    }

    public override int Channels { get; }
    public override string Name { get; }
    public override string? LastError => _lastError;

    /// <summary>Opens <paramref name="device"/> for capture, or null with a reason a person can act on.</summary>
    public static AlsaPcmSource? TryOpen(string device, out string? reason)
    {
        if (!Alsa.TryLoad(out reason))
            return null;
        nint raw;
        int rc;
        var name = Encoding.UTF8.GetBytes(device + "\0");
        fixed (byte* p = name)
            // Non-blocking open: a device another program holds answers EBUSY at once instead of making us wait.
            rc = Alsa.PcmOpen(&raw, p, Alsa.StreamCapture, Alsa.NonBlock);
        if (rc < 0)
        {
            reason = -rc switch
            {
                Libc.EBUSY => $"audio device {device} is busy (another program is recording from it)",
                Libc.ENOENT or Libc.ENODEV or Libc.ENXIO => $"no audio capture device {device} ({Alsa.Describe(rc)}); set Audio:Device to one `arecord -L` lists",
                _ => $"audio device {device} could not be opened: {Alsa.Describe(rc)}",
            };
            return null;
        }
        var pcm = new AlsaPcmHandle(raw);
        int channels = FewestChannels(raw);
        rc = Alsa.PcmSetParams(raw, Alsa.FormatS16Le, Alsa.AccessRwInterleaved, (uint)channels, SampleRate, 1, LatencyMicroseconds);
        if (rc < 0)
        {
            pcm.Dispose();
            reason = $"audio device {device} cannot capture 16-bit {SampleRate} Hz with {channels} channel(s): {Alsa.Describe(rc)}";
            return null;
        }
        // snd_pcm_set_params sets the start threshold to a full buffer, and a capture stream starts by itself only when
        // one read asks for that many frames: ours ask for a period, so a real card would sit prepared, never filling.
        // (Plugins such as `file` over `null` run anyway, which is why only real kernel devices showed it.)
        rc = Alsa.PcmStart(raw);
        if (rc < 0)
        {
            pcm.Dispose();
            reason = $"audio device {device} would not start capturing: {Alsa.Describe(rc)}";
            return null;
        }
        reason = null;
        return new AlsaPcmSource(pcm, device, channels);
    }

    private static int FewestChannels(nint pcm)
    {
        nint hw;
        if (Alsa.HwParamsMalloc(&hw) < 0)
            return 1;
        try
        {
            uint min;
            if (Alsa.HwParamsAny(pcm, hw) < 0 || Alsa.HwParamsGetChannelsMin(hw, &min) < 0)
                return 1;
            return min >= 2 ? 2 : 1;
        }
        finally
        {
            Alsa.HwParamsFree(hw);
        }
    }

    public override PcmRead Read(Span<short> buffer, int timeoutMs, out int frames)
    {
        frames = 0;
        nint pcm = _pcm.DangerousGetHandle();
        nint rc;
        fixed (short* p = buffer)
            rc = Alsa.PcmReadi(pcm, p, (nuint)(buffer.Length / Channels));
        if (rc > 0)
        {
            frames = (int)rc;
            return PcmRead.Data;
        }
        if (rc == -Libc.EAGAIN || rc == 0)
        {
            int ready = Alsa.PcmWait(pcm, timeoutMs);
            if (ready >= 0)
                return PcmRead.Timeout; // ready or not, the caller reads again
            rc = ready;
        }
        if (rc == -Libc.EINTR)
            return PcmRead.Timeout;
        int error = (int)rc;
        if (error is -Libc.EPIPE or -Libc.ESTRPIPE)
        {
            _lastError = Alsa.Describe(error);
            // Recovery leaves the stream prepared, not running: it must be started again, as at open.
            if (Alsa.PcmRecover(pcm, error, 1) < 0)
                return Lost(error);
            int started = Alsa.PcmStart(pcm);
            return started >= 0 ? PcmRead.Overrun : Lost(started);
        }
        return Lost(error);
    }

    private PcmRead Lost(int error)
    {
        _lastError = Alsa.Describe(error);
        return PcmRead.Gone;
    }

    public override int BufferedFrames
    {
        get
        {
            nint delay;
            return Alsa.PcmDelay(_pcm.DangerousGetHandle(), &delay) >= 0 && delay > 0 ? (int)Math.Min(delay, int.MaxValue) : 0;
        }
    }

    public override void Dispose() => _pcm.Dispose();
}
