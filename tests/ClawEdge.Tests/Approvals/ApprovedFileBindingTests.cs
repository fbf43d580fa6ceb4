using System.Text.Json.Nodes;
using ClawEdge.Exec;

namespace ClawEdge.Tests.Approvals;

/// <summary>
/// Issue 10 §1: an approval is bound to the files that run. Real prepare and run handlers, real files,
/// real processes; every swap targets a marker that must not appear.
/// </summary>
[NotInParallel(nameof(ApprovedFiles.AfterVerify))]
public class ApprovedFileBindingTests
{
    private static string Script(ExecTestBed bed, string name, string body)
    {
        string path = Path.Combine(bed.Dir, name);
        File.WriteAllText(path, $"#!/bin/sh\n{body}\n");
        File.SetUnixFileMode(path, (UnixFileMode)0x1ED);
        return path;
    }

    // Replace by rename, the way an attacker swaps a file atomically.
    private static void SwapByRename(string path, string body)
    {
        string tmp = path + ".new";
        File.WriteAllText(tmp, $"#!/bin/sh\n{body}\n");
        File.SetUnixFileMode(tmp, (UnixFileMode)0x1ED);
        File.Move(tmp, path, overwrite: true);
    }

    [Test]
    public async Task Prepare_binds_the_plan_to_the_script_operand_like_the_reference()
    {
        using var bed = new ExecTestBed();
        string script = Script(bed, "s.sh", "echo A");
        var run = await bed.PrepareApprovedAsync(["/bin/sh", script], cwd: bed.Dir);
        var operand = run["systemRunPlan"]!["mutableFileOperand"]!;
        await Assert.That((int)operand["argvIndex"]!).IsEqualTo(1);
        await Assert.That((string?)operand["path"]).IsEqualTo(script);
        string sha = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(script)));
        await Assert.That((string?)operand["sha256"]).IsEqualTo(sha);
    }

    [Test]
    public async Task A_script_swapped_after_approval_is_denied_and_the_exec_event_records_it()
    {
        using var bed = new ExecTestBed();
        bed.Policy(security: "allowlist", ask: "on-miss");
        string script = Script(bed, "s.sh", "echo A");
        var run = await bed.PrepareApprovedAsync([script], cwd: bed.Dir);
        SwapByRename(script, $"touch {bed.Marker()}");
        var result = await bed.InvokeAsync(run);
        await Assert.That(result.ErrorCode).IsEqualTo("SYSTEM_RUN_DENIED");
        await Assert.That(result.ErrorMessage!).Contains("approved file changed since approval");
        await Assert.That(result.ErrorMessage!).Contains(script);
        await Assert.That(File.Exists(bed.Marker())).IsFalse();
        var (name, ev) = bed.Events.Last();
        await Assert.That(name).IsEqualTo("exec.denied");
        await Assert.That((string?)ev["reason"]).IsEqualTo("approved-file-changed");
    }

    [Test]
    public async Task The_script_operand_of_an_interpreter_is_bound_too()
    {
        using var bed = new ExecTestBed();
        bed.Policy(security: "allowlist", ask: "on-miss");
        string script = Script(bed, "s.sh", "echo A");
        var run = await bed.PrepareApprovedAsync(["sh", "s.sh"], cwd: bed.Dir);
        var ok = await bed.InvokeAsync(run);
        await Assert.That((string?)ExecTestBed.Payload(ok)["stdout"]).IsEqualTo("A\n");

        SwapByRename(script, $"touch {bed.Marker()}");
        var swapped = await bed.InvokeAsync(run);
        await Assert.That(swapped.ErrorMessage!).Contains("approved file changed since approval");
        await Assert.That(File.Exists(bed.Marker())).IsFalse();

        // Rewritten in place (same inode) after a fresh approval is a change as well.
        SwapByRename(script, "echo A");
        var fresh = await bed.PrepareApprovedAsync(["sh", "s.sh"], cwd: bed.Dir);
        await Assert.That((await bed.InvokeAsync(fresh)).Ok).IsTrue();
        File.WriteAllText(script, $"#!/bin/sh\ntouch {bed.Marker()}\n");
        var rewritten = await bed.InvokeAsync(fresh);
        await Assert.That(rewritten.ErrorMessage!).Contains("its content was rewritten");
        await Assert.That(File.Exists(bed.Marker())).IsFalse();
    }

    [Test]
    [Arguments(true)]
    [Arguments(false)]
    public async Task A_swap_between_the_check_and_the_exec_cannot_change_what_runs(bool scriptOperand)
    {
        using var bed = new ExecTestBed();
        bed.Policy(security: "allowlist", ask: "on-miss");
        string script = Script(bed, "s.sh", "echo A");
        var run = await bed.PrepareApprovedAsync(scriptOperand ? ["/bin/sh", script] : [script], cwd: bed.Dir);
        // The hook runs after the descriptors were verified and before the child starts: the worst moment.
        ApprovedFiles.AfterVerify = _ => SwapByRename(script, $"touch {bed.Marker()}; echo B");
        try
        {
            var result = await bed.InvokeAsync(run);
            await Assert.That(result.Ok).IsTrue().Because(result.ErrorMessage ?? "");
            await Assert.That((string?)ExecTestBed.Payload(result)["stdout"]).IsEqualTo("A\n");
        }
        finally
        {
            ApprovedFiles.AfterVerify = null;
        }
        await Assert.That(File.Exists(bed.Marker())).IsFalse();
        // The path now names the new file: the next run of the same approval is refused.
        var again = await bed.InvokeAsync(run);
        await Assert.That(again.ErrorMessage!).Contains("approved file changed since approval");
    }

    [Test]
    public async Task A_tight_loop_of_swaps_never_runs_the_other_script()
    {
        using var bed = new ExecTestBed();
        bed.Policy(security: "allowlist", ask: "on-miss");
        string script = Script(bed, "s.sh", "echo A");
        string good = Path.Combine(bed.Dir, "good"), evil = Path.Combine(bed.Dir, "evil");
        File.Copy(script, good);
        File.WriteAllText(evil, $"#!/bin/sh\ntouch {bed.Marker()}\n");
        File.SetUnixFileMode(evil, (UnixFileMode)0x1ED);
        var run = await bed.PrepareApprovedAsync(["/bin/sh", script], cwd: bed.Dir);
        using var stop = new CancellationTokenSource();
        var swapper = Task.Run(() =>
        {
            for (long i = 0; !stop.IsCancellationRequested; i++)
            {
                string tmp = script + ".t";
                File.Copy(i % 2 == 0 ? evil : good, tmp, overwrite: true);
                File.Move(tmp, script, overwrite: true);
            }
        });
        int ran = 0, denied = 0;
        for (int i = 0; i < 60; i++)
        {
            var result = await bed.InvokeAsync(run);
            if (result.Ok)
            {
                ran++;
                await Assert.That((string?)ExecTestBed.Payload(result)["stdout"]).IsEqualTo("A\n");
            }
            else
            {
                denied++;
                await Assert.That(result.ErrorMessage!).Contains("approved file changed since approval");
            }
        }
        stop.Cancel();
        await swapper;
        await Assert.That(File.Exists(bed.Marker())).IsFalse().Because($"{ran} ran, {denied} denied");
        await Assert.That(ran + denied).IsEqualTo(60);
    }

    [Test]
    public async Task An_approval_without_a_file_binding_is_refused()
    {
        using var bed = new ExecTestBed();
        bed.Policy(ask: "always");
        var run = ExecTestBed.Argv("/usr/bin/uname", "-s");
        run["approved"] = true;
        run["systemRunPlan"] = new JsonObject { ["argv"] = new JsonArray("/usr/bin/uname", "-s"), ["commandText"] = "/usr/bin/uname -s" };
        var result = await bed.InvokeAsync(run);
        await Assert.That(result.ErrorCode).IsEqualTo("SYSTEM_RUN_DENIED");
        await Assert.That(result.ErrorMessage!).Contains("mutableFileOperand");
    }

    [Test]
    [Arguments(0x1FD, "group-writable")]
    [Arguments(0x1EF, "world-writable")]
    public async Task An_allowlisted_program_others_can_write_is_refused(int mode, string why)
    {
        using var bed = new ExecTestBed();
        string script = Script(bed, "tool.sh", "echo ran");
        bed.Allow(script);
        await Assert.That((string?)ExecTestBed.Payload(await bed.InvokeAsync(ExecTestBed.Argv(script)))["stdout"]).IsEqualTo("ran\n");
        File.SetUnixFileMode(script, (UnixFileMode)mode);
        var result = await bed.InvokeAsync(ExecTestBed.Argv(script));
        await Assert.That(result.ErrorCode).IsEqualTo("SYSTEM_RUN_DENIED");
        await Assert.That(result.ErrorMessage!).Contains(why);
        await Assert.That(result.ErrorMessage!).Contains($"chmod go-w {script}");
    }
}
