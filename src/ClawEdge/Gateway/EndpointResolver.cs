using ClawEdge.Config;
using ClawEdge.State;

namespace ClawEdge.Gateway;

/// <summary>Where the node connects, and with which pin: re-read at every reconnect, so `clawedge pin` reaches a running node.</summary>
public static class EndpointResolver
{
    /// <summary>
    /// Explicit options win; then the setup code; then the endpoint a setup code saved earlier; then
    /// 127.0.0.1:18789. A pin set with <c>clawedge pin</c> wins over any other pin: it is the owner's latest word.
    /// </summary>
    public static GatewayEndpoint Resolve(GatewayOptions options, SetupCode? setup, NodeFile node)
    {
        var saved = node.Gateway;
        string host = options.Host ?? setup?.Endpoint.Host ?? saved?.Host ?? "127.0.0.1";
        int port = options.Port ?? setup?.Endpoint.Port ?? saved?.Port ?? 18789;
        string? path = options.ContextPath ?? setup?.Endpoint.ContextPath ?? saved?.ContextPath;
        string? pin = TlsPin.Normalize(node.PinnedFingerprint)
            ?? TlsPin.Normalize(options.TlsFingerprint) ?? setup?.Endpoint.TlsFingerprint ?? saved?.TlsFingerprint;
        bool tls = options.Tls ?? setup?.Endpoint.Tls ?? saved?.Tls ?? pin is not null;
        if (!tls)
            pin = null;
        return new GatewayEndpoint(host, port, tls, pin, string.IsNullOrEmpty(path) ? null : path);
    }
}
