using ClawEdge.Cli;
using ClawEdge.Host;
using ClawEdge.Service;

namespace ClawEdge.Screen;

/// <summary><c>screen.record</c> from X11 (MIT-SHM) or a wlroots compositor; off unless <c>Screen:Enabled</c>.</summary>
public sealed class ScreenCapability : Capability
{
    public override string Name => "screen";

    public override IEnumerable<NodeCommand> CreateCommands(NodeServices services)
        => services.Options.Screen.Enabled ? [new ScreenRecordCommand(services.Options.Screen, services.Options.Audio), new ScreenSnapshotCommand(services.Options.Screen)] : [];

    public override string Verb => "screen";
    public override string VerbHelp => "clawedge screen bench [grab|record|convert] …   screen recording figures on this machine";

#if NO_BENCH
    public override Task<int> RunVerbAsync(CommandLine line) => Task.FromResult(Program.Fail("this build has no bench verbs", 2));
#else
    public override Task<int> RunVerbAsync(CommandLine line) => Task.FromResult(line.Positionals.ElementAtOrDefault(0) == "bench"
        ? ScreenBench.Execute(line)
        : Program.Print("usage: clawedge screen bench [grab [auto|libx264|mjpeg] [frames] | record [encoder] [seconds] [fps] | convert [frames]]"));
#endif

    public override IEnumerable<DoctorCheck> Doctor(NodeServices services) => [ScreenDoctor.Display(Environment.GetEnvironmentVariable)];
}
