using ClawEdge.Platform.Native;

namespace ClawEdge.State;

/// <summary>
/// Whether a state file can be believed: a regular file (not a symlink someone can point elsewhere), owned
/// by root or the node's user, writable by nobody else. The approvals file decides what runs and the
/// identity file is the device's private key, so either one failing this is refused, never obeyed.
/// </summary>
public static class StateFileTrust
{
    /// <summary>Null when the file is trustworthy or absent; else what is wrong and the command that fixes it, in one line.</summary>
    public static string? Problem(string path, bool secret = false) => Check(path, secret)?.ToString();

    public static TrustProblem? Check(string path, bool secret = false)
    {
        StatxBuffer? found;
        try
        {
            found = Libc.LStat(path);
        }
        catch (IOException e)
        {
            return new($"{path} cannot be checked ({e.Message})", $"ls -l {path}");
        }
        if (found is not { } status)
            return null;
        uint self = Libc.GetUid();
        if (status.IsSymlink)
        {
            string? target = null;
            try { target = new FileInfo(path).LinkTarget; } catch (IOException) { }
            return new($"{path} is a symlink{(target is null ? "" : $" to {target}")}, which whoever controls the target can rewrite",
                $"replace it with a regular file: cp --remove-destination \"$(readlink -f {path})\" {path} && chmod 600 {path}");
        }
        if (!status.IsRegularFile)
            return new($"{path} is not a regular file", "remove it and let the node recreate it");
        if (status.Uid != 0 && status.Uid != self)
            return new($"{path} is owned by uid {status.Uid}, not by root or the node's user (uid {self})", $"chown {self} {path} && chmod 600 {path}");
        int writableByOthers = status.Permissions & 0x12; // g+w, o+w
        int readableByOthers = status.Permissions & 0x24; // g+r, o+r
        if (writableByOthers != 0 || (secret && readableByOthers != 0))
            return new($"{path} has mode {Convert.ToString(status.Permissions, 8).PadLeft(4, '0')}, so other users can {(writableByOthers != 0 ? "change" : "read")} it", $"chmod 600 {path}");
        return null;
    }
}

/// <summary>What makes a state file untrustworthy, and the command that fixes it.</summary>
public sealed record TrustProblem(string What, string Fix)
{
    public override string ToString() => $"{What}; fix: {Fix}";
}
