using System.Collections;
using System.Globalization;
using System.IO.Compression;
using Razorvine.Pickle.Objects;
using TorchSharp;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace AmtSharp.Models.Interop;

/// <summary>
/// torch.save files (zip format, PyTorch ≥ 1.6): MAE's <c>{'model': state_dict, ...}</c>, timm's
/// <c>{'state_dict': ...}</c> or a bare state dict. Unpickling is TorchSharp.PyBridge's (no Python code runs;
/// unknown classes such as MAE's <c>args</c> Namespace become plain dictionaries). Tensors are copied into
/// the caller's module later, so the pickled requires_grad flags (False in every state dict; PyBridge's load_py
/// would copy them and freeze every weight) never matter.
/// </summary>
public static class PyTorchFile
{
    /// <summary>Top-level entry in which our exports record the encoder configuration.</summary>
    public const string MetadataEntry = "amtsharp";

    private static readonly string[] StateDictEntries = ["model", "state_dict"];

    /// <summary>Reads the state dict; throws <see cref="CheckpointException"/> naming the file.</summary>
    public static LoadedWeights Read(string path)
    {
        string full = Path.GetFullPath(path);
        using var file = WeightsFile.OpenRead(full);
        VerifyArchive(file, full);
        file.Position = 0;
        Hashtable top;
        try
        {
            top = PyTorchUnpickler.UnpickleStateDict(file, leaveOpen: true);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // The unpickler reports unsupported content with many exception types (NotImplementedException for
            // whole pickled modules, InvalidCastException, PickleException, libtorch errors, …); all mean "not a
            // state dict we read". libtorch messages carry a native stack trace after the first line.
            string detail = e.Message.Split('\n')[0].Trim();
            bool views = detail.Contains("out of bounds for storage", StringComparison.Ordinal) || detail.Contains("non-contiguous", StringComparison.Ordinal);
            throw new CheckpointException(full, views
                ? "holds tensors that are views into a shared storage (slices or transposes), which TorchSharp.PyBridge cannot rebuild; "
                    + "re-save them in PyTorch as independent tensors, torch.save({k: v.clone().contiguous() for k, v in sd.items()}, path), or convert the file to safetensors"
                : $"could not be unpickled as a PyTorch state dict: {detail}", e);
        }
        return Select(top, full);
    }

    /// <summary>
    /// Writes <c>{'model': tensors, 'amtsharp': metadata}</c> loadable with torch.load (entries stored
    /// uncompressed, as torch.save writes them). Atomic.
    /// </summary>
    public static void Write(string path, IEnumerable<KeyValuePair<string, Tensor>> tensors, IReadOnlyDictionary<string, string>? metadata = null) =>
        Write(path, tensors, metadata, args: null);

    /// <summary>
    /// As <see cref="Write(string, IEnumerable{KeyValuePair{string, Tensor}}, IReadOnlyDictionary{string, string}?)"/>,
    /// plus an <c>'args'</c> entry pickled as an <c>argparse.Namespace</c>, the way MAE's training checkpoints carry
    /// their settings (tests write such files without Python).
    /// </summary>
    internal static void Write(string path, IEnumerable<KeyValuePair<string, Tensor>> tensors, IReadOnlyDictionary<string, string>? metadata,
        IReadOnlyDictionary<string, object>? args)
    {
        var copies = new List<Tensor>();
        try
        {
            var model = new Hashtable();
            foreach (var (name, t) in tensors)
            {
                var c = t.detach().cpu().contiguous();
                copies.Add(c);
                model.Add(name, c);
            }
            var top = new Hashtable { ["model"] = model };
            if (metadata is { Count: > 0 })
            {
                var meta = new Hashtable();
                foreach (var (k, v) in metadata)
                {
                    meta[k] = v;
                }
                top[MetadataEntry] = meta;
            }
            if (args is not null)
            {
                top["args"] = new ArgsNamespace(args);
            }
            using var pickled = new MemoryStream();
            PyTorchPickler.PickleStateDict(pickled, top, leaveOpen: true);
            pickled.Position = 0;
            WeightsFile.Write(path, stream => Store(pickled, stream));
        }
        finally
        {
            foreach (var c in copies)
            {
                c.Dispose();
            }
        }
    }

    /// <summary>Re-packs PyBridge's (deflated) archive with stored entries, the way torch.save writes its own.</summary>
    private static void Store(Stream source, Stream destination)
    {
        using var input = new ZipArchive(source, ZipArchiveMode.Read, leaveOpen: true);
        using var output = new ZipArchive(destination, ZipArchiveMode.Create, leaveOpen: true);
        foreach (var entry in input.Entries)
        {
            var copy = output.CreateEntry(entry.FullName, CompressionLevel.NoCompression);
            using var from = entry.Open();
            using var to = copy.Open();
            from.CopyTo(to);
        }
    }

    /// <summary>
    /// Checks that the file is a complete zip whose every entry matches its CRC-32: .NET's zip reader does not
    /// check CRCs, and a damaged tensor would otherwise load silently.
    /// </summary>
    private static void VerifyArchive(FileStream file, string path)
    {
        Span<byte> head = stackalloc byte[4];
        int got = file.ReadAtLeast(head, 4, throwOnEndOfStream: false);
        if (got == 0)
        {
            throw new CheckpointException(path, "is empty");
        }
        if (got < 4 || !head.SequenceEqual("PK\x03\x04"u8))
        {
            throw new CheckpointException(path, head[0] == 0x80
                ? "was written by torch.save's legacy (pre-1.6) format, which this build does not read; re-save it with PyTorch ≥ 1.6"
                : "is not a PyTorch zip checkpoint");
        }
        file.Position = 0;
        try
        {
            using var zip = new ZipArchive(file, ZipArchiveMode.Read, leaveOpen: true);
            var buffer = new byte[1 << 20];
            foreach (var entry in zip.Entries)
            {
                // .NET's zip reader does not check the stored CRC-32, so flipped bytes would otherwise load silently.
                var crc = new System.IO.Hashing.Crc32();
                using var s = entry.Open();
                long total = 0;
                int n;
                while ((n = s.Read(buffer, 0, buffer.Length)) > 0)
                {
                    crc.Append(buffer.AsSpan(0, n));
                    total += n;
                }
                if (total != entry.Length || crc.GetCurrentHashAsUInt32() != entry.Crc32)
                {
                    throw new CheckpointException(path, $"is corrupted: archive entry '{entry.FullName}' fails its CRC-32 check");
                }
            }
        }
        catch (InvalidDataException e)
        {
            // A cut file loses the zip's central directory at its end.
            throw new CheckpointException(path, $"is truncated or corrupted (not a readable zip archive: {e.Message})", e);
        }
    }

    private static LoadedWeights Select(Hashtable top, string path)
    {
        var notes = new List<string>();
        Hashtable? stateDict = null;
        foreach (string entry in StateDictEntries)
        {
            if (top[entry] is Hashtable h)
            {
                stateDict = h;
                notes.Add($"state dict taken from the '{entry}' entry");
                break;
            }
        }
        if (stateDict is null && top.Count > 0 && top.Values.Cast<object?>().All(v => v is Tensor))
        {
            stateDict = top;
        }
        var topKeys = top.Keys.Cast<object>().Select(k => k.ToString() ?? "").Order(StringComparer.Ordinal).ToList();
        if (stateDict is null)
        {
            DisposeTensors(top, []);
            throw new CheckpointException(path,
                $"holds no state dict: expected a 'model' or 'state_dict' entry or a bare {{name: tensor}} dict; top-level entries: {string.Join(", ", topKeys)}");
        }

        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (DictionaryEntry kv in stateDict)
        {
            if (kv.Key is string name && kv.Value is Tensor t)
            {
                tensors[name] = t;
            }
        }
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!ReferenceEquals(stateDict, top))
        {
            CollectMetadata(top, metadata);
            var others = topKeys.Where(k => top[k] != stateDict).ToList();
            if (others.Count > 0)
            {
                notes.Add($"other entries not used: {string.Join(", ", others)}");
            }
        }
        DisposeTensors(top, tensors.Values.ToHashSet());
        var ordered = tensors.OrderBy(kv => kv.Key, StringComparer.Ordinal).ToDictionary(StringComparer.Ordinal);
        return new LoadedWeights(path, WeightsFormat.PyTorch, ordered, metadata, notes);
    }

    /// <summary>Our own export's configuration, and the plain fields of MAE's <c>args</c> (e.g. norm_pix_loss).</summary>
    private static void CollectMetadata(Hashtable top, Dictionary<string, string> metadata)
    {
        if (top[MetadataEntry] is Hashtable ours)
        {
            foreach (DictionaryEntry kv in ours)
            {
                if (Scalar(kv.Value) is { } text)
                {
                    metadata[$"{MetadataEntry}.{kv.Key}"] = text;
                }
            }
        }
        if (top["args"] is ClassDict args)
        {
            foreach (var (k, v) in args)
            {
                if (Scalar(v) is { } text)
                {
                    metadata["args." + k] = text;
                }
            }
        }
    }

    /// <summary>An argparse.Namespace to pickle: its attributes.</summary>
    private sealed class ArgsNamespace(IReadOnlyDictionary<string, object> values)
    {
        static ArgsNamespace() => Razorvine.Pickle.Pickler.registerCustomPickler(typeof(ArgsNamespace), new NamespacePickler());

        public Hashtable State { get; } = new(values.ToDictionary(kv => kv.Key, kv => kv.Value));
    }

    /// <summary>Pickles <see cref="ArgsNamespace"/> as Python does an argparse.Namespace: argparse.Namespace() then its __dict__.</summary>
    private sealed class NamespacePickler : Razorvine.Pickle.IObjectPickler
    {
        public void pickle(object o, Stream outs, Razorvine.Pickle.Pickler currentPickler)
        {
            outs.WriteByte(Razorvine.Pickle.Opcodes.GLOBAL);
            outs.Write("argparse\nNamespace\n"u8);
            outs.WriteByte(Razorvine.Pickle.Opcodes.EMPTY_TUPLE);
            outs.WriteByte(Razorvine.Pickle.Opcodes.NEWOBJ);
            currentPickler.save(((ArgsNamespace)o).State);
            outs.WriteByte(Razorvine.Pickle.Opcodes.BUILD);
        }
    }

    private static string? Scalar(object? value) => value switch
    {
        string s => s,
        bool b => b ? "true" : "false",
        int or long or double or float => Convert.ToString(value, CultureInfo.InvariantCulture),
        _ => null,
    };

    /// <summary>Frees every tensor in the unpickled object graph (optimizer state, EMA copies, …) except those kept.</summary>
    private static void DisposeTensors(object? node, HashSet<Tensor> keep)
    {
        switch (node)
        {
            case Tensor t when !keep.Contains(t):
                t.Dispose();
                break;
            case IDictionary d:
                foreach (var v in d.Values)
                {
                    DisposeTensors(v, keep);
                }
                break;
            case IEnumerable e and not string:
                foreach (var v in e)
                {
                    DisposeTensors(v, keep);
                }
                break;
        }
    }
}
