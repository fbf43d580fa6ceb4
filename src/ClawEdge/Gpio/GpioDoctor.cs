using System.Runtime.InteropServices;
using ClawEdge.Gpio.Native;
using ClawEdge.Service;
using ClawEdge.Platform.Native;

namespace ClawEdge.Gpio;

/// <summary><c>clawedge doctor</c>: can this user open the GPIO chips and I2C buses the config names (groups gpio, i2c)?</summary>
public static class GpioDoctor
{
    public static IEnumerable<DoctorCheck> Checks(GpioOptions options, string devDirectory = "/dev")
    {
        if (!options.Enabled)
        {
            yield return new(CheckStatus.Ok, "gpio", "off (Gpio:Enabled is false)");
            yield break;
        }
        var chips = GpioChip.Paths(devDirectory).ToList();
        if (chips.Count == 0 && options.Pins.Count > 0)
            yield return new(CheckStatus.Fail, "gpio", $"no {devDirectory}/gpiochip* device", "this kernel exposes no GPIO character device (CONFIG_GPIO_CDEV), or the board has no GPIO");
        foreach (string chip in chips)
            yield return Opens(chip, "gpio", "gpio");
        foreach (int bus in options.Sensors.Values.Select(s => s.Bus).Distinct().Order())
        {
            string path = $"{devDirectory}/i2c-{bus}";
            yield return File.Exists(path)
                ? Opens(path, "i2c", "i2c")
                : new(CheckStatus.Fail, "i2c", $"{path} does not exist", "enable I2C (raspi-config nonint do_i2c 0, or dtparam=i2c_arm=on in config.txt) and load i2c-dev (echo i2c-dev > /etc/modules-load.d/i2c.conf)");
        }
    }

    private static DoctorCheck Opens(string path, string name, string group)
    {
        using var fd = Libc.Open(path, Libc.O_RDWR | Libc.O_CLOEXEC);
        if (!fd.IsInvalid)
            return new(CheckStatus.Ok, name, $"{path} opens read-write");
        int errno = Marshal.GetLastPInvokeError();
        return errno is Libc.EACCES or Libc.EPERM
            ? new(CheckStatus.Fail, name, $"{path}: permission denied",
                $"add the service user to group {group} (usermod -aG {group} {Environment.UserName}); under systemd: SupplementaryGroups={group}")
            : new(CheckStatus.Warn, name, $"{path}: cannot open ({Libc.Describe(errno)})");
    }
}
