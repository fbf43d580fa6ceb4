using System.Security.Cryptography;
using System.Text;

using ClawEdge.Platform;

namespace ClawEdge.Exec;

/// <summary>
/// Allowlist matching as the reference documents and implements it (<c>exec-allowlist-pattern.ts</c>):
/// a pattern with a path selector (<c>/</c> or <c>~</c>) is a glob on the executable's real path
/// (<c>*</c> = within one path segment, <c>**</c> = across segments, <c>?</c> = one character, <c>~</c> =
/// the node's home); a bare pattern matches only commands invoked by name through PATH, against the name;
/// a lone <c>*</c> allows everything. <c>argPattern</c> (a regex over the arguments joined by spaces, or a
/// generated <c>sha256:cwd-argv:v1:</c> hash) narrows an entry to given arguments.
/// </summary>
public static class AllowlistMatcher
{
    private const string CwdBoundHashPrefix = "sha256:cwd-argv:v1:";
    private const string LegacyHashPrefix = "sha256:argv:";

    public static AllowlistEntry? Match(IReadOnlyList<AllowlistEntry> entries, ResolvedExecutable executable, IReadOnlyList<string> argv, string? cwd)
    {
        if (entries.Count == 0)
            return null;
        foreach (var entry in entries)
            if (entry.Pattern.Trim() == "*" && entry.ArgPattern is null && entry.Source != "allow-always")
                return entry;
        AllowlistEntry? pathOnly = null;
        string? cwdHash = null;
        foreach (var entry in entries)
        {
            string pattern = entry.Pattern.Trim();
            if (pattern.Length == 0)
                continue;
            bool hit = HasPathSelector(pattern)
                ? Glob(pattern, executable.RealPath)
                : pattern != "*" && !HasPathSelector(executable.Raw) && (Glob(pattern, executable.Name) || Glob(pattern, Path.GetFileName(executable.ResolvedPath)));
            if (!hit)
                continue;
            if (entry.ArgPattern is null)
            {
                if (entry.Source != "allow-always")
                    pathOnly ??= entry;
                continue;
            }
            if (entry.ArgPattern.StartsWith(CwdBoundHashPrefix, StringComparison.Ordinal))
            {
                if (cwd is null)
                    continue;
                cwdHash ??= CwdBoundArgHash(argv, cwd);
                if (entry.ArgPattern == cwdHash)
                    return entry;
            }
            else if (entry.Source != "allow-always" && MatchArgPattern(entry.ArgPattern, argv))
                return entry;
        }
        return pathOnly;
    }

    public static bool HasPathSelector(string value) => value.Contains('/') || value.Contains('~');

    /// <summary>A glob over a path; <c>~</c> at the start is the node's home directory.</summary>
    public static bool Glob(string pattern, string target)
    {
        string expanded = pattern.StartsWith('~') ? HomeDirectory() + pattern[1..] : pattern;
        if (expanded.Contains('*') || expanded.Contains('?'))
        {
            if (target.Split('/').Any(s => s is "." or ".."))
                target = Path.GetFullPath(target);
        }
        return GlobMatch(expanded, 0, target, 0);
    }

    // Iterative enough for allowlists: backtracking only at stars, patterns are short.
    private static bool GlobMatch(string p, int pi, string t, int ti)
    {
        while (pi < p.Length)
        {
            char c = p[pi];
            if (c == '*')
            {
                bool doubleStar = pi + 1 < p.Length && p[pi + 1] == '*';
                int next = pi + (doubleStar ? 2 : 1);
                for (int k = ti; k <= t.Length; k++)
                {
                    if (GlobMatch(p, next, t, k))
                        return true;
                    if (k < t.Length && !doubleStar && t[k] == '/')
                        return false;
                }
                return false;
            }
            if (ti >= t.Length)
                return false;
            if (c == '?' ? t[ti] == '/' : c != t[ti])
                return false;
            pi++;
            ti++;
        }
        return ti == t.Length;
    }

    private static bool MatchArgPattern(string argPattern, IReadOnlyList<string> argv)
    {
        if (argPattern.StartsWith(LegacyHashPrefix, StringComparison.Ordinal))
            return false;
        string subject = argPattern.Contains('\0')
            ? (argv.Count <= 1 ? "\0\0" : string.Join('\0', argv.Skip(1)) + "\0")
            : string.Join(' ', argv.Skip(1));
        try
        {
            // ECMAScript semantics as the reference documents; a pattern we cannot parse, or one that
            // backtracks past its step budget, is a miss, not a hang.
            return ArgPattern.Parse(argPattern).IsMatch(subject) == true;
        }
        catch (FormatException e)
        {
            Logging.Log.Warn($"allowlist argPattern '{argPattern}' is not supported here ({e.Message}); the entry never matches");
            return false;
        }
    }

    /// <summary>The reference's exact-argv-and-directory binding for allow-always entries.</summary>
    public static string CwdBoundArgHash(IReadOnlyList<string> argv, string cwd)
    {
        string normalizedCwd = NormalizePosix(cwd);
        var subject = new StringBuilder();
        subject.Append(Encoding.UTF8.GetByteCount(normalizedCwd)).Append('\0').Append(normalizedCwd).Append('\0');
        subject.Append(argv.Count - 1).Append('\0');
        for (int i = 1; i < argv.Count; i++)
            subject.Append(Encoding.UTF8.GetByteCount(argv[i])).Append('\0').Append(argv[i]).Append('\0');
        return CwdBoundHashPrefix + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(subject.ToString())));
    }

    private static string NormalizePosix(string path)
    {
        if (path.Length == 0)
            return ".";
        bool absolute = path.StartsWith('/');
        var parts = new List<string>();
        foreach (var part in path.Split('/'))
        {
            if (part is "" or ".")
                continue;
            if (part == ".." && parts.Count > 0 && parts[^1] != "..")
                parts.RemoveAt(parts.Count - 1);
            else if (part != ".." || !absolute)
                parts.Add(part);
        }
        string joined = string.Join('/', parts);
        string result = absolute ? "/" + joined : (joined.Length == 0 ? "." : joined);
        return path.EndsWith('/') && result != "/" ? result + "/" : result;
    }

    private static string HomeDirectory() => Environment.GetEnvironmentVariable("HOME") is { Length: > 0 } home ? home.TrimEnd('/') : "";
}
