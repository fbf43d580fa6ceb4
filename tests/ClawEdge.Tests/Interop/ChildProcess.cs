using System.Diagnostics;
using System.Text;

namespace ClawEdge.Tests.Interop;

/// <summary>A child process whose output lines are kept, so a test can wait for a line and show the log on failure.</summary>
public sealed class ChildProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly List<string> _lines = [];
    private readonly Lock _gate = new();
    private readonly SemaphoreSlim _changed = new(0, int.MaxValue);

    private ChildProcess(Process process) => _process = process;

    public static ChildProcess Start(string fileName, IEnumerable<string> args, IDictionary<string, string?>? environment = null, string? workingDirectory = null)
    {
        var info = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var a in args)
            info.ArgumentList.Add(a);
        if (environment is not null)
            foreach (var (k, v) in environment)
                info.Environment[k] = v;
        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var child = new ChildProcess(process);
        process.OutputDataReceived += (_, e) => child.Add(e.Data);
        process.ErrorDataReceived += (_, e) => child.Add(e.Data);
        process.Start();
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return child;
    }

    private void Add(string? line)
    {
        if (line is null)
            return;
        lock (_gate)
            _lines.Add(line);
        _changed.Release();
    }

    public int Pid => _process.Id;
    public bool HasExited => _process.HasExited;
    public int ExitCode => _process.ExitCode;

    public string Output
    {
        get
        {
            lock (_gate)
                return string.Join('\n', _lines);
        }
    }

    /// <summary>The last lines of the output, for failure messages: CI keeps a failure's first lines, and the end is where it went wrong.</summary>
    public string Tail(int lines = 40)
    {
        lock (_gate)
        {
            int skip = Math.Max(0, _lines.Count - lines);
            string head = skip > 0 ? $"(last {lines} of {_lines.Count} lines)\n" : "";
            return head + string.Join('\n', _lines.Skip(skip));
        }
    }

    /// <summary>Whether a line from index <paramref name="from"/> on contains <paramref name="text"/>.</summary>
    public bool HasLine(string text, int from = 0)
    {
        lock (_gate)
            return _lines.Skip(from).Any(l => l.Contains(text, StringComparison.Ordinal));
    }

    public int LineCount
    {
        get
        {
            lock (_gate)
                return _lines.Count;
        }
    }

    /// <summary>Waits for a line (from index <paramref name="from"/> on) containing <paramref name="text"/>.</summary>
    public async Task<string> WaitForLineAsync(string text, TimeSpan timeout, int from = 0)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            lock (_gate)
            {
                for (int i = from; i < _lines.Count; i++)
                    if (_lines[i].Contains(text, StringComparison.Ordinal))
                        return _lines[i];
            }
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero)
                throw new TimeoutException($"no line containing '{text}' within {timeout.TotalSeconds:0} s. Output:\n{Tail()}");
            if (_process.HasExited)
            {
                await Task.Delay(200);
                if (!HasLine(text, from))
                    throw new InvalidOperationException($"process exited ({_process.ExitCode}) before '{text}'. Output:\n{Tail()}");
                continue;
            }
            await _changed.WaitAsync(left < TimeSpan.FromMilliseconds(500) ? left : TimeSpan.FromMilliseconds(500));
        }
    }

    public void Signal(int signal) => Mono.Kill(_process.Id, signal);

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cts.Token);
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            try { _process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            try { await _process.WaitForExitAsync(new CancellationTokenSource(5000).Token); } catch (OperationCanceledException) { }
        }
        _process.Dispose();
    }

    /// <summary>Runs to completion and returns exit code and combined output.</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(string fileName, IEnumerable<string> args,
        IDictionary<string, string?>? environment = null, TimeSpan? timeout = null)
    {
        await using var child = Start(fileName, args, environment);
        int code = await child.WaitForExitAsync(timeout ?? TimeSpan.FromMinutes(2));
        await Task.Delay(50); // let the async readers drain
        return (code, child.Output);
    }
}

internal static partial class Mono
{
    [System.Runtime.InteropServices.LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    public static partial int Kill(int pid, int signal);

    public const int SIGTERM = 15, SIGKILL = 9, SIGSTOP = 19, SIGCONT = 18, SIGINT = 2;
}
