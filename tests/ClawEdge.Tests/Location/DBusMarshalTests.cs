using System.Buffers.Binary;
using System.Text;
using ClawEdge.Location;
using ClawEdge.Location.DBus;

namespace ClawEdge.Tests.Location;

/// <summary>
/// The D-Bus marshalling against byte layouts worked out from the specification (alignment from the message
/// start, NUL-terminated strings, arrays padded to their element), and GeoClue's Location properties to a fix.
/// </summary>
public class DBusMarshalTests
{
    [Test]
    public async Task Writer_aligns_strings_and_variants_as_the_spec_says()
    {
        var w = new DBusWriter();
        w.Byte(7);
        w.String("ab");      // pad to 4, length 2, 'a' 'b' NUL
        w.Variant(8u);       // signature "u" (1, 'u', NUL), pad to 4, uint32
        byte[] expected = [7, 0, 0, 0, 2, 0, 0, 0, (byte)'a', (byte)'b', 0, 1, (byte)'u', 0, 0, 0, 8, 0, 0, 0];
        await Assert.That(Convert.ToHexString(w.Written)).IsEqualTo(Convert.ToHexString(expected));
    }

    [Test]
    public async Task Reader_decodes_a_geoclue_GetAll_reply_body()
    {
        // a{sv}: {"Latitude": d 48.5, "Timestamp": (tt) (1796155969, 250000), "Description": s ""}
        var body = new List<byte>();
        void Align(int n) { while (body.Count % n != 0) body.Add(0); }
        void U32(uint v) { Align(4); var b = new byte[4]; BinaryPrimitives.WriteUInt32LittleEndian(b, v); body.AddRange(b); }
        void U64(ulong v) { Align(8); var b = new byte[8]; BinaryPrimitives.WriteUInt64LittleEndian(b, v); body.AddRange(b); }
        void Str(string s) { U32((uint)s.Length); body.AddRange(Encoding.UTF8.GetBytes(s)); body.Add(0); }
        void Sig(string s) { body.Add((byte)s.Length); body.AddRange(Encoding.ASCII.GetBytes(s)); body.Add(0); }
        U32(0); // array length, patched
        Align(8);
        int start = body.Count;
        Align(8); Str("Latitude"); Sig("d"); Align(8); body.AddRange(BitConverter.GetBytes(48.5));
        Align(8); Str("Timestamp"); Sig("(tt)"); Align(8); U64(1796155969); U64(250000);
        Align(8); Str("Description"); Sig("s"); Str("");
        var bytes = body.ToArray();
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, (uint)(bytes.Length - start));

        var values = new DBusReader(bytes, bigEndian: false).ReadAll("a{sv}");
        var dict = (Dictionary<string, object?>)values[0]!;
        await Assert.That(dict["Latitude"]).IsEqualTo(48.5);
        var stamp = (object?[])dict["Timestamp"]!;
        await Assert.That(stamp[0]).IsEqualTo(1796155969UL);
        await Assert.That(stamp[1]).IsEqualTo(250000UL);
        await Assert.That(dict["Description"]).IsEqualTo("");
    }

    [Test]
    public async Task Big_endian_messages_read_too()
    {
        byte[] bytes = [0, 0, 0, 5, 0, 0, 0, 2, (byte)'h', (byte)'i', 0];
        var values = new DBusReader(bytes, bigEndian: true).ReadAll("us");
        await Assert.That(values[0]).IsEqualTo(5u);
        await Assert.That(values[1]).IsEqualTo("hi");
    }

    [Test]
    [Arguments("a{sv}", 0, 5)]
    [Arguments("(tt)s", 0, 4)]
    [Arguments("aa(yv)", 0, 6)]
    public async Task Complete_types_are_found(string signature, int at, int end)
    {
        await Assert.That(DBusReader.CompleteTypeEnd(signature, at)).IsEqualTo(end);
    }

    [Test]
    public async Task Truncated_input_is_a_format_error_not_a_crash()
    {
        await Assert.That(() => new DBusReader([5, 0, 0, 0, (byte)'a'], false).ReadAll("s")).Throws<FormatException>();
        await Assert.That(() => new DBusReader([0xff, 0xff, 0xff, 0x0f], false).ReadAll("ay")).Throws<FormatException>();
        await Assert.That(() => DBusReader.CompleteTypeEnd("(ss", 0)).Throws<FormatException>();
    }

    [Test]
    [Arguments("unix:path=/run/dbus/system_bus_socket", "/run/dbus/system_bus_socket")]
    [Arguments("tcp:host=x,port=1;unix:path=/tmp/a%20b", "/tmp/a b")]
    [Arguments("unix:abstract=/tmp/dbus-XYZ,guid=1234", "\0/tmp/dbus-XYZ")]
    public async Task Bus_addresses_resolve_to_unix_sockets(string address, string path)
    {
        var endPoint = DBusConnection.UnixEndPoint(address)!;
        await Assert.That(endPoint.ToString()!.Replace('@', '\0')).IsEqualTo(path);
    }

    [Test]
    public async Task GeoClue_unknown_markers_become_absent_values()
    {
        var fix = GeoClueClient.ToFix(new Dictionary<string, object?>
        {
            ["Latitude"] = 48.1173, ["Longitude"] = 11.5166, ["Accuracy"] = 25.0,
            ["Altitude"] = -double.MaxValue, ["Speed"] = -1.0, ["Heading"] = -1.0,
            ["Timestamp"] = new object?[] { 1796155969UL, 500000UL },
        }, 7);
        await Assert.That(fix.AltitudeMeters).IsNull();
        await Assert.That(fix.SpeedMps).IsNull();
        await Assert.That(fix.HeadingDeg).IsNull();
        await Assert.That(fix.Timestamp).IsEqualTo(DateTimeOffset.FromUnixTimeMilliseconds(1796155969500));
        await Assert.That(fix.Source).IsEqualTo("geoclue");
        await Assert.That(GeoClueClient.Level(LocationAccuracy.Coarse)).IsEqualTo(4u);
        await Assert.That(GeoClueClient.Level(LocationAccuracy.Balanced)).IsEqualTo(6u);
        await Assert.That(GeoClueClient.Level(LocationAccuracy.Precise)).IsEqualTo(8u);
        await Assert.That(() => GeoClueClient.ToFix(new Dictionary<string, object?> { ["Latitude"] = 1.0 }, 0)).Throws<FormatException>();
    }
}
