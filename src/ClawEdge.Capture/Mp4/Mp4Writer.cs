using System.Buffers.Binary;
using System.Buffers;
using ClawEdge.Platform;

namespace ClawEdge.Capture.Mp4;

/// <summary>The video coding inside an MP4 we write.</summary>
public enum VideoCodec
{
    H264,
    Mjpeg,
}

/// <summary>What happened to a sample handed to <see cref="Mp4Writer"/>.</summary>
public enum SampleOutcome
{
    Added,

    /// <summary>Not decodable on its own yet (H.264 before the first IDR with its SPS/PPS) or empty.</summary>
    Dropped,
}

/// <summary>
/// Writes one video track as a progressive (non-fragmented) ISO BMFF file: <c>ftyp</c>, <c>moov</c>, then one
/// <c>mdat</c> — "fast start", which browsers play before the last byte arrives. Samples go into pooled
/// 1 MiB chunks as they come; the tables (size, decode time, key flag) live in arrays sized once for the longest
/// recording, so adding a frame allocates nothing. Because the <c>moov</c> is built only in <see cref="Finish"/>,
/// a recording can stop at any moment and still yield a complete file.
/// Sample durations are the differences between real capture timestamps; the last frame lasts until the
/// end time the caller gives, so the file is as long as the recording really was.
/// </summary>
public sealed partial class Mp4Writer : IDisposable
{
    /// <summary>Media time units per second: 90 kHz, the usual video clock, exact for every common frame rate.</summary>
    public const int Timescale = 90_000;

    private const int MovieTimescale = 1000;

    private readonly ChunkedBuffer _media;
    private readonly int[] _sizes;
    private readonly long[] _ticks;
    private readonly bool[] _sync;
    private readonly byte[] _sps = new byte[256];
    private readonly byte[] _pps = new byte[256];
    private int _spsLength, _ppsLength;
    private int _count;
    private long _sampleStart = -1;
    private byte[]? _header;
    private int _headerLength;

    /// <param name="maxSamples">Table capacity; a sample past it throws <see cref="BufferFullException"/>.</param>
    /// <param name="maxMediaBytes">Byte budget for the sample data (the payload limit); past it <see cref="BufferFullException"/>.</param>
    public Mp4Writer(VideoCodec codec, int width, int height, int maxSamples, long maxMediaBytes)
    {
        if (width <= 0 || height <= 0 || width > 16384 || height > 16384)
            throw new ArgumentOutOfRangeException(nameof(width), $"{width}x{height}");
        Codec = codec;
        Width = width;
        Height = height;
        _media = new ChunkedBuffer(maxMediaBytes);
        _sizes = new int[maxSamples];
        _ticks = new long[maxSamples];
        _sync = new bool[maxSamples];
    }

    public VideoCodec Codec { get; }
    public int Width { get; }
    public int Height { get; }

    public int SampleCount => _count;

    /// <summary>The sample tables are full: further samples would throw.</summary>
    public bool IsFull => _count >= _sizes.Length;

    public long MediaBytes => _media.Length + (_audio?.DataBytes ?? 0);

    /// <summary>Pooled bytes holding the samples (what a recording's storage costs; rented 1 MiB at a time).</summary>
    public long MediaStorageBytes => _media.RentedBytes;

    /// <summary>Capture time of the first sample; the file's time zero.</summary>
    public TimeSpan FirstTimestamp => _count > 0 ? new TimeSpan(_ticks[0]) : TimeSpan.Zero;

    public TimeSpan LastTimestamp => _count > 0 ? new TimeSpan(_ticks[_count - 1]) : TimeSpan.Zero;

    /// <summary>
    /// Most bytes <c>ftyp</c> + <c>moov</c> + the <c>mdat</c> header take for <paramref name="samples"/> samples: fixed boxes
    /// and the largest parameter sets, then at most 16 table bytes a sample (size, time, sync flag).
    /// </summary>
    public static int MaxHeaderBytes(int samples) => 2048 + 2 * 256 + samples * 16;

    /// <summary>Total file size, valid after <see cref="Finish"/>.</summary>
    public long Length => _headerLength + MediaBytes;

    /// <summary>
    /// Starts a sample written straight into the media buffer (a JPEG encoder writes here: no copy).
    /// Follow with <see cref="EndSample"/> or <see cref="CancelSample"/>.
    /// </summary>
    public IBufferWriter<byte> BeginSample()
    {
        EnsureOpen();
        if (_count >= _sizes.Length)
            throw new BufferFullException(_sizes.Length);
        _sampleStart = _media.Length;
        return _media;
    }

    public SampleOutcome EndSample(TimeSpan timestamp, bool sync = true)
    {
        if (_sampleStart < 0)
            throw new InvalidOperationException("no sample started");
        long size = _media.Length - _sampleStart;
        long start = _sampleStart;
        _sampleStart = -1;
        if (size == 0 || (_count > 0 && timestamp.Ticks < _ticks[_count - 1]))
        {
            _media.Truncate(start);
            return SampleOutcome.Dropped;
        }
        _sizes[_count] = checked((int)size);
        _ticks[_count] = timestamp.Ticks;
        _sync[_count] = sync;
        _count++;
        return SampleOutcome.Added;
    }

    public void CancelSample()
    {
        if (_sampleStart >= 0)
            _media.Truncate(_sampleStart);
        _sampleStart = -1;
    }

    /// <summary>
    /// Adds one H.264 access unit in Annex-B form (start codes). SPS and PPS are taken into the sample
    /// entry (the first of each) and left out of the samples, as <c>avc1</c> wants; access unit delimiters
    /// are dropped; every other NAL unit is stored with a 4-byte length prefix. Until an IDR has arrived
    /// with its parameter sets, access units are dropped: a file must start decodable.
    /// </summary>
    public SampleOutcome AddAnnexB(ReadOnlySpan<byte> accessUnit, TimeSpan timestamp)
    {
        bool idr = false;
        var rest = accessUnit;
        while (NextNal(ref rest, out var nal))
        {
            int type = nal[0] & 0x1F;
            if (type == 7 && _spsLength == 0 && nal.Length <= _sps.Length)
                _spsLength = Store(nal, _sps);
            else if (type == 8 && _ppsLength == 0 && nal.Length <= _pps.Length)
                _ppsLength = Store(nal, _pps);
            else if (type == 5)
                idr = true;
        }
        if (_spsLength == 0 || _ppsLength == 0 || (_count == 0 && !idr))
            return SampleOutcome.Dropped;

        var writer = BeginSample();
        rest = accessUnit;
        while (NextNal(ref rest, out var nal))
        {
            int type = nal[0] & 0x1F;
            if (type is 7 or 8 or 9)
                continue;
            var span = writer.GetSpan(4 + nal.Length);
            BinaryPrimitives.WriteInt32BigEndian(span, nal.Length);
            nal.CopyTo(span[4..]);
            writer.Advance(4 + nal.Length);
        }
        return EndSample(timestamp, idr);
    }

    private static int Store(ReadOnlySpan<byte> nal, byte[] target)
    {
        nal.CopyTo(target);
        return nal.Length;
    }

    /// <summary>Splits off the next NAL unit (without start code or trailing zero bytes) of an Annex-B stream.</summary>
    internal static bool NextNal(ref ReadOnlySpan<byte> stream, out ReadOnlySpan<byte> nal)
    {
        int start = FindStartCode(stream, 0, out int codeLength);
        if (start < 0)
        {
            nal = default;
            stream = default;
            return false;
        }
        int begin = start + codeLength;
        int next = FindStartCode(stream, begin, out _);
        int end = next < 0 ? stream.Length : next;
        nal = stream[begin..end];
        while (nal.Length > 0 && nal[^1] == 0)
            nal = nal[..^1];
        stream = next < 0 ? default : stream[next..];
        if (nal.IsEmpty)
            return NextNal(ref stream, out nal);
        return true;
    }

    private static int FindStartCode(ReadOnlySpan<byte> data, int from, out int length)
    {
        length = 3;
        int hit = from >= data.Length ? -1 : data[from..].IndexOf((ReadOnlySpan<byte>)[0, 0, 1]);
        return hit < 0 ? -1 : from + hit;
    }

    /// <summary>
    /// Closes the file: the last sample lasts until <paramref name="end"/> (at least one tick). Builds
    /// <c>ftyp</c> and <c>moov</c>; the caller then reads the file with <see cref="CopyTo"/> or <see cref="AsSequence"/>.
    /// </summary>
    public void Finish(TimeSpan end)
    {
        EnsureOpen();
        if (_count == 0)
            throw new InvalidOperationException("no samples");
        CancelSample();
        if (Codec == VideoCodec.H264 && (_spsLength == 0 || _ppsLength == 0))
            throw new InvalidOperationException("no H.264 parameter sets");
        long endTicks = Math.Max(end.Ticks, _ticks[_count - 1]);
        DropAudioOutside(endTicks);

        _header = LargeArrayPool.Shared.Rent(MaxHeaderBytes(_count) + (_audio is null ? 0 : AudioHeaderBytes(_audio.Count)));
        var box = new BoxWriter(_header);
        WriteFtyp(ref box);
        // Two passes: the chunk offset inside moov depends on moov's own size.
        int moovStart = box.Position;
        WriteMoov(ref box, endTicks, chunkOffset: 0);
        long mediaBytes = MediaBytes;
        int mdatHeader = mediaBytes + 8 > uint.MaxValue ? 16 : 8;
        long chunkOffset = box.Position + mdatHeader;
        box.Position = moovStart;
        WriteMoov(ref box, endTicks, chunkOffset);
        if (mdatHeader == 8)
        {
            box.U32((uint)(mediaBytes + 8));
            box.FourCc("mdat");
        }
        else
        {
            box.U32(1);
            box.FourCc("mdat");
            box.U64((ulong)mediaBytes + 16);
        }
        _headerLength = box.Position;
    }

    /// <summary>File duration in ms as written in <c>mvhd</c>.</summary>
    public long DurationMs(TimeSpan end) => ToMovie(Math.Max(end.Ticks, LastTimestamp.Ticks) - _ticks[0]);

    private static long ToMedia(long ticks) => (long)Math.Round(ticks * (Timescale / (double)TimeSpan.TicksPerSecond));

    private static long ToMovie(long ticks) => (long)Math.Round(ticks * (MovieTimescale / (double)TimeSpan.TicksPerSecond));

    private void WriteFtyp(ref BoxWriter box)
    {
        int at = box.Begin("ftyp");
        box.FourCc("isom");
        box.U32(0x200);
        box.FourCc("isom");
        box.FourCc("iso2");
        box.FourCc(Codec == VideoCodec.H264 ? "avc1" : "iso6");
        box.FourCc("mp41");
        box.End(at);
    }

    private void WriteMoov(ref BoxWriter box, long endTicks, long chunkOffset)
    {
        long t0 = _ticks[0];
        long mediaDuration = ToMedia(endTicks - t0);
        if (mediaDuration <= ToMedia(_ticks[_count - 1] - t0))
            mediaDuration = ToMedia(_ticks[_count - 1] - t0) + 1;
        long movieDuration = ToMovie(endTicks - t0);

        int moov = box.Begin("moov");
        int mvhd = box.BeginFull("mvhd", 0, 0);
        box.U32(0); box.U32(0);
        box.U32(MovieTimescale);
        box.U32((uint)movieDuration);
        box.U32(0x00010000); // rate 1.0
        box.U16(0x0100);     // volume 1.0
        box.Zero(10);
        WriteMatrix(ref box);
        box.Zero(24);
        box.U32(HasAudio ? 3u : 2u); // next track id
        box.End(mvhd);

        int trak = box.Begin("trak");
        int tkhd = box.BeginFull("tkhd", 0, 3); // enabled | in movie
        box.U32(0); box.U32(0);
        box.U32(1); // track id
        box.U32(0);
        box.U32((uint)movieDuration);
        box.Zero(8);
        box.U16(0); box.U16(0); box.U16(0); box.U16(0); // layer, group, volume, reserved
        WriteMatrix(ref box);
        box.U32((uint)Width << 16);
        box.U32((uint)Height << 16);
        box.End(tkhd);

        int mdia = box.Begin("mdia");
        WriteMediaHeader(ref box, Timescale, mediaDuration, "vide", "VideoHandler\0"u8);

        int minf = box.Begin("minf");
        int vmhd = box.BeginFull("vmhd", 0, 1);
        box.Zero(8);
        box.End(vmhd);
        WriteDinf(ref box);

        int stbl = box.Begin("stbl");
        WriteStsd(ref box);

        int stts = box.BeginFull("stts", 0, 0);
        int countAt = box.Position;
        box.U32(0);
        uint runs = 0;
        long previous = 0;
        uint runLength = 0;
        long runDelta = -1;
        for (int i = 0; i < _count; i++)
        {
            long next = i + 1 < _count ? ToMedia(_ticks[i + 1] - t0) : mediaDuration;
            long delta = Math.Max(1, next - previous);
            previous += delta;
            if (delta == runDelta)
            {
                runLength++;
                continue;
            }
            if (runLength > 0)
            {
                box.U32(runLength);
                box.U32((uint)runDelta);
                runs++;
            }
            runDelta = delta;
            runLength = 1;
        }
        box.U32(runLength);
        box.U32((uint)runDelta);
        runs++;
        box.PatchU32(countAt, runs);
        box.End(stts);

        if (Codec == VideoCodec.H264)
        {
            int stss = box.BeginFull("stss", 0, 0);
            int syncAt = box.Position;
            box.U32(0);
            uint syncs = 0;
            for (int i = 0; i < _count; i++)
            {
                if (!_sync[i])
                    continue;
                box.U32((uint)i + 1);
                syncs++;
            }
            box.PatchU32(syncAt, syncs);
            box.End(stss);
        }

        WriteOneChunk(ref box, _sizes.AsSpan(0, _count), chunkOffset);
        box.End(stbl);
        box.End(minf);
        box.End(mdia);
        box.End(trak);
        if (HasAudio)
            WriteAudioTrak(ref box, endTicks, chunkOffset + _media.Length);
        box.End(moov);
    }

    private static void WriteDinf(ref BoxWriter box)
    {
        int dinf = box.Begin("dinf");
        int dref = box.BeginFull("dref", 0, 0);
        box.U32(1);
        int url = box.BeginFull("url ", 0, 1); // media in this file
        box.End(url);
        box.End(dref);
        box.End(dinf);
    }

    /// <summary><c>mdhd</c> and <c>hdlr</c> of a track (language "und").</summary>
    private static void WriteMediaHeader(ref BoxWriter box, uint timescale, long mediaDuration, string handler, ReadOnlySpan<byte> name)
    {
        int mdhd = box.BeginFull("mdhd", 0, 0);
        box.U32(0); box.U32(0);
        box.U32(timescale);
        box.U32((uint)mediaDuration);
        box.U16(0x55C4); // "und"
        box.U16(0);
        box.End(mdhd);
        int hdlr = box.BeginFull("hdlr", 0, 0);
        box.U32(0);
        box.FourCc(handler);
        box.Zero(12);
        box.Bytes(name);
        box.End(hdlr);
    }

    /// <summary>A track whose samples, of <paramref name="sizes"/>, are one chunk at <paramref name="chunkOffset"/>: stsc, stsz, stco/co64.</summary>
    private static void WriteOneChunk(ref BoxWriter box, ReadOnlySpan<int> sizes, long chunkOffset)
    {
        int stsc = box.BeginFull("stsc", 0, 0);
        box.U32(1);
        box.U32(1);                   // first chunk
        box.U32((uint)sizes.Length);  // every sample in the one chunk
        box.U32(1);                   // sample description index
        box.End(stsc);

        int stsz = box.BeginFull("stsz", 0, 0);
        box.U32(0);
        box.U32((uint)sizes.Length);
        foreach (int size in sizes)
            box.U32((uint)size);
        box.End(stsz);

        WriteOneChunkOffset(ref box, chunkOffset);
    }

    private static void WriteOneChunkOffset(ref BoxWriter box, long chunkOffset)
    {
        if (chunkOffset > uint.MaxValue)
        {
            int co64 = box.BeginFull("co64", 0, 0);
            box.U32(1);
            box.U64((ulong)chunkOffset);
            box.End(co64);
        }
        else
        {
            int stco = box.BeginFull("stco", 0, 0);
            box.U32(1);
            box.U32((uint)chunkOffset);
            box.End(stco);
        }
    }

    private void WriteStsd(ref BoxWriter box)
    {
        int stsd = box.BeginFull("stsd", 0, 0);
        box.U32(1);
        int entry = box.Begin(Codec == VideoCodec.H264 ? "avc1" : "mp4v");
        box.Zero(6);
        box.U16(1); // data reference index
        box.Zero(16);
        box.U16((ushort)Width);
        box.U16((ushort)Height);
        box.U32(0x00480000); // 72 dpi
        box.U32(0x00480000);
        box.U32(0);
        box.U16(1); // frames per sample
        box.Zero(32); // compressor name
        box.U16(0x0018);
        box.U16(0xFFFF);
        if (Codec == VideoCodec.H264)
        {
            int avcc = box.Begin("avcC");
            box.U8(1);
            box.U8(_sps[1]); // profile
            box.U8(_sps[2]); // constraint flags
            box.U8(_sps[3]); // level
            box.U8(0xFF);    // 4-byte NAL lengths
            box.U8(0xE1);    // one SPS
            box.U16((ushort)_spsLength);
            box.Bytes(_sps.AsSpan(0, _spsLength));
            box.U8(1);       // one PPS
            box.U16((ushort)_ppsLength);
            box.Bytes(_pps.AsSpan(0, _ppsLength));
            box.End(avcc);
        }
        else
        {
            // MPEG-4 systems registration of JPEG (ISO/IEC 10918-1): objectTypeIndication 0x6C, as FFmpeg's mp4 muxer writes it.
            int esds = box.BeginFull("esds", 0, 0);
            box.U8(0x03); box.U8(3 + 5 + 13 + 3); // ES_Descriptor
            box.U16(1);   // ES_ID
            box.U8(0);
            box.U8(0x04); box.U8(13);             // DecoderConfigDescriptor
            box.U8(0x6C);
            box.U8(0x11);                         // visual stream
            box.U8(0); box.U16(0);                // buffer size
            box.U32(0);                           // max bitrate
            box.U32(0);                           // average bitrate
            box.U8(0x06); box.U8(1); box.U8(2);   // SLConfigDescriptor: MP4
            box.End(esds);
        }
        box.End(entry);
        box.End(stsd);
    }

    private static void WriteMatrix(ref BoxWriter box)
    {
        box.U32(0x00010000); box.U32(0); box.U32(0);
        box.U32(0); box.U32(0x00010000); box.U32(0);
        box.U32(0); box.U32(0); box.U32(0x40000000);
    }

    /// <summary>Copies the finished file into <paramref name="destination"/> (at least <see cref="Length"/> bytes).</summary>
    public void CopyTo(Span<byte> destination)
    {
        var at = 0;
        foreach (var segment in AsSequence())
        {
            segment.Span.CopyTo(destination[at..]);
            at += segment.Length;
        }
    }

    /// <summary>
    /// The finished file as it lies in memory — the header, then the media chunks — without copying it: a reader
    /// (base64 into a frame) walks the chunks. Valid until the writer is disposed.
    /// </summary>
    public ReadOnlySequence<byte> AsSequence()
    {
        EnsureFinished();
        var first = new FileSegment(_header.AsMemory(0, _headerLength), 0);
        var last = first;
        for (int i = 0; i < _media.SegmentCount; i++)
            last = last.Append(_media.Segment(i));
        if (_audio is { DataBytes: > 0 })
            last = last.Append(_audio.Data);
        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    private sealed class FileSegment : ReadOnlySequenceSegment<byte>
    {
        public FileSegment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public FileSegment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new FileSegment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }

    private void EnsureOpen()
    {
        if (_header is not null)
            throw new InvalidOperationException("file already finished");
    }

    private void EnsureFinished()
    {
        if (_header is null)
            throw new InvalidOperationException("call Finish first");
    }

    public void Dispose()
    {
        _media.Dispose();
        _audio?.Dispose();
        _audio = null;
        if (_header is not null)
            LargeArrayPool.Shared.Return(_header);
        _header = null;
    }
}
