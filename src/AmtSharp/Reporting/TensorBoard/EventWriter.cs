using System.Buffers.Binary;
using Google.Protobuf;
using Tensorboard;

namespace AmtSharp.Reporting.TensorBoard;

/// <summary>
/// Writes a TensorBoard event file (<c>events.out.tfevents.&lt;unix seconds&gt;.&lt;host&gt;</c>) in a log folder:
/// scalars and PNG images, as TFRecord-framed <c>Event</c> protobufs that TensorBoard reads directly. The messages
/// are TorchSharp's generated TensorBoard classes; the file handling (one stream, naming, framing) is ours.
/// </summary>
/// <remarks>
/// Every <c>Add*</c> call writes one event and flushes it to the operating system, so a running
/// TensorBoard sees it at once. Calls are serialised by a lock; one writer per file is assumed.
/// </remarks>
public sealed class EventWriter : IDisposable
{
    /// <summary>The file_version TensorBoard expects in the first event of a file.</summary>
    public const string FileVersion = "brain.Event:2";

    private static readonly byte[] PngSignature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    private readonly Lock _gate = new();
    private FileStream? _stream;

    /// <summary>Creates <paramref name="logDir"/> if missing and starts a new event file in it.</summary>
    /// <exception cref="IOException">The folder or file cannot be created (message names the path).</exception>
    /// <exception cref="UnauthorizedAccessException">No permission to write there (message names the path).</exception>
    public EventWriter(string logDir)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(logDir);
        LogDir = Path.GetFullPath(logDir);
        double now = WallTime();
        long seconds = (long)Math.Floor(now);
        string baseName = $"events.out.tfevents.{seconds}.{SafeHostName()}";
        try
        {
            Directory.CreateDirectory(LogDir);
            (FilePath, _stream) = CreateUnique(LogDir, baseName);
        }
        catch (UnauthorizedAccessException ex)
        {
            throw new UnauthorizedAccessException($"Cannot write a TensorBoard event file in '{LogDir}': {ex.Message}", ex);
        }
        catch (IOException ex)
        {
            throw new IOException($"Cannot write a TensorBoard event file in '{LogDir}': {ex.Message}", ex);
        }

        var evt = new Event { WallTime = now, FileVersion = FileVersion };
        try
        {
            WriteRecord(evt);
            Flush();
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>The (absolute) log folder.</summary>
    public string LogDir { get; }

    /// <summary>The event file being written.</summary>
    public string FilePath { get; }

    /// <summary>Records a scalar (stored as a 32-bit float, as TensorBoard does) and flushes.</summary>
    public void AddScalar(string tag, double value, long step) =>
        AddScalars([new KeyValuePair<string, double>(tag, value)], step);

    /// <summary>Records several scalars of one step as a single event, then flushes.</summary>
    public void AddScalars(IEnumerable<KeyValuePair<string, double>> values, long step)
    {
        ArgumentNullException.ThrowIfNull(values);
        var summary = new Summary();
        foreach (var (tag, value) in values)
        {
            CheckTag(tag);
            summary.Value.Add(new Summary.Types.Value { Tag = tag, SimpleValue = (float)value });
        }
        WriteSummary(summary, step);
    }

    /// <summary>
    /// Records a PNG image and flushes. <paramref name="width"/> and <paramref name="height"/> must match the
    /// PNG header; the colour space (grey, grey+alpha, RGB, RGBA) is taken from the header's colour type.
    /// </summary>
    public void AddImage(string tag, byte[] png, int width, int height, long step)
    {
        CheckTag(tag);
        ArgumentNullException.ThrowIfNull(png);
        int colorspace = PngColorspace(png, width, height);

        var image = new Summary.Types.Image
        {
            Height = height,
            Width = width,
            Colorspace = colorspace,
            EncodedImageString = ByteString.CopyFrom(png),
        };
        var summary = new Summary();
        summary.Value.Add(new Summary.Types.Value { Tag = tag, Image = image });
        WriteSummary(summary, step);
    }

    /// <summary>Flushes buffered events to the operating system.</summary>
    public void Flush()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_stream is null, this);
            _stream.Flush();
        }
    }

    /// <summary>Flushes to disk and closes the file. Safe to call more than once.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_stream is null)
            {
                return;
            }
            try
            {
                _stream.Flush(flushToDisk: true);
            }
            finally
            {
                _stream.Dispose();
                _stream = null;
            }
        }
    }

    private void WriteSummary(Summary summary, long step)
    {
        var evt = new Event { WallTime = WallTime(), Step = step, Summary = summary };
        lock (_gate)
        {
            WriteRecord(evt);
            _stream!.Flush();
        }
    }

    private void WriteRecord(Event evt)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_stream is null, this);
            _stream.Write(TfRecord.Frame(evt.ToByteArray()));
        }
    }

    private static (string Path, FileStream Stream) CreateUnique(string dir, string baseName)
    {
        // Two writers started in the same second on the same host get ".1", ".2", ... suffixes.
        for (int attempt = 0; ; attempt++)
        {
            string path = Path.Combine(dir, attempt == 0 ? baseName : $"{baseName}.{attempt}");
            try
            {
                return (path, new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.Read));
            }
            catch (IOException) when (File.Exists(path) && attempt < 1000)
            {
            }
        }
    }

    private static void CheckTag(string tag)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(tag);
    }

    /// <summary>Checks the PNG signature and IHDR size; returns TensorBoard's colorspace (1 grey, 2 grey+alpha, 3 RGB, 4 RGBA).</summary>
    private static int PngColorspace(byte[] png, int width, int height)
    {
        // Signature (8) + IHDR length (4) + "IHDR" (4) + width (4) + height (4) + bit depth (1) + colour type (1).
        if (png.Length < 26 || !png.AsSpan(0, 8).SequenceEqual(PngSignature) || png[12] != 'I' || png[13] != 'H' || png[14] != 'D' || png[15] != 'R')
        {
            throw new ArgumentException("Not a PNG image (missing signature or IHDR chunk).", nameof(png));
        }
        uint pngWidth = BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(16, 4));
        uint pngHeight = BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(20, 4));
        if (width <= 0 || height <= 0 || pngWidth != (uint)width || pngHeight != (uint)height)
        {
            throw new ArgumentException($"Image size {width}x{height} does not match the PNG's {pngWidth}x{pngHeight}.", nameof(png));
        }
        return png[25] switch
        {
            0 => 1, // greyscale
            4 => 2, // greyscale + alpha
            6 => 4, // RGBA
            _ => 3, // RGB, or palette (decoded to RGB)
        };
    }

    private static double WallTime() => (DateTime.UtcNow - DateTime.UnixEpoch).TotalSeconds;

    private static string SafeHostName()
    {
        string host;
        try
        {
            host = Environment.MachineName;
        }
        catch (InvalidOperationException)
        {
            host = "localhost";
        }
        var invalid = Path.GetInvalidFileNameChars();
        var chars = host.Select(c => invalid.Contains(c) ? '_' : c).ToArray();
        return chars.Length == 0 ? "localhost" : new string(chars);
    }
}
