using ClawEdge.Capture;
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

    // {"format":"jpg","base64":"","width":65535,"height":65535}
    private const int JsonOverhead = 96;

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

        long budget = (context.MaxPayloadBytes - JsonOverhead) / 4 * 3; // base64 of n bytes is 4·⌈n/3⌉
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
            return CommandResult.Success(ResultJson(format, snapshot.Jpeg, snapshot.Width, snapshot.Height));
        }, cancellationToken);
    }

    public static CommandException ToCommandException(CaptureException e) => e.Error switch
    {
        CaptureError.PermissionDenied => new CommandException(ErrorCodes.CameraPermissionRequired, e.Message),
        // busy, missing, unplugged, stalled, stream ended, no usable format
        _ => new CommandException(ErrorCodes.CameraUnavailable, e.Message),
    };

    /// <summary>The result object written straight into one string: base64 needs no JSON escaping, and a multi-MB payload is not copied three times.</summary>
    internal static string ResultJson(string format, byte[] jpeg, int width, int height)
    {
        string head = $"{{\"format\":\"{format}\",\"base64\":\"";
        string tail = $"\",\"width\":{width},\"height\":{height}}}";
        int base64Length = (jpeg.Length + 2) / 3 * 4;
        return string.Create(head.Length + base64Length + tail.Length, (head, jpeg, tail), static (span, s) =>
        {
            s.head.CopyTo(span);
            Convert.TryToBase64Chars(s.jpeg, span[s.head.Length..], out int written);
            s.tail.CopyTo(span[(s.head.Length + written)..]);
        });
    }
}
