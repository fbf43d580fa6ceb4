using System.Text.Json;

namespace ClawEdge.Host;

/// <summary>
/// The live gateway link as a capability sees it outside an invoke: send a node event (an A2UI button →
/// <c>agent.request</c>), make a gateway request (<c>node.pluginSurface.refresh</c>), read what <c>hello-ok</c>
/// granted (<c>pluginSurfaceUrls</c>). The gateway client attaches it on every <c>hello-ok</c> and detaches it when
/// the link drops; while detached every call fails with <see cref="NodeLinkException"/>.
/// </summary>
public sealed class NodeLink
{
    /// <summary>Sends one request frame with raw JSON params and returns its response: ok, payload, error text.</summary>
    public delegate Task<(bool Ok, JsonElement Payload, string? Error)> RequestSender(string method, string paramsJson, TimeSpan timeout, CancellationToken cancellationToken);

    private volatile Attachment? _current;

    private sealed record Attachment(RequestSender Request, NodeEventSink SendEvent, IReadOnlyDictionary<string, string> SurfaceUrls);

    /// <summary>True between a <c>hello-ok</c> and the loss of that link.</summary>
    public bool IsConnected => _current is not null;

    /// <summary>The URL <c>hello-ok.pluginSurfaceUrls</c> gave for <paramref name="surface"/> on the current link, or null.</summary>
    public string? SurfaceUrl(string surface) =>
        _current is { } c && c.SurfaceUrls.TryGetValue(surface, out var url) ? url : null;

    /// <summary>Raised after each <c>hello-ok</c> (on the gateway client's thread: handlers return quickly).</summary>
    public event Action? Connected;

    public Task SendEventAsync(string eventName, string payloadJson, CancellationToken cancellationToken) =>
        (_current ?? throw new NodeLinkException($"not connected to the gateway; node event {eventName} not sent")).SendEvent(eventName, payloadJson, cancellationToken);

    /// <summary>A gateway request; the response payload when the gateway says ok, else <see cref="NodeLinkException"/> with its error.</summary>
    public async Task<JsonElement> RequestAsync(string method, string paramsJson, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var current = _current ?? throw new NodeLinkException($"not connected to the gateway; {method} not sent");
        var (ok, payload, error) = await current.Request(method, paramsJson, timeout, cancellationToken).ConfigureAwait(false);
        return ok ? payload : throw new NodeLinkException($"the gateway refused {method}: {error}");
    }

    /// <summary>Updates one surface URL after a refresh, for later readers of <see cref="SurfaceUrl"/>.</summary>
    public void UpdateSurfaceUrl(string surface, string url)
    {
        if (_current is { } c)
            _current = c with { SurfaceUrls = new Dictionary<string, string>(c.SurfaceUrls, StringComparer.Ordinal) { [surface] = url } };
    }

    internal void Attach(RequestSender request, NodeEventSink sendEvent, IReadOnlyDictionary<string, string>? surfaceUrls)
    {
        _current = new Attachment(request, sendEvent, surfaceUrls ?? new Dictionary<string, string>());
        Connected?.Invoke();
    }

    internal void Detach() => _current = null;
}

public sealed class NodeLinkException(string message) : Exception(message);
