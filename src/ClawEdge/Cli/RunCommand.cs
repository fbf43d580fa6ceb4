using System.Runtime.InteropServices;
using ClawEdge.Config;
using ClawEdge.Gateway;
using ClawEdge.Logging;
using ClawEdge.Host;
using ClawEdge.Service;
using ClawEdge.State;

namespace ClawEdge.Cli;

/// <summary><c>clawedge run</c>: the node in the foreground, until SIGTERM/SIGINT.</summary>
public static class RunCommand
{
    public static async Task<int> ExecuteAsync(CommandLine line)
    {
        var options = ConfigLoader.Load(line.Option("--config"), line.ConfigOverrides);
        Log.Level = ParseLevel(options.Log.Level);

        var state = new StateStore(options.State.Directory ?? StateStore.DefaultDirectory());
        try
        {
            state.EnsureDirectory();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Program.Fail($"cannot create the state directory {state.StateDirectory}: {e.Message}", 3);
        }

        using var instance = InstanceLock.TryAcquire(state.PathOf(StateStore.LockFileName), out int holder);
        if (instance is null)
        {
            // Cron starts us every minute: a running node is success, not an error.
            Console.Out.WriteLine($"clawedge: already running (pid {holder}) with state {state.StateDirectory}");
            // As a health check, the answer is the running node's link, not this process's.
            return line.Has("--once-connected-exit") ? RunningNodeHealth(state) : 0;
        }

        var identity = state.LoadOrCreateIdentity();
        var node = state.LoadNode();

        SetupCode? setup = null;
        string? pairText = line.Option("--pair") ?? line.Option("--pair-if-needed");
        string? pairFile = pairText is null ? line.Option("--pair-file") : null;
        pairText ??= FirstBoot.ReadSetupCode(pairFile);
        if (pairText is not null)
            setup = FirstBoot.Parse(pairText, pairFile);

        var endpoint = EndpointResolver.Resolve(options.Gateway, setup, node);
        if (!endpoint.Tls && !endpoint.IsPlaintextSafe() && !options.Gateway.AllowInsecurePlaintext)
            return Program.Fail($"refusing plaintext ws:// to {endpoint.Host}: it is not loopback or a private address, so the token would travel in clear. "
                + "Use --tls (and --tls-fingerprint for a self-signed gateway), or --allow-insecure-plaintext if the network is trusted.", 2);

        // Saved options, as the reference host keeps them: --node-id, --display-name, --commands.
        string[]? commands = line.Has("--all-commands") ? null : options.Node.Commands ?? node.Commands;
        void SaveOptions(NodeFile n)
        {
            n.DeviceId = identity.DeviceId;
            if (options.Node.InstanceId is { Length: > 0 } id)
                n.InstanceId = id;
            if (options.Node.DisplayName is { Length: > 0 } name)
                n.DisplayName = name;
            if (line.Has("--all-commands"))
                n.Commands = null;
            else if (options.Node.Commands is { Length: > 0 } c)
                n.Commands = c;
        }
        SaveOptions(node);
        // The new instance id of a first start is the one on disk from now on; a read-only directory keeps ours.
        if (state.UpdateNode(n => { if (!File.Exists(state.PathOf(StateStore.NodeFileName))) n.InstanceId = node.InstanceId; SaveOptions(n); }))
            node = state.LoadNode();
        options.Node.Commands = commands;

        var credentials = new GatewayCredentials
        {
            SharedToken = Secret("OPENCLAW_GATEWAY_TOKEN", options.Gateway.TokenFile),
            Password = Secret("OPENCLAW_GATEWAY_PASSWORD", options.Gateway.PasswordFile),
            BootstrapToken = setup?.BootstrapToken,
            PreferBootstrap = line.Option("--pair") is not null,
        };

        var link = new NodeLink();
        var registry = CommandRegistry.Create(Capabilities.All, new NodeServices { Options = options, State = state, Link = link });
        if (registry.Names.Count == 0)
            return Program.Fail("no command left to serve: check --commands / Node:Commands against the commands this node has", 2);
        var description = NodeDescription.Create(registry, node.DisplayName, node.InstanceId);

        using var stop = new CancellationTokenSource();
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.Cancel(); });
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stop.Cancel(); });

        // Resolved again before every connect: a pin set meanwhile with `clawedge pin` applies at the next reconnect.
        var client = new GatewayClient(() => EndpointResolver.Resolve(options.Gateway, setup, state.LoadNode()), credentials, state, identity, registry, description,
            options.Gateway.MaxBackoffMs, options.Node.StatsIntervalSeconds * 1000)
        {
            ExitAfterHello = line.Has("--once-connected-exit"),
            Link = link,
        };
        bool connected = false;
        client.StateChanged += (link, _) =>
        {
            if (link != LinkState.Connected || connected)
                return;
            connected = true;
            FirstBoot.DeleteSetupCode(pairFile);
            if (setup is not null)
            {
                // The setup code's endpoint (and pin) is where this node now belongs; its token is not kept.
                var joined = client.Endpoint;
                state.UpdateNode(n => n.Gateway = new SavedGateway
                {
                    Host = joined.Host, Port = joined.Port, Tls = joined.Tls,
                    TlsFingerprint = joined.TlsFingerprint, ContextPath = joined.ContextPath,
                });
            }
        };

        Log.Info($"clawedge {ClawEdgeVersion.Current} node {identity.DeviceId} → {endpoint}; state {state.StateDirectory}; commands: {string.Join(", ", description.Commands)}");
        if (line.Has("--once-connected-exit") && int.TryParse(line.Option("--timeout") ?? "30", out int seconds))
            stop.CancelAfter(TimeSpan.FromSeconds(seconds));

        using var notifier = SystemdNotifier.FromEnvironment();
        using var supervision = CancellationTokenSource.CreateLinkedTokenSource(stop.Token);
        var watchdog = notifier?.SuperviseAsync(client, supervision.Token) ?? Task.CompletedTask;
        // Capabilities stop as soon as the signal arrives (outputs to their safe level first), not after the link closes.
        var capabilitiesStopped = Task.Run(async () =>
        {
            try { await Task.Delay(Timeout.Infinite, stop.Token).ConfigureAwait(false); } catch (OperationCanceledException) { }
            foreach (var capability in Capabilities.All)
            {
                try { await capability.StopAsync().ConfigureAwait(false); }
                catch (Exception e) { Log.Warn($"{capability.Name}: stop failed: {e.GetType().Name}: {e.Message}"); }
            }
        });
        await client.RunAsync(stop.Token).ConfigureAwait(false);
        await capabilitiesStopped.ConfigureAwait(false);
        notifier?.Notify("STOPPING=1");
        await supervision.CancelAsync().ConfigureAwait(false);
        await watchdog.ConfigureAwait(false);
        if (line.Has("--once-connected-exit"))
            return connected ? 0 : Program.Fail("not connected before the timeout", 1);
        Log.Info("stopped");
        return 0;
    }

    private static int RunningNodeHealth(StateStore state)
    {
        var last = state.LoadNode().LastConnect;
        if (last?.State is "connected" or "surface-pending")
        {
            Console.Out.WriteLine($"clawedge: the running node is connected to {last.Url} ({last.State})");
            return 0;
        }
        return Program.Fail($"the running node is not connected: {last?.State ?? "no link yet"}{(last?.Detail is { Length: > 0 } d ? $" ({d})" : "")}", 1);
    }

    private static string? Secret(string environmentVariable, string? file)
    {
        if (Environment.GetEnvironmentVariable(environmentVariable) is { Length: > 0 } value)
            return value;
        if (file is null)
            return null;
        try
        {
            return File.ReadAllText(file).Trim() is { Length: > 0 } text ? text : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConfigException($"cannot read the secret file {file}: {e.Message}");
        }
    }

    internal static LogLevel ParseLevel(string text) => text.ToLowerInvariant() switch
    {
        "error" or "err" => LogLevel.Error,
        "warn" or "warning" => LogLevel.Warn,
        "debug" => LogLevel.Debug,
        _ => LogLevel.Info,
    };
}
