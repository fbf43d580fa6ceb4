namespace ClawEdge.Exec;

/// <summary>
/// Code typed into argv for an interpreter (<c>python3 -c</c>, <c>node -e</c>, <c>perl -E</c>, an awk
/// program): an allowlisted interpreter is a licence to run scripts, and under <c>strictInlineEval</c>
/// (on by default in ClawEdge) not to run whatever text a caller puts after <c>-c</c>. Short flags are
/// read the way each interpreter reads them, so combined forms (<c>-Ic</c>, <c>-lne</c>) are seen too.
/// </summary>
public static class InlineEval
{
    /// <summary>The form found (e.g. <c>"python3 -Ic"</c>), or null when argv runs no inline code.</summary>
    public static string? Detect(IReadOnlyList<string> argv)
    {
        if (argv.Count == 0)
            return null;
        string name = Path.GetFileName(argv[0]);
        string? flag = Family(name) switch
        {
            "python" => ShortFlags(argv, eval: "c", takesRest: "WXQ", stopAt: "m"),
            "node" => NodeFlag(argv),
            "perl" => ShortFlags(argv, eval: "eEMm", takesRest: "iIxdDC"), // -l and -0 take digits only
            "ruby" => ShortFlags(argv, eval: "e", takesRest: "CEFIKrTWx0"),
            "php" => PhpFlag(argv),
            "lua" => ShortFlags(argv, eval: "e", takesRest: "l"),
            "shell" => ShortFlags(argv, eval: "c", takesRest: "oO"),
            "awk" => AwkProgram(argv),
            "make" => MakeFlag(argv),
            _ => null,
        };
        return flag is null ? null : $"{name} {flag}";
    }

    private static string? Family(string name)
    {
        if (name.StartsWith("python", StringComparison.Ordinal) || name.StartsWith("pypy", StringComparison.Ordinal)) return "python";
        if (name is "node" or "nodejs" or "bun" or "deno") return "node";
        if (name.StartsWith("perl", StringComparison.Ordinal)) return "perl";
        if (name.StartsWith("ruby", StringComparison.Ordinal) || name == "jruby") return "ruby";
        if (name.StartsWith("php", StringComparison.Ordinal)) return "php";
        if (name.StartsWith("lua", StringComparison.Ordinal)) return "lua";
        if (name is "sh" or "bash" or "dash" or "zsh" or "ksh" or "ash" or "mksh" or "yash" or "posh") return "shell";
        if (name is "awk" or "gawk" or "mawk" or "nawk" or "busybox-awk") return "awk";
        if (name is "make" or "gmake" or "bmake") return "make";
        return null;
    }

    /// <summary>
    /// Scans the options before the first operand: a token <c>-abc</c> is flags a, b, c unless one of them
    /// takes the rest of the token (or the next token) as its value.
    /// </summary>
    private static string? ShortFlags(IReadOnlyList<string> argv, string eval, string takesRest, string stopAt = "")
    {
        for (int i = 1; i < argv.Count; i++)
        {
            string token = argv[i];
            if (token == "--" || token.Length < 2 || token[0] != '-')
                return null; // the script operand: what follows is its own argv
            if (token.StartsWith("--", StringComparison.Ordinal))
                continue;
            for (int c = 1; c < token.Length; c++)
            {
                char flag = token[c];
                if (eval.Contains(flag))
                    return token;
                if (stopAt.Contains(flag))
                    return null;
                if (takesRest.Contains(flag))
                {
                    if (c == token.Length - 1)
                        i++; // the value is the next token
                    break;
                }
            }
        }
        return null;
    }

    private static string? NodeFlag(IReadOnlyList<string> argv)
    {
        for (int i = 1; i < argv.Count; i++)
        {
            string token = argv[i];
            if (token is "--eval" or "--print" || token.StartsWith("--eval=", StringComparison.Ordinal) || token.StartsWith("--print=", StringComparison.Ordinal))
                return token.Split('=')[0];
            if (token == "--" || token.Length < 2 || token[0] != '-')
                return null;
            if (token.StartsWith("--", StringComparison.Ordinal))
                continue;
            if (token.AsSpan(1).IndexOfAny('e', 'p') >= 0)
                return token;
            if (token is "-r" or "--require" or "--import")
                i++;
        }
        return null;
    }

    private static string? PhpFlag(IReadOnlyList<string> argv)
    {
        for (int i = 1; i < argv.Count; i++)
        {
            string token = argv[i];
            if (token is "--run" or "--process-code" or "--process-begin" or "--process-end")
                return token;
            if (token == "--" || token.Length < 2 || token[0] != '-')
                return null;
            if (token[1] is 'r' or 'R' or 'B' or 'E')
                return token[..2];
            if (token.Length == 2 && token[1] is 'c' or 'd' or 'f' or 'z')
                i++; // an option with a value
        }
        return null;
    }

    /// <summary>awk runs its first operand as the program unless the program comes from a file (-f).</summary>
    private static string? AwkProgram(IReadOnlyList<string> argv)
    {
        for (int i = 1; i < argv.Count; i++)
        {
            string token = argv[i];
            if (token is "-e" or "--source" || token.StartsWith("--source=", StringComparison.Ordinal))
                return token.Split('=')[0];
            if (token is "-f" or "--file" or "-E" or "--exec" || token.StartsWith("--file=", StringComparison.Ordinal) || token.StartsWith("-f", StringComparison.Ordinal) && token.Length > 2)
                return null;
            if (token == "--")
                return i + 1 < argv.Count ? "'<program>'" : null;
            if (token is "-F" or "-v" or "--field-separator" or "--assign")
            {
                i++;
                continue;
            }
            if (token.Length > 1 && token[0] == '-')
                continue;
            return "'<program>'";
        }
        return null;
    }

    private static string? MakeFlag(IReadOnlyList<string> argv)
    {
        for (int i = 1; i < argv.Count; i++)
        {
            string token = argv[i];
            if (token is "--eval" or "-E" || token.StartsWith("--eval=", StringComparison.Ordinal))
                return token.Split('=')[0];
            if (token is "--file=-" or "--makefile=-" or "-f-")
                return token;
            if (token is "-f" or "--file" or "--makefile" && i + 1 < argv.Count && argv[i + 1] == "-")
                return $"{token} -";
        }
        return null;
    }
}
