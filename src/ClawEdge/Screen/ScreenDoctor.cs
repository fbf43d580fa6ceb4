using ClawEdge.Platform.Native;
using ClawEdge.Service;

namespace ClawEdge.Screen;

/// <summary>The screen line of <c>clawedge doctor</c>.</summary>
public static class ScreenDoctor
{
    public static DoctorCheck Display(Func<string, string?> environment)
    {
        var found = new List<string>();
        var problems = new List<string>();
        if (environment("WAYLAND_DISPLAY") is { Length: > 0 } wayland)
        {
            string socket = wayland.StartsWith('/') ? wayland : Path.Combine(environment("XDG_RUNTIME_DIR") ?? "/run/user/" + Libc.GetUid(), wayland);
            (File.Exists(socket) ? found : problems).Add($"Wayland {socket}");
        }
        if (environment("DISPLAY") is { Length: > 0 } display)
        {
            // ":0" / ":0.0" → /tmp/.X11-unix/X0; a remote "host:0" cannot be checked locally.
            int colon = display.LastIndexOf(':');
            string number = display[(colon + 1)..].Split('.')[0];
            string socket = $"/tmp/.X11-unix/X{number}";
            (colon == 0 ? (File.Exists(socket) ? found : problems) : found).Add($"X11 {display}");
        }
        if (problems.Count > 0)
            return new(CheckStatus.Warn, "screen", $"set but no socket: {string.Join(", ", problems)}", "is the compositor / X server running for this user? a service needs the session's XDG_RUNTIME_DIR and WAYLAND_DISPLAY (or DISPLAY)");
        if (found.Count == 0)
            return new(CheckStatus.Warn, "screen", "no DISPLAY or WAYLAND_DISPLAY: headless", "screen capture needs the kiosk session's WAYLAND_DISPLAY/XDG_RUNTIME_DIR (or DISPLAY) in the service environment");
        return new(CheckStatus.Ok, "screen", string.Join(", ", found));
    }
}
