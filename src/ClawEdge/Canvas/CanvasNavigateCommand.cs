using ClawEdge.Host;

namespace ClawEdge.Canvas;

/// <summary><c>canvas.navigate {url}</c>: load another page in the canvas and wait for its load event.</summary>
public sealed class CanvasNavigateCommand(CanvasBrowser browser, CanvasOptions options) : NodeCommand
{
    public override string Name => "canvas.navigate";
    public override string Capability => "canvas";

    public override async Task<CommandResult> InvokeAsync(InvokeContext context, CancellationToken cancellationToken)
    {
        var request = context.ReadParams(CanvasJsonContext.Default.CanvasNavigateParams);
        string url = CanvasUrlPolicy.Check(request?.Url, options.FilesDirectory);
        var info = await browser.NavigateAsync(url, cancellationToken).ConfigureAwait(false);
        return CommandResult.Success(CanvasPageResults.Json(info));
    }
}
