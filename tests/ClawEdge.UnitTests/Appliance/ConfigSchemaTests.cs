using System.Reflection;
using System.Text.Json.Nodes;
using ClawEdge.Config;

namespace ClawEdge.Tests.Appliance;

/// <summary>
/// The shipped <c>/etc/clawedge/clawedge.json</c> and its schema against the options classes: the schema
/// lists exactly the bindable keys (so it cannot drift as sections are added), every schema key binds
/// through the real loader, and the commented defaults file is accepted and states the real defaults.
/// </summary>
public class ConfigSchemaTests
{
    private static string ConfigPath => Path.Combine(Fixtures.RepoRoot, "rootfs", "etc", "clawedge", "clawedge.json");
    private static string SchemaPath => Path.Combine(Fixtures.RepoRoot, "rootfs", "etc", "clawedge", "clawedge.schema.json");

    private static readonly Dictionary<string, string?> NoEnvironment = [];

    [Test]
    public async Task Commented_defaults_file_loads_and_states_the_real_defaults()
    {
        string text = await File.ReadAllTextAsync(ConfigPath);
        await Assert.That(text).Contains("//");
        var loaded = ConfigLoader.Load(ConfigPath, new Dictionary<string, string?>(), NoEnvironment);
        var defaults = new ClawEdgeOptions();
        await Assert.That(loaded.Gateway.MaxBackoffMs).IsEqualTo(defaults.Gateway.MaxBackoffMs);
        await Assert.That(loaded.Gateway.AllowInsecurePlaintext).IsEqualTo(defaults.Gateway.AllowInsecurePlaintext);
        await Assert.That(loaded.Node.StatsIntervalSeconds).IsEqualTo(defaults.Node.StatsIntervalSeconds);
        await Assert.That(loaded.Log.Level).IsEqualTo(defaults.Log.Level);
        await Assert.That(loaded.Gateway.Host).IsNull();
        await Assert.That(loaded.State.Directory).IsNull();
    }

    [Test]
    public async Task Schema_lists_exactly_the_option_keys()
    {
        var fromOptions = OptionKeys(typeof(ClawEdgeOptions), "").Order(StringComparer.OrdinalIgnoreCase).ToList();
        var fromSchema = SchemaLeaves(Schema(), "").Select(l => l.Key).Order(StringComparer.OrdinalIgnoreCase).ToList();
        var missing = fromOptions.Except(fromSchema, StringComparer.OrdinalIgnoreCase).ToList();
        var extra = fromSchema.Except(fromOptions, StringComparer.OrdinalIgnoreCase).ToList();
        await Assert.That(string.Join(", ", missing)).IsEqualTo("").Because("options without a schema entry: add them to rootfs/etc/clawedge/clawedge.schema.json");
        await Assert.That(string.Join(", ", extra)).IsEqualTo("").Because("schema keys that are not options");
        await Assert.That(fromOptions.Count).IsGreaterThan(10);
    }

    [Test]
    public async Task Every_schema_key_binds_through_the_loader()
    {
        // One config file holding every key with its schema example: an unknown or mistyped key
        // would be an error from the binder (ErrorOnUnknownConfiguration).
        var document = new JsonObject();
        foreach (var (key, example) in SchemaLeaves(Schema(), ""))
        {
            var parts = key.Split(':');
            var parent = document;
            foreach (var part in parts[..^1])
                parent = (JsonObject)(parent[part] ??= new JsonObject());
            parent[parts[^1]] = example.DeepClone();
        }
        string path = Path.Combine(Fixtures.TempDir("schema"), "all.json");
        await File.WriteAllTextAsync(path, document.ToJsonString());
        var options = ConfigLoader.Load(path, new Dictionary<string, string?>(), NoEnvironment);
        await Assert.That(options.Gateway.Host).IsEqualTo("gateway.local");
        await Assert.That(options.Node.Commands!.Length).IsEqualTo(1);

        // And the loader does reject a key the schema does not have.
        document["Gateway"]!["Hots"] = "typo";
        await File.WriteAllTextAsync(path, document.ToJsonString());
        await Assert.That(() => ConfigLoader.Load(path, new Dictionary<string, string?>(), NoEnvironment)).Throws<ConfigException>();
        Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);
    }

    private static JsonObject Schema() => JsonNode.Parse(File.ReadAllText(SchemaPath))!.AsObject();

    private static IEnumerable<(string Key, JsonNode Example)> SchemaLeaves(JsonObject node, string prefix)
    {
        foreach (var (name, value) in node["properties"]!.AsObject())
        {
            string key = prefix.Length == 0 ? name : $"{prefix}:{name}";
            var obj = value!.AsObject();
            if ((string?)obj["type"] == "object")
            {
                foreach (var leaf in SchemaLeaves(obj, key))
                    yield return leaf;
            }
            else
            {
                yield return (key, obj["examples"]?[0] ?? throw new InvalidOperationException($"schema key {key} has no examples"));
            }
        }
    }

    // The binder binds public settable properties; section classes nest, everything else is a leaf.
    // Reflection is fine in a JIT test: the product binds through the source generator.
    [System.Diagnostics.CodeAnalysis.UnconditionalSuppressMessage("Trimming", "IL2070", Justification = "test-only walk of the options classes")]
    [System.Diagnostics.CodeAnalysis.UnconditionalSuppressMessage("Trimming", "IL2072", Justification = "test-only walk of the options classes")]
    private static IEnumerable<string> OptionKeys(Type type, string prefix)
    {
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite))
        {
            string key = prefix.Length == 0 ? property.Name : $"{prefix}:{property.Name}";
            var t = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
            bool leaf = t.IsPrimitive || t.IsEnum || t == typeof(string) || t.IsArray || t == typeof(decimal)
                || t == typeof(TimeSpan) || (t.IsGenericType && t.GetGenericTypeDefinition() != typeof(Nullable<>));
            if (leaf)
                yield return key;
            else
                foreach (var nested in OptionKeys(t, key))
                    yield return nested;
        }
    }
}
