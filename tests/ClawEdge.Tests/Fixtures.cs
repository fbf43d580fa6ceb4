namespace ClawEdge.Tests;

/// <summary>Paths to shared fixtures and the repository, found from the test binary's location.</summary>
public static class Fixtures
{
    public static string RepoRoot { get; } = FindRepoRoot();

    /// <summary>A captured gateway trace kept in the repository (tests/ClawEdge.Tests/Gateway/Traces).</summary>
    public static string Trace(string name) => Path.Combine(RepoRoot, "tests", "ClawEdge.Tests", "Gateway", "Traces", name);

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "ClawEdge.sln")))
                return dir.FullName;
        throw new InvalidOperationException("ClawEdge.sln not found above " + AppContext.BaseDirectory);
    }
}
