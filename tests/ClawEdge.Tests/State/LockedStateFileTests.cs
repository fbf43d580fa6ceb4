using System.Text;
using ClawEdge.State;

namespace ClawEdge.Tests.State;

public class LockedStateFileTests
{
    [Test]
    public async Task Concurrent_updates_through_separate_descriptors_lose_no_change()
    {
        // flock excludes per open file description, so threads of one process contend exactly as processes do.
        string path = Path.Combine(Interop.Tools.TempDir("locked"), "counter.json");
        const int Writers = 6, Each = 40;
        var writers = Enumerable.Range(0, Writers).Select(_ => Task.Run(() =>
        {
            var file = new LockedStateFile(path);
            for (int i = 0; i < Each; i++)
                file.Update(bytes => Encoding.ASCII.GetBytes((bytes is null ? 1 : int.Parse(Encoding.ASCII.GetString(bytes)) + 1).ToString()));
        })).ToArray();
        await Task.WhenAll(writers);
        await Assert.That(Encoding.ASCII.GetString(File.ReadAllBytes(path))).IsEqualTo((Writers * Each).ToString());
        await Assert.That(File.GetUnixFileMode(path)).IsEqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }

    [Test]
    public async Task A_change_that_throws_or_declines_writes_nothing()
    {
        string path = Path.Combine(Interop.Tools.TempDir("locked"), "state.json");
        var file = new LockedStateFile(path);
        await Assert.That(file.Update(_ => null)).IsNull();
        await Assert.That(File.Exists(path)).IsFalse();
        file.Update(_ => "one"u8.ToArray());
        Assert.Throws<InvalidOperationException>(() => file.Update(_ => throw new InvalidOperationException("no")));
        await Assert.That(File.ReadAllText(path)).IsEqualTo("one");
        await Assert.That(string.Join(",", Directory.GetFiles(Path.GetDirectoryName(path)!).Select(Path.GetFileName).Order(StringComparer.Ordinal)))
            .IsEqualTo(".state.json.lock,state.json");
    }

    [Test]
    public async Task A_pin_set_by_another_process_survives_the_nodes_status_writes()
    {
        // The bug of issue 9: the node's store cached node.json and wrote its stale copy over `clawedge pin`.
        string dir = Interop.Tools.TempDir("locked");
        var node = new StateStore(dir);
        node.UpdateNode(n => n.LastConnect = new ConnectStatus { State = "connected" });
        var pinCommand = new StateStore(dir);
        pinCommand.UpdateNode(n => n.PinnedFingerprint = new string('b', 64));
        node.UpdateNode(n => n.LastConnect = new ConnectStatus { State = "disconnected" });
        var onDisk = new StateStore(dir).LoadNode();
        await Assert.That(onDisk.PinnedFingerprint).IsEqualTo(new string('b', 64));
        await Assert.That(onDisk.LastConnect!.State).IsEqualTo("disconnected");
        await Assert.That(node.LoadNode().PinnedFingerprint).IsEqualTo(new string('b', 64));
    }

    [Test]
    public async Task A_node_file_that_does_not_parse_is_never_replaced()
    {
        string dir = Interop.Tools.TempDir("locked");
        var store = new StateStore(dir);
        store.EnsureDirectory();
        File.WriteAllText(store.PathOf(StateStore.NodeFileName), "{ not json");
        Assert.Throws<StateException>(() => store.UpdateNode(n => n.PinnedFingerprint = null));
        await Assert.That(File.ReadAllText(store.PathOf(StateStore.NodeFileName))).IsEqualTo("{ not json");
    }
}
