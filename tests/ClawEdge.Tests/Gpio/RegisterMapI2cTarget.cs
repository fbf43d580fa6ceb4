using ClawEdge.Gpio.Sensors;

namespace ClawEdge.Tests.Gpio;

/// <summary>
/// A chip as a register map, for the drivers' hardware-free tests: register reads and writes hit <see cref="Registers"/>,
/// 16-bit registers live apart in <see cref="Words"/> (as in the chips that have them, and in i2c-stub), plain reads return <see cref="ReadData"/>, and every write is recorded.
/// </summary>
public sealed class RegisterMapI2cTarget(bool plainReads = true) : I2cTarget
{
    public byte[] Registers { get; } = new byte[256];
    public Dictionary<byte, ushort> Words { get; } = [];
    public byte[] ReadData { get; set; } = [];
    public List<string> Writes { get; } = [];

    public override string Where => "0x00 on the register map";
    public override bool SupportsPlainRead => plainReads;

    public override void ReadRegisters(byte register, Span<byte> destination) => Registers.AsSpan(register, destination.Length).CopyTo(destination);

    public override void WriteRegister(byte register, byte value)
    {
        Registers[register] = value;
        Writes.Add($"{register:x2}={value:x2}");
    }

    public override ushort ReadWordBigEndian(byte register) => Words.GetValueOrDefault(register);

    public override void WriteWordBigEndian(byte register, ushort value)
    {
        Words[register] = value;
        Writes.Add($"{register:x2}={value:x4}");
    }

    public override void WriteCommand(byte command) => Writes.Add($"cmd {command:x2}");

    public override void Read(Span<byte> destination)
    {
        if (!plainReads)
            throw new InvalidOperationException("plain read on an SMBus-only map");
        ReadData.AsSpan(0, destination.Length).CopyTo(destination);
    }

    public override void Delay(int milliseconds) { }
}
