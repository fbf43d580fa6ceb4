using ClawEdge.Location;

namespace ClawEdge.Tests.Location;

/// <summary>The documented coarse rule: a 0.02° grid, no altitude/speed/heading, accuracy ≥ 2 km and ≥ own + rounding error.</summary>
public class CoarseLocationTests
{
    private static LocationFix Fix(double lat, double lon, double accuracy = 5) =>
        new(lat, lon, accuracy, 545.4, 6.3, 84.4, DateTimeOffset.Parse("2026-12-01T10:00:00Z"), "gps", 0);

    [Test]
    [Arguments(48.117350, 11.516667, 48.12, 11.52)]
    [Arguments(48.109999, 11.509999, 48.10, 11.50)]
    [Arguments(-33.868820, 151.209296, -33.86, 151.20)]
    [Arguments(0.01, -0.01, 0.02, -0.02)]
    [Arguments(89.999, 179.999, 90.0, 180.0)]
    public async Task Position_snaps_to_the_grid(double lat, double lon, double gridLat, double gridLon)
    {
        var coarse = CoarseLocation.Apply(Fix(lat, lon));
        await Assert.That(coarse.Lat).IsEqualTo(gridLat);
        await Assert.That(coarse.Lon).IsEqualTo(gridLon);
    }

    [Test]
    public async Task Two_houses_a_street_apart_are_one_answer_and_nothing_else_leaks()
    {
        // ~150 m apart, same cell: the coarse answer cannot tell them apart.
        var a = CoarseLocation.Apply(Fix(48.1310, 11.5410));
        var b = CoarseLocation.Apply(Fix(48.1323, 11.5430));
        await Assert.That((a.Lat, a.Lon)).IsEqualTo((b.Lat, b.Lon));
        await Assert.That(a.AltitudeMeters).IsNull();
        await Assert.That(a.SpeedMps).IsNull();
        await Assert.That(a.HeadingDeg).IsNull();
        await Assert.That(a.Timestamp).IsEqualTo(DateTimeOffset.Parse("2026-12-01T10:00:00Z"));
    }

    [Test]
    public async Task Accuracy_covers_the_rounding()
    {
        await Assert.That(CoarseLocation.RoundingErrorMeters).IsEqualTo(1575.0);
        await Assert.That(CoarseLocation.Apply(Fix(48.1, 11.5, 5)).AccuracyMeters).IsEqualTo(2000.0);
        await Assert.That(CoarseLocation.Apply(Fix(48.1, 11.5, 800)).AccuracyMeters).IsEqualTo(2375.0);
        // The largest displacement the rounding can cause is within the stated rounding error.
        var worst = Fix(0.01, 0.01 - 1e-9);
        var snapped = CoarseLocation.Apply(worst);
        double metres = Math.Sqrt(Math.Pow((snapped.Lat - worst.Lat) * 111_320, 2) + Math.Pow((snapped.Lon - worst.Lon) * 111_320, 2));
        await Assert.That(metres).IsLessThanOrEqualTo(CoarseLocation.RoundingErrorMeters);
    }

    [Test]
    public async Task The_result_says_coarse_is_not_precise()
    {
        var result = LocationResult.From(Fix(48.117350, 11.516667), LocationAccuracy.Coarse);
        await Assert.That(result.IsPrecise).IsFalse();
        await Assert.That(result.AltitudeMeters).IsNull();
        var precise = LocationResult.From(Fix(48.117350, 11.516667), LocationAccuracy.Precise);
        await Assert.That(precise.IsPrecise).IsTrue();
        await Assert.That(precise.Lat).IsEqualTo(48.117350);
        await Assert.That(precise.Timestamp).IsEqualTo("2026-12-01T10:00:00.000Z");
        await Assert.That(LocationResult.From(Fix(1, 1, 150), LocationAccuracy.Precise).IsPrecise).IsFalse();
    }
}
