using System.Text.Json;
using ClawEdge.Canvas;

namespace ClawEdge.Tests.Canvas;

public class A2uiHostTests
{
    [Test]
    public async Task A_button_press_reads_as_the_renderers_own_prompt_wording()
    {
        string press = """{"eventType":"a2ui.action","action":{"id":"x1","name":"checkin","surfaceId":"main","sourceComponentId":"checkin","timestamp":"2026-12-01T20:00:00.000Z","context":{"desk":"front"}}}""";
        await Assert.That(A2uiHost.ActionMessage(press)).IsEqualTo("""A2UI action checkin: {"desk":"front"}""");
        string bare = """{"eventType":"a2ui.action","action":{"name":"refresh","surfaceId":"main"}}""";
        await Assert.That(A2uiHost.ActionMessage(bare)).IsEqualTo("A2UI action refresh");
    }

    [Test]
    [Arguments("""{"eventType":"other","action":{"name":"x"}}""")]
    [Arguments("""{"eventType":"a2ui.action","action":{"name":""}}""")]
    [Arguments("""{"eventType":"a2ui.action"}""")]
    [Arguments("""[1,2]""")]
    [Arguments("""not json""")]
    public async Task Anything_else_sends_nothing(string payload) =>
        await Assert.That(A2uiHost.ActionMessage(payload)).IsNull();

    [Test]
    public async Task The_message_is_cut_to_the_gateways_limit_and_sent_as_agent_request_json()
    {
        string press = "{\"eventType\":\"a2ui.action\",\"action\":{\"name\":\"note\",\"context\":{\"text\":\"" + new string('y', 30_000) + "\"}}}";
        string message = A2uiHost.ActionMessage(press)!;
        await Assert.That(message.Length).IsEqualTo(A2uiHost.MaxMessageLength);
        using var request = JsonDocument.Parse(A2uiHost.AgentRequest("say \"hi\"\n"));
        await Assert.That(request.RootElement.GetProperty("message").GetString()).IsEqualTo("say \"hi\"\n");
        await Assert.That(request.RootElement.EnumerateObject().Count()).IsEqualTo(1);
    }

    [Test]
    public async Task The_host_page_loads_the_gateways_bundle_through_the_capability_url_and_supplies_the_bridge()
    {
        const string surface = "http://127.0.0.1:18789/__openclaw__/cap/abc_DEF-123";
        string script = A2uiHost.ShowScript(surface, 5000);
        await Assert.That(script).Contains("""script.src = "http://127.0.0.1:18789/__openclaw__/cap/abc_DEF-123/__openclaw__/a2ui/a2ui.bundle.js";""");
        await Assert.That(script).Contains("globalThis.openclaw = { state: { emit:");
        await Assert.That(script).Contains(A2uiHost.BindingName + "(JSON.stringify(event))");
        // The host element is attached only once the bundle ran (it publishes openclawA2UI when connected).
        await Assert.That(script.IndexOf("createElement('openclaw-a2ui-host')", StringComparison.Ordinal))
            .IsGreaterThan(script.IndexOf("script.onload", StringComparison.Ordinal));
        await Assert.That(A2uiHost.IsCapabilityUrl(A2uiHost.BundleUrl(surface))).IsTrue();
        await Assert.That(A2uiHost.IsCapabilityUrl("http://127.0.0.1:18789/__openclaw__/a2ui/a2ui.bundle.js?oc_cap=abc")).IsTrue();
        await Assert.That(A2uiHost.IsCapabilityUrl("https://example.org/")).IsFalse();
    }
}
