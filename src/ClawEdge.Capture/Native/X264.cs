using System.Runtime.InteropServices;

namespace ClawEdge.Capture.Native;

/// <summary>
/// libx264 (build 164, Debian/Raspberry Pi OS package <c>libx264-164</c>) loaded at run time: the node must
/// start on a board without it. Entry points are resolved once into function pointers. Struct layouts are
/// only touched at the offsets below, taken from x264.h build 164 (identical on x86-64 and aarch64, both LP64)
/// and checked against the header with gcc in the tests; everything else goes through x264's own
/// initialisers (<c>x264_param_default_preset</c>, <c>x264_picture_alloc</c>).
/// </summary>
internal static unsafe class X264
{
    public const int Build = 164;
    public const int ParamSize = 1024;
    public const int ParamWidthOffset = 28;
    public const int ParamHeightOffset = 32;
    public const int ParamCspOffset = 36;
    public const int PictureSize = 240;
    public const int PictureKeyframeOffset = 12;
    public const int PicturePtsOffset = 16;
    public const int PictureStrideOffset = 48;
    public const int PicturePlaneOffset = 64;
    public const int NalSize = 40;
    public const int NalPayloadSizeOffset = 20;
    public const int NalPayloadOffset = 24;
    public const int CspI420 = 0x0002;

    private static readonly OptionalLibrary Library = new(Load);

    public static delegate* unmanaged<void*, byte*, byte*, int> ParamDefaultPreset;
    public static delegate* unmanaged<void*, byte*, byte*, int> ParamParse;
    public static delegate* unmanaged<void*, byte*, int> ParamApplyProfile;
    public static delegate* unmanaged<void*, nint> EncoderOpen;
    /// <summary>(encoder, nal**, nal count*, picture in or null to flush, picture out) → frame bytes, 0 if buffered, &lt;0 on error.</summary>
    public static delegate* unmanaged<nint, void**, int*, void*, void*, int> EncoderEncode;
    public static delegate* unmanaged<nint, void> EncoderClose;
    public static delegate* unmanaged<void*, int, int, int, int> PictureAlloc;
    public static delegate* unmanaged<void*, void> PictureClean;

    /// <summary>Loads libx264 once; false (with the reason) when it is absent or another build.</summary>
    public static bool TryLoad(out string? error) => Library.TryLoad(out error);

    private static string? Load()
    {
        if (!NativeLibrary.TryLoad("libx264.so.164", out nint lib) && !NativeLibrary.TryLoad("libx264.so", out lib))
            return "libx264 not installed (package libx264-164)";
        // The open function carries the build number: a different build has different struct layouts.
        if (!NativeLibrary.TryGetExport(lib, "x264_encoder_open_" + Build, out nint open))
            return $"libx264 is not build {Build}";
        ParamDefaultPreset = (delegate* unmanaged<void*, byte*, byte*, int>)NativeLibrary.GetExport(lib, "x264_param_default_preset");
        ParamParse = (delegate* unmanaged<void*, byte*, byte*, int>)NativeLibrary.GetExport(lib, "x264_param_parse");
        ParamApplyProfile = (delegate* unmanaged<void*, byte*, int>)NativeLibrary.GetExport(lib, "x264_param_apply_profile");
        EncoderOpen = (delegate* unmanaged<void*, nint>)open;
        EncoderEncode = (delegate* unmanaged<nint, void**, int*, void*, void*, int>)NativeLibrary.GetExport(lib, "x264_encoder_encode");
        EncoderClose = (delegate* unmanaged<nint, void>)NativeLibrary.GetExport(lib, "x264_encoder_close");
        PictureAlloc = (delegate* unmanaged<void*, int, int, int, int>)NativeLibrary.GetExport(lib, "x264_picture_alloc");
        PictureClean = (delegate* unmanaged<void*, void>)NativeLibrary.GetExport(lib, "x264_picture_clean");
        return null;
    }
}

/// <summary>An open x264 encoder; closing it frees everything x264 allocated for it.</summary>
internal sealed unsafe class X264EncoderHandle : SafeHandle
{
    public X264EncoderHandle(nint handle) : base(0, ownsHandle: true) => SetHandle(handle);

    public override bool IsInvalid => handle == 0;

    protected override bool ReleaseHandle()
    {
        X264.EncoderClose(handle);
        return true;
    }
}
