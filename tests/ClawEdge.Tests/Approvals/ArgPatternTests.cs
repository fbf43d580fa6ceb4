using System.Text.RegularExpressions;
using ClawEdge.Exec;

namespace ClawEdge.Tests.Approvals;

/// <summary>Our argPattern engine against .NET's own ECMAScript regex on the same patterns and inputs.</summary>
public class ArgPatternTests
{
    private static readonly string[] Patterns =
    [
        "^-s$", "^safe\\.py$", "safe", "^(status|log|diff)( .*)?$", "^--depth=\\d{1,3}$", "^[a-z_][a-z0-9_-]*$",
        "^[^;&|`$]*$", "a.c", "^\\w+\\s\\w+$", "^(ab)+$", "^a{2,}$", "^a{2}b?$", "^x*?y$", "^(?:-v|--verbose)$",
        "^\\S+$", "^[\\d.]+$", "^[-a-c]+$", "^a|b$", "\\$HOME", "^$",
    ];

    private static readonly string[] Inputs =
    [
        "", "-s", "-a", "-s -a", "safe.py", "safeXpy", "run safe.py", "status", "log --oneline", "diffx", "--depth=12",
        "--depth=1234", "abc_1", "1abc", "a;b", "a`b`", "abc", "a\nc", "hello world", "hello  world", "abab", "aba",
        "aaa", "a", "aab", "xxy", "y", "-v", "--verbose", "1.2.3", "a-b", "b", "echo $HOME", "x y",
    ];

    [Test]
    public async Task Agrees_with_the_platform_ecmascript_regex()
    {
        foreach (var pattern in Patterns)
        {
            var ours = ArgPattern.Parse(pattern);
            var reference = new Regex(pattern, RegexOptions.ECMAScript | RegexOptions.CultureInvariant);
            foreach (var input in Inputs)
                await Assert.That(ours.IsMatch(input)).IsEqualTo(reference.IsMatch(input)).Because($"/{pattern}/ on \"{input}\"");
        }
    }

    [Test]
    [Arguments("(?=a)")]
    [Arguments("(a)\\1")]
    [Arguments("(?<name>a)")]
    [Arguments("[a")]
    [Arguments("(a")]
    [Arguments("*a")]
    [Arguments("a\\")]
    [Arguments("\\p{L}")]
    public async Task Unsupported_or_broken_patterns_do_not_parse(string pattern)
    {
        await Assert.That(() => ArgPattern.Parse(pattern)).Throws<FormatException>();
    }

    [Test]
    public async Task Catastrophic_backtracking_runs_out_of_steps_instead_of_hanging()
    {
        var evil = ArgPattern.Parse("^(a+)+$");
        await Assert.That(evil.IsMatch(new string('a', 40) + "!")).IsNull();
        await Assert.That(evil.IsMatch("aaaa") == true).IsTrue();
    }
}
