using System.Collections.Frozen;
using ClawEdge.Processes;

namespace ClawEdge.Exec;

/// <summary>
/// The environment a <c>system.run</c> child gets, by the reference host's rules
/// (<c>src/infra/host-env-security-policy.json</c> in openclaw 2026.9.6): variables that make a program
/// load foreign code are refused as overrides and dropped from the inherited environment, <c>PATH</c>
/// cannot be overridden at all, and a shell wrapper (<c>sh -c</c>) only takes locale and colour
/// overrides. On top of the reference, our own gateway credentials never reach a child.
/// </summary>
public static class ExecEnvironment
{
    private static readonly string[] BlockedEverywhere =
    [
        "NODE_OPTIONS", "NODE_PATH", "NODE_REDIRECT_WARNINGS", "NODE_REPL_EXTERNAL_MODULE", "NODE_REPL_HISTORY", "NODE_V8_COVERAGE",
        "PYTHONHOME", "PYTHONPATH", "PERL5LIB", "PERL5OPT", "RUBYLIB", "RUBYOPT", "BASHOPTS", "BASH_ENV", "ENV", "KSH_ENV",
        "BROWSER", "GIT_ALLOW_PROTOCOL", "GIT_EDITOR", "GIT_EXTERNAL_DIFF", "GIT_DIR", "GIT_WORK_TREE", "GIT_COMMON_DIR",
        "GIT_EXEC_PATH", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY", "GIT_ALTERNATE_OBJECT_DIRECTORIES", "GIT_NAMESPACE",
        "GIT_PROTOCOL_FROM_USER", "GIT_SEQUENCE_EDITOR", "GIT_TEMPLATE_DIR", "GIT_SSL_NO_VERIFY", "GIT_SSL_CAINFO", "GIT_SSL_CAPATH",
        "CC", "CPP", "CXX", "CXXCPP", "CARGO_BUILD_RUSTC", "CARGO_BUILD_RUSTC_WRAPPER", "CARGO_BUILD_RUSTC_WORKSPACE_WRAPPER",
        "CARGO_BUILD_RUSTDOC", "RUSTC", "RUSTC_WRAPPER", "RUSTC_WORKSPACE_WRAPPER", "RUSTDOC", "CMAKE_C_COMPILER", "CMAKE_CXX_COMPILER",
        "SHELL", "SHELLOPTS", "PS4", "GCONV_PATH", "IFS", "SSLKEYLOGFILE", "JAVA_OPTS", "JAVA_TOOL_OPTIONS", "_JAVA_OPTIONS",
        "JDK_JAVA_OPTIONS", "PYTHONBREAKPOINT", "DOTNET_STARTUP_HOOKS", "DOTNET_ADDITIONAL_DEPS", "FPATH", "GLIBC_TUNABLES",
        "MAVEN_OPTS", "MAKE", "MAKEFLAGS", "MFLAGS", "SBT_OPTS", "GRADLE_OPTS", "ANT_OPTS", "HGRCPATH", "HGEDITOR", "HGMERGE",
        "EXINIT", "VIMINIT", "MYVIMRC", "GVIMINIT", "LUA_INIT", "LUA_INIT_5_1", "LUA_INIT_5_2", "LUA_INIT_5_3", "LUA_INIT_5_4",
        "EMACSLOADPATH", "RUBYSHELL", "GIT_HOOK_PATH", "SVN_EDITOR", "SVN_SSH", "BZR_EDITOR", "BZR_SSH", "BZR_PLUGIN_PATH",
        "SUDO_ASKPASS", "JULIA_EDITOR", "CONFIG_SITE", "CONFIG_SHELL", "CMAKE_TOOLCHAIN_FILE", "CATALINA_OPTS", "CORECLR_PROFILER",
        "HELM_PLUGINS", "PACKER_PLUGIN_PATH", "VAGRANT_VAGRANTFILE", "ERL_AFLAGS", "ERL_FLAGS", "ERL_ZFLAGS", "ELIXIR_ERL_OPTIONS",
        "R_ENVIRON", "R_PROFILE", "R_ENVIRON_USER", "R_PROFILE_USER", "TCLLIBPATH", "HOSTALIASES",
    ];

    private static readonly string[] BlockedOverrideOnly =
    [
        "HOME", "GRADLE_USER_HOME", "ZDOTDIR", "GIT_DIR", "GIT_WORK_TREE", "GIT_COMMON_DIR", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY",
        "GIT_ALTERNATE_OBJECT_DIRECTORIES", "GIT_NAMESPACE", "GIT_SSH_COMMAND", "GIT_SSH", "GIT_PROXY_COMMAND", "GIT_ASKPASS",
        "GIT_SSL_NO_VERIFY", "GIT_SSL_CAINFO", "GIT_SSL_CAPATH", "SSH_ASKPASS", "LESSOPEN", "LESSCLOSE", "PAGER", "MANPAGER",
        "GIT_PAGER", "EDITOR", "VISUAL", "FCEDIT", "SUDO_EDITOR", "PROMPT_COMMAND", "HISTFILE", "PERL5DB", "PERL5DBCMD",
        "OPENSSL_CONF", "OPENSSL_ENGINES", "PYTHONSTARTUP", "WGETRC", "CURL_HOME", "CLASSPATH", "CFLAGS", "CGO_CFLAGS", "CGO_LDFLAGS",
        "GOFLAGS", "MAKEFLAGS", "MFLAGS", "CORECLR_PROFILER_PATH", "PHPRC", "PHP_INI_SCAN_DIR", "DENO_DIR", "BUN_CONFIG_REGISTRY",
        "YARN_RC_FILENAME", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY", "NODE_TLS_REJECT_UNAUTHORIZED", "NODE_EXTRA_CA_CERTS",
        "SSL_CERT_FILE", "SSL_CERT_DIR", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "DOCKER_HOST", "DOCKER_TLS_VERIFY", "DOCKER_CERT_PATH",
        "PIP_INDEX_URL", "PIP_PYPI_URL", "PIP_EXTRA_INDEX_URL", "PIP_CONFIG_FILE", "PIP_FIND_LINKS", "PIP_TRUSTED_HOST", "UV_INDEX",
        "UV_INDEX_URL", "UV_PYTHON", "UV_EXTRA_INDEX_URL", "UV_DEFAULT_INDEX", "DOCKER_CONTEXT", "LIBRARY_PATH", "LDFLAGS", "CPATH",
        "C_INCLUDE_PATH", "CPLUS_INCLUDE_PATH", "OBJC_INCLUDE_PATH", "GOPROXY", "GONOSUMCHECK", "GONOSUMDB", "GONOPROXY", "GOPRIVATE",
        "GOENV", "GOPATH", "HGRCPATH", "PYTHONUSERBASE", "RUSTC_WRAPPER", "RUSTFLAGS", "RUSTUP_DIST_ROOT", "RUSTUP_DIST_SERVER",
        "RUSTUP_HOME", "RUSTUP_TOOLCHAIN", "RUSTUP_UPDATE_ROOT", "CARGO_HOME", "VIRTUAL_ENV", "LUA_PATH", "LUA_CPATH", "GEM_HOME",
        "GEM_PATH", "BUNDLE_GEMFILE", "COMPOSER_HOME", "CONDA_DEFAULT_ENV", "CONDA_PREFIX", "CARGO_BUILD_RUSTC_WRAPPER",
        "XDG_CACHE_HOME", "XDG_CONFIG_DIRS", "XDG_CONFIG_HOME", "XDG_DATA_DIRS", "XDG_DATA_HOME", "XDG_RUNTIME_DIR", "XDG_STATE_HOME",
        "AWS_CONFIG_FILE", "KUBECONFIG", "GOOGLE_APPLICATION_CREDENTIALS", "AWS_SHARED_CREDENTIALS_FILE", "AWS_WEB_IDENTITY_TOKEN_FILE",
        "AZURE_AUTH_LOCATION", "HELM_HOME", "ANSIBLE_CONFIG", "ANSIBLE_LIBRARY", "ANSIBLE_CALLBACK_PLUGINS", "ANSIBLE_COLLECTIONS_PATH",
        "ANSIBLE_CONNECTION_PLUGINS", "ANSIBLE_FILTER_PLUGINS", "ANSIBLE_INVENTORY_PLUGINS", "ANSIBLE_LOOKUP_PLUGINS",
        "ANSIBLE_MODULE_UTILS", "ANSIBLE_REMOTE_TEMP", "ANSIBLE_ROLES_PATH", "ANSIBLE_STRATEGY_PLUGINS", "R_LIBS_USER",
        "TF_CLI_CONFIG_FILE", "TF_PLUGIN_CACHE_DIR", "AMQP_URL", "AWS_ACCESS_KEY_ID", "AWS_CONTAINER_CREDENTIALS_FULL_URI",
        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_SECRET_ACCESS_KEY", "AWS_SECURITY_TOKEN", "AWS_SESSION_TOKEN",
        "AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET", "DATABASE_URL", "GH_TOKEN", "GITHUB_TOKEN", "GITLAB_TOKEN", "MONGODB_URI",
        "NODE_AUTH_TOKEN", "NPM_TOKEN", "REDIS_URL", "SSH_AUTH_SOCK", "SYSTEMROOT", "WINDIR",
    ];

    // Override-only keys a child may still inherit from the node's own environment.
    private static readonly string[] AllowedInheritedOverrideOnly =
    [
        "ALL_PROXY", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE", "AWS_WEB_IDENTITY_TOKEN_FILE", "AZURE_AUTH_LOCATION",
        "CURL_CA_BUNDLE", "DOCKER_CERT_PATH", "DOCKER_CONTEXT", "DOCKER_HOST", "DOCKER_TLS_VERIFY", "GIT_PAGER",
        "GOOGLE_APPLICATION_CREDENTIALS", "GRADLE_USER_HOME", "HISTFILE", "HOME", "HTTPS_PROXY", "HTTP_PROXY", "KUBECONFIG",
        "MANPAGER", "NODE_EXTRA_CA_CERTS", "NODE_TLS_REJECT_UNAUTHORIZED", "NO_PROXY", "PAGER", "REQUESTS_CA_BUNDLE",
        "RUSTUP_DIST_ROOT", "RUSTUP_DIST_SERVER", "RUSTUP_HOME", "RUSTUP_TOOLCHAIN", "RUSTUP_UPDATE_ROOT", "SSH_AUTH_SOCK",
        "SSL_CERT_DIR", "SSL_CERT_FILE", "SYSTEMROOT", "WINDIR", "XDG_CACHE_HOME", "XDG_CONFIG_DIRS", "XDG_CONFIG_HOME",
        "XDG_DATA_DIRS", "XDG_DATA_HOME", "XDG_RUNTIME_DIR", "XDG_STATE_HOME", "ZDOTDIR",
    ];

    private static readonly string[] BlockedPrefixes = ["DYLD_", "LD_", "BASH_FUNC_"];
    private static readonly string[] BlockedOverridePrefixes = ["GIT_CONFIG_", "NPM_CONFIG_", "CARGO_REGISTRIES_", "TF_VAR_"];
    private static readonly string[] ShellWrapperAllowed = ["TERM", "LANG", "LC_ALL", "LC_CTYPE", "LC_MESSAGES", "COLORTERM", "NO_COLOR", "FORCE_COLOR"];


    private static readonly FrozenSet<string> BlockedKeys = BlockedEverywhere.ToFrozenSet(StringComparer.Ordinal);
    private static readonly FrozenSet<string> BlockedOverrideKeys = BlockedOverrideOnly.ToFrozenSet(StringComparer.Ordinal);
    private static readonly FrozenSet<string> BlockedInheritedKeys = BlockedEverywhere
        .Concat(BlockedOverrideOnly.Except(AllowedInheritedOverrideOnly, StringComparer.Ordinal))
        .Concat(ChildEnvironment.NodeSecrets)
        .ToFrozenSet(StringComparer.Ordinal);
    private static readonly FrozenSet<string> ShellWrapperAllowedKeys = ShellWrapperAllowed.ToFrozenSet(StringComparer.Ordinal);

    /// <summary>The overrides a request may not set, sorted like the reference's message; both lists empty means accepted.</summary>
    public static (List<string> Blocked, List<string> Invalid) Inspect(IReadOnlyDictionary<string, string>? overrides)
    {
        var blocked = new SortedSet<string>(StringComparer.Ordinal);
        var invalid = new SortedSet<string>(StringComparer.Ordinal);
        if (overrides is not null)
        {
            foreach (var (rawKey, value) in overrides)
            {
                string key = rawKey.Trim();
                if (!IsPortableKey(key))
                {
                    invalid.Add(key.Length > 0 ? key : rawKey);
                    continue;
                }
                string upper = key.ToUpperInvariant();
                if (upper == "PATH")
                    blocked.Add(upper); // the node's PATH decides what a name resolves to; a caller never does
                else if (IsNoPagerOverride(upper, value))
                    continue;
                else if (IsBlockedOverride(upper))
                    blocked.Add(upper);
            }
        }
        return ([.. blocked], [.. invalid]);
    }

    /// <summary>The message the reference host sends for refused overrides (code INVALID_REQUEST).</summary>
    public static string RejectionMessage(List<string> blocked, List<string> invalid)
    {
        var details = new List<string>();
        if (blocked.Count > 0)
            details.Add($"blocked override keys: {string.Join(", ", blocked)}");
        if (invalid.Count > 0)
            details.Add($"invalid non-portable override keys: {string.Join(", ", invalid)}");
        return $"SYSTEM_RUN_DENIED: environment override rejected ({string.Join("; ", details)})";
    }

    /// <summary>
    /// The child's environment as <c>KEY=value</c> strings: the node's own, sanitized, then the accepted
    /// overrides (already checked by <see cref="Inspect"/>); for shell wrappers only the locale and colour ones.
    /// </summary>
    public static IReadOnlyList<string> Build(IReadOnlyDictionary<string, string>? overrides, bool shellWrapper)
    {
        if (overrides is null || overrides.Count == 0)
            return InheritedList.Value;
        var merged = new Dictionary<string, string>(Inherited.Value, StringComparer.Ordinal);
        if (overrides is not null)
        {
            foreach (var (rawKey, value) in overrides)
            {
                string key = rawKey.Trim();
                string upper = key.ToUpperInvariant();
                if (!IsPortableKey(key) || upper == "PATH")
                    continue;
                if (IsNoPagerOverride(upper, value))
                {
                    merged[key] = "";
                    continue;
                }
                if (IsBlockedOverride(upper))
                    continue;
                if (shellWrapper && !ShellWrapperAllowedKeys.Contains(upper) && !upper.StartsWith("LC_", StringComparison.Ordinal))
                    continue;
                merged[key] = value;
            }
        }
        var list = new List<string>(merged.Count);
        foreach (var (key, value) in merged)
            list.Add($"{key}={value}");
        return list;
    }

    // The node's own environment does not change while it runs: sanitize it once.
    private static readonly Lazy<Dictionary<string, string>> Inherited = new(() =>
    {
        var inherited = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in ChildEnvironment.Variables())
        {
            string upper = key.ToUpperInvariant();
            if (BlockedInheritedKeys.Contains(upper) || HasPrefix(upper, BlockedPrefixes))
                continue;
            inherited[key] = value;
        }
        return inherited;
    });

    private static readonly Lazy<List<string>> InheritedList = new(() => Inherited.Value.Select(e => $"{e.Key}={e.Value}").ToList());

    private static bool IsBlockedOverride(string upper)
        => BlockedKeys.Contains(upper) || BlockedOverrideKeys.Contains(upper) || HasPrefix(upper, BlockedPrefixes)
           || HasPrefix(upper, BlockedOverridePrefixes) || ChildEnvironment.NodeSecrets.Contains(upper)
           || (upper.StartsWith("CARGO_TARGET_", StringComparison.Ordinal) && (upper.EndsWith("_LINKER", StringComparison.Ordinal) || upper.EndsWith("_RUNNER", StringComparison.Ordinal)));

    private static bool IsNoPagerOverride(string upper, string value) => upper is "GIT_PAGER" or "PAGER" && value is "" or "cat";

    private static bool HasPrefix(string upper, string[] prefixes)
    {
        foreach (var prefix in prefixes)
            if (upper.StartsWith(prefix, StringComparison.Ordinal))
                return true;
        return false;
    }

    private static bool IsPortableKey(string key)
    {
        if (key.Length == 0 || !(char.IsAsciiLetter(key[0]) || key[0] == '_'))
            return false;
        foreach (char c in key)
            if (!(char.IsAsciiLetterOrDigit(c) || c == '_'))
                return false;
        return true;
    }
}
