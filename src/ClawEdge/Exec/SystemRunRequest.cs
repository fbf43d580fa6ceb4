using ClawEdge.Host;

namespace ClawEdge.Exec;

/// <summary>
/// The validated command of a <c>system.run</c> / <c>system.run.prepare</c> request: argv, its canonical
/// text (the reference's <c>formatExecCommand</c>), the shell payload when it is a wrapper, and the
/// rawCommand consistency check the reference host applies.
/// </summary>
public sealed record SystemRunRequest(string[] Argv, string CommandText, ShellWrapper Wrapper, string? Preview)
{
    /// <summary>The params; a lone UTF-16 surrogate escape (<c>"\udc80"</c>) is refused as bad JSON, not a crash.</summary>
    public static SystemRunParams? ReadParams(InvokeContext context)
    {
        try
        {
            return context.ReadParams(SystemRunJsonContext.Default.SystemRunParams);
        }
        catch (InvalidOperationException e)
        {
            throw new CommandException(ErrorCodes.InvalidRequest, $"invalid params for {context.Command}: {e.Message}");
        }
    }

    public static SystemRunRequest Parse(SystemRunParams? p)
    {
        string? raw = string.IsNullOrWhiteSpace(p?.RawCommand) ? null : p!.RawCommand!.Trim();
        if (p?.Command is not { Length: > 0 } argv)
            throw new CommandException(ErrorCodes.InvalidRequest, raw is null ? "command required" : "rawCommand requires params.command");
        foreach (var arg in argv)
        {
            if (arg is null)
                throw new CommandException(ErrorCodes.InvalidRequest, "command entries must be strings");
            if (arg.Contains('\0'))
                throw new CommandException(ErrorCodes.InvalidRequest, "command entries must not contain NUL characters");
        }
        if (argv[0].Length == 0)
            throw new CommandException(ErrorCodes.InvalidRequest, "command required");
        string text = Format(argv);
        var wrapper = ShellWrapper.Detect(argv);
        string? preview = wrapper.Payload?.Trim();
        if (raw is not null && raw != text && raw != preview)
            throw new CommandException(ErrorCodes.InvalidRequest, "INVALID_REQUEST: rawCommand does not match command");
        return new SystemRunRequest(argv, text, wrapper, preview is not null && preview != text ? preview : null);
    }

    /// <summary>Arguments with whitespace or a double quote are quoted, empty ones shown as <c>""</c>.</summary>
    public static string Format(IReadOnlyList<string> argv)
    {
        var parts = new string[argv.Count];
        for (int i = 0; i < argv.Count; i++)
        {
            string arg = argv[i];
            if (arg.Length == 0)
                parts[i] = "\"\"";
            else if (arg.Any(c => char.IsWhiteSpace(c) || c == '"'))
                parts[i] = "\"" + arg.Replace("\"", "\\\"") + "\"";
            else
                parts[i] = arg;
        }
        return string.Join(' ', parts);
    }
}
