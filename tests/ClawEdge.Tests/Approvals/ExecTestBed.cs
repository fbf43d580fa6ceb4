using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using ClawEdge.Exec;
using ClawEdge.Host;
using ClawEdge.Tests.Interop;

namespace ClawEdge.Tests.Approvals;

/// <summary>A state directory with an approvals file, a real <see cref="SystemRunCommand"/> and the events it sends.</summary>
public sealed class ExecTestBed : IDisposable
{
    public string Dir { get; } = Tools.TempDir("exec");
    public ExecApprovalsStore Store { get; }
    public SystemRunCommand Run { get; }
    public SystemRunPrepareCommand Prepare { get; }
    public ApprovedFiles Files { get; } = new();
    public ConcurrentQueue<(string Name, JsonNode Payload)> Events { get; } = new();

    public ExecTestBed(params string[] allow)
    {
        Store = new ExecApprovalsStore(Path.Combine(Dir, ExecApprovalsStore.FileName));
        Run = new SystemRunCommand(Store, new Lazy<string?>("node-under-test"), Files);
        Prepare = new SystemRunPrepareCommand(Store, Files);
        if (allow.Length > 0)
            Allow(allow);
    }

    public void Allow(params string[] patterns) => Store.Update(s =>
    {
        var section = s.Document.GetOrAddAgent("*");
        foreach (var p in patterns)
            section.Allowlist.Add(new AllowlistEntry { Pattern = p });
        return s.Document;
    });

    public void Policy(string? security = null, string? ask = null) => Store.Update(s =>
    {
        if (security is not null) s.Document.Defaults.Security = security;
        if (ask is not null) s.Document.Defaults.Ask = ask;
        return s.Document;
    });

    public string Marker(string name = "marker") => Path.Combine(Dir, name);

    public Task<CommandResult> InvokeAsync(JsonObject parameters, CancellationToken cancellationToken = default, int timeoutMs = 30_000)
        => InvokeRawAsync(parameters.ToJsonString(), cancellationToken, timeoutMs);

    public async Task<CommandResult> InvokeRawAsync(string paramsJson, CancellationToken cancellationToken = default, int timeoutMs = 30_000, string command = "system.run")
    {
        var context = new InvokeContext
        {
            Id = Guid.NewGuid().ToString(),
            Command = command,
            ParamsJson = paramsJson,
            TimeoutMs = timeoutMs,
            SendEventAsync = (name, json, _) => { Events.Enqueue((name, JsonNode.Parse(json)!)); return Task.CompletedTask; },
        };
        var registry = new CommandRegistry([Run, Prepare]);
        return await registry.DispatchAsync(context, cancellationToken);
    }

    /// <summary>system.run.prepare, then the system.run a gateway approval of that plan sends (approved, with the plan).</summary>
    public async Task<JsonObject> PrepareApprovedAsync(string[] argv, string? cwd = null, string decision = "allow-once", string? agentId = null)
    {
        var prepare = Argv(argv);
        if (cwd is not null) prepare["cwd"] = cwd;
        if (agentId is not null) prepare["agentId"] = agentId;
        var prepared = await InvokeRawAsync(prepare.ToJsonString(), command: "system.run.prepare");
        if (!prepared.Ok)
            throw new InvalidOperationException($"prepare failed: {prepared.ErrorCode} {prepared.ErrorMessage}");
        var plan = Payload(prepared)["plan"]!.AsObject();
        var run = new JsonObject
        {
            ["command"] = plan["argv"]!.DeepClone(),
            ["rawCommand"] = plan["commandText"]!.DeepClone(),
            ["cwd"] = plan["cwd"]?.DeepClone(),
            ["approved"] = true,
            ["approvalDecision"] = decision,
            ["runId"] = Guid.NewGuid().ToString(),
            ["systemRunPlan"] = plan.DeepClone(),
        };
        if (agentId is not null) run["agentId"] = agentId;
        return run;
    }

    public static JsonObject Argv(params string[] argv) => new() { ["command"] = new JsonArray(argv.Select(a => (JsonNode)JsonValue.Create(a)!).ToArray()) };

    public static JsonNode Payload(CommandResult result) => JsonNode.Parse(result.PayloadJson!)!;

    public void Dispose()
    {
        try { Directory.Delete(Dir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
