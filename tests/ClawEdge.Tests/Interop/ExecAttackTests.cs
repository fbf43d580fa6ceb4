using System.Text.Json.Nodes;

namespace ClawEdge.Tests.Interop;

/// <summary>
/// Issue 10 through the real gateway and the real <c>openclaw</c> CLI: the swapped-script attack of §1, inline
/// eval of §2 and allow-always of §3, each on the agent exec path (prepare, approval request, operator decision, run).
/// </summary>
[ClassDataSource<ExecGateway>(Shared = SharedType.PerClass)]
[NotInParallel]
public class ExecAttackTests(ExecGateway fx)
{
    private async Task<JsonNode> ApprovedRunAsync(string argvJson, string cwd, string agent, string decision = "allow-once", string? swapFrom = null, string? swapTo = null)
    {
        string[] args = [Path.Combine(Fixtures.RepoRoot, "scripts", "gateway-operator.mjs"), "approved-run", fx.Gateway.Url, RealGateway.Token, fx.NodeId, argvJson, cwd, agent, decision];
        if (swapFrom is not null)
            args = [.. args, swapFrom, swapTo!];
        var (code, output) = await ChildProcess.RunAsync(Tools.NodeExe, args, fx.Gateway.Environment(), TimeSpan.FromMinutes(1));
        if (code != 0)
            throw new InvalidOperationException(output);
        return JsonNode.Parse(output[output.IndexOf('{')..])!;
    }

    private async Task SetAgentAsync(string agent, JsonObject section)
    {
        var current = await fx.Gateway.CliJsonAsync("approvals", "get", "--node", fx.NodeId);
        var file = current["file"]!.DeepClone().AsObject();
        var agents = file["agents"] as JsonObject ?? new JsonObject();
        agents[agent] = section;
        file["agents"] = agents;
        string path = Path.Combine(fx.Gateway.Home, $"{agent}-approvals.json");
        await File.WriteAllTextAsync(path, file.ToJsonString());
        var (code, output) = await fx.Gateway.CliAsync("approvals", "set", "--node", fx.NodeId, "--file", path);
        if (code != 0)
            throw new InvalidOperationException(output);
    }

    private static string NodeError(JsonNode run) => run["error"]?["message"]?.ToString() + " " + run["error"]?["details"]?.ToJsonString();

    [Test]
    public async Task A_script_swapped_by_rename_after_the_operators_approval_does_not_run()
    {
        await SetAgentAsync("swap", new JsonObject { ["security"] = "allowlist", ["ask"] = "on-miss" });
        string dir = Tools.TempDir("swap");
        string script = Path.Combine(dir, "s.sh"), evil = Path.Combine(dir, "evil.sh"), marker = Path.Combine(dir, "marker");
        await File.WriteAllTextAsync(script, "#!/bin/sh\necho A\n");
        await File.WriteAllTextAsync(evil, $"#!/bin/sh\ntouch {marker}\necho B\n");
        File.SetUnixFileMode(script, (UnixFileMode)0x1ED);
        File.SetUnixFileMode(evil, (UnixFileMode)0x1ED);

        // Unswapped, the approved plan runs and the plan carries the file binding the gateway kept.
        var ok = await ApprovedRunAsync($"[\"{script}\"]", dir, "swap");
        await Assert.That((string?)ok["run"]!["payload"]?["payload"]?["stdout"]).IsEqualTo("A\n").Because(ok.ToJsonString());
        await Assert.That((string?)ok["prepare"]!["payload"]!["payload"]!["plan"]!["mutableFileOperand"]!["path"]).IsEqualTo(script);

        // The steps: approve, rename another script over it, run the approved plan.
        var swapped = await ApprovedRunAsync($"[\"{script}\"]", dir, "swap", swapFrom: evil, swapTo: script);
        await Assert.That(NodeError(swapped["run"]!)).Contains("approved file changed since approval").Because(swapped.ToJsonString());
        await Assert.That(File.Exists(marker)).IsFalse();

        // `sh s.sh`: the script operand of an interpreter is bound too.
        await File.WriteAllTextAsync(script, "#!/bin/sh\necho A\n");
        await File.WriteAllTextAsync(evil, $"#!/bin/sh\ntouch {marker}\n");
        var operand = await ApprovedRunAsync("[\"sh\",\"s.sh\"]", dir, "swap", swapFrom: evil, swapTo: script);
        await Assert.That((int?)operand["prepare"]!["payload"]!["payload"]!["plan"]!["mutableFileOperand"]!["argvIndex"]).IsEqualTo(1);
        await Assert.That(NodeError(operand["run"]!)).Contains("approved file changed since approval");
        await Assert.That(File.Exists(marker)).IsFalse();
        await Assert.That(fx.Node.Process.Output).Contains("reason=approved-file-changed");
        Directory.Delete(dir, true);
    }

    [Test]
    [Arguments("[\"/usr/bin/python3\",\"-c\",\"open('{m}','w')\"]")]
    [Arguments("[\"/usr/bin/python3.11\",\"-Ic\",\"open('{m}','w')\"]")]
    [Arguments("[\"/usr/bin/perl\",\"-e\",\"open(F,'>{m}')\"]")]
    [Arguments("[\"/usr/bin/perl\",\"-E\",\"open(F,'>{m}')\"]")]
    [Arguments("[\"/usr/bin/node\",\"-e\",\"require('fs').writeFileSync('{m}','')\"]")]
    [Arguments("[\"/usr/bin/node\",\"--eval=require('fs').writeFileSync('{m}','')\"]")]
    [Arguments("[\"/usr/bin/node\",\"-p\",\"require('fs').writeFileSync('{m}','')\"]")]
    [Arguments("[\"/usr/bin/awk\",\"BEGIN{system(\\\"touch {m}\\\")}\"]")]
    public async Task Inline_eval_under_an_allowlisted_interpreter_is_denied_and_runs_once_when_approved(string template)
    {
        string marker = Path.Combine(Path.GetTempPath(), $"ce-inline-{Guid.NewGuid():N}");
        var argv = JsonNode.Parse(template.Replace("{m}", marker))!.AsArray();
        string program = ClawEdge.Platform.ExecutableResolver.RealPath((string)argv[0]!)!;
        await SetAgentAsync("interp", new JsonObject
        {
            ["security"] = "allowlist", ["ask"] = "off",
            ["allowlist"] = new JsonArray(new JsonObject { ["pattern"] = program }),
        });
        var (code, denied) = await fx.RunAsync(new JsonObject { ["command"] = argv.DeepClone(), ["agentId"] = "interp" }, $"inline-{Guid.NewGuid():N}");
        await Assert.That(code).IsNotEqualTo(0);
        var nodeError = denied["error"]!["details"]!["nodeError"]!;
        await Assert.That((string?)nodeError["code"]).IsEqualTo("SYSTEM_RUN_DENIED");
        await Assert.That((string?)nodeError["message"]).Contains("strictInlineEval");
        await Assert.That(File.Exists(marker)).IsFalse();

        var approved = await ApprovedRunAsync(argv.ToJsonString(), "/tmp", "interp");
        await Assert.That((bool?)approved["run"]!["ok"]).IsTrue().Because(approved.ToJsonString());
        await Assert.That(File.Exists(marker)).IsTrue();
        File.Delete(marker);
    }

    // The operator asks under the agent's own `ask: on-miss`: 2026.9.6 offers allow-always only when the request's ask is
    // not "always" (resolveExecApprovalAllowedDecisions), which is how the agent runtime asks.
    [Test]
    public async Task Allow_always_persists_the_inner_program_seen_in_openclaw_approvals_get()
    {
        await SetAgentAsync("always", new JsonObject { ["security"] = "allowlist", ["ask"] = "on-miss" });
        var (plainCode, _) = await fx.RunAsync(new JsonObject { ["command"] = new JsonArray("id", "-g"), ["agentId"] = "always" }, "always-before");
        await Assert.That(plainCode).IsNotEqualTo(0);

        var flow = await ApprovedRunAsync("[\"env\",\"/usr/bin/id\",\"-g\"]", "/tmp", "always", decision: "allow-always");
        await Assert.That((bool?)flow["run"]!["ok"]).IsTrue().Because(flow.ToJsonString());
        var inline = await ApprovedRunAsync("[\"/usr/bin/python3\",\"-c\",\"print(1)\"]", "/tmp", "always", decision: "allow-always");
        await Assert.That((bool?)inline["run"]!["ok"]).IsTrue().Because(inline.ToJsonString());
        var shell = await ApprovedRunAsync("[\"/bin/sh\",\"-c\",\"whoami\"]", "/tmp", "always", decision: "allow-always");
        await Assert.That((bool?)shell["run"]!["ok"]).IsTrue().Because(shell.ToJsonString());

        var snapshot = await fx.Gateway.CliJsonAsync("approvals", "get", "--node", fx.NodeId);
        var patterns = snapshot["file"]!["agents"]!["always"]!["allowlist"]!.AsArray().Select(e => (string)e!["pattern"]!).ToList();
        // The inner programs, as the reference: `env`'s target and the program of the shell line; nothing for inline eval.
        await Assert.That(string.Join(",", patterns)).IsEqualTo("/usr/bin/id,/usr/bin/whoami");

        var (afterCode, after) = await fx.RunAsync(new JsonObject { ["command"] = new JsonArray("id", "-g"), ["agentId"] = "always" }, "always-after");
        await Assert.That(afterCode).IsEqualTo(0).Because(after.ToJsonString());
        var (whoamiCode, whoami) = await fx.RunAsync(new JsonObject { ["command"] = new JsonArray("whoami"), ["agentId"] = "always" }, "always-whoami-after");
        await Assert.That(whoamiCode).IsEqualTo(0).Because(whoami.ToJsonString());
        // Inline code approved always still asks next time: none of it was persisted.
        var (inlineCode, _) = await fx.RunAsync(new JsonObject { ["command"] = new JsonArray("/usr/bin/python3", "-c", "print(1)"), ["agentId"] = "always" }, "always-inline-after");
        await Assert.That(inlineCode).IsNotEqualTo(0);
    }
}
