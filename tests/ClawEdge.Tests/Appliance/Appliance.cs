namespace ClawEdge.Tests.Appliance;

/// <summary>The rootfs overlay staged the way scripts/package.sh stages it, for tests that need a root.</summary>
internal static class Appliance
{
    public static string RootfsSource => Path.Combine(Fixtures.RepoRoot, "rootfs");

    public static string StageRoot(string binary)
    {
        string root = Interop.Tools.TempDir("root");
        CopyTree(RootfsSource, root);
        Directory.CreateDirectory(Path.Combine(root, "usr", "bin"));
        File.Copy(binary, Path.Combine(root, "usr", "bin", "clawedge"));
        return root;
    }

    public static void CopyTree(string from, string to)
    {
        foreach (var dir in Directory.EnumerateDirectories(from, "*", SearchOption.AllDirectories))
            Directory.CreateDirectory(Path.Combine(to, Path.GetRelativePath(from, dir)));
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            string target = Path.Combine(to, Path.GetRelativePath(from, file));
            File.Copy(file, target, overwrite: true);
            File.SetUnixFileMode(target, File.GetUnixFileMode(file));
        }
    }
}
