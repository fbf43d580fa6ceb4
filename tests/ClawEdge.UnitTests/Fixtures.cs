namespace ClawEdge.Tests;

/// <summary>Paths to fixtures and the repository, found from the test binary's location; compiled into both test projects.</summary>
public static class Fixtures
{
    public static string RepoRoot { get; } = FindRepoRoot();

    /// <summary>A fresh empty directory under the system temp directory; the caller deletes it.</summary>
    public static string TempDir(string prefix)
    {
        string dir = Path.Combine(Path.GetTempPath(), $"ce-{prefix}-{Guid.NewGuid():N}"[..32]);
        Directory.CreateDirectory(dir);
        return dir;
    }

    /// <summary>A captured gateway trace kept in the repository (tests/ClawEdge.Tests/Gateway/Traces).</summary>
    public static string Trace(string name) => Path.Combine(RepoRoot, "tests", "ClawEdge.UnitTests", "Gateway", "Traces", name);

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "ClawEdge.sln")))
                return dir.FullName;
        throw new InvalidOperationException("ClawEdge.sln not found above " + AppContext.BaseDirectory);
    }
}
