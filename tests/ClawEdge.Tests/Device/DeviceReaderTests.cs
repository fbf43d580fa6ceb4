using ClawEdge.Device;
using ClawEdge.Tests.Interop;

namespace ClawEdge.Tests.Device;

/// <summary>
/// device.info/status readers over a prepared tree holding a Raspberry Pi 4's files (their contents as the Pi kernel
/// writes them: NUL-terminated device-tree model, millidegrees, hex get_throttled), and over an empty tree: what a
/// machine does not have is null, never made up.
/// </summary>
public class DeviceReaderTests
{
    private static string PiTree()
    {
        string root = Tools.TempDir("pi");
        void Put(string path, string text)
        {
            string full = Path.Join(root, path);
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            File.WriteAllText(full, text);
        }
        Put("proc/device-tree/model", "Raspberry Pi 4 Model B Rev 1.4\0");
        Put("etc/os-release", "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nNAME=\"Debian GNU/Linux\"\nVERSION_ID=\"12\"\nVERSION=\"12 (bookworm)\"\nID=debian\n");
        Put("proc/sys/kernel/osrelease", "6.6.51+rpt-rpi-v8\n");
        Put("sys/class/thermal/thermal_zone0/type", "cpu-thermal\n");
        Put("sys/class/thermal/thermal_zone0/temp", "71540\n");
        Put("sys/class/thermal/thermal_zone0/trip_point_0_type", "critical\n");
        Put("sys/class/thermal/thermal_zone0/trip_point_0_temp", "110000\n");
        Put("sys/class/thermal/cooling_device0/type", "gpio-fan\n");
        Put("sys/devices/platform/soc/soc:firmware/get_throttled", "50005\n");
        Put("sys/class/power_supply/BAT0/type", "Battery\n");
        Put("sys/class/power_supply/BAT0/capacity", "87\n");
        Put("sys/class/power_supply/BAT0/status", "Discharging\n");
        Put("sys/class/power_supply/usb/type", "USB\n");
        Put("sys/class/net/lo/type", "772\n");
        Put("sys/class/net/eth0/type", "1\n");
        Put("sys/class/net/eth0/operstate", "down\n");
        Put("sys/class/net/eth0/device/vendor", "0x14e4\n");
        Put("sys/class/net/eth0/uevent", "INTERFACE=eth0\nIFINDEX=2\n");
        Put("sys/class/net/wlan0/type", "1\n");
        Put("sys/class/net/wlan0/operstate", "up\n");
        Put("sys/class/net/wlan0/wireless/placeholder", "");
        Put("sys/class/net/wlan0/uevent", "DEVTYPE=wlan\nINTERFACE=wlan0\n");
        Put("sys/class/net/wwan0/type", "519\n");
        Put("sys/class/net/wwan0/operstate", "unknown\n");
        Put("sys/class/net/wwan0/carrier", "1\n");
        Put("sys/class/net/docker0/type", "1\n");
        Put("sys/class/net/docker0/operstate", "up\n");
        Put("sys/class/net/docker0/uevent", "DEVTYPE=bridge\n");
        Put("proc/net/route", "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n"
            + "wlan0\t00000000\t0101A8C0\t0003\t0\t0\t600\t00000000\t0\t0\t0\n"
            + "wlan0\t0001A8C0\t00000000\t0001\t0\t0\t600\t00FFFFFF\t0\t0\t0\n");
        Put("proc/uptime", "12345.67 40000.00\n");
        return root;
    }

    [Test]
    public async Task A_pi_reports_its_board_os_and_kernel()
    {
        string root = PiTree();
        var info = DeviceInfoReader.Read(new SystemFiles(root), "kitchen-pi", name => name == "LANG" ? "de_DE.UTF-8" : null);
        await Assert.That(info.ModelIdentifier).IsEqualTo("Raspberry Pi 4 Model B Rev 1.4");
        await Assert.That(info.SystemName).IsEqualTo("Debian GNU/Linux");
        await Assert.That(info.SystemVersion).IsEqualTo("12 (bookworm), kernel 6.6.51+rpt-rpi-v8");
        await Assert.That(info.DeviceName).IsEqualTo("kitchen-pi");
        await Assert.That(info.Locale).IsEqualTo("de-DE");
        Directory.Delete(root, true);
    }

    [Test]
    public async Task A_pi_reports_temperature_throttling_battery_network_and_uptime()
    {
        string root = PiTree();
        var status = DeviceStatusReader.Read(new SystemFiles(root));
        await Assert.That(status.Thermal.CpuTemperatureC).IsEqualTo(71.54);
        // 71.5 °C: "fair" against the default 80 °C throttle point, raised to "serious" because the firmware throttles now (bit 2).
        await Assert.That(status.Thermal.State).IsEqualTo("serious");
        var t = status.Throttling!;
        await Assert.That(t.Raw).IsEqualTo("0x50005");
        await Assert.That((t.UnderVoltage, t.FrequencyCapped, t.Throttled, t.SoftTemperatureLimit)).IsEqualTo((true, (bool?)false, (bool?)true, (bool?)false));
        await Assert.That((t.UnderVoltageOccurred, t.FrequencyCappedOccurred, t.ThrottledOccurred, t.SoftTemperatureLimitOccurred)).IsEqualTo(((bool?)true, (bool?)false, (bool?)true, (bool?)false));
        await Assert.That(status.Battery!.Level).IsEqualTo(0.87);
        await Assert.That(status.Battery.State).IsEqualTo("unplugged");
        await Assert.That(status.Battery.Name).IsEqualTo("BAT0");
        await Assert.That(status.Network.Status).IsEqualTo("satisfied");
        await Assert.That(status.Network.IsExpensive).IsFalse();
        await Assert.That(string.Join(",", status.Network.Interfaces)).IsEqualTo("wifi,cellular,other");
        var kinds = status.Network.Links.ToDictionary(l => l.Name, l => (l.Type, l.Up));
        await Assert.That(kinds["eth0"]).IsEqualTo(("wired", false));
        await Assert.That(kinds["wlan0"]).IsEqualTo(("wifi", true));
        await Assert.That(kinds["wwan0"]).IsEqualTo(("cellular", true));
        await Assert.That(kinds["docker0"]).IsEqualTo(("other", true));
        await Assert.That(kinds.ContainsKey("lo")).IsFalse();
        await Assert.That(status.UptimeSeconds).IsEqualTo(12345.67);
        Directory.Delete(root, true);
    }

    [Test]
    public async Task An_empty_machine_reports_nulls_not_guesses()
    {
        string root = Tools.TempDir("bare");
        var info = DeviceInfoReader.Read(new SystemFiles(root), null, _ => "C.UTF-8");
        await Assert.That(info.ModelIdentifier).IsNull();
        await Assert.That(info.SystemName).IsEqualTo("Linux");
        await Assert.That(info.SystemVersion).IsEqualTo("unknown");
        await Assert.That(info.Locale).IsNull();
        var status = DeviceStatusReader.Read(new SystemFiles(root));
        await Assert.That(status.Battery).IsNull();
        await Assert.That(status.Throttling).IsNull();
        await Assert.That(status.Thermal.State).IsNull();
        await Assert.That(status.Thermal.CpuTemperatureC).IsNull();
        await Assert.That(status.UptimeSeconds).IsNull();
        await Assert.That(status.Network.Status).IsEqualTo("unsatisfied");
        await Assert.That(status.Network.Interfaces).IsEmpty();
        Directory.Delete(root, true);
    }

    [Test]
    [Arguments(45.0, "nominal")]
    [Arguments(72.0, "fair")]
    [Arguments(82.0, "serious")]
    [Arguments(95.0, "critical")]
    public async Task Thermal_state_follows_the_throttle_and_critical_points(double celsius, string state)
    {
        await Assert.That(DeviceStatusReader.State(celsius, 80, 90)).IsEqualTo(state);
    }

    [Test]
    public async Task The_mainline_hwmon_alarm_reports_under_voltage_without_the_firmware_node()
    {
        string root = Tools.TempDir("hwmon");
        Directory.CreateDirectory(Path.Join(root, "sys/class/hwmon/hwmon1"));
        File.WriteAllText(Path.Join(root, "sys/class/hwmon/hwmon1/name"), "rpi_volt\n");
        File.WriteAllText(Path.Join(root, "sys/class/hwmon/hwmon1/in0_lcrit_alarm"), "1\n");
        var t = DeviceStatusReader.Throttling(new SystemFiles(root))!;
        await Assert.That(t.UnderVoltage).IsTrue();
        await Assert.That(t.Raw).IsNull();
        await Assert.That(t.Throttled).IsNull();
        Directory.Delete(root, true);
    }
}
