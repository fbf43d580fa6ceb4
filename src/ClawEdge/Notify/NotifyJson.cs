using System.Text.Json.Serialization;

namespace ClawEdge.Notify;

public sealed class SystemNotifyParams
{
    public string? Title { get; set; }
    public string? Body { get; set; }
    public string? Sound { get; set; }
    public string? Priority { get; set; }
    public string? Delivery { get; set; }
}

public sealed class SystemNotifyResult
{
    public bool Ok { get; init; } = true;

    /// <summary><c>desktop</c> (a freedesktop notification was shown) or <c>log</c> (headless: a journal line).</summary>
    public required string Delivered { get; init; }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(SystemNotifyParams))]
[JsonSerializable(typeof(SystemNotifyResult))]
internal sealed partial class NotifyJsonContext : JsonSerializerContext;
