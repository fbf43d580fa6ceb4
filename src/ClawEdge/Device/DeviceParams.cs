using System.Text.Json;
using ClawEdge.Host;

namespace ClawEdge.Device;

/// <summary>device.info and device.status take no params: nothing, <c>null</c> or an object (its keys are ignored, as the mobile nodes do).</summary>
public static class DeviceParams
{
    public static void Check(InvokeContext context)
    {
        if (string.IsNullOrWhiteSpace(context.ParamsJson))
            return;
        try
        {
            using var document = JsonDocument.Parse(context.ParamsJson);
            if (document.RootElement.ValueKind is JsonValueKind.Object or JsonValueKind.Null)
                return;
        }
        catch (JsonException)
        {
        }
        throw new CommandException(ErrorCodes.InvalidRequest, $"INVALID_REQUEST: {context.Command} takes no params: send {{}}");
    }
}
