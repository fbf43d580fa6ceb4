using System.Text;
using ClawEdge.Config;
using ClawEdge.State;

using ClawEdge.Cli;

using ClawEdge.Platform;

namespace ClawEdge.Exec;

/// <summary>
/// <c>clawedge approvals</c>: the owner edits the node's exec approvals on the node itself (the gateway
/// edits the same file through <c>openclaw approvals … --node</c>). Every change is one atomic,
/// locked read-modify-write of <c>exec-approvals.json</c>, safe while the node runs.
/// </summary>
public static class ApprovalsCommand
{
    public const string Usage = """
        clawedge approvals [list] [--json]               show the policy and allowlist (and whether the file is valid)
        clawedge approvals allow <path|pattern> [--bare] allow a program; a bare name is pinned to its real path unless --bare
        clawedge approvals remove <pattern>              remove an allowlist entry
        clawedge approvals security deny|allowlist|full  set the security mode
        clawedge approvals ask off|on-miss|always        set when to ask (a headless node denies what needs asking)
        clawedge approvals ask-fallback deny|allowlist|full
          options: --agent <id> (default "*": every agent; security/ask default to the defaults section)
        """;

    public static int Execute(CommandLine line)
    {
        var options = ConfigLoader.Load(line.Option("--config"), line.ConfigOverrides);
        var state = new StateStore(options.State.Directory ?? StateStore.DefaultDirectory());
        var store = ExecApprovalsStore.In(state);
        string action = line.Positionals.Count > 0 ? line.Positionals[0] : "list";
        string? value = line.Positionals.Count > 1 ? line.Positionals[1] : null;
        string? agent = line.Option("--agent");

        switch (action)
        {
            case "list" or "get":
                return List(store, line.Has("--json"));
            case "allow" or "add":
                return Mutate(state, store, value, "a path or pattern", v => Allow(store, v, agent ?? "*", line.Has("--bare")));
            case "remove" or "rm":
                return Mutate(state, store, value, "a pattern", v => Remove(store, v, agent ?? "*"));
            case "security":
                return Mutate(state, store, value, string.Join("|", ExecApprovalsDocument.SecurityValues), v => SetField(store, agent, v, ExecApprovalsDocument.SecurityValues, (f, x) => f.Security = x, "security"));
            case "ask":
                return Mutate(state, store, value, string.Join("|", ExecApprovalsDocument.AskValues), v => SetField(store, agent, v, ExecApprovalsDocument.AskValues, (f, x) => f.Ask = x, "ask"));
            case "ask-fallback":
                return Mutate(state, store, value, string.Join("|", ExecApprovalsDocument.SecurityValues), v => SetField(store, agent, v, ExecApprovalsDocument.SecurityValues, (f, x) => f.AskFallback = x, "askFallback"));
            case "help":
                return Program.Print(Usage);
            default:
                return Program.Fail($"unknown approvals action '{action}'\n{Usage}", 2);
        }
    }

    private static int Mutate(StateStore state, ExecApprovalsStore store, string? value, string expected, Func<string, string> change)
    {
        if (string.IsNullOrWhiteSpace(value))
            return Program.Fail($"expected {expected}\n{Usage}", 2);
        try
        {
            state.EnsureDirectory();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Program.Fail($"cannot use the state directory {state.StateDirectory}: {e.Message}", 3);
        }
        if (store.Read() is { Corrupt: true } corrupt)
            return Program.Fail($"{corrupt.Path} is corrupt ({corrupt.Error}); fix or remove it first (every command is denied meanwhile)", 3);
        try
        {
            return Program.Print(change(value.Trim()));
        }
        catch (UsageException e)
        {
            return Program.Fail(e.Message, 2);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Program.Fail($"cannot update {store.FilePath}: {e.Message} (run as the user the node runs as, e.g. sudo -u clawedge)", 3);
        }
    }

    private static string Allow(ExecApprovalsStore store, string value, string agentId, bool bare)
    {
        string pattern = value;
        string note = "";
        if (!bare && AllowlistMatcher.HasPathSelector(value) && value.IndexOfAny(['*', '?']) < 0 && !value.StartsWith('~'))
        {
            // Matching is on the real path: /bin/true on a merged-/usr system is /usr/bin/true.
            if (ExecutableResolver.RealPath(value) is { } real && real != value)
            {
                pattern = real;
                note = $" (the real path of {value})";
            }
        }
        else if (!bare && !AllowlistMatcher.HasPathSelector(value) && value != "*" && value.IndexOfAny(['*', '?']) < 0)
        {
            // A bare name matches whatever PATH finds first; pin it to today's real file instead.
            var resolved = ExecutableResolver.Resolve(value, null, ExecutableResolver.SearchPath())
                ?? throw new UsageException($"'{value}' is not an executable in PATH; give a full path, or --bare to allow the name wherever PATH finds it");
            pattern = resolved.RealPath;
            note = $" (resolved from '{value}')";
        }
        bool added = false;
        store.Update(current =>
        {
            var document = current.Document;
            var section = document.GetOrAddAgent(agentId);
            if (section.Allowlist.Any(e => e.Pattern == pattern))
                return null;
            section.Allowlist.Add(new AllowlistEntry { Pattern = pattern });
            added = true;
            return document;
        });
        return added ? $"allowed {pattern}{note} for agent {agentId} in {store.FilePath}" : $"{pattern} is already allowed for agent {agentId}";
    }

    private static string Remove(ExecApprovalsStore store, string pattern, string agentId)
    {
        int removed = 0;
        store.Update(current =>
        {
            var section = current.Document.Agent(agentId);
            removed = section?.Allowlist.RemoveAll(e => e.Pattern == pattern) ?? 0;
            return removed > 0 ? current.Document : null;
        });
        return removed > 0 ? $"removed {pattern} from agent {agentId}" : throw new UsageException($"{pattern} is not in the allowlist of agent {agentId} (see: clawedge approvals list)");
    }

    private static string SetField(ExecApprovalsStore store, string? agentId, string value, string[] allowed, Action<ExecPolicyFields, string> set, string name)
    {
        if (!allowed.Contains(value))
            throw new UsageException($"{name} must be one of {string.Join("|", allowed)}");
        store.Update(current =>
        {
            var document = current.Document;
            set(agentId is null ? document.Defaults : document.GetOrAddAgent(agentId), value);
            return document;
        });
        return $"{name} = {value} for {(agentId is null ? "the defaults" : $"agent {agentId}")} in {store.FilePath}";
    }

    private static int List(ExecApprovalsStore store, bool json)
    {
        var snapshot = store.Read();
        if (json)
        {
            Console.Out.WriteLine(SnapshotJson.Write(snapshot, includeResolvedDefaults: true));
            return snapshot.Corrupt ? 3 : 0;
        }
        var text = new StringBuilder();
        text.AppendLine($"file      {snapshot.Path}{(snapshot.Exists ? "" : " (absent: built-in defaults apply)")}");
        text.AppendLine($"hash      {snapshot.Hash}");
        if (snapshot.Corrupt)
        {
            text.AppendLine($"ERROR     the file is unreadable or invalid: {snapshot.Error}");
            text.AppendLine("          every system.run is denied until it is fixed or removed");
        }
        var policy = EffectiveExecPolicy.Resolve(snapshot, null);
        text.AppendLine($"policy    security={policy.Security} ask={policy.Ask} askFallback={policy.AskFallback} (agent main)");
        bool any = false;
        foreach (var agent in snapshot.Document.Agents)
        {
            if (agent.Security is not null || agent.Ask is not null || agent.AskFallback is not null)
                text.AppendLine($"agent {agent.Id}: security={agent.Security ?? "-"} ask={agent.Ask ?? "-"} askFallback={agent.AskFallback ?? "-"}");
            foreach (var entry in agent.Allowlist)
            {
                any = true;
                text.AppendLine($"  allow  [{agent.Id}] {entry.Pattern}{(entry.ArgPattern is { } a ? $"  args ~ {a}" : "")}{(entry.Source is { } s ? $"  ({s})" : "")}");
            }
        }
        if (!any)
            text.AppendLine("allowlist is empty: nothing may run. Add a program with: clawedge approvals allow /usr/bin/uname");
        Console.Out.Write(text.ToString());
        return snapshot.Corrupt ? 3 : 0;
    }
}
