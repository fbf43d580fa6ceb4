using System.Text.Json;
using System.Text.Json.Serialization;
using ClawEdge.Host;
using ClawEdge.Platform;

namespace ClawEdge.Exec;

/// <summary>
/// <c>system.which</c>: resolves names through the node's PATH, like <c>which</c>. Only found names appear
/// in the result; names with a slash are skipped (they are paths, not names to look up).
/// </summary>
public sealed class SystemWhichCommand : NodeCommand
{
    public override string Name => "system.which";
    public override string Capability => "system";

    public override Task<CommandResult> InvokeAsync(InvokeContext context, CancellationToken cancellationToken)
    {
        var request = context.ReadParams(SystemWhichJsonContext.Default.SystemWhichParams);
        if (request?.Bins is not { Length: > 0 } bins)
            throw new CommandException(ErrorCodes.InvalidRequest, "bins required");
        var found = new SortedDictionary<string, string>(StringComparer.Ordinal);
        string[] path = ExecutableResolver.SearchPath();
        foreach (var bin in bins)
        {
            if (string.IsNullOrEmpty(bin) || bin.Contains('/') || bin.Contains('\0') || found.ContainsKey(bin))
                continue;
            if (ExecutableResolver.Resolve(bin, null, path) is { } resolved)
                found[bin] = resolved.ResolvedPath;
        }
        var json = JsonSerializer.Serialize(new SystemWhichResult { Bins = found }, SystemWhichJsonContext.Default.SystemWhichResult);
        return Task.FromResult(CommandResult.Success(json));
    }
}

public sealed class SystemWhichParams
{
    public string[]? Bins { get; set; }
}

public sealed class SystemWhichResult
{
    public required SortedDictionary<string, string> Bins { get; init; }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(SystemWhichParams))]
[JsonSerializable(typeof(SystemWhichResult))]
internal sealed partial class SystemWhichJsonContext : JsonSerializerContext;
