namespace ClawEdge.Capture.Recording;

/// <summary>
/// At most one frame per slot of the nominal frame grid (slot = frame time since the first frame, in periods,
/// rounded). A frame that lands in the slot of the previous one — a burst after a late read, which no sensor
/// makes — is dropped; the kept frames keep their real timestamps. Players and tools that map a variable-rate
/// file onto its nominal rate (FFmpeg does, for <c>-f null</c> and most outputs) then never see two frames
/// on one tick.
/// </summary>
internal struct FrameSlots(TimeSpan period)
{
    private readonly double _periodTicks = Math.Max(1, period.Ticks);
    private TimeSpan? _first;
    private long _last = -1;

    public bool TryTake(TimeSpan timestamp)
    {
        _first ??= timestamp;
        long slot = (long)Math.Round((timestamp - _first.Value).Ticks / _periodTicks, MidpointRounding.AwayFromZero);
        if (slot <= _last)
            return false;
        _last = slot;
        return true;
    }
}
