using System.Globalization;
using System.Runtime.InteropServices;

namespace ClawEdge.Device;

public static class DeviceStatusReader
{
    // Without trip points: the Pi firmware starts throttling the ARM at 80 °C and caps hard at 85 °C.
    private const double DefaultPassiveC = 80, DefaultCriticalC = 90, FairBelowPassiveC = 10;

    public static DeviceStatus Read(SystemFiles files)
    {
        var throttling = Throttling(files);
        return new DeviceStatus
        {
            Battery = Battery(files),
            Thermal = Thermal(files, throttling),
            Throttling = throttling,
            Storage = Storage(files.Root),
            Network = Network(files),
            UptimeSeconds = double.TryParse(files.Text("/proc/uptime")?.Split(' ')[0], NumberStyles.Float, CultureInfo.InvariantCulture, out double up) ? up : null,
        };
    }

    public static BatteryStatus? Battery(SystemFiles files)
    {
        foreach (var name in files.Entries("/sys/class/power_supply"))
        {
            string dir = $"/sys/class/power_supply/{name}";
            if (files.Text($"{dir}/type") is not ("Battery" or "UPS"))
                continue;
            // Some fuel gauges register a battery slot that reports "present 0" when none is fitted.
            if (files.Integer($"{dir}/present") == 0)
                continue;
            long? capacity = files.Integer($"{dir}/capacity");
            int? percent = capacity is { } c ? (int)Math.Clamp(c, 0, 100) : null;
            return new BatteryStatus
            {
                Name = name,
                LevelPercent = percent,
                Level = percent / 100.0,
                State = files.Text($"{dir}/status") switch
                {
                    "Charging" => "charging",
                    "Full" => "full",
                    "Discharging" => "unplugged",
                    _ => "unknown", // "Not charging" means plugged in but idle on some gauges, on battery on others
                },
                LowPowerModeEnabled = false,
            };
        }
        return null;
    }

    public static ThermalStatus Thermal(SystemFiles files, ThrottlingStatus? throttling)
    {
        var zones = new List<(ThermalZone Zone, double? Passive, double? Critical)>();
        foreach (var name in files.Entries("/sys/class/thermal").Where(n => n.StartsWith("thermal_zone", StringComparison.Ordinal)))
        {
            string dir = $"/sys/class/thermal/{name}";
            if (files.Integer($"{dir}/temp") is not { } milli)
                continue;
            double? passive = null, critical = null;
            for (int i = 0; i < 32 && files.Text($"{dir}/trip_point_{i}_type") is { } tripType; i++)
            {
                if (files.Integer($"{dir}/trip_point_{i}_temp") is not { } tripMilli || tripMilli <= 0)
                    continue;
                double trip = tripMilli / 1000.0;
                if (tripType == "passive")
                    passive = Math.Min(passive ?? trip, trip);
                else if (tripType is "critical" or "hot")
                    critical = Math.Min(critical ?? trip, trip);
            }
            zones.Add((new ThermalZone { Name = name, Type = files.Text($"{dir}/type") ?? "unknown", TemperatureC = milli / 1000.0 }, passive, critical));
        }
        if (zones.Count == 0)
            return new ThermalStatus { State = null, CpuTemperatureC = null, Zones = [] };

        // The CPU's zone: "cpu-thermal" on a Pi, "x86_pkg_temp" on Intel, "soc-thermal" on some SoCs; else the first.
        var cpu = zones.FirstOrDefault(z => z.Zone.Type.Contains("cpu", StringComparison.OrdinalIgnoreCase))
            is { Zone: not null } found ? found
            : zones.FirstOrDefault(z => z.Zone.Type is "x86_pkg_temp" || z.Zone.Type.Contains("soc", StringComparison.OrdinalIgnoreCase)) is { Zone: not null } other ? other
            : zones[0];
        string state = State(cpu.Zone.TemperatureC, cpu.Passive ?? DefaultPassiveC, cpu.Critical ?? DefaultCriticalC);
        if (throttling is { Throttled: true } or { SoftTemperatureLimit: true } && state is "nominal" or "fair")
            state = "serious";
        return new ThermalStatus { State = state, CpuTemperatureC = cpu.Zone.TemperatureC, Zones = zones.Select(z => z.Zone).ToArray() };
    }

    public static string State(double celsius, double passive, double critical) =>
        celsius >= critical ? "critical"
        : celsius >= passive ? "serious"
        : celsius >= passive - FairBelowPassiveC ? "fair"
        : "nominal";

    /// <summary>
    /// The Raspberry Pi firmware's <c>get_throttled</c> word (what <c>vcgencmd get_throttled</c> prints), exposed in
    /// sysfs by the firmware driver as hex; else the mainline <c>rpi_volt</c> hwmon's under-voltage alarm.
    /// </summary>
    public static ThrottlingStatus? Throttling(SystemFiles files)
    {
        foreach (var path in ThrottledNodes(files))
        {
            string? text = files.Text(path);
            if (text is null || !uint.TryParse(text.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? text[2..] : text,
                    NumberStyles.HexNumber, CultureInfo.InvariantCulture, out uint word))
                continue;
            bool Bit(int n) => (word & (1u << n)) != 0;
            return new ThrottlingStatus
            {
                Raw = $"0x{word:x}",
                UnderVoltage = Bit(0), FrequencyCapped = Bit(1), Throttled = Bit(2), SoftTemperatureLimit = Bit(3),
                UnderVoltageOccurred = Bit(16), FrequencyCappedOccurred = Bit(17), ThrottledOccurred = Bit(18), SoftTemperatureLimitOccurred = Bit(19),
                Source = path,
            };
        }
        foreach (var hwmon in files.Entries("/sys/class/hwmon"))
        {
            string dir = $"/sys/class/hwmon/{hwmon}";
            if (files.Text($"{dir}/name") == "rpi_volt" && files.Integer($"{dir}/in0_lcrit_alarm") is { } alarm)
                return new ThrottlingStatus { UnderVoltage = alarm != 0, Source = $"{dir}/in0_lcrit_alarm" };
        }
        return null;
    }

    // soc:firmware on the Pi 1–4 kernels; the Pi 5 puts the firmware node under an addressed soc bus.
    private static IEnumerable<string> ThrottledNodes(SystemFiles files)
    {
        yield return "/sys/devices/platform/soc/soc:firmware/get_throttled";
        foreach (var bus in files.Entries("/sys/devices/platform"))
        {
            if (bus.Contains("firmware", StringComparison.Ordinal) && files.Exists($"/sys/devices/platform/{bus}/get_throttled"))
                yield return $"/sys/devices/platform/{bus}/get_throttled";
            foreach (var child in files.Entries($"/sys/devices/platform/{bus}"))
                if (child.Contains("firmware", StringComparison.Ordinal) && files.Exists($"/sys/devices/platform/{bus}/{child}/get_throttled"))
                    yield return $"/sys/devices/platform/{bus}/{child}/get_throttled";
        }
    }

    /// <summary>statvfs(3) of <paramref name="path"/>: total = blocks, free = blocks available to unprivileged users, used = blocks − free blocks (as df).</summary>
    public static StorageStatus? Storage(string path)
    {
        if (ClawEdge.Platform.Native.Libc.Statvfs(path, out var s) != 0)
        {
            ClawEdge.Logging.Log.Debug($"statvfs {path} failed: errno {Marshal.GetLastPInvokeError()}");
            return null;
        }
        ulong unit = s.f_frsize != 0 ? s.f_frsize : s.f_bsize;
        return new StorageStatus
        {
            Path = path,
            TotalBytes = (long)(s.f_blocks * unit),
            FreeBytes = (long)(s.f_bavail * unit),
            UsedBytes = (long)((s.f_blocks - s.f_bfree) * unit),
        };
    }

    public static NetworkStatus Network(SystemFiles files)
    {
        var links = new List<NetworkLink>();
        foreach (var name in files.Entries("/sys/class/net"))
        {
            string dir = $"/sys/class/net/{name}";
            long? type = files.Integer($"{dir}/type");
            if (type == 772 || name == "lo" || type is null)
                continue; // loopback (ARPHRD_LOOPBACK), or an entry that is not an interface (bonding_masters)
            string operstate = files.Text($"{dir}/operstate") ?? "unknown";
            // "unknown" is what tun, ppp and some Wi-Fi drivers report while passing traffic: trust the carrier then.
            bool up = operstate == "up" || (operstate == "unknown" && files.Integer($"{dir}/carrier") == 1);
            links.Add(new NetworkLink { Name = name, Type = Kind(files, dir, type.Value), State = operstate, Up = up });
        }
        string? routeInterface = DefaultRouteInterface(files);
        var routed = links.FirstOrDefault(l => l.Name == routeInterface && l.Up);
        string[] order = ["wifi", "cellular", "wired", "other"];
        return new NetworkStatus
        {
            Status = routed is not null ? "satisfied" : "unsatisfied",
            IsExpensive = routed?.Type == "cellular",
            IsConstrained = false,
            Interfaces = order.Where(k => links.Any(l => l.Up && l.Type == k)).ToArray(),
            Links = links.ToArray(),
        };
    }

    /// <summary>wifi (a wireless interface), cellular (a WWAN, PPP or raw-IP modem), wired (a physical Ethernet port), else other (bridges, veth, tunnels).</summary>
    public static string Kind(SystemFiles files, string dir, long arpType)
    {
        string uevent = files.Text($"{dir}/uevent") ?? "";
        if (files.Exists($"{dir}/wireless") || files.Exists($"{dir}/phy80211") || uevent.Contains("DEVTYPE=wlan", StringComparison.Ordinal))
            return "wifi";
        if (uevent.Contains("DEVTYPE=wwan", StringComparison.Ordinal) || arpType is 512 or 519)
            return "cellular";
        if (arpType == 1 && files.Exists($"{dir}/device") && !uevent.Contains("DEVTYPE=", StringComparison.Ordinal))
            return "wired";
        return "other";
    }

    /// <summary>The interface of the IPv4 default route (<c>/proc/net/route</c>), else of the IPv6 one.</summary>
    public static string? DefaultRouteInterface(SystemFiles files)
    {
        foreach (var line in (files.Text("/proc/net/route") ?? "").Split('\n').Skip(1))
        {
            var f = line.Split(['\t', ' '], StringSplitOptions.RemoveEmptyEntries);
            // Iface Destination Gateway Flags …: destination 0 with RTF_UP (1).
            if (f.Length > 7 && f[1] == "00000000" && f[7] == "00000000" && int.TryParse(f[3], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out int flags) && (flags & 1) != 0)
                return f[0];
        }
        foreach (var line in (files.Text("/proc/net/ipv6_route") ?? "").Split('\n'))
        {
            var f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            // destination, prefix length, …, device last; ::/0 over anything but lo.
            if (f.Length >= 10 && f[0] == new string('0', 32) && f[1] == "00" && f[^1] != "lo")
                return f[^1];
        }
        return null;
    }
}
