using System.Globalization;
using System.Text;

namespace ClawEdge.Tests.Location;

/// <summary>
/// An NMEA 0183 log written for the test, one GGA + RMC pair per second from a recent start time (gpsd "corrects"
/// old dates), with correct checksums: a receiver moving on a straight course at constant speed, or one with no fix.
/// </summary>
public sealed class NmeaTrack
{
    public const double SpeedKnots = 12.3;
    public const double CourseDeg = 84.4;
    public const double SpeedMps = SpeedKnots * 1852 / 3600;
    public const double AltitudeMsl = 545.4;

    private NmeaTrack(DateTime start, double lat0, double lon0, int seconds, bool fix)
    {
        Start = start;
        Lat0 = lat0;
        Lon0 = lon0;
        var text = new StringBuilder();
        for (int i = 0; i < seconds; i++)
        {
            var t = start.AddSeconds(i);
            string hms = t.ToString("HHmmss", CultureInfo.InvariantCulture) + ".00", date = t.ToString("ddMMyy", CultureInfo.InvariantCulture);
            if (fix)
            {
                var (lat, lon) = Position(i);
                string la = Angle(lat, 2) + (lat >= 0 ? ",N" : ",S"), lo = Angle(lon, 3) + (lon >= 0 ? ",E" : ",W");
                Sentence(text, $"GPGGA,{hms},{la},{lo},1,08,0.9,{AltitudeMsl.ToString("0.0", CultureInfo.InvariantCulture)},M,46.9,M,,");
                Sentence(text, $"GPRMC,{hms},A,{la},{lo},{SpeedKnots.ToString("0.0", CultureInfo.InvariantCulture)},{CourseDeg.ToString("0.0", CultureInfo.InvariantCulture)},{date},,,A");
            }
            else
            {
                Sentence(text, $"GPGGA,{hms},,,,,0,00,99.99,,,,,,");
                Sentence(text, $"GPRMC,{hms},V,,,,,,,{date},,,N");
            }
        }
        Text = text.ToString();
    }

    public DateTime Start { get; }
    public double Lat0 { get; }
    public double Lon0 { get; }
    public string Text { get; }

    public static NmeaTrack Moving(double lat0, double lon0, int seconds = 1200) =>
        new(TruncateToSecond(DateTime.UtcNow), lat0, lon0, seconds, fix: true);

    public static NmeaTrack NoFix(int seconds = 1200) => new(TruncateToSecond(DateTime.UtcNow), 0, 0, seconds, fix: false);

    /// <summary>Where the track is <paramref name="second"/> seconds after its start: dead reckoning on the course.</summary>
    public (double Lat, double Lon) Position(int second)
    {
        double metres = SpeedMps * second;
        double lat = Lat0 + metres * Math.Cos(CourseDeg * Math.PI / 180) / 111_320;
        double lon = Lon0 + metres * Math.Sin(CourseDeg * Math.PI / 180) / (111_320 * Math.Cos(Lat0 * Math.PI / 180));
        // The log carries 1e-5 minutes; the expectation is what the log says.
        return (Quantize(lat), Quantize(lon));
    }

    private static double Quantize(double degrees)
    {
        double minutes = Math.Round(Math.Abs(degrees) * 60 * 100_000) / 100_000;
        return Math.Sign(degrees) * minutes / 60;
    }

    private static string Angle(double degrees, int width)
    {
        double a = Math.Abs(degrees);
        int whole = (int)a;
        double minutes = Math.Round((a - whole) * 60, 5);
        if (minutes >= 60) { whole++; minutes -= 60; }
        return whole.ToString(new string('0', width), CultureInfo.InvariantCulture) + minutes.ToString("00.00000", CultureInfo.InvariantCulture);
    }

    private static void Sentence(StringBuilder text, string body)
    {
        byte sum = 0;
        foreach (char c in body)
            sum ^= (byte)c;
        text.Append('$').Append(body).Append('*').Append(sum.ToString("X2", CultureInfo.InvariantCulture)).Append("\r\n");
    }

    private static DateTime TruncateToSecond(DateTime t) => new(t.Ticks - t.Ticks % TimeSpan.TicksPerSecond, DateTimeKind.Utc);
}
