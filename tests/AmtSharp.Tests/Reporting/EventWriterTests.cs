using System.Buffers.Binary;
using System.Text;
using System.Text.RegularExpressions;
using AmtSharp.Reporting.TensorBoard;
using SkiaSharp;
using Xunit;

namespace AmtSharp.Tests.Reporting;

public class EventWriterTests
{
    [Fact]
    public void Crc32C_of_standard_check_string_is_E3069283()
    {
        byte[] data = Encoding.ASCII.GetBytes("123456789");
        Assert.Equal(0xE3069283u, Crc32C.Compute(data));
        Assert.Equal(0xE3069283u, EventFileReader.BitwiseCrc32C(data));
        Assert.Equal(0u, Crc32C.Compute([]));
    }

    [Fact]
    public void Crc32C_matches_bitwise_reference_and_mask_formula()
    {
        var rng = new Random(7);
        for (int n = 0; n < 200; n += 7)
        {
            var data = new byte[n];
            rng.NextBytes(data);
            uint crc = EventFileReader.BitwiseCrc32C(data);
            Assert.Equal(crc, Crc32C.Compute(data));
            Assert.Equal(unchecked(((crc >> 15) | (crc << 17)) + 0xA282EAD8u), Crc32C.Masked(data));
        }
    }

    [Fact]
    public void First_record_is_file_version_and_file_name_follows_convention()
    {
        using var tmp = new TestUtil.TempDir();
        string logDir = Path.Combine(tmp.Path, "nested", "run1");
        double before = UnixNow();
        string file;
        using (var writer = new EventWriter(logDir))
        {
            file = writer.FilePath;
        }
        double after = UnixNow();

        Assert.True(Directory.Exists(logDir));
        Assert.Equal(Path.GetFullPath(logDir), Path.GetDirectoryName(file));
        var match = Regex.Match(Path.GetFileName(file), @"^events\.out\.tfevents\.(\d+)\.(.+)$");
        Assert.True(match.Success, Path.GetFileName(file));
        long seconds = long.Parse(match.Groups[1].Value);
        Assert.InRange(seconds, (long)Math.Floor(before), (long)Math.Floor(after));

        var events = EventFileReader.Read(file);
        var first = Assert.Single(events);
        Assert.Equal(EventWriter.FileVersion, first.FileVersion);
        Assert.Equal("brain.Event:2", first.FileVersion);
        Assert.InRange(first.WallTime, before - 1e-3, after + 1e-3);
        Assert.Equal(0, first.Step);
        Assert.Empty(first.Values);
    }

    [Fact]
    public void Scalars_round_trip_tags_steps_and_values()
    {
        using var tmp = new TestUtil.TempDir();
        string file;
        using (var writer = new EventWriter(tmp.Path))
        {
            file = writer.FilePath;
            writer.AddScalar("loss/train", 0.75, 0);
            writer.AddScalar("loss/train", -3.5, 1);
            writer.AddScalar("lr", 1.5e-4, 1L << 40);
            writer.AddScalars([new("a", 1.0), new("b", 2.0)], 7);
        }

        var events = EventFileReader.Read(file);
        Assert.Equal(5, events.Count);
        Assert.Equal("brain.Event:2", events[0].FileVersion);
        var scalars = events.Skip(1).SelectMany(e => e.Values.Select(v => (e.Step, v.Tag, v.SimpleValue))).ToList();
        Assert.Equal(
            [
                (0L, "loss/train", 0.75f),
                (1L, "loss/train", -3.5f),
                (1L << 40, "lr", 1.5e-4f),
                (7L, "a", 1f),
                (7L, "b", 2f),
            ],
            scalars.Select(s => (s.Step, s.Tag, (float)s.SimpleValue!)).ToList());
        Assert.Equal(2, events[4].Values.Count);
        Assert.All(events, e => Assert.True(e.WallTime > 1.5e9));
    }

    [Fact]
    public void Scalars_are_flushed_before_dispose()
    {
        using var tmp = new TestUtil.TempDir();
        using var writer = new EventWriter(tmp.Path);
        writer.AddScalar("x", 42, 3);
        var events = EventFileReader.Read(writer.FilePath);
        Assert.Equal(42f, events[^1].Values.Single().SimpleValue);
    }

    [Fact]
    public void Image_round_trips_bytes_size_and_colorspace()
    {
        byte[] png = MakePng(5, 3);
        using var tmp = new TestUtil.TempDir();
        string file;
        using (var writer = new EventWriter(tmp.Path))
        {
            file = writer.FilePath;
            writer.AddImage("samples/recon", png, 5, 3, 12);
        }

        var events = EventFileReader.Read(file);
        Assert.Equal(2, events.Count);
        var value = Assert.Single(events[1].Values);
        Assert.Equal(12L, events[1].Step);
        Assert.Equal("samples/recon", value.Tag);
        Assert.NotNull(value.Image);
        Assert.Equal(3, value.Image!.Height);
        Assert.Equal(5, value.Image.Width);
        Assert.Equal(4, value.Image.Colorspace); // RGBA
        Assert.Equal(png, value.Image.Encoded);
    }

    [Fact]
    public void Image_with_wrong_size_or_not_png_is_refused()
    {
        byte[] png = MakePng(5, 3);
        using var tmp = new TestUtil.TempDir();
        using var writer = new EventWriter(tmp.Path);
        Assert.Throws<ArgumentException>(() => writer.AddImage("img", png, 3, 5, 0));
        Assert.Throws<ArgumentException>(() => writer.AddImage("img", [1, 2, 3], 5, 3, 0));
        Assert.Throws<ArgumentException>(() => writer.AddImage("", png, 5, 3, 0));
        Assert.Single(EventFileReader.Read(writer.FilePath));
    }

    [Theory]
    [InlineData(3)] // inside the length
    [InlineData(9)] // inside the length's CRC
    [InlineData(20)] // inside the payload
    [InlineData(-1)] // inside the payload's CRC
    public void Corrupted_byte_is_detected_by_the_reader(int offsetInLastRecord)
    {
        using var tmp = new TestUtil.TempDir();
        string file;
        using (var writer = new EventWriter(tmp.Path))
        {
            file = writer.FilePath;
            writer.AddScalar("loss", 1.25, 5);
        }
        Assert.Equal(2, EventFileReader.Read(file).Count);

        byte[] bytes = File.ReadAllBytes(file);
        int firstLength = (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes) + 16;
        int offset = offsetInLastRecord >= 0 ? firstLength + offsetInLastRecord : bytes.Length + offsetInLastRecord;
        bytes[offset] ^= 0x10;
        File.WriteAllBytes(file, bytes);

        Assert.Throws<InvalidDataException>(() => EventFileReader.Read(file));
    }

    [Fact]
    public void Unwritable_folder_throws_io_error_naming_the_path()
    {
        using var tmp = new TestUtil.TempDir();
        string blocker = Path.Combine(tmp.Path, "not-a-folder");
        File.WriteAllText(blocker, "x");
        string logDir = Path.Combine(blocker, "logs");

        var ex = Assert.ThrowsAny<Exception>(() => new EventWriter(logDir));
        Assert.True(ex is IOException or UnauthorizedAccessException, ex.GetType().Name);
        Assert.Contains(logDir, ex.Message);
    }

    [Fact]
    public void Two_writers_in_one_folder_get_distinct_files_and_dispose_is_idempotent()
    {
        using var tmp = new TestUtil.TempDir();
        var a = new EventWriter(tmp.Path);
        var b = new EventWriter(tmp.Path);
        Assert.NotEqual(a.FilePath, b.FilePath);
        a.Dispose();
        a.Dispose();
        b.Dispose();
        Assert.Throws<ObjectDisposedException>(() => a.AddScalar("x", 1, 0));
        Assert.Throws<ObjectDisposedException>(() => a.Flush());
        Assert.Equal(2, Directory.GetFiles(tmp.Path, "events.out.tfevents.*").Length);
    }

    private static double UnixNow() => (DateTime.UtcNow - DateTime.UnixEpoch).TotalSeconds;

    private static byte[] MakePng(int width, int height)
    {
        using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                bitmap.SetPixel(x, y, new SKColor((byte)(x * 50), (byte)(y * 80), 128, (byte)(255 - x * 20)));
            }
        }
        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }
}

/// <summary>
/// An independent reader for the tests: TFRecord framing with both CRCs checked (bitwise CRC-32C, not the library's
/// code), and each payload parsed by TorchSharp's generated <c>Tensorboard.Event</c> parser.
/// </summary>
internal static class EventFileReader
{
    public sealed record ImageValue(int Height, int Width, int Colorspace, byte[] Encoded);

    public sealed record SummaryValue(string Tag, float? SimpleValue, ImageValue? Image);

    public sealed record Event(double WallTime, long Step, string? FileVersion, List<SummaryValue> Values);

    public static List<Event> Read(string path)
    {
        byte[] bytes;
        using (var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite))
        using (var ms = new MemoryStream())
        {
            fs.CopyTo(ms);
            bytes = ms.ToArray();
        }
        var events = new List<Event>();
        int pos = 0;
        while (pos < bytes.Length)
        {
            if (bytes.Length - pos < 12)
            {
                throw new InvalidDataException("Truncated record header.");
            }
            var header = bytes.AsSpan(pos, 8);
            ulong length = BinaryPrimitives.ReadUInt64LittleEndian(header);
            if (BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(pos + 8, 4)) != Masked(header))
            {
                throw new InvalidDataException($"Length CRC mismatch at offset {pos}.");
            }
            if (length > (ulong)(bytes.Length - pos - 16))
            {
                throw new InvalidDataException("Truncated record.");
            }
            var data = bytes.AsSpan(pos + 12, (int)length);
            if (BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(pos + 12 + (int)length, 4)) != Masked(data))
            {
                throw new InvalidDataException($"Data CRC mismatch at offset {pos}.");
            }
            events.Add(ParseEvent(data.ToArray()));
            pos += 16 + (int)length;
        }
        return events;
    }

    public static uint BitwiseCrc32C(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in data)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++)
            {
                crc = (crc >> 1) ^ (0x82F63B78u & (0u - (crc & 1)));
            }
        }
        return ~crc;
    }

    private static uint Masked(ReadOnlySpan<byte> data)
    {
        uint crc = BitwiseCrc32C(data);
        return unchecked(((crc >> 15) | (crc << 17)) + 0xA282EAD8u);
    }

    // The payload is parsed by the generated TensorBoard classes, so the file is what TensorBoard itself would read.
    private static Event ParseEvent(byte[] data)
    {
        var evt = Tensorboard.Event.Parser.ParseFrom(data);
        string? version = evt.WhatCase == Tensorboard.Event.WhatOneofCase.FileVersion ? evt.FileVersion : null;
        var values = (evt.Summary?.Value ?? []).Select(v => new SummaryValue(
            v.Tag,
            v.ValueCase == Tensorboard.Summary.Types.Value.ValueOneofCase.SimpleValue ? v.SimpleValue : null,
            v.Image is { } i ? new ImageValue(i.Height, i.Width, i.Colorspace, i.EncodedImageString.ToByteArray()) : null)).ToList();
        return new Event(evt.WallTime, evt.Step, version, values);
    }
}
