using System.Text.Json;
using ClawEdge.Media;
using ClawEdge.Host;

namespace ClawEdge.Canvas;

/// <summary>
/// <c>canvas.snapshot {format?: png|jpeg, maxWidth?, quality?}</c> → <c>{format, base64, width, height}</c>: the page as
/// the browser renders it (not the screen), scaled to <c>maxWidth</c>, shrunk further if it would not fit the payload limit.
/// </summary>
public sealed class CanvasSnapshotCommand(CanvasBrowser browser) : NodeCommand
{
    public override string Name => "canvas.snapshot";
    public override string Capability => "canvas";

    public override async Task<CommandResult> InvokeAsync(InvokeContext context, CancellationToken cancellationToken)
    {
        var request = context.ReadParams(CanvasJsonContext.Default.CanvasSnapshotParams) ?? new CanvasSnapshotParams();
        string format = request.Format is { ValueKind: JsonValueKind.String } f ? (f.GetString() ?? "").ToLowerInvariant() : "png";
        if (format == "jpg")
            format = "jpeg";
        if (format is not ("png" or "jpeg"))
            throw new CommandException(ErrorCodes.InvalidRequest, $"INVALID_REQUEST: canvas.snapshot format must be png or jpeg, not {format}");
        int maxWidth = MediaParams.ClampedInt(request.MaxWidth, 0, 0, 16_384);
        // Quality as the reference nodes send it: 0–1 (a fraction), default 0.9.
        double quality = MediaParams.ClampedDouble(request.Quality, 0.9, 0.05, 1);
        var (base64, width, height) = await browser.SnapshotAsync(format, maxWidth, (int)Math.Round(quality * 100),
            context.MaxPayloadBytes - 256, cancellationToken).ConfigureAwait(false);
        return CommandResult.Success(JsonSerializer.Serialize(
            new CanvasSnapshotResult { Format = format, Base64 = base64, Width = width, Height = height }, CanvasJsonContext.Default.CanvasSnapshotResult));
    }
}
