using System.Text.Json;
using ClawEdge.Host;

namespace ClawEdge.Canvas;

/// <summary><c>canvas.present {url?, placement?}</c>: show the canvas, at a URL if given, in a window rectangle if given (else full screen).</summary>
public sealed class CanvasPresentCommand(CanvasBrowser browser, CanvasOptions options) : NodeCommand
{
    public override string Name => "canvas.present";
    public override string Capability => "canvas";

    public override async Task<CommandResult> InvokeAsync(InvokeContext context, CancellationToken cancellationToken)
    {
        var request = context.ReadParams(CanvasJsonContext.Default.CanvasPresentParams) ?? new CanvasPresentParams();
        string? url = request.Url is null ? null : CanvasUrlPolicy.Check(request.Url, options.FilesDirectory);
        var placement = ReadPlacement(request.Placement);
        var info = await browser.PresentAsync(url, placement, cancellationToken).ConfigureAwait(false);
        return CommandResult.Success(CanvasPageResults.Json(info));
    }

    /// <summary>The CLI sends only finite members; anything else present but not a number is refused.</summary>
    internal static Placement? ReadPlacement(JsonElement? placement)
    {
        if (placement is not { } p || p.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined)
            return null;
        if (p.ValueKind != JsonValueKind.Object)
            throw new CommandException(ErrorCodes.InvalidRequest, "INVALID_REQUEST: placement must be an object {x, y, width, height} in pixels");
        int? Member(string name, bool size)
        {
            if (!p.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null)
                return null;
            if (v.ValueKind != JsonValueKind.Number || !v.TryGetDouble(out double d) || !double.IsFinite(d) || Math.Abs(d) > 100_000)
                throw new CommandException(ErrorCodes.InvalidRequest, $"INVALID_REQUEST: placement.{name} must be a number of pixels");
            int value = (int)Math.Round(d);
            if (size && value < 1)
                throw new CommandException(ErrorCodes.InvalidRequest, $"INVALID_REQUEST: placement.{name} must be at least 1 pixel, not {value}");
            return value;
        }
        var result = new Placement(Member("x", false), Member("y", false), Member("width", true), Member("height", true));
        return result is { X: null, Y: null, Width: null, Height: null } ? null : result;
    }
}
