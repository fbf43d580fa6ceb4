using ClawEdge.Platform;

namespace ClawEdge.Exec;

/// <summary>
/// What an <c>allow-always</c> decision adds to the allowlist, as the reference's
/// <c>resolveAllowAlwaysPatterns</c>: the real path of each program that runs, seen through dispatch
/// wrappers (<c>env /usr/bin/id -g</c> → <c>/usr/bin/id</c>) and shell wrappers (<c>sh -c whoami</c> →
/// the path of <c>whoami</c>). Never the wrapper or a shell, never a command line, and nothing at all when
/// any part is inline eval or a command the allowlist cannot read: a partial rule would allow less or more
/// than was approved.
/// </summary>
public static class AllowAlways
{
    public static IReadOnlyList<string> Patterns(IReadOnlyList<string> argv, string? cwd, IReadOnlyList<string> pathDirectories)
    {
        var wrapper = ShellWrapper.Detect(argv);
        List<IReadOnlyList<string>> segments;
        if (wrapper.IsWrapper)
        {
            if (wrapper.Failure is not null)
                return [];
            var analysis = ShellCommandParser.Analyze(wrapper.Payload!);
            if (!analysis.Ok)
                return [];
            segments = [.. analysis.Segments];
        }
        else
            segments = [argv];

        var patterns = new List<string>();
        foreach (var segment in segments)
        {
            var inner = Unwrap(segment);
            if (inner is null || inner.Count == 0 || InlineEval.Detect(inner) is not null || ShellWrapper.Detect(inner).IsWrapper
                || ShellCommandParser.CarrierReason(inner) is not null)
                return [];
            var resolved = ExecutableResolver.Resolve(inner[0], cwd, pathDirectories);
            if (resolved is null)
                return [];
            if (!patterns.Contains(resolved.RealPath))
                patterns.Add(resolved.RealPath);
        }
        return patterns;
    }

    /// <summary>The command a dispatch wrapper runs, or null when its options cannot be read with certainty.</summary>
    private static IReadOnlyList<string>? Unwrap(IReadOnlyList<string> argv)
    {
        var current = argv;
        for (int depth = 0; depth < 4 && current.Count > 0; depth++)
        {
            string name = Path.GetFileName(current[0]);
            int start;
            switch (name)
            {
                case "env":
                    start = 1;
                    while (start < current.Count && (current[start].Contains('=') || current[start] is "-i" or "--ignore-environment" or "-"))
                        start++;
                    if (start < current.Count && current[start] is "-u" or "--unset")
                        return null; // options with values: not read, not persisted
                    if (start < current.Count && current[start] == "--")
                        start++;
                    if (start < current.Count && current[start].StartsWith('-'))
                        return null;
                    break;
                case "nohup":
                    start = 1;
                    break;
                case "nice":
                    start = 1;
                    if (start < current.Count && current[start] == "-n")
                        start += 2;
                    else if (start < current.Count && current[start].StartsWith('-'))
                        start++;
                    break;
                case "timeout":
                    if (current.Count > 1 && current[1].StartsWith('-'))
                        return null;
                    start = 2; // after the duration
                    break;
                default:
                    return current;
            }
            if (start >= current.Count)
                return null;
            current = current.Skip(start).ToArray();
        }
        return null;
    }
}
