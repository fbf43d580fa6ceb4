using System.Text;

namespace ClawEdge.Exec;

/// <summary>The commands a shell payload would run, or why it cannot be checked.</summary>
public sealed record ShellAnalysis(IReadOnlyList<string[]> Segments, string? Failure)
{
    public bool Ok => Failure is null;
}

/// <summary>
/// Splits a POSIX shell payload (<c>sh -c "…"</c>) into the simple commands it runs, the way the
/// reference's allowlist analysis treats it: <c>;</c>, <c>&amp;&amp;</c>, <c>||</c>, <c>|</c> and newlines
/// separate commands that must each be allowed; anything whose effect cannot be read from the text
/// — command substitution (<c>$( )</c>, backticks, also inside double quotes), parameter expansion,
/// redirections and here-documents, subshells and groups, background jobs, control keywords,
/// line continuations, leading variable assignments, commands that run other commands (eval, exec,
/// env, xargs, find -exec …) and a non-literal command name — makes the whole payload unanalyzable,
/// which in allowlist mode is a miss. Single quotes keep everything literal, as in the shell.
/// </summary>
public static class ShellCommandParser
{
    private static readonly HashSet<string> Keywords = new(StringComparer.Ordinal)
    {
        "if", "then", "else", "elif", "fi", "for", "while", "until", "do", "done", "case", "esac", "select",
        "function", "{", "}", "!", "[[", "]]", "coproc", "time",
    };

    /// <summary>Executables that run another command given in their arguments: allowing them would allow anything.</summary>
    public static readonly HashSet<string> CommandCarriers = new(StringComparer.Ordinal)
    {
        "eval", "source", ".", "exec", "command", "builtin", "alias", "trap", "xargs", "env", "nice", "nohup", "timeout",
        "stdbuf", "setsid", "sudo", "doas", "su", "runuser", "flock", "ionice", "chrt", "taskset", "busybox", "toybox",
        "chroot", "unshare", "nsenter", "watch", "script", "parallel", "systemd-run", "caffeinate", "time",
    };

    public static ShellAnalysis Analyze(string payload)
    {
        var segments = new List<string[]>();
        var words = new List<string>();
        var word = new StringBuilder();
        bool inWord = false;          // a word has started (even if empty, e.g. '')
        bool wordHasGlob = false;     // unquoted * ? [ ~ in the current word
        bool wordQuoted = false;
        string? lastSeparator = null;

        string? EndWord()
        {
            if (!inWord)
                return null;
            string w = word.ToString();
            if (words.Count == 0)
            {
                if (wordHasGlob)
                    return $"the command name \"{w}\" is a pattern, not a literal program";
                if (!wordQuoted && Keywords.Contains(w))
                    return $"shell control syntax (\"{w}\")";
                if (!wordQuoted && w.Contains('=') && w.IndexOf('=') > 0)
                    return $"a variable assignment before the command (\"{w}\")";
            }
            words.Add(w);
            word.Clear();
            inWord = wordHasGlob = wordQuoted = false;
            return null;
        }

        string? EndSegment(string separator)
        {
            if (EndWord() is { } failure)
                return failure;
            if (words.Count == 0)
            {
                bool afterOperator = lastSeparator is "&&" or "||" or "|";
                return separator switch
                {
                    "\n" => null, // blank line, or a line break after an operator
                    "end" => afterOperator ? $"\"{lastSeparator}\" without a command after it" : null,
                    ";" when segments.Count > 0 && !afterOperator => null, // a trailing ';'
                    _ => $"\"{separator}\" without a command before it",
                };
            }
            segments.Add([.. words]);
            words.Clear();
            lastSeparator = separator;
            return null;
        }

        ShellAnalysis Fail(string reason) => new([], reason);

        for (int i = 0; i < payload.Length; i++)
        {
            char c = payload[i];
            switch (c)
            {
                case ' ' or '\t' or '\r':
                    if (EndWord() is { } f1) return Fail(f1);
                    break;
                case '\n' or ';':
                    if (EndSegment(c == '\n' ? "\n" : ";") is { } f2) return Fail(f2);
                    break;
                case '&':
                    if (i + 1 < payload.Length && payload[i + 1] == '&')
                    {
                        if (EndSegment("&&") is { } f3) return Fail(f3);
                        i++;
                        break;
                    }
                    return Fail("a background job (\"&\")");
                case '|':
                    if (i + 1 < payload.Length && payload[i + 1] == '&')
                        return Fail("a \"|&\" pipeline");
                    bool or = i + 1 < payload.Length && payload[i + 1] == '|';
                    if (EndSegment(or ? "||" : "|") is { } f4) return Fail(f4);
                    if (or) i++;
                    break;
                case '<' or '>':
                    return Fail("a redirection or here-document (\"" + c + "\")");
                case '(' or ')':
                    return Fail("a subshell or process substitution (\"" + c + "\")");
                case '`':
                    return Fail("command substitution (backticks)");
                case '$':
                    return Fail(i + 1 < payload.Length && payload[i + 1] == '(' ? "command substitution (\"$(\")" : "a variable or parameter expansion (\"$\")");
                case '#' when !inWord:
                    while (i + 1 < payload.Length && payload[i + 1] != '\n')
                        i++;
                    break;
                case '\\':
                    if (i + 1 >= payload.Length)
                        return Fail("a trailing backslash");
                    if (payload[i + 1] == '\n')
                        return Fail("a line continuation");
                    word.Append(payload[++i]);
                    inWord = true;
                    wordQuoted = true;
                    break;
                case '\'':
                {
                    int close = payload.IndexOf('\'', i + 1);
                    if (close < 0)
                        return Fail("an unterminated single quote");
                    word.Append(payload, i + 1, close - i - 1);
                    inWord = true;
                    wordQuoted = true;
                    i = close;
                    break;
                }
                case '"':
                {
                    int j = i + 1;
                    for (; j < payload.Length && payload[j] != '"'; j++)
                    {
                        char d = payload[j];
                        if (d == '`')
                            return Fail("command substitution (backticks inside double quotes)");
                        if (d == '$')
                            return Fail(j + 1 < payload.Length && payload[j + 1] == '(' ? "command substitution (\"$(\" inside double quotes)" : "a variable or parameter expansion (\"$\" inside double quotes)");
                        if (d == '\\' && j + 1 < payload.Length && payload[j + 1] is '"' or '\\' or '$' or '`' or '\n')
                        {
                            if (payload[j + 1] == '\n')
                                return Fail("a line continuation");
                            j++;
                            d = payload[j];
                        }
                        word.Append(d);
                    }
                    if (j >= payload.Length)
                        return Fail("an unterminated double quote");
                    inWord = true;
                    wordQuoted = true;
                    i = j;
                    break;
                }
                case '*' or '?' or '[' or '~':
                    word.Append(c);
                    inWord = true;
                    wordHasGlob = true;
                    break;
                default:
                    word.Append(c);
                    inWord = true;
                    break;
            }
        }
        if (EndSegment("end") is { } last)
            return Fail(last);
        if (segments.Count == 0)
            return Fail("no command");
        foreach (var segment in segments)
            if (CarrierReason(segment) is { } carrier)
                return Fail(carrier);
        return new ShellAnalysis(segments, null);
    }

    /// <summary>Why this argv runs a command the allowlist cannot see, or null.</summary>
    public static string? CarrierReason(IReadOnlyList<string> argv)
    {
        if (argv.Count == 0)
            return null;
        string name = Path.GetFileName(argv[0]);
        if (CommandCarriers.Contains(name))
            return $"\"{name}\" runs another command given in its arguments";
        if (name == "find")
            foreach (var arg in argv)
                if (arg is "-exec" or "-execdir" or "-ok" or "-okdir")
                    return $"\"find {arg}\" runs another command";
        return null;
    }
}
