using ClawEdge.Exec;
using ClawEdge.Platform;

namespace ClawEdge.Tests.Approvals;

/// <summary>Issue 10 §3: allow-always persists the inner program's real path, never a wrapper, a shell or inline code.</summary>
public class AllowAlwaysTests
{
    private static string Real(string name) => ExecutableResolver.Resolve(name, null, ExecutableResolver.SearchPath())!.RealPath;

    [Test]
    public async Task The_inner_program_of_env_is_persisted_and_a_plain_call_then_runs()
    {
        using var bed = new ExecTestBed();
        bed.Policy(security: "allowlist", ask: "on-miss");
        await Assert.That((await bed.InvokeAsync(ExecTestBed.Argv("id", "-g"))).ErrorCode).IsEqualTo("SYSTEM_RUN_DENIED");

        var run = await bed.PrepareApprovedAsync(["env", "/usr/bin/id", "-g"], decision: "allow-always");
        var once = await bed.InvokeAsync(run);
        await Assert.That(once.Ok).IsTrue().Because(once.ErrorMessage ?? "");
        var patterns = bed.Store.Read().Document.Agent("main")!.Allowlist.Select(e => e.Pattern).ToList();
        await Assert.That(string.Join(',', patterns)).IsEqualTo(Real("/usr/bin/id"));
        await Assert.That(patterns).DoesNotContain(Real("env"));

        var plain = await bed.InvokeAsync(ExecTestBed.Argv("id", "-g"));
        await Assert.That(plain.Ok).IsTrue().Because(plain.ErrorMessage ?? "");
    }

    [Test]
    public async Task A_shell_wrapper_persists_the_programs_it_runs_not_the_shell()
    {
        using var bed = new ExecTestBed();
        bed.Policy(security: "allowlist", ask: "on-miss");
        var run = await bed.PrepareApprovedAsync(["sh", "-c", "whoami"], decision: "allow-always");
        await Assert.That((await bed.InvokeAsync(run)).Ok).IsTrue();
        var patterns = bed.Store.Read().Document.Agent("main")!.Allowlist.Select(e => e.Pattern).ToList();
        await Assert.That(string.Join(',', patterns)).IsEqualTo(Real("whoami"));
    }

    [Test]
    [Arguments("/usr/bin/python3", "-c", "print(1)")]
    [Arguments("/usr/bin/perl", "-e", "print 1")]
    [Arguments("sh", "-c", "uname; eval id")]
    public async Task Inline_eval_and_unreadable_shell_lines_persist_nothing_but_run_once(string program, string flag, string code)
    {
        using var bed = new ExecTestBed();
        bed.Policy(security: "allowlist", ask: "on-miss");
        var run = await bed.PrepareApprovedAsync([program, flag, code], decision: "allow-always");
        var once = await bed.InvokeAsync(run);
        await Assert.That(once.Ok).IsTrue().Because(once.ErrorMessage ?? "");
        await Assert.That(bed.Store.Read().Document.Agent("main")?.Allowlist.Count ?? 0).IsEqualTo(0);
    }

    [Test]
    public async Task Patterns_see_through_dispatch_wrappers()
    {
        string[] path = ExecutableResolver.SearchPath();
        await Assert.That(string.Join(',', AllowAlways.Patterns(["env", "A=1", "nice", "-n", "5", "nohup", "id"], null, path))).IsEqualTo(Real("id"));
        await Assert.That(string.Join(',', AllowAlways.Patterns(["timeout", "5", "uname", "-a"], null, path))).IsEqualTo(Real("uname"));
        await Assert.That(AllowAlways.Patterns(["env", "-u", "X", "id"], null, path)).IsEmpty();
        await Assert.That(AllowAlways.Patterns(["xargs", "id"], null, path)).IsEmpty();
        await Assert.That(AllowAlways.Patterns(["env", "sh", "-c", "id"], null, path)).IsEmpty();
    }
}
