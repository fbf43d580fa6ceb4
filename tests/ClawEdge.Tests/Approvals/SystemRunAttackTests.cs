using System.Diagnostics;
using System.Text.Json.Nodes;
using ClawEdge.Exec;

using ClawEdge.Platform;

using ClawEdge.Processes;

namespace ClawEdge.Tests.Approvals;

/// <summary>
/// The attack list of issue 3 against the real <see cref="SystemRunCommand"/>, real processes and a real
/// approvals file. Every smuggling attempt targets a marker file that must not appear.
/// </summary>
public class SystemRunAttackTests
{
    [Test]
    public async Task Allowed_program_runs_and_reports_like_the_reference_host()
    {
        using var bed = new ExecTestBed("/usr/bin/uname");
        var args = ExecTestBed.Argv("/usr/bin/uname", "-s");
        args["cwd"] = "/tmp";
        args["runId"] = "run-1";
        args["sessionKey"] = "agent:main:main";
        var result = await bed.InvokeAsync(args);
        var payload = ExecTestBed.Payload(result);
        // Same keys and values as trace 06 (`/usr/bin/uname -s` on the reference host).
        await Assert.That(payload.ToJsonString()).IsEqualTo("""{"exitCode":0,"timedOut":false,"success":true,"stdout":"Linux\n","stderr":"","error":null}""");
        var (name, ev) = bed.Events.Single();
        await Assert.That(name).IsEqualTo("exec.finished");
        await Assert.That((string?)ev["runId"]).IsEqualTo("run-1");
        await Assert.That((string?)ev["sessionKey"]).IsEqualTo("agent:main:main");
        await Assert.That((string?)ev["command"]).IsEqualTo("/usr/bin/uname -s");
        await Assert.That((string?)ev["output"]).IsEqualTo("Linux");
    }

    [Test]
    public async Task Denial_names_the_program_and_the_command_that_would_allow_it_and_nothing_starts()
    {
        using var bed = new ExecTestBed("/usr/bin/uname");
        string marker = bed.Marker();
        var result = await bed.InvokeAsync(ExecTestBed.Argv("touch", marker));
        await Assert.That(result.ErrorCode).IsEqualTo("SYSTEM_RUN_DENIED");
        string touch = ExecutableResolver.Resolve("touch", null, ExecutableResolver.SearchPath())!.RealPath;
        await Assert.That(result.ErrorMessage!).StartsWith("SYSTEM_RUN_DENIED: allowlist miss");
        await Assert.That(result.ErrorMessage!).Contains($"openclaw approvals allowlist add --node node-under-test \"{touch}\"");
        await Assert.That(result.ErrorMessage!).Contains($"clawedge approvals allow {touch}");
        await Assert.That(File.Exists(marker)).IsFalse();
        var (name, ev) = bed.Events.Single();
        await Assert.That(name).IsEqualTo("exec.denied");
        await Assert.That((string?)ev["reason"]).IsEqualTo("allowlist-miss");
        await Assert.That((string?)ev["sessionKey"]).IsEqualTo("node");
    }

    [Test]
    [Arguments("/usr/bin/uname; touch {m}", "uname;")]
    [Arguments("/usr/bin/uname && touch {m}", "&&")]
    [Arguments("/usr/bin/uname || touch {m}", "||")]
    [Arguments("/usr/bin/uname | touch {m}", "pipe")]
    [Arguments("/usr/bin/uname `touch {m}`", "backticks")]
    [Arguments("/usr/bin/uname \"`touch {m}`\"", "backticks in double quotes")]
    [Arguments("/usr/bin/uname $(touch {m})", "$()")]
    [Arguments("/usr/bin/uname \"$(touch {m})\"", "$() in double quotes")]
    [Arguments("/usr/bin/uname\ntouch {m}", "newline")]
    [Arguments("/usr/bin/uname > {m}", "redirect")]
    [Arguments("/usr/bin/uname & touch {m}", "background")]
    [Arguments("(touch {m})", "subshell")]
    [Arguments("X=1 touch {m}", "assignment")]
    [Arguments("eval touch {m}", "eval")]
    [Arguments("/usr/bin/uname \\\ntouch {m}", "line continuation")]
    public async Task Shell_payload_smuggling_is_denied_before_anything_runs(string template, string label)
    {
        using var bed = new ExecTestBed("/usr/bin/uname");
        string marker = bed.Marker();
        string script = template.Replace("{m}", marker);
        var args = ExecTestBed.Argv("/bin/sh", "-c", script);
        args["rawCommand"] = script;
        var result = await bed.InvokeAsync(args);
        await Assert.That(result.ErrorCode).IsEqualTo("SYSTEM_RUN_DENIED").Because(label);
        await Assert.That(result.ErrorMessage!).StartsWith("SYSTEM_RUN_DENIED: allowlist miss");
        await Assert.That(File.Exists(marker)).IsFalse();
    }

    [Test]
    public async Task A_chain_runs_when_every_segment_is_allowed()
    {
        using var bed = new ExecTestBed("/usr/bin/uname", "/usr/bin/touch");
        string marker = bed.Marker();
        var result = await bed.InvokeAsync(ExecTestBed.Argv("/bin/sh", "-lc", $"uname -s && touch '{marker}' ; uname -s | /usr/bin/uname"));
        await Assert.That(result.Ok).IsTrue();
        await Assert.That((string?)ExecTestBed.Payload(result)["stdout"]).IsEqualTo("Linux\nLinux\n");
        await Assert.That(File.Exists(marker)).IsTrue();
    }

    [Test]
    public async Task Shell_syntax_inside_an_argv_argument_stays_a_literal_argument()
    {
        using var bed = new ExecTestBed("/usr/bin/echo");
        string marker = bed.Marker();
        string[] payloads = [$"a; touch {marker}", $"$(touch {marker})", $"`touch {marker}`", $"x && touch {marker}", $"x\ntouch {marker}", $"| touch {marker}"];
        foreach (var p in payloads)
        {
            var result = await bed.InvokeAsync(ExecTestBed.Argv("/usr/bin/echo", p));
            await Assert.That((string?)ExecTestBed.Payload(result)["stdout"]).IsEqualTo(p + "\n");
        }
        await Assert.That(File.Exists(marker)).IsFalse();
    }

    [Test]
    public async Task A_name_shadowed_by_an_earlier_PATH_entry_does_not_match_a_path_pattern()
    {
        using var bed = new ExecTestBed("/usr/bin/uname");
        string shadow = Directory.CreateDirectory(Path.Combine(bed.Dir, "shadow")).FullName;
        string fake = Path.Combine(shadow, "uname");
        File.WriteAllText(fake, $"#!/bin/sh\ntouch {bed.Marker()}\n");
        File.SetUnixFileMode(fake, (UnixFileMode)0x1ED);
        var policy = EffectiveExecPolicy.Resolve(bed.Store.Read(), null);
        string[] path = [shadow, .. ExecutableResolver.SearchPath()];
        var decision = ExecApprovalEvaluator.Evaluate(new ExecRequestView(["uname", "-s"], null, false, "n", bed.Store.FilePath), policy, path);
        await Assert.That(decision.Allowed).IsFalse();
        await Assert.That(decision.Message!).Contains($"{fake} (from \"uname\") is not in the allowlist");
        // Without the shadow the same request is allowed and pinned to the real file.
        var clean = ExecApprovalEvaluator.Evaluate(new ExecRequestView(["uname", "-s"], null, false, "n", bed.Store.FilePath), policy, ExecutableResolver.SearchPath());
        await Assert.That(clean.Allowed).IsTrue();
        await Assert.That(clean.Executable!.RealPath).IsEqualTo(ExecutableResolver.RealPath("/usr/bin/uname"));
    }

    [Test]
    public async Task A_symlink_swapped_after_approval_no_longer_matches()
    {
        using var bed = new ExecTestBed(ExecutableResolver.RealPath("/usr/bin/uname")!);
        string link = Path.Combine(bed.Dir, "tool");
        File.CreateSymbolicLink(link, "/usr/bin/uname");
        var ok = await bed.InvokeAsync(ExecTestBed.Argv(link, "-s"));
        await Assert.That((string?)ExecTestBed.Payload(ok)["stdout"]).IsEqualTo("Linux\n");

        string evil = Path.Combine(bed.Dir, "evil.sh");
        File.WriteAllText(evil, $"#!/bin/sh\ntouch {bed.Marker()}\n");
        File.SetUnixFileMode(evil, (UnixFileMode)0x1ED);
        File.Delete(link);
        File.CreateSymbolicLink(link, evil);
        var swapped = await bed.InvokeAsync(ExecTestBed.Argv(link, "-s"));
        await Assert.That(swapped.ErrorCode).IsEqualTo("SYSTEM_RUN_DENIED");
        await Assert.That(swapped.ErrorMessage!).Contains(evil);
        await Assert.That(File.Exists(bed.Marker())).IsFalse();
    }

    [Test]
    public async Task Dangerous_environment_overrides_are_refused_with_the_reference_message()
    {
        using var bed = new ExecTestBed("/usr/bin/printenv");
        // Trace 06: {"LD_PRELOAD":"/x.so","FOO":"bar"} → exactly this message, code INVALID_REQUEST.
        var args = ExecTestBed.Argv("/usr/bin/printenv");
        args["env"] = new JsonObject { ["LD_PRELOAD"] = "/x.so", ["FOO"] = "bar" };
        var preload = await bed.InvokeAsync(args);
        await Assert.That(preload.ErrorCode).IsEqualTo("INVALID_REQUEST");
        await Assert.That(preload.ErrorMessage).IsEqualTo("SYSTEM_RUN_DENIED: environment override rejected (blocked override keys: LD_PRELOAD)");

        args["env"] = new JsonObject { ["PATH"] = "/tmp/evil:/usr/bin", ["NODE_OPTIONS"] = "--require x", ["ld_audit"] = "x", ["BAD-KEY"] = "1" };
        var path = await bed.InvokeAsync(args);
        await Assert.That(path.ErrorMessage).IsEqualTo("SYSTEM_RUN_DENIED: environment override rejected (blocked override keys: LD_AUDIT, NODE_OPTIONS, PATH; invalid non-portable override keys: BAD-KEY)");

        args["env"] = new JsonObject { ["FOO"] = "bar" };
        var fine = await bed.InvokeAsync(args);
        await Assert.That((string?)ExecTestBed.Payload(fine)["stdout"]).Contains("FOO=bar\n");
    }

    [Test]
    public async Task Shell_wrappers_only_take_locale_and_colour_overrides()
    {
        using var bed = new ExecTestBed("/usr/bin/printenv");
        var args = ExecTestBed.Argv("/bin/sh", "-c", "printenv");
        args["env"] = new JsonObject { ["FOO"] = "bar", ["LANG"] = "C.UTF-8" };
        var result = await bed.InvokeAsync(args);
        string stdout = (string)ExecTestBed.Payload(result)["stdout"]!;
        await Assert.That(stdout).Contains("LANG=C.UTF-8\n");
        await Assert.That(stdout).DoesNotContain("FOO=bar");
    }

    [Test]
    public async Task A_child_flooding_stdout_is_capped_and_killed_at_its_timeout()
    {
        using var bed = new ExecTestBed("/usr/bin/yes");
        var args = ExecTestBed.Argv("/usr/bin/yes", "flood");
        args["timeoutMs"] = 1500;
        var result = await bed.InvokeAsync(args);
        var payload = ExecTestBed.Payload(result);
        await Assert.That((bool)payload["timedOut"]!).IsTrue();
        await Assert.That((int)payload["exitCode"]!).IsEqualTo(124);
        string stdout = (string)payload["stdout"]!;
        await Assert.That(stdout).EndsWith("\n... (truncated)");
        await Assert.That(stdout.Length).IsEqualTo(ProcessGroupRunner.OutputCapBytes + "\n... (truncated)".Length);
    }

    [Test]
    public async Task Reading_a_flood_allocates_only_the_capped_output()
    {
        // The runner pumps on the calling thread, so this thread's allocations are all of its allocations.
        var launch = new ExecLaunch("/usr/bin/yes", ["yes", "flood"], null, ExecEnvironment.Build(null, false), 1000);
        ProcessGroupRunner.Run(launch with { TimeoutMs = 50 }, CancellationToken.None); // warm up pools and code
        long before = GC.GetAllocatedBytesForCurrentThread();
        var outcome = ProcessGroupRunner.Run(launch, CancellationToken.None);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        await Assert.That(outcome.Truncated).IsTrue();
        await Assert.That(outcome.TimedOut).IsTrue();
        // Hundreds of MB went through the pipe in that second; kept: two 200 kB strings and bookkeeping.
        await Assert.That(allocated).IsLessThan(1024 * 1024);
    }

    [Test]
    public async Task A_grandchild_left_behind_is_killed_with_its_group()
    {
        using var bed = new ExecTestBed();
        string pidFile = bed.Marker("grandchild.pid");
        string script = Path.Combine(bed.Dir, "spawn.sh");
        File.WriteAllText(script, $"#!/bin/sh\nsleep 300 &\necho $! > {pidFile}\necho started\nexit 0\n");
        File.SetUnixFileMode(script, (UnixFileMode)0x1ED);
        bed.Allow(script);
        var watch = Stopwatch.StartNew();
        var result = await bed.InvokeAsync(ExecTestBed.Argv(script));
        await Assert.That((string?)ExecTestBed.Payload(result)["stdout"]).IsEqualTo("started\n");
        await Assert.That(watch.Elapsed).IsLessThan(TimeSpan.FromSeconds(10));
        int pid = int.Parse(File.ReadAllText(pidFile).Trim());
        await Assert.That(await GoneAsync(pid)).IsTrue();
    }

    [Test]
    public async Task Cancellation_kills_the_whole_group_and_reaps_the_child()
    {
        string dir = Interop.Tools.TempDir("cancel");
        string pidFile = Path.Combine(dir, "pid");
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
        var launch = new ExecLaunch("/bin/sh", ["sh", "-c", $"sleep 300 & echo $! > {pidFile}; wait"], null, ExecEnvironment.Build(null, true), null);
        var watch = Stopwatch.StartNew();
        var outcome = ProcessGroupRunner.Run(launch, cts.Token);
        await Assert.That(outcome.Cancelled).IsTrue();
        await Assert.That(watch.Elapsed).IsLessThan(TimeSpan.FromSeconds(5));
        await Assert.That(await GoneAsync(int.Parse(File.ReadAllText(pidFile).Trim()))).IsTrue();
        Directory.Delete(dir, true);
    }

    [Test]
    public async Task The_invoke_deadline_stops_a_run_whose_own_timeout_is_huge()
    {
        using var bed = new ExecTestBed("/usr/bin/sleep");
        var args = ExecTestBed.Argv("/usr/bin/sleep", "300");
        args["timeoutMs"] = 1e15;
        var watch = Stopwatch.StartNew();
        var result = await bed.InvokeAsync(args, timeoutMs: 700);
        await Assert.That(result.ErrorCode).IsEqualTo("TIMEOUT");
        await Assert.That(watch.Elapsed).IsLessThan(TimeSpan.FromSeconds(5));
    }

    [Test]
    public async Task A_timeout_of_zero_means_no_timeout_like_the_reference()
    {
        using var bed = new ExecTestBed("/usr/bin/sleep");
        var args = ExecTestBed.Argv("/usr/bin/sleep", "0.3");
        args["timeoutMs"] = 0;
        var payload = ExecTestBed.Payload(await bed.InvokeAsync(args));
        await Assert.That((bool)payload["timedOut"]!).IsFalse();
        await Assert.That((int)payload["exitCode"]!).IsEqualTo(0);
    }

    [Test]
    public async Task A_ten_megabyte_argument_is_a_spawn_error_not_a_crash()
    {
        using var bed = new ExecTestBed("/usr/bin/echo");
        var result = await bed.InvokeAsync(ExecTestBed.Argv("/usr/bin/echo", new string('a', 10 * 1024 * 1024)));
        var payload = ExecTestBed.Payload(result);
        await Assert.That((bool)payload["success"]!).IsFalse();
        await Assert.That((string?)payload["error"]).Contains("E2BIG");
        await Assert.That(payload["exitCode"]).IsNull();
    }

    [Test]
    public async Task Invalid_utf8_in_output_and_arguments_stays_valid_json()
    {
        using var bed = new ExecTestBed("/usr/bin/printf", "/usr/bin/echo");
        var bytes = ExecTestBed.Payload(await bed.InvokeAsync(ExecTestBed.Argv("/usr/bin/printf", "\\377\\376ok")));
        await Assert.That((string?)bytes["stdout"]).IsEqualTo("\uFFFD\uFFFDok");
        // A lone surrogate escape in the request's JSON cannot become a C string: a clear INVALID_REQUEST.
        var result = await bed.InvokeRawAsync("{\"command\":[\"/usr/bin/echo\",\"\\udc80x\"]}");
        await Assert.That(result.ErrorCode).IsEqualTo("INVALID_REQUEST");
        var nul = await bed.InvokeRawAsync("{\"command\":[\"/usr/bin/echo\",\"a\\u0000b\"]}");
        await Assert.That(nul.ErrorCode).IsEqualTo("INVALID_REQUEST");
    }

    [Test]
    public async Task Raw_command_must_match_the_argv()
    {
        using var bed = new ExecTestBed("/usr/bin/uname");
        var args = ExecTestBed.Argv("/usr/bin/uname", "-s");
        args["rawCommand"] = "/usr/bin/uname -a; touch /tmp/x";
        var result = await bed.InvokeAsync(args);
        await Assert.That(result.ErrorMessage).IsEqualTo("INVALID_REQUEST: rawCommand does not match command");
        await Assert.That((await bed.InvokeAsync(new JsonObject())).ErrorMessage).IsEqualTo("command required");
    }

    [Test]
    public async Task Security_deny_ask_always_and_gateway_approvals_follow_the_reference_policy()
    {
        using var bed = new ExecTestBed("/usr/bin/uname");
        bed.Policy(security: "deny");
        var denied = await bed.InvokeAsync(ExecTestBed.Argv("/usr/bin/uname"));
        await Assert.That(denied.ErrorMessage!).StartsWith("SYSTEM_RUN_DISABLED: security=deny");

        bed.Policy(security: "allowlist", ask: "always");
        var ask = await bed.InvokeAsync(ExecTestBed.Argv("/usr/bin/uname"));
        await Assert.That(ask.ErrorMessage!).StartsWith("SYSTEM_RUN_DENIED: approval required");
        await Assert.That((string?)bed.Events.Last().Payload["reason"]).IsEqualTo("approval-required");

        // A gateway-approved run carries the plan it was approved for; a different command is refused.
        var approved = await bed.PrepareApprovedAsync(["/usr/bin/uname", "-s"]);
        await Assert.That((string?)ExecTestBed.Payload(await bed.InvokeAsync(approved))["stdout"]).IsEqualTo("Linux\n");
        approved["command"] = new JsonArray("/usr/bin/uname", "-a");
        approved.Remove("rawCommand");
        var mismatch = await bed.InvokeAsync(approved);
        await Assert.That(mismatch.ErrorMessage).IsEqualTo("explicit approval requires matching systemRunPlan");
    }

    [Test]
    public async Task Carriers_that_run_other_commands_are_not_allowlistable_by_themselves()
    {
        using var bed = new ExecTestBed("/usr/bin/env", "/usr/bin/find");
        string marker = bed.Marker();
        var env = await bed.InvokeAsync(ExecTestBed.Argv("/usr/bin/env", "touch", marker));
        await Assert.That(env.ErrorCode).IsEqualTo("SYSTEM_RUN_DENIED");
        var find = await bed.InvokeAsync(ExecTestBed.Argv("/usr/bin/find", "/tmp", "-maxdepth", "0", "-exec", "touch", marker, ";"));
        await Assert.That(find.ErrorCode).IsEqualTo("SYSTEM_RUN_DENIED");
        await Assert.That(File.Exists(marker)).IsFalse();
    }

    private static async Task<bool> GoneAsync(int pid)
    {
        for (int i = 0; i < 50; i++)
        {
            string stat = $"/proc/{pid}/stat";
            if (!File.Exists(stat))
                return true;
            try
            {
                string text = File.ReadAllText(stat);
                if (text[(text.LastIndexOf(')') + 2)..].StartsWith('Z'))
                    return true; // dead, waiting for its (new) parent to reap it
            }
            catch (IOException)
            {
                return true;
            }
            await Task.Delay(100);
        }
        return false;
    }
}
