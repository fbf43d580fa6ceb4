using ClawEdge.Capture.Native;
using ClawEdge.Tests.Interop;

namespace ClawEdge.Tests.Camera;

/// <summary>
/// The managed V4L2 structs against &lt;linux/videodev2.h&gt; as gcc lays it out for x86-64 and for arm64
/// (aarch64-linux-gnu-gcc, run under qemu), and the arm64 AOT binary's own view under qemu.
/// </summary>
public class V4l2LayoutTests
{
    [Test]
    public async Task Managed_layout_matches_gcc_x86_64()
    {
        var c = await StructLayouts.FromGcc("v4l2", V4l2Layout.CProgram(), arm64: false);
        await StructLayouts.AssertMatches(c, V4l2Layout.Entries(), "x86-64");
        // The classic traps, spelled out.
        await Assert.That(c["sizeof(struct v4l2_buffer)"]).IsEqualTo(88UL);
        await Assert.That(c["offsetof(struct v4l2_buffer, timestamp)"]).IsEqualTo(24UL);
        await Assert.That(c["sizeof(struct v4l2_format)"]).IsEqualTo(208UL);
        await Assert.That(c["offsetof(struct v4l2_format, fmt)"]).IsEqualTo(8UL);
    }

    [Test]
    public async Task Managed_layout_matches_gcc_arm64_under_qemu()
    {
        var c = await StructLayouts.FromGcc("v4l2", V4l2Layout.CProgram(), arm64: true);
        await StructLayouts.AssertMatches(c, V4l2Layout.Entries(), "arm64 header vs x64 managed");
    }

    [Test]
    public async Task Arm64_binary_layout_under_qemu_matches_gcc_arm64()
    {
        var c = await StructLayouts.FromGcc("v4l2", V4l2Layout.CProgram(), arm64: true);
        var managed = await StructLayouts.FromArm64Binary("camera");
        await StructLayouts.AssertMatches(c, managed, "arm64 binary under qemu");
    }
}
