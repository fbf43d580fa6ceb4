using System.Text;
using System.Text.Json;

namespace ClawEdge.Canvas;

/// <summary>
/// The page that shows A2UI on the canvas: the gateway's own v0.8 renderer (<c>/__openclaw__/a2ui/a2ui.bundle.js</c>,
/// fetched through this node's capability URL, never copied into the node) inside an <c>&lt;openclaw-a2ui-host&gt;</c>,
/// and the board bridge the renderer calls on a button press, <c>globalThis.openclaw.state.emit</c>, wired to a
/// DevTools binding so the press reaches the node and, as <c>agent.request</c>, the agent.
/// </summary>
public static class A2uiHost
{
    /// <summary>The DevTools binding (a global function in the page) that carries button presses to the node.</summary>
    public const string BindingName = "__clawedgeA2uiEmit";

    /// <summary>The title of the host page; the browser reports it, so the node can tell the host is showing.</summary>
    public const string Title = "ClawEdge A2UI";

    /// <summary>The agent.request message limit the gateway enforces (longer messages are dropped silently).</summary>
    public const int MaxMessageLength = 20_000;

    public static string BundleUrl(string surfaceUrl) => surfaceUrl.TrimEnd('/') + "/__openclaw__/a2ui/a2ui.bundle.js";

    /// <summary>
    /// What the node evaluates in a page it first loaded from the gateway (the bundle URL itself, shown as text), so
    /// that the host stays on the gateway's origin: the page is emptied, the board bridge the renderer calls on a press
    /// (<c>globalThis.openclaw.state.emit</c>) is wired to the DevTools binding, the bundle is loaded by a script
    /// element, and then the <c>&lt;openclaw-a2ui-host&gt;</c> is attached, which publishes <c>openclawA2UI</c>.
    /// A <c>data:</c> page cannot be used: it has no address of its own, and Chromium refuses such a page any request
    /// to a loopback or LAN address (private / local network access), which is where a node's gateway lives.
    /// The promise settles with the renderer's <c>applyMessages</c> type ("function"), or with what went wrong.
    /// </summary>
    public static string ShowScript(string surfaceUrl, int timeoutMs) => $$"""
        (() => {
          document.head.replaceChildren();
          document.body.replaceChildren();
          document.title = {{Literal(Title)}};
          const viewport = document.createElement('meta');
          viewport.name = 'viewport'; viewport.content = 'width=device-width, initial-scale=1';
          const style = document.createElement('style');
          style.textContent = 'html,body{margin:0;height:100%;background:#fff}openclaw-a2ui-host{display:block;min-height:100%}';
          document.head.append(viewport, style);
          globalThis.openclaw = { state: { emit: function (event) { {{BindingName}}(JSON.stringify(event)); } } };
          return new Promise(done => {
            const timer = setTimeout(() => done('the bundle did not load in {{timeoutMs}} ms'), {{timeoutMs}});
            const script = document.createElement('script');
            script.onload = () => {
              clearTimeout(timer);
              document.body.append(document.createElement('openclaw-a2ui-host'));
              done(typeof globalThis.openclawA2UI?.applyMessages);
            };
            script.onerror = () => { clearTimeout(timer); done('the bundle did not load'); };
            script.src = {{Literal(BundleUrl(surfaceUrl))}};
            document.head.append(script);
          });
        })()
        """;

    private static string Literal(string value)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
            writer.WriteStringValue(value);
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>True for a URL that carries a capability (a credential: never in a result or a log line).</summary>
    public static bool IsCapabilityUrl(string url) => url.Contains("/__openclaw__/cap/", StringComparison.Ordinal) || url.Contains("oc_cap=", StringComparison.Ordinal);

    /// <summary>
    /// The text the agent receives for a button press: the renderer's own prompt wording (<c>A2UI action &lt;name&gt;</c>,
    /// then <c>: &lt;context JSON&gt;</c> when the button's action has context), so a board and a kiosk read the same.
    /// Null when the event is not an A2UI action.
    /// </summary>
    public static string? ActionMessage(string bindingPayload)
    {
        try
        {
            using var document = JsonDocument.Parse(bindingPayload);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("eventType", out var type) || type.ValueKind != JsonValueKind.String || type.GetString() != "a2ui.action")
                return null;
            if (!root.TryGetProperty("action", out var action) || action.ValueKind != JsonValueKind.Object)
                return null;
            string name = action.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString() ?? "" : "";
            if (name.Length == 0)
                return null;
            var text = new StringBuilder("A2UI action ").Append(name);
            if (action.TryGetProperty("context", out var context) && context.ValueKind == JsonValueKind.Object && context.EnumerateObject().Any())
                text.Append(": ").Append(context.GetRawText());
            return text.Length <= MaxMessageLength ? text.ToString() : text.ToString(0, MaxMessageLength);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>The <c>agent.request</c> payload: <c>{"message": …}</c> (the gateway picks the node's session, <c>node-&lt;nodeId&gt;</c>).</summary>
    public static string AgentRequest(string message)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(message.Length + 32);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("message", message);
            writer.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
