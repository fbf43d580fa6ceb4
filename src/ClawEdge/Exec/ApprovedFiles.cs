using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using ClawEdge.Platform;
using ClawEdge.Platform.Native;
using Microsoft.Win32.SafeHandles;

namespace ClawEdge.Exec;

/// <summary>
/// Binds an approval to the files that run, and runs exactly those. At <c>system.run.prepare</c> the
/// executable and the script operand (<c>sh s.sh</c>, <c>python3 job.py</c>) are identified
/// (<see cref="FileIdentity"/>); the plan carries the reference's <c>mutableFileOperand</c>
/// (argvIndex, path, sha256) and this node keeps the full identities for the plan. At <c>system.run</c> each
/// file is opened once, that descriptor is hashed and compared, and the child is started from the
/// descriptor (<c>/dev/fd/3</c> for the program, <c>/dev/fd/4</c> handed to the interpreter for the script),
/// so a rename between the check and the exec cannot change what runs.
/// </summary>
public sealed class ApprovedFiles
{
    public const string ChangedMessage = "approved file changed since approval";

    // Plans prepared by this process: small (two identities each), bounded, oldest dropped first.
    private const int Remembered = 256;
    private readonly ConcurrentDictionary<string, PreparedIdentities> _prepared = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _order = new();

    private sealed record PreparedIdentities(FileIdentity Executable, FileIdentity? Operand);

    /// <summary>Test seam: called after every file was verified and before the child starts (a swap here must not matter).</summary>
    internal static Action<IReadOnlyList<string>>? AfterVerify;

    private static readonly HashSet<string> Interpreters = new(StringComparer.Ordinal)
    {
        "sh", "bash", "dash", "zsh", "ksh", "ash", "mksh", "node", "nodejs", "perl", "ruby", "php", "lua", "Rscript", "tclsh", "fish",
    };

    /// <summary>The index of the script an interpreter will read, or null (not an interpreter, inline code, or no such file).</summary>
    public static int? ScriptOperandIndex(IReadOnlyList<string> argv, string? cwd)
    {
        if (argv.Count < 2 || !IsInterpreter(Path.GetFileName(argv[0])))
            return null;
        for (int i = 1; i < argv.Count; i++)
        {
            string token = argv[i];
            if (token == "--")
            {
                i++;
                return i < argv.Count && IsRegularFile(Absolute(argv[i], cwd)) ? i : null;
            }
            if (token.StartsWith('-') || token.StartsWith('+'))
            {
                if (InlineEval.Detect(argv) is not null)
                    return null; // code in argv, no script file
                continue;
            }
            return IsRegularFile(Absolute(token, cwd)) ? i : null;
        }
        return null;
    }

    private static bool IsInterpreter(string name)
        => Interpreters.Contains(name) || name.StartsWith("python", StringComparison.Ordinal) || name.StartsWith("lua", StringComparison.Ordinal)
           || name.StartsWith("php", StringComparison.Ordinal) || name.StartsWith("perl", StringComparison.Ordinal) || name.StartsWith("ruby", StringComparison.Ordinal);

    /// <summary>At prepare: identifies the program and the script operand, remembers both, returns the plan's operand.</summary>
    public SystemRunFileOperand Record(SystemRunPlan plan, string executableRealPath)
    {
        var executable = Identify(executableRealPath);
        int? index = ScriptOperandIndex(plan.Argv!, plan.Cwd);
        FileIdentity? operand = index is { } i ? Identify(ExecutableResolver.RealPath(Absolute(plan.Argv![i], plan.Cwd)) ?? Absolute(plan.Argv![i], plan.Cwd)) : null;
        string key = Key(plan.Argv!, plan.Cwd);
        if (_prepared.TryAdd(key, new PreparedIdentities(executable, operand)))
        {
            _order.Enqueue(key);
            while (_order.Count > Remembered && _order.TryDequeue(out var old))
                _prepared.TryRemove(old, out _);
        }
        else
            _prepared[key] = new PreparedIdentities(executable, operand);
        return operand is not null
            ? new SystemRunFileOperand { ArgvIndex = index!.Value, Path = operand.Path, Sha256 = operand.Sha256 }
            : new SystemRunFileOperand { ArgvIndex = 0, Path = executable.Path, Sha256 = executable.Sha256 };
    }

    private static FileIdentity Identify(string path)
    {
        var (handle, identity) = FileIdentity.Open(path);
        handle.Dispose();
        return identity;
    }

    /// <summary>
    /// At run: opens the program (and for a bound script, the script), verifies those descriptors against the
    /// approval (when there is one) and against who may write them (when there is none), and returns them
    /// ready to execute. A failure is a <see cref="Denial"/>: the run is refused and nothing starts.
    /// </summary>
    public OpenedFiles Open(string executableRealPath, IReadOnlyList<string> argv, string? cwd, SystemRunPlan? approvedPlan)
    {
        var opened = new OpenedFiles();
        try
        {
            SafeFileHandle exeHandle;
            FileIdentity exeNow;
            try
            {
                (exeHandle, exeNow) = FileIdentity.Open(executableRealPath);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new Denial("approved-file-changed", $"SYSTEM_RUN_DENIED: cannot open {executableRealPath}: {e.Message}");
            }
            opened.Executable = exeHandle;
            var checkedPaths = new List<string> { exeNow.Path };
            if (approvedPlan is not null)
            {
                var binding = approvedPlan.MutableFileOperand
                    ?? throw new Denial("approved-file-changed",
                        "SYSTEM_RUN_DENIED: the approval carries no file binding (mutableFileOperand); prepare the command again with system.run.prepare and approve that plan");
                _prepared.TryGetValue(Key(approvedPlan.Argv ?? [], approvedPlan.Cwd), out var prepared);
                if (binding.ArgvIndex == 0)
                    Compare(binding, prepared?.Executable, exeNow);
                else
                {
                    if (prepared is not null)
                        Compare(null, prepared.Executable, exeNow);
                    else
                        RequireTrustedWriters(exeHandle, exeNow.Path, "the interpreter");
                    if (binding.ArgvIndex >= argv.Count)
                        throw Changed(binding.Path, "the approved operand is missing from the command");
                    string operandPath = ExecutableResolver.RealPath(Absolute(argv[binding.ArgvIndex], cwd)) ?? Absolute(argv[binding.ArgvIndex], cwd);
                    SafeFileHandle scriptHandle;
                    FileIdentity scriptNow;
                    try
                    {
                        (scriptHandle, scriptNow) = FileIdentity.Open(operandPath);
                    }
                    catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                    {
                        throw Changed(binding.Path, $"it cannot be opened ({e.Message})");
                    }
                    opened.Script = scriptHandle;
                    opened.ScriptArgvIndex = binding.ArgvIndex;
                    if (scriptNow.Path != binding.Path)
                        throw Changed(binding.Path, $"the command now names {scriptNow.Path}");
                    Compare(binding, prepared?.Operand, scriptNow);
                    checkedPaths.Add(scriptNow.Path);
                }
            }
            else
                RequireTrustedWriters(exeHandle, exeNow.Path, "the allowlisted program");
            AfterVerify?.Invoke(checkedPaths);
            return opened;
        }
        catch
        {
            opened.Dispose();
            throw;
        }
    }

    private static void Compare(SystemRunFileOperand? binding, FileIdentity? prepared, FileIdentity now)
    {
        if (binding is not null)
        {
            if (binding.Path != now.Path)
                throw Changed(binding.Path, $"the command now runs {now.Path}");
            if (!string.Equals(binding.Sha256, now.Sha256, StringComparison.OrdinalIgnoreCase))
                throw Changed(binding.Path, prepared?.Difference(now) ?? "its content differs from the approved sha256");
        }
        if (prepared is not null && prepared.Difference(now) is { } difference)
            throw Changed(prepared.Path, difference);
    }

    /// <summary>
    /// A program nobody approved by content may only be writable by root and this node's user: anyone else
    /// could change what the allowlist entry runs.
    /// </summary>
    private static void RequireTrustedWriters(SafeFileHandle handle, string path, string what)
    {
        var status = Libc.FStat(handle);
        uint self = Libc.GetUid();
        string? why = null;
        if (status.Uid != 0 && status.Uid != self)
            why = $"it is owned by uid {status.Uid}";
        else if ((status.Permissions & 0x10) != 0)
            why = "it is group-writable";
        else if ((status.Permissions & 0x2) != 0)
            why = "it is world-writable";
        if (why is not null)
            throw new Denial("untrusted-file",
                $"SYSTEM_RUN_DENIED: {what} {path} can be changed by users other than root and the node's user ({why}); " +
                $"fix: chown root:root {path} && chmod go-w {path}");
    }

    private static Denial Changed(string path, string detail)
        => new("approved-file-changed", $"SYSTEM_RUN_DENIED: {ChangedMessage}: {path} ({detail}); prepare and approve it again");

    private static string Key(IReadOnlyList<string> argv, string? cwd)
    {
        var text = new StringBuilder(cwd ?? "").Append('\0');
        foreach (var a in argv)
            text.Append(a).Append('\0');
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }

    private static string Absolute(string token, string? cwd) => Path.IsPathRooted(token) ? token : Path.GetFullPath(token, cwd ?? Environment.CurrentDirectory);

    private static bool IsRegularFile(string path) => File.Exists(path);

    /// <summary>A refused run: the <c>exec.denied</c> reason and the message.</summary>
    public sealed class Denial(string reason, string message) : Exception(message)
    {
        public string Reason { get; } = reason;
    }
}

/// <summary>The descriptors a run executes; disposed once the child has started.</summary>
public sealed class OpenedFiles : IDisposable
{
    public SafeFileHandle? Executable { get; set; }
    public SafeFileHandle? Script { get; set; }
    public int ScriptArgvIndex { get; set; }

    public void Dispose()
    {
        Executable?.Dispose();
        Script?.Dispose();
    }
}
