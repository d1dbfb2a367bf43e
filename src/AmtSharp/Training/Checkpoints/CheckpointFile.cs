using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using AmtSharp.Core;
using AmtSharp.Models.Interop;
using TorchSharp;
using static TorchSharp.torch;

namespace AmtSharp.Training.Checkpoints;

/// <summary>
/// AmtSharp's checkpoint format (little-endian):
/// <code>
/// "AMTSCKPT"            8-byte magic
/// u32 version           currently 1
/// i64 total length      whole file, checksum included (tells truncation apart from corruption)
/// i32 n + UTF-8 JSON    metadata header
/// i32 entry count
/// entries               u8 kind (1 tensor, 2 float array), i32 n + UTF-8 name, i32 ndim, i64[ndim] shape, then
///                       tensor: u8 dtype (TorchSharp ScalarType), i64 byte count, raw bytes
///                       array:  i64 count, raw float32
/// 32 bytes              SHA-256 of everything before it
/// </code>
/// Saving is atomic (<see cref="AtomicFile"/>): a crash mid-save leaves the previous checkpoint intact.
/// </summary>
public static class CheckpointFile
{
    public const int FormatVersion = 1;
    private static readonly byte[] Magic = WeightsFile.CheckpointMagic.ToArray();
    private const int PreambleSize = 8 + 4 + 8;
    private const int HashSize = 32;
    private const byte KindTensor = 1;
    private const byte KindArray = 2;

    /// <summary>Writes <paramref name="data"/> atomically to <paramref name="path"/>.</summary>
    public static void Save(string path, CheckpointData data) => Save(path, data, null);

    /// <summary>Test hook: <paramref name="wrap"/> wraps the temp file stream (e.g. to fail mid-write).</summary>
    internal static void Save(string path, CheckpointData data, Func<Stream, Stream>? wrap)
    {
        string full = Path.GetFullPath(path);
        var metadata = new JsonObject();
        foreach (var (k, v) in data.Metadata)
        {
            metadata[k] = v?.DeepClone();
        }
        metadata.TryAdd("amtsharp_version", LibraryInfo.Version);
        byte[] header = Encoding.UTF8.GetBytes(metadata.ToJsonString());
        var entries = data.Tensors.Select(kv => Entry.ForTensor(kv.Key, kv.Value))
            .Concat(data.Arrays.Select(kv => Entry.ForArray(kv.Key, kv.Value)))
            .ToList();
        try
        {
            long total = PreambleSize + 4 + header.Length + 4 + entries.Sum(e => e.Size) + HashSize;
            AtomicFile.Write(full, file =>
            {
                // The wrapper (tests only) is not disposed: it must not close the file before the flush.
                var stream = wrap is null ? file : wrap(file);
                var w = new HashedWriter(stream);
                w.Write(Magic);
                w.WriteU32(FormatVersion);
                w.WriteI64(total);
                w.WriteI32(header.Length);
                w.Write(header);
                w.WriteI32(entries.Count);
                foreach (var e in entries)
                {
                    e.Write(w);
                }
                stream.Write(w.Finish());
                stream.Flush();
            });
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CheckpointException(full, $"could not be written: {e.Message}", e);
        }
        finally
        {
            foreach (var e in entries)
            {
                e.Dispose();
            }
        }
    }

    /// <summary>Reads and verifies a checkpoint (magic, version, length, checksum); the result owns its tensors.</summary>
    public static LoadedCheckpoint Load(string path) => WithFile(path, (file, full) =>
    {
        Verify(file, full);
        file.Position = PreambleSize;
        return Parse(file, full);
    });

    /// <summary>Checks magic, version, length and checksum without building tensors.</summary>
    public static void Verify(string path) => WithFile(path, (file, full) =>
    {
        Verify(file, full);
        return true;
    });

    private static T WithFile<T>(string path, Func<FileStream, string, T> body)
    {
        string full = Path.GetFullPath(path);
        try
        {
            using var file = new FileStream(full, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20);
            return body(file, full);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new CheckpointException(full, "file does not exist", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CheckpointException(full, $"could not be read: {e.Message}", e);
        }
    }

    private static void Verify(FileStream file, string path)
    {
        long actual = file.Length;
        Span<byte> pre = stackalloc byte[PreambleSize];
        int got = file.ReadAtLeast(pre, PreambleSize, throwOnEndOfStream: false);
        if (got == 0)
        {
            throw new CheckpointException(path, "is empty");
        }
        int magicBytes = Math.Min(got, Magic.Length);
        if (!pre[..magicBytes].SequenceEqual(Magic.AsSpan(0, magicBytes)))
        {
            throw new CheckpointException(path, "is not an AmtSharp checkpoint (wrong magic bytes)");
        }
        if (got < PreambleSize)
        {
            throw new CheckpointException(path, $"is truncated: only {actual} bytes");
        }
        uint version = BinaryPrimitives.ReadUInt32LittleEndian(pre[8..]);
        if (version != FormatVersion)
        {
            throw new CheckpointException(path, $"has format version {version}; this build reads version {FormatVersion}");
        }
        long declared = BinaryPrimitives.ReadInt64LittleEndian(pre[12..]);
        if (actual < declared)
        {
            throw new CheckpointException(path, $"is truncated: {actual} of {declared} bytes present");
        }
        if (actual > declared || declared < PreambleSize + HashSize)
        {
            throw new CheckpointException(path, $"is corrupted: length {actual} but header says {declared} bytes");
        }

        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(pre);
        var buffer = new byte[1 << 20];
        long remaining = declared - HashSize - PreambleSize;
        while (remaining > 0)
        {
            int n = file.Read(buffer, 0, (int)Math.Min(buffer.Length, remaining));
            if (n <= 0)
            {
                throw new CheckpointException(path, "is truncated while verifying the checksum");
            }
            hash.AppendData(buffer, 0, n);
            remaining -= n;
        }
        Span<byte> stored = stackalloc byte[HashSize];
        file.ReadExactly(stored);
        if (!hash.GetHashAndReset().AsSpan().SequenceEqual(stored))
        {
            throw new CheckpointException(path, "is corrupted: SHA-256 checksum does not match its contents");
        }
    }

    private static LoadedCheckpoint Parse(Stream stream, string path)
    {
        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        var arrays = new Dictionary<string, FloatArray>(StringComparer.Ordinal);
        try
        {
            using var r = new BinaryReader(stream, Encoding.UTF8, leaveOpen: true);
            var metadata = JsonNode.Parse(r.ReadBytes(ReadCount(r))) as JsonObject
                ?? throw new InvalidDataException("metadata is not a JSON object");
            int count = ReadCount(r);
            for (int i = 0; i < count; i++)
            {
                byte kind = r.ReadByte();
                string name = Encoding.UTF8.GetString(r.ReadBytes(ReadCount(r)));
                long[] shape = ReadShape(r);
                if (kind == KindTensor)
                {
                    tensors[name] = ReadTensor(r, shape);
                }
                else if (kind == KindArray)
                {
                    long n = r.ReadInt64();
                    var data = new float[n];
                    r.BaseStream.ReadExactly(MemoryMarshal.AsBytes(data.AsSpan()));
                    arrays[name] = new FloatArray(data, shape);
                }
                else
                {
                    throw new InvalidDataException($"unknown entry kind {kind}");
                }
            }
            return new LoadedCheckpoint(path, metadata, tensors, arrays);
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException or JsonException or ArgumentException)
        {
            foreach (var t in tensors.Values)
            {
                t.Dispose();
            }
            throw new CheckpointException(path, $"is malformed although its checksum matches: {e.Message}", e);
        }
    }

    private static Tensor ReadTensor(BinaryReader r, long[] shape)
    {
        var dtype = (ScalarType)r.ReadByte();
        long bytes = r.ReadInt64();
        var t = torch.empty(shape, dtype);
        long expected = t.numel() * t.ElementSize;
        if (bytes != expected)
        {
            t.Dispose();
            throw new InvalidDataException($"tensor byte count {bytes} does not fit shape {Shapes.Format(shape)} of {dtype}");
        }
        var buffer = r.ReadBytes(checked((int)bytes));
        if (buffer.Length != bytes)
        {
            t.Dispose();
            throw new EndOfStreamException();
        }
        t.bytes = buffer;
        return t;
    }

    private static long[] ReadShape(BinaryReader r)
    {
        int ndim = r.ReadInt32();
        if (ndim is < 0 or > 64)
        {
            throw new InvalidDataException($"bad rank {ndim}");
        }
        var shape = new long[ndim];
        for (int i = 0; i < ndim; i++)
        {
            shape[i] = r.ReadInt64();
        }
        return shape;
    }

    private static int ReadCount(BinaryReader r)
    {
        int n = r.ReadInt32();
        return n >= 0 ? n : throw new InvalidDataException($"negative length {n}");
    }

    /// <summary>One entry, sized before writing so the header can carry the total length.</summary>
    private sealed class Entry : IDisposable
    {
        private readonly byte[] _name;
        private readonly byte _kind;
        private readonly long[] _shape;
        private readonly Tensor? _tensor;
        private readonly FloatArray? _array;

        private Entry(string name, byte kind, long[] shape, Tensor? tensor, FloatArray? array, long payload)
        {
            _name = Encoding.UTF8.GetBytes(name);
            _kind = kind;
            _shape = shape;
            _tensor = tensor;
            _array = array;
            Size = 1 + 4 + _name.Length + 4 + 8L * shape.Length + payload;
        }

        public long Size { get; }

        public static Entry ForTensor(string name, Tensor t)
        {
            // A contiguous CPU copy without autograd history; raw bytes come straight from it.
            var c = t.detach().cpu().contiguous();
            return new Entry(name, KindTensor, c.shape, c, null, 1 + 8 + c.numel() * c.ElementSize);
        }

        public static Entry ForArray(string name, FloatArray a) =>
            new(name, KindArray, a.Shape, null, a, 8 + 4L * a.Data.LongLength);

        public void Write(HashedWriter w)
        {
            w.Write(new[] { _kind });
            w.WriteI32(_name.Length);
            w.Write(_name);
            w.WriteI32(_shape.Length);
            foreach (long s in _shape)
            {
                w.WriteI64(s);
            }
            if (_tensor is not null)
            {
                w.Write(new[] { (byte)_tensor.dtype });
                ReadOnlySpan<byte> raw = _tensor.bytes;
                w.WriteI64(raw.Length);
                w.Write(raw);
            }
            else
            {
                w.WriteI64(_array!.Data.LongLength);
                w.Write(MemoryMarshal.AsBytes(_array.Data.AsSpan()));
            }
        }

        public void Dispose() => _tensor?.Dispose();
    }

    /// <summary>Writes to a stream while hashing every byte.</summary>
    private sealed class HashedWriter(Stream stream)
    {
        private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

        public void Write(ReadOnlySpan<byte> bytes)
        {
            stream.Write(bytes);
            _hash.AppendData(bytes);
        }

        public void WriteU32(uint v)
        {
            Span<byte> b = stackalloc byte[4];
            BinaryPrimitives.WriteUInt32LittleEndian(b, v);
            Write(b);
        }

        public void WriteI32(int v)
        {
            Span<byte> b = stackalloc byte[4];
            BinaryPrimitives.WriteInt32LittleEndian(b, v);
            Write(b);
        }

        public void WriteI64(long v)
        {
            Span<byte> b = stackalloc byte[8];
            BinaryPrimitives.WriteInt64LittleEndian(b, v);
            Write(b);
        }

        public byte[] Finish()
        {
            var h = _hash.GetHashAndReset();
            _hash.Dispose();
            return h;
        }
    }
}
