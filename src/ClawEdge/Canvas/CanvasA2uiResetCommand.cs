using ClawEdge.Host;

namespace ClawEdge.Canvas;

/// <summary><c>canvas.a2ui.reset</c>: clears every A2UI surface (the page stays the renderer's).</summary>
public sealed class CanvasA2uiResetCommand(CanvasBrowser browser) : NodeCommand
{
    public override string Name => "canvas.a2ui.reset";
    public override string Capability => "canvas";

    public override async Task<CommandResult> InvokeAsync(InvokeContext context, CancellationToken cancellationToken)
    {
        await browser.A2uiResetAsync(cancellationToken).ConfigureAwait(false);
        return CommandResult.Success("""{"ok":true}""");
    }
}
