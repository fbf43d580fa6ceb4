using ClawEdge.Canvas;
using ClawEdge.Host;

namespace ClawEdge.Tests.Canvas;

public class CanvasUrlPolicyTests
{
    [Test]
    [Arguments("https://status.example/board?x=1", "https://status.example/board?x=1")]
    [Arguments("http://192.168.1.20:8080/", "http://192.168.1.20:8080/")]
    [Arguments("  HTTPS://Example.com/a b  ", "https://example.com/a%20b")]
    public async Task Web_urls_are_allowed_and_normalised(string url, string expected) =>
        await Assert.That(CanvasUrlPolicy.Check(url, null)).IsEqualTo(expected);

    [Test]
    [Arguments("javascript:alert(1)", "javascript: URLs are not allowed")]
    [Arguments("JavaScript:alert(1)", "javascript: URLs are not allowed")]
    [Arguments("chrome://gpu", "chrome: URLs are not allowed")]
    [Arguments("devtools://devtools/bundled/inspector.html", "devtools: URLs are not allowed")]
    [Arguments("data:text/html,<b>x</b>", "data: URLs are not allowed")]
    [Arguments("", "url is empty")]
    [Arguments("https://", "not a valid https URL")]
    [Arguments("/srv/kiosk/a.html", "file URLs are off")]
    [Arguments("https://a.example/\u0007x", "control characters")]
    public async Task Other_urls_are_refused_with_the_reason(string url, string reason)
    {
        var e = Assert.Throws<CommandException>(() => CanvasUrlPolicy.Check(url, null));
        await Assert.That(e.Code).IsEqualTo(ErrorCodes.InvalidRequest);
        await Assert.That(e.Message).Contains(reason);
    }

    [Test]
    public async Task A_url_of_100_KB_is_refused_before_the_browser_sees_it()
    {
        var e = Assert.Throws<CommandException>(() => CanvasUrlPolicy.Check("https://a.example/?" + new string('x', 100 * 1024), null));
        await Assert.That(e.Message).Contains("at most 16384");
    }

    [Test]
    public async Task Files_are_allowed_only_under_the_directory_and_symlinks_cannot_lead_out()
    {
        string root = Interop.Tools.TempDir("canvas-files");
        string outside = Interop.Tools.TempDir("canvas-outside");
        try
        {
            Directory.CreateDirectory(Path.Combine(root, "sub"));
            File.WriteAllText(Path.Combine(root, "sub", "a.html"), "a");
            File.WriteAllText(Path.Combine(outside, "secret.html"), "s");
            File.CreateSymbolicLink(Path.Combine(root, "link.html"), Path.Combine(outside, "secret.html"));
            string expected = new Uri(Path.Combine(root, "sub", "a.html")).AbsoluteUri;

            await Assert.That(CanvasUrlPolicy.Check("sub/a.html", root)).IsEqualTo(expected);
            await Assert.That(CanvasUrlPolicy.Check(Path.Combine(root, "sub", "a.html"), root)).IsEqualTo(expected);
            await Assert.That(CanvasUrlPolicy.Check(expected, root)).IsEqualTo(expected);

            foreach (var (url, reason) in ((string, string)[])[
                ("link.html", "outside Canvas:FilesDirectory"),
                ("../" + Path.GetFileName(outside) + "/secret.html", "outside Canvas:FilesDirectory"),
                ("file:///etc/passwd", "outside Canvas:FilesDirectory"),
                ("missing.html", "does not exist"),
                ("sub", "is a directory"),
                ("file://otherhost/x.html", "not a local file URL")])
            {
                var e = Assert.Throws<CommandException>(() => CanvasUrlPolicy.Check(url, root));
                await Assert.That(e.Message).Contains(reason).Because(url);
            }
        }
        finally
        {
            Directory.Delete(root, recursive: true);
            Directory.Delete(outside, recursive: true);
        }
    }
}
