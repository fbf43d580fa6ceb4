using System.Runtime.InteropServices;

namespace ClawEdge.Gpio.Native;

// <linux/i2c-dev.h> and <linux/i2c.h>: the SMBus ioctl (register reads and writes, which every adapter offers,
// SMBus-only ones and i2c-stub included) and I2C_RDWR (plain transfers, for command-based chips such as the SHT4x).

/// <summary><c>struct i2c_smbus_ioctl_data</c>.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct I2cSmbusIoctlData
{
    public byte ReadWrite;
    public byte Command;
    public uint Size;
    public I2cSmbusData* Data;
}

/// <summary><c>union i2c_smbus_data</c>: byte, word, or block[0] = length then up to 32 bytes (+1 for PEC).</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct I2cSmbusData
{
    public fixed byte Block[I2cUapi.SmbusBlockMax + 2];
}

/// <summary><c>struct i2c_msg</c>.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct I2cMessage
{
    public ushort Address;
    public ushort Flags;
    public ushort Length;
    public byte* Buffer;
}

/// <summary><c>struct i2c_rdwr_ioctl_data</c>.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct I2cRdwrIoctlData
{
    public I2cMessage* Messages;
    public uint Count;
}

internal static class I2cUapi
{
    public const uint Slave = 0x0703;
    public const uint Funcs = 0x0705;
    public const uint Rdwr = 0x0707;
    public const uint Smbus = 0x0720;

    public const int SmbusBlockMax = 32;
    public const byte SmbusRead = 1;
    public const byte SmbusWrite = 0;
    public const uint SmbusByte = 1;
    public const uint SmbusByteData = 2;
    public const uint SmbusWordData = 3;
    public const uint SmbusI2cBlockData = 8;

    public const ushort MessageRead = 0x0001;

    public const ulong FuncI2c = 0x00000001;
    public const ulong FuncSmbusReadI2cBlock = 0x04000000;
}
