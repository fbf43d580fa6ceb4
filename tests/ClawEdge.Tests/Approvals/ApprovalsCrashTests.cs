using System.Diagnostics;
using ClawEdge.Exec;
using ClawEdge.Tests.Interop;

namespace ClawEdge.Tests.Approvals;

/// <summary>
/// The published binary's <c>clawedge approvals allow</c> killed with SIGKILL at random moments, over and
/// over: the approvals file must always parse, and hold every entry whose command reported success.
/// </summary>
public class ApprovalsCrashTests
{
    [Test]
    public async Task Kill_9_during_approvals_writes_never_leaves_a_corrupt_file()
    {
        string state = Tools.TempDir("crash");
        var store = new ExecApprovalsStore(Path.Combine(state, ExecApprovalsStore.FileName));
        var random = new Random(1234);
        var confirmed = new List<string>();
        int killed = 0;
        for (int i = 0; i < 40; i++)
        {
            string pattern = $"/opt/crash/bin/tool{i}";
            var start = new ProcessStartInfo(Tools.BinX64) { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var a in new[] { "approvals", "allow", pattern, "--state-dir", state })
                start.ArgumentList.Add(a);
            using var process = Process.Start(start)!;
            // Most kills land during start-up, read or write; some after the rename.
            Thread.Sleep(random.Next(0, 25));
            if (!process.HasExited)
            {
                process.Kill();
                killed++;
            }
            await process.WaitForExitAsync();
            if (process.ExitCode == 0)
                confirmed.Add(pattern);

            var snapshot = store.Read();
            await Assert.That(snapshot.Corrupt).IsFalse().Because($"after run {i}: {snapshot.Error}");
        }
        var final = store.Read();
        var stored = final.Document.Agent("*")?.Allowlist.Select(e => e.Pattern).ToHashSet() ?? [];
        foreach (var pattern in confirmed)
            await Assert.That(stored).Contains(pattern);
        await Assert.That(killed).IsGreaterThan(0);
        Directory.Delete(state, true);
    }
}
