using System.Collections.Concurrent;
using System.Text.Json.Nodes;

namespace ClawEdge.Tests.Interop;

/// <summary>The published <c>clawedge</c> binary (x64, or arm64 under qemu-aarch64) running as a node against a gateway.</summary>
public sealed class EdgeNode : IAsyncDisposable
{
    private EdgeNode(ChildProcess process, string stateDir, bool ownsState)
    {
        Process = process;
        StateDir = stateDir;
        _ownsState = ownsState;
    }

    private readonly bool _ownsState;

    /// <summary>Running nodes by device id: a failed invoke names what its node logged, not only what the CLI said.</summary>
    private static readonly ConcurrentDictionary<string, EdgeNode> Running = new();
    private string? _deviceId;

    public ChildProcess Process { get; }
    public string StateDir { get; }

    public static string DisplayNameFor(string stateDir) => "ce-" + Path.GetFileName(stateDir)[^8..];

    /// <summary>Command line to run the binary for this architecture (qemu for arm64).</summary>
    public static (string File, List<string> Args) Command(bool arm64, IEnumerable<string> args)
    {
        if (!arm64)
            return (Tools.BinX64, args.ToList());
        return ("qemu-aarch64-static", ["-L", Tools.Arm64Sysroot, Tools.BinArm64, .. args]);
    }

    public static EdgeNode Start(RealGateway gateway, string? stateDir = null, bool arm64 = false,
        IDictionary<string, string?>? environment = null, params string[] extraArgs) =>
        StartCore(gateway, stateDir, arm64, environment, null, extraArgs);

    /// <summary>
    /// As <see cref="Start"/>, but as another local user through <c>setpriv</c> (a Wayland socket only lets its
    /// owner in); <paramref name="stateDir"/> must already belong to that user, and stays the caller's to delete.
    /// </summary>
    public static EdgeNode StartAsUser(string user, RealGateway gateway, string stateDir, IDictionary<string, string?> environment) =>
        StartCore(gateway, stateDir, false, environment, user, []);

    private static EdgeNode StartCore(RealGateway gateway, string? stateDir, bool arm64,
        IDictionary<string, string?>? environment, string? user, string[] extraArgs)
    {
        bool owns = stateDir is null;
        stateDir ??= Tools.TempDir("node");
        var args = new List<string> { "run", "--host", "127.0.0.1", "--port", gateway.Port.ToString(), "--state-dir", stateDir };
        if (!extraArgs.Contains("--display-name"))
            args.AddRange(["--display-name", DisplayNameFor(stateDir)]);
        if (gateway.Tls && !extraArgs.Contains("--tls-fingerprint") && File.Exists(gateway.CertificatePath))
            args.AddRange(["--tls-fingerprint", gateway.Fingerprint()]);
        args.AddRange(extraArgs);
        var env = new Dictionary<string, string?>
        {
            ["OPENCLAW_GATEWAY_TOKEN"] = RealGateway.Token,
            ["CLAWEDGE_Gateway__MaxBackoffMs"] = "4000",
            ["JOURNAL_STREAM"] = null,
            ["NOTIFY_SOCKET"] = null,
        };
        if (environment is not null)
            foreach (var (k, v) in environment)
                env[k] = v;
        var (file, full) = Command(arm64, args);
        if (user is not null)
            (file, full) = ("setpriv", [$"--reuid={user}", $"--regid={user}", "--clear-groups", "--", file, .. full]);
        return new EdgeNode(ChildProcess.Start(file, full, env), stateDir, owns);
    }

    /// <summary>The device id, once the node has created or loaded its identity.</summary>
    public async Task<string> DeviceIdAsync()
    {
        var line = await Process.WaitForLineAsync(" node ", TimeSpan.FromSeconds(30));
        int at = line.IndexOf(" node ", StringComparison.Ordinal) + 6;
        _deviceId = line.Substring(at, 64);
        Running[_deviceId] = this;
        return _deviceId;
    }

    public Task<string> WaitConnectedAsync(TimeSpan? timeout = null, int fromLine = 0) =>
        Process.WaitForLineAsync("connected to ", timeout ?? TimeSpan.FromSeconds(60), fromLine);

    /// <summary>
    /// Operator side of pairing from scratch through the real CLI: approve the device request the
    /// node logged, wait for it to connect, then approve its command surface.
    /// </summary>
    public async Task PairAsync(RealGateway gateway)
    {
        var deviceLine = await Process.WaitForLineAsync("openclaw devices approve ", TimeSpan.FromSeconds(60));
        string deviceRequest = deviceLine[(deviceLine.IndexOf("approve ", StringComparison.Ordinal) + 8)..].Split(' ', StringSplitOptions.RemoveEmptyEntries)[0];
        var (code, output) = await gateway.CliAsync("devices", "approve", deviceRequest);
        if (code != 0)
            throw new InvalidOperationException($"devices approve failed:\n{output}");
        await ApproveSurfaceAsync(gateway);
    }

    /// <summary>
    /// A node started with the gateway's shared token: waits for its link, approves its command surface and
    /// returns its device id — ready for invokes.
    /// </summary>
    public async Task<string> ConnectAndApproveAsync(RealGateway gateway)
    {
        string id = await DeviceIdAsync();
        await WaitConnectedAsync();
        await ApproveSurfaceAsync(gateway);
        return id;
    }

    public async Task ApproveSurfaceAsync(RealGateway gateway, int fromLine = 0)
    {
        var surfaceLine = await Process.WaitForLineAsync("openclaw nodes approve ", TimeSpan.FromSeconds(60), fromLine);
        string surfaceRequest = surfaceLine[(surfaceLine.IndexOf("nodes approve ", StringComparison.Ordinal) + 14)..].Split(' ', StringSplitOptions.RemoveEmptyEntries)[0];
        int beforeApproval = Process.LineCount;
        var (code, output) = await gateway.CliAsync("nodes", "approve", surfaceRequest);
        if (code != 0)
            throw new InvalidOperationException($"nodes approve failed:\n{output}");
        await Process.WaitForLineAsync("approved", TimeSpan.FromSeconds(30), fromLine);
        // The gateway grants capabilities (the canvas surface) only at connect: the node reconnects once at once.
        await Process.WaitForLineAsync("reconnecting to receive the granted capabilities", TimeSpan.FromSeconds(30), beforeApproval);
        await Process.WaitForLineAsync("INF connected to ", TimeSpan.FromSeconds(30), beforeApproval);
        // The node hears of the approval before every part of the gateway has settled on it: wait until the
        // operator's view says approved and connected, as a person running `openclaw nodes status` would.
        string id = await DeviceIdAsync();
        await gateway.WaitForNodeAsync(id, n => (string?)n["approvalState"] == "approved" && (bool?)n["connected"] == true, TimeSpan.FromSeconds(30));
    }

    /// <summary><c>openclaw nodes invoke</c> through the real CLI; returns the parsed JSON answer.</summary>
    public static Task<JsonNode> InvokeAsync(RealGateway gateway, string nodeId, string command, string paramsJson, int timeoutMs = 15000) =>
        CliForNodeAsync(gateway, nodeId, command,
            ["nodes", "invoke", "--node", nodeId, "--command", command, "--params", paramsJson, "--invoke-timeout", timeoutMs.ToString()]);

    /// <summary>
    /// A CLI call that invokes <paramref name="command"/> on a node (<c>nodes invoke</c>, <c>nodes location get</c>…).
    /// Gateway-side transients are retried once; any other failure names what the node logged.
    /// </summary>
    public static async Task<JsonNode> CliForNodeAsync(RealGateway gateway, string nodeId, string command, string[] args)
    {
        Running.TryGetValue(nodeId, out var node);
        int from = node?.Process.LineCount ?? 0;
        try
        {
            return await gateway.CliJsonAsync(args);
        }
        catch (InvalidOperationException e) when (e.Message.Contains("node pairing state unavailable before dispatch", StringComparison.Ordinal))
        {
            // A gateway-side transient (UNAVAILABLE, retryable) seen right after an approval: the caller retries once.
            await Task.Delay(1000);
            return await RetryNamingTheNodeAsync(gateway, args, node);
        }
        catch (InvalidOperationException e) when (e.Message.Contains("TIMEOUT: node invoke timed out", StringComparison.Ordinal)
            && node is not null && !node.Process.HasLine($"invoke {command} (", from))
        {
            // The gateway gave up and the node logged no answer: the request never reached it. The gateway checks the
            // pairing before dispatch, behind every other test's pairing on one shared gateway under load. An operator
            // would run it again, and so does the test; a node that hangs on the command hangs on the retry too.
            Console.WriteLine($"{command}: the gateway timed out and the node never answered; retried once");
            return await RetryNamingTheNodeAsync(gateway, args, node);
        }
        catch (InvalidOperationException e) when (node is not null)
        {
            throw new InvalidOperationException($"{e.Message}\nnode log, {node.Process.Tail(25)}", e);
        }
    }

    private static async Task<JsonNode> RetryNamingTheNodeAsync(RealGateway gateway, string[] args, EdgeNode? node)
    {
        try
        {
            return await gateway.CliJsonAsync(args);
        }
        catch (InvalidOperationException e) when (node is not null)
        {
            throw new InvalidOperationException($"{e.Message}\nnode log, {node.Process.Tail(25)}", e);
        }
    }

    public async Task<int> StopAsync(TimeSpan? timeout = null)
    {
        if (Process.HasExited)
            return Process.ExitCode;
        Process.Signal(Mono.SIGTERM);
        return await Process.WaitForExitAsync(timeout ?? TimeSpan.FromSeconds(30));
    }

    public async ValueTask DisposeAsync()
    {
        if (_deviceId is not null)
            Running.TryRemove(new KeyValuePair<string, EdgeNode>(_deviceId, this));
        await Process.DisposeAsync();
        if (_ownsState)
            try { Directory.Delete(StateDir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
