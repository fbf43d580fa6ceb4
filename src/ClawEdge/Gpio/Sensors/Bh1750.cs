namespace ClawEdge.Gpio.Sensors;

/// <summary>
/// ROHM BH1750FVI ambient light, from its datasheet: continuously high-resolution mode (1 lx steps, 120 ms typ.,
/// 180 ms max per measurement); lux = count / 1.2 at the default measurement time (MTreg 69).
/// </summary>
public static class Bh1750
{
    private const byte PowerOn = 0x01;
    private const byte ContinuousHighResolution = 0x10;

    public static SensorReading Read(I2cTarget chip, ref bool measuring)
    {
        if (!measuring)
        {
            chip.WriteCommand(PowerOn);
            chip.WriteCommand(ContinuousHighResolution);
            chip.Delay(180);
            measuring = true;
        }
        int count;
        if (chip.SupportsPlainRead)
        {
            // The two result bytes, high first, with no register pointer: what the datasheet's read cycle is.
            Span<byte> raw = stackalloc byte[2];
            chip.Read(raw);
            count = (raw[0] << 8) | raw[1];
        }
        else
        {
            // SMBus-only adapter: "read word" sends the mode command again (the chip stays in the same mode) and
            // reads the two bytes the same way.
            count = chip.ReadWordBigEndian(ContinuousHighResolution);
        }
        return new SensorReading("bh1750", new Dictionary<string, double>(StringComparer.Ordinal) { ["lux"] = Math.Round(count / 1.2, 2) });
    }
}
