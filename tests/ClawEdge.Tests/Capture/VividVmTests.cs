using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using ClawEdge.Tests.Interop;

namespace ClawEdge.Tests.Capture;

/// <summary>
/// Our AOT binary against a real kernel driver: Debian's kernel with <c>vivid</c>, booted once under qemu for
/// the whole class (scripts/vivid-vm.sh). The guest script runs every probe; each test checks its part.
/// <c>v4l2-ctl</c> runs in the same boot as the reference for what the driver offers.
/// </summary>
public partial class VividVmTests
{
    // Non-default size and rate (vivid starts at 640x360, 5 fps), so a probe that skips S_FMT or S_PARM shows.
    private const int ProbeWidth = 640, ProbeHeight = 480, ProbeFps = 15, ProbeFrames = 30, SnapMaxWidth = 1280;

    private static readonly string GuestScript = $$"""
        dev=/dev/video0
        v4l2-ctl -d $dev --list-formats-ext > ref-formats.txt 2>&1

        clawedge camera list --json > list.json 2> list.err; echo $? > list.rc

        # Negotiation, mmap streaming, and the probe's own second opener while it streams.
        clawedge camera probe --device $dev --frames {{ProbeFrames}} --format yuyv --width {{ProbeWidth}} --height {{ProbeHeight}} --fps {{ProbeFps}} --json \
          > probe-yuyv.json 2> probe-yuyv.err; echo $? > probe-yuyv.rc
        clawedge camera probe --device $dev --frames {{ProbeFrames}} --format mjpeg --json \
          > probe-mjpeg.json 2> probe-mjpeg.err; echo $? > probe-mjpeg.rc

        # Another process owns the queue and streams ('<' per frame, unbuffered); our probe comes second.
        v4l2-ctl -d $dev --stream-mmap --stream-count=100000 > holder.txt 2>&1 &
        holder=$!
        i=0; while [ ! -s holder.txt ] && [ $i -lt 200 ]; do sleep 0.1; i=$((i+1)); done
        clawedge camera probe --device $dev --frames 5 --format yuyv --json > probe-busy.json 2> probe-busy.err; echo $? > probe-busy.rc
        # Still streaming afterwards? Count its frames across a second, then stop it.
        tr -cd '<' < holder.txt | wc -c > holder.before; sleep 1; tr -cd '<' < holder.txt | wc -c > holder.after
        kill $holder; wait $holder

        CLAWEDGE_Camera__Enabled=true clawedge camera snap --device $dev --width {{SnapMaxWidth}} -o /out/snap.jpg --json \
          > snap.json 2> snap.err; echo $? > snap.rc
        # Every raw format ClawEdge converts, from the real driver's frames (catches swapped chroma or R/B).
        for f in uyvy nv12 rgb3 bgr3; do
          CLAWEDGE_Camera__Enabled=true clawedge camera snap --device $dev --format $f --width 640 --delay-ms 0 -o /out/snap-$f.jpg --json \
            > snap-$f.json 2> snap-$f.err; echo $? > snap-$f.rc
        done

        # /dev/video1 is a second vivid instance on the multi-planar API (VIDEO_CAPTURE_MPLANE, struct v4l2_plane).
        clawedge camera probe --device /dev/video1 --frames {{ProbeFrames}} --format nv12 --width {{ProbeWidth}} --height {{ProbeHeight}} --fps {{ProbeFps}} --json \
          > probe-mplane.json 2> probe-mplane.err; echo $? > probe-mplane.rc
        CLAWEDGE_Camera__Enabled=true clawedge camera snap --device /dev/video1 --format yuyv --width 640 --delay-ms 0 -o /out/snap-mplane.jpg --json \
          > snap-mplane.json 2> snap-mplane.err; echo $? > snap-mplane.rc

        # Permission: a user outside the 'video' group is refused; the same user in it is served.
        echo 'cam:x:1000:1000::/tmp:/bin/sh' >> /etc/passwd
        echo 'cam:x:1000:' >> /etc/group; echo 'video:x:44:' >> /etc/group
        chgrp video $dev; chmod 660 $dev
        su cam -c "clawedge camera probe --device $dev --frames 3 --json" > perm-denied.json 2> perm-denied.err; echo $? > perm-denied.rc
        sed -i 's/^video:x:44:$/video:x:44:cam/' /etc/group
        su cam -c "clawedge camera probe --device $dev --frames 3 --json" > perm-granted.json 2> perm-granted.err; echo $? > perm-granted.rc

        # Unplug mid-capture (last: the device is gone afterwards). Unbind once the probe has its buffers mapped.
        clawedge camera probe --device $dev --frames 600 --width 320 --height 180 --fps 30 --json > unplug.json 2> unplug.err &
        probe=$!
        i=0; while ! grep -q video0 /proc/$probe/maps 2>/dev/null && [ $i -lt 200 ]; do sleep 0.1; i=$((i+1)); done
        sleep 0.5
        echo vivid.0 > /sys/bus/platform/drivers/vivid/unbind
        wait $probe; echo $? > unplug.rc
        dmesg > dmesg.txt
        """;

    private static readonly Lazy<Task<VividVm>> Boot = new(() =>
        VividVm.RunAsync(GuestScript, [Tools.BinX64, "/usr/bin/v4l2-ctl"], [VividVm.SkiaLibraryX64], TimeSpan.FromMinutes(4),
            vividParameters: "n_devs=2 node_types=0x1,0x1 input_types=0x0,0x0 multiplanar=1,2"));

    [After(Class)]
    public static async Task DeleteResults()
    {
        if (Boot.IsValueCreated && Boot.Value.IsCompletedSuccessfully)
            (await Boot.Value).Delete();
    }

    /// <summary>A step's exit code and its JSON (stdout); unparseable output fails with what the step printed.</summary>
    private static async Task<(VividVm Vm, int ExitCode, JsonNode Json)> StepAsync(string name)
    {
        var vm = await Boot.Value;
        int rc = int.Parse(vm.Read($"{name}.rc").Trim());
        string json = vm.Read($"{name}.json");
        try
        {
            return (vm, rc, JsonNode.Parse(json)!);
        }
        catch (System.Text.Json.JsonException e)
        {
            throw new InvalidOperationException($"clawedge {name} exited {rc} with no JSON ({e.Message}):\n{json}\n{vm.Read($"{name}.err")}");
        }
    }

    private static async Task<(VividVm Vm, JsonNode Json)> SucceededStepAsync(string name)
    {
        var (vm, rc, json) = await StepAsync(name);
        if (rc != 0)
            throw new InvalidOperationException($"clawedge {name} exited {rc}: {json.ToJsonString()}\n{vm.Read($"{name}.err")}");
        return (vm, json);
    }

    /// <summary>fourcc → (size → highest rate) as v4l2-ctl read it from the driver in the same boot.</summary>
    private static Dictionary<string, Dictionary<(int W, int H), double>> ReferenceFormats(VividVm vm)
    {
        var formats = new Dictionary<string, Dictionary<(int, int), double>>();
        Dictionary<(int, int), double>? sizes = null;
        (int, int) size = default;
        foreach (string line in vm.Read("ref-formats.txt").Split('\n'))
        {
            if (FormatLine().Match(line) is { Success: true } f)
                formats[f.Groups[1].Value.TrimEnd()] = sizes = [];
            else if (SizeLine().Match(line) is { Success: true } s && sizes is not null)
                sizes[size = (int.Parse(s.Groups[1].Value), int.Parse(s.Groups[2].Value))] = 0;
            else if (RateLine().Match(line) is { Success: true } r && sizes is not null)
                sizes[size] = Math.Max(sizes[size], double.Parse(r.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
        }
        return formats;
    }

    [GeneratedRegex(@"^\s*\[\d+\]: '(.{4})")]
    private static partial Regex FormatLine();

    [GeneratedRegex(@"Size: Discrete (\d+)x(\d+)")]
    private static partial Regex SizeLine();

    [GeneratedRegex(@"Interval: Discrete [\d.]+s \(([\d.]+) fps\)")]
    private static partial Regex RateLine();

    [Test]
    public async Task Lists_the_vivid_device_with_the_sizes_and_rates_the_driver_enumerates()
    {
        var (vm, list) = await SucceededStepAsync("list");
        var device = list["devices"]!.AsArray().Select(d => d!.AsObject()).SingleOrDefault(d => (string?)d["id"] == "/dev/video0")
            ?? throw new InvalidOperationException($"no /dev/video0 in {list.ToJsonString()}");
        await Assert.That((string?)device["name"]).Contains("vivid");
        await Assert.That((string?)device["driver"]).IsEqualTo("vivid");
        await Assert.That((string?)device["backend"]).IsEqualTo("v4l2");
        await Assert.That((string?)device["position"]).IsEqualTo("unknown");

        var reference = ReferenceFormats(vm);
        await Assert.That(reference.Count).IsGreaterThan(10).Because("v4l2-ctl saw vivid's formats");
        var ours = device["formats"]!.AsArray()
            .Select(m => ((string)m!["format"]!, ((int)m["width"]!, (int)m["height"]!), (double)m["fps"]!))
            .GroupBy(m => m.Item1)
            .ToDictionary(g => g.Key, g => g.ToDictionary(m => m.Item2, m => m.Item3));

        // The raw formats ClawEdge converts, all of which vivid offers, are listed...
        foreach (string fourcc in new[] { "YUYV", "UYVY", "NV12", "RGB3" })
            await Assert.That(ours.ContainsKey(fourcc)).IsTrue().Because($"vivid offers {fourcc}; listed: {string.Join(' ', ours.Keys)}");
        // ...and every listed mode is exactly what the driver enumerates: same sizes, same top rate per size.
        foreach (var (fourcc, modes) in ours)
        {
            await Assert.That(reference.ContainsKey(fourcc)).IsTrue().Because($"{fourcc} is not offered by vivid");
            string Describe(Dictionary<(int W, int H), double> m) => string.Join(' ', m.OrderBy(x => x.Key.W * x.Key.H).Select(x => $"{x.Key.W}x{x.Key.H}@{x.Value:0.###}"));
            await Assert.That(Describe(modes)).IsEqualTo(Describe(reference[fourcc])).Because(fourcc);
        }
    }

    [Test]
    public async Task Streams_30_yuyv_frames_at_the_negotiated_size_and_rate_with_increasing_sequence_and_timestamps()
    {
        var (_, probe) = await SucceededStepAsync("probe-yuyv");
        await Assert.That((string?)probe["driver"]).IsEqualTo("vivid");
        var negotiated = probe["negotiated"]!;
        await Assert.That((string?)negotiated["format"]).IsEqualTo("YUYV");
        await Assert.That((int)negotiated["width"]!).IsEqualTo(ProbeWidth);
        await Assert.That((int)negotiated["height"]!).IsEqualTo(ProbeHeight);
        await Assert.That((double)negotiated["fps"]!).IsEqualTo(ProbeFps);
        await Assert.That((bool)negotiated["rateSet"]!).IsTrue();
        await Assert.That((int)negotiated["sizeImage"]!).IsEqualTo(ProbeWidth * ProbeHeight * 2);
        await AssertStreamAsync(probe, ProbeWidth * ProbeHeight * 2, ProbeFps);
    }

    [Test]
    public async Task Streams_mjpeg_when_vivid_offers_it_and_refuses_it_by_name_when_not()
    {
        var vm = await Boot.Value;
        if (ReferenceFormats(vm).ContainsKey("MJPG"))
        {
            var (_, probe) = await SucceededStepAsync("probe-mjpeg");
            await Assert.That((string?)probe["negotiated"]!["format"]).IsEqualTo("MJPG");
            await Assert.That((int)probe["jpegFrames"]!).IsEqualTo((int)probe["count"]!);
            await AssertStreamAsync(probe, expectedBytes: null, expectedFps: null);
            return;
        }
        // vivid's webcam input has raw formats only: the probe must refuse, not stream another format.
        var (_, rc, json) = await StepAsync("probe-mjpeg");
        await Assert.That(rc).IsNotEqualTo(0);
        await Assert.That((bool?)json["ok"]).IsFalse();
        await Assert.That((string?)json["error"]!["kind"]).IsEqualTo("Unsupported");
        await Assert.That((string?)json["error"]!["message"]).Contains("MJPG");
    }

    private static async Task AssertStreamAsync(JsonNode probe, int? expectedBytes, int? expectedFps)
    {
        var frames = probe["frames"]!.AsArray().Select(f => f!.AsObject()).ToList();
        await Assert.That(frames.Count).IsGreaterThanOrEqualTo(ProbeFrames);
        long previousSequence = -1, previousTimestamp = long.MinValue;
        var intervals = new List<long>();
        foreach (var frame in frames)
        {
            long sequence = (long)frame["sequence"]!, timestamp = (long)frame["timestampUs"]!;
            int bytes = (int)frame["bytesUsed"]!;
            await Assert.That(sequence).IsGreaterThan(previousSequence);
            await Assert.That(timestamp).IsGreaterThan(previousTimestamp);
            if (expectedBytes is int b)
                await Assert.That(bytes).IsEqualTo(b);
            else
                await Assert.That(bytes).IsGreaterThan(0);
            if (previousTimestamp != long.MinValue)
                intervals.Add(timestamp - previousTimestamp);
            previousSequence = sequence;
            previousTimestamp = timestamp;
        }
        await Assert.That((bool)probe["monotonic"]!).IsTrue();
        await Assert.That((bool)probe["sequenceIncreasing"]!).IsTrue();
        if (expectedFps is int fps)
        {
            // The driver paces frames at the rate S_PARM set; the median ignores TCG scheduling hiccups.
            intervals.Sort();
            double median = intervals[intervals.Count / 2];
            await Assert.That(median).IsBetween(0.7e6 / fps, 1.3e6 / fps);
        }
    }

    [Test]
    public async Task A_second_opener_is_refused_as_busy_while_the_first_streams()
    {
        // Within one process: the probe opens a second session while its first streams.
        var (vm, probe) = await SucceededStepAsync("probe-yuyv");
        await Assert.That((string?)probe["busy"]!["kind"]).IsEqualTo("Busy");
        await Assert.That((string?)probe["busy"]!["message"]).Contains("busy", StringComparison.OrdinalIgnoreCase);

        // Across processes: v4l2-ctl streams, our probe comes second and says why it cannot start.
        var (_, rc, json) = await StepAsync("probe-busy");
        await Assert.That(rc).IsNotEqualTo(0);
        await Assert.That((string?)json["error"]!["kind"]).IsEqualTo("Busy");
        await Assert.That((string?)json["error"]!["message"]).Contains("busy", StringComparison.OrdinalIgnoreCase);
        // The first opener was not disturbed: it kept receiving frames after our refusal.
        int before = int.Parse(vm.Read("holder.before").Trim()), after = int.Parse(vm.Read("holder.after").Trim());
        await Assert.That(before).IsGreaterThan(0);
        await Assert.That(after).IsGreaterThan(before).Because(vm.Read("holder.txt"));
    }

    [Test]
    public async Task Streams_nv12_through_the_multi_planar_api()
    {
        var (_, probe) = await SucceededStepAsync("probe-mplane");
        await Assert.That((bool)probe["multiPlanar"]!).IsTrue();
        var negotiated = probe["negotiated"]!;
        await Assert.That((string?)negotiated["format"]).IsEqualTo("NV12");
        await Assert.That((int)negotiated["width"]!).IsEqualTo(ProbeWidth);
        await Assert.That((int)negotiated["height"]!).IsEqualTo(ProbeHeight);
        await Assert.That((double)negotiated["fps"]!).IsEqualTo(ProbeFps);
        await AssertStreamAsync(probe, ProbeWidth * ProbeHeight * 3 / 2, ProbeFps);
        await Assert.That((string?)probe["busy"]!["kind"]).IsEqualTo("Busy");
    }

    [Test]
    public async Task Snap_through_the_multi_planar_api_shows_the_colour_bars()
    {
        var (vm, summary) = await SucceededStepAsync("snap-mplane");
        await Assert.That((string?)summary["device"]).IsEqualTo("/dev/video1");
        await Assert.That((string?)summary["sourceFormat"]).IsEqualTo("YUYV");
        await AssertColourBarsAsync(await DecodeAsync(vm, "snap-mplane.jpg"));
    }

    [Test]
    public async Task A_user_outside_the_video_group_is_told_to_join_it_and_is_served_once_in_it()
    {
        var (_, rc, denied) = await StepAsync("perm-denied");
        await Assert.That(rc).IsNotEqualTo(0);
        await Assert.That((string?)denied["error"]!["kind"]).IsEqualTo("PermissionDenied");
        await Assert.That((string?)denied["error"]!["message"]).Contains("video");

        var (_, granted) = await SucceededStepAsync("perm-granted");
        await Assert.That((int)granted["count"]!).IsEqualTo(3);
    }

    [Test]
    public async Task A_device_unplugged_mid_capture_is_reported_disconnected()
    {
        // The guest unbinds vivid's platform device once the probe has its buffers mapped: ioctls then fail with ENODEV.
        var (vm, rc, json) = await StepAsync("unplug");
        await Assert.That(rc).IsNotEqualTo(0);
        await Assert.That((string?)json["error"]!["kind"]).IsEqualTo("Disconnected").Because(vm.Read("unplug.err"));
    }

    [Test]
    public async Task Snap_writes_a_jpeg_that_djpeg_decodes_to_vivid_colour_bars()
    {
        var (vm, summary) = await SucceededStepAsync("snap");
        await Assert.That((int)summary["bytes"]!).IsEqualTo((int)new FileInfo(vm.PathOf("snap.jpg")).Length);

        var image = await DecodeAsync(vm, "snap.jpg");

        // Captured at a size vivid offers, scaled to the requested width with the aspect ratio kept.
        int sourceWidth = (int)summary["sourceWidth"]!, sourceHeight = (int)summary["sourceHeight"]!;
        await Assert.That(ReferenceFormats(vm)[(string)summary["sourceFormat"]!].ContainsKey((sourceWidth, sourceHeight))).IsTrue();
        await Assert.That(image.Width).IsEqualTo(Math.Min(SnapMaxWidth, sourceWidth));
        await Assert.That(image.Height).IsBetween(image.Width * sourceHeight / sourceWidth - 1, image.Width * sourceHeight / sourceWidth + 1);
        await Assert.That((int)summary["width"]!).IsEqualTo(image.Width);
        await Assert.That((int)summary["height"]!).IsEqualTo(image.Height);
        await AssertColourBarsAsync(image);
    }

    [Test]
    [Arguments("uyvy", "UYVY")]
    [Arguments("nv12", "NV12")]
    [Arguments("rgb3", "RGB3")]
    [Arguments("bgr3", "BGR3")]
    public async Task Snap_from_each_converted_format_shows_the_colour_bars(string option, string fourcc)
    {
        var (vm, summary) = await SucceededStepAsync($"snap-{option}");
        await Assert.That((string?)summary["sourceFormat"]).IsEqualTo(fourcc);
        var image = await DecodeAsync(vm, $"snap-{option}.jpg");
        await Assert.That(image.Width).IsEqualTo(640);
        await AssertColourBarsAsync(image);
    }

    private static async Task<Ppm> DecodeAsync(VividVm vm, string jpegName)
    {
        string jpeg = vm.PathOf(jpegName);
        await Assert.That(File.Exists(jpeg)).IsTrue();
        string ppm = Path.ChangeExtension(jpeg, ".ppm");
        var (code, output) = await ChildProcess.RunAsync("sh", ["-c", $"djpeg -pnm '{jpeg}' > '{ppm}'"]);
        await Assert.That(code).IsEqualTo(0).Because(output);
        return Ppm.Read(ppm);
    }

    /// <summary>vivid's default pattern: 75% colour bars, left to right, below the text overlay in the upper left.</summary>
    private static async Task AssertColourBarsAsync(Ppm image)
    {
        (bool R, bool G, bool B)[] bars =
        [
            (true, true, true), (true, true, false), (false, true, true), (false, true, false),    // white yellow cyan green
            (true, false, true), (true, false, false), (false, false, true), (false, false, false), // magenta red blue black
        ];
        int y = image.Height * 4 / 5;
        for (int i = 0; i < bars.Length; i++)
        {
            int x = (2 * i + 1) * image.Width / 16;
            var (r, g, b) = image.Pixel(x, y);
            var want = bars[i];
            string at = $"bar {i} at ({x},{y}) is rgb({r},{g},{b})";
            await Assert.That(want.R ? r >= 150 : r <= 60).IsTrue().Because(at);
            await Assert.That(want.G ? g >= 150 : g <= 60).IsTrue().Because(at);
            await Assert.That(want.B ? b >= 150 : b <= 60).IsTrue().Because(at);
        }
    }
}

/// <summary>A binary PPM (P6, maxval 255), as djpeg writes it.</summary>
public sealed class Ppm
{
    private readonly byte[] _pixels;

    private Ppm(int width, int height, byte[] pixels)
    {
        Width = width;
        Height = height;
        _pixels = pixels;
    }

    public int Width { get; }
    public int Height { get; }

    public (byte R, byte G, byte B) Pixel(int x, int y)
    {
        int i = (y * Width + x) * 3;
        return (_pixels[i], _pixels[i + 1], _pixels[i + 2]);
    }

    public static Ppm Read(string path)
    {
        byte[] data = File.ReadAllBytes(path);
        int pos = 0;
        string Token()
        {
            while (char.IsWhiteSpace((char)data[pos]))
                pos++;
            int start = pos;
            while (!char.IsWhiteSpace((char)data[pos]))
                pos++;
            return System.Text.Encoding.ASCII.GetString(data, start, pos - start);
        }
        if (Token() != "P6")
            throw new InvalidDataException($"{path} is not a binary PPM");
        int width = int.Parse(Token()), height = int.Parse(Token()), max = int.Parse(Token());
        if (max != 255)
            throw new InvalidDataException($"{path}: maxval {max}");
        pos++; // the single whitespace before the raster
        if (data.Length - pos != width * height * 3)
            throw new InvalidDataException($"{path}: {data.Length - pos} raster bytes for {width}x{height}");
        return new Ppm(width, height, data[pos..]);
    }
}
