using System.Text.Json.Nodes;

namespace ClawEdge.Tests.Canvas;

/// <summary>A2UI on the canvas the node owns: validated like the gateway's plugin, drawn by the gateway's own renderer.</summary>
[NotInParallel(nameof(CanvasInteropTests))]
[ClassDataSource<CanvasNodeFixture>(Shared = SharedType.Keyed, Key = "canvas-node")]
public class CanvasA2uiTests(CanvasNodeFixture fx)
{
    [Test]
    public async Task PushJSONL_renders_text_and_a_button_with_the_gateway_renderer()
    {
        await fx.InvokeAsync("canvas.hide", "{}");
        var black = await fx.ScreenPixelAsync(CanvasNodeFixture.Width / 2, CanvasNodeFixture.Height - 40);

        var jsonl = new JsonObject { ["jsonl"] = A2uiSamples.BoardJsonl };
        var (code, payload, output) = await fx.InvokeAsync("canvas.a2ui.pushJSONL", jsonl.ToJsonString());
        await Assert.That(code).IsEqualTo(0).Because(output);
        await Assert.That((bool)payload!["ok"]!).IsTrue();
        await Assert.That(string.Join(",", payload["surfaces"]!.AsArray().Select(s => (string?)s))).IsEqualTo("main");

        (code, payload, output) = await fx.InvokeAsync("canvas.eval", new JsonObject { ["javaScript"] = A2uiSamples.DeepTextScript }.ToJsonString());
        await Assert.That(code).IsEqualTo(0).Because(output);
        string text = (string)payload!["result"]!;
        await Assert.That(text).Contains("Lobby board");
        await Assert.That(text).Contains("Check in");
        (code, payload, output) = await fx.InvokeAsync("canvas.eval", new JsonObject { ["javaScript"] = A2uiSamples.ButtonCentreScript }.ToJsonString());
        await Assert.That((string)payload!["result"]!).StartsWith("[");

        // The screen changed from the hidden canvas's black to the renderer's page.
        var shown = await fx.ScreenPixelAsync(CanvasNodeFixture.Width / 2, CanvasNodeFixture.Height - 40);
        await Assert.That(shown.R + shown.G + shown.B).IsGreaterThan(black.R + black.G + black.B + 300).Because($"{black} → {shown}");

        (code, payload, output) = await fx.InvokeAsync("canvas.a2ui.reset", "{}");
        await Assert.That(code).IsEqualTo(0).Because(output);
        (code, payload, _) = await fx.InvokeAsync("canvas.eval", new JsonObject { ["javaScript"] = A2uiSamples.DeepTextScript }.ToJsonString());
        await Assert.That((string)payload!["result"]!).DoesNotContain("Lobby board");

        // The array form renders the same surface again.
        var messages = new JsonArray(A2uiSamples.BoardJsonl.Split('\n').Select(l => JsonNode.Parse(l)).ToArray());
        (code, payload, output) = await fx.InvokeAsync("canvas.a2ui.push", new JsonObject { ["messages"] = messages }.ToJsonString());
        await Assert.That(code).IsEqualTo(0).Because(output);
        (_, payload, _) = await fx.InvokeAsync("canvas.eval", new JsonObject { ["javaScript"] = A2uiSamples.DeepTextScript }.ToJsonString());
        await Assert.That((string)payload!["result"]!).Contains("Lobby board");
    }

    [Test]
    [Arguments(A2uiSamples.V09Line, "A2UI v0.9 is not supported")]
    [Arguments("""{"surfaceUpdate":{"surfaceId":"a","components":[]},"deleteSurface":{"surfaceId":"a"}}""", "expected exactly one v0.8 action key")]
    [Arguments("""{"beginRendering":{"surfaceId":"a","root":"r"},"extra":1}""", "unexpected top-level A2UI field")]
    [Arguments("""{"deleteSurface":"a"}""", "action payload must be an object")]
    [Arguments("not json", "line 1:")]
    public async Task Invalid_lines_are_refused_like_the_gateway_plugin_refuses_them(string line, string reason)
    {
        var (code, _, output) = await fx.InvokeAsync("canvas.a2ui.pushJSONL", new JsonObject { ["jsonl"] = line }.ToJsonString());
        await Assert.That(code).IsNotEqualTo(0);
        await Assert.That(output).Contains("INVALID_REQUEST");
        await Assert.That(output).Contains(reason);
        await Assert.That(await fx.NodeAnswersAsync()).IsTrue();
    }
}
