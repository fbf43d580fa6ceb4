namespace ClawEdge.Media;

/// <summary>Section <c>Audio</c>: the microphone <c>camera.clip</c> and <c>screen.record</c> record with their video.</summary>
public sealed class AudioOptions
{
    /// <summary>
    /// ALSA capture device (<c>default</c>, <c>hw:1,0</c>, <c>plughw:CARD=Device</c>, a name from <c>arecord -L</c>).
    /// <c>default</c> goes through PipeWire or PulseAudio on a desktop and is the first card on Raspberry Pi OS Lite.
    /// <c>none</c> records no audio at all.
    /// </summary>
    public string Device { get; set; } = "default";
}
