using ClawEdge.Capture;
using ClawEdge.Capture.Jpeg;

namespace ClawEdge.Camera;

/// <summary>A JPEG taken from a camera: the bytes are the only copy (the encoder's output buffer, or the passed-through frame's copy).</summary>
public sealed record CameraSnapshot(ReadOnlyMemory<byte> Jpeg, int Width, int Height, JpegEncoding Encoding, PixelFormat SourceFormat, int SourceWidth, int SourceHeight, int Attempts)
{
    public bool Passthrough => Encoding == JpegEncoding.Passthrough;
}
