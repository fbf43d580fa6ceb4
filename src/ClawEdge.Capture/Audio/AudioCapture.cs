using System.Buffers;
using System.Diagnostics;
using ClawEdge.Capture.Mp4;

namespace ClawEdge.Capture.Audio;

/// <summary>
/// Records a <see cref="PcmSource"/> into an <see cref="OpusTrack"/> on a thread of its own while a video recorder
/// runs: one pooled 20 ms period buffer, encoded straight into the track's storage, so a period allocates nothing.
/// Time comes from the monotonic clock: the first period is stamped with when its first sample was captured (read
/// time less what the device still buffers), every later one follows it by its sample count. An overrun is recovered
/// and its lost time filled with silence so the track stays in step with the video; a device that goes away ends
/// the track there. A source that delivers faster than real time (a file or null plugin) is held to the clock.
/// Until <see cref="MarkVideoStart"/> only the newest few periods are kept: a camera may take seconds to deliver its
/// first frame, and audio from before it is trimmed from the file anyway.
/// </summary>
public sealed class AudioCapture : IDisposable
{
    private const int PreRollPackets = 3;
    private const int ReadTimeoutMs = 50;
    private static readonly double TicksPerFrame = Stopwatch.Frequency / (double)OpusTrack.SampleRate;

    private readonly PcmSource _source;
    private readonly OpusPacketEncoder _encoder;
    private readonly OpusTrack _track;
    private Thread? _thread;
    private volatile bool _stop;
    private long _until;
    private readonly ManualResetEventSlim _capturing = new();
    private bool _handedOver;
    private long _videoStart;
    private long _streamStart;
    private int _overruns;
    private long _lostFrames;
    private string? _endedEarly;

    internal AudioCapture(PcmSource source, OpusPacketEncoder encoder, int maxPackets)
    {
        _source = source;
        _encoder = encoder;
        _track = new OpusTrack(source.Channels, encoder.PreSkip, maxPackets, OpusPacketEncoder.MaxPacketBytes(source.Channels));
    }

    public string Device => _source.Name;

    /// <summary>Stopwatch time of the device stream's first sample (before any pre-roll was dropped); 0 until it arrives.</summary>
    public long StreamStart => Volatile.Read(ref _streamStart);
    public int Channels => _source.Channels;

    /// <summary>Overruns the device reported (each recovered).</summary>
    public int Overruns => Volatile.Read(ref _overruns);

    /// <summary>Audio lost to overruns, filled with silence.</summary>
    public TimeSpan Lost => TimeSpan.FromSeconds(Volatile.Read(ref _lostFrames) / (double)OpusTrack.SampleRate);

    /// <summary>Why the track ended before the recording did (device lost), or null.</summary>
    public string? EndedEarly => Volatile.Read(ref _endedEarly);

    /// <summary>Packets a recording of <paramref name="duration"/> may hold: its periods, the pre-roll and a little slack.</summary>
    public static int PacketsFor(TimeSpan duration) => (int)Math.Ceiling(duration.TotalSeconds * 50) + PreRollPackets + 8;

    /// <summary>Bytes to keep free beside the video for a recording of <paramref name="duration"/> on a device with <paramref name="channels"/>.</summary>
    public static long ReservedBytes(TimeSpan duration, int channels) =>
        OpusTrack.ReservedBytes(PacketsFor(duration), OpusPacketEncoder.MaxPacketBytes(channels));

    /// <summary>
    /// Opens <paramref name="device"/> and libopus and starts capturing, or returns null with the reason (no device,
    /// busy, library missing).
    /// </summary>
    public static AudioCapture? TryStart(string device, TimeSpan duration, out string? reason)
    {
        var source = AlsaPcmSource.TryOpen(device, out reason);
        if (source is null)
            return null;
        var encoder = OpusPacketEncoder.TryCreate(source.Channels, out reason);
        if (encoder is null)
        {
            source.Dispose();
            return null;
        }
        var capture = new AudioCapture(source, encoder, PacketsFor(duration));
        capture.Start();
        return capture;
    }

    internal void Start()
    {
        _thread = new Thread(Run) { IsBackground = true, Name = "audio capture" };
        _thread.Start();
    }

    /// <summary>
    /// Waits (at most <paramref name="timeout"/>) for the first samples, or for the device to fail. A recorder that
    /// starts its video after this has audio from before its first frame, so the file trims the audio to the video
    /// rather than starting it late behind an empty edit.
    /// </summary>
    public bool WaitUntilCapturing(TimeSpan timeout) => _capturing.Wait(timeout);

    /// <summary>The video's first frame arrived at this Stopwatch timestamp: keep all audio from here on.</summary>
    public void MarkVideoStart(long timestamp) => Volatile.Write(ref _videoStart, timestamp);

    /// <summary>
    /// Stops capturing and hands over the track (the caller owns it; it may be empty). With <paramref name="until"/> (a
    /// Stopwatch timestamp: the video's end) capture first goes on until the track reaches it — a recorder's loop ends
    /// with its last frame, up to a frame period before the file does — but never more than a quarter second past it.
    /// </summary>
    public OpusTrack Stop(long until = 0)
    {
        if (until != 0 && _thread is not null)
        {
            Volatile.Write(ref _until, until);
            long wait = until - Stopwatch.GetTimestamp() + Stopwatch.Frequency / 4;
            _thread.Join(TimeSpan.FromSeconds(Math.Max(0, wait) / (double)Stopwatch.Frequency));
        }
        _stop = true;
        _thread?.Join();
        _thread = null;
        _handedOver = true;
        return _track;
    }

    internal void Run()
    {
        int channels = _source.Channels;
        var period = ArrayPool<short>.Shared.Rent(OpusTrack.FrameSamples * channels);
        try
        {
            long anchor = 0;        // Stopwatch time of stream sample 0
            long frames = 0;        // stream samples taken (read, or filled for an overrun)
            long droppedFrames = 0; // stream samples before the track's first packet
            int filled = 0;
            while (!_stop && !_track.IsFull)
            {
                if (anchor != 0)
                {
                    // A real device never delivers samples from the future; a file or null plugin would, all at once.
                    long ahead = anchor + (long)((frames + filled) * TicksPerFrame) - Stopwatch.GetTimestamp();
                    if (ahead > 0)
                        Thread.Sleep(TimeSpan.FromSeconds(ahead / (double)Stopwatch.Frequency));
                }
                var status = _source.Read(period.AsSpan(filled * channels, (OpusTrack.FrameSamples - filled) * channels), ReadTimeoutMs, out int got);
                if (status == PcmRead.Timeout)
                    continue;
                if (status == PcmRead.Gone)
                {
                    Volatile.Write(ref _endedEarly, $"audio device {_source.Name} went away: {_source.LastError}");
                    break;
                }
                if (status == PcmRead.Overrun)
                {
                    Interlocked.Increment(ref _overruns);
                    if (anchor == 0)
                        continue;
                    // What the clock says the stream should hold by now, less what it holds: lost in the overrun.
                    long due = (long)((Stopwatch.GetTimestamp() - anchor) / TicksPerFrame) - _source.BufferedFrames;
                    long missing = due - frames - filled;
                    if (filled > 0)
                    {
                        period.AsSpan(filled * channels, (OpusTrack.FrameSamples - filled) * channels).Clear();
                        missing -= OpusTrack.FrameSamples - filled;
                        frames += Emit(period, channels);
                        filled = 0;
                    }
                    period.AsSpan(0, OpusTrack.FrameSamples * channels).Clear();
                    for (; missing >= OpusTrack.FrameSamples / 2 && !_track.IsFull; missing -= OpusTrack.FrameSamples)
                    {
                        frames += Emit(period, channels);
                        Interlocked.Add(ref _lostFrames, OpusTrack.FrameSamples);
                    }
                    continue;
                }
                if (anchor == 0)
                {
                    // The first sample of this read was captured (this read + still buffered) frames ago.
                    long behind = got + _source.BufferedFrames;
                    anchor = Stopwatch.GetTimestamp() - (long)(behind * TicksPerFrame);
                    Volatile.Write(ref _streamStart, anchor);
                    _capturing.Set();
                }
                filled += got;
                if (filled < OpusTrack.FrameSamples)
                    continue;
                frames += Emit(period, channels);
                filled = 0;
                long until = Volatile.Read(ref _until);
                if (until != 0 && anchor + (long)(frames * TicksPerFrame) >= until)
                    break;
                if (Volatile.Read(ref _videoStart) == 0 && _track.Count > 2 * PreRollPackets)
                    droppedFrames += (long)_track.KeepNewest(PreRollPackets) * OpusTrack.FrameSamples;
                _track.FirstTimestamp = anchor + (long)(droppedFrames * TicksPerFrame);
            }
        }
        catch (Exception e)
        {
            Volatile.Write(ref _endedEarly, $"audio capture failed: {e.Message}");
        }
        finally
        {
            _capturing.Set();
            ArrayPool<short>.Shared.Return(period);
        }
    }

    private int Emit(short[] period, int channels)
    {
        int bytes = _encoder.Encode(period.AsSpan(0, OpusTrack.FrameSamples * channels), _track.NextPacket());
        _track.Commit(bytes);
        return OpusTrack.FrameSamples;
    }

    public void Dispose()
    {
        _stop = true;
        _thread?.Join();
        if (!_handedOver)
            _track.Dispose();
        _encoder.Dispose();
        _source.Dispose();
        _capturing.Dispose();
    }
}
