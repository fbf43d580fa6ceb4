using System.Text.Json;
using ClawEdge.Logging;
using ClawEdge.Platform.Native;

namespace ClawEdge.State;

/// <summary>
/// The state directory: identity, device tokens and saved options, each file written atomically
/// with 0600 permissions in a 0700 directory. A file that exists but cannot be parsed is an error,
/// never silently replaced: a new identity would be a new, unpaired ("ghost") node.
/// </summary>
public sealed class StateStore
{
    public const string IdentityFileName = "identity.json";
    public const string NodeFileName = "node.json";
    public const string LockFileName = "clawedge.lock";

    private readonly LockedStateFile _nodeFile;

    public StateStore(string directory)
    {
        StateDirectory = Path.GetFullPath(directory);
        _nodeFile = new LockedStateFile(PathOf(NodeFileName));
    }

    public string StateDirectory { get; }

    /// <summary>
    /// <c>$STATE_DIRECTORY</c> (systemd's <c>StateDirectory=</c>), else <c>/var/lib/clawedge</c> for root,
    /// else <c>$XDG_STATE_HOME/clawedge</c> or <c>~/.local/state/clawedge</c>.
    /// </summary>
    public static string DefaultDirectory()
    {
        if (Environment.GetEnvironmentVariable("STATE_DIRECTORY") is { Length: > 0 } systemd)
            return systemd.Split(':')[0];
        if (Libc.GetUid() == 0)
            return "/var/lib/clawedge";
        string? xdg = Environment.GetEnvironmentVariable("XDG_STATE_HOME");
        string home = Environment.GetEnvironmentVariable("HOME") ?? "/tmp";
        return Path.Combine(string.IsNullOrEmpty(xdg) ? Path.Combine(home, ".local", "state") : xdg, "clawedge");
    }

    public string PathOf(string fileName) => Path.Combine(StateDirectory, fileName);

    /// <summary>Creates the directory 0700 (tightening an existing one), so secrets below it stay private.</summary>
    public void EnsureDirectory()
    {
        if (!Directory.Exists(StateDirectory))
            Directory.CreateDirectory(StateDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var mode = File.GetUnixFileMode(StateDirectory);
        if ((mode & (UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.OtherRead | UnixFileMode.OtherWrite)) != 0)
            File.SetUnixFileMode(StateDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    public bool HasIdentity => File.Exists(PathOf(IdentityFileName));

    /// <summary>The identity, created on first use.</summary>
    public DeviceIdentity LoadOrCreateIdentity()
    {
        if (TryLoadIdentity() is { } existing)
            return existing;
        // Device tokens without the key they were issued to: a new identity here would be a second, unpaired
        // device while the gateway still lists the old one (the ghost node). Say so and stop.
        var node = LoadNode();
        if (node.DeviceTokens.Count > 0)
            throw new StateException(
                $"{PathOf(IdentityFileName)} is missing, but {PathOf(NodeFileName)} holds device tokens for {string.Join(", ", node.DeviceTokens.Keys)} " +
                $"issued to device {node.DeviceId ?? "(id not recorded by this older node.json)"}: restore identity.json, or run `clawedge identity reset` to pair as a new device");
        EnsureDirectory();
        var identity = DeviceIdentity.Generate();
        var file = new IdentityFile
        {
            DeviceId = identity.DeviceId,
            PublicKey = identity.PublicKeyBase64Url,
            Seed = Base64Url.Encode(identity.Seed),
            CreatedAtMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
        };
        try
        {
            AtomicFile.Write(PathOf(IdentityFileName), JsonSerializer.SerializeToUtf8Bytes(file, StateJsonContext.Default.IdentityFile));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Running with an identity that is lost at restart would make a new, unpaired device each boot.
            throw new StateException($"cannot persist a new device identity in {StateDirectory}: {e.Message} (read-only or full?); not starting");
        }
        Log.Info($"created device identity {identity.DeviceId} in {StateDirectory}");
        return identity;
    }

    public DeviceIdentity? TryLoadIdentity()
    {
        string path = PathOf(IdentityFileName);
        // The seed is the device: a file others can read, write or redirect is refused, not used.
        if (StateFileTrust.Check(path, secret: true) is { } problem)
            throw new StateException($"refusing the device identity: {problem.What} (it holds the device's private key); fix: {problem.Fix}");
        if (!File.Exists(path))
            return null;
        IdentityFile? file;
        try
        {
            file = JsonSerializer.Deserialize(File.ReadAllBytes(path), StateJsonContext.Default.IdentityFile);
        }
        catch (JsonException e)
        {
            throw new StateException($"{path} is not a valid identity file ({e.Message}). Move it away to create a new identity; the gateway will then see a new device that needs pairing.");
        }
        byte[] seed;
        try
        {
            seed = Base64Url.Decode(file?.Seed ?? "");
        }
        catch (FormatException)
        {
            seed = [];
        }
        if (seed.Length != 32)
            throw new StateException($"{path} has no valid 32-byte seed. Move it away to create a new identity (needs pairing again).");
        var identity = new DeviceIdentity(seed);
        if (file!.DeviceId.Length > 0 && file.DeviceId != identity.DeviceId)
            throw new StateException($"{path}: stored device id {file.DeviceId} does not match its key ({identity.DeviceId}).");
        return identity;
    }

    /// <summary>
    /// <c>clawedge identity reset</c>: the identity is moved aside (kept, 0600, in case it is needed back) and
    /// the device tokens issued to it are forgotten; the next run creates a new identity and asks for pairing.
    /// </summary>
    /// <returns>The old device id, or null when none is known.</returns>
    public string? ResetIdentity()
    {
        string? oldId = null;
        try
        {
            oldId = TryLoadIdentity()?.DeviceId;
        }
        catch (StateException)
        {
            // An untrusted or broken identity is exactly what a reset replaces.
        }
        oldId ??= LoadNode().DeviceId;
        string path = PathOf(IdentityFileName);
        if (File.Exists(path) || new FileInfo(path).LinkTarget is not null)
            File.Move(path, $"{path}.replaced-{DateTimeOffset.UtcNow:yyyyMMddTHHmmssZ}");
        if (File.Exists(PathOf(NodeFileName)))
            UpdateNode(n =>
            {
                n.DeviceTokens.Clear();
                n.DeviceId = null;
                n.LastConnect = null;
            });
        return oldId;
    }

    /// <summary>
    /// <c>node.json</c> as it is on disk now (a new instance id when there is none yet). Read fresh at every
    /// call: <c>clawedge pin</c> in another process must reach the running node.
    /// </summary>
    public NodeFile LoadNode() => ParseNode(_nodeFile.Read());

    private NodeFile ParseNode(byte[]? bytes)
    {
        if (bytes is null)
            return new NodeFile { InstanceId = Guid.NewGuid().ToString() };
        try
        {
            var node = JsonSerializer.Deserialize(bytes, StateJsonContext.Default.NodeFile) ?? new NodeFile();
            if (string.IsNullOrEmpty(node.InstanceId))
                node.InstanceId = Guid.NewGuid().ToString();
            return node;
        }
        catch (JsonException e)
        {
            throw new StateException($"{_nodeFile.FilePath} is not valid JSON ({e.Message}); fix or remove it (device tokens in it will need re-pairing).");
        }
    }

    /// <summary>
    /// Applies <paramref name="change"/> to the node file as it is on disk under the file's lock, and persists
    /// it atomically: a change made meanwhile by another process (a new pin) is kept, never overwritten.
    /// </summary>
    /// <returns>False, with a log line, when the state directory cannot be written (read-only, full).</returns>
    public bool UpdateNode(Action<NodeFile> change)
    {
        try
        {
            EnsureDirectory();
            _nodeFile.Update(bytes =>
            {
                var node = ParseNode(bytes);
                change(node);
                return JsonSerializer.SerializeToUtf8Bytes(node, StateJsonContext.Default.NodeFile);
            });
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Log.Error($"cannot persist {_nodeFile.FilePath}: {e.Message} — the node keeps running, but this change is lost at restart");
            return false;
        }
    }
}

public sealed class StateException(string message) : Exception(message);
