using System.Net;
using System.Text;
using ClawEdge.Tests.Interop;

namespace ClawEdge.Tests.Media;

/// <summary>
/// A page with a <c>&lt;video&gt;</c> element and the clip behind it, on loopback HTTP: how a browser meets a clip a
/// person downloaded or an app serves, with byte ranges, which Chromium's media loader asks for.
/// </summary>
public sealed class ClipServer : IAsyncDisposable
{
    private const string Page = """<!doctype html><video src="/clip.mp4" preload="auto"></video>""";

    private readonly HttpListener _listener = new();
    private readonly byte[] _clip;
    private readonly Task _serving;

    private ClipServer(byte[] clip, int port)
    {
        _clip = clip;
        Url = $"http://127.0.0.1:{port}/";
        _listener.Prefixes.Add(Url);
        _listener.Start();
        _serving = Task.Run(ServeAsync);
    }

    public string Url { get; }

    public static ClipServer Start(byte[] clip) => new(clip, Tools.FreePort());

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try { context = await _listener.GetContextAsync(); }
            catch (Exception) when (!_listener.IsListening) { return; }
            var (request, response) = (context.Request, context.Response);
            try
            {
                if (request.Url!.AbsolutePath == "/clip.mp4")
                {
                    response.ContentType = "video/mp4";
                    response.Headers["Accept-Ranges"] = "bytes";
                    int start = 0, end = _clip.Length - 1;
                    if (request.Headers["Range"] is { } range && range.StartsWith("bytes=", StringComparison.Ordinal))
                    {
                        var parts = range[6..].Split('-');
                        start = int.Parse(parts[0]);
                        if (parts[1].Length > 0)
                            end = Math.Min(end, int.Parse(parts[1]));
                        response.StatusCode = 206;
                        response.Headers["Content-Range"] = $"bytes {start}-{end}/{_clip.Length}";
                    }
                    response.ContentLength64 = end - start + 1;
                    await response.OutputStream.WriteAsync(_clip.AsMemory(start, end - start + 1));
                }
                else
                {
                    var page = Encoding.UTF8.GetBytes(Page);
                    response.ContentType = "text/html";
                    response.ContentLength64 = page.Length;
                    await response.OutputStream.WriteAsync(page);
                }
                response.Close();
            }
            catch (Exception e) when (e is HttpListenerException or IOException or ObjectDisposedException)
            {
                // The browser dropped a range it no longer wants.
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        _listener.Close();
        await _serving;
    }
}
