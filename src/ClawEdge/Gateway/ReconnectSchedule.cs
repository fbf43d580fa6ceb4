namespace ClawEdge.Gateway;

/// <summary>
/// How long the node waits before its next connect, as pure functions of what happened (the random draw is
/// a parameter, so tests need no clock). Two regimes, because their cost to the gateway differs:
/// <list type="bullet">
/// <item>TCP refused or unreachable: nothing listens, the gateway spends nothing on us (the kernel answers
/// with a reset). Probe every 250–750 ms, uniformly jittered, so a restarted gateway is found within
/// 0.75 s; after two minutes of refusals slow to 1.5–2.5 s, an appliance whose gateway is off overnight
/// should not send two SYNs a second all night.</item>
/// <item>The gateway's own "starting, retry after N ms": N (bounded, jittered up by half), for up to
/// <see cref="StartupPatienceMs"/>.</item>
/// <item>A failure after TCP accepted (TLS or WebSocket handshake error, pin mismatch, other <c>UNAVAILABLE</c>,
/// auth refused, a link that died within <see cref="StableLinkMs"/>): the gateway did work for us, so back
/// off exponentially from 250 ms to the configured cap, each delay drawn from [½, 1] of its step.</item>
/// </list>
/// </summary>
public static class ReconnectSchedule
{
    public const int ProbeMinMs = 250, ProbeMaxMs = 750;
    public const int SlowProbeMinMs = 1_500, SlowProbeMaxMs = 2_500;
    public const int SlowProbeAfterMs = 120_000;
    public const int BackoffBaseMs = 250;

    /// <summary>
    /// How long a gateway may answer "gateway starting" (UNAVAILABLE with <c>details.reason</c> startup-sidecars, or close
    /// 1013) at its own pace before it counts as failing and the backoff grows.
    /// </summary>
    public const int StartupPatienceMs = 60_000;

    /// <summary>
    /// The wait after "gateway starting": the gateway names it (500 ms in 2026.9.6) and its own client retries after
    /// exactly that, bounded to 100–2000 ms, without backoff, because it knows when it will be ready. We honour the same
    /// bound and add up to half of it as jitter so a fleet that waited together does not return in one burst.
    /// </summary>
    public static int StartupRetryDelay(int? retryAfterMs, double random)
    {
        int after = StartupRetryAfter(retryAfterMs);
        return after + (int)(random * after / 2);
    }

    /// <summary>The gateway's "retry after" while starting, in its own client's bounds (500 ms when it names none).</summary>
    public static int StartupRetryAfter(int? retryAfterMs) => Math.Clamp(retryAfterMs ?? 500, 100, 2_000);

    /// <summary>A link that lived this long proves the gateway works: the after-accept failure count starts again.</summary>
    public const int StableLinkMs = 5_000;

    /// <param name="refusedForMs">How long connects have been refused without a break.</param>
    /// <param name="random">A draw from [0, 1).</param>
    public static int ProbeDelay(long refusedForMs, double random)
        => refusedForMs < SlowProbeAfterMs
            ? ProbeMinMs + (int)(random * (ProbeMaxMs - ProbeMinMs))
            : SlowProbeMinMs + (int)(random * (SlowProbeMaxMs - SlowProbeMinMs));

    /// <param name="failuresAfterAccept">Consecutive failures after TCP accepted, counting this one (1 for the first).</param>
    /// <param name="capMs">The longest wait (<c>Gateway:MaxBackoffMs</c>).</param>
    /// <param name="random">A draw from [0, 1).</param>
    public static int BackoffDelay(int failuresAfterAccept, int capMs, double random)
    {
        int exponent = Math.Clamp(failuresAfterAccept - 1, 0, 20);
        double step = Math.Min(capMs, BackoffBaseMs * Math.Pow(2, exponent));
        return (int)(step * (0.5 + random * 0.5));
    }

    /// <summary>The after-accept failure count once a link ends: reset by a stable link, one more for a short one.</summary>
    public static int AfterLinkLost(int failuresAfterAccept, long livedMs)
        => livedMs >= StableLinkMs ? 0 : failuresAfterAccept + 1;

    /// <summary>
    /// The wait after a link ends: a stable link's loss is a gateway restart or a network blip, so probe at
    /// once (jittered, so a fleet whose links dropped together does not arrive in one burst); a short one backs off.
    /// </summary>
    public static int AfterLinkLostDelay(int failuresAfterAccept, int capMs, double random)
        => failuresAfterAccept == 0 ? ProbeDelay(0, random) : BackoffDelay(failuresAfterAccept, capMs, random);
}
