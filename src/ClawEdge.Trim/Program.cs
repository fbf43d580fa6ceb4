using System.Globalization;

namespace ClawEdge.Trim;

/// <summary>
/// The size and trim guard, run by build.sh after every publish:
/// <c>clawedge-trim --mstat X.mstat --binary dist/RID/clawedge [--budget 8MB] [--exclude FILE]… [--top N]</c>.
/// Prints bytes by assembly and namespace; exits 1 when the binary (less excluded embedded payloads,
/// e.g. the gzipped Skia library) is over budget or a forbidden namespace is compiled in.
/// </summary>
public static class Program
{
    /// <summary>
    /// Namespaces whose presence means reflection-driven code paths that trimming cannot see through:
    /// expression trees, runtime code generation, reflection-based serializers.
    /// </summary>
    public static readonly string[] Forbidden =
    [
        "System.Linq.Expressions",
        "System.Reflection.Emit",
        // Not all of System.Runtime.Serialization: CoreLib's SerializationException is always there.
        "System.Runtime.Serialization.DataContractSerializer",
        "System.Runtime.Serialization.Json",
        "System.Xml.Serialization",
        "Newtonsoft.Json",
        "System.Text.Json.Serialization.Metadata.DefaultJsonTypeInfoResolver",
        "System.Text.Json.Serialization.Metadata.ReflectionMemberAccessor",
        "System.Text.Json.Serialization.Metadata.ReflectionEmitMemberAccessor",
    ];

    public static int Main(string[] args)
    {
        string? mstat = null, binary = null;
        long budget = 8L * 1024 * 1024;
        int top = 15;
        var excluded = new List<string>();
        var forbidden = new List<string>(Forbidden);
        for (int i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--mstat": mstat = Next(); break;
                case "--binary": binary = Next(); break;
                case "--budget": budget = ParseSize(Next()); break;
                case "--exclude": excluded.Add(Next()); break;
                case "--forbid": forbidden.Add(Next()); break;
                case "--top": top = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                default:
                    Console.Error.WriteLine($"clawedge-trim: unknown argument {args[i]}");
                    return 2;
            }
        }
        if (mstat is null || binary is null)
        {
            Console.Error.WriteLine("usage: clawedge-trim --mstat FILE --binary FILE [--budget 8MB] [--exclude FILE]… [--forbid NAMESPACE]… [--top N]");
            return 2;
        }

        var report = MstatReport.Read(mstat);
        long fileSize = new FileInfo(binary).Length;
        long excludedSize = excluded.Where(File.Exists).Sum(f => new FileInfo(f).Length);
        long counted = fileSize - excludedSize;

        Console.Out.WriteLine($"{binary}: {Mb(fileSize)} on disk, {Mb(excludedSize)} excluded (embedded payloads), {Mb(counted)} counted against {Mb(budget)}");
        Console.Out.WriteLine($"managed code and data in the .mstat: {Mb(report.Total)} (the rest is the runtime, relocations and headers)");
        Console.Out.WriteLine("by assembly:");
        foreach (var (key, size) in report.ByAssembly().Take(top))
            Console.Out.WriteLine($"  {size,10:N0}  {key}");
        Console.Out.WriteLine("by namespace:");
        foreach (var (key, size) in report.ByNamespace().Take(top))
            Console.Out.WriteLine($"  {size,10:N0}  {key}");

        var violations = new List<string>();
        if (counted > budget)
            violations.Add($"over budget: {Mb(counted)} > {Mb(budget)} ({counted - budget:N0} bytes too many)");
        foreach (var prefix in forbidden)
        {
            var hits = report.Entries.Where(e => IsUnder(e, prefix)).ToList();
            if (hits.Count > 0)
                violations.Add($"forbidden dependency rooted: {prefix} ({hits.Count} items, {hits.Sum(h => h.Size):N0} bytes; e.g. {hits[0].Namespace}.{hits[0].Name})");
        }
        foreach (var v in violations)
            Console.Error.WriteLine($"clawedge-trim: FAIL {v}");
        return violations.Count == 0 ? 0 : 1;
    }

    internal static bool IsUnder(MstatEntry entry, string prefix)
    {
        string full = entry.Namespace.Length == 0 ? entry.Name : $"{entry.Namespace}.{entry.Name}";
        return full == prefix || full.StartsWith(prefix + ".", StringComparison.Ordinal) || full.StartsWith(prefix + "+", StringComparison.Ordinal)
            || full.StartsWith(prefix + "`", StringComparison.Ordinal);
    }

    internal static long ParseSize(string text)
    {
        text = text.Trim().ToUpperInvariant();
        long unit = text.EndsWith("MB") ? 1024 * 1024 : text.EndsWith("KB") ? 1024 : 1;
        string digits = text.TrimEnd('M', 'K', 'B');
        return (long)(double.Parse(digits, CultureInfo.InvariantCulture) * unit);
    }

    private static string Mb(long bytes) => $"{bytes / 1048576.0:0.00} MB";
}
