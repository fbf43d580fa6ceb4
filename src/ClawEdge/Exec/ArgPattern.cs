namespace ClawEdge.Exec;

/// <summary>
/// The ECMAScript regular-expression subset an allowlist <c>argPattern</c> uses (literals, escapes,
/// <c>.</c>, classes, anchors, groups, alternation, greedy and lazy quantifiers), matched by a small
/// backtracking engine with a step budget. Why not <c>System.Text.RegularExpressions</c>: a runtime
/// <c>Regex</c> roots the interpreter and the non-backtracking engine with its Unicode tables, ~0.7 MB of a
/// binary meant to fit a Pi's budget. Anything outside the subset (look-arounds, back-references) does
/// not parse, and an entry that does not parse or runs out of steps never matches: it fails closed.
/// </summary>
public sealed class ArgPattern
{
    private const int StepBudget = 200_000;
    private readonly Node _root;

    private ArgPattern(Node root) => _root = root;

    /// <exception cref="FormatException">The pattern is outside the supported subset.</exception>
    public static ArgPattern Parse(string pattern)
    {
        var parser = new Parser(pattern);
        var root = parser.ParseAlternation();
        if (!parser.AtEnd)
            throw new FormatException($"unexpected '{pattern[parser.Position]}' at {parser.Position}");
        return new ArgPattern(root);
    }

    /// <summary>Search semantics, as <c>RegExp.test</c>: a match anywhere unless anchored.</summary>
    /// <returns>null when the step budget ran out (treat as a miss).</returns>
    public bool? IsMatch(string input)
    {
        var run = new Run(input);
        for (int start = 0; start <= input.Length; start++)
        {
            if (Match(_root, run, start, static (_, _) => true))
                return true;
            if (run.Steps > StepBudget)
                return null;
        }
        return false;
    }

    private sealed class Run(string input)
    {
        public string Input { get; } = input;
        public int Steps;
    }

    private abstract record Node;
    private sealed record CharNode(Func<char, bool> Accepts) : Node;
    private sealed record SequenceNode(List<Node> Items) : Node;
    private sealed record AlternationNode(List<Node> Options) : Node;
    private sealed record RepeatNode(Node Item, int Min, int Max, bool Lazy) : Node;
    private sealed record StartNode : Node;
    private sealed record EndNode : Node;

    private static bool Match(Node node, Run run, int at, Func<Run, int, bool> next)
    {
        if (++run.Steps > StepBudget)
            return false;
        switch (node)
        {
            case CharNode c:
                return at < run.Input.Length && c.Accepts(run.Input[at]) && next(run, at + 1);
            case StartNode:
                return at == 0 && next(run, at);
            case EndNode:
                return at == run.Input.Length && next(run, at);
            case SequenceNode s:
                return MatchSequence(s.Items, 0, run, at, next);
            case AlternationNode a:
                foreach (var option in a.Options)
                    if (Match(option, run, at, next))
                        return true;
                return false;
            case RepeatNode r:
                return MatchRepeat(r, 0, run, at, next);
            default:
                return false;
        }
    }

    private static bool MatchSequence(List<Node> items, int index, Run run, int at, Func<Run, int, bool> next) =>
        index == items.Count
            ? next(run, at)
            : Match(items[index], run, at, (r, p) => MatchSequence(items, index + 1, r, p, next));

    private static bool MatchRepeat(RepeatNode r, int count, Run run, int at, Func<Run, int, bool> next)
    {
        bool More() => count < r.Max && Match(r.Item, run, at, (rr, p) => p != at && MatchRepeat(r, count + 1, rr, p, next));
        if (count < r.Min)
            return Match(r.Item, run, at, (rr, p) => MatchRepeat(r, count + 1, rr, p, next));
        return r.Lazy ? next(run, at) || More() : More() || next(run, at);
    }

    private sealed class Parser(string pattern)
    {
        public int Position;
        public bool AtEnd => Position >= pattern.Length;
        private char Peek => pattern[Position];

        public Node ParseAlternation()
        {
            var options = new List<Node> { ParseSequence() };
            while (!AtEnd && Peek == '|')
            {
                Position++;
                options.Add(ParseSequence());
            }
            return options.Count == 1 ? options[0] : new AlternationNode(options);
        }

        private Node ParseSequence()
        {
            var items = new List<Node>();
            while (!AtEnd && Peek is not ('|' or ')'))
                items.Add(ParseQuantified(ParseAtom()));
            return new SequenceNode(items);
        }

        private Node ParseQuantified(Node atom)
        {
            if (AtEnd)
                return atom;
            int min, max;
            switch (Peek)
            {
                case '*': min = 0; max = int.MaxValue; Position++; break;
                case '+': min = 1; max = int.MaxValue; Position++; break;
                case '?': min = 0; max = 1; Position++; break;
                case '{' when TryBraces(out min, out max): break;
                default: return atom;
            }
            if (atom is StartNode or EndNode)
                throw new FormatException("quantified anchor");
            bool lazy = !AtEnd && Peek == '?';
            if (lazy)
                Position++;
            return new RepeatNode(atom, min, max, lazy);
        }

        private bool TryBraces(out int min, out int max)
        {
            min = max = 0;
            int close = pattern.IndexOf('}', Position);
            if (close < 0)
                return false;
            var body = pattern.AsSpan(Position + 1, close - Position - 1);
            int comma = body.IndexOf(',');
            if (comma < 0 ? !int.TryParse(body, out min) : !int.TryParse(body[..comma], out min))
                return false;
            if (comma < 0)
                max = min;
            else if (comma == body.Length - 1)
                max = int.MaxValue;
            else if (!int.TryParse(body[(comma + 1)..], out max) || max < min)
                return false;
            Position = close + 1;
            return true;
        }

        private Node ParseAtom()
        {
            char c = pattern[Position++];
            switch (c)
            {
                case '^': return new StartNode();
                case '$': return new EndNode();
                case '.': return new CharNode(static ch => ch is not ('\n' or '\r' or '\u2028' or '\u2029'));
                case '(':
                    if (!AtEnd && Peek == '?')
                    {
                        if (Position + 1 < pattern.Length && pattern[Position + 1] == ':')
                            Position += 2;
                        else
                            throw new FormatException("look-arounds and named groups are not supported");
                    }
                    var inner = ParseAlternation();
                    if (AtEnd || Peek != ')')
                        throw new FormatException("unclosed group");
                    Position++;
                    return inner;
                case '[':
                    return ParseClass();
                case '\\':
                    return new CharNode(ParseEscape(inClass: false));
                case '*' or '+' or '?' or ')':
                    throw new FormatException($"nothing to repeat before '{c}'");
                default:
                    return new CharNode(ch => ch == c);
            }
        }

        private Node ParseClass()
        {
            bool negate = !AtEnd && Peek == '^';
            if (negate)
                Position++;
            var parts = new List<Func<char, bool>>();
            bool first = true;
            while (true)
            {
                if (AtEnd)
                    throw new FormatException("unclosed class");
                char c = pattern[Position++];
                if (c == ']' && !first)
                    break;
                first = false;
                Func<char, bool> single;
                char? low = null;
                if (c == '\\')
                    single = ParseEscape(inClass: true, out low);
                else
                {
                    low = c;
                    single = ch => ch == c;
                }
                if (low is { } from && !AtEnd && Peek == '-' && Position + 1 < pattern.Length && pattern[Position + 1] != ']')
                {
                    Position++;
                    char to = pattern[Position++];
                    if (to == '\\')
                        throw new FormatException("escaped range ends are not supported");
                    if (to < from)
                        throw new FormatException("range out of order");
                    parts.Add(ch => ch >= from && ch <= to);
                }
                else
                {
                    parts.Add(single);
                }
            }
            return new CharNode(ch => parts.Any(p => p(ch)) != negate);
        }

        private Func<char, bool> ParseEscape(bool inClass) => ParseEscape(inClass, out _);

        private Func<char, bool> ParseEscape(bool inClass, out char? literal)
        {
            literal = null;
            if (AtEnd)
                throw new FormatException("trailing backslash");
            char e = pattern[Position++];
            switch (e)
            {
                case 'd': return static ch => ch is >= '0' and <= '9';
                case 'D': return static ch => ch is not (>= '0' and <= '9');
                case 'w': return static ch => char.IsAsciiLetterOrDigit(ch) || ch == '_';
                case 'W': return static ch => !(char.IsAsciiLetterOrDigit(ch) || ch == '_');
                case 's': return static ch => char.IsWhiteSpace(ch);
                case 'S': return static ch => !char.IsWhiteSpace(ch);
                case 'n': literal = '\n'; return static ch => ch == '\n';
                case 't': literal = '\t'; return static ch => ch == '\t';
                case 'r': literal = '\r'; return static ch => ch == '\r';
                case '0': literal = '\0'; return static ch => ch == '\0';
                case 'b' when inClass: literal = '\b'; return static ch => ch == '\b';
                default:
                    if (char.IsAsciiLetterOrDigit(e))
                        throw new FormatException($"unsupported escape \\{e}");
                    literal = e;
                    return ch => ch == e;
            }
        }
    }
}
