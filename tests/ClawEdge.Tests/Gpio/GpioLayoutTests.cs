using ClawEdge.Gpio.Native;
using ClawEdge.Tests.Interop;

namespace ClawEdge.Tests.Gpio;

/// <summary>
/// The managed GPIO uAPI v2 and i2c-dev structs, ioctl numbers and flags against &lt;linux/gpio.h&gt; and
/// &lt;linux/i2c-dev.h&gt; as gcc sees them for x86-64 and arm64 (aarch64-linux-gnu-gcc, run under qemu), and the
/// arm64 AOT binary's own view under qemu.
/// </summary>
public class GpioLayoutTests
{
    [Test]
    public async Task Managed_layout_matches_gcc_x86_64()
    {
        var c = await StructLayouts.FromGcc("gpio", GpioLayout.CProgram(), arm64: false);
        await StructLayouts.AssertMatches(c, GpioLayout.Entries(), "x86-64");
        // The sizes the ioctl numbers encode, spelled out.
        await Assert.That(c["sizeof(struct gpio_v2_line_request)"]).IsEqualTo(592UL);
        await Assert.That(c["sizeof(struct gpio_v2_line_config)"]).IsEqualTo(272UL);
        await Assert.That(c["sizeof(struct gpio_v2_line_event)"]).IsEqualTo(48UL);
        await Assert.That(c["GPIO_V2_GET_LINE_IOCTL"]).IsEqualTo(0xC250B407UL);
    }

    [Test]
    public async Task Managed_layout_matches_gcc_arm64_under_qemu()
    {
        var c = await StructLayouts.FromGcc("gpio", GpioLayout.CProgram(), arm64: true);
        await StructLayouts.AssertMatches(c, GpioLayout.Entries(), "arm64 header vs x64 managed");
    }

    [Test]
    public async Task Arm64_binary_layout_under_qemu_matches_gcc_arm64()
    {
        var c = await StructLayouts.FromGcc("gpio", GpioLayout.CProgram(), arm64: true);
        var managed = await StructLayouts.FromArm64Binary("gpio");
        await StructLayouts.AssertMatches(c, managed, "arm64 binary under qemu");
    }
}
