using ClawEdge.Gpio.Sensors;

namespace ClawEdge.Tests.Gpio;

/// <summary>
/// The oracle for the BME280 driver, independent of its integer code: the datasheet's double-precision compensation
/// (BME280 datasheet §8.1), the trimming values and samples of the BMP280 datasheet's worked example (§3.12:
/// adc_T 519888 → t_fine 128422, 25.08 °C), plus the register image a chip with that calibration shows.
/// </summary>
public static class Bme280Reference
{
    /// <summary>The BMP280 datasheet example's trimming values; H1..H6 from a typical BME280.</summary>
    public static readonly Bme280.Calibration Example = new(
        T1: 27504, T2: 26435, T3: -1000,
        P1: 36477, P2: -10685, P3: 3024, P4: 2855, P5: 140, P6: -7, P7: 15500, P8: -14600, P9: 6000,
        H1: 75, H2: 362, H3: 0, H4: 313, H5: 50, H6: 30);

    public const int ExampleAdcT = 519888;
    public const int ExampleAdcP = 415148;
    public const int ExampleAdcH = 30000;

    public static (double T, double P, double H) Compensate(int adcT, int adcP, int adcH, Bme280.Calibration c)
    {
        double var1 = (adcT / 16384.0 - c.T1 / 1024.0) * c.T2;
        double var2 = (adcT / 131072.0 - c.T1 / 8192.0) * (adcT / 131072.0 - c.T1 / 8192.0) * c.T3;
        double tFine = (int)(var1 + var2);
        double t = (var1 + var2) / 5120.0;

        var1 = tFine / 2.0 - 64000.0;
        var2 = var1 * var1 * c.P6 / 32768.0;
        var2 += var1 * c.P5 * 2.0;
        var2 = var2 / 4.0 + c.P4 * 65536.0;
        var1 = (c.P3 * var1 * var1 / 524288.0 + c.P2 * var1) / 524288.0;
        var1 = (1.0 + var1 / 32768.0) * c.P1;
        double p = 1048576.0 - adcP;
        p = (p - var2 / 4096.0) * 6250.0 / var1;
        var1 = c.P9 * p * p / 2147483648.0;
        var2 = p * c.P8 / 32768.0;
        p += (var1 + var2 + c.P7) / 16.0;

        double h = tFine - 76800.0;
        h = (adcH - (c.H4 * 64.0 + c.H5 / 16384.0 * h)) * (c.H2 / 65536.0 * (1.0 + c.H6 / 67108864.0 * h * (1.0 + c.H3 / 67108864.0 * h)));
        h *= 1.0 - c.H1 * h / 524288.0;
        return (t, p, Math.Clamp(h, 0, 100));
    }

    /// <summary>Register address → value, as a BME280 (chip id 0x60) or BMP280 (0x58) with this calibration and these samples shows.</summary>
    public static SortedDictionary<byte, byte> Registers(Bme280.Calibration c, int adcT, int adcP, int adcH, bool humidity)
    {
        var r = new SortedDictionary<byte, byte>();
        void U16(byte at, int v) { r[at] = (byte)v; r[(byte)(at + 1)] = (byte)(v >> 8); }
        r[Bme280.ChipIdRegister] = humidity ? Bme280.ChipIdBme280 : Bme280.ChipIdBmp280;
        U16(0x88, c.T1); U16(0x8A, c.T2); U16(0x8C, c.T3);
        U16(0x8E, c.P1); U16(0x90, c.P2); U16(0x92, c.P3); U16(0x94, c.P4); U16(0x96, c.P5);
        U16(0x98, c.P6); U16(0x9A, c.P7); U16(0x9C, c.P8); U16(0x9E, c.P9);
        if (humidity)
        {
            r[0xA1] = c.H1;
            U16(0xE1, c.H2);
            r[0xE3] = c.H3;
            r[0xE4] = (byte)(c.H4 >> 4);
            r[0xE5] = (byte)((c.H4 & 0x0F) | ((c.H5 & 0x0F) << 4));
            r[0xE6] = (byte)(c.H5 >> 4);
            r[0xE7] = (byte)c.H6;
        }
        r[0xF3] = 0; // status: not measuring
        r[0xF7] = (byte)(adcP >> 12); r[0xF8] = (byte)(adcP >> 4); r[0xF9] = (byte)((adcP & 0x0F) << 4);
        r[0xFA] = (byte)(adcT >> 12); r[0xFB] = (byte)(adcT >> 4); r[0xFC] = (byte)((adcT & 0x0F) << 4);
        if (humidity)
        {
            r[0xFD] = (byte)(adcH >> 8); r[0xFE] = (byte)adcH;
        }
        return r;
    }
}
