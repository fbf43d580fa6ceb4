namespace ClawEdge.Cli;

/// <summary>
/// Parsed arguments: a verb, its positionals, and options. Options that are configuration keys
/// (the <c>openclaw node run</c> flags) become configuration overrides with the highest precedence.
/// </summary>
public sealed class CommandLine
{
    // flag → configuration key; the value is the next argument unless listed in Switches.
    private static readonly Dictionary<string, string> ConfigKeys = new(StringComparer.Ordinal)
    {
        ["--host"] = "Gateway:Host",
        ["--port"] = "Gateway:Port",
        ["--context-path"] = "Gateway:ContextPath",
        ["--tls-fingerprint"] = "Gateway:TlsFingerprint",
        ["--node-id"] = "Node:InstanceId",
        ["--display-name"] = "Node:DisplayName",
        ["--state-dir"] = "State:Directory",
        ["--log-level"] = "Log:Level",
    };

    private static readonly Dictionary<string, (string Key, string Value)> Switches = new(StringComparer.Ordinal)
    {
        ["--tls"] = ("Gateway:Tls", "true"),
        ["--no-tls"] = ("Gateway:Tls", "false"),
        ["--allow-insecure-plaintext"] = ("Gateway:AllowInsecurePlaintext", "true"),
    };

    // Options that are not configuration: value-taking and boolean.
    private static readonly HashSet<string> ValueOptions = ["--config", "--pair", "--pair-if-needed", "--pair-file", "--timeout", "--output", "-o", "--device", "--agent", "--width", "--quality", "--file", "--frames", "--format", "--delay-ms", "--height", "--fps"];

    /// <summary>The flag that sets a configuration key (<c>Gateway:Port</c> → <c>--port</c>), for messages about its value.</summary>
    public static string? FlagFor(string key)
    {
        foreach (var (flag, k) in ConfigKeys)
            if (k.Equals(key, StringComparison.OrdinalIgnoreCase))
                return flag;
        foreach (var (flag, sw) in Switches)
            if (sw.Key.Equals(key, StringComparison.OrdinalIgnoreCase))
                return flag;
        return key.StartsWith("Node:Commands", StringComparison.OrdinalIgnoreCase) ? "--commands" : null;
    }

    public string Verb { get; private init; } = "help";
    public List<string> Positionals { get; } = [];
    public Dictionary<string, string?> ConfigOverrides { get; } = new(StringComparer.OrdinalIgnoreCase);
    public Dictionary<string, string> Options { get; } = new(StringComparer.Ordinal);
    public HashSet<string> Flags { get; } = new(StringComparer.Ordinal);
    public List<string> Commands { get; } = [];

    public string? Option(string name) => Options.TryGetValue(name, out var value) ? value : null;

    public bool Has(string flag) => Flags.Contains(flag);

    public static CommandLine Parse(string[] args)
    {
        // A bare `clawedge --help` must never fall through to `run` (which creates state as a side effect).
        string verb = args.Length == 0 ? "help"
            : args[0] is "--help" or "-h" ? "help"
            : args[0] == "--version" ? "version"
            : args[0].StartsWith('-') ? "run" : args[0];
        var line = new CommandLine { Verb = verb };
        int i = args.Length > 0 && !args[0].StartsWith('-') ? 1 : 0;
        for (; i < args.Length; i++)
        {
            string arg = args[i];
            string? inline = null;
            int eq = arg.IndexOf('=');
            if (arg.StartsWith("--", StringComparison.Ordinal) && eq > 0)
            {
                inline = arg[(eq + 1)..];
                arg = arg[..eq];
            }
            string Value()
            {
                if (inline is not null)
                    return inline;
                if (i + 1 >= args.Length)
                    throw new UsageException($"{arg} needs a value");
                return args[++i];
            }

            if (ConfigKeys.TryGetValue(arg, out var key))
                line.ConfigOverrides[key] = Value();
            else if (Switches.TryGetValue(arg, out var sw))
                line.ConfigOverrides[sw.Key] = sw.Value;
            else if (arg == "--commands")
                line.Commands.AddRange(Value().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
            else if (ValueOptions.Contains(arg))
                line.Options[arg] = Value();
            else if (arg.StartsWith('-') && arg.Length > 1)
                line.Flags.Add(arg);
            else
                line.Positionals.Add(arg);
        }
        if (line.Commands.Count > 0 && line.Flags.Contains("--all-commands"))
            throw new UsageException("--commands and --all-commands cannot be combined");
        if (line.Options.ContainsKey("--pair") && line.Options.ContainsKey("--pair-if-needed"))
            throw new UsageException("--pair and --pair-if-needed cannot be combined");
        for (int c = 0; c < line.Commands.Count; c++)
            line.ConfigOverrides[$"Node:Commands:{c}"] = line.Commands[c];
        return line;
    }
}

public sealed class UsageException(string message) : Exception(message);
