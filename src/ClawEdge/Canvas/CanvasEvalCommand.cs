using System.Text.Json;
using ClawEdge.Host;

namespace ClawEdge.Canvas;

/// <summary>
/// <c>canvas.eval {javaScript}</c> → <c>{result}</c>: runs a script in the shown page (promises awaited) and returns its
/// value as text — a string as it is, anything else as JSON. Declared only with <c>Canvas:AllowEval</c>.
/// </summary>
public sealed class CanvasEvalCommand(CanvasBrowser browser) : NodeCommand
{
    public const int MaxTimeoutMs = 30_000;

    public override string Name => "canvas.eval";
    public override string Capability => "canvas";

    public override async Task<CommandResult> InvokeAsync(InvokeContext context, CancellationToken cancellationToken)
    {
        var request = context.ReadParams(CanvasJsonContext.Default.CanvasEvalParams);
        if (string.IsNullOrWhiteSpace(request?.JavaScript))
            throw new CommandException(ErrorCodes.InvalidRequest, "INVALID_REQUEST: javaScript is empty: give the script to run in the canvas page");
        // Inside the invoke's own deadline, so the answer is a clear eval timeout rather than the invoke's.
        int timeoutMs = Math.Clamp(context.TimeoutMs - 1500, 500, MaxTimeoutMs);
        string value = await browser.EvaluateAsync(request.JavaScript, timeoutMs, cancellationToken).ConfigureAwait(false);
        return CommandResult.Success(JsonSerializer.Serialize(new CanvasEvalResult { Result = value }, CanvasJsonContext.Default.CanvasEvalResult));
    }
}
