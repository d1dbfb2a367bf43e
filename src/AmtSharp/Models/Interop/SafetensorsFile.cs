using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using AmtSharp.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace AmtSharp.Models.Interop;

/// <summary>
/// The safetensors format (Hugging Face; what timm and the Hub publish), read and written here:
/// <code>
/// u64 N                 little-endian header length
/// N bytes               UTF-8 JSON: {"name": {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}, ...,
///                       "__metadata__": {"key": "string value"}}, padded with spaces
/// data                  raw little-endian tensor bytes; offsets are relative to the start of this block,
///                       and the tensors cover it exactly (no holes, no overlaps, nothing after)
/// </code>
/// The format has no checksum: a flipped data byte cannot be detected, a cut or inconsistent file can.
/// </summary>
public static class SafetensorsFile
{
    /// <summary>Metadata key under which the (string) metadata lives in the header.</summary>
    public const string MetadataKey = "__metadata__";

    // Far larger than any real header (a few hundred bytes per tensor), small enough to refuse garbage lengths.
    private const long MaxHeaderBytes = 100L << 20;

    private static readonly Dictionary<string, ScalarType> DTypes = new(StringComparer.Ordinal)
    {
        ["F64"] = ScalarType.Float64,
        ["F32"] = ScalarType.Float32,
        ["F16"] = ScalarType.Float16,
        ["BF16"] = ScalarType.BFloat16,
        ["I64"] = ScalarType.Int64,
        ["I32"] = ScalarType.Int32,
        ["I16"] = ScalarType.Int16,
        ["I8"] = ScalarType.Int8,
        ["U8"] = ScalarType.Byte,
        ["BOOL"] = ScalarType.Bool,
    };

    /// <summary>Reads every tensor and the metadata; throws <see cref="CheckpointException"/> naming the file.</summary>
    public static LoadedWeights Read(string path)
    {
        string full = Path.GetFullPath(path);
        using var file = WeightsFile.OpenRead(full);
        var (entries, metadata, dataStart) = ReadHeader(file, full);
        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        try
        {
            foreach (var e in entries.OrderBy(e => e.Begin))
            {
                var t = torch.empty(e.Shape, e.DType);
                tensors.Add(e.Name, t);
                file.Position = dataStart + e.Begin;
                file.ReadExactly(t.bytes);
            }
        }
        catch (IOException e)
        {
            foreach (var t in tensors.Values)
            {
                t.Dispose();
            }
            throw new CheckpointException(full, $"could not be read: {e.Message}", e);
        }
        // Header order, which is how the writer listed them (ours: the module's order).
        var ordered = entries.ToDictionary(e => e.Name, e => tensors[e.Name], StringComparer.Ordinal);
        return new LoadedWeights(full, WeightsFormat.Safetensors, ordered, metadata);
    }

    /// <summary>
    /// Writes the tensors (CPU copies, contiguous) in the given order with optional string metadata.
    /// Atomic: a failure leaves any previous file in place.
    /// </summary>
    public static void Write(string path, IEnumerable<KeyValuePair<string, Tensor>> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var items = new List<(string Name, Tensor Data, string DType)>();
        try
        {
            foreach (var (name, t) in tensors)
            {
                if (string.IsNullOrEmpty(name) || name == MetadataKey || items.Any(i => i.Name == name))
                {
                    throw new ArgumentException($"invalid or duplicate tensor name '{name}'", nameof(tensors));
                }
                string dtype = DTypes.FirstOrDefault(kv => kv.Value == t.dtype).Key
                    ?? throw new ArgumentException($"tensor '{name}' has dtype {t.dtype}, which safetensors cannot hold", nameof(tensors));
                items.Add((name, t.detach().cpu().contiguous(), dtype));
            }
            byte[] header = BuildHeader(items, metadata);
            WeightsFile.Write(path, stream =>
            {
                Span<byte> length = stackalloc byte[8];
                BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)header.Length);
                stream.Write(length);
                stream.Write(header);
                foreach (var item in items)
                {
                    stream.Write(item.Data.bytes);
                }
            });
        }
        finally
        {
            foreach (var item in items)
            {
                item.Data.Dispose();
            }
        }
    }

    private static byte[] BuildHeader(List<(string Name, Tensor Data, string DType)> items, IReadOnlyDictionary<string, string>? metadata)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                w.WriteStartObject(MetadataKey);
                foreach (var (k, v) in metadata)
                {
                    w.WriteString(k, v);
                }
                w.WriteEndObject();
            }
            long offset = 0;
            foreach (var (name, data, dtype) in items)
            {
                long size = data.numel() * data.ElementSize;
                w.WriteStartObject(name);
                w.WriteString("dtype", dtype);
                w.WriteStartArray("shape");
                foreach (long s in data.shape)
                {
                    w.WriteNumberValue(s);
                }
                w.WriteEndArray();
                w.WriteStartArray("data_offsets");
                w.WriteNumberValue(offset);
                w.WriteNumberValue(offset + size);
                w.WriteEndArray();
                w.WriteEndObject();
                offset += size;
            }
            w.WriteEndObject();
        }
        // Pad with spaces so the data block starts 8-byte aligned (the reference implementation does the same).
        int pad = (int)((8 - buffer.Length % 8) % 8);
        buffer.Write(Encoding.ASCII.GetBytes(new string(' ', pad)));
        return buffer.ToArray();
    }

    private sealed record Entry(string Name, ScalarType DType, long[] Shape, long Begin, long End);

    private static (List<Entry> Entries, Dictionary<string, string> Metadata, long DataStart) ReadHeader(FileStream file, string path)
    {
        long length = file.Length;
        if (length < 8)
        {
            throw new CheckpointException(path, $"is too short to be a safetensors file ({length} bytes)");
        }
        Span<byte> prefix = stackalloc byte[8];
        file.ReadExactly(prefix);
        ulong n = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
        if (n > (ulong)MaxHeaderBytes)
        {
            throw new CheckpointException(path, $"is not a safetensors file (header length {n} is implausible)");
        }
        if ((long)n > length - 8)
        {
            throw new CheckpointException(path, $"is truncated: the safetensors header needs {n} bytes but only {length - 8} follow");
        }
        var headerBytes = new byte[n];
        file.ReadExactly(headerBytes);
        long dataLength = length - 8 - (long)n;

        var entries = new List<Entry>();
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        try
        {
            using var doc = JsonDocument.Parse(headerBytes);
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new InvalidDataException("the header is not a JSON object");
            }
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var property in doc.RootElement.EnumerateObject())
            {
                if (!seen.Add(property.Name))
                {
                    throw new InvalidDataException($"tensor '{property.Name}' is listed twice");
                }
                if (property.Name == MetadataKey)
                {
                    foreach (var m in property.Value.EnumerateObject())
                    {
                        metadata[m.Name] = m.Value.ValueKind == JsonValueKind.String ? m.Value.GetString()! : m.Value.GetRawText();
                    }
                    continue;
                }
                entries.Add(ParseEntry(property));
            }
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException or InvalidDataException or KeyNotFoundException)
        {
            throw new CheckpointException(path, $"has a malformed safetensors header: {e.Message}", e);
        }
        CheckLayout(entries, dataLength, path);
        return (entries, metadata, 8 + (long)n);
    }

    private static Entry ParseEntry(JsonProperty property)
    {
        var v = property.Value;
        string dtypeName = v.GetProperty("dtype").GetString() ?? "";
        if (!DTypes.TryGetValue(dtypeName, out var dtype))
        {
            throw new InvalidDataException($"tensor '{property.Name}' has dtype '{dtypeName}', which this build does not read");
        }
        var shape = v.GetProperty("shape").EnumerateArray().Select(s => s.GetInt64()).ToArray();
        var offsets = v.GetProperty("data_offsets").EnumerateArray().Select(s => s.GetInt64()).ToArray();
        if (shape.Any(s => s < 0) || offsets.Length != 2 || offsets[0] < 0 || offsets[1] < offsets[0])
        {
            throw new InvalidDataException($"tensor '{property.Name}' has an invalid shape or data_offsets");
        }
        long bytes = shape.Aggregate(1L, (a, b) => checked(a * b)) * ElementSize(dtype);
        if (offsets[1] - offsets[0] != bytes)
        {
            throw new InvalidDataException(
                $"tensor '{property.Name}' spans {offsets[1] - offsets[0]} bytes but {dtypeName} {Shapes.Format(shape)} needs {bytes}");
        }
        if (bytes > int.MaxValue)
        {
            throw new InvalidDataException($"tensor '{property.Name}' is larger than 2 GB, which this reader does not support");
        }
        return new Entry(property.Name, dtype, shape, offsets[0], offsets[1]);
    }

    /// <summary>The tensors must tile the data block exactly; anything else means a cut or damaged file.</summary>
    private static void CheckLayout(List<Entry> entries, long dataLength, string path)
    {
        long expected = 0;
        foreach (var e in entries.OrderBy(e => e.Begin).ThenBy(e => e.End))
        {
            if (e.End > dataLength)
            {
                throw new CheckpointException(path, $"is truncated: tensor '{e.Name}' ends at data byte {e.End} but the file holds {dataLength}");
            }
            if (e.Begin != expected)
            {
                throw new CheckpointException(path, $"is corrupted: tensor '{e.Name}' starts at data byte {e.Begin}, expected {expected} (gap or overlap)");
            }
            expected = e.End;
        }
        if (expected != dataLength)
        {
            throw new CheckpointException(path, $"is corrupted: {dataLength - expected} bytes after the last tensor");
        }
    }

    private static long ElementSize(ScalarType dtype) => dtype switch
    {
        ScalarType.Float64 or ScalarType.Int64 => 8,
        ScalarType.Float32 or ScalarType.Int32 => 4,
        ScalarType.Float16 or ScalarType.BFloat16 or ScalarType.Int16 => 2,
        _ => 1,
    };
}
