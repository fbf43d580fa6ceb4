namespace ClawEdge.Exec;

/// <summary>
/// The policy one request runs under: each field from <c>agents[agentId]</c>, then <c>agents["*"]</c>, then
/// <c>defaults</c>, then the built-in; the allowlist is <c>agents["*"]</c> plus <c>agents[agentId]</c>.
/// The built-in security is <c>allowlist</c>, not the reference's <c>full</c>: adding one allowlist entry
/// from the gateway to a file without defaults must not turn a deny-all appliance into a run-anything one.
/// </summary>
public sealed record EffectiveExecPolicy(string Security, string Ask, string AskFallback, bool AutoAllowSkills, IReadOnlyList<AllowlistEntry> Allowlist, string? CorruptReason,
    bool StrictInlineEval = true)
{
    public const string DefaultAgentId = "main";
    public const string BuiltInSecurity = "allowlist";

    public static EffectiveExecPolicy Resolve(ExecApprovalsSnapshot snapshot, string? agentId)
    {
        var document = snapshot.Document;
        string id = string.IsNullOrWhiteSpace(agentId) ? DefaultAgentId : agentId.Trim();
        var agent = document.Agent(id);
        var wildcard = document.Agent("*");
        var allowlist = new List<AllowlistEntry>();
        if (wildcard is not null)
            allowlist.AddRange(wildcard.Allowlist);
        if (agent is not null && !ReferenceEquals(agent, wildcard))
            allowlist.AddRange(agent.Allowlist);
        return new EffectiveExecPolicy(
            agent?.Security ?? wildcard?.Security ?? document.Defaults.Security ?? BuiltInSecurity,
            agent?.Ask ?? wildcard?.Ask ?? document.Defaults.Ask ?? "off",
            agent?.AskFallback ?? wildcard?.AskFallback ?? document.Defaults.AskFallback ?? "deny",
            agent?.AutoAllowSkills ?? wildcard?.AutoAllowSkills ?? document.Defaults.AutoAllowSkills ?? false,
            allowlist,
            snapshot.Error,
            // On unless a section turns it off: the reference's default (off) suits a workstation with a person watching, not an appliance.
            agent?.StrictInlineEval ?? wildcard?.StrictInlineEval ?? document.Defaults.StrictInlineEval ?? true);
    }
}
