using System.Text.Json;
using ClawEdge.Canvas;
using ClawEdge.Host;

namespace ClawEdge.Tests.Canvas;

public class CanvasParamsTests
{
    private static JsonElement Json(string text) => JsonDocument.Parse(text).RootElement.Clone();

    [Test]
    public async Task Placement_takes_finite_numbers_rounded_and_keeps_absent_members_open()
    {
        await Assert.That(CanvasPresentCommand.ReadPlacement(Json("""{"x":100,"y":50.4,"width":300,"height":200.6}""")))
            .IsEqualTo(new Placement(100, 50, 300, 201));
        await Assert.That(CanvasPresentCommand.ReadPlacement(Json("""{"width":300}"""))).IsEqualTo(new Placement(null, null, 300, null));
        await Assert.That(CanvasPresentCommand.ReadPlacement(Json("""{}"""))).IsNull();
        await Assert.That(CanvasPresentCommand.ReadPlacement(null)).IsNull();
    }

    [Test]
    [Arguments("""{"width":0}""", "placement.width must be at least 1")]
    [Arguments("""{"x":"left"}""", "placement.x must be a number")]
    [Arguments("""{"height":1e9}""", "placement.height must be a number")]
    [Arguments("""[1,2]""", "placement must be an object")]
    public async Task Bad_placements_are_refused(string json, string reason)
    {
        var e = Assert.Throws<CommandException>(() => CanvasPresentCommand.ReadPlacement(Json(json)));
        await Assert.That(e.Code).IsEqualTo(ErrorCodes.InvalidRequest);
        await Assert.That(e.Message).Contains(reason);
    }

    [Test]
    public async Task Image_sizes_come_from_the_png_and_jpeg_headers()
    {
        using var bitmap = new SkiaSharp.SKBitmap(37, 21);
        using var png = bitmap.Encode(SkiaSharp.SKEncodedImageFormat.Png, 100);
        await Assert.That(ImageSize.Read(Convert.ToBase64String(png.ToArray()))).IsEqualTo((37, 21));
        using var jpeg = bitmap.Encode(SkiaSharp.SKEncodedImageFormat.Jpeg, 80);
        await Assert.That(ImageSize.Read(Convert.ToBase64String(jpeg.ToArray()))).IsEqualTo((37, 21));
    }
}
