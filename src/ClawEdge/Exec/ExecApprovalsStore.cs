using System.Security.Cryptography;
using System.Text;
using ClawEdge.Logging;
using ClawEdge.State;

namespace ClawEdge.Exec;

/// <summary>One read of the approvals file: what it says, and the hash a writer must quote to replace it.</summary>
public sealed record ExecApprovalsSnapshot(string Path, bool Exists, string Hash, ExecApprovalsDocument Document, string? Error)
{
    /// <summary>The file exists but cannot be read or parsed: everything is denied until it is fixed.</summary>
    public bool Corrupt => Error is not null;
}

/// <summary>
/// <c>exec-approvals.json</c> in the state directory. The hash is the lowercase hex SHA-256 of the exact
/// stored bytes (<c>missing:&lt;sha256 of nothing&gt;</c> when there is no file), so <c>set</c> is a
/// compare-and-swap exactly like the reference host's. Every change is a <see cref="LockedStateFile"/> update
/// (re-read under flock, atomic 0600 write), so the node and <c>clawedge approvals</c> can both edit.
/// </summary>
public sealed class ExecApprovalsStore(string path)
{
    public const string FileName = "exec-approvals.json";
    public const string MissingHash = "missing:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    private readonly LockedStateFile _file = new(path);
    private CachedRead? _cache; // one reference, swapped whole: readers on other threads never see a torn entry

    private sealed record CachedRead(DateTime WrittenAt, long Length, ExecApprovalsSnapshot Snapshot);

    public string FilePath => _file.FilePath;

    public static ExecApprovalsStore In(StateStore state) => new(state.PathOf(FileName));

    /// <summary>
    /// <see cref="Read"/>, reusing the last parse while the file's modification time and length are unchanged
    /// (every write is a rename of a new file, so either changes): a run costs a stat, not a read-hash-parse.
    /// </summary>
    public ExecApprovalsSnapshot ReadCurrent()
    {
        // Checked every time: a chmod or chown changes neither the modification time nor the length.
        if (StateFileTrust.Problem(FilePath) is { } untrusted)
            return Corrupt(MissingHash, untrusted);
        var info = new FileInfo(FilePath);
        if (!info.Exists)
            return Read();
        DateTime writtenAt = info.LastWriteTimeUtc;
        long length = info.Length;
        if (_cache is { } cached && cached.WrittenAt == writtenAt && cached.Length == length)
            return cached.Snapshot;
        var snapshot = Read();
        _cache = new CachedRead(writtenAt, length, snapshot);
        return snapshot;
    }

    public ExecApprovalsSnapshot Read()
    {
        if (StateFileTrust.Problem(FilePath) is { } untrusted)
            return Corrupt(MissingHash, untrusted);
        byte[]? bytes;
        try
        {
            bytes = _file.Read();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Corrupt(MissingHash, $"cannot read: {e.Message}");
        }
        return Parse(bytes);
    }

    private ExecApprovalsSnapshot Parse(byte[]? bytes)
    {
        if (bytes is null)
            return new ExecApprovalsSnapshot(FilePath, false, MissingHash, ExecApprovalsDocument.CreateDefault(), null);
        string hash = Convert.ToHexStringLower(SHA256.HashData(bytes));
        try
        {
            string text = new UTF8Encoding(false, true).GetString(bytes);
            return new ExecApprovalsSnapshot(FilePath, true, hash, ExecApprovalsDocument.Parse(text), null);
        }
        catch (Exception e) when (e is ExecApprovalsFormatException or DecoderFallbackException)
        {
            return Corrupt(hash, e.Message);
        }
    }

    private ExecApprovalsSnapshot Corrupt(string hash, string error)
    {
        // Fail closed: the effective document denies everything, and says so to whoever reads it.
        var deny = new ExecApprovalsDocument { Defaults = new ExecPolicyFields { Security = "deny", Ask = "off", AskFallback = "deny" } };
        return new ExecApprovalsSnapshot(FilePath, true, hash, deny, error);
    }

    /// <summary>
    /// Replaces the document if <paramref name="baseHash"/> names the current file, with the reference
    /// host's rules: no file → any base hash but a different existing one is accepted; a file → the base hash
    /// is required and must match.
    /// </summary>
    /// <exception cref="ExecApprovalsConflictException">The base hash is missing or stale.</exception>
    public ExecApprovalsSnapshot Replace(ExecApprovalsDocument document, string? baseHash)
        => Update(current =>
        {
            string trimmed = baseHash?.Trim() ?? "";
            if (!current.Exists)
            {
                if (trimmed.Length > 0 && trimmed != current.Hash)
                    throw new ExecApprovalsConflictException("INVALID_REQUEST: exec approvals changed; reload and retry");
            }
            else if (trimmed.Length == 0)
                throw new ExecApprovalsConflictException("INVALID_REQUEST: exec approvals base hash required; reload and retry");
            else if (trimmed != current.Hash)
                throw new ExecApprovalsConflictException("INVALID_REQUEST: exec approvals changed; reload and retry");
            return document;
        });

    /// <summary>Read-modify-write under the cross-process lock; <paramref name="change"/> returns the new document, or null to leave it.</summary>
    public ExecApprovalsSnapshot Update(Func<ExecApprovalsSnapshot, ExecApprovalsDocument?> change)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(FilePath)!);
        ExecApprovalsSnapshot? result = null;
        bool written = false;
        _file.Update(bytes =>
        {
            var current = Parse(bytes);
            var next = change(current);
            if (next is null)
            {
                result = current;
                return null;
            }
            next.AssignMissingIds();
            byte[] bytesOut = next.ToUtf8();
            result = new ExecApprovalsSnapshot(FilePath, true, Convert.ToHexStringLower(SHA256.HashData(bytesOut)), next, null);
            written = true;
            return bytesOut;
        });
        if (written)
            Log.Info($"exec approvals written to {FilePath}");
        return result!;
    }
}

public sealed class ExecApprovalsConflictException(string message) : Exception(message);
