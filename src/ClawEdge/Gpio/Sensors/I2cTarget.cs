namespace ClawEdge.Gpio.Sensors;

/// <summary>
/// One chip at one address on one I2C bus, as the sensor drivers use it. Register access is SMBus-shaped (every
/// adapter, SMBus-only ones and the kernel's i2c-stub included, offers it); <see cref="Read"/> is a plain I2C read
/// for chips driven by commands rather than registers. Two implementations: the kernel's /dev/i2c-N and the tests'
/// register map.
/// </summary>
public abstract class I2cTarget : IDisposable
{
    /// <summary>Where it is, for messages: <c>0x76 on /dev/i2c-1</c>.</summary>
    public abstract string Where { get; }

    /// <summary>Consecutive registers from <paramref name="register"/> (at most 32 bytes: one SMBus I2C-block read).</summary>
    public abstract void ReadRegisters(byte register, Span<byte> destination);

    public abstract void WriteRegister(byte register, byte value);

    /// <summary>A 16-bit register, most significant byte first on the wire (ADS1115, BH1750 data).</summary>
    public abstract ushort ReadWordBigEndian(byte register);

    public abstract void WriteWordBigEndian(byte register, ushort value);

    /// <summary>One command byte, no data (SMBus "send byte").</summary>
    public abstract void WriteCommand(byte command);

    /// <summary>Whether <see cref="Read"/> works here (I2C_FUNC_I2C); SMBus-only adapters and i2c-stub say no.</summary>
    public abstract bool SupportsPlainRead { get; }

    /// <summary>Several bytes with no register pointer (SMBus has no such read: plain I2C adapters only).</summary>
    public abstract void Read(Span<byte> destination);

    /// <summary>Waits for a conversion; the register map in tests does not sleep.</summary>
    public virtual void Delay(int milliseconds) => Thread.Sleep(milliseconds);

    public virtual void Dispose() { }
}
