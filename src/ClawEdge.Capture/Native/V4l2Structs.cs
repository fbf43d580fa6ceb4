using System.Runtime.InteropServices;

namespace ClawEdge.Capture.Native;

// <linux/videodev2.h> for 64-bit Linux (x86-64 and arm64 share it: 64-bit time_t and longs). Explicit
// offsets so the layout is written down once; V4l2Layout lists every size and offset and the tests
// compare them with what gcc and aarch64-linux-gnu-gcc compute from the real header.

internal static class V4l2Abi
{
    public const uint BUF_TYPE_VIDEO_CAPTURE = 1;
    public const uint BUF_TYPE_VIDEO_CAPTURE_MPLANE = 9;
    public const uint BUF_TYPE_VIDEO_OUTPUT = 2;
    public const uint BUF_TYPE_VIDEO_OUTPUT_MPLANE = 10;
    public const uint MEMORY_MMAP = 1;
    public const uint FIELD_ANY = 0, FIELD_NONE = 1;

    public const uint CAP_VIDEO_CAPTURE = 0x00000001;
    public const uint CAP_VIDEO_CAPTURE_MPLANE = 0x00001000;
    public const uint CAP_META_CAPTURE = 0x00800000;
    public const uint CAP_VIDEO_M2M_MPLANE = 0x00004000;
    public const uint CAP_VIDEO_M2M = 0x00008000;
    public const uint CAP_STREAMING = 0x04000000;
    public const uint CAP_DEVICE_CAPS = 0x80000000;
    public const uint CAP_TIMEPERFRAME = 0x1000; // v4l2_captureparm.capability

    public const uint FRMSIZE_TYPE_DISCRETE = 1, FRMSIZE_TYPE_CONTINUOUS = 2, FRMSIZE_TYPE_STEPWISE = 3;
    public const uint FRMIVAL_TYPE_DISCRETE = 1, FRMIVAL_TYPE_CONTINUOUS = 2, FRMIVAL_TYPE_STEPWISE = 3;
    public const uint BUF_FLAG_ERROR = 0x40;
    public const uint BUF_FLAG_TIMESTAMP_MONOTONIC = 0x2000;
    public const uint BUF_FLAG_KEYFRAME = 0x8;
    public const uint BUF_FLAG_LAST = 0x00100000; // the encoder's last buffer after V4L2_ENC_CMD_STOP
    public const uint ENC_CMD_STOP = 1;

    // Memory-to-memory codec formats (the raw side's YU12/NV12 and the coded side).
    public const uint PIX_FMT_YUV420 = 0x32315559; // 'YU12'
    public const uint PIX_FMT_NV12 = 0x3231564E;   // 'NV12'
    public const uint PIX_FMT_H264 = 0x34363248;   // 'H264'
    public const uint PIX_FMT_FWHT = 0x54485746;   // 'FWHT', vicodec's codec

    // Codec controls (V4L2_CID_CODEC_BASE = V4L2_CTRL_CLASS_CODEC | 0x900).
    private const uint CidCodecBase = 0x00990000 | 0x900;
    public const uint CID_MPEG_VIDEO_GOP_SIZE = CidCodecBase + 203;
    public const uint CID_MPEG_VIDEO_BITRATE = CidCodecBase + 207;
    public const uint CID_MPEG_VIDEO_REPEAT_SEQ_HEADER = CidCodecBase + 226;
    public const uint CID_MPEG_VIDEO_FORCE_KEY_FRAME = CidCodecBase + 229;
    public const uint CID_MPEG_VIDEO_H264_I_PERIOD = CidCodecBase + 358;
    public const uint CID_MPEG_VIDEO_H264_PROFILE = CidCodecBase + 363;
    public const int MPEG_VIDEO_H264_PROFILE_CONSTRAINED_BASELINE = 1;
    public const uint CTRL_FLAG_DISABLED = 0x0001;

    // _IOC(dir, 'V', nr, size) = dir << 30 | size << 16 | 'V' << 8 | nr (asm-generic, used by x86-64 and arm64).
    private const uint IocWrite = 1, IocRead = 2;
    private static nuint Ioc(uint dir, uint nr, int size) => (nuint)((dir << 30) | ((uint)size << 16) | ('V' << 8) | nr);

    public static unsafe readonly nuint VIDIOC_QUERYCAP = Ioc(IocRead, 0, sizeof(V4l2Capability));
    public static unsafe readonly nuint VIDIOC_ENUM_FMT = Ioc(IocRead | IocWrite, 2, sizeof(V4l2FmtDesc));
    public static unsafe readonly nuint VIDIOC_G_FMT = Ioc(IocRead | IocWrite, 4, sizeof(V4l2Format));
    public static unsafe readonly nuint VIDIOC_S_FMT = Ioc(IocRead | IocWrite, 5, sizeof(V4l2Format));
    public static unsafe readonly nuint VIDIOC_REQBUFS = Ioc(IocRead | IocWrite, 8, sizeof(V4l2RequestBuffers));
    public static unsafe readonly nuint VIDIOC_QUERYBUF = Ioc(IocRead | IocWrite, 9, sizeof(V4l2Buffer));
    public static unsafe readonly nuint VIDIOC_QBUF = Ioc(IocRead | IocWrite, 15, sizeof(V4l2Buffer));
    public static unsafe readonly nuint VIDIOC_DQBUF = Ioc(IocRead | IocWrite, 17, sizeof(V4l2Buffer));
    public static readonly nuint VIDIOC_STREAMON = Ioc(IocWrite, 18, sizeof(int));
    public static readonly nuint VIDIOC_STREAMOFF = Ioc(IocWrite, 19, sizeof(int));
    public static unsafe readonly nuint VIDIOC_G_PARM = Ioc(IocRead | IocWrite, 21, sizeof(V4l2StreamParm));
    public static unsafe readonly nuint VIDIOC_S_PARM = Ioc(IocRead | IocWrite, 22, sizeof(V4l2StreamParm));
    public static unsafe readonly nuint VIDIOC_ENUM_FRAMESIZES = Ioc(IocRead | IocWrite, 74, sizeof(V4l2FrmSizeEnum));
    public static unsafe readonly nuint VIDIOC_ENUM_FRAMEINTERVALS = Ioc(IocRead | IocWrite, 75, sizeof(V4l2FrmIvalEnum));
    public static unsafe readonly nuint VIDIOC_G_CTRL = Ioc(IocRead | IocWrite, 27, sizeof(V4l2Control));
    public static unsafe readonly nuint VIDIOC_S_CTRL = Ioc(IocRead | IocWrite, 28, sizeof(V4l2Control));
    public static unsafe readonly nuint VIDIOC_QUERYCTRL = Ioc(IocRead | IocWrite, 36, sizeof(V4l2QueryCtrl));
    public static unsafe readonly nuint VIDIOC_ENCODER_CMD = Ioc(IocRead | IocWrite, 77, sizeof(V4l2EncoderCmd));
}

[StructLayout(LayoutKind.Explicit, Size = 104)]
internal unsafe struct V4l2Capability
{
    [FieldOffset(0)] public fixed byte Driver[16];
    [FieldOffset(16)] public fixed byte Card[32];
    [FieldOffset(48)] public fixed byte BusInfo[32];
    [FieldOffset(80)] public uint Version;
    [FieldOffset(84)] public uint Capabilities;
    [FieldOffset(88)] public uint DeviceCaps;
    [FieldOffset(92)] public fixed uint Reserved[3];
}

[StructLayout(LayoutKind.Explicit, Size = 64)]
internal unsafe struct V4l2FmtDesc
{
    [FieldOffset(0)] public uint Index;
    [FieldOffset(4)] public uint Type;
    [FieldOffset(8)] public uint Flags;
    [FieldOffset(12)] public fixed byte Description[32];
    [FieldOffset(44)] public uint PixelFormat;
    [FieldOffset(48)] public uint MbusCode;
    [FieldOffset(52)] public fixed uint Reserved[3];
}

[StructLayout(LayoutKind.Explicit, Size = 48)]
internal struct V4l2PixFormat
{
    [FieldOffset(0)] public uint Width;
    [FieldOffset(4)] public uint Height;
    [FieldOffset(8)] public uint PixelFormat;
    [FieldOffset(12)] public uint Field;
    [FieldOffset(16)] public uint BytesPerLine;
    [FieldOffset(20)] public uint SizeImage;
    [FieldOffset(24)] public uint Colorspace;
    [FieldOffset(28)] public uint Priv;
    [FieldOffset(32)] public uint Flags;
    [FieldOffset(36)] public uint YcbcrEnc;
    [FieldOffset(40)] public uint Quantization;
    [FieldOffset(44)] public uint XferFunc;
}

/// <summary>Packed in the header: 20 bytes.</summary>
[StructLayout(LayoutKind.Explicit, Size = 20)]
internal unsafe struct V4l2PlanePixFormat
{
    [FieldOffset(0)] public uint SizeImage;
    [FieldOffset(4)] public uint BytesPerLine;
    [FieldOffset(8)] public fixed ushort Reserved[6];
}

/// <summary>Packed in the header: 192 bytes, eight 20-byte plane formats from offset 20.</summary>
[StructLayout(LayoutKind.Explicit, Size = 192)]
internal unsafe struct V4l2PixFormatMplane
{
    [FieldOffset(0)] public uint Width;
    [FieldOffset(4)] public uint Height;
    [FieldOffset(8)] public uint PixelFormat;
    [FieldOffset(12)] public uint Field;
    [FieldOffset(16)] public uint Colorspace;
    [FieldOffset(20)] public V4l2PlanePixFormat Plane0;
    [FieldOffset(180)] public byte NumPlanes;
    [FieldOffset(181)] public byte Flags;
    [FieldOffset(182)] public byte YcbcrEnc;
    [FieldOffset(183)] public byte Quantization;
    [FieldOffset(184)] public byte XferFunc;
}

/// <summary>208 bytes: the 200-byte union holds a pointer (v4l2_window.clips), so it is 8-aligned at offset 8.</summary>
[StructLayout(LayoutKind.Explicit, Size = 208)]
internal unsafe struct V4l2Format
{
    [FieldOffset(0)] public uint Type;
    [FieldOffset(8)] public V4l2PixFormat Pix;
    [FieldOffset(8)] public V4l2PixFormatMplane PixMp;
    [FieldOffset(8)] public fixed byte RawData[200];
}

[StructLayout(LayoutKind.Explicit, Size = 20)]
internal unsafe struct V4l2RequestBuffers
{
    [FieldOffset(0)] public uint Count;
    [FieldOffset(4)] public uint Type;
    [FieldOffset(8)] public uint Memory;
    [FieldOffset(12)] public uint Capabilities;
    [FieldOffset(16)] public byte Flags;
    [FieldOffset(17)] public fixed byte Reserved[3];
}

/// <summary>struct timeval with 64-bit time_t: two longs.</summary>
[StructLayout(LayoutKind.Explicit, Size = 16)]
internal struct TimeVal
{
    [FieldOffset(0)] public long Seconds;
    [FieldOffset(8)] public long Microseconds;
}

/// <summary>
/// 88 bytes. The trap: <c>timestamp</c> is a struct timeval (two longs), so 4 bytes of padding follow
/// <c>field</c> and it sits at 24, not 20; <c>m</c> is a union with a pointer, at 64.
/// </summary>
[StructLayout(LayoutKind.Explicit, Size = 88)]
internal unsafe struct V4l2Buffer
{
    [FieldOffset(0)] public uint Index;
    [FieldOffset(4)] public uint Type;
    [FieldOffset(8)] public uint BytesUsed;
    [FieldOffset(12)] public uint Flags;
    [FieldOffset(16)] public uint Field;
    [FieldOffset(24)] public TimeVal Timestamp;
    [FieldOffset(40)] public fixed byte Timecode[16];
    [FieldOffset(56)] public uint Sequence;
    [FieldOffset(60)] public uint Memory;
    [FieldOffset(64)] public uint MOffset;
    [FieldOffset(64)] public ulong MUserPtr;
    [FieldOffset(64)] public V4l2Plane* MPlanes;
    [FieldOffset(64)] public int MFd;
    [FieldOffset(72)] public uint Length;
    [FieldOffset(76)] public uint Reserved2;
    [FieldOffset(80)] public int RequestFd;
}

[StructLayout(LayoutKind.Explicit, Size = 64)]
internal unsafe struct V4l2Plane
{
    [FieldOffset(0)] public uint BytesUsed;
    [FieldOffset(4)] public uint Length;
    [FieldOffset(8)] public uint MMemOffset;
    [FieldOffset(8)] public ulong MUserPtr;
    [FieldOffset(8)] public int MFd;
    [FieldOffset(16)] public uint DataOffset;
    [FieldOffset(20)] public fixed uint Reserved[11];
}

[StructLayout(LayoutKind.Explicit, Size = 44)]
internal unsafe struct V4l2FrmSizeEnum
{
    [FieldOffset(0)] public uint Index;
    [FieldOffset(4)] public uint PixelFormat;
    [FieldOffset(8)] public uint Type;
    [FieldOffset(12)] public uint DiscreteWidth;
    [FieldOffset(16)] public uint DiscreteHeight;
    // stepwise: min_width, max_width, step_width, min_height, max_height, step_height
    [FieldOffset(12)] public uint MinWidth;
    [FieldOffset(16)] public uint MaxWidth;
    [FieldOffset(20)] public uint StepWidth;
    [FieldOffset(24)] public uint MinHeight;
    [FieldOffset(28)] public uint MaxHeight;
    [FieldOffset(32)] public uint StepHeight;
    [FieldOffset(36)] public fixed uint Reserved[2];
}

[StructLayout(LayoutKind.Explicit, Size = 8)]
internal struct V4l2Fract
{
    [FieldOffset(0)] public uint Numerator;
    [FieldOffset(4)] public uint Denominator;
}

[StructLayout(LayoutKind.Explicit, Size = 52)]
internal unsafe struct V4l2FrmIvalEnum
{
    [FieldOffset(0)] public uint Index;
    [FieldOffset(4)] public uint PixelFormat;
    [FieldOffset(8)] public uint Width;
    [FieldOffset(12)] public uint Height;
    [FieldOffset(16)] public uint Type;
    [FieldOffset(20)] public V4l2Fract Discrete;
    // stepwise: min, max, step
    [FieldOffset(20)] public V4l2Fract Min;
    [FieldOffset(28)] public V4l2Fract Max;
    [FieldOffset(36)] public V4l2Fract Step;
    [FieldOffset(44)] public fixed uint Reserved[2];
}

[StructLayout(LayoutKind.Explicit, Size = 40)]
internal unsafe struct V4l2CaptureParm
{
    [FieldOffset(0)] public uint Capability;
    [FieldOffset(4)] public uint CaptureMode;
    [FieldOffset(8)] public V4l2Fract TimePerFrame;
    [FieldOffset(16)] public uint ExtendedMode;
    [FieldOffset(20)] public uint ReadBuffers;
    [FieldOffset(24)] public fixed uint Reserved[4];
}

/// <summary>204 bytes: type, then a 200-byte union with no pointer (4-aligned).</summary>
[StructLayout(LayoutKind.Explicit, Size = 204)]
internal unsafe struct V4l2StreamParm
{
    [FieldOffset(0)] public uint Type;
    [FieldOffset(4)] public V4l2CaptureParm Capture;
    [FieldOffset(4)] public fixed byte RawData[200];
}

[StructLayout(LayoutKind.Explicit, Size = 8)]
internal struct V4l2Control
{
    [FieldOffset(0)] public uint Id;
    [FieldOffset(4)] public int Value;
}

[StructLayout(LayoutKind.Explicit, Size = 68)]
internal unsafe struct V4l2QueryCtrl
{
    [FieldOffset(0)] public uint Id;
    [FieldOffset(4)] public uint Type;
    [FieldOffset(8)] public fixed byte Name[32];
    [FieldOffset(40)] public int Minimum;
    [FieldOffset(44)] public int Maximum;
    [FieldOffset(48)] public int Step;
    [FieldOffset(52)] public int DefaultValue;
    [FieldOffset(56)] public uint Flags;
    [FieldOffset(60)] public fixed uint Reserved[2];
}

/// <summary>cmd, flags, then a 32-byte union (raw.data[8]): 40 bytes.</summary>
[StructLayout(LayoutKind.Explicit, Size = 40)]
internal unsafe struct V4l2EncoderCmd
{
    [FieldOffset(0)] public uint Cmd;
    [FieldOffset(4)] public uint Flags;
    [FieldOffset(8)] public fixed uint Data[8];
}
