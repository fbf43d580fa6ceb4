namespace ClawEdge.Gpio.Sensors;

/// <summary>
/// Sensirion SHT4x (SHT40/41/45) temperature and humidity, from its datasheet: command 0xFD (high repeatability,
/// 8.3 ms max), then six bytes — T and RH, each 16 bits followed by a CRC-8 (polynomial 0x31, init 0xFF).
/// </summary>
public static class Sht4x
{
    private const byte MeasureHighPrecision = 0xFD;

    public static SensorReading Read(I2cTarget chip)
    {
        if (!chip.SupportsPlainRead)
            throw new GpioException(GpioErrorCodes.SensorUnavailable,
                $"the SHT4x at {chip.Where} answers with a plain I2C read, which this adapter (SMBus only) cannot do");
        chip.WriteCommand(MeasureHighPrecision);
        chip.Delay(10);
        Span<byte> raw = stackalloc byte[6];
        chip.Read(raw);
        if (Crc8(raw[..2]) != raw[2] || Crc8(raw[3..5]) != raw[5])
            throw new GpioException(GpioErrorCodes.SensorUnavailable, $"the SHT4x at {chip.Where} sent a reading with a bad CRC: check the wiring (pull-ups, cable length)");
        int t = (raw[0] << 8) | raw[1];
        int rh = (raw[3] << 8) | raw[4];
        return new SensorReading("sht4x", new Dictionary<string, double>(StringComparer.Ordinal)
        {
            ["temperatureC"] = Math.Round(-45 + 175.0 * t / 65535, 2),
            ["humidityPercent"] = Math.Round(Math.Clamp(-6 + 125.0 * rh / 65535, 0, 100), 2),
        });
    }

    public static byte Crc8(ReadOnlySpan<byte> data)
    {
        byte crc = 0xFF;
        foreach (byte b in data)
        {
            crc ^= b;
            for (int i = 0; i < 8; i++)
                crc = (byte)((crc & 0x80) != 0 ? (crc << 1) ^ 0x31 : crc << 1);
        }
        return crc;
    }
}
