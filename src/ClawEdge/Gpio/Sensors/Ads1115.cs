namespace ClawEdge.Gpio.Sensors;

/// <summary>
/// TI ADS1115 16-bit ADC, from its datasheet: a single-shot conversion of one input against ground (MUX 100+n),
/// 128 samples/s (7.8 ms), comparator off; the signed result scales to the programmed full-scale range.
/// </summary>
public static class Ads1115
{
    private const byte Conversion = 0x00;
    private const byte Config = 0x01;

    /// <summary>PGA bits for each full-scale range (mV).</summary>
    public static ushort GainBits(int fullScaleMillivolts) => fullScaleMillivolts switch
    {
        6144 => 0,
        4096 => 1,
        2048 => 2,
        1024 => 3,
        512 => 4,
        256 => 5,
        _ => throw new GpioException(ClawEdge.Host.ErrorCodes.InvalidRequest, $"FullScaleMillivolts {fullScaleMillivolts}: use 6144, 4096, 2048, 1024, 512 or 256"),
    };

    public static (int Raw, double Millivolts) Read(I2cTarget chip, int channel, int fullScaleMillivolts)
    {
        if (channel is < 0 or > 3)
            throw new GpioException(ClawEdge.Host.ErrorCodes.InvalidRequest, "channel must be 0, 1, 2 or 3 (AIN0..AIN3 against GND)");
        ushort config = (ushort)(
            (1 << 15)                            // OS: start a single conversion
            | ((4 + channel) << 12)              // MUX: AINn against GND
            | (GainBits(fullScaleMillivolts) << 9)
            | (1 << 8)                           // MODE: single-shot
            | (4 << 5)                           // DR: 128 SPS
            | 0x3);                              // COMP_QUE: comparator off
        chip.WriteWordBigEndian(Config, config);
        chip.Delay(9);
        for (int i = 0; (chip.ReadWordBigEndian(Config) & 0x8000) == 0; i++)
        {
            // OS reads 0 while converting.
            if (i == 10)
                throw new GpioException(GpioErrorCodes.SensorUnavailable, $"the ADS1115 at {chip.Where} did not finish a conversion in 30 ms");
            chip.Delay(2);
        }
        short raw = (short)chip.ReadWordBigEndian(Conversion);
        return (raw, Math.Round(raw * (double)fullScaleMillivolts / 32768, 3));
    }
}
