namespace ClawEdge.Camera;

/// <summary>Section <c>Camera</c>: off unless <c>Enabled</c>, like the reference linux-node plugin.</summary>
public sealed class CameraOptions
{
    /// <summary>Serve <c>camera.list</c> and <c>camera.snap</c>. Off by default: a camera is private.</summary>
    public bool Enabled { get; set; }

    /// <summary>Add the built-in test-pattern camera (id <c>testpattern</c>): frames without hardware, for demos and CI.</summary>
    public bool TestPattern { get; set; }

    public int TestPatternWidth { get; set; } = 1280;
    public int TestPatternHeight { get; set; } = 720;
    public double TestPatternFps { get; set; } = 30;

    /// <summary><c>yuyv</c>, <c>rgbx</c> or <c>mjpeg</c>.</summary>
    public string TestPatternFormat { get; set; } = "yuyv";

    /// <summary>Per device (key <c>/dev/video0</c> or <c>video0</c>, <c>rpicam:0</c>, <c>testpattern</c>): facing, name, preferred format.</summary>
    public Dictionary<string, CameraDeviceOptions> Devices { get; set; } = new(StringComparer.Ordinal);

    /// <summary>A file played back as a camera (id <c>Replay:Id</c>, default <c>replay</c>).</summary>
    public CameraReplayOptions? Replay { get; set; }

    /// <summary>
    /// Clip encoder for cameras that do not deliver H.264 themselves: <c>auto</c> (a V4L2 memory-to-memory H.264
    /// encoder, libx264, then Motion JPEG), <c>v4l2m2m</c>, <c>libx264</c> or <c>mjpeg</c>.
    /// </summary>
    public string Encoder { get; set; } = "auto";

    /// <summary>The memory-to-memory H.264 encoder (<c>/dev/video11</c> on a Pi); null: the first <c>/dev/video*</c> that encodes H.264.</summary>
    public string? EncoderDevice { get; set; }

    /// <summary>Look for <c>rpicam-still</c> (Raspberry Pi camera modules through libcamera).</summary>
    public bool Rpicam { get; set; } = true;
}

public sealed class CameraDeviceOptions
{
    /// <summary><c>front</c>, <c>back</c> or <c>unknown</c>: USB cameras cannot tell, so only config says.</summary>
    public string? Facing { get; set; }
    public string? Name { get; set; }

    /// <summary>Preferred capture format (<c>mjpeg</c>, <c>yuyv</c>, <c>nv12</c>…).</summary>
    public string? Format { get; set; }

    /// <summary>ALSA capture device of this camera's microphone for <c>camera.clip</c> (else <c>Audio:Device</c>); <c>none</c> for no audio.</summary>
    public string? Audio { get; set; }
}

public sealed class CameraReplayOptions
{
    public string Id { get; set; } = "replay";
    public string? File { get; set; }

    /// <summary><c>mjpeg</c> (concatenated JPEGs) or a raw format (<c>yuyv</c>, <c>nv12</c>, <c>rgb24</c>…).</summary>
    public string Format { get; set; } = "mjpeg";
    public int Width { get; set; }
    public int Height { get; set; }
    public double Fps { get; set; }
}
