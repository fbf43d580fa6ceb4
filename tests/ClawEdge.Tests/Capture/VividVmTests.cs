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
    private const int ProbeWidth = 640, ProbeHeight = 480, ProbeFps = 15, ProbeFrames = 30;

    private static readonly string GuestScript = $$"""
        dev=/dev/video0
        v4l2-ctl -d $dev --list-formats-ext > ref-formats.txt 2>&1

        clawedge camera list --json > list.json 2> list.err; echo $? > list.rc

        clawedge camera probe --device $dev --frames {{ProbeFrames}} --format yuyv --size {{ProbeWidth}}x{{ProbeHeight}} --fps {{ProbeFps}} --json \
          > probe-yuyv.json 2> probe-yuyv.err; echo $? > probe-yuyv.rc
        clawedge camera probe --device $dev --frames {{ProbeFrames}} --format mjpeg --json \
          > probe-mjpeg.json 2> probe-mjpeg.err; echo $? > probe-mjpeg.rc

        # Two openers: v4l2-ctl owns the queue and streams ('<' per frame, unbuffered); then our probe comes second.
        v4l2-ctl -d $dev --set-parm=30 --stream-mmap --stream-count=120 > holder.txt 2>&1 &
        holder=$!
        i=0; while [ ! -s holder.txt ] && [ $i -lt 200 ]; do sleep 0.1; i=$((i+1)); done
        clawedge camera probe --device $dev --frames 5 --format yuyv --json > probe-busy.json 2> probe-busy.err; echo $? > probe-busy.rc
        wait $holder; echo $? > holder.rc

        CLAWEDGE_Camera__Enabled=true clawedge camera snap --device $dev -o /out/snap.jpg > snap.out 2> snap.err; echo $? > snap.rc
        dmesg > dmesg.txt
        """;

    private static readonly Lazy<Task<VividVm>> Boot = new(() =>
        VividVm.RunAsync(GuestScript, [Tools.BinX64, "/usr/bin/v4l2-ctl"], TimeSpan.FromMinutes(4)));

    private static async Task<(VividVm Vm, JsonNode Json)> StepAsync(string name)
    {
        var vm = await Boot.Value;
        string rc = vm.Read($"{name}.rc").Trim();
        string json = vm.Read($"{name}.json");
        if (rc != "0")
            throw new InvalidOperationException($"clawedge {name} exited {rc}: {json}\n{vm.Read($"{name}.err")}");
        try
        {
            return (vm, JsonNode.Parse(json)!);
        }
        catch (System.Text.Json.JsonException e)
        {
            throw new InvalidOperationException($"clawedge {name} printed no JSON ({e.Message}):\n{json}\n{vm.Read($"{name}.err")}");
        }
    }

    /// <summary>The fourcc → sizes table v4l2-ctl read from the driver in the same boot.</summary>
    private static Dictionary<string, List<(int W, int H)>> ReferenceFormats(VividVm vm)
    {
        var formats = new Dictionary<string, List<(int, int)>>();
        List<(int, int)>? current = null;
        foreach (string line in vm.Read("ref-formats.txt").Split('\n'))
        {
            var f = FormatLine().Match(line);
            if (f.Success)
                formats[f.Groups[1].Value.TrimEnd()] = current = [];
            var s = SizeLine().Match(line);
            if (s.Success && current is not null)
                current.Add((int.Parse(s.Groups[1].Value), int.Parse(s.Groups[2].Value)));
        }
        return formats;
    }

    [GeneratedRegex(@"^\s*\[\d+\]: '(.{4})")]
    private static partial Regex FormatLine();

    [GeneratedRegex(@"Size: Discrete (\d+)x(\d+)")]
    private static partial Regex SizeLine();

    private static JsonObject VividDevice(JsonNode list)
    {
        var devices = list["devices"]!.AsArray();
        return devices.Select(d => d!.AsObject()).SingleOrDefault(d => (string?)d["id"] == "/dev/video0")
            ?? throw new InvalidOperationException($"no /dev/video0 in {list.ToJsonString()}");
    }

    [Test]
    public async Task Lists_the_vivid_device_with_the_formats_the_driver_enumerates()
    {
        var (vm, list) = await StepAsync("list");
        var device = VividDevice(list);
        await Assert.That((string?)device["name"]).Contains("vivid");
        await Assert.That((string?)device["backend"]).IsEqualTo("v4l2");

        var reference = ReferenceFormats(vm);
        await Assert.That(reference.ContainsKey("YUYV")).IsTrue();
        var ours = device["formats"]!.AsArray().Select(f => f!.AsObject()).ToList();
        await Assert.That(ours.Count).IsGreaterThan(0);
        foreach (var format in ours)
        {
            string fourcc = (string)format["fourcc"]!;
            await Assert.That(reference.ContainsKey(fourcc)).IsTrue().Because($"{fourcc} is not offered by vivid");
            string sizes = string.Join(' ', format["sizes"]!.AsArray().Select(s => $"{(int)s!["width"]!}x{(int)s["height"]!}"));
            await Assert.That(sizes).IsEqualTo(string.Join(' ', reference[fourcc].Select(s => $"{s.W}x{s.H}")));
        }
        await Assert.That(ours.Any(f => (string?)f["fourcc"] == "YUYV")).IsTrue();
    }

    [Test]
    public async Task Streams_30_yuyv_frames_at_the_negotiated_size_and_rate_with_increasing_sequence_and_timestamps()
    {
        var (_, probe) = await StepAsync("probe-yuyv");
        await Assert.That((string?)probe["fourcc"]).IsEqualTo("YUYV");
        await Assert.That((int)probe["width"]!).IsEqualTo(ProbeWidth);
        await Assert.That((int)probe["height"]!).IsEqualTo(ProbeHeight);
        await Assert.That((double)probe["fps"]!).IsEqualTo(ProbeFps);
        await AssertStreamAsync(probe, ProbeWidth * ProbeHeight * 2, ProbeFps);
    }

    [Test]
    public async Task Streams_mjpeg_when_vivid_offers_it_and_refuses_it_clearly_when_not()
    {
        var vm = await Boot.Value;
        bool offered = ReferenceFormats(vm).ContainsKey("MJPG");
        if (offered)
        {
            var (_, probe) = await StepAsync("probe-mjpeg");
            await Assert.That((string?)probe["fourcc"]).IsEqualTo("MJPG");
            await AssertStreamAsync(probe, expectedBytes: null, expectedFps: null);
            return;
        }
        // vivid's webcam input is raw formats only (no MJPG): the probe must say so, not stream something else.
        await Assert.That(vm.Read("probe-mjpeg.rc").Trim()).IsNotEqualTo("0");
        string said = vm.Read("probe-mjpeg.json") + vm.Read("probe-mjpeg.err");
        await Assert.That(said.Contains("MJPG", StringComparison.OrdinalIgnoreCase) || said.Contains("MJPEG", StringComparison.OrdinalIgnoreCase)).IsTrue()
            .Because($"the refusal names the format: {said}");
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
        if (expectedFps is int fps)
        {
            // The driver paces frames at the negotiated rate; the median ignores TCG scheduling hiccups.
            intervals.Sort();
            double median = intervals[intervals.Count / 2];
            await Assert.That(median).IsBetween(0.7e6 / fps, 1.3e6 / fps);
        }
    }

    [Test]
    public async Task A_second_opener_is_told_the_device_is_busy_while_the_first_keeps_streaming()
    {
        var vm = await Boot.Value;
        await Assert.That(vm.Read("probe-busy.rc").Trim()).IsNotEqualTo("0");
        string said = vm.Read("probe-busy.json") + vm.Read("probe-busy.err");
        await Assert.That(said.Contains("busy", StringComparison.OrdinalIgnoreCase)).IsTrue().Because(said);
        await Assert.That(vm.Read("holder.rc").Trim()).IsEqualTo("0");
        await Assert.That(vm.Read("holder.txt").Count(c => c == '<')).IsEqualTo(120);
    }

    [Test]
    public async Task Snap_writes_a_jpeg_that_djpeg_decodes_to_vivid_colour_bars()
    {
        var vm = await Boot.Value;
        await Assert.That(vm.Read("snap.rc").Trim()).IsEqualTo("0").Because(vm.Read("snap.err"));
        string jpeg = vm.PathOf("snap.jpg");
        await Assert.That(File.Exists(jpeg)).IsTrue();

        string ppm = Path.Combine(vm.OutDir, "snap.ppm");
        var (code, output) = await ChildProcess.RunAsync("sh", ["-c", $"djpeg -pnm '{jpeg}' > '{ppm}'"]);
        await Assert.That(code).IsEqualTo(0).Because(output);
        var image = Ppm.Read(ppm);

        // The snap is one of the sizes vivid offers.
        var sizes = ReferenceFormats(vm)["YUYV"];
        await Assert.That(sizes.Contains((image.Width, image.Height))).IsTrue().Because($"{image.Width}x{image.Height}");

        // vivid's default pattern: 75% colour bars, left to right, below the text overlay in the upper left.
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
