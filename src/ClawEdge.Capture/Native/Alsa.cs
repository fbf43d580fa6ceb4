using System.Runtime.InteropServices;

namespace ClawEdge.Capture.Native;

/// <summary>
/// ALSA's libasound (Debian/Raspberry Pi OS package <c>libasound2</c>) loaded at run time: the node must start on a
/// board without it. Only the stable PCM calls are used, each returning 0 or a positive count, or a negative errno.
/// The opaque <c>snd_pcm_t</c> and <c>snd_pcm_hw_params_t</c> are never looked into, so no layout depends on the build.
/// </summary>
internal static unsafe class Alsa
{
    public const int StreamCapture = 1;
    public const int FormatS16Le = 2;
    public const int AccessRwInterleaved = 3;
    public const int NonBlock = 1;

    private static readonly OptionalLibrary Library = new(Load);

    /// <summary>(pcm**, name, stream, mode) → 0 or -errno (-ENOENT for an unknown name, -EBUSY when another program has it).</summary>
    public static delegate* unmanaged<nint*, byte*, int, int, int> PcmOpen;
    public static delegate* unmanaged<nint, int> PcmClose;
    /// <summary>(pcm, nonblock) → 0 or -errno.</summary>
    public static delegate* unmanaged<nint, int, int> PcmNonblock;
    /// <summary>(pcm, format, access, channels, rate, soft_resample, latency µs) → 0 or -errno.</summary>
    public static delegate* unmanaged<nint, int, int, uint, uint, int, uint, int> PcmSetParams;
    /// <summary>(pcm) → 0 once the stream runs, or -errno (-EBADFD when it is not prepared).</summary>
    public static delegate* unmanaged<nint, int> PcmStart;
    /// <summary>(pcm, buffer, frames) → frames read, or -EAGAIN (nothing yet), -EPIPE (overrun), -ESTRPIPE (suspended), -ENODEV (gone).</summary>
    public static delegate* unmanaged<nint, void*, nuint, nint> PcmReadi;
    /// <summary>(pcm, err, silent) → 0 when the stream runs again after an overrun or suspend, else the error.</summary>
    public static delegate* unmanaged<nint, int, int, int> PcmRecover;
    /// <summary>(pcm, timeout ms) → 1 ready, 0 timed out, -errno (an overrun or a lost device).</summary>
    public static delegate* unmanaged<nint, int, int> PcmWait;
    /// <summary>(pcm, frames*) → 0 with the frames captured but not yet read, or -errno.</summary>
    public static delegate* unmanaged<nint, nint*, int> PcmDelay;
    public static delegate* unmanaged<nint*, int> HwParamsMalloc;
    public static delegate* unmanaged<nint, void> HwParamsFree;
    public static delegate* unmanaged<nint, nint, int> HwParamsAny;
    public static delegate* unmanaged<nint, uint*, int> HwParamsGetChannelsMin;
    public static delegate* unmanaged<int, byte*> StrError;

    /// <summary>Loads libasound once; false (with the reason) when it is absent.</summary>
    public static bool TryLoad(out string? error) => Library.TryLoad(out error);

    private static string? Load()
    {
        if (!NativeLibrary.TryLoad("libasound.so.2", out nint lib))
            return "libasound not installed (package libasound2)";
        PcmOpen = (delegate* unmanaged<nint*, byte*, int, int, int>)NativeLibrary.GetExport(lib, "snd_pcm_open");
        PcmClose = (delegate* unmanaged<nint, int>)NativeLibrary.GetExport(lib, "snd_pcm_close");
        PcmNonblock = (delegate* unmanaged<nint, int, int>)NativeLibrary.GetExport(lib, "snd_pcm_nonblock");
        PcmSetParams = (delegate* unmanaged<nint, int, int, uint, uint, int, uint, int>)NativeLibrary.GetExport(lib, "snd_pcm_set_params");
        PcmStart = (delegate* unmanaged<nint, int>)NativeLibrary.GetExport(lib, "snd_pcm_start");
        PcmReadi = (delegate* unmanaged<nint, void*, nuint, nint>)NativeLibrary.GetExport(lib, "snd_pcm_readi");
        PcmRecover = (delegate* unmanaged<nint, int, int, int>)NativeLibrary.GetExport(lib, "snd_pcm_recover");
        PcmWait = (delegate* unmanaged<nint, int, int>)NativeLibrary.GetExport(lib, "snd_pcm_wait");
        PcmDelay = (delegate* unmanaged<nint, nint*, int>)NativeLibrary.GetExport(lib, "snd_pcm_delay");
        HwParamsMalloc = (delegate* unmanaged<nint*, int>)NativeLibrary.GetExport(lib, "snd_pcm_hw_params_malloc");
        HwParamsFree = (delegate* unmanaged<nint, void>)NativeLibrary.GetExport(lib, "snd_pcm_hw_params_free");
        HwParamsAny = (delegate* unmanaged<nint, nint, int>)NativeLibrary.GetExport(lib, "snd_pcm_hw_params_any");
        HwParamsGetChannelsMin = (delegate* unmanaged<nint, uint*, int>)NativeLibrary.GetExport(lib, "snd_pcm_hw_params_get_channels_min");
        StrError = (delegate* unmanaged<int, byte*>)NativeLibrary.GetExport(lib, "snd_strerror");
        return null;
    }

    public static string Describe(int error) => Marshal.PtrToStringUTF8((nint)StrError(error)) ?? $"error {error}";
}

/// <summary>An open ALSA PCM; closing it gives the device back to other programs.</summary>
internal sealed unsafe class AlsaPcmHandle : SafeHandle
{
    public AlsaPcmHandle(nint handle) : base(0, ownsHandle: true) => SetHandle(handle);

    public override bool IsInvalid => handle == 0;

    protected override bool ReleaseHandle() => Alsa.PcmClose(handle) >= 0;
}
