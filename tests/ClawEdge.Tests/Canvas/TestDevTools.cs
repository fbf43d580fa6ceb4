using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;

namespace ClawEdge.Tests.Canvas;

/// <summary>The test's own DevTools client on a browser's loopback port: it plays the person at the kiosk (clicks) and reads the page.</summary>
public sealed class TestDevTools : IAsyncDisposable
{
    private readonly ClientWebSocket _socket = new();
    private int _id;

    public static async Task<TestDevTools> ConnectToPageAsync(int port)
    {
        using var http = new HttpClient();
        var list = JsonNode.Parse(await http.GetStringAsync($"http://127.0.0.1:{port}/json/list"))!.AsArray();
        string url = (string)list.First(t => (string?)t!["type"] == "page")!["webSocketDebuggerUrl"]!;
        var client = new TestDevTools();
        await client._socket.ConnectAsync(new Uri(url), CancellationToken.None);
        return client;
    }

    public async Task<JsonNode?> SendAsync(string method, JsonObject? parameters = null)
    {
        int id = ++_id;
        var message = new JsonObject { ["id"] = id, ["method"] = method, ["params"] = parameters ?? new JsonObject() };
        await _socket.SendAsync(Encoding.UTF8.GetBytes(message.ToJsonString()), WebSocketMessageType.Text, true, CancellationToken.None);
        var buffer = new byte[1 << 20];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (true)
        {
            int length = 0;
            ValueWebSocketReceiveResult result;
            do
            {
                result = await _socket.ReceiveAsync(buffer.AsMemory(length), timeout.Token);
                length += result.Count;
            }
            while (!result.EndOfMessage);
            var reply = JsonNode.Parse(Encoding.UTF8.GetString(buffer, 0, length))!;
            if ((int?)reply["id"] == id)
                return reply["error"] is { } error ? throw new InvalidOperationException(error.ToJsonString()) : reply["result"];
        }
    }

    public async Task<JsonNode?> EvaluateAsync(string expression) =>
        (await SendAsync("Runtime.evaluate", new JsonObject { ["expression"] = expression, ["returnByValue"] = true }))?["result"]?["value"];

    /// <summary>Evaluates an expression that gives a promise and returns what it resolves to.</summary>
    public async Task<JsonNode?> EvaluatePromiseAsync(string expression)
    {
        var result = await SendAsync("Runtime.evaluate", new JsonObject
        {
            ["expression"] = expression, ["returnByValue"] = true, ["awaitPromise"] = true,
        });
        return result?["exceptionDetails"] is { } failed ? throw new InvalidOperationException(failed.ToJsonString()) : result?["result"]?["value"];
    }

    /// <summary>A left click as a person makes it: press and release at (x, y).</summary>
    public async Task ClickAsync(double x, double y)
    {
        foreach (string type in (string[])["mouseMoved", "mousePressed", "mouseReleased"])
            await SendAsync("Input.dispatchMouseEvent", new JsonObject
            {
                ["type"] = type, ["x"] = x, ["y"] = y, ["button"] = type == "mouseMoved" ? "none" : "left", ["clickCount"] = 1,
            });
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "", CancellationToken.None);
        }
        catch (WebSocketException)
        {
        }
        _socket.Dispose();
    }
}
