using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

using ClawEdge.Platform;

namespace ClawEdge.Capture.Rpicam;

/// <summary>
/// A Raspberry Pi camera module through libcamera's <c>rpicam-still</c> (CSI sensors on current Raspberry Pi OS
/// have no usable plain V4L2 node). Each frame is one <c>rpicam-still … -o -</c> run writing a JPEG to stdout.
/// </summary>
public sealed partial class RpicamCamera : CameraSource
{
    public RpicamCamera(string executable, int index, string model, IReadOnlyList<CameraMode> modes, int quality = 93)
    {
        Executable = executable;
        Index = index;
        Quality = Math.Clamp(quality, 1, 100);
        Info = new CameraInfo($"rpicam:{index}", model, "rpicam", "unknown", modes, Driver: "libcamera");
    }

    public string Executable { get; }
    public int Index { get; }
    public int Quality { get; }
    public override CameraInfo Info { get; }

    /// <summary>The cameras <c>rpicam-still --list-cameras</c> reports, when <c>rpicam-still</c> is on PATH; none otherwise.</summary>
    public static IReadOnlyList<RpicamCamera> Discover(string? path = null, TimeSpan? timeout = null)
    {
        string? executable = ExecutableResolver.Find("rpicam-still", path);
        if (executable is null)
            return [];
        var (code, output) = Run(executable, ["--list-cameras"], timeout ?? TimeSpan.FromSeconds(10), CancellationToken.None, text: true);
        return code == 0 ? ParseList(executable, System.Text.Encoding.UTF8.GetString(output)) : [];
    }

    /// <summary>Parses <c>--list-cameras</c>: "0 : imx708 [4608x2592 10-bit RGGB] (/base/…)" then indented "WxH [fps fps …]" mode lines.</summary>
    public static IReadOnlyList<RpicamCamera> ParseList(string executable, string text)
    {
        var cameras = new List<RpicamCamera>();
        int index = -1;
        string model = "";
        var modes = new List<CameraMode>();
        void Flush()
        {
            if (index >= 0)
                cameras.Add(new RpicamCamera(executable, index, model, modes.ToList()));
            modes.Clear();
        }
        foreach (var line in text.Split('\n'))
        {
            var head = CameraLine().Match(line);
            if (head.Success)
            {
                Flush();
                index = int.Parse(head.Groups[1].Value, CultureInfo.InvariantCulture);
                model = head.Groups[2].Value;
                modes.Add(new CameraMode(int.Parse(head.Groups[3].Value, CultureInfo.InvariantCulture), int.Parse(head.Groups[4].Value, CultureInfo.InvariantCulture), PixelFormat.Jpeg, 0));
                continue;
            }
            if (index < 0)
                continue;
            foreach (Match m in ModeText().Matches(line))
                modes.Add(new CameraMode(int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture),
                    PixelFormat.Jpeg, double.Parse(m.Groups[3].Value, CultureInfo.InvariantCulture)));
        }
        Flush();
        return cameras;
    }

    [GeneratedRegex(@"^\s*(\d+)\s*:\s*(\S+)\s*\[(\d+)x(\d+)")]
    private static partial Regex CameraLine();

    [GeneratedRegex(@"(\d+)x(\d+) \[([\d.]+) fps")]
    private static partial Regex ModeText();

    /// <summary>The still command: no preview, shortest timeout, capture at once, JPEG to stdout.</summary>
    public IReadOnlyList<string> StillArguments(int? width, int? height)
    {
        var args = new List<string> { "-n", "-t", "1", "--immediate", "-e", "jpg", "-q", Quality.ToString(CultureInfo.InvariantCulture), "--camera", Index.ToString(CultureInfo.InvariantCulture) };
        if (width is > 0 && height is > 0)
            args.AddRange(["--width", width.Value.ToString(CultureInfo.InvariantCulture), "--height", height.Value.ToString(CultureInfo.InvariantCulture)]);
        args.AddRange(["-o", "-"]);
        return args;
    }

    public override CaptureSession Open(CaptureRequest request)
    {
        int? width = request.Width, height = request.Height;
        if (width is > 0 && height is null)
        {
            // Keep the sensor's aspect ratio for a width-only request.
            var full = Info.Modes.FirstOrDefault();
            height = full is null ? null : (int)Math.Round((double)full.Height * width.Value / full.Width) & ~1;
        }
        return new RpicamSession(this, StillArguments(width, height));
    }

    internal static (int Code, byte[] Output) Run(string executable, IReadOnlyList<string> args, TimeSpan timeout, CancellationToken cancellationToken, bool text = false)
    {
        var info = new ProcessStartInfo(executable) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args)
            info.ArgumentList.Add(a);
        using var process = Process.Start(info) ?? throw new CaptureException(CaptureError.NotFound, $"cannot start {executable}");
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        using var stdout = new MemoryStream();
        var copy = process.StandardOutput.BaseStream.CopyToAsync(stdout, cancellationToken);
        if (!process.WaitForExit(timeout) || !copy.Wait(timeout))
        {
            try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            throw new CaptureException(CaptureError.Timeout, $"{Path.GetFileName(executable)} gave no image within {timeout.TotalSeconds:0} s");
        }
        string errors = stderr.Wait(TimeSpan.FromSeconds(2)) ? stderr.Result : "";
        if (text)
        {
            // --list-cameras prints to either stream depending on the version.
            stdout.Write(System.Text.Encoding.UTF8.GetBytes(errors));
            return (process.ExitCode, stdout.ToArray());
        }
        if (process.ExitCode != 0)
        {
            var kind = errors.Contains("busy", StringComparison.OrdinalIgnoreCase) ? CaptureError.Busy
                : errors.Contains("no cameras", StringComparison.OrdinalIgnoreCase) ? CaptureError.Disconnected : CaptureError.Failed;
            throw new CaptureException(kind, $"{Path.GetFileName(executable)} exited with {process.ExitCode}: {errors.Trim().Split('\n').LastOrDefault()}");
        }
        return (0, stdout.ToArray());
    }
}

internal sealed class RpicamSession(RpicamCamera camera, IReadOnlyList<string> arguments) : CaptureSession
{
    private long _sequence;

    public IReadOnlyList<string> Arguments => arguments;

    public override CameraMode Mode => camera.Info.Modes.FirstOrDefault() ?? new CameraMode(0, 0, PixelFormat.Jpeg, 0);

    public override FrameLease ReadFrame(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var started = Stopwatch.GetTimestamp();
        var (_, jpeg) = RpicamCamera.Run(camera.Executable, arguments, timeout, cancellationToken);
        if (!Jpeg.FrameJpeg.TryReadSize(jpeg, out int width, out int height))
            throw new CaptureException(CaptureError.Failed, $"{Path.GetFileName(camera.Executable)} wrote {jpeg.Length} bytes that are not a JPEG");
        var frame = new Frame(jpeg, width, height, 0, PixelFormat.Jpeg, TimeSpan.FromTicks(started * TimeSpan.TicksPerSecond / Stopwatch.Frequency), _sequence++);
        return new FrameLease(frame, this, 0);
    }

    protected internal override void Release(int token)
    {
    }

    public override void Dispose()
    {
    }
}
