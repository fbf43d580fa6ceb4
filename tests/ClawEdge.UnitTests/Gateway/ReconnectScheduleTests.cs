using ClawEdge.Gateway;

namespace ClawEdge.Tests.Gateway;

public class ReconnectScheduleTests
{
    [Test]
    [Arguments(0.0, 250)]
    [Arguments(0.5, 500)]
    [Arguments(0.999999, 749)]
    public async Task Refused_connects_are_probed_every_quarter_to_three_quarter_second(double random, int expected)
    {
        await Assert.That(ReconnectSchedule.ProbeDelay(0, random)).IsEqualTo(expected);
        await Assert.That(ReconnectSchedule.ProbeDelay(119_999, random)).IsEqualTo(expected);
    }

    [Test]
    public async Task After_two_minutes_of_refusals_the_probe_slows()
    {
        await Assert.That(ReconnectSchedule.ProbeDelay(120_000, 0.0)).IsEqualTo(1_500);
        await Assert.That(ReconnectSchedule.ProbeDelay(10 * 3_600_000L, 0.999999)).IsEqualTo(2_499);
    }

    [Test]
    public async Task Failures_after_accept_double_from_a_quarter_second_to_the_cap()
    {
        int[] steps = Enumerable.Range(1, 10).Select(n => ReconnectSchedule.BackoffDelay(n, 30_000, 0.999999)).ToArray();
        await Assert.That(string.Join(",", steps)).IsEqualTo("249,499,999,1999,3999,7999,15999,29999,29999,29999");
        // Full jitter: the draw spreads each step over [½, 1] of it.
        await Assert.That(ReconnectSchedule.BackoffDelay(4, 30_000, 0.0)).IsEqualTo(1_000);
        await Assert.That(ReconnectSchedule.BackoffDelay(int.MaxValue, 4_000, 0.0)).IsEqualTo(2_000);
        await Assert.That(ReconnectSchedule.BackoffDelay(0, 4_000, 0.0)).IsEqualTo(125);
    }

    [Test]
    public async Task A_stable_link_resets_the_count_and_a_short_one_grows_it()
    {
        await Assert.That(ReconnectSchedule.AfterLinkLost(7, ReconnectSchedule.StableLinkMs)).IsEqualTo(0);
        await Assert.That(ReconnectSchedule.AfterLinkLost(0, 1_000)).IsEqualTo(1);
        await Assert.That(ReconnectSchedule.AfterLinkLost(3, 4_999)).IsEqualTo(4);
        // After a stable link: probe at once (jittered); after a short one: the backoff.
        await Assert.That(ReconnectSchedule.AfterLinkLostDelay(0, 30_000, 0.5)).IsEqualTo(500);
        await Assert.That(ReconnectSchedule.AfterLinkLostDelay(4, 30_000, 0.0)).IsEqualTo(1_000);
    }

    [Test]
    public async Task Gateway_starting_is_retried_when_it_asks_bounded_and_jittered_up_by_half()
    {
        // 2026.9.6 answers retryAfterMs 500 while its sidecars start.
        await Assert.That(ReconnectSchedule.StartupRetryDelay(500, 0.0)).IsEqualTo(500);
        await Assert.That(ReconnectSchedule.StartupRetryDelay(500, 0.999999)).IsEqualTo(749);
        await Assert.That(ReconnectSchedule.StartupRetryDelay(null, 0.0)).IsEqualTo(500);
        // The gateway client's own bounds: 100-2000 ms, whatever the gateway says.
        await Assert.That(ReconnectSchedule.StartupRetryDelay(0, 0.0)).IsEqualTo(100);
        await Assert.That(ReconnectSchedule.StartupRetryDelay(600_000, 0.0)).IsEqualTo(2_000);
        await Assert.That(ReconnectSchedule.StartupRetryDelay(-5, 0.999999)).IsEqualTo(149);
    }
}
