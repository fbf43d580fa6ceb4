namespace ClawEdge.Tests;

/// <summary>Paths to shared fixtures and the repository, found from the test binary's location.</summary>
public static class Fixtures
{
    public static string RepoRoot { get; } = FindRepoRoot();

    public static string Trace(string name) => Path.Combine(SharedRoot, "protocol", "traces", name);

    /// <summary><c>../shared</c> beside the checkout (CI lays it there), or CLAWEDGE_SHARED_DIR.</summary>
    public static string SharedRoot =>
        Environment.GetEnvironmentVariable("CE_SHARED_DIR") ?? Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared"));

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "ClawEdge.sln")))
                return dir.FullName;
        throw new InvalidOperationException("ClawEdge.sln not found above " + AppContext.BaseDirectory);
    }
}
