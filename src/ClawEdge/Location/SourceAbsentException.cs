namespace ClawEdge.Location;

/// <summary>
/// A source that is not there at all (nothing listens, no bus, no service): <c>auto</c> moves on to the next
/// source, an explicitly chosen one answers <c>LOCATION_UNAVAILABLE</c> with <see cref="Exception.Message"/>.
/// </summary>
public sealed class SourceAbsentException(string message) : Exception(message);
