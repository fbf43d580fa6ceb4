namespace ClawEdge.Tests.Interop;

/// <summary>
/// Where build.sh put the real peers and our binaries (CE_* variables), with the same defaults
/// build.sh uses so a plain `dotnet test` after `./build.sh setup publish` finds them too.
/// </summary>
public static class Tools
{
    private static readonly string Cache = Environment.GetEnvironmentVariable("CLAWEDGE_CACHE")
        ?? Path.Combine(Environment.GetEnvironmentVariable("HOME") ?? "/root", ".cache", "clawedge");

    public static string NodeDir => Environment.GetEnvironmentVariable("CE_NODE_DIR") ?? Path.Combine(Cache, "node-" + Version("NODE_VERSION"));
    public static string OpenClawDir => Environment.GetEnvironmentVariable("CE_OPENCLAW_DIR") ?? Path.Combine(Cache, "openclaw-" + Version("OPENCLAW_VERSION"));

    /// <summary>A tool version from <c>build/versions</c>, the one place build.sh, the benches and the demo read them from too.</summary>
    public static string Version(string key)
    {
        foreach (var line in File.ReadLines(Path.Combine(Fixtures.RepoRoot, "build", "versions")))
            if (line.StartsWith(key + "=", StringComparison.Ordinal))
                return line[(key.Length + 1)..].Trim();
        throw new InvalidOperationException($"build/versions has no {key}");
    }
    public static string Arm64Sysroot => Environment.GetEnvironmentVariable("CE_ARM64_SYSROOT") ?? Path.Combine(Cache, "arm64-sysroot");
    public static string BinX64 => Environment.GetEnvironmentVariable("CE_BIN_X64") ?? Path.Combine(Fixtures.RepoRoot, "dist", "linux-x64", "clawedge");
    public static string BinArm64 => Environment.GetEnvironmentVariable("CE_BIN_ARM64") ?? Path.Combine(Fixtures.RepoRoot, "dist", "linux-arm64", "clawedge");

    public static string OpenClawEntry => Path.Combine(OpenClawDir, "node_modules", "openclaw", "openclaw.mjs");
    public static string NodeExe => Path.Combine(NodeDir, "bin", "node");

    public static int FreePort()
    {
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        int port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    public static string TempDir(string prefix) => Fixtures.TempDir(prefix);
}
