using System.Text.Json;
using System.Text.Json.Serialization;

namespace ClawEdge.Canvas;

/// <summary><c>canvas.present</c> as the CLI, the agent's canvas tool and the widget presenter send it (<c>--target</c> arrives as <c>url</c>).</summary>
public sealed class CanvasPresentParams
{
    public string? Url { get; set; }
    public JsonElement? Placement { get; set; }
}

public sealed class CanvasNavigateParams
{
    public string? Url { get; set; }
}

public sealed class CanvasEvalParams
{
    public string? JavaScript { get; set; }
}

/// <summary>Numbers stay raw: a non-number falls back to the default, as the media commands do.</summary>
public sealed class CanvasSnapshotParams
{
    public JsonElement? Format { get; set; }
    public JsonElement? MaxWidth { get; set; }
    public JsonElement? Quality { get; set; }
}

public sealed class A2uiPushParams
{
    public JsonElement? Messages { get; set; }
}

public sealed class A2uiJsonlParams
{
    public string? Jsonl { get; set; }
}

public sealed class CanvasPageResult
{
    public bool Ok { get; init; } = true;
    public required string Url { get; init; }
    public required string Title { get; init; }
    public required string FinalUrl { get; init; }
}

public sealed class CanvasEvalResult
{
    public required string Result { get; init; }
}

public sealed class CanvasSnapshotResult
{
    public required string Format { get; init; }
    public required string Base64 { get; init; }
    public int Width { get; init; }
    public int Height { get; init; }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(CanvasPresentParams))]
[JsonSerializable(typeof(CanvasNavigateParams))]
[JsonSerializable(typeof(CanvasEvalParams))]
[JsonSerializable(typeof(CanvasSnapshotParams))]
[JsonSerializable(typeof(A2uiPushParams))]
[JsonSerializable(typeof(A2uiJsonlParams))]
[JsonSerializable(typeof(CanvasPageResult))]
[JsonSerializable(typeof(CanvasEvalResult))]
[JsonSerializable(typeof(CanvasSnapshotResult))]
internal sealed partial class CanvasJsonContext : JsonSerializerContext;
