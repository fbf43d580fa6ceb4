using ClawEdge.Config;
using ClawEdge.Gateway;
using ClawEdge.Logging;

namespace ClawEdge.Service;

/// <summary>
/// <c>clawedge run --pair-file PATH</c>: a setup code left in a file (copied from the boot partition by
/// <c>clawedge-firstboot</c>) pairs the node once, with <c>--pair-if-needed</c> semantics, and the file is
/// deleted after the first hello-ok. The code never appears on a command line or in a unit file.
/// </summary>
public static class FirstBoot
{
    public static string? ReadSetupCode(string? path)
    {
        if (path is null || !File.Exists(path))
            return null;
        try
        {
            return File.ReadAllText(path).Trim() is { Length: > 0 } code ? code : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Log.Error($"cannot read the setup code file {path}: {e.Message}");
            return null;
        }
    }

    /// <summary>
    /// An explicit <c>--pair</c> code that is bad is a usage error; a bad code in a file is logged and
    /// skipped, so a node that is already paired keeps running after its code expired.
    /// </summary>
    public static SetupCode? Parse(string text, string? pairFile)
    {
        try
        {
            return SetupCode.Parse(text, DateTimeOffset.UtcNow);
        }
        catch (ConfigException e) when (pairFile is not null)
        {
            Log.Error($"{pairFile}: {e.Message}; running without it");
            return null;
        }
    }

    /// <summary>After a hello-ok the code has done its work (or was not needed): it is a bearer secret, so it goes.</summary>
    public static void DeleteSetupCode(string? path)
    {
        if (path is null || !File.Exists(path))
            return;
        try
        {
            File.Delete(path);
            State.AtomicFile.SyncDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
            Log.Info($"connected: deleted the setup code file {path}");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Log.Warn($"connected, but cannot delete the setup code file {path} ({e.Message}): delete it by hand, it holds a pairing secret");
        }
    }
}
