namespace ClawEdge.Tests.Canvas;

/// <summary>A2UI v0.8 messages the tests push, and the page scripts that find what the gateway's renderer drew (inside its shadow roots).</summary>
public static class A2uiSamples
{
    /// <summary>A surface with a heading and one button whose action carries context.</summary>
    public const string BoardJsonl = """
        {"surfaceUpdate":{"surfaceId":"main","components":[{"id":"root","component":{"Column":{"children":{"explicitList":["title","checkin"]}}}},{"id":"title","component":{"Text":{"text":{"literalString":"Lobby board"},"usageHint":"h1"}}},{"id":"checkin","component":{"Button":{"child":"checkinLabel","primary":true,"action":{"name":"checkin","context":[{"key":"desk","value":{"literalString":"front"}}]}}}},{"id":"checkinLabel","component":{"Text":{"text":{"literalString":"Check in"}}}}]}}
        {"beginRendering":{"surfaceId":"main","root":"root"}}
        """;

    public const string V09Line = """{"version":"v0.9","createSurface":{"surfaceId":"main","catalogId":"standard"}}""";

    /// <summary>All text in the page, shadow roots included.</summary>
    public const string DeepTextScript = """
        (() => { const parts = []; const walk = (n) => { if (n.nodeType === 3) parts.push(n.textContent); if (n.shadowRoot) walk(n.shadowRoot); for (const c of n.childNodes) walk(c); }; walk(document.documentElement); return parts.join(' ').replace(/\s+/g, ' '); })()
        """;

    /// <summary>The centre of the first rendered &lt;button&gt;, as [x, y] in CSS pixels.</summary>
    public const string ButtonCentreScript = """
        (() => { let found = null; const walk = (n) => { if (found) return; if (n.nodeType === 1 && n.localName === 'button') { const r = n.getBoundingClientRect(); if (r.width > 0) { found = [r.x + r.width / 2, r.y + r.height / 2]; return; } } if (n.shadowRoot) walk(n.shadowRoot); for (const c of n.children || []) walk(c); }; walk(document.documentElement); return found; })()
        """;
}
