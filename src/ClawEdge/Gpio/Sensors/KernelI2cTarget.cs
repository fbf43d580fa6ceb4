using System.Runtime.InteropServices;
using ClawEdge.Gpio.Native;
using ClawEdge.Platform.Native;

namespace ClawEdge.Gpio.Sensors;

/// <summary>A chip behind <c>/dev/i2c-N</c> (i2c-dev): SMBus transfers through the I2C_SMBUS ioctl, plain reads through I2C_RDWR.</summary>
public sealed unsafe class KernelI2cTarget : I2cTarget
{
    private readonly SafeFileDescriptor _fd;
    private readonly int _address;
    private readonly string _path;
    private readonly ulong _functions;

    private KernelI2cTarget(SafeFileDescriptor fd, string path, int address, ulong functions)
    {
        _fd = fd;
        _path = path;
        _address = address;
        _functions = functions;
    }

    public override string Where => $"0x{_address:x2} on {_path}";

    public static KernelI2cTarget Open(int bus, int address, string devDirectory = "/dev")
    {
        string path = $"{devDirectory}/i2c-{bus}";
        var handle = Libc.Open(path, Libc.O_RDWR | Libc.O_CLOEXEC);
        if (handle.IsInvalid)
        {
            int errno = Marshal.GetLastPInvokeError();
            throw new GpioException(GpioErrorCodes.SensorUnavailable, errno switch
            {
                Libc.ENOENT => $"{path} does not exist: enable I2C (raspi-config nonint do_i2c 0, or dtparam=i2c_arm=on) and load i2c-dev, or fix the sensor's Bus",
                Libc.EACCES or Libc.EPERM => $"no permission to open {path}: add the node's user to the i2c group (usermod -aG i2c clawedge) and restart",
                _ => $"cannot open {path}: {Libc.Describe(errno)}",
            });
        }
        ulong functions = 0;
        if (Libc.Ioctl(handle, I2cUapi.Funcs, &functions) < 0
            || Libc.IoctlValue(handle, I2cUapi.Slave, (nuint)address) < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            handle.Dispose();
            throw new GpioException(GpioErrorCodes.SensorUnavailable, errno == Libc.EBUSY
                ? $"0x{address:x2} on {path} is claimed by a kernel driver (a dtoverlay for this sensor?): remove the overlay or unbind the driver so the node can talk to it"
                : $"{path} is not an I2C bus: {Libc.Describe(errno)}");
        }
        return new KernelI2cTarget(handle, path, address, functions);
    }

    private void Smbus(byte readWrite, byte command, uint size, I2cSmbusData* data, string what)
    {
        var args = new I2cSmbusIoctlData { ReadWrite = readWrite, Command = command, Size = size, Data = data };
        if (Libc.Ioctl(_fd, I2cUapi.Smbus, &args) < 0)
            throw TransferFailure(Marshal.GetLastPInvokeError(), what);
    }

    private GpioException TransferFailure(int errno, string what) => new(GpioErrorCodes.SensorUnavailable, errno switch
    {
        Libc.ENXIO or Libc.ENODEV or Libc.EREMOTEIO or 5 /* EIO */ =>
            $"no chip answers at {Where} ({what}): check the wiring, the address (i2cdetect -y N) and the sensor's Bus/Address config",
        Libc.EOPNOTSUPP => $"{_path} cannot {what}: the adapter lacks that transfer",
        _ => $"{what} at {Where}: {Libc.Describe(errno)}",
    });

    public override void ReadRegisters(byte register, Span<byte> destination)
    {
        if (destination.Length is 0 or > I2cUapi.SmbusBlockMax)
            throw new ArgumentOutOfRangeException(nameof(destination));
        I2cSmbusData data = default;
        data.Block[0] = (byte)destination.Length;
        Smbus(I2cUapi.SmbusRead, register, I2cUapi.SmbusI2cBlockData, &data, $"read register 0x{register:x2}");
        if (data.Block[0] < destination.Length)
            throw new GpioException(GpioErrorCodes.SensorUnavailable, $"short read at {Where}: {data.Block[0]} of {destination.Length} bytes");
        new ReadOnlySpan<byte>(&data.Block[1], destination.Length).CopyTo(destination);
    }

    public override void WriteRegister(byte register, byte value)
    {
        I2cSmbusData data = default;
        data.Block[0] = value;
        Smbus(I2cUapi.SmbusWrite, register, I2cUapi.SmbusByteData, &data, $"write register 0x{register:x2}");
    }

    // SMBus words travel least significant byte first; these chips send the most significant first.
    public override ushort ReadWordBigEndian(byte register)
    {
        I2cSmbusData data = default;
        Smbus(I2cUapi.SmbusRead, register, I2cUapi.SmbusWordData, &data, $"read register 0x{register:x2}");
        return (ushort)((data.Block[0] << 8) | data.Block[1]);
    }

    public override void WriteWordBigEndian(byte register, ushort value)
    {
        I2cSmbusData data = default;
        data.Block[0] = (byte)(value >> 8);
        data.Block[1] = (byte)value;
        Smbus(I2cUapi.SmbusWrite, register, I2cUapi.SmbusWordData, &data, $"write register 0x{register:x2}");
    }

    public override void WriteCommand(byte command) =>
        Smbus(I2cUapi.SmbusWrite, command, I2cUapi.SmbusByte, null, $"send command 0x{command:x2}");

    public override bool SupportsPlainRead => (_functions & I2cUapi.FuncI2c) != 0;

    public override void Read(Span<byte> destination)
    {
        if ((_functions & I2cUapi.FuncI2c) == 0)
            throw new GpioException(GpioErrorCodes.SensorUnavailable, $"{_path} is an SMBus-only adapter: this chip needs plain I2C reads");
        fixed (byte* buffer = destination)
        {
            var message = new I2cMessage { Address = (ushort)_address, Flags = I2cUapi.MessageRead, Length = (ushort)destination.Length, Buffer = buffer };
            var args = new I2cRdwrIoctlData { Messages = &message, Count = 1 };
            if (Libc.Ioctl(_fd, I2cUapi.Rdwr, &args) < 0)
                throw TransferFailure(Marshal.GetLastPInvokeError(), "read");
        }
    }

    public override void Dispose() => _fd.Dispose();
}
