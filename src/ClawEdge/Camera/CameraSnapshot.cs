using ClawEdge.Capture;

namespace ClawEdge.Camera;

/// <summary>A JPEG taken from a camera: the bytes are the only copy (passthrough or encoder output).</summary>
public sealed record CameraSnapshot(byte[] Jpeg, int Width, int Height, bool Passthrough, PixelFormat SourceFormat, int SourceWidth, int SourceHeight, int Attempts);
