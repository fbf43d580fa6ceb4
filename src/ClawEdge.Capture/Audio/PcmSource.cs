namespace ClawEdge.Capture.Audio;

/// <summary>What one <see cref="PcmSource.Read"/> brought.</summary>
public enum PcmRead
{
    /// <summary>Frames were read.</summary>
    Data,

    /// <summary>None within the timeout; try again.</summary>
    Timeout,

    /// <summary>The device overran (or was suspended) and has been restarted: samples were lost.</summary>
    Overrun,

    /// <summary>The device is gone (unplugged, driver unloaded): nothing more will come.</summary>
    Gone,
}

/// <summary>
/// Interleaved S16 capture at 48 kHz. One implementation reads ALSA; the seam exists so the capture loop's overrun
/// and device-loss handling is tested without a sound card.
/// </summary>
public abstract class PcmSource : IDisposable
{
    public const int SampleRate = 48_000;

    /// <summary>1 or 2.</summary>
    public abstract int Channels { get; }

    /// <summary>The device name as configured (<c>default</c>, <c>hw:1,0</c>, …).</summary>
    public abstract string Name { get; }

    /// <summary>
    /// Reads up to <c>buffer.Length / Channels</c> frames into <paramref name="buffer"/>, waiting at most
    /// <paramref name="timeoutMs"/>. <paramref name="frames"/> is set for <see cref="PcmRead.Data"/>.
    /// </summary>
    public abstract PcmRead Read(Span<short> buffer, int timeoutMs, out int frames);

    /// <summary>Frames captured but not yet read (how old the next read's first sample is); 0 when unknown.</summary>
    public abstract int BufferedFrames { get; }

    /// <summary>Why the last <see cref="PcmRead.Gone"/> or <see cref="PcmRead.Overrun"/> happened.</summary>
    public abstract string? LastError { get; }

    public abstract void Dispose();
}
