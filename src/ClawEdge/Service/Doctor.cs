using System.Runtime.InteropServices;
using ClawEdge.Config;
using ClawEdge.Gateway;
using ClawEdge.Platform.Native;
using ClawEdge.State;

namespace ClawEdge.Service;

public enum CheckStatus
{
    Ok,
    Warn,
    Fail,
}

/// <summary>One line of <c>clawedge doctor</c>: what was checked, how it stands, and what to do about it.</summary>
public sealed record DoctorCheck(CheckStatus Status, string Name, string Detail, string? Fix = null)
{
    public override string ToString()
    {
        string tag = Status switch { CheckStatus.Ok => "ok  ", CheckStatus.Warn => "warn", _ => "FAIL" };
        return Fix is null ? $"{tag}  {Name,-12} {Detail}" : $"{tag}  {Name,-12} {Detail}\n{"",18}fix: {Fix}";
    }
}

/// <summary>
/// The checks behind <c>clawedge doctor</c>. Each reads only: doctor never creates the state directory,
/// an identity or a pin, and it reaches the gateway only as far as its <c>connect.challenge</c>, which
/// arrives before any credential is sent.
/// </summary>
public static class Doctor
{
    private const UnixFileMode GroupOrOther = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
        | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    public static IEnumerable<DoctorCheck> StateDirectory(string directory)
    {
        if (!Directory.Exists(directory))
        {
            yield return new(CheckStatus.Warn, "state", $"{directory} does not exist yet", "it is created (0700) by the first `clawedge run`; under systemd StateDirectory= creates it");
            yield break;
        }
        var mode = File.GetUnixFileMode(directory);
        uint owner = Libc.StatOwner(directory);
        uint uid = Libc.GetUid();
        if (owner != uid && uid != 0)
            yield return new(CheckStatus.Fail, "state", $"{directory} belongs to uid {owner}, this is uid {uid}", $"chown -R {uid} {directory} (or run doctor as the service user: sudo -u clawedge clawedge doctor)");
        else if ((mode & GroupOrOther) != 0)
            yield return new(CheckStatus.Fail, "state", $"{directory} is {Octal(mode)}: others can read the device identity", $"chmod 700 {directory}");
        else
            yield return new(CheckStatus.Ok, "state", $"{directory} (0700, uid {owner})");

        foreach (var file in Directory.EnumerateFiles(directory))
        {
            var fileMode = File.GetUnixFileMode(file);
            if ((fileMode & GroupOrOther) != 0)
                yield return new(CheckStatus.Fail, "state", $"{Path.GetFileName(file)} is {Octal(fileMode)}", $"chmod 600 {file}");
        }

        string probe = Path.Combine(directory, $".doctor.{Environment.ProcessId}.tmp");
        DoctorCheck? writable = null;
        try
        {
            File.WriteAllBytes(probe, [1]);
            File.Delete(probe);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            writable = new(CheckStatus.Fail, "state", $"{directory} is not writable: {e.Message}",
                "the node cannot persist its device token or approvals: make it writable (read-only root? full disk? `df -h`; under systemd StateDirectory= keeps it writable)");
        }
        if (writable is not null)
            yield return writable;
    }

    public static DoctorCheck Identity(StateStore state)
    {
        try
        {
            return state.TryLoadIdentity() is { } identity
                ? new(CheckStatus.Ok, "identity", $"device {identity.DeviceId}")
                : new(CheckStatus.Warn, "identity", "none yet", "the first `clawedge run` creates it; then approve the node on the gateway host");
        }
        catch (StateException e)
        {
            return new(CheckStatus.Fail, "identity", e.Message);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new(CheckStatus.Fail, "identity", $"cannot read it: {e.Message}", "run doctor as the service user, or fix the owner of the state directory");
        }
    }

    public static DoctorCheck Pairing(NodeFile? node, GatewayEndpoint endpoint) =>
        node?.DeviceTokens.ContainsKey(endpoint.Origin) == true
            ? new(CheckStatus.Ok, "pairing", $"device token stored for {endpoint.Origin}")
            : new(CheckStatus.Warn, "pairing", $"no device token for {endpoint.Origin}",
                "pair once: a setup code in /boot/firmware/clawedge-pair.txt, `clawedge run --pair-if-needed <code>`, or approve the request on the gateway host (openclaw devices list)");

    /// <summary>TCP, TLS (with the pin) and WebSocket up to the gateway's <c>connect.challenge</c>; no credential is sent.</summary>
    public static async Task<DoctorCheck> GatewayAsync(GatewayEndpoint endpoint, CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = await GatewayConnection.OpenAsync(endpoint, $"clawedge-doctor/{Host.ClawEdgeVersion.Current}", cancellationToken).ConfigureAwait(false);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(10));
            while (await connection.ReceiveAsync(timeout.Token).ConfigureAwait(false) is { } frame)
            {
                if (frame is { Type: "event", Event: "connect.challenge" })
                {
                    await connection.CloseAsync(System.Net.WebSockets.WebSocketCloseStatus.NormalClosure, "doctor").ConfigureAwait(false);
                    return new(CheckStatus.Ok, "gateway", $"{endpoint} answers with a connect.challenge");
                }
            }
            return new(CheckStatus.Fail, "gateway", $"{endpoint} closed before its connect.challenge", "is this an OpenClaw gateway? check Gateway:Host/Port/ContextPath");
        }
        catch (TlsPinMismatchException e)
        {
            return new(CheckStatus.Fail, "gateway", $"{endpoint} presents sha256:{e.Actual}, pinned sha256:{e.Expected}",
                "if the gateway's certificate was renewed (check on the gateway host): clawedge pin " + e.Actual);
        }
        catch (GatewayUnreachableException e)
        {
            return new(CheckStatus.Fail, "gateway", e.Message, "is the gateway running and reachable from here? (bind address, firewall, Gateway:Host/Port)");
        }
        catch (Exception e) when (e is System.Net.WebSockets.WebSocketException or OperationCanceledException or GatewayProtocolException or IOException)
        {
            return new(CheckStatus.Fail, "gateway", $"{endpoint}: no connect.challenge ({GatewayConnection.Describe(e)})", "check Gateway:ContextPath and that the port is the gateway's");
        }
    }

    /// <summary>What the gateway's certificate is against the pin <c>clawedge run</c> would use.</summary>
    public static async Task<DoctorCheck> TlsPinAsync(GatewayEndpoint endpoint, CancellationToken cancellationToken)
    {
        if (!endpoint.Tls)
            return new(endpoint.IsPlaintextSafe() ? CheckStatus.Ok : CheckStatus.Warn, "tls", $"plaintext ws:// to {endpoint.Host}",
                endpoint.IsPlaintextSafe() ? null : "the token travels in clear: use --tls (and a pin for a self-signed gateway)");
        string actual;
        try
        {
            actual = await CertificateProbe.FingerprintAsync(endpoint.Host, endpoint.Port, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or OperationCanceledException or System.Security.Authentication.AuthenticationException)
        {
            return new(CheckStatus.Fail, "tls", $"no TLS handshake with {endpoint.Host}:{endpoint.Port}: {GatewayConnection.Describe(e)}");
        }
        if (endpoint.TlsFingerprint is null)
            return new(CheckStatus.Ok, "tls", $"CA-verified; the gateway presents sha256:{actual}");
        return actual == endpoint.TlsFingerprint
            ? new(CheckStatus.Ok, "tls", $"pin sha256:{actual[..16]}… matches")
            : new(CheckStatus.Fail, "tls", $"the gateway presents sha256:{actual}, the pin is sha256:{endpoint.TlsFingerprint}",
                $"after checking the new certificate on the gateway host: clawedge pin {actual}");
    }

    public static DoctorCheck Clock(DateTimeOffset now, bool synchronized)
    {
        if (now.Year < 2024)
            return new(CheckStatus.Fail, "clock", $"{now:u}: the clock is not set",
                "a Pi has no RTC: wait for NTP (timedatectl; systemd-timesyncd), or add an RTC; TLS certificates and setup-code expiry need the real time");
        return synchronized
            ? new(CheckStatus.Ok, "clock", $"{now:u}, NTP-synchronized")
            : new(CheckStatus.Ok, "clock", $"{now:u} (NTP sync not confirmed)");
    }

    /// <summary>Loads libSkiaSharp (embedded: memfd or a private file) and encodes a 1×1 JPEG: what camera and screen commands need.</summary>
    public static DoctorCheck Skia()
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        try
        {
            using var bitmap = new SkiaSharp.SKBitmap(new SkiaSharp.SKImageInfo(1, 1));
            using var jpeg = bitmap.Encode(SkiaSharp.SKEncodedImageFormat.Jpeg, 80);
            if (jpeg is null || jpeg.Size == 0)
                return new(CheckStatus.Fail, "skia", "libSkiaSharp loaded but cannot encode JPEG");
            return new(CheckStatus.Ok, "skia", $"libSkiaSharp from {Capture.Native.SkiaLibrary.Source}, loaded and encoding in {clock.ElapsedMilliseconds} ms");
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException or BadImageFormatException)
        {
            return new(CheckStatus.Fail, "skia", e.Message, "JPEG encoding (camera, screen) is unavailable: is libstdc++6 installed? a noexec /dev/shm and /tmp with vm.memfd_noexec=2 leave no place to load it from");
        }
    }

    internal static string Octal(UnixFileMode mode) => Convert.ToString((int)mode, 8).PadLeft(4, '0');
}
