using System.Runtime.InteropServices;
using System.Text.Json;
using ClawEdge.Gpio.Native;
using ClawEdge.Host;
using ClawEdge.Platform.Native;

namespace ClawEdge.Gpio;

/// <summary>
/// <c>gpio.wait {pin, edge, timeoutMs}</c> → <c>{pin, level, edge, timestamp, timedOut}</c> (ours; the ESP32 node has no
/// wait). The thread sleeps in poll(2) on the line's edge-event descriptor; the kernel timestamps the edge.
/// </summary>
public sealed class GpioWaitCommand(GpioPins pins, int maxWaitMs) : NodeCommand
{
    public override string Name => "gpio.wait";
    public override string Capability => "gpio";

    // Room for the answer to reach the gateway before the invoke's own deadline turns it into a TIMEOUT error.
    private const int AnswerMarginMs = 500;

    public override async Task<CommandResult> InvokeAsync(InvokeContext context, CancellationToken cancellationToken)
    {
        var p = context.ReadParams(GpioJsonContext.Default.GpioWaitParams)
            ?? throw new CommandException(ErrorCodes.InvalidRequest, "gpio.wait needs {pin, edge, timeoutMs}");
        var pin = pins.Find(PinParameter.Key(p.Pin, Name));
        ulong edges = (p.Edge ?? "both") switch
        {
            "rising" => GpioUapi.FlagEdgeRising,
            "falling" => GpioUapi.FlagEdgeFalling,
            "both" => GpioUapi.FlagEdgeRising | GpioUapi.FlagEdgeFalling,
            _ => throw new CommandException(ErrorCodes.InvalidRequest, "edge must be one of rising, falling, both"),
        };
        double requested = p.TimeoutMs ?? maxWaitMs;
        if (double.IsNaN(requested) || requested < 0)
            throw new CommandException(ErrorCodes.InvalidRequest, "timeoutMs must be a number of milliseconds ≥ 0");
        int timeoutMs = (int)Math.Min(Math.Min(requested, maxWaitMs), Math.Max(0, context.TimeoutMs - AnswerMarginMs));

        GpioLine line;
        lock (pin.Gate)
        {
            if (pin.Mode != PinMode.Input)
                throw new CommandException(ErrorCodes.InvalidRequest, $"pin {pin.Describe()} is an output: gpio.wait watches inputs (Gpio:Pins:{pin.Key}:Mode input)");
            if (pin.Waiting)
                throw new CommandException(ErrorCodes.InvalidRequest, $"a gpio.wait is already pending on pin {pin.Describe()}");
            try
            {
                line = pins.EnsureLine(pin);
                line.Reconfigure(GpioPins.Flags(pin, PinMode.Input, pin.PullUp, pin.PullDown, edges | GpioUapi.FlagEventClockRealtime), 0);
                line.DrainEvents();
            }
            catch (GpioException e)
            {
                throw PinParameter.Fail(e);
            }
            pin.Waiting = true;
        }

        using var wake = Libc.EventFd(0, Libc.EFD_CLOEXEC | Libc.EFD_NONBLOCK);
        if (wake.IsInvalid)
        {
            lock (pin.Gate)
                pin.Waiting = false;
            throw new CommandException(ErrorCodes.Unavailable, $"eventfd: {Libc.Describe(Marshal.GetLastPInvokeError())}");
        }
        using var stopOrCancel = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, pins.Stopping);
        using var registration = stopOrCancel.Token.Register(() => Signal(wake));
        try
        {
            // A dedicated thread: the wait may last a minute and must not hold a pool thread hostage.
            var ev = await Task.Factory.StartNew(() => line.WaitEdge(timeoutMs, wake), CancellationToken.None,
                TaskCreationOptions.LongRunning, TaskScheduler.Default).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            if (pins.Stopping.IsCancellationRequested)
                throw new CommandException(ErrorCodes.Unavailable, "the node is stopping");
            var result = ev is { } e
                ? new GpioWaitResult
                {
                    Pin = p.Pin,
                    Level = e.Id == GpioUapi.EventRisingEdge ? 1 : 0,
                    Edge = e.Id == GpioUapi.EventRisingEdge ? "rising" : "falling",
                    Timestamp = (long)(e.TimestampNs / 1_000_000),
                    TimedOut = false,
                }
                : new GpioWaitResult { Pin = p.Pin, Level = line.Get(), Timestamp = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), TimedOut = true };
            return CommandResult.Success(JsonSerializer.Serialize(result, GpioJsonContext.Default.GpioWaitResult));
        }
        catch (GpioException e)
        {
            throw PinParameter.Fail(e);
        }
        finally
        {
            lock (pin.Gate)
            {
                pin.Waiting = false;
                // Edge detection off again: no events pile up in the kernel between waits.
                try { line.Reconfigure(GpioPins.Flags(pin, PinMode.Input, pin.PullUp, pin.PullDown, 0), 0); } catch (GpioException) { }
            }
        }
    }

    private static unsafe void Signal(SafeFileDescriptor wake)
    {
        ulong one = 1;
        Libc.Write(wake, (byte*)&one, sizeof(ulong));
    }
}
