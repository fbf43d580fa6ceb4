using System.Text.Json;
using System.Text.Json.Serialization;
using ClawEdge.Capture;
using ClawEdge.Capture.Encoders;
using ClawEdge.Capture.Recording;
using ClawEdge.Media;
using ClawEdge.Logging;
using ClawEdge.Host;

namespace ClawEdge.Camera;

/// <summary>
/// <c>camera.clip</c>: an MP4 from the chosen camera — the camera's own H.264 when it has one, else libx264,
/// else Motion JPEG (<c>codec</c> in the result says which). <c>durationMs</c> defaults to 3000 and is clamped to
/// [250, 60000] like the reference Linux node. Audio (Opus) comes from the camera's own microphone
/// (<c>Camera:Devices:&lt;id&gt;:Audio</c>) or <c>Audio:Device</c> unless <c>includeAudio</c> is false; a clip whose audio
/// cannot be had still succeeds, with <c>hasAudio: false</c> and the reason in <c>audio</c>.
/// </summary>
public sealed class CameraClipCommand(CameraCatalog catalog, AudioOptions audioOptions) : NodeCommand
{
    public const int MinDurationMs = 250;
    public const int MaxDurationMs = 60_000;

    // 720p at most: larger frames cost CPU and payload without helping a clip; the rate is the camera's own.
    private static readonly CaptureRequest ClipRequest = new(Width: 1280, Height: 720);

    public override string Name => "camera.clip";
    public override string Capability => "camera";

    public override async Task<CommandResult> InvokeAsync(InvokeContext context, CancellationToken cancellationToken)
    {
        if (!catalog.Enabled)
            throw new CommandException(ErrorCodes.CameraDisabled, "camera is disabled: set Camera:Enabled=true (CLAWEDGE_Camera__Enabled=true) and restart the node");
        var p = context.ReadParams(CameraClipJsonContext.Default.CameraClipParams) ?? new CameraClipParams();
        string format = MediaParams.Format(p.Format);
        if (format != "mp4")
            throw new CommandException(ErrorCodes.InvalidRequest, $"unsupported camera clip format: {format}");
        int durationMs = MediaParams.ClampedInt(p.DurationMs, 3000, MinDurationMs, MaxDurationMs);
        var (source, preferred) = Choose(p);

        string key = "camera:" + source.Info.Id;
        if (!BusyDevices.TryClaim(key))
            throw new CommandException(ErrorCodes.CameraUnavailable, $"busy: camera {source.Info.Id} is already recording a clip");
        var recording = Task.Factory.StartNew(
            () => Record(source, preferred, durationMs, ClipAudio.Requested(p.IncludeAudio), context.MaxPayloadBytes, cancellationToken),
            cancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        // Released when the recording thread really ends, even if we stop waiting for it below.
        _ = recording.ContinueWith(static (_, k) => BusyDevices.Release((string)k!), key, CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        // Every camera wait is bounded already; this is the last word if a driver call ignores its timeout.
        var watchdog = Task.Delay(durationMs + 15_000, cancellationToken);
        if (await Task.WhenAny(recording, watchdog).ConfigureAwait(false) != recording)
        {
            cancellationToken.ThrowIfCancellationRequested();
            throw new CommandException(ErrorCodes.CameraUnavailable, $"camera {source.Info.Id} stopped responding during the clip");
        }
        return await recording.ConfigureAwait(false);
    }

    private (CameraSource Source, PixelFormat? Preferred) Choose(CameraClipParams p)
    {
        string? id = p.DeviceId is { ValueKind: JsonValueKind.String } idElement ? idElement.GetString() : null;
        string? facing = p.Facing is { ValueKind: JsonValueKind.String } f ? f.GetString() : null;
        var chosen = catalog.Choose(id, facing) ?? throw (string.IsNullOrWhiteSpace(id)
            ? new CommandException(ErrorCodes.CameraUnavailable, CameraCatalog.NoCameraMessage)
            : new CommandException(ErrorCodes.InvalidRequest, $"camera device not found: {id.Trim()}"));
        return (chosen.Source, chosen.Preferred);
    }

    private CommandResult Record(CameraSource source, PixelFormat? preferred, int durationMs, bool withAudio, int maxPayloadBytes, CancellationToken cancellationToken)
    {
        CaptureSession session;
        try
        {
            // A camera that encodes H.264 itself is asked for it: the clip then costs no CPU (passthrough).
            var format = preferred ?? (source.Info.Modes.Any(m => m.Format == PixelFormat.H264) ? PixelFormat.H264 : null);
            session = source.Open(ClipRequest with { Format = format });
        }
        catch (CaptureException e)
        {
            throw CameraSnapCommand.ToCommandException(e);
        }
        using (session)
        {
            var mode = session.Mode;
            var (preference, device) = catalog.Encoder;
            using var encoder = VideoEncoders.Open(preference, mode.Format, mode.Width, mode.Height, mode.FramesPerSecond > 0 ? mode.FramesPerSecond : 30, out string? why, device)
                ?? throw new CommandException(ErrorCodes.CameraUnavailable, $"no video encoder for {mode.Format.FourCc()}: {why}");
            Log.Info($"camera.clip: {source.Info.Id} {mode.Width}x{mode.Height} {mode.Format.FourCc()} at {mode.FramesPerSecond:0.#} fps, {encoder.Name}, {durationMs} ms");
            var duration = TimeSpan.FromMilliseconds(durationMs);
            // Started once the camera is open, so its warm-up is not spent holding the microphone.
            using var audio = ClipAudio.Start(withAudio, catalog.AudioDevice(source.Info.Id) ?? audioOptions.Device, duration, out string? noAudio);
            if (noAudio is not null)
                Log.Warn($"camera.clip: recording without audio: {noAudio}");
            Recording recording;
            try
            {
                recording = CameraRecorder.Record(session, encoder, duration, MediaPayload.LimitsFor(maxPayloadBytes), cancellationToken, audio: audio);
            }
            catch (CaptureException e)
            {
                throw CameraSnapCommand.ToCommandException(e);
            }
            catch (Capture.Mp4.BufferFullException)
            {
                throw MediaPayload.TooLarge("the clip", maxPayloadBytes, "record fewer seconds");
            }
            if (recording.Audio is { } recorded)
                Log.Info($"camera.clip: {ClipAudio.Describe(recorded)}");
            return CommandResult.Success(MediaPayload.Result(recording, durationMs, encoder.Width, encoder.Height,
                $"\"deviceId\":{MediaPayload.Quote(source.Info.Id)}", Name, ClipAudio.Fields(recording, withAudio, noAudio)));
        }
    }
}

/// <summary>Params as the CLI sends them; raw elements so a non-number falls back to the default like the reference.</summary>
public sealed class CameraClipParams
{
    public JsonElement? DurationMs { get; set; }
    public JsonElement? DeviceId { get; set; }
    public JsonElement? Facing { get; set; }
    public JsonElement? IncludeAudio { get; set; }
    public JsonElement? Format { get; set; }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(CameraClipParams))]
internal sealed partial class CameraClipJsonContext : JsonSerializerContext;
