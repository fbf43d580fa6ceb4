using System.Globalization;
using System.Text.Json;
using ClawEdge.Gateway;

namespace ClawEdge.Host;

/// <summary>The <c>node.host.stats</c> report operators see in <c>openclaw nodes status</c>: CPUs, load, memory, disk.</summary>
public static class HostStatsReader
{
    public static HostStats Read()
    {
        var (total, available) = ReadMemory();
        long? diskTotal = null, diskAvailable = null;
        try
        {
            var root = new DriveInfo("/");
            diskTotal = root.TotalSize;
            diskAvailable = root.AvailableFreeSpace;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
        var load = ReadLoad();
        return new HostStats
        {
            CpuCount = Math.Clamp(Environment.ProcessorCount, 1, 4096),
            // The gateway's schema wants the field omitted rather than all zeros.
            LoadAverage = load is { } l && (l[0] > 0 || l[1] > 0 || l[2] > 0) ? l : null,
            MemoryTotalBytes = total,
            MemoryFreeBytes = Math.Min(available, total),
            DiskTotalBytes = diskTotal,
            DiskAvailableBytes = diskTotal is null ? null : Math.Min(diskAvailable ?? 0, diskTotal.Value),
        };
    }

    public static string ReadJson() => JsonSerializer.Serialize(Read(), GatewayJsonContext.Default.HostStats);

    private static double[]? ReadLoad()
    {
        try
        {
            var parts = File.ReadAllText("/proc/loadavg").Split(' ');
            var load = new double[3];
            for (int i = 0; i < 3; i++)
                load[i] = Math.Clamp(Math.Round(double.Parse(parts[i], CultureInfo.InvariantCulture), 2), 0, 100_000);
            return load;
        }
        catch (Exception e) when (e is IOException or FormatException or IndexOutOfRangeException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static (long Total, long Available) ReadMemory()
    {
        long total = 0, available = 0;
        try
        {
            foreach (var line in File.ReadLines("/proc/meminfo"))
            {
                if (line.StartsWith("MemTotal:", StringComparison.Ordinal))
                    total = Kilobytes(line);
                else if (line.StartsWith("MemAvailable:", StringComparison.Ordinal))
                    available = Kilobytes(line);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
        return (total, available);
    }

    private static long Kilobytes(string line)
    {
        var span = line.AsSpan(line.IndexOf(':') + 1).Trim();
        int space = span.IndexOf(' ');
        return long.TryParse(space < 0 ? span : span[..space], NumberStyles.Integer, CultureInfo.InvariantCulture, out long kb) ? kb * 1024 : 0;
    }
}
