namespace ClawEdge.Canvas;

/// <summary>The canvas browser cannot be started or reached; handlers answer <c>UNAVAILABLE</c> with this text.</summary>
public sealed class CanvasException(string message) : Exception(message);
