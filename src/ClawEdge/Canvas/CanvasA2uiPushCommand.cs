using ClawEdge.Host;

namespace ClawEdge.Canvas;

/// <summary>
/// <c>canvas.a2ui.push {messages: […]}</c>: A2UI v0.8 messages, checked as the gateway's canvas plugin checks them, rendered
/// by the gateway's own renderer on the canvas. Answers the renderer's <c>{ok, surfaces}</c>.
/// </summary>
public sealed class CanvasA2uiPushCommand(CanvasBrowser browser) : NodeCommand
{
    public override string Name => "canvas.a2ui.push";
    public override string Capability => "canvas";

    public override async Task<CommandResult> InvokeAsync(InvokeContext context, CancellationToken cancellationToken)
    {
        var request = context.ReadParams(CanvasJsonContext.Default.A2uiPushParams);
        string messages = A2uiMessages.FromArray(request?.Messages);
        return CommandResult.Success(await browser.A2uiApplyAsync(messages, cancellationToken).ConfigureAwait(false));
    }
}
