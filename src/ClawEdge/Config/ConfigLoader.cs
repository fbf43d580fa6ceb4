using Microsoft.Extensions.Configuration;

using ClawEdge.Gateway;

namespace ClawEdge.Config;

/// <summary>
/// Reads options in rising precedence: JSON file, environment (<c>CLAWEDGE_Section__Key</c>), command line.
/// Unknown keys and values of the wrong type are errors that name the key's path.
/// </summary>
public static class ConfigLoader
{
    public const string DefaultPath = "/etc/clawedge/clawedge.json";

    /// <summary>Which file is read: <c>--config</c>, else <c>$CLAWEDGE_CONFIG</c>, else the default path if it exists; null means built-in defaults.</summary>
    public static string? ResolvePath(string? configOption)
        => configOption ?? Environment.GetEnvironmentVariable("CLAWEDGE_CONFIG") ?? (File.Exists(DefaultPath) ? DefaultPath : null);
    public const string EnvironmentPrefix = "CLAWEDGE_";
    public const string SchemaPath = "/etc/clawedge/clawedge.schema.json";

    /// <param name="configPath">An explicit <c>--config</c>: must exist. Null: the default path, if present.</param>
    /// <param name="commandLine">Keys already in configuration form (<c>Gateway:Port</c>).</param>
    public static ClawEdgeOptions Load(string? configPath, IReadOnlyDictionary<string, string?> commandLine,
        IDictionary<string, string?>? environment = null)
    {
        var builder = new ConfigurationBuilder();
        string? path = ResolvePath(configPath);
        if (path is not null)
        {
            if (!File.Exists(path))
                throw new ConfigException($"config file not found: {path}");
            builder.AddJsonFile(Path.GetFullPath(path), optional: false, reloadOnChange: false);
        }
        var environmentNames = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        builder.AddInMemoryCollection(FromEnvironment(environment ?? ReadEnvironment(), environmentNames));
        builder.AddInMemoryCollection(commandLine);

        IConfigurationRoot root;
        try
        {
            root = builder.Build();
        }
        catch (Exception e) when (e is FormatException or InvalidDataException or IOException)
        {
            throw new ConfigException($"cannot read {path}: {e.InnerException?.Message ?? e.Message}");
        }

        // Sources in the order added: the file (if any), the environment, the command line.
        var sources = new List<Func<string, string>>();
        if (path is not null)
            sources.Add(_ => path);
        sources.Add(key => environmentNames.TryGetValue(key, out var name) ? name : EnvironmentPrefix + key.Replace(":", "__", StringComparison.Ordinal));
        sources.Add(key => Cli.CommandLine.FlagFor(key) ?? "the command line");
        string SourceOf(string key)
        {
            var providers = root.Providers.ToList();
            for (int i = providers.Count - 1; i >= 0; i--)
                if (providers[i].TryGet(key, out _) || providers[i].GetChildKeys([], key).Any())
                    return sources[i](key);
            return path ?? "the configuration";
        }
        OptionKeys.Root.Check(root, SourceOf);

        var options = new ClawEdgeOptions();
        try
        {
            // A backstop: OptionKeys has already named any unknown key in our words.
            root.Bind(options, o => o.ErrorOnUnknownConfiguration = true);
        }
        catch (InvalidOperationException e)
        {
            throw new ConfigException(e.Message);
        }
        Validate(options);
        return options;
    }

    // The Microsoft convention (CLAWEDGE_Gateway__Port → Gateway:Port), done here rather than with the
    // EnvironmentVariables provider so tests can pass their own environment.
    // Read by the process itself, before or outside configuration: where the file is, how Skia and TurboJPEG load.
    // Variables with our prefix that are not configuration: the node's own process switches, and those of the project's
    // tools (build.sh and its scripts, the first-boot helper), which a node started from the same shell inherits — a
    // fresh-clone test run with CLAWEDGE_CACHE set had every node refuse to start on "unknown key CACHE".
    private static readonly string[] ProcessVariables =
    [
        "CLAWEDGE_CONFIG", "CLAWEDGE_SKIA_LOAD", "CLAWEDGE_TURBOJPEG_LIBRARY",
        "CLAWEDGE_CACHE", "CLAWEDGE_SIZE_BUDGET", "CLAWEDGE_DEBIAN_MIRROR", "CLAWEDGE_PAIR_SOURCE",
    ];

    private static Dictionary<string, string?> FromEnvironment(IDictionary<string, string?> environment, Dictionary<string, string> names)
    {
        var keys = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, value) in environment)
        {
            if (!name.StartsWith(EnvironmentPrefix, StringComparison.OrdinalIgnoreCase) || ProcessVariables.Contains(name, StringComparer.OrdinalIgnoreCase))
                continue;
            string key = name[EnvironmentPrefix.Length..].Replace("__", ":", StringComparison.Ordinal);
            keys[key] = value;
            names[key] = name;
        }
        return keys;
    }

    private static Dictionary<string, string?> ReadEnvironment()
    {
        var result = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (System.Collections.DictionaryEntry entry in Environment.GetEnvironmentVariables())
            result[(string)entry.Key] = entry.Value as string;
        return result;
    }

    private static void Validate(ClawEdgeOptions options)
    {
        var gateway = options.Gateway;
        if (gateway.Host is not null && (gateway.Host.Trim().Length == 0 || gateway.Host.Contains('/')))
            throw new ConfigException($"Gateway:Host must be a host name or address, got '{gateway.Host}'");
        if (gateway.Port is < 1 or > 65535)
            throw new ConfigException($"Gateway:Port must be 1–65535, got {gateway.Port}");
        if (gateway.TlsFingerprint is { } pin)
        {
            if (TlsPin.Normalize(pin) is null)
                throw new ConfigException("Gateway:TlsFingerprint must be a SHA-256 fingerprint: 64 hex digits, optionally colon-separated, optionally prefixed sha256:");
            if (gateway.Tls == false)
                throw new ConfigException("Gateway:TlsFingerprint is set but Gateway:Tls is false: a pin needs wss://");
        }
        if (gateway.MaxBackoffMs is < 1000 or > 600_000)
            throw new ConfigException($"Gateway:MaxBackoffMs must be 1000–600000, got {gateway.MaxBackoffMs}");
        if (options.Node.StatsIntervalSeconds is < 5 or > 3600)
            throw new ConfigException($"Node:StatsIntervalSeconds must be 5–3600, got {options.Node.StatsIntervalSeconds}");
        if (!Enum.TryParse<Logging.LogLevel>(options.Log.Level, ignoreCase: true, out _) && options.Log.Level is not ("warning" or "err"))
            throw new ConfigException($"Log:Level must be error, warn, info or debug, got '{options.Log.Level}'");
    }
}

public sealed class ConfigException(string message) : Exception(message);
