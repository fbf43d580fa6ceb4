using System.Buffers.Binary;
using System.Text;
using ClawEdge.Capture.Mp4;

namespace ClawEdge.Tests.Media;

/// <summary>The Opus track as "Encapsulation of Opus in ISO Base Media File Format" lays it out, byte for byte.</summary>
public class OpusTrackTests
{
    [Test]
    public async Task Sample_entry_is_Opus_with_a_version_0_dOps()
    {
        var buffer = new byte[128];
        var box = new BoxWriter(buffer);
        Mp4Writer.WriteOpusSampleEntry(ref box, channels: 2, preSkip: 312);
        byte[] expected =
        [
            0, 0, 0, 55, (byte)'O', (byte)'p', (byte)'u', (byte)'s',
            0, 0, 0, 0, 0, 0, 0, 1,                 // reserved, data reference index 1
            0, 0, 0, 0, 0, 0, 0, 0,                 // reserved
            0, 2, 0, 16, 0, 0, 0, 0,                // channel count, sample size 16, pre-defined, reserved
            0xBB, 0x80, 0, 0,                       // 48000 << 16
            0, 0, 0, 19, (byte)'d', (byte)'O', (byte)'p', (byte)'s',
            0,                                      // Version
            2,                                      // OutputChannelCount
            0x01, 0x38,                             // PreSkip 312
            0, 0, 0xBB, 0x80,                       // InputSampleRate 48000
            0, 0,                                   // OutputGain
            0,                                      // ChannelMappingFamily
        ];
        await Assert.That(Convert.ToHexString(buffer, 0, box.Position)).IsEqualTo(Convert.ToHexString(expected));
    }

    [Test]
    public async Task Audio_captured_before_the_first_frame_is_skipped_by_the_edit_list_after_the_pre_skip()
    {
        // Audio began 30 ms before the video: the edit starts 312 + 1440 samples into the media and lasts the video's 120 ms.
        var (edits, file) = Write(audioStart: TimeSpan.FromMilliseconds(970), packets: 10, end: TimeSpan.FromMilliseconds(1120));
        await Assert.That(Text(edits)).IsEqualTo("120@1752");
        await Assert.That(Mdhd(file, 2)).IsEqualTo((48_000u, 10u * 960));
        await Assert.That(Convert.ToHexString(Find(file, "stts", 1)[16..24])).IsEqualTo("0000000A000003C0"); // one run: 10 × 960
    }

    [Test]
    public async Task Audio_that_began_after_the_first_frame_waits_behind_an_empty_edit()
    {
        var (edits, _) = Write(audioStart: TimeSpan.FromMilliseconds(1010), packets: 10, end: TimeSpan.FromMilliseconds(1120));
        await Assert.That(Text(edits)).IsEqualTo("10@-1 110@312");
    }

    [Test]
    public async Task Audio_that_ended_early_lasts_as_long_as_its_samples()
    {
        // 3 packets = 60 ms of media, less the pre-skip: 53 ms of sound in a 120 ms clip.
        var (edits, _) = Write(audioStart: TimeSpan.FromMilliseconds(1000), packets: 3, end: TimeSpan.FromMilliseconds(1120));
        await Assert.That(Text(edits)).IsEqualTo("53@312");
    }

    [Test]
    public async Task Audio_entirely_before_the_video_is_left_out()
    {
        using var writer = Video(out _);
        writer.AddOpusTrack(Track(2), TimeSpan.FromMilliseconds(500));
        writer.Finish(TimeSpan.FromMilliseconds(1120));
        await Assert.That(writer.HasAudio).IsFalse();
        var file = new byte[writer.Length];
        writer.CopyTo(file);
        await Assert.That(Encoding.ASCII.GetString(file).Contains("soun")).IsFalse();
    }

    private static (List<(long Segment, long MediaTime)> Edits, byte[] File) Write(TimeSpan audioStart, int packets, TimeSpan end)
    {
        using var writer = Video(out long videoBytes);
        var track = Track(packets);
        writer.AddOpusTrack(track, audioStart);
        writer.Finish(end);
        var file = new byte[writer.Length];
        writer.CopyTo(file);
        // The audio chunk follows the video samples in the one mdat.
        var stco = Find(file, "stco", 1);
        uint audioChunk = BinaryPrimitives.ReadUInt32BigEndian(stco[16..]);
        var firstStco = Find(file, "stco", 0);
        uint videoChunk = BinaryPrimitives.ReadUInt32BigEndian(firstStco[16..]);
        if (audioChunk != videoChunk + videoBytes || file[(int)audioChunk] != 0xA0)
            throw new InvalidOperationException("audio chunk offset is wrong");
        var elst = Find(file, "elst", 0);
        int count = BinaryPrimitives.ReadInt32BigEndian(elst[12..]);
        var edits = new List<(long, long)>();
        for (int i = 0; i < count; i++)
        {
            var entry = elst[(16 + i * 12)..];
            edits.Add((BinaryPrimitives.ReadUInt32BigEndian(entry), BinaryPrimitives.ReadInt32BigEndian(entry[4..])));
        }
        return (edits, file);
    }

    /// <summary>Three MJPEG samples at 1000, 1040 and 1080 ms.</summary>
    private static Mp4Writer Video(out long mediaBytes)
    {
        var writer = new Mp4Writer(VideoCodec.Mjpeg, 16, 16, 8, 1 << 20);
        for (int i = 0; i < 3; i++)
        {
            var sink = writer.BeginSample();
            sink.GetSpan(100)[..100].Fill(0x11);
            sink.Advance(100);
            writer.EndSample(TimeSpan.FromMilliseconds(1000 + 40 * i));
        }
        mediaBytes = 300;
        return writer;
    }

    private static OpusTrack Track(int packets)
    {
        var track = new OpusTrack(1, 312, 16, 240);
        for (int i = 0; i < packets; i++)
        {
            track.NextPacket()[..20].Fill((byte)(0xA0 + i));
            track.Commit(20);
        }
        return track;
    }

    /// <summary>Edits as "segment ms@media time" for readable failures.</summary>
    private static string Text(List<(long Segment, long MediaTime)> edits) => string.Join(' ', edits.Select(e => $"{e.Segment}@{e.MediaTime}"));

    private static (uint Timescale, uint Duration) Mdhd(byte[] file, int track)
    {
        var mdhd = Find(file, "mdhd", track - 1);
        return (BinaryPrimitives.ReadUInt32BigEndian(mdhd[20..]), BinaryPrimitives.ReadUInt32BigEndian(mdhd[24..]));
    }

    /// <summary>The <paramref name="nth"/> box of <paramref name="type"/>, from its size field on.</summary>
    private static ReadOnlySpan<byte> Find(byte[] file, string type, int nth)
    {
        var name = Encoding.ASCII.GetBytes(type);
        int at = -1;
        for (int seen = -1; seen < nth; seen++)
        {
            int next = file.AsSpan(at + 1).IndexOf(name);
            if (next < 0)
                throw new InvalidOperationException($"no {type} #{nth}");
            at += 1 + next;
        }
        at -= 4;
        int size = BinaryPrimitives.ReadInt32BigEndian(file.AsSpan(at));
        return file.AsSpan(at, size);
    }
}
