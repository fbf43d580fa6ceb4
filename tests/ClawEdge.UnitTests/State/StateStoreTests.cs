using ClawEdge.State;

namespace ClawEdge.Tests.State;

public class StateStoreTests
{
    [Test]
    public async Task Identity_is_created_once_private_and_reloaded_identically()
    {
        var store = new StateStore(Path.Combine(Fixtures.TempDir("st"), "state"));
        var first = store.LoadOrCreateIdentity();
        var second = new StateStore(store.StateDirectory).LoadOrCreateIdentity();
        await Assert.That(second.DeviceId).IsEqualTo(first.DeviceId);
        await Assert.That(File.GetUnixFileMode(store.StateDirectory)).IsEqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        await Assert.That(File.GetUnixFileMode(store.PathOf(StateStore.IdentityFileName))).IsEqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        await Assert.That(Directory.GetFiles(store.StateDirectory).Select(Path.GetFileName)).DoesNotContain(n => n!.EndsWith(".tmp"));
    }

    [Test]
    public async Task A_corrupt_identity_is_an_error_not_a_new_device()
    {
        var store = new StateStore(Fixtures.TempDir("st"));
        var original = store.LoadOrCreateIdentity();
        File.WriteAllText(store.PathOf(StateStore.IdentityFileName), "{\"version\":1,\"seed\":\"short\"}");
        var error = Assert.Throws<StateException>(() => store.LoadOrCreateIdentity());
        await Assert.That(error.Message).Contains("Move it away");
        File.WriteAllText(store.PathOf(StateStore.IdentityFileName), "{garbage");
        Assert.Throws<StateException>(() => store.LoadOrCreateIdentity());
        _ = original;
    }

    [Test]
    public async Task Atomic_write_replaces_whole_content_with_0600()
    {
        string dir = Fixtures.TempDir("st");
        string path = Path.Combine(dir, "f.json");
        File.WriteAllText(path, new string('x', 5000));
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);
        AtomicFile.WriteText(path, "{}");
        await Assert.That(File.ReadAllText(path)).IsEqualTo("{}");
        await Assert.That(File.GetUnixFileMode(path)).IsEqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }
}
