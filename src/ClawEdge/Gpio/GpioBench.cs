using System.Diagnostics;
using System.Globalization;
using ClawEdge.Gpio.Native;
using ClawEdge.Platform.Native;

namespace ClawEdge.Gpio;

/// <summary>
/// <c>clawedge gpio bench --sim DIR --chip PATH</c>: node-side GPIO latencies against a gpio-sim chip (DIR is its sysfs
/// device directory with the sim_gpioN/value and pull files; bench/gpio-bench.sh sets one up in the test VM):
/// write → line changed, edge → wait returns, and the CPU a pending wait costs.
/// </summary>
internal static class GpioBench
{
    public static int Run(string sim, string chipPath, int rounds)
    {
        using var chip = GpioChip.Open(chipPath);
        var output = chip.Request(0, GpioUapi.FlagOutput, 0, "clawedge-bench");
        var input = chip.Request(1, GpioUapi.FlagInput | GpioUapi.FlagEdgeRising | GpioUapi.FlagEdgeFalling | GpioUapi.FlagEventClockRealtime, 0, "clawedge-bench");
        string outValue = Path.Combine(sim, "sim_gpio0", "value");
        string inPull = Path.Combine(sim, "sim_gpio1", "pull");

        // 1. gpio.write's ioctl, then the sim's own view (sysfs) of the line.
        var ioctl = new List<double>();
        var seen = new List<double>();
        for (int i = 0; i < rounds; i++)
        {
            int level = (i & 1) == 0 ? 1 : 0;
            long start = Stopwatch.GetTimestamp();
            output.Set(level);
            long set = Stopwatch.GetTimestamp();
            while (File.ReadAllText(outValue).Trim() != level.ToString(CultureInfo.InvariantCulture)) { }
            long shown = Stopwatch.GetTimestamp();
            ioctl.Add(Stopwatch.GetElapsedTime(start, set).TotalMicroseconds);
            seen.Add(Stopwatch.GetElapsedTime(start, shown).TotalMicroseconds);
        }

        // 2. An edge made through the sim's pull → the poll(2) in WaitEdge returns with the event.
        using var wake = Libc.EventFd(0, Libc.EFD_CLOEXEC);
        var toResult = new List<double>();
        var kernelToResult = new List<double>();
        File.WriteAllText(inPull, "pull-down");
        input.DrainEvents();
        for (int i = 0; i < rounds; i++)
        {
            string pull = (i & 1) == 0 ? "pull-up" : "pull-down";
            long written = 0;
            var waiter = new Thread(() =>
            {
                var ev = input.WaitEdge(5000, wake);
                long woke = Stopwatch.GetTimestamp();
                long nowNs = (DateTime.UtcNow.Ticks - DateTime.UnixEpoch.Ticks) * 100; // CLOCK_REALTIME, as the event
                if (ev is { } e)
                {
                    lock (toResult)
                    {
                        toResult.Add(Stopwatch.GetElapsedTime(Volatile.Read(ref written), woke).TotalMicroseconds);
                        kernelToResult.Add((nowNs - (long)e.TimestampNs) / 1000.0);
                    }
                }
            });
            waiter.Start();
            Thread.Sleep(20); // the waiter is in poll(2)
            Volatile.Write(ref written, Stopwatch.GetTimestamp());
            File.WriteAllText(inPull, pull);
            waiter.Join();
        }

        // 3. CPU of the whole process while one wait sleeps for 5 s (no edge).
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var idle = new Thread(() => input.WaitEdge(5000, wake));
        long idleStart = Stopwatch.GetTimestamp();
        idle.Start();
        idle.Join();
        double idleSeconds = Stopwatch.GetElapsedTime(idleStart).TotalSeconds;
        double cpuMs = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalMilliseconds;

        Console.Out.WriteLine($"rounds {rounds}");
        Console.Out.WriteLine($"gpio.write ioctl (µs): {Summary(ioctl)}");
        Console.Out.WriteLine($"gpio.write → sim sysfs shows the level (µs): {Summary(seen)}");
        Console.Out.WriteLine($"edge (sysfs pull write) → wait returns (µs): {Summary(toResult)} [{toResult.Count} edges]");
        Console.Out.WriteLine($"kernel edge timestamp → wait returns (µs): {Summary(kernelToResult)}");
        Console.Out.WriteLine($"pending wait: {cpuMs.ToString("F1", CultureInfo.InvariantCulture)} ms CPU in {idleSeconds.ToString("F2", CultureInfo.InvariantCulture)} s (whole process)");
        return 0;
    }

    private static string Summary(List<double> values)
    {
        if (values.Count == 0)
            return "none";
        values.Sort();
        string F(double v) => v.ToString("F0", CultureInfo.InvariantCulture);
        return $"median {F(values[values.Count / 2])}, p90 {F(values[(int)(values.Count * 0.9)])}, max {F(values[^1])}";
    }
}
