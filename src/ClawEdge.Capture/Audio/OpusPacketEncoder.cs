using ClawEdge.Capture.Mp4;
using ClawEdge.Capture.Native;

namespace ClawEdge.Capture.Audio;

/// <summary>
/// 20 ms Opus packets at 48 kHz through libopus (application "audio"), 48 kb/s mono or 64 kb/s stereo, each packet
/// capped at twice its average size so a recording's audio fits the room reserved for it beside the video.
/// </summary>
public sealed unsafe class OpusPacketEncoder : IDisposable
{
    private readonly OpusEncoderHandle _encoder;

    private OpusPacketEncoder(OpusEncoderHandle encoder, int channels, int preSkip)
    {
        _encoder = encoder;
        Channels = channels;
        PreSkip = preSkip;
    }

    public int Channels { get; }
    public int PreSkip { get; }

    public static int BitrateFor(int channels) => channels == 1 ? 48_000 : 64_000;

    /// <summary>Largest packet this encoder writes: twice the average of a 20 ms packet.</summary>
    public static int MaxPacketBytes(int channels) => BitrateFor(channels) / 8 / 50 * 2;

    public static OpusPacketEncoder? TryCreate(int channels, out string? reason)
    {
        if (!Opus.TryLoad(out reason))
            return null;
        int error;
        nint raw = Opus.EncoderCreate(OpusTrack.SampleRate, channels, Opus.ApplicationAudio, &error);
        if (raw == 0)
        {
            reason = $"libopus refused an encoder for {channels} channel(s) (error {error})";
            return null;
        }
        var handle = new OpusEncoderHandle(raw);
        Opus.CtlInt(raw, Opus.SetBitrateRequest, BitrateFor(channels));
        int lookahead;
        if (Opus.CtlGetInt(raw, Opus.GetLookaheadRequest, &lookahead) < 0)
            lookahead = 312; // libopus' delay at 48 kHz for the audio application
        return new OpusPacketEncoder(handle, channels, lookahead);
    }

    /// <summary>Encodes one period of <see cref="OpusTrack.FrameSamples"/> frames into <paramref name="packet"/>; returns its bytes.</summary>
    public int Encode(ReadOnlySpan<short> period, Span<byte> packet)
    {
        int written;
        fixed (short* pcm = period)
        fixed (byte* data = packet)
            written = Opus.Encode(_encoder.DangerousGetHandle(), pcm, OpusTrack.FrameSamples, data, packet.Length);
        if (written < 0)
            throw new InvalidOperationException($"opus_encode failed ({written})");
        return written;
    }

    public void Dispose() => _encoder.Dispose();
}
