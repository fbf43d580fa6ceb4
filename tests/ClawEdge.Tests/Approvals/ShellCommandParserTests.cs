using ClawEdge.Exec;

using ClawEdge.Platform;

namespace ClawEdge.Tests.Approvals;

public class ShellCommandParserTests
{
    [Test]
    public async Task Splits_chains_and_pipelines_into_literal_argv_segments()
    {
        var analysis = ShellCommandParser.Analyze("uname -s && echo 'a;b' \"c d\" ; ls|wc -l\n# comment\ndate");
        await Assert.That(analysis.Ok).IsTrue();
        await Assert.That(string.Join(" / ", analysis.Segments.Select(s => string.Join('|', s)))).IsEqualTo("uname|-s / echo|a;b|c d / ls / wc|-l / date");
    }

    [Test]
    [Arguments("echo $(id)")]
    [Arguments("echo `id`")]
    [Arguments("echo \"$HOME\"")]
    [Arguments("echo a > /tmp/x")]
    [Arguments("cat <<EOF\nx\nEOF")]
    [Arguments("(id)")]
    [Arguments("{ id; }")]
    [Arguments("id &")]
    [Arguments("if true; then id; fi")]
    [Arguments("FOO=1 id")]
    [Arguments("$X")]
    [Arguments("/usr/bin/*")]
    [Arguments("echo 'unterminated")]
    [Arguments("&& id")]
    [Arguments("id &&")]
    [Arguments("id |& cat")]
    [Arguments("xargs rm")]
    [Arguments("exec id")]
    public async Task Rejects_what_cannot_be_read_from_the_text(string payload)
    {
        var analysis = ShellCommandParser.Analyze(payload);
        await Assert.That(analysis.Ok).IsFalse();
    }

    [Test]
    public async Task Wrapper_detection_finds_the_payload_after_c_flags()
    {
        await Assert.That(ShellWrapper.Detect(["/bin/sh", "-lc", "uname"]).Payload).IsEqualTo("uname");
        await Assert.That(ShellWrapper.Detect(["bash", "-e", "-c", "id"]).Payload).IsEqualTo("id");
        await Assert.That(ShellWrapper.Detect(["bash", "script.sh"]).IsWrapper).IsFalse();
        await Assert.That(ShellWrapper.Detect(["bash", "--rcfile", "x", "-c", "id"]).Failure).IsNotNull();
        await Assert.That(ShellWrapper.Detect(["bash", "-i", "-c", "id"]).Failure).IsNotNull();
    }

    [Test]
    public async Task Globs_follow_the_reference_pattern_rules()
    {
        await Assert.That(AllowlistMatcher.Glob("/usr/bin/*", "/usr/bin/uname")).IsTrue();
        await Assert.That(AllowlistMatcher.Glob("/usr/*", "/usr/bin/uname")).IsFalse();
        await Assert.That(AllowlistMatcher.Glob("/usr/**/uname", "/usr/local/x/bin/uname")).IsTrue();
        await Assert.That(AllowlistMatcher.Glob("/usr/bin/unam?", "/usr/bin/uname")).IsTrue();
        await Assert.That(AllowlistMatcher.Glob("~/bin/*", Environment.GetEnvironmentVariable("HOME") + "/bin/tool")).IsTrue();
        await Assert.That(AllowlistMatcher.Glob("/usr/bin/*", "/usr/bin/../../tmp/x")).IsFalse();
    }

    [Test]
    public async Task Bare_names_match_only_commands_invoked_through_PATH()
    {
        var uname = ExecutableResolver.Resolve("uname", null, ["/usr/bin", "/bin"])!;
        var byPath = ExecutableResolver.Resolve("/usr/bin/uname", null, ["/usr/bin"])!;
        AllowlistEntry[] entries = [new() { Pattern = "uname" }];
        await Assert.That(AllowlistMatcher.Match(entries, uname, ["uname"], null)).IsNotNull();
        await Assert.That(AllowlistMatcher.Match(entries, byPath, ["/usr/bin/uname"], null)).IsNull();
        AllowlistEntry[] withArgs = [new() { Pattern = "/usr/bin/uname", ArgPattern = "^-s$" }];
        await Assert.That(AllowlistMatcher.Match(withArgs, byPath, ["/usr/bin/uname", "-s"], null)).IsNotNull();
        await Assert.That(AllowlistMatcher.Match(withArgs, byPath, ["/usr/bin/uname", "-a"], null)).IsNull();
    }
}
