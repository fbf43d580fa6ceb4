using System.Text.Json;
using ClawEdge.Capture;
using ClawEdge.Host;

namespace ClawEdge.Camera;

/// <summary><c>camera.list</c>: every camera this node can snap from, with its backend and modes.</summary>
public sealed class CameraListCommand(CameraCatalog catalog) : NodeCommand
{
    public override string Name => "camera.list";
    public override string Capability => "camera";

    public override Task<CommandResult> InvokeAsync(InvokeContext context, CancellationToken cancellationToken)
    {
        if (!catalog.Enabled)
            throw new CommandException(ErrorCodes.CameraDisabled, "camera is disabled: set Camera:Enabled=true (CLAWEDGE_Camera__Enabled=true) and restart the node");
        return Task.Run(() =>
        {
            var devices = catalog.List().Select(c => Describe(c.Info)).ToList();
            return CommandResult.Success(JsonSerializer.Serialize(new CameraListResult { Devices = devices }, CameraJsonContext.Default.CameraListResult));
        }, cancellationToken);
    }

    public static CameraDevice Describe(CameraInfo info) => new()
    {
        Id = info.Id,
        Name = info.Name,
        Position = info.Position,
        DeviceType = info.Backend,
        Backend = info.Backend,
        Driver = info.Driver,
        BusInfo = info.BusInfo,
        Formats = info.Modes.Select(m => new CameraFormat { Format = m.Format.FourCc().TrimEnd(), Width = m.Width, Height = m.Height, Fps = m.FramesPerSecond }).ToList(),
    };
}
