using System.Runtime.InteropServices;
using ClawEdge.Platform.Native;
using ClawEdge.Service;

namespace ClawEdge.Camera;

/// <summary>The camera lines of <c>clawedge doctor</c>.</summary>
public static class CameraDoctor
{
    /// <summary>Device nodes only: opening one read-write, non-blocking, does not start a stream.</summary>
    public static IEnumerable<DoctorCheck> Devices(string devDirectory = "/dev")
    {
        var devices = Directory.Exists(devDirectory)
            ? Directory.GetFiles(devDirectory, "video*").Order(StringComparer.Ordinal).ToArray()
            : [];
        if (devices.Length == 0)
        {
            yield return new(CheckStatus.Warn, "camera", $"no {devDirectory}/video* device", "none attached: camera.* commands will list no camera (USB camera unplugged? Pi camera: rpicam-hello --list-cameras)");
            yield break;
        }
        foreach (var device in devices)
        {
            using var fd = Libc.Open(device, Libc.O_RDWR | Libc.O_NONBLOCK | Libc.O_CLOEXEC);
            if (!fd.IsInvalid)
            {
                yield return new(CheckStatus.Ok, "camera", $"{device} opens");
                continue;
            }
            int errno = Marshal.GetLastPInvokeError();
            yield return errno is Libc.EACCES or Libc.EPERM
                ? new(CheckStatus.Fail, "camera", $"{device}: permission denied", $"add the service user to group video (usermod -aG video {Environment.UserName}); under systemd: SupplementaryGroups=video")
                : new(CheckStatus.Warn, "camera", $"{device}: cannot open (errno {errno})", errno == Libc.EBUSY ? "another program holds it" : "a metadata or codec node, or the device went away");
        }
    }
}
