using System.Text.Json;

namespace ClawEdge.Canvas;

/// <summary>The result of a command that shows a page: <c>{ok: true, url, title, finalUrl}</c>.</summary>
internal static class CanvasPageResults
{
    public static string Json(PageInfo info) => JsonSerializer.Serialize(
        new CanvasPageResult { Url = info.Url, Title = info.Title, FinalUrl = info.FinalUrl }, CanvasJsonContext.Default.CanvasPageResult);
}
