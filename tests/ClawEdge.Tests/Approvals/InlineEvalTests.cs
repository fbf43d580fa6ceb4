using ClawEdge.Exec;
using ClawEdge.Platform;

namespace ClawEdge.Tests.Approvals;

/// <summary>Issue 10 §2: strictInlineEval, on by default — code typed into argv for an allowlisted interpreter needs an explicit approval.</summary>
public class InlineEvalTests
{
    [Test]
    [Arguments("python3 -c print(1)", "python3 -c")]
    [Arguments("python3.11 -Ic print(1)", "python3.11 -Ic")]
    [Arguments("python3 -W ignore -c print(1)", "python3 -c")]
    [Arguments("node -e 1", "node -e")]
    [Arguments("node --eval=1", "node --eval")]
    [Arguments("node -p 1", "node -p")]
    [Arguments("node --print 1", "node --print")]
    [Arguments("perl -e print", "perl -e")]
    [Arguments("perl -E say", "perl -E")]
    [Arguments("perl -lne print", "perl -lne")]
    [Arguments("ruby -e p", "ruby -e")]
    [Arguments("php -r echo;", "php -r")]
    [Arguments("lua -e print(1)", "lua -e")]
    [Arguments("lua5.4 -eprint(1)", "lua5.4 -eprint(1)")]
    [Arguments("bash -c id", "bash -c")]
    [Arguments("sh -xc id", "sh -xc")]
    [Arguments("zsh -c id", "zsh -c")]
    [Arguments("dash -c id", "dash -c")]
    [Arguments("awk BEGIN{system(\"id\")}", "awk '<program>'")]
    [Arguments("awk -F: {print} /etc/passwd", "awk '<program>'")]
    [Arguments("gawk -e BEGIN{}", "gawk -e")]
    [Arguments("make -f -", "make -f -")]
    [Arguments("make --eval=x:", "make --eval")]
    public async Task Inline_forms_are_recognised(string command, string expected)
        => await Assert.That(InlineEval.Detect(command.Split(' '))).IsEqualTo(expected);

    [Test]
    [Arguments("python3 job.py -c x")]
    [Arguments("python3 -m http.server")]
    [Arguments("node app.js -e")]
    [Arguments("perl -I lib script.pl")]
    [Arguments("ruby -r json app.rb")]
    [Arguments("bash script.sh -c")]
    [Arguments("awk -f prog.awk data")]
    [Arguments("make -f Makefile all")]
    [Arguments("uname -c")]
    public async Task Scripts_and_ordinary_flags_are_not_inline_eval(string command)
        => await Assert.That(InlineEval.Detect(command.Split(' '))).IsNull();

    public static IEnumerable<Func<string[]>> RunnableForms()
    {
        yield return () => ["/usr/bin/python3", "-c", "open('{m}','w')"];
        yield return () => ["/usr/bin/python3", "-Ic", "open('{m}','w')"];
        yield return () => ["/usr/bin/perl", "-e", "open(F,'>{m}')"];
        yield return () => ["/usr/bin/perl", "-E", "open(F,'>{m}')"];
        yield return () => ["/usr/bin/awk", "BEGIN{system(\"touch {m}\")}"];
        yield return () => ["/usr/bin/node", "-e", "require('fs').writeFileSync('{m}','')"];
        yield return () => ["/usr/bin/node", "--eval=require('fs').writeFileSync('{m}','')"];
        yield return () => ["/usr/bin/node", "-p", "require('fs').writeFileSync('{m}','')"];
    }

    [Test]
    [MethodDataSource(nameof(RunnableForms))]
    public async Task Denied_by_default_under_an_allowlisted_interpreter_and_run_once_with_an_explicit_approval(string[] template)
    {
        string program = ExecutableResolver.RealPath(template[0])!;
        if (!File.Exists(program))
            return; // interpreter not installed on this machine
        using var bed = new ExecTestBed(program);
        string marker = bed.Marker();
        string[] argv = template.Select(a => a.Replace("{m}", marker)).ToArray();
        argv[0] = program;

        var denied = await bed.InvokeAsync(ExecTestBed.Argv(argv));
        await Assert.That(denied.ErrorCode).IsEqualTo("SYSTEM_RUN_DENIED");
        await Assert.That(denied.ErrorMessage!).Contains("strictInlineEval");
        await Assert.That(denied.ErrorMessage!).Contains("\"strictInlineEval\": false");
        await Assert.That((string?)bed.Events.Last().Payload["reason"]).IsEqualTo("inline-eval");
        await Assert.That(File.Exists(marker)).IsFalse();

        // security=full does not lift it either.
        bed.Policy(security: "full");
        await Assert.That((await bed.InvokeAsync(ExecTestBed.Argv(argv))).ErrorMessage!).Contains("strictInlineEval");
        await Assert.That(File.Exists(marker)).IsFalse();

        var approved = await bed.PrepareApprovedAsync(argv, cwd: bed.Dir);
        var ran = await bed.InvokeAsync(approved);
        await Assert.That(ran.Ok).IsTrue().Because(ran.ErrorMessage ?? "");
        await Assert.That(File.Exists(marker)).IsTrue();
        // Once: the allowlist did not learn it.
        File.Delete(marker);
        await Assert.That((await bed.InvokeAsync(ExecTestBed.Argv(argv))).ErrorCode).IsEqualTo("SYSTEM_RUN_DENIED");
    }

    [Test]
    public async Task The_setting_can_be_turned_off_in_the_approvals_file()
    {
        using var bed = new ExecTestBed("/usr/bin/perl");
        bed.Store.Update(s => { s.Document.Defaults.StrictInlineEval = false; return s.Document; });
        await Assert.That(File.ReadAllText(bed.Store.FilePath)).Contains("\"strictInlineEval\": false");
        var result = await bed.InvokeAsync(ExecTestBed.Argv("/usr/bin/perl", "-e", "print 7"));
        await Assert.That((string?)ExecTestBed.Payload(result)["stdout"]).IsEqualTo("7");
    }

    [Test]
    public async Task A_shell_payload_with_inline_eval_inside_is_caught()
    {
        using var bed = new ExecTestBed("/usr/bin/perl");
        string marker = bed.Marker();
        var result = await bed.InvokeAsync(ExecTestBed.Argv("/bin/sh", "-c", $"perl -e 'open(F,\">{marker}\")'"));
        await Assert.That(result.ErrorMessage!).Contains("strictInlineEval");
        await Assert.That(File.Exists(marker)).IsFalse();
    }
}
