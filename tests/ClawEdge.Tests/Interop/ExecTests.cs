using System.Text.Json.Nodes;

using ClawEdge.Platform.Native;

namespace ClawEdge.Tests.Interop;

/// <summary>
/// system.run and exec approvals through the real gateway and the real <c>openclaw</c> CLI, on one shared
/// gateway. Sequential: the approvals document is shared state and each step reads its hash.
/// </summary>
[ClassDataSource<ExecGateway>(Shared = SharedType.PerClass)]
[NotInParallel]
public class ExecTests(ExecGateway fx)
{
    [Test]
    public async Task Allowed_command_runs_and_unlisted_command_is_denied_and_never_starts()
    {
        var (addCode, addOutput) = await fx.Gateway.CliAsync("approvals", "allowlist", "add", "--node", fx.NodeId, "/usr/bin/uname");
        await Assert.That(addCode).IsEqualTo(0).Because(addOutput);

        var (code, answer) = await fx.RunAsync(new JsonObject { ["command"] = new JsonArray("/usr/bin/uname", "-s") }, "run-uname");
        await Assert.That(code).IsEqualTo(0);
        await Assert.That((string?)answer["payload"]!["stdout"]).IsEqualTo("Linux\n");
        await Assert.That((int)answer["payload"]!["exitCode"]!).IsEqualTo(0);

        string marker = Path.Combine(Path.GetTempPath(), $"ce-exec-marker-{Guid.NewGuid():N}");
        var (deniedCode, denied) = await fx.RunAsync(new JsonObject { ["command"] = new JsonArray("/usr/bin/touch", marker) }, "run-touch");
        await Assert.That(deniedCode).IsNotEqualTo(0);
        var nodeError = denied["error"]!["details"]!["nodeError"]!;
        await Assert.That((string?)nodeError["code"]).IsEqualTo("SYSTEM_RUN_DENIED");
        await Assert.That((string?)nodeError["message"]).StartsWith("SYSTEM_RUN_DENIED: allowlist miss");
        await Assert.That((string?)nodeError["message"]).Contains($"openclaw approvals allowlist add --node {fx.NodeId} \"/usr/bin/touch\"");
        // The same through a shell wrapper, with the dangerous part smuggled after an allowed command.
        var (_, smuggled) = await fx.RunAsync(new JsonObject { ["command"] = new JsonArray("/bin/sh", "-lc", $"uname -s; touch {marker}") }, "run-smuggle");
        await Assert.That((string?)smuggled["error"]!["details"]!["nodeError"]!["code"]).IsEqualTo("SYSTEM_RUN_DENIED");
        await Task.Delay(300);
        await Assert.That(File.Exists(marker)).IsFalse();

        // The node is still there and serving.
        var which = await EdgeNode.InvokeAsync(fx.Gateway, fx.NodeId, "system.which", """{"bins":["sh"]}""");
        await Assert.That(which["payload"]!["bins"]!["sh"]).IsNotNull();
    }

    [Test]
    public async Task Approvals_round_trip_through_the_cli_and_a_stale_set_is_refused()
    {
        var before = await fx.Gateway.CliJsonAsync("approvals", "get", "--node", fx.NodeId);
        string staleHash = (string)before["hash"]!;

        var (code, output) = await fx.Gateway.CliAsync("approvals", "allowlist", "add", "--node", fx.NodeId, "/usr/bin/id");
        await Assert.That(code).IsEqualTo(0).Because(output);
        var added = await fx.Gateway.CliJsonAsync("approvals", "get", "--node", fx.NodeId);
        await Assert.That(Patterns(added)).Contains("/usr/bin/id");
        // The CLI can compute the effective policy because the node reports its resolved defaults.
        await Assert.That(added["effectivePolicy"]!.ToJsonString()).DoesNotContain("Effective Policy is unavailable");
        // What the CLI read back is what the node stored, byte for byte.
        string file = Path.Combine(fx.Node.StateDir, "exec-approvals.json");
        await Assert.That((string?)added["hash"]).IsEqualTo(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(file))));
        await Assert.That(File.GetUnixFileMode(file)).IsEqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite);

        var (ranCode, ran) = await fx.RunAsync(new JsonObject { ["command"] = new JsonArray("/usr/bin/id", "-u") }, "run-id");
        await Assert.That(ranCode).IsEqualTo(0);
        await Assert.That((string?)ran["payload"]!["stdout"]).IsEqualTo($"{ClawEdge.Platform.Native.Libc.GetUid()}\n");

        // A writer that read before the add is refused by the hash check (a concurrent, stale set).
        var (staleCode, stale) = await fx.CallAsync("exec.approvals.node.set", new JsonObject
        {
            ["nodeId"] = fx.NodeId,
            ["file"] = new JsonObject { ["version"] = 1, ["defaults"] = new JsonObject { ["security"] = "full" } },
            ["baseHash"] = staleHash,
        });
        await Assert.That(staleCode).IsNotEqualTo(0);
        await Assert.That(stale.ToJsonString()).Contains("exec approvals changed; reload and retry");
        var after = await fx.Gateway.CliJsonAsync("approvals", "get", "--node", fx.NodeId);
        await Assert.That((string?)after["file"]!["defaults"]!["security"]).IsEqualTo("allowlist");

        (code, output) = await fx.Gateway.CliAsync("approvals", "allowlist", "remove", "--node", fx.NodeId, "/usr/bin/id");
        await Assert.That(code).IsEqualTo(0).Because(output);
        var removed = await fx.Gateway.CliJsonAsync("approvals", "get", "--node", fx.NodeId);
        await Assert.That(Patterns(removed)).DoesNotContain("/usr/bin/id");

        var (idCode, idAnswer) = await fx.RunAsync(new JsonObject { ["command"] = new JsonArray("/usr/bin/id") }, "run-id-again");
        await Assert.That(idCode).IsNotEqualTo(0).Because(idAnswer.ToJsonString());
    }

    [Test]
    public async Task Children_never_see_the_nodes_gateway_token()
    {
        var (code, output) = await fx.Gateway.CliAsync("approvals", "allowlist", "add", "--node", fx.NodeId, "/usr/bin/printenv");
        await Assert.That(code).IsEqualTo(0).Because(output);
        var (runCode, answer) = await fx.RunAsync(new JsonObject { ["command"] = new JsonArray("/usr/bin/printenv") }, "run-printenv");
        await Assert.That(runCode).IsEqualTo(0);
        string env = (string)answer["payload"]!["stdout"]!;
        await Assert.That(env).Contains("PATH=");
        await Assert.That(env).DoesNotContain("OPENCLAW_GATEWAY_TOKEN");
        await Assert.That(env).DoesNotContain(RealGateway.Token);
    }

    [Test]
    public async Task The_agent_exec_path_runs_only_with_a_gateway_approval()
    {
        // Agent "ops" must ask for every command; this headless node cannot ask, so it needs the gateway's approval.
        var current = await fx.Gateway.CliJsonAsync("approvals", "get", "--node", fx.NodeId);
        var file = current["file"]!.DeepClone().AsObject();
        var agents = file["agents"] as JsonObject ?? new JsonObject();
        agents["ops"] = new JsonObject { ["security"] = "allowlist", ["ask"] = "always" };
        file["agents"] = agents;
        string path = Path.Combine(fx.Gateway.Home, "ops-approvals.json");
        await File.WriteAllTextAsync(path, file.ToJsonString());
        var (setCode, setOutput) = await fx.Gateway.CliAsync("approvals", "set", "--node", fx.NodeId, "--file", path);
        await Assert.That(setCode).IsEqualTo(0).Because(setOutput);

        var (plainCode, plain) = await fx.RunAsync(new JsonObject
        {
            ["command"] = new JsonArray("/usr/bin/uname", "-s"), ["agentId"] = "ops", ["sessionKey"] = "agent:ops:main",
        }, "run-ops-plain");
        await Assert.That(plainCode).IsNotEqualTo(0);
        await Assert.That((string?)plain["error"]!["details"]!["nodeError"]!["message"]).StartsWith("SYSTEM_RUN_DENIED: approval required");

        // What the exec tool does with host=node, without a model: system.run.prepare, exec.approval.request,
        // an operator's allow-once, then system.run carrying runId = approval id and the prepared plan.
        var (code, output) = await ChildProcess.RunAsync(Tools.NodeExe,
            [Path.Combine(Fixtures.RepoRoot, "scripts", "gateway-operator.mjs"), "approved-run", fx.Gateway.Url, RealGateway.Token, fx.NodeId, """["uname","-s"]""", "/tmp", "ops"],
            fx.Gateway.Environment(), TimeSpan.FromMinutes(1));
        await Assert.That(code).IsEqualTo(0).Because(output);
        var flow = JsonNode.Parse(output[output.IndexOf('{')..])!;
        await Assert.That((string?)flow["prepare"]!["payload"]!["payload"]!["plan"]!["commandText"]).IsEqualTo("/usr/bin/uname -s");
        await Assert.That((string?)flow["request"]!["payload"]!["status"]).IsEqualTo("accepted");
        await Assert.That((bool?)flow["resolve"]!["ok"]).IsTrue();
        await Assert.That((string?)flow["run"]!["payload"]!["payload"]!["stdout"]).IsEqualTo("Linux\n");
        await Assert.That(fx.Node.Process.Output).Contains("decision=approved");
    }

    [Test]
    public async Task Notify_reaches_the_desktop_through_the_real_cli()
    {
        var (code, output) = await fx.Gateway.CliAsync("nodes", "notify", "--node", fx.NodeId, "--title", "Kiosk", "--body", "door open", "--priority", "timeSensitive");
        await Assert.That(code).IsEqualTo(0).Because(output);
        await Assert.That(fx.Notifications).Contains("\"summary\": \"Kiosk\", \"body\": \"door open\", \"urgency\": 2");
        var direct = await EdgeNode.InvokeAsync(fx.Gateway, fx.NodeId, "system.notify", """{"title":"t","body":"b","priority":"passive"}""");
        await Assert.That((string?)direct["payload"]!["delivered"]).IsEqualTo("desktop");
    }

    [Test]
    public async Task Concurrent_local_allow_and_remote_set_lose_neither_change()
    {
        // The remote side is the real CLI: system.execApprovals.get, then .set with the hash it read. While it is
        // in flight, the owner adds entries on the node with `clawedge approvals allow` (the other writer).
        string[] remote = ["/usr/bin/head", "/usr/bin/tail", "/usr/bin/wc"];
        var local = new List<string>();
        string[] localPool = ["/usr/bin/sort", "/usr/bin/cut", "/usr/bin/tr", "/usr/bin/uniq", "/usr/bin/basename", "/usr/bin/dirname",
            "/usr/bin/expr", "/usr/bin/seq", "/usr/bin/yes", "/usr/bin/tee", "/usr/bin/comm", "/usr/bin/paste"];
        int conflicts = 0;
        foreach (string pattern in remote)
        {
            for (int attempt = 0; ; attempt++)
            {
                var set = fx.Gateway.CliAsync("approvals", "allowlist", "add", "--node", fx.NodeId, pattern);
                while (!set.IsCompleted && local.Count < localPool.Length)
                {
                    string mine = localPool[local.Count];
                    var (file, args) = EdgeNode.Command(false, ["approvals", "allow", mine, "--state-dir", fx.Node.StateDir]);
                    var (localCode, localOutput) = await ChildProcess.RunAsync(file, args);
                    await Assert.That(localCode).IsEqualTo(0).Because(localOutput);
                    local.Add(mine);
                    await Task.Delay(150);
                }
                var (code, output) = await set;
                if (code == 0)
                    break;
                // The compare-and-swap refused a set based on a stale read: said out loud, never a silent loss.
                await Assert.That(output).Contains("exec approvals changed; reload and retry");
                conflicts++;
                await Assert.That(attempt).IsLessThan(3);
            }
        }
        var after = await fx.Gateway.CliJsonAsync("approvals", "get", "--node", fx.NodeId);
        var patterns = Patterns(after);
        foreach (string p in remote.Concat(local))
            await Assert.That(patterns).Contains(p);
        await Assert.That(local.Count).IsGreaterThan(0);
        Console.WriteLine($"{local.Count} local allows during {remote.Length} remote sets; {conflicts} stale sets refused and retried");
    }

    private static List<string> Patterns(JsonNode snapshot)
        => snapshot["file"]!["agents"]?["*"]?["allowlist"]?.AsArray().Select(e => (string)e!["pattern"]!).ToList() ?? [];
}
