using ClawEdge.Host;

namespace ClawEdge.Canvas;

/// <summary><c>canvas.hide</c> (no params): the canvas shows <c>Canvas:Home</c>, or black.</summary>
public sealed class CanvasHideCommand(CanvasBrowser browser) : NodeCommand
{
    public override string Name => "canvas.hide";
    public override string Capability => "canvas";

    public override async Task<CommandResult> InvokeAsync(InvokeContext context, CancellationToken cancellationToken)
    {
        await browser.HideAsync(cancellationToken).ConfigureAwait(false);
        return CommandResult.Success("""{"ok":true}""");
    }
}
