using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace ClawEdge.Gpio.Native;

// The GPIO character device uAPI v2 (<linux/gpio.h>, Linux 5.10+). The layouts are the same on x86-64 and arm64
// (every member is fixed width, 64-bit members are __aligned_u64); GpioLayoutTests prove it against gcc for both.

[StructLayout(LayoutKind.Sequential)]
internal unsafe struct GpioChipInfo
{
    public fixed byte Name[32];
    public fixed byte Label[32];
    public uint Lines;
}

[StructLayout(LayoutKind.Sequential)]
internal struct GpioLineValues
{
    public ulong Bits;
    public ulong Mask;
}

/// <summary><c>struct gpio_v2_line_attribute</c>: an id and a union of flags / output values / debounce period.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct GpioLineAttribute
{
    public uint Id;
    public uint Padding;
    public ulong Value;
}

[StructLayout(LayoutKind.Sequential)]
internal struct GpioLineConfigAttribute
{
    public GpioLineAttribute Attribute;
    public ulong Mask;
}

[InlineArray(GpioUapi.LineNumAttrsMax)]
internal struct GpioLineConfigAttributes
{
    private GpioLineConfigAttribute _first;
}

[InlineArray(GpioUapi.LineNumAttrsMax)]
internal struct GpioLineAttributes
{
    private GpioLineAttribute _first;
}

[StructLayout(LayoutKind.Sequential)]
internal unsafe struct GpioLineConfig
{
    public ulong Flags;
    public uint NumAttrs;
    public fixed uint Padding[5];
    public GpioLineConfigAttributes Attrs;
}

[StructLayout(LayoutKind.Sequential)]
internal unsafe struct GpioLineRequest
{
    public fixed uint Offsets[GpioUapi.LinesMax];
    public fixed byte Consumer[32];
    public GpioLineConfig Config;
    public uint NumLines;
    public uint EventBufferSize;
    public fixed uint Padding[5];
    public int Fd;
}

[StructLayout(LayoutKind.Sequential)]
internal unsafe struct GpioLineInfo
{
    public fixed byte Name[32];
    public fixed byte Consumer[32];
    public uint Offset;
    public uint NumAttrs;
    public ulong Flags;
    public GpioLineAttributes Attrs;
    public fixed uint Padding[4];
}

[StructLayout(LayoutKind.Sequential)]
internal unsafe struct GpioLineEvent
{
    public ulong TimestampNs;
    public uint Id;
    public uint Offset;
    public uint Seqno;
    public uint LineSeqno;
    public fixed uint Padding[6];
}

internal static class GpioUapi
{
    public const int LinesMax = 64;
    public const int LineNumAttrsMax = 10;

    // _IOR/_IOWR(0xB4, nr, struct): the generic ioctl encoding, which x86-64 and arm64 share.
    public static readonly uint GetChipInfo = Ior(0x01, Unsafe.SizeOf<GpioChipInfo>());
    public static readonly uint GetLineInfo = Iowr(0x05, Unsafe.SizeOf<GpioLineInfo>());
    public static readonly uint GetLine = Iowr(0x07, Unsafe.SizeOf<GpioLineRequest>());
    public static readonly uint LineSetConfig = Iowr(0x0D, Unsafe.SizeOf<GpioLineConfig>());
    public static readonly uint LineGetValues = Iowr(0x0E, Unsafe.SizeOf<GpioLineValues>());
    public static readonly uint LineSetValues = Iowr(0x0F, Unsafe.SizeOf<GpioLineValues>());

    public const ulong FlagUsed = 1UL << 0;
    public const ulong FlagActiveLow = 1UL << 1;
    public const ulong FlagInput = 1UL << 2;
    public const ulong FlagOutput = 1UL << 3;
    public const ulong FlagEdgeRising = 1UL << 4;
    public const ulong FlagEdgeFalling = 1UL << 5;
    public const ulong FlagBiasPullUp = 1UL << 8;
    public const ulong FlagBiasPullDown = 1UL << 9;
    public const ulong FlagBiasDisabled = 1UL << 10;
    public const ulong FlagEventClockRealtime = 1UL << 11;

    public const uint AttrIdFlags = 1;
    public const uint AttrIdOutputValues = 2;
    public const uint AttrIdDebounce = 3;

    public const uint EventRisingEdge = 1;
    public const uint EventFallingEdge = 2;

    private static uint Ior(uint nr, int size) => (2u << 30) | ((uint)size << 16) | (0xB4u << 8) | nr;
    private static uint Iowr(uint nr, int size) => (3u << 30) | ((uint)size << 16) | (0xB4u << 8) | nr;
}
