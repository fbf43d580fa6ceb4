using System.Text.Json;
using ClawEdge.Gateway;
using ClawEdge.State;

namespace ClawEdge.Tests.Gateway;

/// <summary>The signed payload, checked against frames the reference node host really sent (shared/protocol/traces).</summary>
public class SignatureTests
{
    [Test]
    public async Task Reference_node_signature_verifies_against_our_v3_payload()
    {
        // The first connect of the TS node host in trace 01, with the challenge that preceded it.
        var lines = File.ReadAllLines(Fixtures.Trace("01-node-connect-handshake.jsonl"));
        var challenge = JsonDocument.Parse(lines[1]).RootElement.GetProperty("frame").GetProperty("payload");
        var connect = JsonDocument.Parse(lines[2]).RootElement.GetProperty("frame").GetProperty("params");
        var device = connect.GetProperty("device");
        string token = connect.GetProperty("auth").GetProperty("token").GetString()!;
        string deviceId = device.GetProperty("id").GetString()!;

        string payload = GatewayProtocol.SignaturePayloadV3(deviceId, challenge.GetProperty("ts").GetInt64(), token, challenge.GetProperty("nonce").GetString()!);

        var publicKey = Base64Url.Decode(device.GetProperty("publicKey").GetString()!);
        var signature = Base64Url.Decode(device.GetProperty("signature").GetString()!);
        await Assert.That(DeviceIdentity.Verify(publicKey, payload, signature)).IsTrue();
        await Assert.That(DeviceIdentity.Verify(publicKey, payload.Replace("|linux|linux", "|linux|mac"), signature)).IsFalse();
    }

    [Test]
    public async Task Device_id_is_sha256_of_the_raw_public_key()
    {
        var identity = new DeviceIdentity(new byte[32]);
        var expected = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(identity.PublicKey));
        await Assert.That(identity.DeviceId).IsEqualTo(expected);
        await Assert.That(identity.PublicKeyBase64Url.Length).IsEqualTo(43);
        var signature = Base64Url.Decode(identity.SignBase64Url("hello"));
        await Assert.That(signature.Length).IsEqualTo(64);
        await Assert.That(DeviceIdentity.Verify(identity.PublicKey, "hello", signature)).IsTrue();
    }
}
