using ClawEdge.Host;
using ClawEdge.Service;

namespace ClawEdge.Canvas;

/// <summary>
/// The kiosk canvas: a Chromium the node owns on the screen (or one it attaches to on 127.0.0.1), driven by
/// <c>canvas.present/hide/navigate/snapshot</c>, <c>canvas.a2ui.*</c> and, when allowed, <c>canvas.eval</c>.
/// </summary>
public sealed class CanvasCapability : Capability
{
    private CanvasBrowser? _browser;

    public override string Name => "canvas";

    public override string? Verb => "canvas";

    public override string? VerbHelp => "clawedge canvas bench [rounds]     kiosk canvas costs here: browser start, present → load, snapshots, memory";

    public override Task<int> RunVerbAsync(Cli.CommandLine line) => CanvasBench.RunAsync(line);

    public override IEnumerable<NodeCommand> CreateCommands(NodeServices services)
    {
        var options = services.Options.Canvas;
        if (!options.Enabled)
            return [];
        _browser = new CanvasBrowser(options, Path.Combine(services.State.StateDirectory, "canvas-profile"), services.Link);
        _browser.StartInBackground();
        var commands = new List<NodeCommand>
        {
            new CanvasPresentCommand(_browser, options),
            new CanvasHideCommand(_browser),
            new CanvasNavigateCommand(_browser, options),
            new CanvasSnapshotCommand(_browser),
            new CanvasA2uiPushCommand(_browser),
            new CanvasA2uiPushJsonlCommand(_browser),
            new CanvasA2uiResetCommand(_browser),
        };
        if (options.AllowEval)
            commands.Add(new CanvasEvalCommand(_browser));
        return commands;
    }

    public override IEnumerable<DoctorCheck> Doctor(NodeServices services)
    {
        var options = services.Options.Canvas;
        if (!options.Enabled)
        {
            yield return new(CheckStatus.Ok, "canvas", "off (Canvas:Enabled)");
            yield break;
        }
        if (options.AttachPort is int port)
        {
            yield return new(CheckStatus.Ok, "canvas", $"attaches to the browser on 127.0.0.1:{port}");
            yield break;
        }
        string? browser = ChromiumProcess.ResolveExecutable(options.Browser);
        var (display, wayland) = ChromiumProcess.ChooseDisplay(options.Display);
        if (browser is null)
            yield return new(CheckStatus.Fail, "canvas", $"browser '{options.Browser}' not found", "apt install chromium, or set Canvas:Browser");
        else if (string.IsNullOrEmpty(display))
            yield return new(CheckStatus.Fail, "canvas", "no display", "set Canvas:Display (:0, or wayland-0), or run under the kiosk session's WAYLAND_DISPLAY/DISPLAY");
        else
            yield return new(CheckStatus.Ok, "canvas", $"{browser} on {(wayland ? "Wayland" : "X11")} {display}{(options.AllowEval ? "; canvas.eval allowed" : "")}");
    }

    public override async ValueTask StopAsync()
    {
        if (_browser is { } browser)
            await browser.DisposeAsync().ConfigureAwait(false);
    }
}
