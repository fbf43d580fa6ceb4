using System.Buffers.Binary;

namespace ClawEdge.Gpio.Sensors;

/// <summary>
/// Bosch BME280 (temperature, pressure, humidity) and BMP280 (no humidity), from the datasheets (BME280 rev. 1.6,
/// §4.2.3 / BMP280 rev. 1.19, §3.11.3): one forced measurement at ×1 oversampling, then the integer compensation —
/// 32-bit for temperature and humidity, 64-bit for pressure — with the chip's own trimming parameters.
/// </summary>
public static class Bme280
{
    public const byte ChipIdRegister = 0xD0;
    public const byte ChipIdBme280 = 0x60;
    public const byte ChipIdBmp280 = 0x58;
    private const byte CalibrationTp = 0x88;   // 0x88..0xA1: T1..T3, P1..P9, (BME280) H1 at 0xA1
    private const byte CalibrationH = 0xE1;    // 0xE1..0xE7: H2..H6
    private const byte ControlHumidity = 0xF2;
    private const byte Status = 0xF3;
    private const byte ControlMeasure = 0xF4;
    private const byte Data = 0xF7;            // press[3] temp[3] hum[2]

    /// <summary>Trimming parameters (datasheet names dig_T1…dig_H6).</summary>
    public readonly record struct Calibration(
        ushort T1, short T2, short T3,
        ushort P1, short P2, short P3, short P4, short P5, short P6, short P7, short P8, short P9,
        byte H1, short H2, byte H3, short H4, short H5, sbyte H6);

    public static Calibration ParseCalibration(ReadOnlySpan<byte> tp, ReadOnlySpan<byte> h)
    {
        bool humidity = h.Length >= 7;
        return new Calibration(U(tp, 0), S(tp, 2), S(tp, 4), U(tp, 6), S(tp, 8), S(tp, 10), S(tp, 12), S(tp, 14), S(tp, 16), S(tp, 18), S(tp, 20), S(tp, 22),
            tp.Length > 25 ? tp[25] : (byte)0,
            humidity ? BinaryPrimitives.ReadInt16LittleEndian(h) : (short)0,
            humidity ? h[2] : (byte)0,
            // H4 is 0xE4[7:0] << 4 | 0xE5[3:0], H5 is 0xE6[7:0] << 4 | 0xE5[7:4]; both 12-bit signed (0xE4/0xE6 signed).
            humidity ? (short)(((sbyte)h[3] << 4) | (h[4] & 0x0F)) : (short)0,
            humidity ? (short)(((sbyte)h[5] << 4) | (h[4] >> 4)) : (short)0,
            humidity ? (sbyte)h[6] : (sbyte)0);
    }

    private static short S(ReadOnlySpan<byte> b, int at) => BinaryPrimitives.ReadInt16LittleEndian(b[at..]);
    private static ushort U(ReadOnlySpan<byte> b, int at) => BinaryPrimitives.ReadUInt16LittleEndian(b[at..]);

    /// <summary>Temperature in 0.01 °C, and t_fine for the other two.</summary>
    public static int CompensateTemperature(int adcT, in Calibration c, out int tFine)
    {
        int var1 = (((adcT >> 3) - (c.T1 << 1)) * c.T2) >> 11;
        int var2 = (((((adcT >> 4) - c.T1) * ((adcT >> 4) - c.T1)) >> 12) * c.T3) >> 14;
        tFine = var1 + var2;
        return (tFine * 5 + 128) >> 8;
    }

    /// <summary>Pressure in Pa as unsigned Q24.8 (value / 256 = Pa); 0 when the calibration would divide by zero.</summary>
    public static uint CompensatePressure(int adcP, int tFine, in Calibration c)
    {
        long var1 = (long)tFine - 128000;
        long var2 = var1 * var1 * c.P6;
        var2 += (var1 * c.P5) << 17;
        var2 += (long)c.P4 << 35;
        var1 = ((var1 * var1 * c.P3) >> 8) + ((var1 * c.P2) << 12);
        var1 = ((1L << 47) + var1) * c.P1 >> 33;
        if (var1 == 0)
            return 0;
        long p = 1048576 - adcP;
        p = ((p << 31) - var2) * 3125 / var1;
        var1 = (c.P9 * (p >> 13) * (p >> 13)) >> 25;
        var2 = (c.P8 * p) >> 19;
        p = ((p + var1 + var2) >> 8) + ((long)c.P7 << 4);
        return (uint)p;
    }

    /// <summary>Relative humidity in %RH as unsigned Q22.10 (value / 1024 = %).</summary>
    public static uint CompensateHumidity(int adcH, int tFine, in Calibration c)
    {
        int x = tFine - 76800;
        x = ((((adcH << 14) - (c.H4 << 20) - (c.H5 * x)) + 16384) >> 15)
            * (((((((x * c.H6) >> 10) * (((x * c.H3) >> 11) + 32768)) >> 10) + 2097152) * c.H2 + 8192) >> 14);
        x -= ((((x >> 15) * (x >> 15)) >> 7) * c.H1) >> 4;
        x = Math.Clamp(x, 0, 419430400);
        return (uint)(x >> 12);
    }

    public static SensorReading Read(I2cTarget chip)
    {
        Span<byte> id = stackalloc byte[1];
        chip.ReadRegisters(ChipIdRegister, id);
        bool humidity = id[0] == ChipIdBme280;
        if (!humidity && id[0] is not (ChipIdBmp280 or 0x56 or 0x57))
            throw new GpioException(GpioErrorCodes.SensorUnavailable,
                $"the chip at {chip.Where} answers chip id 0x{id[0]:x2}: not a BME280 (0x60) or BMP280 (0x58); check the sensor's Kind and Address");

        Span<byte> tp = stackalloc byte[26];
        chip.ReadRegisters(CalibrationTp, tp);
        Span<byte> h = stackalloc byte[humidity ? 7 : 0];
        if (humidity)
            chip.ReadRegisters(CalibrationH, h);
        var calibration = ParseCalibration(tp, h);

        // Forced mode, ×1 oversampling of each: one measurement, then the chip sleeps (typ. 8 ms, max 9.3 ms with
        // humidity). ctrl_hum only takes effect after the ctrl_meas write that follows it.
        if (humidity)
            chip.WriteRegister(ControlHumidity, 0x01);
        chip.WriteRegister(ControlMeasure, (1 << 5) | (1 << 2) | 0x01);
        chip.Delay(10);
        Span<byte> status = stackalloc byte[1];
        for (int i = 0; i < 10; i++)
        {
            chip.ReadRegisters(Status, status);
            if ((status[0] & 0x08) == 0)
                break;
            chip.Delay(2);
        }

        Span<byte> raw = stackalloc byte[humidity ? 8 : 6];
        chip.ReadRegisters(Data, raw);
        int adcP = (raw[0] << 12) | (raw[1] << 4) | (raw[2] >> 4);
        int adcT = (raw[3] << 12) | (raw[4] << 4) | (raw[5] >> 4);
        if (adcT == 0x80000)
            throw new GpioException(GpioErrorCodes.SensorUnavailable, $"the BME280 at {chip.Where} reports no temperature sample (skipped): it did not measure");

        var values = new Dictionary<string, double>(StringComparer.Ordinal);
        int centi = CompensateTemperature(adcT, calibration, out int tFine);
        values["temperatureC"] = centi / 100.0;
        if (adcP != 0x80000)
            values["pressureHpa"] = Math.Round(CompensatePressure(adcP, tFine, calibration) / 256.0 / 100.0, 4);
        if (humidity)
        {
            int adcH = (raw[6] << 8) | raw[7];
            if (adcH != 0x8000)
                values["humidityPercent"] = Math.Round(CompensateHumidity(adcH, tFine, calibration) / 1024.0, 3);
        }
        return new SensorReading(humidity ? "bme280" : "bmp280", values);
    }
}

/// <summary>A driver's answer: the chip it found and its values (temperatureC, pressureHpa, humidityPercent, lux, …).</summary>
public sealed record SensorReading(string Kind, Dictionary<string, double> Values);
