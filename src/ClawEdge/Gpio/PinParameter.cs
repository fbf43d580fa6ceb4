using System.Globalization;
using System.Text.Json;
using ClawEdge.Host;

namespace ClawEdge.Gpio;

/// <summary>The <c>pin</c> and <c>level</c> params as the ESP32 node takes them: a number or a string; 0, 1, true or false.</summary>
internal static class PinParameter
{
    public static string Key(JsonElement pin, string command) => pin.ValueKind switch
    {
        JsonValueKind.Number when pin.TryGetInt32(out int n) && n >= 0 => n.ToString(CultureInfo.InvariantCulture),
        JsonValueKind.String when pin.GetString() is { Length: > 0 } s => s,
        _ => throw new CommandException(ErrorCodes.InvalidRequest, $"{command} needs pin: a BCM number (17) or a declared pin name (\"relay\")"),
    };

    public static int Level(JsonElement level) => level.ValueKind switch
    {
        JsonValueKind.True => 1,
        JsonValueKind.False => 0,
        JsonValueKind.Number when level.TryGetInt32(out int n) && n is 0 or 1 => n,
        _ => throw new CommandException(ErrorCodes.InvalidRequest, "gpio.write needs level: 0, 1, true or false"),
    };

    /// <summary>A GPIO failure as the coded error the command answers with.</summary>
    public static CommandException Fail(GpioException e) => new(e.Code, e.Message);
}
