using System.Runtime.InteropServices;
using ClawEdge.Platform.Native;
using ClawEdge.Tests.Interop;

namespace ClawEdge.Tests.Device;

/// <summary>The managed <c>struct statvfs</c> against &lt;sys/statvfs.h&gt; as gcc lays it out for x86-64 and arm64.</summary>
public class StatvfsLayoutTests
{
    private const string Program = """
        #include <stdio.h>
        #include <stddef.h>
        #include <sys/statvfs.h>
        int main(void) {
          printf("size=%zu\nbsize=%zu\nfrsize=%zu\nblocks=%zu\nbfree=%zu\nbavail=%zu\nnamemax=%zu\n", sizeof(struct statvfs),
            offsetof(struct statvfs, f_bsize), offsetof(struct statvfs, f_frsize), offsetof(struct statvfs, f_blocks),
            offsetof(struct statvfs, f_bfree), offsetof(struct statvfs, f_bavail), offsetof(struct statvfs, f_namemax));
          return 0;
        }
        """;

    private static Dictionary<string, int> Managed() => new()
    {
        ["size"] = Marshal.SizeOf<Libc.StatVfs>(),
        ["bsize"] = (int)Marshal.OffsetOf<Libc.StatVfs>(nameof(Libc.StatVfs.f_bsize)),
        ["frsize"] = (int)Marshal.OffsetOf<Libc.StatVfs>(nameof(Libc.StatVfs.f_frsize)),
        ["blocks"] = (int)Marshal.OffsetOf<Libc.StatVfs>(nameof(Libc.StatVfs.f_blocks)),
        ["bfree"] = (int)Marshal.OffsetOf<Libc.StatVfs>(nameof(Libc.StatVfs.f_bfree)),
        ["bavail"] = (int)Marshal.OffsetOf<Libc.StatVfs>(nameof(Libc.StatVfs.f_bavail)),
        ["namemax"] = (int)Marshal.OffsetOf<Libc.StatVfs>(nameof(Libc.StatVfs.f_namemax)),
    };

    [Test]
    [Arguments("gcc", false)]
    [Arguments("aarch64-linux-gnu-gcc", true)]
    public async Task Managed_layout_matches_gcc(string compiler, bool arm64)
    {
        var gcc = await StructLayouts.FromGcc("statvfs", Program, arm64);
        await StructLayouts.AssertMatches(gcc, Managed().Select(e => new KeyValuePair<string, ulong>(e.Key, (ulong)e.Value)), compiler);
        await Assert.That(gcc["size"]).IsEqualTo(112UL);
    }
}
