namespace ClawEdge.Location;

/// <summary>The caller's <c>desiredAccuracy</c>.</summary>
public enum LocationAccuracy
{
    Coarse,
    Balanced,
    Precise,
}
