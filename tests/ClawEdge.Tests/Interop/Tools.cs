namespace ClawEdge.Tests.Interop;

/// <summary>
/// Where build.sh put the real peers and our binaries (CE_* variables), with the same defaults
/// build.sh uses so a plain `dotnet test` after `./build.sh setup publish` finds them too.
/// </summary>
public static class Tools
{
    private static readonly string Cache = Environment.GetEnvironmentVariable("CLAWEDGE_CACHE")
        ?? Path.Combine(Environment.GetEnvironmentVariable("HOME") ?? "/root", ".cache", "clawedge");

    public static string NodeDir => Environment.GetEnvironmentVariable("CE_NODE_DIR") ?? Path.Combine(Cache, "node-24.21.0");
    public static string OpenClawDir => Environment.GetEnvironmentVariable("CE_OPENCLAW_DIR") ?? Path.Combine(Cache, "openclaw-2026.9.6");
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
