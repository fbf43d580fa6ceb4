using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ClawEdge.Exec;

/// <summary>
/// The exec-approvals document in the reference format (<c>docs/tools/exec-approvals.md</c>): version 1,
/// <c>defaults</c>, <c>agents</c> keyed by agent id or <c>*</c>, each with policy fields and an allowlist.
/// Parsed from a <see cref="JsonNode"/> (no reflection) and written by hand so the stored text — whose
/// SHA-256 is the concurrency hash — is stable. Objects are closed: an unknown key is an error, never
/// silently dropped, so a typo in a hand-edited file fails closed instead of loosening anything.
/// </summary>
public sealed class ExecApprovalsDocument
{
    public static readonly string[] SecurityValues = ["deny", "allowlist", "full"];
    public static readonly string[] AskValues = ["off", "on-miss", "always"];

    public ExecPolicyFields Defaults { get; set; } = new();

    /// <summary>Agent sections in file order.</summary>
    public List<AgentApprovals> Agents { get; } = [];

    public AgentApprovals? Agent(string id) => Agents.Find(a => a.Id == id);

    public AgentApprovals GetOrAddAgent(string id)
    {
        if (Agent(id) is { } existing)
            return existing;
        var added = new AgentApprovals { Id = id };
        Agents.Add(added);
        return added;
    }

    /// <summary>What a node with no file enforces: allowlist mode, nothing allowed, no prompts (there is no UI).</summary>
    public static ExecApprovalsDocument CreateDefault() => new()
    {
        Defaults = new ExecPolicyFields { Security = "allowlist", Ask = "off", AskFallback = "deny" },
    };

    public static ExecApprovalsDocument Parse(string text)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(text, documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException e)
        {
            throw new ExecApprovalsFormatException($"not valid JSON: {e.Message}");
        }
        return FromNode(root);
    }

    public static ExecApprovalsDocument FromNode(JsonNode? root)
    {
        if (root is not JsonObject obj)
            throw new ExecApprovalsFormatException("the document must be a JSON object");
        var document = new ExecApprovalsDocument();
        bool sawVersion = false;
        foreach (var (key, value) in obj)
        {
            switch (key)
            {
                case "version":
                    if (value is not JsonValue v || !v.TryGetValue(out int version) || version != 1)
                        throw new ExecApprovalsFormatException("version must be 1");
                    sawVersion = true;
                    break;
                case "socket":
                    break; // the reference's macOS IPC socket; ClawEdge has none and does not keep it
                case "defaults":
                    document.Defaults = ReadPolicy(value, "defaults", null);
                    break;
                case "agents":
                    if (value is null)
                        break;
                    if (value is not JsonObject agents)
                        throw new ExecApprovalsFormatException("agents must be an object");
                    foreach (var (id, section) in agents)
                    {
                        if (string.IsNullOrWhiteSpace(id))
                            throw new ExecApprovalsFormatException("agent ids must not be blank");
                        var agent = new AgentApprovals { Id = id };
                        ReadPolicy(section, $"agents.{id}", agent);
                        document.Agents.Add(agent);
                    }
                    break;
                default:
                    throw new ExecApprovalsFormatException($"unknown key \"{key}\" (allowed: version, defaults, agents)");
            }
        }
        if (!sawVersion)
            throw new ExecApprovalsFormatException("version must be 1");
        return document;
    }

    private static ExecPolicyFields ReadPolicy(JsonNode? node, string where, AgentApprovals? agent)
    {
        var fields = agent ?? new ExecPolicyFields();
        if (node is null)
            return fields;
        if (node is not JsonObject obj)
            throw new ExecApprovalsFormatException($"{where} must be an object");
        foreach (var (key, value) in obj)
        {
            switch (key)
            {
                case "security":
                    fields.Security = ReadEnum(value, $"{where}.security", SecurityValues);
                    break;
                case "ask":
                    fields.Ask = ReadEnum(value, $"{where}.ask", AskValues);
                    break;
                case "askFallback":
                    fields.AskFallback = ReadEnum(value, $"{where}.askFallback", SecurityValues);
                    break;
                case "autoAllowSkills":
                    if (value is null)
                        fields.AutoAllowSkills = null;
                    else if (value is JsonValue b && b.TryGetValue(out bool flag))
                        fields.AutoAllowSkills = flag;
                    else
                        throw new ExecApprovalsFormatException($"{where}.autoAllowSkills must be true or false");
                    break;
                case "strictInlineEval":
                    if (value is null)
                        fields.StrictInlineEval = null;
                    else if (value is JsonValue strict && strict.TryGetValue(out bool on))
                        fields.StrictInlineEval = on;
                    else
                        throw new ExecApprovalsFormatException($"{where}.strictInlineEval must be true or false");
                    break;
                case "allowlist" when agent is not null:
                    if (value is null)
                        break;
                    if (value is not JsonArray entries)
                        throw new ExecApprovalsFormatException($"{where}.allowlist must be an array");
                    for (int i = 0; i < entries.Count; i++)
                        agent.Allowlist.Add(AllowlistEntry.FromNode(entries[i], $"{where}.allowlist[{i}]"));
                    break;
                case "mcpTools" when agent is not null:
                    agent.McpTools = value is JsonArray tools ? (JsonArray)tools.DeepClone() : null;
                    break;
                default:
                    throw new ExecApprovalsFormatException($"unknown key \"{key}\" in {where}");
            }
        }
        return fields;
    }

    private static string? ReadEnum(JsonNode? value, string where, string[] allowed)
    {
        if (value is null)
            return null;
        if (value is JsonValue v && v.TryGetValue(out string? s) && allowed.Contains(s.Trim()))
            return s.Trim();
        throw new ExecApprovalsFormatException($"{where} must be one of {string.Join("|", allowed)}");
    }

    /// <summary>Gives every allowlist entry an id, as the reference host does on set.</summary>
    public void AssignMissingIds()
    {
        foreach (var agent in Agents)
            foreach (var entry in agent.Allowlist)
                entry.Id ??= Guid.NewGuid().ToString();
    }

    public byte[] ToUtf8(bool indented = true)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = indented, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
            Write(writer);
        if (indented)
            buffer.WriteByte((byte)'\n');
        return buffer.ToArray();
    }

    public string ToJson(bool indented = false) => Encoding.UTF8.GetString(ToUtf8(indented)).TrimEnd('\n');

    public void Write(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteNumber("version", 1);
        writer.WritePropertyName("defaults");
        WritePolicy(writer, Defaults);
        writer.WriteEndObject();
        writer.WritePropertyName("agents");
        writer.WriteStartObject();
        foreach (var agent in Agents)
        {
            writer.WritePropertyName(agent.Id);
            WritePolicy(writer, agent);
            if (agent.Allowlist.Count > 0)
            {
                writer.WriteStartArray("allowlist");
                foreach (var entry in agent.Allowlist)
                    entry.Write(writer);
                writer.WriteEndArray();
            }
            if (agent.McpTools is { } tools)
            {
                writer.WritePropertyName("mcpTools");
                tools.WriteTo(writer);
            }
            writer.WriteEndObject();
        }
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    // Leaves the object open so an agent section can add its arrays.
    private static void WritePolicy(Utf8JsonWriter writer, ExecPolicyFields fields)
    {
        writer.WriteStartObject();
        if (fields.Security is { } security) writer.WriteString("security", security);
        if (fields.Ask is { } ask) writer.WriteString("ask", ask);
        if (fields.AskFallback is { } fallback) writer.WriteString("askFallback", fallback);
        if (fields.AutoAllowSkills is { } skills) writer.WriteBoolean("autoAllowSkills", skills);
        if (fields.StrictInlineEval is { } strict) writer.WriteBoolean("strictInlineEval", strict);
    }
}

public class ExecPolicyFields
{
    public string? Security { get; set; }
    public string? Ask { get; set; }
    public string? AskFallback { get; set; }
    public bool? AutoAllowSkills { get; set; }

    /// <summary>Inline code for an interpreter (<c>python3 -c</c>) needs an explicit approval; unset means on in ClawEdge.</summary>
    public bool? StrictInlineEval { get; set; }
}

public sealed class AgentApprovals : ExecPolicyFields
{
    public required string Id { get; init; }
    public List<AllowlistEntry> Allowlist { get; } = [];

    /// <summary>Gateway-side MCP grants; kept verbatim, not used on a node.</summary>
    public JsonArray? McpTools { get; set; }
}

public sealed class AllowlistEntry
{
    public required string Pattern { get; set; }
    public string? Id { get; set; }
    public string? Source { get; set; }
    public string? ArgPattern { get; set; }
    public long? LastUsedAt { get; set; }
    public string? LastUsedCommand { get; set; }
    public string? LastResolvedPath { get; set; }

    public static AllowlistEntry FromNode(JsonNode? node, string where)
    {
        if (node is JsonValue bare && bare.TryGetValue(out string? text))
            return new AllowlistEntry { Pattern = RequirePattern(text, where) };
        if (node is not JsonObject obj)
            throw new ExecApprovalsFormatException($"{where} must be a pattern string or an object with \"pattern\"");
        string? pattern = null;
        var entry = new AllowlistEntry { Pattern = "" };
        foreach (var (key, value) in obj)
        {
            switch (key)
            {
                case "pattern": pattern = Str(value, where, key); break;
                case "id": entry.Id = Str(value, where, key); break;
                case "source": entry.Source = Str(value, where, key); break;
                case "argPattern": entry.ArgPattern = Str(value, where, key); break;
                case "lastUsedCommand": entry.LastUsedCommand = Str(value, where, key); break;
                case "lastResolvedPath": entry.LastResolvedPath = Str(value, where, key); break;
                case "commandText": break; // legacy plaintext; the reference discards it on load
                case "lastUsedAt":
                    if (value is null) break;
                    if (value is JsonValue n && n.TryGetValue(out double ms))
                        entry.LastUsedAt = (long)ms;
                    else
                        throw new ExecApprovalsFormatException($"{where}.lastUsedAt must be a number");
                    break;
                default:
                    throw new ExecApprovalsFormatException($"unknown key \"{key}\" in {where}");
            }
        }
        entry.Pattern = RequirePattern(pattern, where);
        return entry;
    }

    private static string RequirePattern(string? pattern, string where)
        => string.IsNullOrWhiteSpace(pattern) ? throw new ExecApprovalsFormatException($"{where}.pattern must be a non-empty string") : pattern.Trim();

    private static string? Str(JsonNode? value, string where, string key)
    {
        if (value is null)
            return null;
        if (value is JsonValue v && v.TryGetValue(out string? s))
            return s;
        throw new ExecApprovalsFormatException($"{where}.{key} must be a string");
    }

    public void Write(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteString("pattern", Pattern);
        if (Id is not null) writer.WriteString("id", Id);
        if (Source is not null) writer.WriteString("source", Source);
        if (ArgPattern is not null) writer.WriteString("argPattern", ArgPattern);
        if (LastUsedAt is { } at) writer.WriteNumber("lastUsedAt", at);
        if (LastUsedCommand is not null) writer.WriteString("lastUsedCommand", LastUsedCommand);
        if (LastResolvedPath is not null) writer.WriteString("lastResolvedPath", LastResolvedPath);
        writer.WriteEndObject();
    }
}

public sealed class ExecApprovalsFormatException(string message) : Exception(message);
