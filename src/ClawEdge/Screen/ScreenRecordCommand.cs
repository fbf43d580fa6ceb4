using System.Text.Json;
using System.Text.Json.Serialization;
using ClawEdge.Capture.Encoders;
using ClawEdge.Capture.Recording;
using ClawEdge.Capture.Screen;
using ClawEdge.Media;
using ClawEdge.Logging;
using ClawEdge.Host;

namespace ClawEdge.Screen;

/// <summary>
/// <c>screen.record</c>: records an X11 screen (Xinerama monitor or X screen) or a wlroots Wayland output to an MP4, H.264 through
/// libx264 when the system has it, else Motion JPEG — the result's <c>codec</c> says which. Audio (Opus) comes from
/// <c>Audio:Device</c> (a sound server's monitor source records what the screen plays) unless <c>includeAudio</c> is
/// false. Served only when <c>Screen:Enabled</c> is set.
/// </summary>
public sealed class ScreenRecordCommand(ScreenOptions options, AudioOptions audioOptions) : NodeCommand
{
    public const int MaxDurationMs = 60_000;
    public const int MinDurationMs = 250;
    public const int MaxFps = 30;

    public override string Name => "screen.record";
    public override string Capability => "screen";

    public override async Task<CommandResult> InvokeAsync(InvokeContext context, CancellationToken cancellationToken)
    {
        var request = context.ReadParams(ScreenJsonContext.Default.ScreenRecordParams) ?? new ScreenRecordParams();
        string format = MediaParams.Format(request.Format);
        if (format != "mp4")
            throw new CommandException(ErrorCodes.InvalidRequest, $"unsupported screen record format: {format}");
        int durationMs = MediaParams.ClampedInt(request.DurationMs, 10_000, MinDurationMs, MaxDurationMs);
        double fps = MediaParams.ClampedDouble(request.Fps, 10, 1, MaxFps);
        int screenIndex = MediaParams.ClampedInt(request.ScreenIndex, 0, int.MinValue, int.MaxValue);
        if (screenIndex < 0)
            throw new CommandException(ErrorCodes.InvalidRequest, $"screenIndex must be 0 or more, not {screenIndex}");

        var (display, wayland) = ChooseDisplay(options.Display);
        if (string.IsNullOrEmpty(display))
            throw new CommandException(ErrorCodes.ScreenUnavailable, "no screen: no display configured (Screen:Display) and neither WAYLAND_DISPLAY nor DISPLAY is set");

        string key = $"screen:{display}:{screenIndex}";
        if (!BusyDevices.TryClaim(key))
            throw new CommandException(ErrorCodes.ScreenUnavailable, $"busy: screen {screenIndex} of {display} is already being recorded");
        try
        {
            // Capture and encoding block for the whole clip: a thread of their own keeps the gateway link answering.
            return await Task.Factory.StartNew(
                () => Record(display, wayland, screenIndex, durationMs, fps, ClipAudio.Requested(request.IncludeAudio), context.MaxPayloadBytes, cancellationToken),
                cancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default).ConfigureAwait(false);
        }
        finally
        {
            BusyDevices.Release(key);
        }
    }

    /// <summary>
    /// Which display server to record. <c>Screen:Display</c> wins: a name with a colon (<c>:0</c>, <c>host:0.0</c>)
    /// is an X display, anything else a Wayland socket (<c>wayland-1</c>, or an absolute path). Unset: a session
    /// with <c>WAYLAND_DISPLAY</c> is recorded through wlr-screencopy (its Xwayland <c>DISPLAY</c> would show only
    /// X clients), else <c>DISPLAY</c> through X11.
    /// </summary>
    internal static (string? Display, bool Wayland) ChooseDisplay(string? configured)
    {
        if (!string.IsNullOrEmpty(configured))
            return (configured, !configured.Contains(':'));
        string? wayland = Environment.GetEnvironmentVariable("WAYLAND_DISPLAY");
        if (!string.IsNullOrEmpty(wayland))
            return (wayland, true);
        return (Environment.GetEnvironmentVariable("DISPLAY"), false);
    }

    private CommandResult Record(string display, bool wayland, int screenIndex, int durationMs, double fps, bool withAudio, int maxPayloadBytes,
        CancellationToken cancellationToken)
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
            using var encoder = VideoEncoders.Open(options.Encoder, capture.PixelFormat, capture.Width, capture.Height, fps, out string? why, options.EncoderDevice)
                ?? throw new CommandException(ErrorCodes.ScreenUnavailable, $"no video encoder: {why}");
            Log.Info($"screen.record: screen {screenIndex} of {display}, {encoder.Width}x{encoder.Height} via {capture.Method}, {encoder.Name}, {durationMs} ms at {fps} fps");
            var duration = TimeSpan.FromMilliseconds(durationMs);
            using var audio = ClipAudio.Start(withAudio, audioOptions.Device, duration, out string? noAudio);
            if (noAudio is not null)
                Log.Warn($"screen.record: recording without audio: {noAudio}");
            Recording recording;
            try
            {
                recording = ScreenRecorder.Record(capture, encoder, duration, fps, MediaPayload.LimitsFor(maxPayloadBytes), cancellationToken, audio);
            }
            catch (ScreenException e)
            {
                throw new CommandException(ErrorCodes.ScreenUnavailable, e.Message);
            }
            catch (Capture.Mp4.BufferFullException)
            {
                throw MediaPayload.TooLarge("screen recording", maxPayloadBytes, "record fewer seconds or frames");
            }
            if (recording.Audio is { } recorded)
                Log.Info($"screen.record: {ClipAudio.Describe(recorded)}");
            return CommandResult.Success(MediaPayload.Result(recording, durationMs, encoder.Width, encoder.Height,
                $"\"fps\":{fps.ToString(System.Globalization.CultureInfo.InvariantCulture)},\"screenIndex\":{MediaPayload.Number(screenIndex)}," +
                $"\"capture\":{MediaPayload.Quote(capture.Method)}", Name, ClipAudio.Fields(recording, withAudio, noAudio)));
        }
    }
}

/// <summary>Params as the CLI sends them; numbers stay raw so a non-number falls back to the default like the reference.</summary>
public sealed class ScreenRecordParams
{
    public JsonElement? DurationMs { get; set; }
    public JsonElement? Fps { get; set; }
    public JsonElement? ScreenIndex { get; set; }
    public JsonElement? IncludeAudio { get; set; }
    public JsonElement? Format { get; set; }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(ScreenRecordParams))]
internal sealed partial class ScreenJsonContext : JsonSerializerContext;
