using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ClawEdge.Capture.Mp4;
using ClawEdge.Capture.Recording;
using ClawEdge.Gateway;
using ClawEdge.Host;
using ClawEdge.Media;

namespace ClawEdge.Tests;

/// <summary>The result frame the session streams, rebuilt in memory; compiled into both test projects.</summary>
public static class WireFrames
{
    internal static byte[] StreamedFrame(string requestId, string invokeId, Base64Payload payload, int pieceBytes = 64 * 1024)
    {
        var frame = new InvokeResultFrame(requestId, invokeId, "9f2c3a0b5e6d7c8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f", payload);
        var all = new byte[frame.Length];
        var piece = new byte[pieceBytes];
        int at = 0;
        for (int n; (n = frame.Fill(piece)) > 0; at += n)
            piece.AsSpan(0, n).CopyTo(all.AsSpan(at));
        if (at != all.Length)
            throw new InvalidOperationException($"frame gave {at} of {all.Length} bytes");
        return all;
    }

    /// <summary>The <c>payloadJSON</c> a result carries on the wire, read back from the frame the session would send.</summary>
    internal static string WirePayload(CommandResult result)
    {
        if (result.Streamed is not { } streamed)
            return result.PayloadJson!;
        var frame = JsonNode.Parse(StreamedFrame("1:x", "t", streamed))!;
        return (string)frame["params"]!["payloadJSON"]!;
    }

}
