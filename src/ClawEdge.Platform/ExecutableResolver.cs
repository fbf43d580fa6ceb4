namespace ClawEdge.Platform;

/// <summary>
/// An executable as the policy sees it: what the request said (<see cref="Raw"/>), where PATH or the cwd
/// put it (<see cref="ResolvedPath"/>), and the file that will really run (<see cref="RealPath"/>, every
/// symlink resolved). The real path is matched and then executed, so a symlink swapped after the check
/// cannot change what runs.
/// </summary>
public sealed record ResolvedExecutable(string Raw, string Name, string ResolvedPath, string RealPath);

/// <summary>PATH lookup, for every caller: exec policy, notify-send, rpicam-still, cjpeg.</summary>
public static class ExecutableResolver
{
    private const string DefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    /// <summary>The directories of <paramref name="path"/> (default: this process's PATH, else the usual system one).</summary>
    public static string[] SearchPath(string? path = null)
        => (path ?? (Environment.GetEnvironmentVariable("PATH") is { Length: > 0 } own ? own : DefaultPath))
            .Split(':', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>The absolute path of the executable <paramref name="name"/> on <paramref name="path"/>, or null.</summary>
    public static string? Find(string name, string? path = null) => Resolve(name, null, SearchPath(path))?.ResolvedPath;

    /// <summary>Null when the token names no executable regular file.</summary>
    public static ResolvedExecutable? Resolve(string token, string? cwd, IReadOnlyList<string> pathDirectories)
    {
        if (string.IsNullOrEmpty(token) || token.Contains('\0'))
            return null;
        string? candidate;
        if (token.Contains('/'))
        {
            string baseDirectory = cwd ?? Environment.CurrentDirectory;
            candidate = token.StartsWith('/') ? token : Path.Combine(baseDirectory, token);
            if (!IsExecutableFile(candidate))
                return null;
        }
        else
        {
            candidate = null;
            foreach (var directory in pathDirectories)
            {
                if (!directory.StartsWith('/'))
                    continue; // a relative PATH entry would depend on the request's cwd
                string probe = Path.Combine(directory, token);
                if (IsExecutableFile(probe))
                {
                    candidate = probe;
                    break;
                }
            }
            if (candidate is null)
                return null;
        }
        string? real = RealPath(candidate);
        return real is null ? null : new ResolvedExecutable(token, Path.GetFileName(token), Path.GetFullPath(candidate), real);
    }

    /// <summary>The path with every symlink resolved, or null if it does not exist.</summary>
    public static string? RealPath(string path) => path.Contains('\0') ? null : Native.Libc.CanonicalPath(path);

    private static bool IsExecutableFile(string path)
    {
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists)
                return false;
            const UnixFileMode anyExecute = UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
            return (info.UnixFileMode & anyExecute) != 0;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return false;
        }
    }
}
