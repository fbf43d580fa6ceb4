using ClawEdge.Platform.Native;

namespace ClawEdge.State;

/// <summary>
/// Writes a whole file so that a power cut leaves either the old or the new content, never a mix:
/// a temp file in the same directory (created 0600), fsync, rename over the target, fsync of the
/// directory so the rename itself is durable.
/// </summary>
public static class AtomicFile
{
    private const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    public static void Write(string path, ReadOnlySpan<byte> content)
    {
        string directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        string temp = Path.Combine(directory, $".{Path.GetFileName(path)}.{Environment.ProcessId}.tmp");
        try
        {
            using (var stream = new FileStream(temp, new FileStreamOptions
            {
                Mode = FileMode.Create,
                Access = FileAccess.Write,
                Share = FileShare.None,
                UnixCreateMode = Private,
            }))
            {
                stream.Write(content);
                stream.Flush(flushToDisk: true);
            }
            // A leftover temp from a crash may predate the 0600 create mode; never publish it wider.
            File.SetUnixFileMode(temp, Private);
            File.Move(temp, path, overwrite: true);
        }
        catch
        {
            try { File.Delete(temp); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            throw;
        }
        SyncDirectory(directory);
    }

    public static void WriteText(string path, string content) => Write(path, System.Text.Encoding.UTF8.GetBytes(content));

    internal static void SyncDirectory(string directory)
    {
        using var fd = Libc.Open(directory, Libc.O_RDONLY | Libc.O_CLOEXEC);
        if (!fd.IsInvalid) // some filesystems refuse to open directories; the rename is still atomic
            Libc.FSync(fd);
    }
}
