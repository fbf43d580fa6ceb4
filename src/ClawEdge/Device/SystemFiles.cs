using System.Globalization;

namespace ClawEdge.Device;

/// <summary>
/// Reads <c>/proc</c>, <c>/sys</c> and <c>/etc</c> under a root directory: <c>/</c> on a device, a prepared tree
/// in tests (a Pi's files without a Pi). Every read is tolerant: a missing or unreadable file is null.
/// </summary>
public sealed class SystemFiles(string root = "/")
{
    public string Root { get; } = root;

    public string PathOf(string path) => System.IO.Path.Join(Root, path.TrimStart('/'));

    /// <summary>The file's text without trailing NULs and whitespace (device-tree strings end in NUL); null when absent or empty.</summary>
    public string? Text(string path)
    {
        try
        {
            string text = File.ReadAllText(PathOf(path)).TrimEnd('\0', '\n', '\r', ' ', '\t');
            return text.Length > 0 ? text : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    public long? Integer(string path) =>
        long.TryParse(Text(path), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long value) ? value : null;

    public IEnumerable<string> Entries(string directory)
    {
        try
        {
            return Directory.EnumerateFileSystemEntries(PathOf(directory)).Select(p => System.IO.Path.GetFileName(p)).Order(StringComparer.Ordinal).ToArray();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    public bool Exists(string path) => File.Exists(PathOf(path)) || Directory.Exists(PathOf(path));
}
