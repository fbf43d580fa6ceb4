using System.Globalization;
using ClawEdge.Gpio.Native;
using ClawEdge.Logging;
using ClawEdge.Host;

namespace ClawEdge.Gpio;

/// <summary>
/// The declared pins and the lines requested for them: the one place that decides what a command may do to a pin
/// (what config allows), drives outputs to their safe level at start and stop, and serialises access per pin.
/// </summary>
public sealed class GpioPins : IDisposable
{
    internal const string Consumer = "clawedge";

    private readonly GpioOptions _options;
    private readonly Dictionary<string, Pin> _pins = new(StringComparer.Ordinal);
    private readonly Func<string, GpioChip> _openChip;
    private readonly CancellationTokenSource _stopping = new();
    private string? _defaultChip;
    private bool _stopped;

    public GpioPins(GpioOptions options) : this(options, GpioChip.Open) { }

    internal GpioPins(GpioOptions options, Func<string, GpioChip> openChip)
    {
        _options = options;
        _openChip = openChip;
        foreach (var (key, pin) in options.Pins)
            _pins[key] = new Pin(key, pin, Validate(key, pin));
    }

    /// <summary>A pin's declared mode, checked once at start so a typo fails loudly rather than at the first invoke.</summary>
    private static PinMode Validate(string key, GpioPinOptions pin)
    {
        var mode = ParseMode(pin.Mode) ?? throw new ClawEdge.Config.ConfigException(
            $"Gpio:Pins:{key}:Mode is \"{pin.Mode}\": use input, output or input_output");
        if (pin.Pull is not (null or "up" or "down" or "none"))
            throw new ClawEdge.Config.ConfigException($"Gpio:Pins:{key}:Pull is \"{pin.Pull}\": use up, down or none");
        if (pin.Initial is not (0 or 1))
            throw new ClawEdge.Config.ConfigException($"Gpio:Pins:{key}:Initial is {pin.Initial}: use 0 or 1");
        if (pin.Line is null && !uint.TryParse(key, NumberStyles.None, CultureInfo.InvariantCulture, out _))
            throw new ClawEdge.Config.ConfigException($"Gpio:Pins:{key} is not a BCM number: set Gpio:Pins:{key}:Line (and Chip) for a named pin");
        return mode;
    }

    public static PinMode? ParseMode(string? mode) => mode switch
    {
        "input" => PinMode.Input,
        "output" => PinMode.Output,
        "input_output" => PinMode.InputOutput,
        _ => null,
    };

    public static string ModeName(PinMode mode) => mode switch
    {
        PinMode.Output => "output",
        PinMode.InputOutput => "input_output",
        _ => "input",
    };

    public IEnumerable<Pin> All => _pins.Values;

    /// <summary>The pin a command names: its key (<c>17</c>, <c>"17"</c>) or its declared name (<c>"relay"</c>).</summary>
    public Pin Find(string pin)
    {
        if (_pins.TryGetValue(pin, out var found))
            return found;
        foreach (var p in _pins.Values)
            if (string.Equals(p.Options.Name, pin, StringComparison.Ordinal))
                return p;
        string declared = _pins.Count == 0 ? "none is declared" : "declared: " + string.Join(", ", _pins.Values.Select(p => p.Describe()));
        throw new CommandException(ErrorCodes.InvalidRequest,
            $"pin {pin} is not declared: add it under Gpio:Pins:{pin} (e.g. CLAWEDGE_Gpio__Pins__{pin}__Mode=output) and restart the node ({declared})");
    }

    /// <summary>Requests every declared line and drives outputs to their initial level; a failure is logged and retried at first use.</summary>
    public void ClaimAll()
    {
        foreach (var pin in _pins.Values)
        {
            try
            {
                lock (pin.Gate)
                    EnsureLine(pin);
            }
            catch (GpioException e)
            {
                Log.Warn($"gpio: pin {pin.Describe()}: {e.Message}");
            }
        }
    }

    internal GpioLine EnsureLine(Pin pin)
    {
        if (_stopped)
            throw new GpioException(ErrorCodes.Unavailable, "the node is stopping: GPIO outputs are back at their safe level");
        if (pin.Line is { } line)
            return line;
        var (chipPath, offset) = Locate(pin);
        using var chip = _openChip(chipPath);
        pin.Line = chip.Request(offset, Flags(pin, pin.Mode, pin.PullUp, pin.PullDown, edges: 0), pin.Level, Consumer);
        pin.ChipPath = chipPath;
        pin.Offset = offset;
        Log.Info($"gpio: pin {pin.Describe()} is line {offset} of {chipPath}, {ModeName(pin.Mode)}{(pin.Mode == PinMode.Input ? "" : $" at {pin.Level}")}");
        return pin.Line;
    }

    /// <summary>Which chip and line a pin is, without requesting it.</summary>
    public (string ChipPath, uint Offset) Locate(Pin pin) =>
        (ResolveChip(pin.Options.Chip ?? _options.Chip, pin.Options.Chip is null ? "Gpio:Chip" : $"Gpio:Pins:{pin.Key}:Chip"),
         (uint)(pin.Options.Line ?? int.Parse(pin.Key, CultureInfo.InvariantCulture)));

    internal static ulong Flags(Pin pin, PinMode mode, bool pullUp, bool pullDown, ulong edges)
    {
        ulong flags = mode == PinMode.Input ? GpioUapi.FlagInput : GpioUapi.FlagOutput;
        if (pin.Options.ActiveLow)
            flags |= GpioUapi.FlagActiveLow;
        if (pullUp)
            flags |= GpioUapi.FlagBiasPullUp;
        else if (pullDown)
            flags |= GpioUapi.FlagBiasPullDown;
        else if (pin.BiasDisabled)
            flags |= GpioUapi.FlagBiasDisabled;
        return flags | edges;
    }

    private string ResolveChip(string? configured, string key)
    {
        if (configured is null)
            return _defaultChip ??= DefaultChip();
        if (configured.StartsWith('/'))
            return configured;
        if (configured.StartsWith("gpiochip", StringComparison.Ordinal))
            return "/dev/" + configured;
        foreach (string path in GpioChip.Paths())
        {
            try
            {
                using var chip = _openChip(path);
                if (chip.Label == configured)
                    return path;
            }
            catch (GpioException) { }
        }
        throw new GpioException(GpioErrorCodes.Unavailable, $"{key} is \"{configured}\" but no GPIO chip has that name or label (see `clawedge gpio chips`)");
    }

    /// <summary>The Raspberry Pi's header chip: pinctrl-bcm2835/bcm2711 (Pi 1–4), pinctrl-rp1 (Pi 5); else gpiochip0.</summary>
    private string DefaultChip()
    {
        foreach (string path in GpioChip.Paths())
        {
            try
            {
                using var chip = _openChip(path);
                if (chip.Label.StartsWith("pinctrl-bcm", StringComparison.Ordinal) || chip.Label == "pinctrl-rp1")
                    return path;
            }
            catch (GpioException) { }
        }
        return "/dev/gpiochip0";
    }

    /// <summary>Cancelled when the node stops: pending waits end.</summary>
    public CancellationToken Stopping => _stopping.Token;

    /// <summary>
    /// Node stop: every output we hold goes to its declared safe level, pending waits end, and nothing more is
    /// driven. The lines stay requested until the process exits, so the level holds through the rest of the shutdown.
    /// </summary>
    public void Stop()
    {
        _stopping.Cancel();
        var restored = new List<string>();
        foreach (var pin in _pins.Values)
        {
            lock (pin.Gate)
            {
                if (pin.Line is { } line && pin.Mode != PinMode.Input)
                {
                    try
                    {
                        line.Set(pin.Options.Initial);
                        pin.Level = pin.Options.Initial;
                        restored.Add($"{pin.Key}={pin.Options.Initial}");
                    }
                    catch (GpioException e)
                    {
                        Log.Warn($"gpio: pin {pin.Describe()}: could not restore the safe level: {e.Message}");
                    }
                }
            }
        }
        _stopped = true;
        if (restored.Count > 0)
            Log.Info($"gpio: outputs at their safe level: {string.Join(", ", restored)}");
    }

    public void Dispose()
    {
        foreach (var pin in _pins.Values)
            pin.Line?.Dispose();
        _stopping.Dispose();
    }

    /// <summary>A declared pin and, once requested, its line and current configuration.</summary>
    public sealed class Pin
    {
        internal Pin(string key, GpioPinOptions options, PinMode mode)
        {
            Key = key;
            Options = options;
            Declared = mode;
            Mode = mode;
            PullUp = options.Pull == "up";
            PullDown = options.Pull == "down";
            BiasDisabled = options.Pull == "none";
            Level = options.Initial;
        }

        public string Key { get; }
        public GpioPinOptions Options { get; }
        public PinMode Declared { get; }
        public PinMode Mode { get; internal set; }
        public bool PullUp { get; internal set; }
        public bool PullDown { get; internal set; }
        internal bool BiasDisabled { get; set; }
        /// <summary>The level we last drove (outputs).</summary>
        public int Level { get; internal set; }
        internal GpioLine? Line { get; set; }
        internal bool Waiting { get; set; }
        public string? ChipPath { get; internal set; }
        public uint Offset { get; internal set; }
        internal object Gate { get; } = new();

        /// <summary>May <paramref name="mode"/> be set by <c>gpio.mode</c>? Never drive a pin declared as an input.</summary>
        public bool Allows(PinMode mode) => Declared switch
        {
            PinMode.Input => mode == PinMode.Input,
            PinMode.Output => mode != PinMode.Input,
            _ => true,
        };

        public string Describe() => Options.Name is { Length: > 0 } name ? $"{Key} ({name})" : Key;
    }
}

public enum PinMode
{
    Input,
    Output,
    InputOutput,
}
