using System.Text.Json;
using ClawEdge.Host;

namespace ClawEdge.Location;

/// <summary><c>location.get</c> (gateway 2026.9.6): <c>{timeoutMs?, maxAgeMs?, desiredAccuracy?}</c> → a fix with its true source.</summary>
public sealed class LocationGetCommand(LocationResolver resolver) : NodeCommand
{
    // Left of the invoke's own deadline so LOCATION_TIMEOUT, not the registry's generic TIMEOUT, reaches the caller.
    private const int DeadlineMarginMs = 250;

    public override string Name => "location.get";
    public override string Capability => "location";

    public override async Task<CommandResult> InvokeAsync(InvokeContext context, CancellationToken cancellationToken)
    {
        var request = LocationRequest.Parse(context.ParamsJson);
        int budget = Math.Min(request.TimeoutMs, Math.Max(1, context.TimeoutMs - DeadlineMarginMs));
        var fix = await resolver.GetAsync(request, budget, cancellationToken).ConfigureAwait(false);
        return CommandResult.Success(JsonSerializer.Serialize(LocationResult.From(fix, request.Accuracy), LocationJsonContext.Default.LocationResult));
    }
}
