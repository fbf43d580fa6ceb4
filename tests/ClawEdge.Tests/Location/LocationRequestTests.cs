using ClawEdge.Location;
using ClawEdge.Host;

namespace ClawEdge.Tests.Location;

/// <summary>location.get params: the reference's clamp for numbers, INVALID_REQUEST for a wrong type or an unknown accuracy.</summary>
public class LocationRequestTests
{
    [Test]
    [Arguments(null, 10_000)]
    [Arguments("{}", 10_000)]
    [Arguments("""{"timeoutMs":0}""", 1_000)]
    [Arguments("""{"timeoutMs":-5}""", 1_000)]
    [Arguments("""{"timeoutMs":1e9}""", 60_000)]
    [Arguments("""{"timeoutMs":2500.9}""", 2_500)]
    [Arguments("""{"timeoutMs":null}""", 10_000)]
    public async Task Timeout_is_clamped_to_1000_60000_with_default_10000(string? json, int expected)
    {
        await Assert.That(LocationRequest.Parse(json).TimeoutMs).IsEqualTo(expected);
    }

    [Test]
    [Arguments("""{"timeoutMs":"abc"}""", "timeoutMs")]
    [Arguments("""{"timeoutMs":true}""", "timeoutMs")]
    [Arguments("""{"maxAgeMs":-1}""", "maxAgeMs")]
    [Arguments("""{"maxAgeMs":"5"}""", "maxAgeMs")]
    [Arguments("""{"desiredAccuracy":"x"}""", "coarse, balanced or precise")]
    [Arguments("""{"desiredAccuracy":8}""", "desiredAccuracy")]
    [Arguments("""[1]""", "object")]
    [Arguments("""{"timeoutMs":""", "JSON")]
    public async Task Wrong_types_and_values_are_invalid_requests_that_name_the_field(string json, string named)
    {
        var e = await Assert.That(() => LocationRequest.Parse(json)).Throws<CommandException>();
        await Assert.That(e!.Code).IsEqualTo(ErrorCodes.InvalidRequest);
        await Assert.That(e.Message).Contains(named);
    }

    [Test]
    public async Task Accuracy_and_max_age_are_read()
    {
        var r = LocationRequest.Parse("""{"maxAgeMs":15000,"desiredAccuracy":"coarse","extra":1}""");
        await Assert.That(r.MaxAgeMs).IsEqualTo(15_000L);
        await Assert.That(r.Accuracy).IsEqualTo(LocationAccuracy.Coarse);
        await Assert.That(LocationRequest.Parse("""{"desiredAccuracy":"precise"}""").Accuracy).IsEqualTo(LocationAccuracy.Precise);
        await Assert.That(LocationRequest.Parse("{}").Accuracy).IsEqualTo(LocationAccuracy.Balanced);
        await Assert.That(LocationRequest.Parse("{}").MaxAgeMs).IsNull();
        await Assert.That(LocationRequest.Parse("""{"maxAgeMs":0}""").MaxAgeMs).IsEqualTo(0L);
    }
}
