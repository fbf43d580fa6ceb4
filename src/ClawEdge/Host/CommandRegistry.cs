using ClawEdge.Logging;

namespace ClawEdge.Host;

/// <summary>
/// The one place that adds a command. Dispatch runs a handler under the invoke's own deadline and
/// turns every outcome — result, coded error, exception, timeout, oversized payload — into exactly
/// one <see cref="CommandResult"/>.
/// </summary>
public sealed class CommandRegistry
{
    private readonly Dictionary<string, NodeCommand> _commands = new(StringComparer.Ordinal);

    public CommandRegistry(IEnumerable<NodeCommand> commands)
    {
        foreach (var command in commands)
            _commands.Add(command.Name, command);
    }

    /// <summary>Builds the registry for this configuration: every command the capabilities serve here.</summary>
    public static CommandRegistry Create(IEnumerable<Capability> capabilities, NodeServices services)
        => new(Filter(capabilities.SelectMany(c => c.CreateCommands(services)).ToList(), services.Options.Node.Commands));

    // `--commands a,b` (or Node:Commands) restricts the advertised surface to exact matches.
    private static IEnumerable<NodeCommand> Filter(List<NodeCommand> all, string[]? allow)
    {
        if (allow is null || allow.Length == 0)
            return all;
        var set = new HashSet<string>(allow, StringComparer.Ordinal);
        return all.Where(c => set.Contains(c.Name));
    }

    public IReadOnlyCollection<string> Names => _commands.Keys;

    public IEnumerable<string> Capabilities => _commands.Values.Select(c => c.Capability).Distinct().Order(StringComparer.Ordinal);

    public bool TryGet(string name, out NodeCommand command) => _commands.TryGetValue(name, out command!);

    public async Task<CommandResult> DispatchAsync(InvokeContext context, CancellationToken cancellationToken)
    {
        if (!_commands.TryGetValue(context.Command, out var command))
            return CommandResult.Failure(ErrorCodes.InvalidRequest, $"unknown command: {context.Command}");

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(Math.Max(1, context.TimeoutMs));
        CommandResult result;
        try
        {
            result = await command.InvokeAsync(context, deadline.Token).ConfigureAwait(false);
        }
        catch (CommandException e)
        {
            result = CommandResult.Failure(e.Code, e.Message);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            result = cancellationToken.IsCancellationRequested
                ? CommandResult.Failure(ErrorCodes.Unavailable, $"{context.Command} cancelled")
                : CommandResult.Failure(ErrorCodes.Timeout, $"{context.Command} timed out after {context.TimeoutMs} ms");
        }
        catch (Exception e)
        {
            Log.Error($"invoke {context.Command} ({context.Id}) failed: {e.GetType().Name}: {e.Message}");
            result = CommandResult.Failure(ErrorCodes.Unavailable, $"{context.Command} failed: {e.GetType().Name}: {e.Message}");
        }
        MemoryTrim.InvokeFinished();

        // Guard before sending: an oversized frame would make the gateway drop the whole link.
        if (result.Ok && Size(result) is var size && size > context.MaxPayloadBytes)
        {
            result.Streamed?.Dispose();
            return CommandResult.Failure(ErrorCodes.PayloadTooLarge,
                $"{context.Command} result is {size} bytes as payloadJSON; this gateway link carries at most {context.MaxPayloadBytes} " +
                "(hello-ok policy.maxPayload less the frame around it): ask for less (a shorter clip, a smaller image)");
        }
        return result;
    }

    private static long Size(CommandResult result) =>
        result.Streamed?.EscapedLength ?? (result.PayloadJson is { } json ? PayloadBudget.EscapedLength(json) : 0);
}
