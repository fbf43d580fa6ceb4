using System.Globalization;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.Configuration;

namespace ClawEdge.Config;

/// <summary>
/// The tree of configuration keys the options classes accept, read from the JSON source generator's
/// metadata for <see cref="ClawEdgeOptions"/> (no reflection, so it stays AOT-safe and can never drift from
/// the classes). It checks a configuration before binding, so an unknown key or a value of the wrong type
/// is reported in our words: where it came from, and the nearest key that exists.
/// </summary>
public sealed class OptionKeys
{
    private enum Shape { Section, Map, List, Value }

    private readonly Shape _shape;
    private readonly Type? _valueType;
    private readonly OptionKeys? _element;
    private readonly Dictionary<string, (string Name, OptionKeys Keys)> _children = new(StringComparer.OrdinalIgnoreCase);

    private OptionKeys(JsonTypeInfo info)
    {
        switch (info.Kind)
        {
            case JsonTypeInfoKind.Object:
                _shape = Shape.Section;
                foreach (var property in info.Properties)
                    _children[property.Name] = (property.Name, new OptionKeys(OptionShapeContext.Default.GetTypeInfo(property.PropertyType)!));
                break;
            case JsonTypeInfoKind.Dictionary:
                _shape = Shape.Map; // free keys (camera ids), each holding the element's keys
                _element = new OptionKeys(OptionShapeContext.Default.GetTypeInfo(info.ElementType!)!);
                break;
            case JsonTypeInfoKind.Enumerable:
                _shape = Shape.List; // keys 0, 1, 2…
                _element = new OptionKeys(OptionShapeContext.Default.GetTypeInfo(info.ElementType!)!);
                break;
            default:
                _shape = Shape.Value;
                _valueType = Nullable.GetUnderlyingType(info.Type) ?? info.Type;
                break;
        }
    }

    public static OptionKeys Root { get; } = new(OptionShapeContext.Default.ClawEdgeOptions);

    /// <summary>Every key path a person can write, sections included (<c>Gateway</c>, <c>Gateway:Port</c>).</summary>
    public IEnumerable<string> Paths(string prefix = "")
    {
        foreach (var (name, keys) in _children.Values)
        {
            string path = prefix.Length == 0 ? name : $"{prefix}:{name}";
            yield return path;
            foreach (var below in keys.Paths(path))
                yield return below;
        }
    }

    /// <summary>Throws <see cref="ConfigException"/> for the first key the options do not have or value that does not parse.</summary>
    /// <param name="sourceOf">Where a key's value came from, for the message: a file path, an environment variable, a flag.</param>
    public void Check(IConfiguration configuration, Func<string, string> sourceOf) => Check(configuration, "", sourceOf);

    private void Check(IConfiguration configuration, string prefix, Func<string, string> sourceOf)
    {
        foreach (var child in configuration.GetChildren())
        {
            string typed = prefix.Length == 0 ? child.Key : $"{prefix}:{child.Key}";
            OptionKeys keys;
            string path;
            switch (_shape)
            {
                case Shape.Section when _children.TryGetValue(child.Key, out var known):
                    keys = known.Keys;
                    path = prefix.Length == 0 ? known.Name : $"{prefix}:{known.Name}";
                    break;
                case Shape.Section:
                    // Name a whole key (Gatway:Port, not Gatway): it is what the person wrote, and where it came from is known.
                    IConfigurationSection leaf = child;
                    while (leaf.GetChildren().FirstOrDefault() is { } below)
                        leaf = below;
                    string unknown = leaf.Path;
                    string? nearest = Nearest(unknown, _children.Values.Select(c => prefix.Length == 0 ? c.Name : $"{prefix}:{c.Name}").Concat(Root.Paths()));
                    throw new ConfigException($"{sourceOf(unknown)}: unknown key {unknown}"
                        + (nearest is null ? $" (the keys are those of {ConfigLoader.SchemaPath})" : $" (did you mean {nearest}?)"));
                case Shape.List when !int.TryParse(child.Key, NumberStyles.None, CultureInfo.InvariantCulture, out _):
                    throw new ConfigException($"{sourceOf(typed)}: {prefix} is a list, so {typed} is not a key of it");
                default: // a map's free key or a list's index
                    keys = _element!;
                    path = typed;
                    break;
            }
            if (keys._shape == Shape.Value)
            {
                if (child.GetChildren().Any())
                    throw new ConfigException($"{path} ({From(sourceOf(path + ":" + child.GetChildren().First().Key))}) is a single value, not a section");
                keys.CheckValue(path, child.Value, sourceOf);
            }
            else
            {
                // A value where a section belongs ("Gateway": 5); an empty one is JSON's [] or {}.
                if (!string.IsNullOrEmpty(child.Value))
                    throw new ConfigException($"{path} ({From(sourceOf(path))}) must be a section of keys, got \"{child.Value}\"");
                keys.Check(child, path, sourceOf);
            }
        }
    }

    private void CheckValue(string path, string? value, Func<string, string> sourceOf)
    {
        // Empty is JSON null: the binder leaves the default.
        if (string.IsNullOrEmpty(value) || _valueType == typeof(string))
            return;
        string? expected = _valueType switch
        {
            _ when _valueType == typeof(int) => int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out _) ? null
                : path.EndsWith("Port", StringComparison.Ordinal) ? "a port number" : "a whole number",
            _ when _valueType == typeof(long) => long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out _) ? null : "a whole number",
            _ when _valueType == typeof(double) => double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out _) ? null : "a number",
            _ when _valueType == typeof(bool) => bool.TryParse(value, out _) ? null : "true or false",
            _ => null,
        };
        if (expected is not null)
            throw new ConfigException($"{path} ({From(sourceOf(path))}) must be {expected}, got \"{value}\"");
    }

    private static string From(string source) => $"from {source}";

    /// <summary>The known path closest to <paramref name="typed"/> by edit distance (ignoring case), if close enough to be a typo.</summary>
    internal static string? Nearest(string typed, IEnumerable<string> known)
    {
        string? best = null;
        int bestDistance = int.MaxValue;
        foreach (string candidate in known)
        {
            int distance = EditDistance(typed.ToLowerInvariant(), candidate.ToLowerInvariant());
            if (distance < bestDistance)
                (best, bestDistance) = (candidate, distance);
        }
        // Past a third of the key's last segment the "suggestion" is a guess, not a typo fix.
        int segment = typed.Length - typed.LastIndexOf(':') - 1;
        return bestDistance <= Math.Max(2, segment / 3) ? best : null;
    }

    private static int EditDistance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++)
            previous[j] = j;
        for (int i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (int j = 1; j <= b.Length; j++)
            {
                int substitute = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
                current[j] = Math.Min(substitute, Math.Min(previous[j] + 1, current[j - 1] + 1));
            }
            (previous, current) = (current, previous);
        }
        return previous[b.Length];
    }
}

// Metadata only: the shape of the options is all we read; nothing is serialized with it.
[JsonSourceGenerationOptions(GenerationMode = JsonSourceGenerationMode.Metadata)]
[JsonSerializable(typeof(ClawEdgeOptions))]
internal sealed partial class OptionShapeContext : JsonSerializerContext;
