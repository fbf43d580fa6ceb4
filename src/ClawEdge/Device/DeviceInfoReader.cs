using System.Reflection;
using System.Runtime.InteropServices;

namespace ClawEdge.Device;

public static class DeviceInfoReader
{
    public static DeviceInfo Read(SystemFiles files, string? displayName, Func<string, string?> environment)
    {
        var release = OsRelease(files);
        string? kernel = files.Text("/proc/sys/kernel/osrelease");
        string? osVersion = release.GetValueOrDefault("VERSION") ?? release.GetValueOrDefault("VERSION_ID");
        string version = (osVersion, kernel) switch
        {
            ({ } os, { } k) => $"{os}, kernel {k}",
            ({ } os, null) => os,
            (null, { } k) => $"kernel {k}",
            _ => "unknown",
        };
        string app = ClawEdge.Host.ClawEdgeVersion.Current;
        return new DeviceInfo
        {
            DeviceName = string.IsNullOrWhiteSpace(displayName) ? Environment.MachineName : displayName,
            ModelIdentifier = Model(files),
            SystemName = release.GetValueOrDefault("NAME") ?? "Linux",
            SystemVersion = version,
            AppVersion = app,
            AppBuild = typeof(DeviceInfoReader).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? app,
            Locale = Locale(environment),
            KernelRelease = kernel,
            Architecture = RuntimeInformation.OSArchitecture.ToString().ToLowerInvariant(),
        };
    }

    /// <summary>A Pi (any device-tree board) names itself in <c>/proc/device-tree/model</c>; PCs and VMs through DMI.</summary>
    public static string? Model(SystemFiles files) =>
        files.Text("/proc/device-tree/model") ?? files.Text("/sys/firmware/devicetree/base/model") ?? files.Text("/sys/devices/virtual/dmi/id/product_name");

    /// <summary><c>/etc/os-release</c>, else <c>/usr/lib/os-release</c> (os-release(5)): KEY=value with optional quotes.</summary>
    public static Dictionary<string, string> OsRelease(SystemFiles files)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        string? text = files.Text("/etc/os-release") ?? files.Text("/usr/lib/os-release");
        foreach (var raw in (text ?? "").Split('\n'))
        {
            string line = raw.Trim();
            int eq = line.IndexOf('=');
            if (line.StartsWith('#') || eq <= 0)
                continue;
            string value = line[(eq + 1)..];
            if (value.Length >= 2 && (value[0] is '"' or '\'') && value[^1] == value[0])
                value = value[1..^1].Replace("\\\"", "\"").Replace("\\\\", "\\");
            values[line[..eq]] = value;
        }
        return values;
    }

    /// <summary>POSIX locale precedence (LC_ALL, LC_MESSAGES, LANG) as a BCP 47 tag; the C/POSIX locale is no language.</summary>
    public static string? Locale(Func<string, string?> environment)
    {
        string? value = new[] { "LC_ALL", "LC_MESSAGES", "LANG" }.Select(environment).FirstOrDefault(v => !string.IsNullOrEmpty(v));
        if (value is null)
            return null;
        string name = value.Split('.', '@')[0];
        return name is "" or "C" or "POSIX" ? null : name.Replace('_', '-');
    }
}
