using ClawEdge.Capture.Native;
using ClawEdge.Capture.Screen;
using ClawEdge.Tests.Interop;

using ClawEdge.Platform.Native;

namespace ClawEdge.Tests.Media;

/// <summary>The Wayland wire encoding we write and read, and the socket structs checked against glibc's headers.</summary>
public class WaylandWireTests
{
    [Test]
    public async Task Registry_bind_is_encoded_as_libwayland_does()
    {
        byte[] buffer = new byte[64];
        var message = new WaylandMessage(buffer, 2, 0);
        message.Uint(7);
        message.String("wl_shm"u8);
        message.Uint(1);
        message.Uint(4);
        byte[] wire = message.Finish().ToArray();
        // object 2, size 32 << 16 | opcode 0; name 7; "wl_shm\0" as length 7 + 8 padded bytes; version 1; new id 4.
        byte[] expected =
        [
            2, 0, 0, 0, 0, 0, 32, 0,
            7, 0, 0, 0,
            7, 0, 0, 0, (byte)'w', (byte)'l', (byte)'_', (byte)'s', (byte)'h', (byte)'m', 0, 0,
            1, 0, 0, 0,
            4, 0, 0, 0,
        ];
        await Assert.That(Convert.ToHexString(wire)).IsEqualTo(Convert.ToHexString(expected));
    }

    [Test]
    public async Task A_string_whose_nul_fills_the_word_gets_no_extra_padding()
    {
        byte[] buffer = new byte[32];
        var message = new WaylandMessage(buffer, 1, 3);
        message.String("abc"u8);
        byte[] wire = message.Finish().ToArray();
        await Assert.That(wire.Length).IsEqualTo(16);
        await Assert.That(Convert.ToHexString(wire[4..8])).IsEqualTo("03001000");
        await Assert.That(Convert.ToHexString(wire[8..])).IsEqualTo("0400000061626300");
    }

    [Test]
    public async Task Events_are_read_back_header_and_arguments()
    {
        // A wl_registry.global event as a compositor sends it: name 12, "zwlr_screencopy_manager_v1", version 3.
        byte[] buffer = new byte[96];
        var message = new WaylandMessage(buffer, 2, 0);
        message.Uint(12);
        message.String("zwlr_screencopy_manager_v1"u8);
        message.Uint(3);
        byte[] wire = message.Finish().ToArray();
        var (objectId, opcode, size) = WaylandArgs.Header(wire);
        await Assert.That((objectId, opcode, size)).IsEqualTo((2u, (ushort)0, wire.Length));
        var (name, iface, version) = Read(wire);
        await Assert.That((name, iface, version)).IsEqualTo((12u, "zwlr_screencopy_manager_v1", 3u));
        await Assert.That(() => ReadPastEnd(wire)).Throws<ScreenException>();
    }

    private static (uint, string, uint) Read(byte[] wire)
    {
        var reader = new WaylandArgs(wire.AsSpan(8));
        return (reader.Uint(), System.Text.Encoding.UTF8.GetString(reader.String()), reader.Uint());
    }

    private static uint ReadPastEnd(byte[] wire)
    {
        var reader = new WaylandArgs(wire.AsSpan(8));
        reader.Uint();
        reader.String();
        reader.Uint();
        return reader.Uint();
    }

    [Test]
    public async Task Socket_structs_and_constants_match_glibc()
    {
        string dir = Tools.TempDir("wl-layout");
        try
        {
            string source = Path.Combine(dir, "layout.c");
            await File.WriteAllTextAsync(source, """
                #define _GNU_SOURCE
                #include <stdio.h>
                #include <stddef.h>
                #include <sys/socket.h>
                #include <sys/un.h>
                #include <sys/mman.h>
                #include <sys/uio.h>
                int main(void) {
                  printf("%zu %zu %zu %zu %zu %zu %zu %zu\n", sizeof(struct msghdr), offsetof(struct msghdr, msg_namelen), offsetof(struct msghdr, msg_iov),
                    offsetof(struct msghdr, msg_iovlen), offsetof(struct msghdr, msg_control), offsetof(struct msghdr, msg_controllen), offsetof(struct msghdr, msg_flags), sizeof(struct iovec));
                  struct cmsghdr c;
                  printf("%zu %zu %zu %zu %zu %zu\n", sizeof(struct cmsghdr), offsetof(struct cmsghdr, cmsg_level), offsetof(struct cmsghdr, cmsg_type),
                    (size_t)((unsigned char *)CMSG_DATA(&c) - (unsigned char *)&c), (size_t)CMSG_SPACE(sizeof(int)), (size_t)CMSG_LEN(sizeof(int)));
                  printf("%zu %zu %zu\n", sizeof(struct sockaddr_un), offsetof(struct sockaddr_un, sun_path), sizeof(((struct sockaddr_un *)0)->sun_path));
                  printf("%d %d %d %d %d %d %d %d %u\n", AF_UNIX, SOCK_STREAM, SOCK_CLOEXEC, SOL_SOCKET, SCM_RIGHTS, MSG_DONTWAIT, MSG_NOSIGNAL, MAP_SHARED, MFD_CLOEXEC);
                  return 0;
                }
                """);
            string exe = Path.Combine(dir, "layout");
            var (cc, ccOutput) = await ChildProcess.RunAsync("gcc", [source, "-o", exe]);
            await Assert.That(cc).IsEqualTo(0).Because(ccOutput);
            var (_, output) = await ChildProcess.RunAsync(exe, []);
            await Assert.That(output.Trim()).IsEqualTo(Ours());
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static unsafe string Ours()
    {
        MsgHdr m;
        CmsgHdr c;
        SockAddrUn s;
        static long Off(void* field, void* start) => (byte*)field - (byte*)start;
        return string.Join('\n',
            $"{sizeof(MsgHdr)} {Off(&m.NameLength, &m)} {Off(&m.Iov, &m)} {Off(&m.IovLength, &m)} {Off(&m.Control, &m)} {Off(&m.ControlLength, &m)} {Off(&m.Flags, &m)} {sizeof(IoVec)}",
            $"{sizeof(CmsgHdr)} {Off(&c.Level, &c)} {Off(&c.Type, &c)} {sizeof(CmsgHdr)} {UnixSocket.FdControlSpace} {UnixSocket.FdControlLength}",
            $"{sizeof(SockAddrUn)} {Off(s.Path, &s)} {SockAddrUn.PathLength}",
            $"{UnixSocket.AF_UNIX} {UnixSocket.SOCK_STREAM} {UnixSocket.SOCK_CLOEXEC} {UnixSocket.SOL_SOCKET} {UnixSocket.SCM_RIGHTS} {UnixSocket.MSG_DONTWAIT} {UnixSocket.MSG_NOSIGNAL} {Libc.MAP_SHARED} {UnixSocket.MFD_CLOEXEC}");
    }
}
