namespace ClawEdge.Tests.Canvas;

/// <summary>A directory of pages the canvas may show (Canvas:FilesDirectory): each fills the window with one colour.</summary>
public static class CanvasPages
{
    public const string Red = "#C81E28";
    public const string Blue = "#1E28C8";
    public const string Green = "#28C81E";

    /// <summary>Creates the directory (world-readable: a node under another user reads it too) with red/blue/green.html.</summary>
    public static string Create()
    {
        string dir = Interop.Tools.TempDir("canvas-pages");
        File.SetUnixFileMode(dir, (UnixFileMode)0b111_101_101);
        foreach (var (name, colour) in ((string, string)[])[("red", Red), ("blue", Blue), ("green", Green)])
        {
            string path = Path.Combine(dir, $"{name}.html");
            File.WriteAllText(path, $"<!doctype html><html style=\"background:{colour};height:100%\"><title>{name} page</title><body></body></html>");
            File.SetUnixFileMode(path, (UnixFileMode)0b110_100_100);
        }
        return dir;
    }

    public static (int R, int G, int B) Rgb(string colour)
    {
        int v = Convert.ToInt32(colour.TrimStart('#'), 16);
        return (v >> 16 & 0xFF, v >> 8 & 0xFF, v & 0xFF);
    }

    public static bool Near((int R, int G, int B) seen, string colour, int tolerance = 12)
    {
        var (r, g, b) = Rgb(colour);
        return Math.Abs(seen.R - r) <= tolerance && Math.Abs(seen.G - g) <= tolerance && Math.Abs(seen.B - b) <= tolerance;
    }

    /// <summary>Every canvas command, as the gateway must allow them on a Linux node.</summary>
    public static readonly string[] AllowedCommands =
    [
        "canvas.present", "canvas.hide", "canvas.navigate", "canvas.eval", "canvas.snapshot",
        "canvas.a2ui.push", "canvas.a2ui.pushJSONL", "canvas.a2ui.reset",
    ];

    public static System.Text.Json.Nodes.JsonObject GatewayConfig()
    {
        var allow = new System.Text.Json.Nodes.JsonArray();
        foreach (var c in AllowedCommands)
            allow.Add((System.Text.Json.Nodes.JsonNode)c);
        allow.Add((System.Text.Json.Nodes.JsonNode)"screen.record");
        return new System.Text.Json.Nodes.JsonObject
        {
            ["gateway"] = new System.Text.Json.Nodes.JsonObject
            {
                ["nodes"] = new System.Text.Json.Nodes.JsonObject { ["commands"] = new System.Text.Json.Nodes.JsonObject { ["allow"] = allow } },
            },
        };
    }
}
