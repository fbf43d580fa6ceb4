using System.Text.Json.Nodes;
using ClawEdge.Tests.Interop;

namespace ClawEdge.Tests.Capture;

/// <summary>
/// The memory-to-memory encoder session (the code the Pi's <c>bcm2835-codec</c> H.264 path runs) against a real kernel
/// codec: <c>vicodec</c> (FWHT, the same stateful encoder interface), built out of tree by scripts/kernel-module.sh
/// and loaded in one boot of the test VM, first single-planar, then reloaded with <c>multiplanar=1</c>. The shipped
/// binary's <c>camera bench m2m</c> drives it; vicodec's own stateful decoder, driven by <c>v4l2-ctl</c>, decodes the
/// stream back, and the PSNR against the source frames is computed here.
/// </summary>
public class M2mVmTests
{
    private const int Frames = 40, Width = 640, Height = 480;
    private static readonly string[] Planes = ["sp", "mp"];
    private static readonly string[] RawFormats = ["yu12", "nv12"];

    private const string GuestScript = """
        for mp in 0 1; do
          tag=sp; [ $mp = 1 ] && tag=mp
          if [ $mp = 1 ]; then rmmod vicodec && insmod /lib/modules/vm/vicodec.ko multiplanar=1; fi
          for fmt in yu12 nv12; do
            clawedge camera bench m2m fwht --format $fmt --frames 40 --width 640 --height 480 \
              -o $tag-$fmt.fwht --file $tag-$fmt.src --json > $tag-$fmt.json 2> $tag-$fmt.err
            echo $? > $tag-$fmt.rc
            # vicodec's stateful decoder (/dev/video2) decodes what our session encoded, to the raw format it came from.
            v4l2-ctl -d /dev/video2 --set-fmt-video-out=pixelformat=FWHT --set-fmt-video=pixelformat=$(echo $fmt | tr a-z A-Z) \
              --stream-mmap --stream-out-mmap --stream-from $tag-$fmt.fwht --stream-to $tag-$fmt.dec > $tag-$fmt.dec.log 2>&1
            echo $? > $tag-$fmt.dec.rc
          done
        done
        # The clip encoder choice: vicodec is a memory-to-memory encoder, but not of H.264, so v4l2m2m finds none.
        clawedge camera bench clip v4l2m2m 5 > choice.out 2> choice.err; echo $? > choice.rc
        """;

    private static readonly Lazy<Task<VividVm>> Boot = new(() =>
        VividVm.RunAsync(GuestScript, [Tools.BinX64, "/usr/bin/v4l2-ctl"], [VividVm.SkiaLibraryX64], TimeSpan.FromMinutes(5),
            launcherOptions: ["--insmod", "vicodec", "--memory", "768"]));

    [After(Class)]
    public static async Task DeleteResults()
    {
        if (Boot.IsValueCreated && Boot.Value.IsCompletedSuccessfully)
            (await Boot.Value).Delete();
    }

    private static async Task<(VividVm Vm, JsonNode Json)> RunAsync(string tag)
    {
        var vm = await Boot.Value;
        int rc = int.Parse(vm.Read($"{tag}.rc").Trim());
        string json = vm.Read($"{tag}.json");
        if (rc != 0)
            throw new InvalidOperationException($"camera bench m2m ({tag}) exited {rc}:\n{json}\n{vm.Read($"{tag}.err")}\n{vm.Diagnostics()}");
        return (vm, JsonNode.Parse(json)!);
    }

    public static IEnumerable<(string Planes, string Format)> Runs() =>
        Planes.SelectMany(p => RawFormats.Select(f => (p, f)));

    [Test]
    [MethodDataSource(nameof(Runs))]
    public async Task Negotiates_formats_and_codes_every_queued_frame_up_to_the_LAST_buffer(string planes, string format)
    {
        var (_, r) = await RunAsync($"{planes}-{format}");
        await Assert.That((string?)r["driver"]).IsEqualTo("vicodec");
        await Assert.That((bool)r["foundByScan"]!).IsTrue().Because("the scan finds the FWHT encoder node, not vivid or the decoders");
        await Assert.That((string?)r["device"]).IsEqualTo("/dev/video1");
        await Assert.That((bool)r["multiPlanar"]!).IsEqualTo(planes == "mp");
        await Assert.That((string?)r["rawFormat"]).IsEqualTo(format.ToUpperInvariant());
        await Assert.That((string?)r["codec"]).IsEqualTo("FWHT");
        await Assert.That((int)r["width"]!).IsEqualTo(Width);
        await Assert.That((int)r["height"]!).IsEqualTo(Height);
        await Assert.That((int)r["rawSizeImage"]!).IsEqualTo(Width * Height * 3 / 2);
        await Assert.That((int)r["outputBuffers"]!).IsGreaterThanOrEqualTo(2);
        await Assert.That((int)r["captureBuffers"]!).IsGreaterThanOrEqualTo(2);
        // vicodec's GOP control is 1..16: 300 asked, clamped to the range QUERYCTRL reports.
        await Assert.That((int)r["gopRequested"]!).IsEqualTo(300);
        await Assert.That((int?)r["gopApplied"]).IsEqualTo(16);
        await Assert.That(r["bitrateApplied"]).IsNull().Because("vicodec has no bitrate control; the session skips what a driver lacks");
        await Assert.That((int)r["queued"]!).IsEqualTo(Frames);
        await Assert.That((int)r["encoded"]!).IsEqualTo(Frames);
        await Assert.That((bool)r["lastSeen"]!).IsTrue();
        await Assert.That((long)r["codedBytes"]!).IsGreaterThan(0L);
    }

    [Test]
    [MethodDataSource(nameof(Runs))]
    public async Task Steady_state_allocates_no_managed_bytes_per_frame(string planes, string format)
    {
        var (_, r) = await RunAsync($"{planes}-{format}");
        await Assert.That((long)r["managedBytesPerFrame"]!).IsEqualTo(0L);
    }

    [Test]
    [MethodDataSource(nameof(Runs))]
    public async Task Busy_queues_answer_EBUSY_as_the_busy_error_and_a_second_session_has_its_own_context(string planes, string format)
    {
        var (_, r) = await RunAsync($"{planes}-{format}");
        await Assert.That((string?)r["resolutionChangeWhileStreaming"]).StartsWith("Busy: /dev/video1 is busy (VIDIOC_S_FMT (raw))");
        await Assert.That((string?)r["secondSession"]).IsEqualTo("ok");
        await Assert.That((string?)r["secondStopWhileDraining"]).StartsWith("Busy: /dev/video1 is busy (VIDIOC_ENCODER_CMD stop)");
        // The second session queued one frame more than it had coded buffers, stopped while that one waited: it was still
        // coded, into the buffer flagged LAST.
        await Assert.That((int)r["secondSessionQueued"]!).IsEqualTo((int)r["captureBuffers"]! + 1);
        await Assert.That((int)r["secondSessionEncoded"]!).IsEqualTo((int)r["secondSessionQueued"]!);
        await Assert.That((bool)r["secondSessionLastSeen"]!).IsTrue();
    }

    [Test]
    [MethodDataSource(nameof(Runs))]
    public async Task Vicodecs_own_decoder_gives_back_the_source_frames(string planes, string format)
    {
        var (vm, r) = await RunAsync($"{planes}-{format}");
        string tag = $"{planes}-{format}";
        int rc = int.Parse(vm.Read($"{tag}.dec.rc").Trim());
        await Assert.That(rc).IsEqualTo(0).Because(vm.Read($"{tag}.dec.log"));
        byte[] source = await File.ReadAllBytesAsync(vm.PathOf($"{tag}.src")); // I420 frames, used in turn
        byte[] decoded = await File.ReadAllBytesAsync(vm.PathOf($"{tag}.dec"));
        int frameBytes = Width * Height * 3 / 2;
        int sourceFrames = (int)r["sourceFrames"]!;
        await Assert.That(source.Length).IsEqualTo(sourceFrames * frameBytes);
        await Assert.That(decoded.Length).IsEqualTo(Frames * frameBytes).Because("one decoded picture per queued frame");
        double worst = double.MaxValue;
        for (int i = 0; i < Frames; i++)
        {
            var picture = decoded.AsSpan(i * frameBytes, frameBytes);
            byte[] i420 = format == "nv12" ? Nv12ToI420(picture) : picture.ToArray();
            worst = Math.Min(worst, Psnr(source.AsSpan(i % sourceFrames * frameBytes, frameBytes), i420));
        }
        // FWHT at vicodec's default quantisers: ~40 dB on the test pattern; a wrong plane layout or stride gives < 15.
        await Assert.That(worst).IsGreaterThan(30.0);
    }

    [Test]
    [MethodDataSource(nameof(Runs))]
    public async Task The_clip_encoder_gets_each_frames_coded_buffer_back_before_Encode_returns(string planes, string format)
    {
        var (_, r) = await RunAsync($"{planes}-{format}");
        if (format != "yu12")
            return; // the clip encoder always feeds YU12 (the I420 converter's output); the NV12 runs test the session
        await Assert.That((string?)r["encoderPath"]).IsEqualTo("ok");
        await Assert.That((int)r["encoderFrames"]!).IsEqualTo(20);
        await Assert.That((long)r["encoderManagedBytesPerFrame"]!).IsEqualTo(0L);
    }

    [Test]
    public async Task Clip_encoder_v4l2m2m_takes_only_an_H264_encoder()
    {
        var vm = await Boot.Value;
        await Assert.That(int.Parse(vm.Read("choice.rc").Trim())).IsNotEqualTo(0);
        await Assert.That(vm.Read("choice.err")).Contains("no V4L2 memory-to-memory H.264 encoder");
    }

    private static byte[] Nv12ToI420(ReadOnlySpan<byte> nv12)
    {
        int luma = Width * Height, chroma = luma / 4;
        var i420 = new byte[luma + 2 * chroma];
        nv12[..luma].CopyTo(i420);
        for (int i = 0; i < chroma; i++)
        {
            i420[luma + i] = nv12[luma + 2 * i];
            i420[luma + chroma + i] = nv12[luma + 2 * i + 1];
        }
        return i420;
    }

    private static double Psnr(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        double sum = 0;
        for (int i = 0; i < a.Length; i++)
        {
            int d = a[i] - b[i];
            sum += d * d;
        }
        double mse = sum / a.Length;
        return mse == 0 ? 99 : 10 * Math.Log10(255.0 * 255.0 / mse);
    }
}
