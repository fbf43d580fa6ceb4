using System.Buffers;
using System.Runtime.InteropServices;
using ClawEdge.Capture.Jpeg;
using ClawEdge.Capture.Mp4;
using ClawEdge.Capture.Native;
using ClawEdge.Capture.Pixels;
using ClawEdge.Platform;

namespace ClawEdge.Capture.Encoders;

/// <summary>
/// H.264 through libx264: preset ultrafast, tune zerolatency (no lookahead, no B-frames, so every input
/// frame comes straight out and decode order is presentation order), Constrained Baseline for any
/// browser, Annex-B output handed to the MP4 writer. Frames are converted to I420 directly into x264's
/// own picture planes: no buffer of ours per frame.
/// </summary>
public sealed unsafe class X264Encoder : VideoEncoder
{
    private readonly X264EncoderHandle _encoder;
    private readonly byte* _pictureIn;
    private readonly byte* _pictureOut;
    // x264 echoes our pts; with zerolatency output follows input at once, the ring only guards against a
    // build that delays a frame or two.
    private readonly long[] _timestamps = new long[64];
    private long _pts;
    // MJPEG frames decode through TurboJPEG when it loads (made at the first such frame); Skia otherwise.
    private TurboJpegDecoder? _jpeg;
    private bool _jpegTried;
    // RGBX staging for formats the I420 converter does not read directly (UYVY, RGB24, …): rented at the first such frame, kept.
    private byte[]? _staging;

    private X264Encoder(X264EncoderHandle encoder, byte* pictureIn, byte* pictureOut, int width, int height)
    {
        _encoder = encoder;
        _pictureIn = pictureIn;
        _pictureOut = pictureOut;
        Width = width;
        Height = height;
    }

    public override VideoCodec Codec => VideoCodec.H264;
    public override string Name => "libx264";

    /// <summary>Who decoded MJPEG frames, once one came: "turbojpeg" or "skia".</summary>
    public string? JpegDecoderName => _jpegTried ? (_jpeg is null ? "skia" : "turbojpeg") : null;
    public override int Width { get; }
    public override int Height { get; }

    /// <summary>Frame formats this encoder takes (directly, through RGBX, or decoded from JPEG).</summary>
    public static bool CanEncode(PixelFormat format) =>
        I420Converter.Supports(format) || PixelConverter.CanConvert(format) || format is PixelFormat.Mjpeg or PixelFormat.Jpeg;

    /// <summary>True when libx264 can be loaded here; <paramref name="reason"/> says why not.</summary>
    public static bool IsAvailable(out string? reason) => X264.TryLoad(out reason);

    /// <summary>Opens an encoder for frames of the given size (cropped to even), or null with the reason.</summary>
    public static X264Encoder? TryCreate(int width, int height, double framesPerSecond, out string? reason)
    {
        if (!X264.TryLoad(out reason))
            return null;
        width &= ~1;
        height &= ~1;
        if (width < 16 || height < 16)
        {
            reason = $"frame {width}x{height} too small for H.264";
            return null;
        }
        byte* param = (byte*)NativeMemory.AllocZeroed(X264.ParamSize);
        byte* pictureIn = (byte*)NativeMemory.AllocZeroed(X264.PictureSize);
        byte* pictureOut = (byte*)NativeMemory.AllocZeroed(X264.PictureSize);
        bool pictureAllocated = false;
        try
        {
            fixed (byte* preset = "ultrafast\0"u8, tune = "zerolatency\0"u8)
            {
                if (X264.ParamDefaultPreset(param, preset, tune) < 0)
                    throw new InvalidOperationException("x264 preset rejected");
            }
            *(int*)(param + X264.ParamWidthOffset) = width;
            *(int*)(param + X264.ParamHeightOffset) = height;
            *(int*)(param + X264.ParamCspOffset) = X264.CspI420;
            int fps = (int)Math.Clamp(Math.Round(framesPerSecond), 1, 120);
            Parse(param, "fps", fps.ToString(System.Globalization.CultureInfo.InvariantCulture));
            // A key frame every 10 s: on a still screen key frames are most of the file (every 2 s made a
            // 60 s 1080p clip 9× larger), and a clip of at most a minute is not for seeking.
            Parse(param, "keyint", (fps * 10).ToString(System.Globalization.CultureInfo.InvariantCulture));
            Parse(param, "annexb", "1");
            Parse(param, "log", "0"); // errors only: x264 would print statistics to our stderr
            Parse(param, "repeat-headers", "1");
            fixed (byte* profile = "baseline\0"u8)
            {
                if (X264.ParamApplyProfile(param, profile) < 0)
                    throw new InvalidOperationException("x264 profile rejected");
            }
            if (X264.PictureAlloc(pictureIn, X264.CspI420, width, height) < 0)
                throw new InvalidOperationException("x264 picture allocation failed");
            pictureAllocated = true;
            nint handle = X264.EncoderOpen(param);
            if (handle == 0)
                throw new InvalidOperationException("x264_encoder_open failed");
            NativeMemory.Free(param);
            return new X264Encoder(new X264EncoderHandle(handle), pictureIn, pictureOut, width, height);
        }
        catch (InvalidOperationException e)
        {
            if (pictureAllocated)
                X264.PictureClean(pictureIn);
            NativeMemory.Free(param);
            NativeMemory.Free(pictureIn);
            NativeMemory.Free(pictureOut);
            reason = e.Message;
            return null;
        }
    }

    private static void Parse(byte* param, string name, string value)
    {
        Span<byte> nameZ = stackalloc byte[64];
        Span<byte> valueZ = stackalloc byte[64];
        nameZ[System.Text.Encoding.ASCII.GetBytes(name, nameZ)] = 0;
        valueZ[System.Text.Encoding.ASCII.GetBytes(value, valueZ)] = 0;
        fixed (byte* n = nameZ, v = valueZ)
        {
            if (X264.ParamParse(param, n, v) != 0)
                throw new InvalidOperationException($"x264 rejected {name}={value}");
        }
    }

    public override SampleOutcome Encode(in Frame frame, Mp4Writer writer)
    {
        if (I420Converter.Supports(frame.Format))
            ToPicture(frame);
        else if (frame.Format is PixelFormat.Mjpeg or PixelFormat.Jpeg && JpegDecoder() is { } decoder)
        {
            var planes = (byte**)(_pictureIn + X264.PicturePlaneOffset);
            var strides = (int*)(_pictureIn + X264.PictureStrideOffset);
            decoder.DecodeToI420(frame.Data, Width, Height, planes[0], strides[0], planes[1], strides[1], planes[2], strides[2]);
        }
        else if (frame.Format is PixelFormat.Mjpeg or PixelFormat.Jpeg)
        {
            // An MJPEG camera with H.264 wanted and no TurboJPEG: decode (pooled pixels), then convert.
            JpegEncoder.DecodeToRgbx(frame.Data, out byte[] pixels, out int w, out int h);
            try
            {
                ToPicture(new Frame(pixels.AsSpan(0, w * h * 4), w, h, w * 4, PixelFormat.Rgbx32, frame.Timestamp, frame.Sequence));
            }
            finally
            {
                LargeArrayPool.Shared.Return(pixels);
            }
        }
        else
        {
            int stride = frame.Width * 4;
            _staging ??= LargeArrayPool.Shared.Rent(stride * frame.Height);
            if (_staging.Length < stride * frame.Height)
                throw new ArgumentException($"frame size changed to {frame.Width}x{frame.Height}");
            int sourceStride = frame.Stride > 0 ? frame.Stride : frame.Format.FrameBytes(frame.Width, 1);
            PixelConverter.ToRgbx(frame.Format, frame.Data, frame.Width, frame.Height, sourceStride, _staging, stride);
            ToPicture(new Frame(_staging.AsSpan(0, stride * frame.Height), frame.Width, frame.Height, stride, PixelFormat.Rgbx32, frame.Timestamp, frame.Sequence));
        }
        long pts = _pts++;
        _timestamps[pts % _timestamps.Length] = frame.Timestamp.Ticks;
        *(long*)(_pictureIn + X264.PicturePtsOffset) = pts;

        bool added = false;
        void* nals;
        int count;
        int bytes = X264.EncoderEncode(_encoder.DangerousGetHandle(), &nals, &count, _pictureIn, _pictureOut);
        if (bytes < 0)
            throw new InvalidOperationException($"x264_encoder_encode failed ({bytes})");
        if (bytes > 0 && count > 0)
        {
            // With annexb output x264 lays all NAL units of a frame out back to back from the first payload.
            byte* payload = *(byte**)((byte*)nals + X264.NalPayloadOffset);
            long outPts = *(long*)(_pictureOut + X264.PicturePtsOffset);
            var stamp = new TimeSpan(_timestamps[(int)((ulong)outPts % (ulong)_timestamps.Length)]);
            added = writer.AddAnnexB(new ReadOnlySpan<byte>(payload, bytes), stamp) == SampleOutcome.Added;
        }
        return added ? SampleOutcome.Added : SampleOutcome.Dropped;
    }

    private TurboJpegDecoder? JpegDecoder()
    {
        if (!_jpegTried)
        {
            _jpegTried = true;
            _jpeg = TurboJpegDecoder.TryCreate(out _);
        }
        return _jpeg;
    }

    private void ToPicture(in Frame frame)
    {
        var planes = (byte**)(_pictureIn + X264.PicturePlaneOffset);
        var strides = (int*)(_pictureIn + X264.PictureStrideOffset);
        I420Converter.Convert(frame, Width, Height, planes[0], strides[0], planes[1], strides[1], planes[2], strides[2]);
    }

    public override void Dispose()
    {
        if (_encoder.IsClosed)
            return;
        if (_staging is not null)
            LargeArrayPool.Shared.Return(_staging);
        _staging = null;
        _jpeg?.Dispose();
        _encoder.Dispose();
        X264.PictureClean(_pictureIn);
        NativeMemory.Free(_pictureIn);
        NativeMemory.Free(_pictureOut);
    }
}
