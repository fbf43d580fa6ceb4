using System.Buffers;
using ClawEdge.Capture.Native;
using ClawEdge.Platform;

namespace ClawEdge.Capture.Jpeg;

/// <summary>
/// YUYV and NV12 camera frames, and MJPEG frames that must shrink, → JPEG through libjpeg-turbo's TurboJPEG, fed
/// the camera's own YUV as planes (4:2:2 or 4:2:0) with no RGB step; scaling for <c>maxWidth</c> happens on the planes. Planes come from the
/// shared pool and the JPEG is written into a tjAlloc'd buffer kept with a cached compressor, so a steady
/// stream of encodes allocates nothing managed.
/// </summary>
public static unsafe class TurboJpegEncoder
{
    public static bool CanEncode(PixelFormat format) => format is PixelFormat.Yuyv or PixelFormat.Nv12;

    /// <summary>True when libturbojpeg can be loaded here; <paramref name="reason"/> says why not.</summary>
    public static bool IsAvailable(out string? reason) => TurboJpeg.TryLoad(out reason);

    /// <summary>Encodes into <paramref name="output"/>; false (nothing written) when the library is missing or the format is not YUYV/NV12.</summary>
    /// <param name="quality">1–100.</param>
    /// <param name="maxWidth">Scale down (aspect kept) when the frame is wider; 0 or less: no limit.</param>
    /// <param name="yuyvAs420">Average YUYV's chroma row pairs to 4:2:0 (cjpeg's and Skia's default) instead of keeping 4:2:2.</param>
    public static bool TryEncode(in Frame frame, int quality, int maxWidth, IBufferWriter<byte> output, out int length, out int outWidth, out int outHeight,
        bool yuyvAs420 = false)
    {
        length = outWidth = outHeight = 0;
        if (!CanEncode(frame.Format) || !TurboJpeg.TryLoad(out _))
            return false;
        int width = frame.Width, height = frame.Height;
        int stride = frame.Stride > 0 ? frame.Stride : frame.Format.FrameBytes(width, 1);
        bool packed = frame.Format == PixelFormat.Yuyv;
        bool fullHeightChroma = packed && !yuyvAs420;
        int subsampling = fullHeightChroma ? TurboJpeg.Samp422 : TurboJpeg.Samp420;
        (outWidth, outHeight) = JpegEncoder.ScaledSize(width, height, maxWidth);

        var planes = Planes.Rent(width, height, fullHeightChroma);
        var scaled = default(Planes);
        try
        {
            if (packed)
                YuvPlanes.FromYuyv(frame.Data, width, height, stride, planes.Y, planes.Width, planes.U, planes.V, planes.ChromaWidth, halveChroma: !fullHeightChroma);
            else
                YuvPlanes.FromNv12(frame.Data, width, height, stride, planes.Y, planes.Width, planes.U, planes.V, planes.ChromaWidth);
            length = ScaleAndCompress(planes, ref scaled, outWidth, outHeight, fullHeightChroma, subsampling, quality, output);
            return true;
        }
        finally
        {
            planes.Return();
            scaled.Return();
        }
    }

    /// <summary>
    /// A camera's MJPEG frame → a smaller or coarser JPEG: decoded to its own YCbCr planes, scaled on them, compressed
    /// again with the same subsampling, so there is no RGB step and no colour conversion (JPEG's YCbCr is full range
    /// on both sides). Only 4:2:2 and 4:2:0, which is what UVC cameras send; false (nothing written) for other
    /// layouts, a frame the library cannot read or a missing library, and Skia does it instead.
    /// </summary>
    public static bool TryReencode(ReadOnlySpan<byte> jpeg, int quality, int maxWidth, IBufferWriter<byte> output, out int length, out int outWidth, out int outHeight)
    {
        length = outWidth = outHeight = 0;
        if (!TurboJpeg.TryLoad(out _))
            return false;
        var decompressor = RentDecompressor();
        if (decompressor is null)
            return false;
        var planes = default(Planes);
        var scaled = default(Planes);
        try
        {
            fixed (byte* data = jpeg)
            {
                int width, height, subsampling, colorspace;
                if (TurboJpeg.DecompressHeader3(decompressor.DangerousGetHandle(), data, (nuint)jpeg.Length, &width, &height, &subsampling, &colorspace) != 0
                    || subsampling is not (TurboJpeg.Samp422 or TurboJpeg.Samp420))
                    return false;
                bool fullHeightChroma = subsampling == TurboJpeg.Samp422;
                planes = Planes.Rent(width, height, fullHeightChroma);
                byte** targets = stackalloc byte*[3];
                int* strides = stackalloc int[3];
                fixed (byte* y = planes.Y, u = planes.U, v = planes.V)
                {
                    planes.Describe(y, u, v, targets, strides);
                    if (TurboJpeg.DecompressToYuvPlanes(decompressor.DangerousGetHandle(), data, (nuint)jpeg.Length, targets, width, strides, height, 0) != 0)
                        return false;
                }
                (outWidth, outHeight) = JpegEncoder.ScaledSize(width, height, maxWidth);
                length = ScaleAndCompress(planes, ref scaled, outWidth, outHeight, fullHeightChroma, subsampling, quality, output);
                return true;
            }
        }
        finally
        {
            planes.Return();
            scaled.Return();
            ReturnDecompressor(decompressor);
        }
    }

    private static int ScaleAndCompress(in Planes planes, ref Planes scaled, int outWidth, int outHeight, bool fullHeightChroma, int subsampling, int quality,
        IBufferWriter<byte> output)
    {
        var encoded = planes;
        if (outWidth != planes.Width || outHeight != planes.Height)
        {
            scaled = Planes.Rent(outWidth, outHeight, fullHeightChroma);
            YuvPlanes.Resize(planes.Y, planes.Width, planes.Height, planes.Width, scaled.Y, outWidth, outHeight, outWidth);
            YuvPlanes.Resize(planes.U, planes.ChromaWidth, planes.ChromaHeight, planes.ChromaWidth, scaled.U, scaled.ChromaWidth, scaled.ChromaHeight, scaled.ChromaWidth);
            YuvPlanes.Resize(planes.V, planes.ChromaWidth, planes.ChromaHeight, planes.ChromaWidth, scaled.V, scaled.ChromaWidth, scaled.ChromaHeight, scaled.ChromaWidth);
            encoded = scaled;
        }
        var compressor = Compressor.Rent();
        try
        {
            return compressor.Compress(encoded, subsampling, Math.Clamp(quality, 1, 100), output);
        }
        finally
        {
            Compressor.Return(compressor);
        }
    }

    // One spare decompressor, as for compressors: a handle is not thread-safe, so a caller rents it.
    private static TurboJpegHandle? _spareDecompressor;

    private static TurboJpegHandle? RentDecompressor()
    {
        if (Interlocked.Exchange(ref _spareDecompressor, null) is { } spare)
            return spare;
        var handle = new TurboJpegHandle(TurboJpeg.InitDecompress());
        if (!handle.IsInvalid)
            return handle;
        handle.Dispose();
        return null;
    }

    private static void ReturnDecompressor(TurboJpegHandle handle)
    {
        if (Interlocked.CompareExchange(ref _spareDecompressor, handle, null) is not null)
            handle.Dispose();
    }

    /// <summary>Y, Cb and Cr planes, tightly packed, in one pooled array.</summary>
    private readonly struct Planes
    {
        private readonly byte[]? _array;

        private Planes(byte[] array, int width, int height, int chromaHeight)
        {
            _array = array;
            Width = width;
            Height = height;
            ChromaWidth = YuvPlanes.ChromaWidth(width);
            ChromaHeight = chromaHeight;
        }

        public int Width { get; }
        public int Height { get; }
        public int ChromaWidth { get; }
        public int ChromaHeight { get; }
        public Span<byte> Y => _array.AsSpan(0, Width * Height);
        public Span<byte> U => _array.AsSpan(Width * Height, ChromaWidth * ChromaHeight);
        public Span<byte> V => _array.AsSpan(Width * Height + ChromaWidth * ChromaHeight, ChromaWidth * ChromaHeight);

        public static Planes Rent(int width, int height, bool fullHeightChroma)
        {
            int chromaHeight = fullHeightChroma ? height : (height + 1) / 2;
            long bytes = (long)width * height + 2L * YuvPlanes.ChromaWidth(width) * chromaHeight;
            if (bytes > Array.MaxLength)
                throw new CaptureException(CaptureError.Failed, $"frame {width}x{height} too large to encode");
            return new Planes(LargeArrayPool.Shared.Rent((int)bytes), width, height, chromaHeight);
        }

        /// <summary>TurboJPEG's plane arguments for these planes pinned at <paramref name="y"/>, <paramref name="u"/>, <paramref name="v"/>.</summary>
        public void Describe(byte* y, byte* u, byte* v, byte** pointers, int* strides)
        {
            pointers[0] = y;
            pointers[1] = u;
            pointers[2] = v;
            strides[0] = Width;
            strides[1] = strides[2] = ChromaWidth;
        }

        public void Return()
        {
            if (_array is not null)
                LargeArrayPool.Shared.Return(_array);
        }
    }

    /// <summary>
    /// A TurboJPEG compressor with its output buffer. Handles are not thread-safe: a caller rents one, and the
    /// one spare kept between calls spares the next snap the set-up.
    /// </summary>
    private sealed class Compressor : IDisposable
    {
        private static Compressor? _spare;
        private readonly TurboJpegHandle _handle;
        // Sized by tjBufSize for the largest image so far: with TJFLAG_NOREALLOC TurboJPEG never replaces it.
        private TurboJpegBuffer? _buffer;

        private Compressor(TurboJpegHandle handle) => _handle = handle;

        public static Compressor Rent()
        {
            if (Interlocked.Exchange(ref _spare, null) is { } spare)
                return spare;
            var handle = new TurboJpegHandle(TurboJpeg.InitCompress());
            if (handle.IsInvalid)
                throw new CaptureException(CaptureError.Failed, $"tjInitCompress failed: {TurboJpeg.Error(handle)}");
            return new Compressor(handle);
        }

        public static void Return(Compressor compressor)
        {
            if (Interlocked.CompareExchange(ref _spare, compressor, null) is not null)
                compressor.Dispose();
        }

        public int Compress(in Planes planes, int subsampling, int quality, IBufferWriter<byte> output)
        {
            nuint worst = TurboJpeg.BufSize(planes.Width, planes.Height, subsampling);
            if (worst == unchecked((nuint)(-1)) || worst > int.MaxValue)
                throw new CaptureException(CaptureError.Failed, $"TurboJPEG cannot encode {planes.Width}x{planes.Height}");
            if (_buffer is null || _buffer.Size < worst)
            {
                _buffer?.Dispose();
                _buffer = null;
                _buffer = TurboJpegBuffer.Allocate(worst);
            }
            byte* jpeg = _buffer.Pointer;
            nuint size = _buffer.Size;
            byte** sources = stackalloc byte*[3];
            int* strides = stackalloc int[3];
            fixed (byte* y = planes.Y, u = planes.U, v = planes.V)
            {
                planes.Describe(y, u, v, sources, strides);
                if (TurboJpeg.CompressFromYuvPlanes(_handle.DangerousGetHandle(), sources, planes.Width, strides, planes.Height, subsampling,
                        &jpeg, &size, quality, TurboJpeg.FlagNoRealloc) != 0)
                    throw new CaptureException(CaptureError.Failed, $"TurboJPEG encode failed: {TurboJpeg.Error(_handle)}");
            }
            output.Write(new ReadOnlySpan<byte>(jpeg, (int)size));
            return (int)size;
        }

        public void Dispose()
        {
            _buffer?.Dispose();
            _handle.Dispose();
        }
    }
}
