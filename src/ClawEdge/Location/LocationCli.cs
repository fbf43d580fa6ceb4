using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using ClawEdge.Cli;
using ClawEdge.Config;
using ClawEdge.Host;

namespace ClawEdge.Location;

/// <summary>
/// <c>clawedge location get|bench</c>: the owner checks the source without a gateway; the benchmark times
/// <c>location.get</c> end to end inside the process (params, source, result JSON), cold and from the cache.
/// </summary>
public static class LocationCli
{
    public const string Usage = """
        clawedge location get [--timeout <ms>] [--max-age <ms>] [--accuracy coarse|balanced|precise] [--json]
        clawedge location bench [--count <n>] [--json]    location.get latency: cold (a new source query) and cached (maxAgeMs)
        The Location section of the config applies, Location:Enabled included.
        """;

    public static async Task<int> RunAsync(CommandLine line)
    {
        string sub = line.Positionals.Count > 0 ? line.Positionals[0] : "help";
        if (sub is not ("get" or "bench"))
            return Program.Print(Usage);
        var options = ConfigLoader.Load(line.Option("--config"), line.ConfigOverrides);
        if (!options.Location.Enabled)
            return Program.Fail($"{ErrorCodes.LocationDisabled}: {LocationCapability.DisabledMessage}", 1);
        var command = new LocationGetCommand(new LocationResolver(options.Location));
        return sub == "get" ? await GetAsync(command, line).ConfigureAwait(false) : await BenchAsync(command, line).ConfigureAwait(false);
    }

    private static async Task<int> GetAsync(LocationGetCommand command, CommandLine line)
    {
        var parameters = new JsonObject();
        if (line.Option("--timeout") is { } t)
            parameters["timeoutMs"] = double.Parse(t, CultureInfo.InvariantCulture);
        if (line.Option("--max-age") is { } m)
            parameters["maxAgeMs"] = double.Parse(m, CultureInfo.InvariantCulture);
        if (line.Option("--accuracy") is { } a)
            parameters["desiredAccuracy"] = a;
        var result = await Invoke(command, parameters.ToJsonString()).ConfigureAwait(false);
        if (!result.Ok)
            return Program.Fail(result.ErrorMessage!.StartsWith(result.ErrorCode!, StringComparison.Ordinal) ? result.ErrorMessage : $"{result.ErrorCode}: {result.ErrorMessage}", 1);
        if (line.Has("--json"))
            return Program.Print(result.PayloadJson!);
        var fix = JsonNode.Parse(result.PayloadJson!)!;
        return Program.Print($"{fix["lat"]},{fix["lon"]} ±{fix["accuracyMeters"]} m  {fix["timestamp"]}  source {fix["source"]}");
    }

    private static async Task<int> BenchAsync(LocationGetCommand command, CommandLine line)
    {
        int count = int.Parse(line.Option("--count") ?? "50", CultureInfo.InvariantCulture);
        var cold = new double[count];
        var cached = new double[count];
        for (int i = 0; i < count; i++)
            cold[i] = await TimeAsync(command, """{"timeoutMs":10000}""").ConfigureAwait(false);
        for (int i = 0; i < count; i++)
            cached[i] = await TimeAsync(command, """{"timeoutMs":10000,"maxAgeMs":600000}""").ConfigureAwait(false);
        Array.Sort(cold);
        Array.Sort(cached);
        if (line.Has("--json"))
            return Program.Print(new JsonObject
            {
                ["count"] = count,
                ["coldMedianMs"] = cold[count / 2], ["coldP95Ms"] = cold[(int)(count * 0.95)],
                ["cachedMedianMs"] = cached[count / 2], ["cachedP95Ms"] = cached[(int)(count * 0.95)],
            }.ToJsonString());
        return Program.Print(FormattableString.Invariant(
            $"location.get ×{count}: cold median {cold[count / 2]:0.000} ms, p95 {cold[(int)(count * 0.95)]:0.000} ms; cached median {cached[count / 2]:0.000} ms, p95 {cached[(int)(count * 0.95)]:0.000} ms"));
    }

    private static async Task<double> TimeAsync(LocationGetCommand command, string parameters)
    {
        long start = Stopwatch.GetTimestamp();
        var result = await Invoke(command, parameters).ConfigureAwait(false);
        double ms = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        if (!result.Ok)
            throw new IOException($"{result.ErrorCode}: {result.ErrorMessage}");
        return ms;
    }

    private static async Task<CommandResult> Invoke(LocationGetCommand command, string parameters)
    {
        var registry = new CommandRegistry([command]);
        return await registry.DispatchAsync(new InvokeContext { Id = "cli", Command = command.Name, ParamsJson = parameters, TimeoutMs = 65_000 },
            CancellationToken.None).ConfigureAwait(false);
    }
}
