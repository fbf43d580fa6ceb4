using ClawEdge.Cli;
using ClawEdge.Config;
using ClawEdge.State;

namespace ClawEdge;

public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        CommandLine line;
        try
        {
            line = CommandLine.Parse(args);
        }
        catch (UsageException e)
        {
            Console.Error.WriteLine($"clawedge: {e.Message} (see: clawedge help)");
            return 2;
        }

        try
        {
            return line.Verb switch
            {
                "run" => await RunCommand.ExecuteAsync(line).ConfigureAwait(false),
                "status" => StatusCommand.Execute(line),
                "pin" => await PinCommand.ExecuteAsync(line).ConfigureAwait(false),
                "doctor" => await DoctorCommand.ExecuteAsync(line).ConfigureAwait(false),
                "identity" => IdentityCommand.Execute(line),
                "version" or "--version" => Print($"clawedge {Host.ClawEdgeVersion.Current}"),
                "help" or "--help" or "-h" => Print(Usage()),
                _ when Capabilities.All.FirstOrDefault(c => c.Verb == line.Verb) is { } capability
                    => await capability.RunVerbAsync(line).ConfigureAwait(false),
                _ => Fail($"unknown command '{line.Verb}' (see: clawedge help)", 2),
            };
        }
        catch (Exception e) when (e is ConfigException or UsageException)
        {
            return Fail($"config error: {e.Message}", 2);
        }
        catch (StateException e)
        {
            return Fail($"state error: {e.Message}", 3);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Fail($"{e.GetType().Name}: {e.Message}", 1);
        }
    }

    internal static int Print(string text)
    {
        Console.Out.WriteLine(text);
        return 0;
    }

    internal static int Fail(string message, int code)
    {
        Console.Error.WriteLine($"clawedge: {message}");
        return code;
    }

    private static string Usage() => UsageHead.Replace("{capabilities}",
        string.Join("\n", Capabilities.All.Where(c => c.VerbHelp is not null).Select(c => "  " + c.VerbHelp)));

    private const string UsageHead = """
        clawedge — an OpenClaw node in one small binary

        Usage:
          clawedge run [options]            connect to the gateway and serve node.invoke (foreground)
          clawedge status [--json]          identity, gateway, pairing state, last connect
          clawedge pin <sha256>             pin the gateway's new TLS certificate (after a renewal)
          clawedge pin --show               print the fingerprint the gateway presents now (sends no token)
          clawedge pin --clear              forget a pin set with `clawedge pin`
          clawedge identity reset           become a new device (prints the `openclaw nodes remove` line for the old one)
          clawedge doctor                   check config, state, identity, gateway, TLS pin, clock, then each capability
        {capabilities}
          clawedge version

        Options for run (same meaning as `openclaw node run`):
          --host <host>  --port <port>  --context-path <path>
          --tls  --no-tls  --tls-fingerprint <sha256>  --allow-insecure-plaintext
          --node-id <id>  --display-name <name>
          --commands <a,b,…>  --all-commands
          --pair <setup code | oc-pair://…>  --pair-if-needed <code>
          --pair-file <path>                a setup code in a file (first boot); deleted after the first hello-ok
          --once-connected-exit             exit 0 after the first hello-ok (health check); --timeout <s>
          --config <file>  --state-dir <dir>  --log-level error|warn|info|debug

        Configuration: /etc/clawedge/clawedge.json (or --config), then CLAWEDGE_<Section>__<Key>
        environment variables, then the options above. The gateway token comes from
        OPENCLAW_GATEWAY_TOKEN (or Gateway:TokenFile), never from the command line.
        """;
}
