using System.Text.Json;
using ClawEdge.Canvas;
using ClawEdge.Host;

namespace ClawEdge.Tests.Canvas;

public class A2uiMessagesTests
{
    [Test]
    public async Task Valid_jsonl_becomes_one_array_in_order_and_blank_lines_are_skipped()
    {
        string json = A2uiMessages.FromJsonl(A2uiSamples.BoardJsonl + "\n\n  \r\n");
        using var document = JsonDocument.Parse(json);
        await Assert.That(document.RootElement.GetArrayLength()).IsEqualTo(2);
        await Assert.That(document.RootElement[0].TryGetProperty("surfaceUpdate", out _)).IsTrue();
        await Assert.That(document.RootElement[1].TryGetProperty("beginRendering", out _)).IsTrue();
    }

    [Test]
    public async Task Every_bad_line_is_named_in_one_error()
    {
        string jsonl = string.Join('\n', A2uiSamples.V09Line, """{"deleteSurface":{"surfaceId":"a"}}""", """{"version":"v0.8","deleteSurface":{}}""", "[1]", "{");
        var e = Assert.Throws<CommandException>(() => A2uiMessages.FromJsonl(jsonl));
        await Assert.That(e.Code).IsEqualTo(ErrorCodes.InvalidRequest);
        await Assert.That(e.Message).Contains("line 1: A2UI v0.9 is not supported");
        await Assert.That(e.Message).DoesNotContain("line 2");
        await Assert.That(e.Message).Contains("line 3: A2UI v0.8 messages must not include a version field");
        await Assert.That(e.Message).Contains("line 4: expected JSON object");
        await Assert.That(e.Message).Contains("line 5:");
    }

    [Test]
    [Arguments("")]
    [Arguments("\n  \n")]
    public async Task Empty_input_is_refused(string jsonl)
    {
        var e = Assert.Throws<CommandException>(() => A2uiMessages.FromJsonl(jsonl));
        await Assert.That(e.Message).Contains("empty");
    }

    [Test]
    public async Task The_array_form_is_checked_the_same_way()
    {
        using var good = JsonDocument.Parse("""[{"deleteSurface":{"surfaceId":"a"}}]""");
        await Assert.That(A2uiMessages.FromArray(good.RootElement)).IsEqualTo("""[{"deleteSurface":{"surfaceId":"a"}}]""");
        using var bad = JsonDocument.Parse("""[{"beginRendering":{"surfaceId":"a","root":"r"},"surfaceUpdate":{}}]""");
        var e = Assert.Throws<CommandException>(() => A2uiMessages.FromArray(bad.RootElement));
        await Assert.That(e.Message).Contains("message 0: expected exactly one v0.8 action key");
        using var notArray = JsonDocument.Parse("""{"x":1}""");
        await Assert.That(Assert.Throws<CommandException>(() => A2uiMessages.FromArray(notArray.RootElement)).Message).Contains("must be an array");
        await Assert.That(Assert.Throws<CommandException>(() => A2uiMessages.FromArray(null)).Message).Contains("must be an array");
    }
}
