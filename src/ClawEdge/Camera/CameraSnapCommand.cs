using System.Buffers;
using ClawEdge.Capture;
using ClawEdge.Capture.Jpeg;
using ClawEdge.Host;

namespace ClawEdge.Camera;

/// <summary>
/// <c>camera.snap</c>: one JPEG from the chosen camera (an unknown <c>deviceId</c> is an error, never another
/// camera). Defaults and clamps follow the reference linux-node plugin: maxWidth 1600, quality 0.9 in
/// [0.05, 1], delayMs 2000 in [0, 10000].
/// </summary>
public sealed class CameraSnapCommand(CameraCatalog catalog) : NodeCommand
{
    public override string Name => "camera.snap";
    public override string Capability => "camera";

    // {"format":"jpeg","base64":"","width":65535,"height":65535,"encoder":"passthrough"} with its 16 quotes
    // escaped: 100 bytes, rounded up.
    private const int JsonOverhead = 128;

    public override Task<CommandResult> InvokeAsync(InvokeContext context, CancellationToken cancellationToken)
    {
        if (!catalog.Enabled)
            throw new CommandException(ErrorCodes.CameraDisabled, "camera is disabled: set Camera:Enabled=true (CLAWEDGE_Camera__Enabled=true) and restart the node");
        var p = context.ReadParams(CameraJsonContext.Default.CameraSnapParams) ?? new CameraSnapParams();
        string format = (p.Format ?? "jpg").Trim().ToLowerInvariant();
        if (format is not ("jpg" or "jpeg"))
            throw new CommandException(ErrorCodes.InvalidRequest, $"unsupported camera image format: {p.Format}");
        int maxWidth = p.MaxWidth is double mw && double.IsFinite(mw) && mw > 0 ? Math.Max(2, (int)Math.Floor(mw)) : 1600;
        double quality = Math.Clamp(p.Quality is double q && double.IsFinite(q) ? q : 0.9, 0.05, 1);
        int delayMs = (int)Math.Clamp(p.DelayMs is double d && double.IsFinite(d) ? Math.Floor(d) : 2000, 0, 10_000);

        var chosen = catalog.Choose(p.DeviceId, p.Facing) ?? throw (string.IsNullOrWhiteSpace(p.DeviceId)
            ? new CommandException(ErrorCodes.CameraUnavailable, CameraCatalog.NoCameraMessage)
            : new CommandException(ErrorCodes.InvalidRequest, $"camera device not found: {p.DeviceId.Trim()}"));

        long budget = PayloadBudget.Base64Capacity(context.MaxPayloadBytes, JsonOverhead);
        return Task.Run(() =>
        {
            CameraSnapshot snapshot;
            try
            {
                snapshot = CameraSnapper.Take(chosen.Source, chosen.Preferred, (int)Math.Round(quality * 100), maxWidth, delayMs, budget, cancellationToken);
            }
            catch (CaptureException e)
            {
                throw ToCommandException(e);
            }
            catch (SnapTooLargeException e)
            {
                throw new CommandException(ErrorCodes.PayloadTooLarge, e.Message);
            }
            return CommandResult.Success(Result(format, snapshot));
        }, cancellationToken);
    }

    public static CommandException ToCommandException(CaptureException e) => e.Error switch
    {
        CaptureError.PermissionDenied => new CommandException(ErrorCodes.CameraPermissionRequired, e.Message),
        // busy, missing, unplugged, stalled, stream ended, no usable format
        _ => new CommandException(ErrorCodes.CameraUnavailable, e.Message),
    };

    /// <summary>The result object around the JPEG, which the session base64-encodes into the frame from the encoder's buffer.</summary>
    internal static Base64Payload Result(string format, CameraSnapshot snapshot) =>
        new($"{{\"format\":\"{format}\",\"base64\":\"", new ReadOnlySequence<byte>(snapshot.Jpeg),
            $"\",\"width\":{snapshot.Width},\"height\":{snapshot.Height},\"encoder\":\"{snapshot.Encoding.Name()}\"}}");
}
