using System.Collections;


namespace ClawEdge.Processes;

/// <summary>What every child process of the node inherits: the node's environment without its own credentials.</summary>
public static class ChildEnvironment
{
    /// <summary>Ours, not the reference's: the node's gateway credentials never reach a child (the reference host passes them on).</summary>
    public static readonly string[] NodeSecrets = ["OPENCLAW_GATEWAY_TOKEN", "OPENCLAW_GATEWAY_PASSWORD", "CREDENTIALS_DIRECTORY"];

    /// <summary>The node's environment as key/value pairs (empty keys dropped).</summary>
    public static IEnumerable<(string Key, string Value)> Variables()
    {
        foreach (DictionaryEntry entry in Environment.GetEnvironmentVariables())
            if (entry.Key is string { Length: > 0 } key && entry.Value is string value)
                yield return (key, value);
    }

    /// <summary><c>KEY=value</c> strings for a helper the node starts itself (notify-send, a browser); computed once, the environment does not change.</summary>
    public static IReadOnlyList<string> Inherited => InheritedList.Value;

    private static readonly Lazy<List<string>> InheritedList = new(() =>
        Variables().Where(v => !NodeSecrets.Contains(v.Key.ToUpperInvariant())).Select(v => $"{v.Key}={v.Value}").ToList());
}
