namespace ClawEdge.Gpio;

/// <summary>
/// <c>Gpio</c>: general-purpose pins and I2C sensors. Off by default; only the pins declared here can be touched,
/// and only the way they are declared (an input is never driven).
/// </summary>
public sealed class GpioOptions
{
    /// <summary>Serve <c>gpio.*</c>, <c>sensor.*</c> and <c>adc.read</c>.</summary>
    public bool Enabled { get; set; }

    /// <summary>
    /// The chip a numeric pin key (a Raspberry Pi BCM number) lives on: <c>gpiochip0</c>, <c>/dev/gpiochip4</c> or a
    /// chip label (<c>pinctrl-rp1</c>). null: the first chip labelled <c>pinctrl-bcm*</c> or <c>pinctrl-rp1</c>, else gpiochip0.
    /// </summary>
    public string? Chip { get; set; }

    /// <summary>Pins by key: a BCM number (<c>"17"</c>), or any name with <c>Chip</c> and <c>Line</c> set.</summary>
    public Dictionary<string, GpioPinOptions> Pins { get; set; } = new(StringComparer.Ordinal);

    /// <summary>I2C sensors by id (the <c>sensor.read</c> id).</summary>
    public Dictionary<string, SensorOptions> Sensors { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Longest <c>gpio.wait</c>; a longer <c>timeoutMs</c> is clamped to it (and to the invoke's own timeout).</summary>
    public int MaxWaitMs { get; set; } = 60_000;
}

public sealed class GpioPinOptions
{
    /// <summary><c>input</c>, <c>output</c> or <c>input_output</c> (an output that may also be read back).</summary>
    public string Mode { get; set; } = "input";

    /// <summary>Bias: <c>up</c>, <c>down</c>, <c>none</c> (disabled), or null to leave the board's setting.</summary>
    public string? Pull { get; set; }

    /// <summary>What it is (<c>relay</c>, <c>door</c>); also accepted as the <c>pin</c> of a command.</summary>
    public string? Name { get; set; }

    /// <summary>An output's safe level: driven when the node starts and again when it stops.</summary>
    public int Initial { get; set; }

    /// <summary>Invert the level (the line's active-low flag): level 1 drives the pin low.</summary>
    public bool ActiveLow { get; set; }

    /// <summary>Chip for a pin on another board (<c>gpiochip1</c>, a path or a label); null: <see cref="GpioOptions.Chip"/>.</summary>
    public string? Chip { get; set; }

    /// <summary>Line offset on <see cref="Chip"/>; null: the key as a number (BCM).</summary>
    public int? Line { get; set; }
}

public sealed class SensorOptions
{
    /// <summary><c>bme280</c> (also answers for a BMP280), <c>bmp280</c>, <c>sht4x</c>, <c>bh1750</c> or <c>ads1115</c>.</summary>
    public string Kind { get; set; } = "";

    /// <summary>The I2C bus: <c>/dev/i2c-N</c> (1 on a Raspberry Pi's header).</summary>
    public int Bus { get; set; } = 1;

    /// <summary>7-bit address, <c>0x76</c> or decimal; null: the chip's default (0x76, 0x44, 0x23, 0x48).</summary>
    public string? Address { get; set; }

    /// <summary>ADS1115 only: full-scale range in millivolts (6144, 4096, 2048, 1024, 512, 256).</summary>
    public int FullScaleMillivolts { get; set; } = 4096;
}
