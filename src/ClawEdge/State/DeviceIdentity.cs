using System.Security.Cryptography;
using System.Text;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;

namespace ClawEdge.State;

/// <summary>
/// The node's Ed25519 device identity. The gateway knows the device by <see cref="DeviceId"/>, the hex
/// SHA-256 of the raw public key, so losing the seed means a new device and a new pairing: it is kept
/// in the state directory and never regenerated while the file exists.
/// </summary>
public sealed class DeviceIdentity
{
    private readonly Ed25519PrivateKeyParameters _privateKey;

    public DeviceIdentity(ReadOnlySpan<byte> seed)
    {
        if (seed.Length != 32)
            throw new ArgumentException("an Ed25519 seed is 32 bytes", nameof(seed));
        _privateKey = new Ed25519PrivateKeyParameters(seed);
        PublicKey = _privateKey.GeneratePublicKey().GetEncoded();
        DeviceId = Convert.ToHexStringLower(SHA256.HashData(PublicKey));
    }

    public static DeviceIdentity Generate() => new(RandomNumberGenerator.GetBytes(32));

    public byte[] PublicKey { get; }
    public string DeviceId { get; }
    public string PublicKeyBase64Url => Base64Url.Encode(PublicKey);

    internal byte[] Seed => _privateKey.GetEncoded();

    public string SignBase64Url(string payload)
    {
        var signer = new Ed25519Signer();
        signer.Init(forSigning: true, _privateKey);
        var bytes = Encoding.UTF8.GetBytes(payload);
        signer.BlockUpdate(bytes, 0, bytes.Length);
        return Base64Url.Encode(signer.GenerateSignature());
    }

    public static bool Verify(ReadOnlySpan<byte> publicKey, string payload, ReadOnlySpan<byte> signature)
    {
        var verifier = new Ed25519Signer();
        verifier.Init(forSigning: false, new Ed25519PublicKeyParameters(publicKey));
        var bytes = Encoding.UTF8.GetBytes(payload);
        verifier.BlockUpdate(bytes, 0, bytes.Length);
        return verifier.VerifySignature(signature.ToArray());
    }
}

/// <summary>RFC 4648 §5 base64url without padding, as the gateway's device fields use it.</summary>
public static class Base64Url
{
    public static string Encode(ReadOnlySpan<byte> data) => System.Buffers.Text.Base64Url.EncodeToString(data);

    public static byte[] Decode(string text) => System.Buffers.Text.Base64Url.DecodeFromChars(text);
}
