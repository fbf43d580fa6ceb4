using ClawEdge.Tests.Interop;
using TUnit.Core.Interfaces;

namespace ClawEdge.Tests.Media;

/// <summary>A real gateway, an Xvfb screen and our node with <see cref="ToneDevice"/> as <c>Audio:Device</c>.</summary>
public sealed class ScreenToneFixture : IAsyncInitializer, IAsyncDisposable
{
    public RealGateway Gateway { get; private set; } = null!;
    public XvfbServer X { get; private set; } = null!;
    public EdgeNode Node { get; private set; } = null!;
    public string NodeId { get; private set; } = "";
    public ToneDevice Tone { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Tone = ToneDevice.Create();
        X = await XvfbServer.StartAsync(320, 240, "#3060c0");
        Gateway = await RealGateway.StartAsync(ScreenNodeFixture.AllowMedia());
        Node = EdgeNode.Start(Gateway, environment: new Dictionary<string, string?>
        {
            ["DISPLAY"] = X.Display,
            ["WAYLAND_DISPLAY"] = null,
            ["CLAWEDGE_Screen__Enabled"] = "true",
            ["ALSA_CONFIG_PATH"] = Tone.ConfigPath,
            ["CLAWEDGE_Audio__Device"] = ToneDevice.Name,
        });
        NodeId = await Node.ConnectAndApproveAsync(Gateway);
    }

    public async ValueTask DisposeAsync()
    {
        if (Node is not null)
            await Node.DisposeAsync();
        if (Gateway is not null)
            await Gateway.DisposeAsync();
        if (X is not null)
            await X.DisposeAsync();
        Tone?.Dispose();
    }
}

/// <summary><c>screen.record</c> with audio through the real gateway and CLI.</summary>
[NotInParallel(nameof(ScreenAudioInteropTests))]
[ClassDataSource<ScreenToneFixture>(Shared = SharedType.PerClass)]
public class ScreenAudioInteropTests(ScreenToneFixture fx)
{
    [Test]
    public async Task Cli_screen_recording_has_the_tone_in_step_with_the_video()
    {
        string path = Path.Combine(Path.GetTempPath(), $"ce-screen-audio-{Guid.NewGuid():N}.mp4");
        int from = fx.Node.Process.LineCount;
        try
        {
            var (code, output) = await fx.Gateway.CliAsync("nodes", "screen", "record", "--node", fx.NodeId, "--duration", "3s", "--fps", "10", "--out", path, "--json");
            await Assert.That(code).IsEqualTo(0).Because(output);
            await AudioProbe.AssertToneClipAsync(path, 3.0, await AudioProbe.LoggedLeadAsync(fx.Node, from));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Test]
    public async Task No_audio_records_the_screen_alone()
    {
        string path = Path.Combine(Path.GetTempPath(), $"ce-screen-audio-{Guid.NewGuid():N}.mp4");
        try
        {
            var (code, output) = await fx.Gateway.CliAsync("nodes", "screen", "record", "--node", fx.NodeId, "--duration", "1s", "--no-audio", "--out", path, "--json");
            await Assert.That(code).IsEqualTo(0).Because(output);
            var streams = await AudioProbe.StreamsAsync(path);
            await Assert.That(string.Join(',', streams.Select(s => s.Codec))).IsEqualTo("h264");
        }
        finally
        {
            File.Delete(path);
        }
    }
}
