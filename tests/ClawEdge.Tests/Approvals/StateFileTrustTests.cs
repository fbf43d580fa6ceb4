using ClawEdge.Exec;
using ClawEdge.Platform.Native;
using ClawEdge.State;
using ClawEdge.Tests.Interop;

namespace ClawEdge.Tests.Approvals;

/// <summary>Issue 10 §4: state files that others can change or redirect fail closed, with the fix in the message.</summary>
public class StateFileTrustTests
{
    [Test]
    [Arguments(0x1B6, "mode 0666", "chmod 600")]
    [Arguments(0x1B0, "mode 0660", "chmod 600")]
    public async Task A_writable_approvals_file_denies_everything_even_under_full(int mode, string what, string fix)
    {
        using var bed = new ExecTestBed("/usr/bin/uname");
        bed.Policy(security: "full");
        await Assert.That((await bed.InvokeAsync(ExecTestBed.Argv("/usr/bin/id"))).Ok).IsTrue();
        File.SetUnixFileMode(bed.Store.FilePath, (UnixFileMode)mode);
        foreach (var argv in new[] { new[] { "/usr/bin/id" }, new[] { "/usr/bin/uname" } })
        {
            var result = await bed.InvokeAsync(ExecTestBed.Argv(argv));
            await Assert.That(result.ErrorCode).IsEqualTo("SYSTEM_RUN_DENIED");
            await Assert.That(result.ErrorMessage!).Contains(what);
            await Assert.That(result.ErrorMessage!).Contains($"{fix} {bed.Store.FilePath}");
        }
        var doctor = new ExecCapability().Doctor(Services(bed.Dir)).Single();
        await Assert.That(doctor.Status).IsEqualTo(ClawEdge.Service.CheckStatus.Fail);
        await Assert.That(doctor.Fix!).Contains($"chmod 600 {bed.Store.FilePath}");
    }

    [Test]
    public async Task A_symlinked_approvals_file_denies_everything()
    {
        using var bed = new ExecTestBed("/usr/bin/uname");
        string elsewhere = Path.Combine(bed.Dir, "elsewhere.json");
        File.Move(bed.Store.FilePath, elsewhere);
        File.CreateSymbolicLink(bed.Store.FilePath, elsewhere);
        var result = await bed.InvokeAsync(ExecTestBed.Argv("/usr/bin/uname"));
        await Assert.That(result.ErrorMessage!).Contains("is a symlink");
        await Assert.That(result.ErrorMessage!).Contains("cp --remove-destination");
        var doctor = new ExecCapability().Doctor(Services(bed.Dir)).Single();
        await Assert.That(doctor.Detail).Contains("is a symlink");
    }

    [Test]
    public async Task A_file_owned_by_another_user_is_refused()
    {
        if (Libc.GetUid() != 0)
            return; // only root can give a file away
        using var bed = new ExecTestBed("/usr/bin/uname");
        await ChildProcess.RunAsync("chown", ["65534", bed.Store.FilePath]);
        var result = await bed.InvokeAsync(ExecTestBed.Argv("/usr/bin/uname"));
        await Assert.That(result.ErrorMessage!).Contains("owned by uid 65534");
        await Assert.That(result.ErrorMessage!).Contains($"chown 0 {bed.Store.FilePath}");
        await Assert.That(StateFileTrust.Check(bed.Store.FilePath)!.What).Contains("owned by uid 65534");
    }

    [Test]
    [Arguments("0644")]
    [Arguments("symlink")]
    public async Task An_identity_others_can_read_or_redirect_is_refused(string kind)
    {
        string dir = Tools.TempDir("identity");
        var state = new StateStore(dir);
        var identity = state.LoadOrCreateIdentity();
        string path = state.PathOf(StateStore.IdentityFileName);
        if (kind == "symlink")
        {
            File.Move(path, path + ".real");
            File.CreateSymbolicLink(path, path + ".real");
        }
        else
            File.SetUnixFileMode(path, (UnixFileMode)0x1A4);
        var e = await Assert.That(() => state.TryLoadIdentity()).Throws<StateException>();
        await Assert.That(e!.Message).Contains("refusing the device identity");
        await Assert.That(e.Message).Contains(kind == "symlink" ? "is a symlink" : "mode 0644");
        await Assert.That(e.Message).Contains(kind == "symlink" ? "cp --remove-destination" : $"chmod 600 {path}");
        var doctor = ClawEdge.Service.Doctor.Identity(state);
        await Assert.That(doctor.Status).IsEqualTo(ClawEdge.Service.CheckStatus.Fail);
        await Assert.That(identity.DeviceId.Length).IsEqualTo(64);
        Directory.Delete(dir, true);
    }

    [Test]
    public async Task A_missing_identity_with_device_tokens_refuses_to_start_and_reset_starts_over()
    {
        string dir = Tools.TempDir("identity");
        var state = new StateStore(dir);
        var identity = state.LoadOrCreateIdentity();
        state.UpdateNode(n =>
        {
            n.DeviceId = identity.DeviceId;
            n.DeviceTokens["ws://gw:18789"] = new DeviceToken { Token = "t" };
        });
        File.Delete(state.PathOf(StateStore.IdentityFileName));

        var fresh = new StateStore(dir);
        var e = await Assert.That(() => fresh.LoadOrCreateIdentity()).Throws<StateException>();
        await Assert.That(e!.Message).Contains($"issued to device {identity.DeviceId}");
        await Assert.That(e.Message).Contains("restore identity.json, or run `clawedge identity reset` to pair as a new device");
        await Assert.That(File.Exists(fresh.PathOf(StateStore.IdentityFileName))).IsFalse();

        await Assert.That(fresh.ResetIdentity()).IsEqualTo(identity.DeviceId);
        var next = new StateStore(dir).LoadOrCreateIdentity();
        await Assert.That(next.DeviceId).IsNotEqualTo(identity.DeviceId);
        Directory.Delete(dir, true);
    }

    private static ClawEdge.Host.NodeServices Services(string stateDir)
        => new() { Options = new ClawEdge.Config.ClawEdgeOptions(), State = new StateStore(stateDir) };
}
