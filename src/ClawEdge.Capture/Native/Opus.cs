using System.Runtime.InteropServices;

namespace ClawEdge.Capture.Native;

/// <summary>
/// libopus (package <c>libopus0</c>) loaded at run time. <c>opus_encoder_ctl</c> is variadic; it is called through a
/// fixed (encoder, request, int) pointer, which passes the same registers as the variadic call on the SysV x86-64 and
/// Linux AArch64 ABIs for integer and pointer arguments (Apple's AArch64 ABI differs; we do not run there).
/// </summary>
internal static unsafe class Opus
{
    public const int ApplicationAudio = 2049;
    public const int SetBitrateRequest = 4002;
    public const int GetLookaheadRequest = 4027;

    private static readonly OptionalLibrary Library = new(Load);

    /// <summary>(rate, channels, application, error*) → encoder, or null with the error (OPUS_BAD_ARG…).</summary>
    public static delegate* unmanaged<int, int, int, int*, nint> EncoderCreate;
    public static delegate* unmanaged<nint, void> EncoderDestroy;
    /// <summary>(encoder, interleaved pcm, frames per channel, packet, packet capacity) → packet bytes, or a negative OPUS_* error.</summary>
    public static delegate* unmanaged<nint, short*, int, byte*, int, int> Encode;
    public static delegate* unmanaged<nint, int, int, int> CtlInt;
    public static delegate* unmanaged<nint, int, int*, int> CtlGetInt;

    public static bool TryLoad(out string? error) => Library.TryLoad(out error);

    private static string? Load()
    {
        if (!NativeLibrary.TryLoad("libopus.so.0", out nint lib))
            return "libopus not installed (package libopus0)";
        EncoderCreate = (delegate* unmanaged<int, int, int, int*, nint>)NativeLibrary.GetExport(lib, "opus_encoder_create");
        EncoderDestroy = (delegate* unmanaged<nint, void>)NativeLibrary.GetExport(lib, "opus_encoder_destroy");
        Encode = (delegate* unmanaged<nint, short*, int, byte*, int, int>)NativeLibrary.GetExport(lib, "opus_encode");
        nint ctl = NativeLibrary.GetExport(lib, "opus_encoder_ctl");
        CtlInt = (delegate* unmanaged<nint, int, int, int>)ctl;
        CtlGetInt = (delegate* unmanaged<nint, int, int*, int>)ctl;
        return null;
    }
}

/// <summary>An Opus encoder state; destroying it frees what libopus allocated.</summary>
internal sealed unsafe class OpusEncoderHandle : SafeHandle
{
    public OpusEncoderHandle(nint handle) : base(0, ownsHandle: true) => SetHandle(handle);

    public override bool IsInvalid => handle == 0;

    protected override bool ReleaseHandle()
    {
        Opus.EncoderDestroy(handle);
        return true;
    }
}
