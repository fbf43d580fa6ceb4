using ClawEdge.Capture.Native;
using ClawEdge.Tests.Interop;

namespace ClawEdge.Tests.Media;

/// <summary>The struct offsets we poke at, checked against the real headers (x264.h, Xlib.h, XShm.h) compiled by gcc.</summary>
public class NativeLayoutTests
{
    [Test]
    public async Task X264_and_Xlib_offsets_match_the_headers()
    {
        string dir = Tools.TempDir("layout");
        try
        {
            string source = Path.Combine(dir, "layout.c");
            await File.WriteAllTextAsync(source, """
                #include <stdio.h>
                #include <stddef.h>
                #include <stdint.h>
                #include <x264.h>
                #include <X11/Xlib.h>
                #include <X11/extensions/XShm.h>
                #include <X11/extensions/Xinerama.h>
                int main(void) {
                  printf("%d %zu %zu %zu %zu\n", X264_BUILD, sizeof(x264_param_t), offsetof(x264_param_t, i_width), offsetof(x264_param_t, i_height), offsetof(x264_param_t, i_csp));
                  printf("%zu %zu %zu %zu %zu\n", sizeof(x264_picture_t), offsetof(x264_picture_t, b_keyframe), offsetof(x264_picture_t, i_pts), offsetof(x264_picture_t, img.i_stride), offsetof(x264_picture_t, img.plane));
                  printf("%zu %zu %zu %d\n", sizeof(x264_nal_t), offsetof(x264_nal_t, i_payload), offsetof(x264_nal_t, p_payload), X264_CSP_I420);
                  printf("%zu %zu %zu %zu %zu\n", offsetof(XImage, data), offsetof(XImage, bytes_per_line), offsetof(XImage, bits_per_pixel), offsetof(XImage, red_mask), offsetof(XImage, f.destroy_image));
                  printf("%zu %zu %zu %zu\n", sizeof(XShmSegmentInfo), offsetof(XShmSegmentInfo, shmid), offsetof(XShmSegmentInfo, shmaddr), offsetof(XErrorEvent, error_code));
                  printf("%zu %zu\n", sizeof(XineramaScreenInfo), offsetof(XineramaScreenInfo, x_org));
                  return 0;
                }
                """);
            string exe = Path.Combine(dir, "layout");
            var (cc, ccOutput) = await ChildProcess.RunAsync("gcc", [source, "-o", exe]);
            await Assert.That(cc).IsEqualTo(0).Because(ccOutput);
            var (_, output) = await ChildProcess.RunAsync(exe, []);
            string expected = string.Join('\n',
                $"{X264.Build} {X264.ParamSize} {X264.ParamWidthOffset} {X264.ParamHeightOffset} {X264.ParamCspOffset}",
                $"{X264.PictureSize} {X264.PictureKeyframeOffset} {X264.PicturePtsOffset} {X264.PictureStrideOffset} {X264.PicturePlaneOffset}",
                $"{X264.NalSize} {X264.NalPayloadSizeOffset} {X264.NalPayloadOffset} {X264.CspI420}",
                $"{Xlib.ImageDataOffset} {Xlib.ImageBytesPerLineOffset} {Xlib.ImageBitsPerPixelOffset} {Xlib.ImageRedMaskOffset} {Xlib.ImageDestroyOffset}",
                $"{Xlib.ShmInfoSize} {Xlib.ShmInfoIdOffset} {Xlib.ShmInfoAddressOffset} {Xlib.ErrorEventCodeOffset}",
                "12 4");
            await Assert.That(output.Trim()).IsEqualTo(expected);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
