using ClawEdge.Host;

namespace ClawEdge.Canvas;

/// <summary><c>canvas.a2ui.pushJSONL {jsonl}</c>: the same as <c>canvas.a2ui.push</c>, one message per line (the legacy form).</summary>
public sealed class CanvasA2uiPushJsonlCommand(CanvasBrowser browser) : NodeCommand
{
    public override string Name => "canvas.a2ui.pushJSONL";
    public override string Capability => "canvas";

    public override async Task<CommandResult> InvokeAsync(InvokeContext context, CancellationToken cancellationToken)
    {
        var request = context.ReadParams(CanvasJsonContext.Default.A2uiJsonlParams);
        string messages = A2uiMessages.FromJsonl(request?.Jsonl);
        return CommandResult.Success(await browser.A2uiApplyAsync(messages, cancellationToken).ConfigureAwait(false));
    }
}
