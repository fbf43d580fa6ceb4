using System.Text.Json;
using System.Text.Json.Nodes;

namespace ClawEdge.Tests.Interop;

/// <summary>
/// The real OpenClaw gateway (npm openclaw@2026.9.6 on Node 24) on a free loopback port, with its own
/// HOME, and its real CLI pointed at it. This is the interoperability proof: no fake peer.
/// </summary>
public sealed class RealGateway : IAsyncDisposable
{
    public const string Token = "ce-test-token";
    private ChildProcess? _process;

    private RealGateway(string home, int port, bool tls)
    {
        Home = home;
        Port = port;
        Tls = tls;
    }

    public string Home { get; }
    public int Port { get; }
    public bool Tls { get; }
    public string Url => $"{(Tls ? "wss" : "ws")}://127.0.0.1:{Port}";
    public string Log => _process?.Output ?? "";

    /// <param name="config">The <c>openclaw.json</c> document, e.g. <c>{"gateway":{"nodes":{"pairing":{"autoApproveLocal":false}}}}</c>.</param>
    public static async Task<RealGateway> StartAsync(JsonObject? config = null, bool tls = false, int? port = null)
    {
        var gateway = new RealGateway(Tools.TempDir("gw"), port ?? Tools.FreePort(), tls);
        var document = config?.DeepClone().AsObject() ?? new JsonObject();
        if (tls)
        {
            var gw = document["gateway"] as JsonObject ?? new JsonObject();
            gw["tls"] = new JsonObject { ["enabled"] = true };
            document["gateway"] = gw;
        }
        Directory.CreateDirectory(Path.Combine(gateway.Home, ".openclaw"));
        await File.WriteAllTextAsync(Path.Combine(gateway.Home, ".openclaw", "openclaw.json"), document.ToJsonString());
        await gateway.StartProcessAsync();
        return gateway;
    }

    public IDictionary<string, string?> Environment() => new Dictionary<string, string?>
    {
        ["HOME"] = Home,
        ["PATH"] = $"{Path.Combine(Tools.NodeDir, "bin")}:/usr/local/bin:/usr/bin:/bin",
        ["OPENCLAW_GATEWAY_TOKEN"] = null,
        ["TMPDIR"] = Path.Combine(Home, "tmp"),
    };

    private async Task StartProcessAsync()
    {
        Directory.CreateDirectory(Path.Combine(Home, "tmp"));
        _process = ChildProcess.Start(Tools.NodeExe,
            [Tools.OpenClawEntry, "gateway", "run", "--allow-unconfigured", "--bind", "loopback", "--port", Port.ToString(), "--token", Token],
            Environment());
        // CE_GATEWAY_READY_SECONDS overrides; 180 s by default: a 2-core machine busy with other builds took over 90 s to start Node.
        int readySeconds = int.TryParse(System.Environment.GetEnvironmentVariable("CE_GATEWAY_READY_SECONDS"), out int s) ? s : 180;
        await _process.WaitForLineAsync("[gateway] ready", TimeSpan.FromSeconds(readySeconds));
    }

    /// <summary>Kills the gateway process hard (as a crash or power loss would).</summary>
    public async Task KillAsync()
    {
        if (_process is null)
            return;
        await _process.DisposeAsync();
        _process = null;
    }

    public async Task RestartAsync()
    {
        await KillAsync();
        await StartProcessAsync();
    }

    /// <summary>The certificate the gateway generated for itself when TLS is on.</summary>
    public string CertificatePath => Path.Combine(Home, ".openclaw", "gateway", "tls", "gateway-cert.pem");

    /// <summary>
    /// Runs the real CLI against this gateway: --url and --token for plaintext; for TLS the CLI has no pin
    /// flag, so it runs in remote mode from a HOME whose config pins the gateway's self-signed certificate.
    /// </summary>
    public async Task<(int ExitCode, string Output)> CliAsync(params string[] args)
    {
        var full = new List<string> { Tools.OpenClawEntry };
        full.AddRange(args);
        var environment = Environment();
        if (Tls)
        {
            string cliHome = Path.Combine(Home, "cli");
            Directory.CreateDirectory(Path.Combine(cliHome, ".openclaw"));
            var remote = new JsonObject { ["url"] = Url, ["token"] = Token, ["tlsFingerprint"] = Fingerprint() };
            await File.WriteAllTextAsync(Path.Combine(cliHome, ".openclaw", "openclaw.json"),
                new JsonObject { ["gateway"] = new JsonObject { ["mode"] = "remote", ["remote"] = remote } }.ToJsonString());
            environment["HOME"] = cliHome;
        }
        else
        {
            full.AddRange(["--url", Url, "--token", Token]);
        }
        return await ChildProcess.RunAsync(Tools.NodeExe, full, environment, TimeSpan.FromMinutes(2));
    }

    /// <summary>Runs a CLI command with --json and parses the JSON document it prints.</summary>
    public async Task<JsonNode> CliJsonAsync(params string[] args)
    {
        var (code, output) = await CliAsync([.. args, "--json"]);
        int start = output.IndexOfAny(['{', '[']);
        if (code != 0 || start < 0)
            throw new InvalidOperationException($"openclaw {string.Join(' ', args)} failed ({code}):\n{output}");
        // Trailing CLI notices may follow the document: parse only the first complete JSON value.
        var reader = new Utf8JsonReader(System.Text.Encoding.UTF8.GetBytes(output[start..]), new JsonReaderOptions { AllowTrailingCommas = true });
        return JsonNode.Parse(ref reader)!;
    }

    public string Fingerprint()
    {
        using var cert = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPem(File.ReadAllText(CertificatePath));
        return Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(cert.RawData));
    }

    /// <summary>The node entry from <c>openclaw nodes status --json</c>, or null.</summary>
    public async Task<JsonNode?> NodeStatusAsync(string nodeId)
    {
        var status = await CliJsonAsync("nodes", "status");
        return status["nodes"]!.AsArray().FirstOrDefault(n => (string?)n!["nodeId"] == nodeId);
    }

    public async Task<JsonNode?> WaitForNodeAsync(string nodeId, Func<JsonNode, bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        JsonNode? last = null;
        while (DateTime.UtcNow < deadline)
        {
            last = await NodeStatusAsync(nodeId);
            if (last is not null && condition(last))
                return last;
            await Task.Delay(500);
        }
        throw new TimeoutException($"node {nodeId} did not reach the condition in {timeout.TotalSeconds} s; last: {last?.ToJsonString()}");
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        try { Directory.Delete(Home, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
