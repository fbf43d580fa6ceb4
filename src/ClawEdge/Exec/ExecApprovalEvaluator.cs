using ClawEdge.Platform;

namespace ClawEdge.Exec;

/// <summary>
/// The verdict on one run. When allowed, <see cref="Executable"/> is the real path to execute (the
/// program itself, or the shell of a wrapper); when denied, <see cref="EventReason"/> is the
/// <c>exec.denied</c> reason and <see cref="Message"/> the <c>SYSTEM_RUN_DENIED</c> text, which names
/// what did not match and the command that would allow it.
/// </summary>
public sealed record ExecDecision(bool Allowed, string? EventReason, string? Message, ResolvedExecutable? Executable);

/// <summary>One request as the evaluator sees it.</summary>
public sealed record ExecRequestView(IReadOnlyList<string> Argv, string? Cwd, bool Approved, string? NodeId, string ApprovalsPath);

/// <summary>
/// Applies the reference host's <c>evaluateSystemRunPolicy</c> to a request: <c>security=deny</c> denies;
/// <c>ask=always</c>, or <c>ask=on-miss</c> with an allowlist miss, needs an approval — a headless node has
/// nobody to ask, so without a gateway-backed approval on the request that is a denial, as on the
/// reference host; in allowlist mode every command segment must resolve to a real path an entry allows.
/// </summary>
public static class ExecApprovalEvaluator
{
    public static ExecDecision Evaluate(ExecRequestView request, EffectiveExecPolicy policy, IReadOnlyList<string> pathDirectories)
    {
        var argv = request.Argv;
        var wrapper = ShellWrapper.Detect(argv);
        var program = ExecutableResolver.Resolve(argv[0], request.Cwd, pathDirectories);

        if (policy.CorruptReason is { } corrupt)
            return Deny("security=deny",
                $"SYSTEM_RUN_DENIED: exec approvals file {request.ApprovalsPath} is unsafe or corrupt: {corrupt}. Every command is denied until it is fixed " +
                $"(on the node: clawedge approvals list; or replace it with: openclaw approvals set --node {NodeRef(request)} --file <approvals.json>)");
        if (policy.Security == "deny")
            return Deny("security=deny",
                $"SYSTEM_RUN_DISABLED: security=deny (exec is off on this node; to run listed programs: clawedge approvals security allowlist)");

        // Which commands would run, and is each one allowed?
        string? miss = null, allowHint = null, inline = null;
        if (wrapper.IsWrapper)
        {
            var analysis = wrapper.Failure is { } wrapperFailure
                ? new ShellAnalysis([], wrapperFailure)
                : ShellCommandParser.Analyze(wrapper.Payload!);
            // A payload the parser read is checked segment by segment (each may be inline eval itself); one it cannot
            // read is code nobody checked: an allowlist miss below, and inline eval where nothing else would stop it.
            inline = analysis.Ok
                ? analysis.Segments.Select(InlineEval.Detect).FirstOrDefault(f => f is not null)
                : policy.Security == "full" ? InlineEval.Detect(argv) ?? $"{Path.GetFileName(argv[0])} -c" : null;
            if (!analysis.Ok)
            {
                miss = $"the shell command contains {analysis.Failure}, which allowlist mode cannot check";
                allowHint = "send the program as an argv array instead (e.g. [\"/usr/bin/uname\",\"-s\"]), or allow each program it runs";
            }
            else
            {
                foreach (var segment in analysis.Segments)
                {
                    if (CheckSegment(segment, request, policy, pathDirectories) is { } segmentMiss)
                    {
                        (miss, allowHint) = segmentMiss;
                        break;
                    }
                }
            }
        }
        else
        {
            inline = InlineEval.Detect(argv);
            if (ShellCommandParser.CarrierReason(argv) is { } carrier)
            {
                miss = $"{carrier}, which allowlist mode cannot check";
                allowHint = "run the inner program directly";
            }
            else if (CheckSegment(argv, request, policy, pathDirectories) is { } direct)
                (miss, allowHint) = direct;
        }

        if (policy.StrictInlineEval && inline is not null && !request.Approved && (miss is null || policy.Security == "full"))
            return Deny("inline-eval",
                $"SYSTEM_RUN_DENIED: inline eval ({inline}) needs an explicit approval: strictInlineEval is on, so an allowlisted interpreter runs script files, " +
                $"not code given in argv. Run a script file instead, approve this exact command through the gateway, or set \"strictInlineEval\": false " +
                $"in the defaults (or agents.<id>) of {request.ApprovalsPath}");

        bool satisfied = miss is null;
        bool requiresAsk = policy.Ask == "always" || (policy.Ask == "on-miss" && policy.Security == "allowlist" && !satisfied);
        if (requiresAsk && !request.Approved)
        {
            string why = policy.Ask == "always"
                ? "ask=always and this headless node has no one to ask; the request carries no gateway approval. To run allowed programs without asking: clawedge approvals ask off"
                : $"ask=on-miss: {miss}. To allow it: {allowHint}";
            return Deny("approval-required", $"SYSTEM_RUN_DENIED: approval required ({why})");
        }
        if (policy.Security == "allowlist" && !satisfied && !request.Approved)
            return Deny("allowlist-miss", $"SYSTEM_RUN_DENIED: allowlist miss: {miss}. To allow it: {allowHint}");
        return new ExecDecision(true, null, null, program);
    }

    private static (string Miss, string Hint)? CheckSegment(IReadOnlyList<string> segment, ExecRequestView request, EffectiveExecPolicy policy, IReadOnlyList<string> pathDirectories)
    {
        if (ShellCommandParser.CarrierReason(segment) is { } carrier)
            return ($"{carrier}", "run the inner program directly");
        var resolved = ExecutableResolver.Resolve(segment[0], request.Cwd, pathDirectories);
        if (resolved is null)
        {
            string where = segment[0].Contains('/') ? "does not exist or is not executable" : $"is not an executable in the node's PATH ({string.Join(':', pathDirectories)})";
            return ($"\"{segment[0]}\" {where}", "install it, or call it by its absolute path and allow that path");
        }
        if (AllowlistMatcher.Match(policy.Allowlist, resolved, segment, request.Cwd) is not null)
            return null;
        string via = resolved.RealPath == segment[0] ? "" : $" (from \"{segment[0]}\")";
        return ($"{resolved.RealPath}{via} is not in the allowlist",
            $"openclaw approvals allowlist add --node {NodeRef(request)} \"{resolved.RealPath}\"  (or on the node: clawedge approvals allow {resolved.RealPath})");
    }

    private static string NodeRef(ExecRequestView request) => request.NodeId ?? "<node-id>";

    private static ExecDecision Deny(string reason, string message) => new(false, reason, message, null);
}
