namespace AmtSharp.Data.Sources;

/// <summary>Which CIFAR-100 label to report.</summary>
public enum Cifar100Labels
{
    Fine,
    Coarse,
}

/// <summary>
/// CIFAR-10 / CIFAR-100 in the official binary format, held in memory (CIFAR-10 train is 150 MB).
/// A record is the label byte(s) followed by 3072 bytes: the 32x32 R plane, then G, then B.
/// </summary>
public sealed class CifarSource : IImageSource
{
    private const int Side = 32;
    private const int PixelBytes = 3 * Side * Side;

    private readonly List<(string File, byte[] Data)> _files;
    private readonly int _recordSize;
    private readonly int _labelOffset;
    private readonly int _recordsPerFile;

    private CifarSource(string name, string[] classes, List<(string, byte[])> files, int labelBytes, int labelOffset)
    {
        Name = name;
        ClassNames = classes;
        _files = files;
        _recordSize = labelBytes + PixelBytes;
        _labelOffset = labelOffset;
        _recordsPerFile = files[0].Item2.Length / _recordSize;
        foreach ((string file, byte[] data) in files)
        {
            if (data.Length / _recordSize != _recordsPerFile)
            {
                throw new DataException(file, $"expected {_recordsPerFile} records like the first batch file");
            }
        }
        Count = _recordsPerFile * files.Count;
        for (int i = 0; i < Count; i++)
        {
            if (LabelOf(i) >= classes.Length)
            {
                throw new DataException(Describe(i), $"label {LabelOf(i)} out of range for {classes.Length} classes");
            }
        }
    }

    public int Count { get; }
    public string Name { get; }
    public IReadOnlyList<string> ClassNames { get; }

    /// <summary>CIFAR-10 from <c>cifar-10-batches-bin</c> (or its parent): data_batch_1..5.bin or test_batch.bin.</summary>
    public static CifarSource Cifar10(string root, bool train)
    {
        string dir = PlanarRecords.ResolveFolder(root, "cifar-10-batches-bin", "batches.meta.txt");
        string meta = Path.Combine(dir, "batches.meta.txt");
        ImageFiles.RequireFile(meta, "CIFAR-10 class list");
        string[] names = train ? [.. Enumerable.Range(1, 5).Select(i => $"data_batch_{i}.bin")] : ["test_batch.bin"];
        var files = names.Select(n => Path.Combine(dir, n)).Select(f => (f, PlanarRecords.ReadRecords(f, 1 + PixelBytes))).ToList();
        return new CifarSource(train ? "cifar10-train" : "cifar10-test", PlanarRecords.ReadNames(meta), files, 1, 0);
    }

    /// <summary>CIFAR-100 from <c>cifar-100-binary</c> (or its parent): train.bin or test.bin; records are coarse byte, fine byte, pixels.</summary>
    public static CifarSource Cifar100(string root, bool train, Cifar100Labels labels = Cifar100Labels.Fine)
    {
        string dir = PlanarRecords.ResolveFolder(root, "cifar-100-binary", "fine_label_names.txt");
        string namesFile = Path.Combine(dir, labels == Cifar100Labels.Fine ? "fine_label_names.txt" : "coarse_label_names.txt");
        ImageFiles.RequireFile(namesFile, "CIFAR-100 class list");
        string file = Path.Combine(dir, train ? "train.bin" : "test.bin");
        var files = new List<(string, byte[])> { (file, PlanarRecords.ReadRecords(file, 2 + PixelBytes)) };
        string name = (train ? "cifar100-train" : "cifar100-test") + (labels == Cifar100Labels.Coarse ? "-coarse" : "");
        return new CifarSource(name, PlanarRecords.ReadNames(namesFile), files, 2, labels == Cifar100Labels.Fine ? 1 : 0);
    }

    public int LabelOf(int index)
    {
        (byte[] data, int offset) = Record(index);
        return data[offset + _labelOffset];
    }

    public RgbImage Load(int index)
    {
        (byte[] data, int offset) = Record(index);
        return PlanarRecords.FromRowMajorPlanes(data.AsSpan(offset + _recordSize - PixelBytes, PixelBytes), Side);
    }

    public string Describe(int index) => $"{_files[index / _recordsPerFile].File}#{index % _recordsPerFile}";

    private (byte[] Data, int Offset) Record(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
        return (_files[index / _recordsPerFile].Data, index % _recordsPerFile * _recordSize);
    }
}
