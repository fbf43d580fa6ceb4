using System.Net.Sockets;
using ClawEdge.Capture.Screen;

namespace ClawEdge.Tests.Media;

/// <summary>
/// A compositor without wlr-screencopy (weston, GNOME, KDE): a scripted Unix-socket peer that announces only
/// <c>wl_shm</c> and <c>wl_output</c>, as such a compositor's registry does. Unit test of our registry handling.
/// </summary>
public class WaylandRegistryTests
{
    [Test]
    public async Task A_compositor_without_screencopy_is_unavailable()
    {
        string dir = Fixtures.TempDir("wl-fake");
        string path = Path.Combine(dir, "wayland-9");
        try
        {
            using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            listener.Bind(new UnixDomainSocketEndPoint(path));
            listener.Listen(1);
            var peer = Task.Run(async () =>
            {
                using var client = await listener.AcceptAsync();
                // get_registry(new id 2) and sync(new id 3): two 12-byte requests.
                byte[] requests = new byte[24];
                for (int read = 0; read < requests.Length;)
                    read += await client.ReceiveAsync(requests.AsMemory(read));
                byte[] reply = Events();
                await client.SendAsync(reply);
                await Task.Delay(2000); // keep the connection open while the client decides
            });
            var error = await Assert.That(() => WaylandScreenCapture.Open(path, 0)).Throws<ScreenException>();
            await Assert.That(error!.Error).IsEqualTo(ScreenError.Unavailable);
            await Assert.That(error.Message).Contains("no zwlr_screencopy_manager_v1");
            await peer;
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static byte[] Events()
    {
        var stream = new MemoryStream();
        byte[] buffer = new byte[64];
        void Global(uint name, ReadOnlySpan<byte> iface, uint version)
        {
            var message = new WaylandMessage(buffer, 2, 0); // wl_registry.global
            message.Uint(name);
            message.String(iface);
            message.Uint(version);
            stream.Write(message.Finish());
        }
        Global(1, "wl_shm"u8, 1);
        Global(2, "wl_output"u8, 4);
        Global(3, "wl_compositor"u8, 6);
        var done = new WaylandMessage(buffer, 3, 0); // wl_callback.done(serial)
        done.Uint(1);
        stream.Write(done.Finish());
        var deleteId = new WaylandMessage(buffer, 1, 1); // wl_display.delete_id(3)
        deleteId.Uint(3);
        stream.Write(deleteId.Finish());
        return stream.ToArray();
    }
}
