using ClawEdge.Host;

namespace ClawEdge.Canvas;

/// <summary>
/// What the canvas may show: http(s) pages, and files under <c>Canvas:FilesDirectory</c> (as <c>file://</c> URLs or
/// plain paths, relative ones resolved in that directory). Everything else — <c>javascript:</c>, <c>chrome:</c>,
/// <c>devtools:</c>, <c>data:</c>, files elsewhere, symlinks out of the directory — is an <c>INVALID_REQUEST</c> with the reason.
/// </summary>
public static class CanvasUrlPolicy
{
    /// <summary>Longer URLs are refused before they reach the browser (Chromium itself takes up to 2 MB).</summary>
    public const int MaxUrlLength = 16 * 1024;

    /// <summary>The URL to load, or throws <see cref="CommandException"/> with <c>INVALID_REQUEST</c>.</summary>
    public static string Check(string? url, string? filesDirectory)
    {
        if (string.IsNullOrWhiteSpace(url))
            throw Invalid("url is empty: give an http(s) URL or a file under Canvas:FilesDirectory");
        if (url.Length > MaxUrlLength)
            throw Invalid($"url is {url.Length} characters; the canvas takes at most {MaxUrlLength}. Host the content and pass its address");
        url = url.Trim();
        if (url.Any(char.IsControl))
            throw Invalid("url contains control characters");

        int colon = url.IndexOf(':');
        bool hasScheme = colon > 1 && url[..colon].All(c => char.IsAsciiLetterOrDigit(c) || c is '+' or '-' or '.');
        if (!hasScheme)
            return FileUrl(url, filesDirectory);

        string scheme = url[..colon].ToLowerInvariant();
        switch (scheme)
        {
            case "http":
            case "https":
                if (!Uri.TryCreate(url, UriKind.Absolute, out var web) || string.IsNullOrEmpty(web.Host))
                    throw Invalid($"'{Shorten(url)}' is not a valid {scheme} URL");
                return web.AbsoluteUri;
            case "file":
                if (!Uri.TryCreate(url, UriKind.Absolute, out var file) || !file.IsFile || !string.IsNullOrEmpty(file.Host))
                    throw Invalid($"'{Shorten(url)}' is not a local file URL");
                return FileUrl(file.LocalPath, filesDirectory);
            default:
                throw Invalid($"{scheme}: URLs are not allowed on the canvas; it shows http(s) pages and files under Canvas:FilesDirectory");
        }
    }

    private static string FileUrl(string path, string? filesDirectory)
    {
        if (string.IsNullOrEmpty(filesDirectory))
            throw Invalid($"'{Shorten(path)}' is a file, and file URLs are off on this node: set Canvas:FilesDirectory to the directory the canvas may show");
        string? root = ClawEdge.Platform.Native.Libc.CanonicalPath(filesDirectory);
        if (root is null)
            throw Invalid($"Canvas:FilesDirectory {filesDirectory} does not exist");
        string full = Path.GetFullPath(path, root);
        // Symlinks are resolved before the check: a link inside the directory must not lead out of it.
        string? real = ClawEdge.Platform.Native.Libc.CanonicalPath(full);
        if (real is null)
            throw Invalid($"{full} does not exist");
        if (!real.StartsWith(root.EndsWith('/') ? root : root + "/", StringComparison.Ordinal))
            throw Invalid($"{full} is outside Canvas:FilesDirectory ({root}); only files under it may be shown");
        if (Directory.Exists(real))
            throw Invalid($"{full} is a directory; name a file in it");
        return new Uri(real).AbsoluteUri;
    }

    private static string Shorten(string text) => text.Length <= 80 ? text : text[..77] + "...";

    private static CommandException Invalid(string reason) => new(ErrorCodes.InvalidRequest, "INVALID_REQUEST: " + reason);
}
