namespace ClawEdge.Capture.Mp4;

/// <summary>
/// The optional second track: Opus as "Encapsulation of Opus in ISO Base Media File Format" (v0.8.1) maps it — an
/// <c>Opus</c> sample entry with its <c>dOps</c>, a 48 kHz media clock, and an edit list that skips the encoder's pre-skip
/// and lines the audio up with the video: audio captured before the first video frame is skipped, audio that began
/// after it is preceded by an empty edit. Its samples follow the video's in the one <c>mdat</c>, as one chunk.
/// </summary>
public sealed partial class Mp4Writer
{
    private OpusTrack? _audio;
    private TimeSpan _audioStart;

    /// <summary>An audio track with samples that fall inside the video's time span (valid after <see cref="Finish"/>).</summary>
    public bool HasAudio => _audio is { Count: > 0 };

    /// <summary>Most header bytes an audio track of <paramref name="packets"/> packets takes: fixed boxes, then its size table.</summary>
    public static int AudioHeaderBytes(int packets) => 1024 + packets * 4;

    /// <summary>
    /// Takes over <paramref name="track"/> (disposed with the writer). <paramref name="start"/> is when its first input
    /// sample was captured, on the clock of the video timestamps.
    /// </summary>
    public void AddOpusTrack(OpusTrack track, TimeSpan start)
    {
        EnsureOpen();
        _audio?.Dispose();
        _audio = track;
        _audioStart = start;
    }

    /// <summary>Audio length in the file, from the video's start (or the audio's, if later) to <paramref name="end"/>.</summary>
    public TimeSpan AudioDuration(TimeSpan end) => HasAudio && _count > 0 ? new TimeSpan(AudioEdit(Math.Max(end.Ticks, _ticks[_count - 1])).SegmentTicks) : TimeSpan.Zero;

    /// <summary>How far the audio starts after the video (negative: captured before it, the difference skipped).</summary>
    public TimeSpan AudioOffset => HasAudio && _count > 0 ? _audioStart - new TimeSpan(_ticks[0]) : TimeSpan.Zero;

    private readonly record struct Edit(long EmptyTicks, long MediaTime, long SegmentTicks);

    private Edit AudioEdit(long endTicks)
    {
        var track = _audio!;
        long t0 = _ticks[0];
        long lead = t0 - _audioStart.Ticks; // > 0: audio began before the first frame
        long skip = lead > 0 ? (long)Math.Round(lead * (OpusTrack.SampleRate / (double)TimeSpan.TicksPerSecond)) : 0;
        long mediaTime = track.PreSkip + skip;
        long available = (long)track.Count * OpusTrack.FrameSamples - mediaTime;
        long segment = Math.Min(endTicks - Math.Max(t0, _audioStart.Ticks),
            (long)Math.Floor(available * (TimeSpan.TicksPerSecond / (double)OpusTrack.SampleRate)));
        return new Edit(Math.Max(0, -lead), mediaTime, Math.Max(0, segment));
    }

    private void DropAudioOutside(long endTicks)
    {
        if (_audio is null || (_audio.Count > 0 && AudioEdit(endTicks).SegmentTicks >= TimeSpan.TicksPerMillisecond))
            return;
        _audio.Dispose();
        _audio = null;
    }

    private void WriteAudioTrak(ref BoxWriter box, long endTicks, long chunkOffset)
    {
        var track = _audio!;
        var edit = AudioEdit(endTicks);
        long emptyMovie = ToMovie(edit.EmptyTicks);
        // Rounded down: an edit that outlasts its media by half a millisecond is one players may pad or refuse.
        long segmentMovie = edit.SegmentTicks / (TimeSpan.TicksPerSecond / MovieTimescale);
        long mediaDuration = (long)track.Count * OpusTrack.FrameSamples;

        int trak = box.Begin("trak");
        int tkhd = box.BeginFull("tkhd", 0, 3); // enabled | in movie
        box.U32(0); box.U32(0);
        box.U32(2); // track id
        box.U32(0);
        box.U32((uint)(emptyMovie + segmentMovie));
        box.Zero(8);
        box.U16(0); box.U16(1); box.U16(0x0100); box.U16(0); // layer, alternate group, volume 1.0, reserved
        WriteMatrix(ref box);
        box.U32(0); box.U32(0); // no picture
        box.End(tkhd);

        int edts = box.Begin("edts");
        int elst = box.BeginFull("elst", 0, 0);
        box.U32(emptyMovie > 0 ? 2u : 1u);
        if (emptyMovie > 0)
        {
            box.U32((uint)emptyMovie);
            box.U32(uint.MaxValue); // media_time -1: nothing plays
            box.U32(0x00010000);
        }
        box.U32((uint)segmentMovie);
        box.U32((uint)edit.MediaTime);
        box.U32(0x00010000); // rate 1.0
        box.End(elst);
        box.End(edts);

        int mdia = box.Begin("mdia");
        WriteMediaHeader(ref box, OpusTrack.SampleRate, mediaDuration, "soun", "SoundHandler\0"u8);

        int minf = box.Begin("minf");
        int smhd = box.BeginFull("smhd", 0, 0);
        box.Zero(4); // balance, reserved
        box.End(smhd);
        WriteDinf(ref box);

        int stbl = box.Begin("stbl");
        int stsd = box.BeginFull("stsd", 0, 0);
        box.U32(1);
        WriteOpusSampleEntry(ref box, track.Channels, track.PreSkip);
        box.End(stsd);

        int stts = box.BeginFull("stts", 0, 0);
        box.U32(1);
        box.U32((uint)track.Count);
        box.U32(OpusTrack.FrameSamples);
        box.End(stts);

        WriteOneChunk(ref box, track.Sizes, chunkOffset);
        box.End(stbl);
        box.End(minf);
        box.End(mdia);
        box.End(trak);
    }

    /// <summary>AudioSampleEntry <c>Opus</c> with its <c>dOps</c> (channel mapping family 0: mono or stereo).</summary>
    internal static void WriteOpusSampleEntry(ref BoxWriter box, int channels, int preSkip)
    {
        int entry = box.Begin("Opus");
        box.Zero(6);
        box.U16(1); // data reference index
        box.Zero(8);
        box.U16((ushort)channels);
        box.U16(16); // sample size
        box.U16(0);  // pre-defined
        box.U16(0);
        box.U32((uint)OpusTrack.SampleRate << 16);
        int dops = box.Begin("dOps");
        box.U8(0); // version
        box.U8((byte)channels);
        box.U16((ushort)preSkip);
        box.U32(OpusTrack.SampleRate); // input sample rate
        box.U16(0); // output gain
        box.U8(0);  // channel mapping family
        box.End(dops);
        box.End(entry);
    }
}
