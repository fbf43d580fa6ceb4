using ClawEdge.Cli;
using ClawEdge.Host;
using ClawEdge.Service;

namespace ClawEdge.Camera;

/// <summary><c>camera.list</c>, <c>camera.snap</c>, <c>camera.clip</c>; off unless <c>Camera:Enabled</c>.</summary>
public sealed class CameraCapability : Capability
{
    public override string Name => "camera";

    public override IEnumerable<NodeCommand> CreateCommands(NodeServices services)
    {
        if (!services.Options.Camera.Enabled)
            return [];
        var cameras = new CameraCatalog(services.Options.Camera);
        return [new CameraListCommand(cameras), new CameraSnapCommand(cameras), new CameraClipCommand(cameras, services.Options.Audio)];
    }

    public override string Verb => "camera";
    public override string VerbHelp => "clawedge camera list|snap|probe|layout|bench   local cameras (see: clawedge camera help)";
    public override Task<int> RunVerbAsync(CommandLine line) => Task.FromResult(CameraCli.Execute(line));

    public override IEnumerable<DoctorCheck> Doctor(NodeServices services) => CameraDoctor.Devices();
}
