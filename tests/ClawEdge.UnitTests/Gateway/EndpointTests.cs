using ClawEdge.Cli;
using ClawEdge.Config;
using ClawEdge.Gateway;
using ClawEdge.State;

using ClawEdge.Host;

namespace ClawEdge.Tests.Gateway;

public class EndpointTests
{
    [Test]
    [Arguments("127.0.0.1", true)]
    [Arguments("localhost", true)]
    [Arguments("::1", true)]
    [Arguments("10.1.2.3", true)]
    [Arguments("172.16.0.1", true)]
    [Arguments("172.32.0.1", false)]
    [Arguments("192.168.1.20", true)]
    [Arguments("100.100.1.1", true)]
    [Arguments("fd00::5", true)]
    [Arguments("gateway.local", true)]
    [Arguments("box.tail1234.ts.net", true)]
    [Arguments("8.8.8.8", false)]
    [Arguments("gateway.example.com", false)]
    public async Task Plaintext_is_allowed_only_where_the_reference_allows_it(string host, bool safe)
    {
        await Assert.That(new GatewayEndpoint(host, 18789, false, null, null).IsPlaintextSafe()).IsEqualTo(safe);
    }

    [Test]
    public async Task Uri_and_origin_include_context_path_and_brackets()
    {
        var ep = new GatewayEndpoint("::1", 443, true, null, "openclaw-gw/");
        await Assert.That(ep.Uri.ToString()).IsEqualTo("wss://[::1]/openclaw-gw");
        await Assert.That(ep.Origin).IsEqualTo("wss://[::1]/openclaw-gw");
        await Assert.That(new GatewayEndpoint("h", 18789, false, null, null).Origin).IsEqualTo("ws://h:18789");
    }

    [Test]
    public async Task Setup_code_carries_endpoint_pin_and_bootstrap_token()
    {
        string json = """{"url":"wss://gw.lan:8443/ctx","bootstrapToken":"tok","expiresAtMs":4102444800000,"tlsFingerprint":"EC:DC:2B:DF:18:E4:F3:43:AF:16:54:E8:80:21:20:6A:CE:84:70:F2:E8:34:A9:4D:B1:84:B0:2C:EA:11:FA:82"}""";
        string code = "OC-PAIR://" + System.Buffers.Text.Base64Url.EncodeToString(System.Text.Encoding.UTF8.GetBytes(json));
        var setup = SetupCode.Parse(code, DateTimeOffset.UtcNow);
        await Assert.That(setup.Endpoint).IsEqualTo(new GatewayEndpoint("gw.lan", 8443, true, "ecdc2bdf18e4f343af1654e88021206ace8470f2e834a94db184b02cea11fa82", "/ctx"));
        await Assert.That(setup.BootstrapToken).IsEqualTo("tok");
    }

    [Test]
    [Arguments("""{"url":"ws://h:1","bootstrapToken":"t","expiresAtMs":1000}""", "expired")]
    [Arguments("""{"url":"http://h:1","bootstrapToken":"t"}""", "ws://")]
    [Arguments("""{"url":"ws://user:pw@h:1","bootstrapToken":"t"}""", "credentials")]
    [Arguments("""{"url":"ws://h:1"}""", "bootstrap token")]
    public async Task Bad_setup_codes_are_refused(string json, string expected)
    {
        string code = System.Buffers.Text.Base64Url.EncodeToString(System.Text.Encoding.UTF8.GetBytes(json));
        var error = Assert.Throws<ConfigException>(() => SetupCode.Parse(code, DateTimeOffset.UtcNow));
        await Assert.That(error.Message).Contains(expected);
        Assert.Throws<ConfigException>(() => SetupCode.Parse("%%%not-base64", DateTimeOffset.UtcNow));
    }

    [Test]
    public async Task Explicit_options_win_then_setup_code_then_saved_endpoint_and_owner_pin_wins()
    {
        var saved = new NodeFile { Gateway = new SavedGateway { Host = "saved", Port = 1, Tls = true, TlsFingerprint = new string('a', 64) } };
        var fromSaved = EndpointResolver.Resolve(new GatewayOptions(), null, saved);
        await Assert.That(fromSaved).IsEqualTo(new GatewayEndpoint("saved", 1, true, new string('a', 64), null));

        var explicitHost = EndpointResolver.Resolve(new GatewayOptions { Host = "cli", Port = 2, Tls = false }, null, saved);
        await Assert.That(explicitHost).IsEqualTo(new GatewayEndpoint("cli", 2, false, null, null));

        saved.PinnedFingerprint = new string('b', 64);
        var repinned = EndpointResolver.Resolve(new GatewayOptions { TlsFingerprint = new string('c', 64) }, null, saved);
        await Assert.That(repinned.TlsFingerprint).IsEqualTo(new string('b', 64));

        var defaults = EndpointResolver.Resolve(new GatewayOptions(), null, new NodeFile());
        await Assert.That(defaults).IsEqualTo(new GatewayEndpoint("127.0.0.1", 18789, false, null, null));
    }

    [Test]
    public async Task Surface_request_id_is_read_from_the_gateway_hint()
    {
        string message = "node capability surface is awaiting operator approval; run `openclaw nodes approve 746c3c1b-d334-4b05-aabc-6a2ac4b629e8` (see `openclaw nodes pending`), then this node retries automatically";
        await Assert.That(NodeSession.SurfaceRequestId(message)).IsEqualTo("746c3c1b-d334-4b05-aabc-6a2ac4b629e8");
        await Assert.That(NodeSession.SurfaceRequestId("something else")).IsNull();
    }

    [Test]
    [Arguments("UNAVAILABLE", "node runner inventory publication is not current; retry after pairing completes", true)]
    [Arguments("UNAVAILABLE", "node runner inventory publication lost its pairing ownership; retry", true)]
    [Arguments("UNAVAILABLE", "node capability surface is awaiting operator approval; run `openclaw nodes approve x`", false)]
    [Arguments("INVALID_REQUEST", "unknown nodeId", false)]
    public async Task Inventory_is_retried_only_while_the_gateway_has_not_settled_the_link(string code, string message, bool retry)
    {
        await Assert.That(NodeSession.IsInventoryRetry(new GatewayError { Code = code, Message = message })).IsEqualTo(retry);
        await Assert.That(NodeSession.IsInventoryRetry(null)).IsFalse();
    }
}
