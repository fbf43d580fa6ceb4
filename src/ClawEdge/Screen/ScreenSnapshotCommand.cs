using System.Buffers;
using System.Text.Json.Serialization;
using System.Text.Json;
using ClawEdge.Capture.Jpeg;
using ClawEdge.Capture.Pixels;
using ClawEdge.Capture.Png;
using ClawEdge.Capture.Screen;
using ClawEdge.Host;
using ClawEdge.Platform;

namespace ClawEdge.Screen;

/// <summary>
/// <c>screen.snapshot {screenIndex?, maxWidth?, quality?, format?: jpeg|png}</c> → <c>{format, base64, width, height,
/// screenIndex, capturedAtMs}</c>: one frame of an X11 screen or a wlroots output, the shape the gateway's computer-use
/// contract validates. Params are strict like that contract (an unknown member is an error). Served with <c>Screen:Enabled</c>.
/// </summary>
public sealed class ScreenSnapshotCommand(ScreenOptions options) : NodeCommand
{
    public override string Name => "screen.snapshot";
    public override string Capability => "screen";

    public override Task<CommandResult> InvokeAsync(InvokeContext context, CancellationToken cancellationToken)
    {
        var request = context.ReadParams(ScreenSnapshotJsonContext.Default.ScreenSnapshotParams) ?? new ScreenSnapshotParams();
        string format = request.Format ?? "jpeg";
        if (format is not ("jpeg" or "png"))
            throw new CommandException(ErrorCodes.InvalidRequest, $"screen.snapshot format must be \"jpeg\" or \"png\", not \"{format}\"");
        int screenIndex = request.ScreenIndex ?? 0;
        if (screenIndex < 0)
            throw new CommandException(ErrorCodes.InvalidRequest, $"screenIndex must be 0 or more, not {screenIndex}");
        if (request.MaxWidth is < 1)
            throw new CommandException(ErrorCodes.InvalidRequest, $"maxWidth must be at least 1, not {request.MaxWidth}");
        // 0–1 as the reference nodes send it; 1–100 read as a percentage.
        double q = request.Quality ?? 0.85;
        if (!double.IsFinite(q) || q <= 0 || q > 100)
            throw new CommandException(ErrorCodes.InvalidRequest, $"quality must be in (0, 1] (or 1–100), not {q}");
        int quality = (int)Math.Round(q <= 1 ? q * 100 : q);

        var (display, wayland) = ScreenRecordCommand.ChooseDisplay(options.Display);
        if (string.IsNullOrEmpty(display))
            throw new CommandException(ErrorCodes.ScreenUnavailable, "no screen: no display configured (Screen:Display) and neither WAYLAND_DISPLAY nor DISPLAY is set");
        // A grab and an encode block for tens of milliseconds: off the link's threads.
        return Task.Run(() => Snapshot(display, wayland, screenIndex, request.MaxWidth ?? 0, quality, format, context.MaxPayloadBytes), cancellationToken);
    }

    private static CommandResult Snapshot(string display, bool wayland, int screenIndex, int maxWidth, int quality, string format, int maxPayloadBytes)
    {
        ScreenCapture capture;
        try
        {
            capture = wayland ? WaylandScreenCapture.Open(display, screenIndex) : X11ScreenCapture.Open(display, screenIndex);
        }
        catch (ScreenException e)
        {
            throw new CommandException(e.Error == ScreenError.NoSuchScreen ? ErrorCodes.InvalidRequest : ErrorCodes.ScreenUnavailable, e.Message);
        }
        using (capture)
        {
            var output = new ArrayBufferWriter<byte>(256 * 1024);
            int width, height;
            long capturedAtMs;
            try
            {
                var frame = capture.Grab(TimeSpan.Zero, 0);
                capturedAtMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
                if (format == "jpeg")
                {
                    FrameJpeg.Encode(frame, quality, maxWidth, output, out width, out height, out _);
                }
                else
                {
                    int stride = frame.Width * 4;
                    var rgbx = LargeArrayPool.Shared.Rent(stride * frame.Height);
                    try
                    {
                        PixelConverter.ToRgbx(frame.Format, frame.Data, frame.Width, frame.Height, frame.Stride, rgbx, stride);
                        PngEncoder.Encode(rgbx, frame.Width, frame.Height, stride, maxWidth, output, out width, out height);
                    }
                    finally
                    {
                        LargeArrayPool.Shared.Return(rgbx);
                    }
                }
            }
            catch (ScreenException e)
            {
                throw new CommandException(ErrorCodes.ScreenUnavailable, e.Message);
            }
            long base64Length = (output.WrittenCount + 2) / 3 * 4;
            if (base64Length + 200 > maxPayloadBytes)
                throw new CommandException(ErrorCodes.PayloadTooLarge,
                    $"screen.snapshot is {output.WrittenCount} bytes as {format}; the gateway accepts {maxPayloadBytes} of JSON. Ask for a smaller maxWidth or jpeg");
            return CommandResult.Success(JsonSerializer.Serialize(new ScreenSnapshotResult
            {
                Format = format,
                Base64 = Convert.ToBase64String(output.WrittenSpan),
                Width = width,
                Height = height,
                ScreenIndex = screenIndex,
                CapturedAtMs = capturedAtMs,
            }, ScreenSnapshotJsonContext.Default.ScreenSnapshotResult));
        }
    }
}

/// <summary>The computer-use contract's params, closed: an unknown member is refused.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed class ScreenSnapshotParams
{
    public string? ExecutionId { get; set; }
    public int? ScreenIndex { get; set; }
    public int? MaxWidth { get; set; }
    public double? Quality { get; set; }
    public string? Format { get; set; }
}

public sealed class ScreenSnapshotResult
{
    public required string Format { get; init; }
    public required string Base64 { get; init; }
    public int Width { get; init; }
    public int Height { get; init; }
    public int ScreenIndex { get; init; }
    public long CapturedAtMs { get; init; }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(ScreenSnapshotParams))]
[JsonSerializable(typeof(ScreenSnapshotResult))]
internal sealed partial class ScreenSnapshotJsonContext : JsonSerializerContext;
