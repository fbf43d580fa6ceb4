using ClawEdge.Capture;
using ClawEdge.Capture.Replay;
using ClawEdge.Capture.Rpicam;
using ClawEdge.Capture.TestPattern;
using ClawEdge.Capture.V4l2;

namespace ClawEdge.Camera;

/// <summary>
/// The cameras this node offers, looked up on every call (cameras are hot-plugged): V4L2 capture nodes,
/// rpicam cameras, then the test pattern and replay file when configured; names and facing from config.
/// </summary>
public sealed class CameraCatalog
{
    private readonly Func<IReadOnlyList<CameraSource>> _discover;
    private readonly CameraOptions _options;

    public CameraCatalog(CameraOptions options, Func<IReadOnlyList<CameraSource>>? discover = null)
    {
        _options = options;
        _discover = discover ?? (() => DiscoverAll(options));
    }

    public bool Enabled => _options.Enabled;

    /// <summary><c>Camera:Encoder</c> and <c>Camera:EncoderDevice</c>, for clips.</summary>
    public (string Preference, string? Device) Encoder => (_options.Encoder, _options.EncoderDevice);

    public static IReadOnlyList<CameraSource> DiscoverAll(CameraOptions options)
    {
        var sources = new List<CameraSource>(V4l2Camera.Enumerate());
        if (options.Rpicam)
            sources.AddRange(RpicamCamera.Discover());
        if (options.TestPattern)
            sources.Add(new TestPatternCamera(options.TestPatternWidth, options.TestPatternHeight, options.TestPatternFps,
                ParseFormat(options.TestPatternFormat) ?? throw new CaptureException(CaptureError.Unsupported, $"Camera:TestPatternFormat '{options.TestPatternFormat}' is not a pixel format")));
        if (options.Replay is { File: { Length: > 0 } file } replay)
            sources.Add(new ReplayCamera(replay.Id, file, ParseFormat(replay.Format) ?? PixelFormat.Mjpeg, replay.Width, replay.Height, replay.Fps));
        return sources;
    }

    /// <summary>Every camera, with config's name and facing applied.</summary>
    public IReadOnlyList<(CameraSource Source, CameraInfo Info, PixelFormat? Preferred)> List()
    {
        var result = new List<(CameraSource, CameraInfo, PixelFormat?)>();
        foreach (var source in _discover())
        {
            var info = source.Info;
            PixelFormat? preferred = null;
            if (DeviceOptions(info.Id) is { } device)
            {
                info = info with
                {
                    Name = string.IsNullOrWhiteSpace(device.Name) ? info.Name : device.Name,
                    Position = device.Facing?.ToLowerInvariant() is "front" or "back" ? device.Facing.ToLowerInvariant() : info.Position,
                };
                preferred = ParseFormat(device.Format);
            }
            result.Add((source, info, preferred));
        }
        return result;
    }

    /// <summary>
    /// The camera a request names: by its id (<c>/dev/video0</c>, or <c>video0</c> for a device node), else the one facing
    /// <paramref name="facing"/>, else the first. Null when a named camera does not exist or there is none at all.
    /// </summary>
    public (CameraSource Source, CameraInfo Info, PixelFormat? Preferred)? Choose(string? deviceId, string? facing)
    {
        var cameras = List();
        if (!string.IsNullOrWhiteSpace(deviceId))
        {
            string id = deviceId.Trim();
            foreach (var camera in cameras)
                if (camera.Info.Id == id || camera.Info.Id == "/dev/" + id)
                    return camera;
            return null;
        }
        if (cameras.Count == 0)
            return null;
        string? wanted = facing?.Trim().ToLowerInvariant();
        foreach (var camera in cameras)
            if (wanted is "front" or "back" && camera.Info.Position == wanted)
                return camera;
        return cameras[0];
    }

    public const string NoCameraMessage = "no camera found (no V4L2 capture device, no rpicam camera; Camera:TestPattern adds a test pattern)";

    /// <summary>The microphone configured for camera <paramref name="id"/> (<c>Camera:Devices:&lt;id&gt;:Audio</c>), or null.</summary>
    public string? AudioDevice(string id) => DeviceOptions(id)?.Audio;

    private CameraDeviceOptions? DeviceOptions(string id)
    {
        if (_options.Devices.TryGetValue(id, out var device))
            return device;
        return id.StartsWith("/dev/", StringComparison.Ordinal) && _options.Devices.TryGetValue(id[5..], out device) ? device : null;
    }

    public static PixelFormat? ParseFormat(string? text) => text?.Trim().ToLowerInvariant() switch
    {
        "mjpeg" or "mjpg" or "jpeg" or "jpg" => PixelFormat.Mjpeg,
        "yuyv" or "yuy2" => PixelFormat.Yuyv,
        "uyvy" => PixelFormat.Uyvy,
        "nv12" => PixelFormat.Nv12,
        "rgb24" or "rgb3" => PixelFormat.Rgb24,
        "bgr24" or "bgr3" => PixelFormat.Bgr24,
        "rgbx" or "rgbx32" => PixelFormat.Rgbx32,
        _ => null,
    };
}
