using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace ClawEdge.Gateway;

/// <summary>
/// SHA-256 certificate fingerprints in the spellings the reference host accepts: 64 hex digits or 32
/// colon-separated pairs, any case, optional <c>sha256:</c> prefix. Normal form: lowercase hex, no colons.
/// </summary>
public static class TlsPin
{
    /// <summary>The normal-form fingerprint of a certificate: SHA-256 over its DER bytes.</summary>
    public static string Of(X509Certificate certificate) => Convert.ToHexStringLower(SHA256.HashData(certificate.GetRawCertData()));

    public static string? Normalize(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
            return null;
        var text = value.Trim();
        if (text.StartsWith("sha256:", StringComparison.OrdinalIgnoreCase))
            text = text[7..];
        Span<char> hex = stackalloc char[64];
        int n = 0;
        foreach (char c in text)
        {
            if (c == ':')
                continue;
            if (!char.IsAsciiHexDigit(c) || n == 64)
                return null;
            hex[n++] = char.ToLowerInvariant(c);
        }
        return n == 64 ? new string(hex) : null;
    }
}
