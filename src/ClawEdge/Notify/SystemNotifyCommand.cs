using System.Text.Json;
using ClawEdge.Processes;
using ClawEdge.Logging;
using ClawEdge.Host;

using ClawEdge.Platform;

namespace ClawEdge.Notify;

/// <summary>
/// <c>system.notify</c>: a freedesktop desktop notification through <c>notify-send</c> when a session bus
/// is there, otherwise a log line (the journal under systemd) at the priority the request asked for. The
/// result says which delivery happened; the CLI only checks <c>ok</c>.
/// </summary>
public sealed class SystemNotifyCommand : NodeCommand
{
    public override string Name => "system.notify";
    public override string Capability => "system";

    public override async Task<CommandResult> InvokeAsync(InvokeContext context, CancellationToken cancellationToken)
    {
        var p = context.ReadParams(NotifyJsonContext.Default.SystemNotifyParams);
        string title = p?.Title?.Trim() ?? "", body = p?.Body?.Trim() ?? "";
        if (title.Length == 0 && body.Length == 0)
            throw new CommandException(ErrorCodes.InvalidRequest, "INVALID_REQUEST: empty notification");
        string priority = p?.Priority ?? "active";
        if (priority is not ("passive" or "active" or "timeSensitive"))
            throw new CommandException(ErrorCodes.InvalidRequest, "priority must be passive, active or timeSensitive");

        string delivered = "log";
        if (HasSessionBus() && ExecutableResolver.Resolve("notify-send", null, ExecutableResolver.SearchPath()) is { } notifySend)
        {
            string urgency = priority switch { "passive" => "low", "timeSensitive" => "critical", _ => "normal" };
            var launch = new ExecLaunch(notifySend.RealPath, ["notify-send", "-u", urgency, "-a", "ClawEdge", "--", title.Length > 0 ? title : body, title.Length > 0 ? body : ""],
                null, ChildEnvironment.Inherited, 5_000);
            var outcome = await Task.Factory.StartNew(() => ProcessGroupRunner.Run(launch, cancellationToken), CancellationToken.None,
                TaskCreationOptions.LongRunning, TaskScheduler.Default).ConfigureAwait(false);
            if (outcome.ExitCode == 0)
                delivered = "desktop";
            else
                Log.Warn($"notify-send failed ({outcome.Error ?? outcome.Stderr.Trim()}); logging the notification instead");
        }
        if (delivered == "log")
        {
            var level = priority switch { "passive" => LogLevel.Info, "timeSensitive" => LogLevel.Warn, _ => LogLevel.Notice };
            Log.Write(level, $"notification: {title}{(title.Length > 0 && body.Length > 0 ? " — " : "")}{body}");
        }
        return CommandResult.Success(JsonSerializer.Serialize(new SystemNotifyResult { Delivered = delivered }, NotifyJsonContext.Default.SystemNotifyResult));
    }

    private static bool HasSessionBus()
    {
        if (Environment.GetEnvironmentVariable("DBUS_SESSION_BUS_ADDRESS") is { Length: > 0 })
            return true;
        return Environment.GetEnvironmentVariable("XDG_RUNTIME_DIR") is { Length: > 0 } runtime && File.Exists(Path.Combine(runtime, "bus"));
    }
}
