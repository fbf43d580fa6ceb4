namespace ClawEdge.Capture.Native;

/// <summary>
/// A native library the node can run without (libx264, libturbojpeg, libasound, libopus): loaded at the first use, once, and the
/// reason it is missing kept for every later caller, doctor and results alike.
/// </summary>
internal sealed class OptionalLibrary(Func<string?> load)
{
    private readonly Lock _gate = new();
    private bool _tried;
    private string? _error;

    /// <summary>True once <c>load</c> returned null; otherwise false with the reason it returned.</summary>
    public bool TryLoad(out string? error)
    {
        lock (_gate)
        {
            if (!_tried)
            {
                _tried = true;
                _error = load();
            }
            error = _error;
            return _error is null;
        }
    }
}
