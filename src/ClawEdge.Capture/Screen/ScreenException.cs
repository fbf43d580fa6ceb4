namespace ClawEdge.Capture.Screen;

public enum ScreenError
{
    /// <summary>No display server we can read (no X, no libX11, connection refused).</summary>
    Unavailable,

    /// <summary>The requested screen index does not exist.</summary>
    NoSuchScreen,

    /// <summary>The display server went away during a recording.</summary>
    Lost,
}

public sealed class ScreenException(ScreenError error, string message) : Exception(message)
{
    public ScreenError Error { get; } = error;
}
