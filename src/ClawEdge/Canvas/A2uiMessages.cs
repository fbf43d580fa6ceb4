using System.Text;
using System.Text.Json;
using ClawEdge.Host;

namespace ClawEdge.Canvas;

/// <summary>
/// Checks A2UI messages the way the gateway's canvas plugin checks JSONL (<c>validateA2UIJsonl</c>): each message an
/// object with exactly one v0.8 action key — <c>beginRendering</c>, <c>surfaceUpdate</c>, <c>dataModelUpdate</c>,
/// <c>deleteSurface</c> — whose value is an object, and no other member. The renderer this node loads is the gateway's
/// v0.8 bundle, so v0.9 messages (<c>"version":"v0.9"</c>) are refused rather than half-rendered.
/// </summary>
public static class A2uiMessages
{
    public static readonly string[] V08ActionKeys = ["beginRendering", "surfaceUpdate", "dataModelUpdate", "deleteSurface"];

    /// <summary>Largest batch handed to the renderer in one call.</summary>
    public const int MaxMessages = 1000;

    /// <summary>Validates JSONL (one message per non-empty line) and returns the messages as one JSON array.</summary>
    public static string FromJsonl(string? jsonl)
    {
        if (string.IsNullOrWhiteSpace(jsonl))
            throw Invalid("jsonl is empty: send one A2UI v0.8 message per line");
        var errors = new List<string>();
        var messages = new List<string>();
        var lines = jsonl.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i].Trim();
            if (line.Length == 0)
                continue;
            try
            {
                using var document = JsonDocument.Parse(line);
                if (Check(document.RootElement, $"line {i + 1}", errors))
                    messages.Add(line);
            }
            catch (JsonException e)
            {
                errors.Add($"line {i + 1}: {e.Message}");
            }
        }
        return Finish(messages, errors);
    }

    /// <summary>Validates a <c>messages</c> array and returns it as JSON.</summary>
    public static string FromArray(JsonElement? messages)
    {
        if (messages is not { ValueKind: JsonValueKind.Array } array)
            throw Invalid("messages must be an array of A2UI v0.8 messages");
        var errors = new List<string>();
        var accepted = new List<string>();
        int index = 0;
        foreach (var message in array.EnumerateArray())
        {
            if (Check(message, $"message {index}", errors))
                accepted.Add(message.GetRawText());
            index++;
        }
        return Finish(accepted, errors);
    }

    private static bool Check(JsonElement message, string where, List<string> errors)
    {
        if (message.ValueKind != JsonValueKind.Object)
        {
            errors.Add($"{where}: expected JSON object");
            return false;
        }
        if (message.TryGetProperty("version", out var version))
        {
            errors.Add(version.ValueKind == JsonValueKind.String && version.GetString() == "v0.9"
                ? $"{where}: A2UI v0.9 is not supported by this node's renderer (the gateway's v0.8 a2ui.bundle.js); send v0.8 messages without a version field"
                : $"{where}: A2UI v0.8 messages must not include a version field");
            return false;
        }
        string? action = null;
        int actions = 0;
        foreach (var member in message.EnumerateObject())
        {
            if (Array.IndexOf(V08ActionKeys, member.Name) >= 0)
            {
                action = member.Name;
                actions++;
            }
        }
        if (actions != 1)
        {
            errors.Add($"{where}: expected exactly one v0.8 action key ({string.Join(", ", V08ActionKeys)})");
            return false;
        }
        foreach (var member in message.EnumerateObject())
        {
            if (member.Name != action)
            {
                errors.Add($"{where}: unexpected top-level A2UI field '{member.Name}'");
                return false;
            }
        }
        if (message.GetProperty(action!).ValueKind != JsonValueKind.Object)
        {
            errors.Add($"{where}: action payload must be an object");
            return false;
        }
        return true;
    }

    private static string Finish(List<string> messages, List<string> errors)
    {
        if (messages.Count == 0 && errors.Count == 0)
            errors.Add("no A2UI messages found");
        if (messages.Count + errors.Count > MaxMessages)
            errors.Add($"{messages.Count + errors.Count} messages in one push; send at most {MaxMessages}");
        if (errors.Count > 0)
            throw Invalid("invalid A2UI messages:\n- " + string.Join("\n- ", errors.Take(20)));
        var json = new StringBuilder(messages.Sum(m => m.Length) + messages.Count + 2).Append('[');
        for (int i = 0; i < messages.Count; i++)
            json.Append(i == 0 ? "" : ",").Append(messages[i]);
        return json.Append(']').ToString();
    }

    private static CommandException Invalid(string reason) => new(ErrorCodes.InvalidRequest, "INVALID_REQUEST: " + reason);
}
