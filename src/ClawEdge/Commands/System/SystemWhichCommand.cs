using System.Text.Json.Serialization;
using ClawEdge.Node;

namespace ClawEdge.Commands.System;

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
        string[] path = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries);
        foreach (var bin in bins)
        {
            if (string.IsNullOrEmpty(bin) || bin.Contains('/') || bin.Contains('\0') || found.ContainsKey(bin))
                continue;
            if (Resolve(bin, path) is { } resolved)
                found[bin] = resolved;
        }
        var json = global::System.Text.Json.JsonSerializer.Serialize(new SystemWhichResult { Bins = found }, SystemWhichJsonContext.Default.SystemWhichResult);
        return Task.FromResult(CommandResult.Success(json));
    }

    /// <summary>The first PATH entry holding an executable regular file of that name.</summary>
    public static string? Resolve(string name, IEnumerable<string> path)
    {
        foreach (var directory in path)
        {
            if (!directory.StartsWith('/'))
                continue; // a relative PATH entry would depend on the working directory
            string candidate = Path.Combine(directory, name);
            try
            {
                var info = new FileInfo(candidate);
                if (!info.Exists)
                    continue;
                const UnixFileMode anyExecute = UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
                if ((info.UnixFileMode & anyExecute) != 0)
                    return candidate;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
            }
        }
        return null;
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
