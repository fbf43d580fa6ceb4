using System.Security.Cryptography;
using System.Text.Json.Nodes;
using ClawEdge.Exec;
using ClawEdge.Host;

namespace ClawEdge.Tests.Approvals;

public class ExecApprovalsStoreTests
{
    private static async Task<CommandResult> Call(NodeCommand command, string paramsJson)
        => await new CommandRegistry([command]).DispatchAsync(new InvokeContext { Id = "t", Command = command.Name, ParamsJson = paramsJson }, CancellationToken.None);

    [Test]
    public async Task Missing_file_reports_the_reference_missing_hash_and_our_deny_everything_default()
    {
        using var bed = new ExecTestBed();
        var get = await Call(new SystemExecApprovalsGetCommand(bed.Store), "{}");
        var payload = JsonNode.Parse(get.PayloadJson!)!;
        await Assert.That((bool)payload["exists"]!).IsFalse();
        await Assert.That((string?)payload["hash"]).IsEqualTo("missing:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        await Assert.That((string?)payload["file"]!["defaults"]!["security"]).IsEqualTo("allowlist");
        // Only the closed set of keys the gateway validates.
        await Assert.That(string.Join(",", payload.AsObject().Select(p => p.Key).Order())).IsEqualTo("exists,file,hash,path,resolvedDefaults");
        await Assert.That((string?)payload["resolvedDefaults"]!["security"]).IsEqualTo("allowlist");

        var denied = await bed.InvokeAsync(ExecTestBed.Argv("/usr/bin/uname", "-s"));
        await Assert.That(denied.ErrorCode).IsEqualTo("SYSTEM_RUN_DENIED");
        await Assert.That(denied.ErrorMessage!).StartsWith("SYSTEM_RUN_DENIED: allowlist miss");
    }

    [Test]
    public async Task Set_is_a_compare_and_swap_on_the_sha256_of_the_stored_text()
    {
        using var bed = new ExecTestBed();
        var set = new SystemExecApprovalsSetCommand(bed.Store);
        // The exact params of trace 05 (reference CLI → node), bare string entry added.
        string traceFile = """{"version":1,"defaults":{"security":"allowlist","ask":"off","askFallback":"deny"},"agents":{"*":{"allowlist":[{"pattern":"/usr/bin/uname"},"/usr/bin/id"]}}}""";
        var first = await Call(set, $$"""{"file":{{traceFile}},"baseHash":"missing:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"}""");
        await Assert.That(first.Ok).IsTrue();
        var snapshot = JsonNode.Parse(first.PayloadJson!)!;
        string hash = (string)snapshot["hash"]!;
        await Assert.That(hash).IsEqualTo(Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(bed.Store.FilePath))));
        var entries = snapshot["file"]!["agents"]!["*"]!["allowlist"]!.AsArray();
        await Assert.That((string?)entries[1]!["pattern"]).IsEqualTo("/usr/bin/id");
        await Assert.That(Guid.TryParse((string?)entries[0]!["id"], out _)).IsTrue();
        await Assert.That(File.GetUnixFileMode(bed.Store.FilePath)).IsEqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite);

        var noBase = await Call(set, $$"""{"file":{{traceFile}}}""");
        await Assert.That(noBase.ErrorCode).IsEqualTo("INVALID_REQUEST");
        await Assert.That(noBase.ErrorMessage).IsEqualTo("INVALID_REQUEST: exec approvals base hash required; reload and retry");

        var second = await Call(set, $$"""{"file":{{traceFile}},"baseHash":"{{hash}}"}""");
        await Assert.That(second.Ok).IsTrue();
        var stale = await Call(set, $$"""{"file":{{traceFile}},"baseHash":"{{hash}}"}""");
        await Assert.That(stale.ErrorMessage).IsEqualTo("INVALID_REQUEST: exec approvals changed; reload and retry");
    }

    [Test]
    public async Task A_corrupt_file_fails_closed_and_names_the_file()
    {
        using var bed = new ExecTestBed("/usr/bin/uname");
        File.WriteAllText(bed.Store.FilePath, """{"version":1,"defaults":{"security":"full","secruity":"x"}}""");
        var result = await bed.InvokeAsync(ExecTestBed.Argv("/usr/bin/uname"));
        await Assert.That(result.ErrorCode).IsEqualTo("SYSTEM_RUN_DENIED");
        await Assert.That(result.ErrorMessage!).Contains(bed.Store.FilePath);
        await Assert.That(result.ErrorMessage!).Contains("secruity");

        File.WriteAllText(bed.Store.FilePath, "{\"version\":1,");
        var truncated = await bed.InvokeAsync(ExecTestBed.Argv("/usr/bin/uname"));
        await Assert.That(truncated.ErrorMessage!).Contains("corrupt");
        // The owner can still replace it remotely with the hash of what is there.
        var get = JsonNode.Parse((await Call(new SystemExecApprovalsGetCommand(bed.Store), "{}")).PayloadJson!)!;
        await Assert.That((string?)get["file"]!["defaults"]!["security"]).IsEqualTo("deny");
        var fixedUp = await Call(new SystemExecApprovalsSetCommand(bed.Store), """{"file":{"version":1,"agents":{"*":{"allowlist":["/usr/bin/uname"]}}},"baseHash":""" + "\"" + (string)get["hash"]! + "\"}");
        await Assert.That(fixedUp.Ok).IsTrue();
        await Assert.That((await bed.InvokeAsync(ExecTestBed.Argv("/usr/bin/uname"))).Ok).IsTrue();
    }

    [Test]
    public async Task Reference_document_with_socket_and_legacy_fields_round_trips()
    {
        // The example document from the reference docs (docs/tools/exec-approvals.md).
        var document = ExecApprovalsDocument.Parse("""
            {"version":1,"socket":{"path":"~/.openclaw/exec-approvals.sock","token":"t"},
             "defaults":{"security":"deny","ask":"on-miss","askFallback":"deny","autoAllowSkills":false},
             "agents":{"main":{"security":"allowlist","ask":"on-miss","askFallback":"deny","autoAllowSkills":true,
               "allowlist":[{"id":"B0C8C0B3","pattern":"~/path/to/**/bin/rg","argPattern":"sha256:argv:x","source":"allow-always","lastUsedAt":1737150000000,"lastResolvedPath":"/x/rg","commandText":"rg"},
                            {"pattern":"~/path/to/**/bin/git"}],
               "mcpTools":[{"server":"project-docs","tool":"publish_page","source":"allow-always","addedAt":1737150000000}]}}}
            """);
        string json = document.ToJson();
        await Assert.That(json).DoesNotContain("socket");
        await Assert.That(json).DoesNotContain("commandText");
        await Assert.That(json).Contains("\"mcpTools\":[{\"server\":\"project-docs\"");
        var again = ExecApprovalsDocument.Parse(json);
        await Assert.That(again.ToJson()).IsEqualTo(json);
        var policy = EffectiveExecPolicy.Resolve(new ExecApprovalsSnapshot("p", true, "h", again, null), "main");
        await Assert.That(policy.Security).IsEqualTo("allowlist");
        await Assert.That(policy.Allowlist.Count).IsEqualTo(2);
    }

    [Test]
    public async Task Built_in_security_stays_allowlist_when_a_file_has_no_defaults()
    {
        var document = ExecApprovalsDocument.Parse("""{"version":1,"agents":{"*":{"allowlist":["/usr/bin/uname"]}}}""");
        var policy = EffectiveExecPolicy.Resolve(new ExecApprovalsSnapshot("p", true, "h", document, null), null);
        await Assert.That(policy.Security).IsEqualTo("allowlist");
        await Assert.That(policy.AskFallback).IsEqualTo("deny");
    }
}
