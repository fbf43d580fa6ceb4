using ClawEdge.Gpio;
using ClawEdge.Gpio.Sensors;

namespace ClawEdge.Tests.Gpio;

/// <summary>The sensor drivers over a register map: datasheet formulas and examples, transfers in the datasheet's order.</summary>
public class SensorDriverTests
{
    private static RegisterMapI2cTarget Chip(IEnumerable<KeyValuePair<byte, byte>> registers, bool plainReads = true)
    {
        var chip = new RegisterMapI2cTarget(plainReads);
        foreach (var (at, value) in registers)
            chip.Registers[at] = value;
        return chip;
    }

    [Test]
    public async Task Bme280_integer_compensation_reproduces_the_bmp280_datasheet_example()
    {
        var c = Bme280Reference.Example;
        int centi = Bme280.CompensateTemperature(Bme280Reference.ExampleAdcT, c, out int tFine);
        uint q248 = Bme280.CompensatePressure(Bme280Reference.ExampleAdcP, tFine, c);
        await Assert.That(tFine).IsEqualTo(128422);           // the datasheet's t_fine
        await Assert.That(centi).IsEqualTo(2508);             // 25.08 °C
        var (_, p, _) = Bme280Reference.Compensate(Bme280Reference.ExampleAdcT, Bme280Reference.ExampleAdcP, 0, c);
        await Assert.That(q248 / 256.0).IsEqualTo(p).Within(0.05); // Pa: the 64-bit integer path resolves 1/256 Pa
    }

    [Test]
    public async Task Bme280_integer_compensation_agrees_with_the_floating_point_formulas()
    {
        var c = Bme280Reference.Example;
        var random = new Random(1280);
        for (int i = 0; i < 2000; i++)
        {
            // Raw samples across the sensor's range: −40…85 °C, 300…1100 hPa, 0…100 %RH come out of these.
            int adcT = random.Next(400_000, 640_000), adcP = random.Next(250_000, 600_000), adcH = random.Next(15_000, 50_000);
            var (t, p, h) = Bme280Reference.Compensate(adcT, adcP, adcH, c);
            int centi = Bme280.CompensateTemperature(adcT, c, out int tFine);
            await Assert.That(centi / 100.0).IsEqualTo(t).Within(0.01);
            await Assert.That(Bme280.CompensatePressure(adcP, tFine, c) / 256.0).IsEqualTo(p).Within(1.0);
            await Assert.That(Bme280.CompensateHumidity(adcH, tFine, c) / 1024.0).IsEqualTo(h).Within(0.05);
        }
    }

    [Test]
    public async Task Bme280_read_forces_one_measurement_and_compensates_the_chip_registers()
    {
        var c = Bme280Reference.Example;
        var chip = Chip(Bme280Reference.Registers(c, Bme280Reference.ExampleAdcT, Bme280Reference.ExampleAdcP, Bme280Reference.ExampleAdcH, humidity: true));
        var reading = Bme280.Read(chip);
        var (_, p, h) = Bme280Reference.Compensate(Bme280Reference.ExampleAdcT, Bme280Reference.ExampleAdcP, Bme280Reference.ExampleAdcH, c);
        await Assert.That(reading.Kind).IsEqualTo("bme280");
        await Assert.That(reading.Values["temperatureC"]).IsEqualTo(25.08);
        await Assert.That(reading.Values["pressureHpa"]).IsEqualTo(p / 100).Within(0.001);
        await Assert.That(reading.Values["humidityPercent"]).IsEqualTo(h).Within(0.05);
        // ctrl_hum before ctrl_meas (it only latches on the ctrl_meas write); forced mode, ×1 each.
        await Assert.That(string.Join(" ", chip.Writes)).IsEqualTo("f2=01 f4=25");
    }

    [Test]
    public async Task Bmp280_has_no_humidity_and_a_stranger_is_refused()
    {
        var c = Bme280Reference.Example;
        var bmp = Bme280.Read(Chip(Bme280Reference.Registers(c, Bme280Reference.ExampleAdcT, Bme280Reference.ExampleAdcP, 0, humidity: false)));
        await Assert.That(bmp.Kind).IsEqualTo("bmp280");
        await Assert.That(bmp.Values.ContainsKey("humidityPercent")).IsFalse();
        await Assert.That(bmp.Values["temperatureC"]).IsEqualTo(25.08);

        var stranger = Chip([new(0xD0, 0x55)]);
        var e = Assert.Throws<GpioException>(() => Bme280.Read(stranger));
        await Assert.That(e.Code).IsEqualTo(GpioErrorCodes.SensorUnavailable);
        await Assert.That(e.Message).Contains("0x55");
    }

    [Test]
    public async Task Sht4x_checks_crc_and_converts_with_the_datasheet_formulas()
    {
        // Sensirion's CRC example: 0xBEEF → 0x92.
        await Assert.That(Sht4x.Crc8([0xBE, 0xEF])).IsEqualTo((byte)0x92);
        byte[] t = [0x66, 0x66], rh = [0x80, 0x00];
        var chip = new RegisterMapI2cTarget { ReadData = [t[0], t[1], Sht4x.Crc8(t), rh[0], rh[1], Sht4x.Crc8(rh)] };
        var reading = Sht4x.Read(chip);
        await Assert.That(reading.Values["temperatureC"]).IsEqualTo(Math.Round(-45 + 175.0 * 0x6666 / 65535, 2));
        await Assert.That(reading.Values["humidityPercent"]).IsEqualTo(Math.Round(-6 + 125.0 * 0x8000 / 65535, 2));
        await Assert.That(string.Join(" ", chip.Writes)).IsEqualTo("cmd fd");

        chip.ReadData[2] ^= 1;
        await Assert.That(Assert.Throws<GpioException>(() => Sht4x.Read(chip)).Message).Contains("CRC");
        var smbusOnly = new RegisterMapI2cTarget(plainReads: false);
        await Assert.That(Assert.Throws<GpioException>(() => Sht4x.Read(smbusOnly)).Message).Contains("SMBus");
    }

    [Test]
    public async Task Bh1750_powers_on_measures_continuously_and_divides_by_1_2()
    {
        var plain = new RegisterMapI2cTarget { ReadData = [0x04, 0xB0] }; // 1200 counts
        bool measuring = false;
        await Assert.That(Bh1750.Read(plain, ref measuring).Values["lux"]).IsEqualTo(1000.0);
        await Assert.That(string.Join(" ", plain.Writes)).IsEqualTo("cmd 01 cmd 10");
        Bh1750.Read(plain, ref measuring);
        await Assert.That(plain.Writes.Count).IsEqualTo(2); // continuous mode: set once

        var smbus = new RegisterMapI2cTarget(plainReads: false);
        smbus.Words[0x10] = 12; // 12 counts through "read word" with the mode command
        measuring = false;
        await Assert.That(Bh1750.Read(smbus, ref measuring).Values["lux"]).IsEqualTo(10.0);
    }

    [Test]
    public async Task Ads1115_starts_a_single_shot_on_the_channel_and_scales_to_the_range()
    {
        var chip = new RegisterMapI2cTarget();
        chip.Words[0x00] = 0x4000; // conversion: 16384 counts
        var (raw, mv) = Ads1115.Read(chip, channel: 0, fullScaleMillivolts: 4096);
        await Assert.That(raw).IsEqualTo(16384);
        await Assert.That(mv).IsEqualTo(2048.0);
        // OS=1, MUX=100 (AIN0/GND), PGA=001 (±4.096 V), MODE=1, DR=100 (128 SPS), COMP_QUE=11: 0xC383.
        await Assert.That(chip.Writes[0]).IsEqualTo("01=c383");
        Ads1115.Read(chip, channel: 3, fullScaleMillivolts: 2048);
        await Assert.That(chip.Writes[1]).IsEqualTo("01=f583");
        chip.Words[0x00] = 0xFFFF; // −1 count
        await Assert.That(Ads1115.Read(chip, 1, 6144).Millivolts).IsEqualTo(Math.Round(-6144 / 32768.0, 3));
    }
}
