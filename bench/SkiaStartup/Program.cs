using System.Diagnostics;
using SkiaSharp;

// Time from process start (as the kernel saw it) to the end of the first 64×64 JPEG encode.
var sinceStart = DateTime.Now - Process.GetCurrentProcess().StartTime;
var clock = Stopwatch.StartNew();
using var bitmap = new SKBitmap(new SKImageInfo(64, 64, SKColorType.Rgba8888, SKAlphaType.Premul));
bitmap.Erase(new SKColor(200, 40, 40));
using var data = bitmap.Encode(SKEncodedImageFormat.Jpeg, 85);
double firstEncodeMs = clock.Elapsed.TotalMilliseconds;
Console.WriteLine($"source={ClawEdge.Capture.Native.SkiaLibrary.Source} jpeg={data.Size}B runtime-start={sinceStart.TotalMilliseconds:0}ms load+first-encode={firstEncodeMs:0.0}ms");
if (args.Length > 0)
    File.WriteAllBytes(args[0], data.ToArray());
