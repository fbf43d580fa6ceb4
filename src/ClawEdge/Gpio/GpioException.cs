namespace ClawEdge.Gpio;

/// <summary>A GPIO or I2C failure with the error code the command answers with and a message saying what to do.</summary>
public sealed class GpioException(string code, string message) : Exception(message)
{
    public string Code { get; } = code;
}

/// <summary>Error codes of this capability (beyond the host's INVALID_REQUEST/UNAVAILABLE/TIMEOUT).</summary>
public static class GpioErrorCodes
{
    public const string Disabled = "GPIO_DISABLED";
    /// <summary>The line is held by another program (or kernel driver).</summary>
    public const string Busy = "GPIO_BUSY";
    public const string Unavailable = "GPIO_UNAVAILABLE";
    public const string SensorUnavailable = "SENSOR_UNAVAILABLE";
}
