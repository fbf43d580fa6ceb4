namespace ClawEdge.Canvas;

/// <summary>Memory of a process and of a process group, from /proc (the browser's figures are kept apart from the node's).</summary>
public static class ProcessMemory
{
    /// <summary>VmRSS of <paramref name="pid"/> in bytes, 0 when gone.</summary>
    public static long Rss(int pid) => Field($"/proc/{pid}/status", "VmRSS:");

    /// <summary>RSS and PSS summed over every process in group <paramref name="pgid"/> (PSS does not count shared pages twice).</summary>
    public static (long Rss, long Pss, int Processes) Group(int pgid)
    {
        long rss = 0, pss = 0;
        int count = 0;
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out int pid))
                continue;
            try
            {
                // stat: "pid (comm) state ppid pgrp …"; comm may hold spaces, so split after the last ')'.
                string stat = File.ReadAllText($"{dir}/stat");
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                if (int.Parse(fields[2]) != pgid)
                    continue;
                rss += Rss(pid);
                pss += Field($"{dir}/smaps_rollup", "Pss:");
                count++;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
            {
            }
        }
        return (rss, pss, count);
    }

    private static long Field(string path, string name)
    {
        try
        {
            foreach (var line in File.ReadLines(path))
            {
                if (!line.StartsWith(name, StringComparison.Ordinal))
                    continue;
                var value = line.AsSpan(name.Length).Trim();
                int space = value.IndexOf(' ');
                return long.TryParse(space < 0 ? value : value[..space], out long kb) ? kb * 1024 : 0;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
        return 0;
    }
}
