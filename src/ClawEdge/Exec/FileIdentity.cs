using System.Buffers;
using System.Security.Cryptography;
using ClawEdge.Platform.Native;
using Microsoft.Win32.SafeHandles;

namespace ClawEdge.Exec;

/// <summary>
/// What a file was when it was approved: content hash plus device, inode, size and modification time.
/// The hash is the binding (the reference's <c>mutableFileOperand.sha256</c>); the rest tells a rename or a
/// rewrite apart in the denial and in the log.
/// </summary>
public sealed record FileIdentity(string Path, string Sha256, uint DevMajor, uint DevMinor, ulong Inode, ulong Size, long MtimeSeconds, uint MtimeNanoseconds)
{
    private const int HashChunk = 64 * 1024;

    /// <summary>Opens <paramref name="path"/> read-only (close-on-exec) and identifies it; the caller owns the handle.</summary>
    public static (SafeFileHandle Handle, FileIdentity Identity) Open(string path)
    {
        var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        try
        {
            return (handle, Of(path, handle));
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>The identity of the file behind this descriptor, hashing what the descriptor reads (not what the path names now).</summary>
    public static FileIdentity Of(string path, SafeFileHandle handle)
    {
        var status = Libc.FStat(handle);
        if (!status.IsRegularFile)
            throw new IOException($"{path} is not a regular file");
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        byte[] chunk = ArrayPool<byte>.Shared.Rent(HashChunk);
        try
        {
            long offset = 0;
            int n;
            while ((n = RandomAccess.Read(handle, chunk.AsSpan(0, HashChunk), offset)) > 0)
            {
                hash.AppendData(chunk, 0, n);
                offset += n;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }
        return new FileIdentity(path, Convert.ToHexStringLower(hash.GetHashAndReset()), status.DevMajor, status.DevMinor, status.Ino, status.Size,
            status.MtimeSeconds, status.MtimeNanoseconds);
    }

    /// <summary>Null when the same; else what differs, for the denial.</summary>
    public string? Difference(FileIdentity now)
    {
        if (Sha256 != now.Sha256)
            return Inode != now.Inode || DevMajor != now.DevMajor || DevMinor != now.DevMinor
                ? "replaced by another file"
                : "its content was rewritten";
        return null;
    }
}
