namespace ClawEdge.Exec;

/// <summary>A request argv seen as a shell wrapper (<c>sh -c "…"</c>, <c>bash -lc "…"</c>) or a plain program.</summary>
public sealed record ShellWrapper(bool IsWrapper, string? Payload, string? Failure)
{
    private static readonly HashSet<string> PosixShells = new(StringComparer.Ordinal) { "sh", "bash", "dash", "zsh", "ksh", "ash", "mksh", "yash", "posh" };
    private static readonly HashSet<string> OtherShells = new(StringComparer.Ordinal) { "fish", "csh", "tcsh", "nu", "pwsh", "powershell", "xonsh", "elvish" };
    private static readonly HashSet<string> HarmlessLongOptions = new(StringComparer.Ordinal) { "--login", "--norc", "--noprofile", "--posix", "--noediting" };

    public static readonly ShellWrapper None = new(false, null, null);

    public static ShellWrapper Detect(IReadOnlyList<string> argv)
    {
        if (argv.Count == 0)
            return None;
        string name = Path.GetFileName(argv[0]);
        if (OtherShells.Contains(name))
            return HasInlineFlag(argv) ? new ShellWrapper(true, null, $"\"{name}\" is not a POSIX shell the allowlist can read") : None;
        if (!PosixShells.Contains(name))
            return None;
        for (int i = 1; i < argv.Count; i++)
        {
            string token = argv[i];
            if (token == "--" || !(token.StartsWith('-') || token.StartsWith('+')) || token.Length < 2)
                return None; // a script operand: the shell binary itself is the program to allow
            if (token.StartsWith("--", StringComparison.Ordinal))
            {
                if (!HarmlessLongOptions.Contains(token))
                    return new ShellWrapper(true, null, $"the shell option \"{token}\" can load other code");
                continue;
            }
            foreach (char flag in token.AsSpan(1))
            {
                // -l (login), -e, -u, -x, -v, -f change how the payload runs, not what it is; -i, -s, -o,
                // -O and friends read rc files or take operands we would have to interpret.
                if ("clLeuxvfn".IndexOf(flag) < 0)
                    return new ShellWrapper(true, null, $"the shell option \"{token}\" is not one the allowlist can reason about");
            }
            if (token.Contains('c'))
            {
                if (i + 1 >= argv.Count)
                    return new ShellWrapper(true, null, "\"-c\" without a command");
                return new ShellWrapper(true, argv[i + 1], null);
            }
        }
        return None;
    }

    private static bool HasInlineFlag(IReadOnlyList<string> argv)
    {
        for (int i = 1; i < argv.Count; i++)
            if (argv[i] is "-c" or "-Command" or "-command" or "--command" or "-lc")
                return true;
        return false;
    }
}
