using System.Text.Json;
using System.Text.Json.Serialization;

namespace ClawEdge.Exec;

/// <summary><c>system.run</c> / <c>system.run.prepare</c> params: the keys the gateway forwards (NODE-PROTOCOL §9.1–9.2).</summary>
public sealed class SystemRunParams
{
    public string[]? Command { get; set; }
    public string? RawCommand { get; set; }
    public JsonElement? SystemRunPlan { get; set; }
    public string? Cwd { get; set; }
    public Dictionary<string, string>? Env { get; set; }

    /// <summary>A double so that 0, negative and absurdly large values all parse; clamped by the handler.</summary>
    public double? TimeoutMs { get; set; }

    public bool? NeedsScreenRecording { get; set; }
    public string? AgentId { get; set; }
    public string? SessionKey { get; set; }
    public string? RunId { get; set; }
    public bool? SuppressNotifyOnExit { get; set; }
    public bool? Approved { get; set; }
    public string? ApprovalDecision { get; set; }
    public string? ApprovalSource { get; set; }

    // system.run.prepare only
    public string? Security { get; set; }
    public string? Ask { get; set; }
}

/// <summary>The plan <c>system.run.prepare</c> returns and an approved <c>system.run</c> carries back.</summary>
public sealed class SystemRunPlan
{
    public string[]? Argv { get; set; }
    public string? Cwd { get; set; }
    public string? CommandText { get; set; }
    public string? CommandPreview { get; set; }
    public string? AgentId { get; set; }
    public string? SessionKey { get; set; }

    /// <summary>The file the approval is bound to (the reference's field): the script operand, else the program (argvIndex 0).</summary>
    public SystemRunFileOperand? MutableFileOperand { get; set; }
}

/// <summary><c>mutableFileOperand</c>: which argv entry names the file, its absolute path and its content's SHA-256 at prepare.</summary>
public sealed class SystemRunFileOperand
{
    public int ArgvIndex { get; set; }
    public string Path { get; set; } = "";
    public string Sha256 { get; set; } = "";
}

public sealed class SystemRunPrepareResult
{
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public required SystemRunPlan Plan { get; init; }

    public required ExecPolicyView ExecPolicy { get; init; }
}

public sealed class ExecPolicyView
{
    public required string Security { get; init; }
    public required string Ask { get; init; }
}

/// <summary>The result body; <c>exitCode</c> is absent when the child died of a signal or never started, as on the reference host.</summary>
public sealed class SystemRunResult
{
    public int? ExitCode { get; init; }
    public bool TimedOut { get; init; }
    public bool Success { get; init; }
    public string Stdout { get; init; } = "";
    public string Stderr { get; init; } = "";

    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public string? Error { get; init; }
}

/// <summary><c>exec.finished</c> / <c>exec.denied</c> node.event payloads.</summary>
public sealed class ExecEventPayload
{
    public required string SessionKey { get; init; }
    public required string RunId { get; init; }
    public string Host { get; init; } = "node";
    public required string Command { get; init; }
    public int? ExitCode { get; init; }
    public bool? TimedOut { get; init; }
    public bool? Success { get; init; }
    public string? Output { get; init; }
    public string? Reason { get; init; }
    public bool SuppressNotifyOnExit { get; init; }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(SystemRunParams))]
[JsonSerializable(typeof(SystemRunPlan))]
[JsonSerializable(typeof(SystemRunFileOperand))]
[JsonSerializable(typeof(SystemRunPrepareResult))]
[JsonSerializable(typeof(SystemRunResult))]
[JsonSerializable(typeof(ExecEventPayload))]
internal sealed partial class SystemRunJsonContext : JsonSerializerContext;
