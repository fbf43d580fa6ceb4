using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ClawEdge.Host;

namespace ClawEdge.Exec;

/// <summary>
/// <c>system.execApprovals.get</c>: the stored document with its hash, in the closed result shape the
/// gateway validates (<c>path</c>, <c>exists</c>, <c>hash</c>, <c>file</c>, optional <c>resolvedDefaults</c>).
/// With no file it shows what is enforced (allowlist mode, nothing allowed) with <c>exists:false</c>;
/// <c>resolvedDefaults</c> is always included.
/// </summary>
public sealed class SystemExecApprovalsGetCommand(ExecApprovalsStore approvals) : NodeCommand
{
    public override string Name => "system.execApprovals.get";
    public override string Capability => "system";

    public override Task<CommandResult> InvokeAsync(InvokeContext context, CancellationToken cancellationToken)
    {
        if (!string.IsNullOrEmpty(context.ParamsJson) && context.ParamsJson != "null")
        {
            JsonNode? node;
            try
            {
                node = JsonNode.Parse(context.ParamsJson);
            }
            catch (JsonException e)
            {
                throw new CommandException(ErrorCodes.InvalidRequest, $"invalid params: {e.Message}");
            }
            if (node is not JsonObject obj || (obj["includeResolvedDefaults"] is { } flag && flag.GetValueKind() is not (JsonValueKind.True or JsonValueKind.False)))
                throw new CommandException(ErrorCodes.InvalidRequest, "INVALID_REQUEST: includeResolvedDefaults must be boolean");
        }
        var snapshot = approvals.Read();
        // includeResolvedDefaults is checked above but the defaults are always sent (the gateway asks only macOS app
        // nodes for them): our built-in security is allowlist, not the reference's full, and without them
        // `openclaw approvals get --node` cannot show the effective policy.
        return Task.FromResult(CommandResult.Success(SnapshotJson.Write(snapshot, includeResolvedDefaults: true)));
    }
}

/// <summary>
/// <c>system.execApprovals.set</c>: replaces the document when <c>baseHash</c> names the current one (the
/// reference host's compare-and-swap, same messages), normalizes it (ids on allowlist entries) and answers
/// like <c>get</c>.
/// </summary>
public sealed class SystemExecApprovalsSetCommand(ExecApprovalsStore approvals) : NodeCommand
{
    public override string Name => "system.execApprovals.set";
    public override string Capability => "system";

    public override Task<CommandResult> InvokeAsync(InvokeContext context, CancellationToken cancellationToken)
    {
        JsonObject parameters;
        try
        {
            parameters = JsonNode.Parse(context.ParamsJson ?? "null") as JsonObject ?? throw new CommandException(ErrorCodes.InvalidRequest, "INVALID_REQUEST: exec approvals file required");
        }
        catch (JsonException e)
        {
            throw new CommandException(ErrorCodes.InvalidRequest, $"invalid params: {e.Message}");
        }
        if (parameters["file"] is not JsonObject file)
            throw new CommandException(ErrorCodes.InvalidRequest, "INVALID_REQUEST: exec approvals file required");
        ExecApprovalsDocument document;
        try
        {
            document = ExecApprovalsDocument.FromNode(file);
        }
        catch (ExecApprovalsFormatException e)
        {
            throw new CommandException(ErrorCodes.InvalidRequest, $"INVALID_REQUEST: invalid exec approvals file: {e.Message}");
        }
        string? baseHash = parameters["baseHash"] is JsonValue v && v.TryGetValue(out string? s) ? s : null;
        try
        {
            var next = approvals.Replace(document, baseHash);
            return Task.FromResult(CommandResult.Success(SnapshotJson.Write(next, includeResolvedDefaults: false)));
        }
        catch (ExecApprovalsConflictException e)
        {
            throw new CommandException(ErrorCodes.InvalidRequest, e.Message);
        }
        catch (IOException e)
        {
            throw new CommandException(ErrorCodes.Unavailable, $"cannot write {approvals.FilePath}: {e.Message}");
        }
    }
}

public static class SnapshotJson
{
    public static string Write(ExecApprovalsSnapshot snapshot, bool includeResolvedDefaults)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("path", snapshot.Path);
            writer.WriteBoolean("exists", snapshot.Exists);
            writer.WriteString("hash", snapshot.Hash);
            writer.WritePropertyName("file");
            snapshot.Document.Write(writer);
            if (includeResolvedDefaults)
            {
                writer.WriteStartObject("resolvedDefaults");
                writer.WriteString("security", snapshot.Document.Defaults.Security ?? EffectiveExecPolicy.BuiltInSecurity);
                writer.WriteString("ask", snapshot.Document.Defaults.Ask ?? "off");
                writer.WriteString("askFallback", snapshot.Document.Defaults.AskFallback ?? "deny");
                writer.WriteBoolean("autoAllowSkills", snapshot.Document.Defaults.AutoAllowSkills ?? false);
                writer.WriteEndObject();
            }
            writer.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }
}
