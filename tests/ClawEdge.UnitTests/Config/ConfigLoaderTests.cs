using ClawEdge.Config;

using ClawEdge.Gateway;

namespace ClawEdge.Tests.Config;

public class ConfigLoaderTests
{
    private static readonly Dictionary<string, string?> NoArgs = new();
    private static readonly Dictionary<string, string?> NoEnv = new();

    private static string WriteConfig(string json)
    {
        string path = Path.Combine(Fixtures.TempDir("cfg"), "clawedge.json");
        File.WriteAllText(path, json);
        return path;
    }

    [Test]
    public async Task File_then_environment_then_command_line()
    {
        string path = WriteConfig("""{ "Gateway": { "Host": "10.0.0.5", "Port": 1000 }, "Node": { "DisplayName": "from-file" } }""");
        var env = new Dictionary<string, string?> { ["CLAWEDGE_Gateway__Port"] = "2000", ["CLAWEDGE_NODE__DISPLAYNAME"] = "from-env", ["UNRELATED"] = "x" };
        var args = new Dictionary<string, string?> { ["Gateway:Port"] = "3000" };
        var options = ConfigLoader.Load(path, args, env);
        await Assert.That(options.Gateway.Host).IsEqualTo("10.0.0.5");
        await Assert.That(options.Gateway.Port).IsEqualTo(3000);
        await Assert.That(options.Node.DisplayName).IsEqualTo("from-env");
    }

    [Test]
    public async Task Json_comments_are_accepted()
    {
        string path = WriteConfig("""
            {
              // where the gateway is
              "Gateway": { "Host": "gw.local" /* mDNS */ }
            }
            """);
        var options = ConfigLoader.Load(path, NoArgs, NoEnv);
        await Assert.That(options.Gateway.Host).IsEqualTo("gw.local");
    }

    [Test]
    public async Task Unknown_key_is_reported_with_its_path()
    {
        string path = WriteConfig("""{ "Gateway": { "Hots": "x" } }""");
        var error = Assert.Throws<ConfigException>(() => ConfigLoader.Load(path, NoArgs, NoEnv));
        await Assert.That(error.Message).Contains("Hots");
    }

    [Test]
    public async Task Unknown_environment_key_is_reported()
    {
        var env = new Dictionary<string, string?> { ["CLAWEDGE_Gateway__Prot"] = "1" };
        var error = Assert.Throws<ConfigException>(() => ConfigLoader.Load(null, NoArgs, env));
        await Assert.That(error.Message).Contains("Prot");
    }

    [Test]
    public async Task Wrong_type_is_reported_with_its_path()
    {
        string path = WriteConfig("""{ "Gateway": { "Port": "eighty" } }""");
        var error = Assert.Throws<ConfigException>(() => ConfigLoader.Load(path, NoArgs, NoEnv));
        await Assert.That(error.Message).Contains("Gateway:Port");
    }

    [Test]
    [Arguments("""{ "Gateway": { "Port": 70000 } }""", "Gateway:Port")]
    [Arguments("""{ "Gateway": { "TlsFingerprint": "abc" } }""", "Gateway:TlsFingerprint")]
    [Arguments("""{ "Gateway": { "Tls": false, "TlsFingerprint": "sha256:ECDC" } }""", "Gateway:TlsFingerprint")]
    [Arguments("""{ "Log": { "Level": "loud" } }""", "Log:Level")]
    [Arguments("""{ "Gateway": { "Host": "ws://x/y" } }""", "Gateway:Host")]
    public async Task Invalid_values_are_rejected(string json, string key)
    {
        var error = Assert.Throws<ConfigException>(() => ConfigLoader.Load(WriteConfig(json), NoArgs, NoEnv));
        await Assert.That(error.Message).Contains(key);
    }

    [Test]
    public async Task Missing_explicit_config_file_is_an_error()
    {
        var error = Assert.Throws<ConfigException>(() => ConfigLoader.Load("/nonexistent/clawedge.json", NoArgs, NoEnv));
        await Assert.That(error.Message).Contains("/nonexistent/clawedge.json");
    }

    [Test]
    public async Task Command_line_maps_node_run_flags_to_keys()
    {
        var line = ClawEdge.Cli.CommandLine.Parse(["run", "--host", "h", "--port=9", "--tls", "--commands", "a,b", "--commands", "c", "--pair", "CODE"]);
        await Assert.That(line.ConfigOverrides["Gateway:Host"]).IsEqualTo("h");
        await Assert.That(line.ConfigOverrides["Gateway:Port"]).IsEqualTo("9");
        await Assert.That(line.ConfigOverrides["Gateway:Tls"]).IsEqualTo("true");
        await Assert.That(line.ConfigOverrides["Node:Commands:2"]).IsEqualTo("c");
        await Assert.That(line.Option("--pair")).IsEqualTo("CODE");
        Assert.Throws<ClawEdge.Cli.UsageException>(() => ClawEdge.Cli.CommandLine.Parse(["run", "--commands", "a", "--all-commands"]));
        Assert.Throws<ClawEdge.Cli.UsageException>(() => ClawEdge.Cli.CommandLine.Parse(["run", "--port"]));
        await Assert.That(ClawEdge.Cli.CommandLine.Parse(["--help"]).Verb).IsEqualTo("help");
        await Assert.That(ClawEdge.Cli.CommandLine.Parse(["--version"]).Verb).IsEqualTo("version");
        await Assert.That(ClawEdge.Cli.CommandLine.Parse(["--port", "1"]).Verb).IsEqualTo("run");
    }

    [Test]
    [Arguments("ECDC2BDF18E4F343AF1654E88021206ACE8470F2E834A94DB184B02CEA11FA82")]
    [Arguments("sha256:EC:DC:2B:DF:18:E4:F3:43:AF:16:54:E8:80:21:20:6A:CE:84:70:F2:E8:34:A9:4D:B1:84:B0:2C:EA:11:FA:82")]
    [Arguments("  ecdc2bdf18e4f343af1654e88021206ace8470f2e834a94db184b02cea11fa82 ")]
    public async Task Fingerprint_spellings_normalize(string input)
    {
        await Assert.That(TlsPin.Normalize(input)).IsEqualTo("ecdc2bdf18e4f343af1654e88021206ace8470f2e834a94db184b02cea11fa82");
    }

    [Test]
    [Arguments("ecdc")]
    [Arguments("zzdc2bdf18e4f343af1654e88021206ace8470f2e834a94db184b02cea11fa82")]
    [Arguments("ecdc2bdf18e4f343af1654e88021206ace8470f2e834a94db184b02cea11fa8200")]
    [Arguments("sha1:ecdc2bdf18e4f343af1654e88021206ace8470f2e834a94db184b02cea11fa82")]
    public async Task Bad_fingerprints_are_rejected(string input)
    {
        await Assert.That(TlsPin.Normalize(input)).IsNull();
    }

    [Test]
    public async Task Unknown_key_names_the_file_and_the_nearest_known_key()
    {
        string path = WriteConfig("""{ "Gateway": { "Prot": 1 } }""");
        var error = Assert.Throws<ConfigException>(() => ConfigLoader.Load(path, NoArgs, NoEnv));
        await Assert.That(error.Message).IsEqualTo($"{path}: unknown key Gateway:Prot (did you mean Gateway:Port?)");
    }

    [Test]
    public async Task Unknown_section_and_keys_inside_maps_are_named_too()
    {
        string path = WriteConfig("""{ "Gatway": { "Port": 1 } }""");
        var error = Assert.Throws<ConfigException>(() => ConfigLoader.Load(path, NoArgs, NoEnv));
        await Assert.That(error.Message).IsEqualTo($"{path}: unknown key Gatway:Port (did you mean Gateway:Port?)");

        path = WriteConfig("""{ "Camera": { "Devices": { "usb0": { "Facng": "front" } } } }""");
        error = Assert.Throws<ConfigException>(() => ConfigLoader.Load(path, NoArgs, NoEnv));
        await Assert.That(error.Message).IsEqualTo($"{path}: unknown key Camera:Devices:usb0:Facng (did you mean Camera:Devices:usb0:Facing?)");

        // Far from every key: no guess, but where the keys are.
        var env = new Dictionary<string, string?> { ["CLAWEDGE_Zebra__Stripes"] = "1" };
        error = Assert.Throws<ConfigException>(() => ConfigLoader.Load(null, NoArgs, env));
        await Assert.That(error.Message).IsEqualTo($"CLAWEDGE_Zebra__Stripes: unknown key Zebra:Stripes (the keys are those of {ConfigLoader.SchemaPath})");

        // The build's and the first-boot helper's own variables are not configuration, and not errors.
        var tools = new Dictionary<string, string?> { ["CLAWEDGE_CACHE"] = "/tmp/c", ["CLAWEDGE_PAIR_SOURCE"] = "/boot/p.txt", ["CLAWEDGE_Gateway__Port"] = "1234" };
        await Assert.That(ConfigLoader.Load(null, NoArgs, tools).Gateway.Port).IsEqualTo(1234);
    }

    [Test]
    public async Task Every_options_key_is_known_and_maps_and_lists_take_free_keys()
    {
        await Assert.That(OptionKeys.Root.Paths()).Contains("Gateway:MaxBackoffMs");
        await Assert.That(OptionKeys.Root.Paths()).Contains("Camera:Replay:Fps");
        string path = WriteConfig("""{ "Camera": { "Devices": { "usb0": { "Facing": "front" } } }, "Node": { "Commands": ["system.run"] } }""");
        var options = ConfigLoader.Load(path, NoArgs, NoEnv);
        await Assert.That(options.Camera.Devices["usb0"].Facing).IsEqualTo("front");
    }

    [Test]
    public async Task Wrong_type_says_where_the_value_came_from()
    {
        var env = new Dictionary<string, string?> { ["CLAWEDGE_Gateway__Port"] = "abc" };
        var error = Assert.Throws<ConfigException>(() => ConfigLoader.Load(null, NoArgs, env));
        await Assert.That(error.Message).IsEqualTo("Gateway:Port (from CLAWEDGE_Gateway__Port) must be a port number, got \"abc\"");

        string path = WriteConfig("""{ "Gateway": { "AllowInsecurePlaintext": "yes" }, "Node": { "StatsIntervalSeconds": "1.5" } }""");
        error = Assert.Throws<ConfigException>(() => ConfigLoader.Load(path, NoArgs, NoEnv));
        await Assert.That(error.Message).IsEqualTo($"Gateway:AllowInsecurePlaintext (from {path}) must be true or false, got \"yes\"");

        var line = ClawEdge.Cli.CommandLine.Parse(["run", "--port", "http"]);
        error = Assert.Throws<ConfigException>(() => ConfigLoader.Load(WriteConfig("{}"), line.ConfigOverrides, NoEnv));
        await Assert.That(error.Message).IsEqualTo("Gateway:Port (from --port) must be a port number, got \"http\"");

        // The highest-precedence source is the one named: the file's good value is overridden by the bad env one.
        path = WriteConfig("""{ "Camera": { "TestPatternFps": 30 } }""");
        env = new Dictionary<string, string?> { ["CLAWEDGE_CAMERA__TESTPATTERNFPS"] = "fast" };
        error = Assert.Throws<ConfigException>(() => ConfigLoader.Load(path, NoArgs, env));
        await Assert.That(error.Message).IsEqualTo("Camera:TestPatternFps (from CLAWEDGE_CAMERA__TESTPATTERNFPS) must be a number, got \"fast\"");
    }

    [Test]
    public async Task A_value_where_a_section_belongs_is_named()
    {
        string path = WriteConfig("""{ "Gateway": 5 }""");
        var error = Assert.Throws<ConfigException>(() => ConfigLoader.Load(path, NoArgs, NoEnv));
        await Assert.That(error.Message).IsEqualTo($"Gateway (from {path}) must be a section of keys, got \"5\"");
    }

    [Test]
    public async Task Network_failures_are_described_in_words_not_resource_keys()
    {
        static string Words(Exception e) => ClawEdge.Gateway.GatewayConnection.Describe(e);
        var refused = new System.Net.WebSockets.WebSocketException("net_webstatus_ConnectFailure",
            new HttpRequestException("x", new System.Net.Sockets.SocketException((int)System.Net.Sockets.SocketError.ConnectionRefused)));
        await Assert.That(Words(refused)).StartsWith("connection refused (nothing listens on that port");
        await Assert.That(Words(new System.Net.Sockets.SocketException((int)System.Net.Sockets.SocketError.HostNotFound))).StartsWith("host name not found");
        await Assert.That(Words(new System.Net.Sockets.SocketException((int)System.Net.Sockets.SocketError.TimedOut))).StartsWith("connect timed out");
        await Assert.That(Words(new System.Net.Sockets.SocketException((int)System.Net.Sockets.SocketError.NetworkUnreachable))).StartsWith("no route to the host");
        await Assert.That(Words(new HttpRequestException("net_http_ssl_connection_failed", new System.Security.Authentication.AuthenticationException("net_ssl_x"))))
            .StartsWith("TLS handshake failed");
        await Assert.That(Words(new System.Net.WebSockets.WebSocketException(System.Net.WebSockets.WebSocketError.NotAWebSocket))).Contains("not as a WebSocket");
        await Assert.That(Words(new OperationCanceledException())).IsEqualTo("timed out");
    }
}
