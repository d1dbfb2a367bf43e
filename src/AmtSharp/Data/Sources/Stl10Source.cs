using Microsoft.Win32.SafeHandles;

namespace AmtSharp.Data.Sources;

public enum Stl10Split
{
    Train,
    Test,
    Unlabeled,
}

/// <summary>
/// STL-10 binary (<c>stl10_binary</c>): 96x96 images, each three colour planes stored column-major
/// (the Matlab-derived layout). Pixels are read from disk per image (unlabeled_X.bin is 2.7 GB);
/// labels 1..10 in the y files become 0..9.
/// </summary>
public sealed class Stl10Source : IImageSource
{
    private const int Side = 96;
    private const int ImageBytes = 3 * Side * Side;

    private readonly string _imageFile;
    private readonly byte[]? _labels;

    private Stl10Source(string name, string imageFile, int count, byte[]? labels, string[] classes)
    {
        Name = name;
        _imageFile = imageFile;
        Count = count;
        _labels = labels;
        ClassNames = classes;
    }

    public int Count { get; }
    public string Name { get; }
    public IReadOnlyList<string> ClassNames { get; }

    /// <summary>Opens a split from <c>stl10_binary</c> or its parent.</summary>
    public static Stl10Source Open(string root, Stl10Split split)
    {
        string dir = PlanarRecords.ResolveFolder(root, "stl10_binary", "class_names.txt");
        string prefix = split switch { Stl10Split.Train => "train", Stl10Split.Test => "test", _ => "unlabeled" };
        string imageFile = Path.Combine(dir, prefix + "_X.bin");
        ImageFiles.RequireFile(imageFile, "STL-10 image file");
        long length = new FileInfo(imageFile).Length;
        if (length == 0 || length % ImageBytes != 0)
        {
            throw new DataException(imageFile, $"size {length} is not a positive multiple of {ImageBytes}");
        }
        int count = checked((int)(length / ImageBytes));
        if (split == Stl10Split.Unlabeled)
        {
            return new Stl10Source("stl10-unlabeled", imageFile, count, null, []);
        }
        string classFile = Path.Combine(dir, "class_names.txt");
        ImageFiles.RequireFile(classFile, "STL-10 class list");
        string[] classes = PlanarRecords.ReadNames(classFile);
        string labelFile = Path.Combine(dir, prefix + "_y.bin");
        ImageFiles.RequireFile(labelFile, "STL-10 label file");
        byte[] labels = File.ReadAllBytes(labelFile);
        if (labels.Length != count)
        {
            throw new DataException(labelFile, $"{labels.Length} labels for {count} images");
        }
        for (int i = 0; i < labels.Length; i++)
        {
            if (labels[i] < 1 || labels[i] > classes.Length)
            {
                throw new DataException($"{labelFile}#{i}", $"label {labels[i]} outside 1..{classes.Length}");
            }
            labels[i]--;
        }
        return new Stl10Source("stl10-" + prefix, imageFile, count, labels, classes);
    }

    public int LabelOf(int index) => _labels == null ? -1 : _labels[index];

    public RgbImage Load(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
        var planes = new byte[ImageBytes];
        try
        {
            // A handle per call keeps the source stateless and thread-safe; pread does not move a shared position.
            using SafeFileHandle handle = File.OpenHandle(_imageFile);
            int read = RandomAccess.Read(handle, planes, (long)index * ImageBytes);
            if (read != ImageBytes)
            {
                throw new DataException(Describe(index), "short read");
            }
        }
        catch (IOException e)
        {
            throw new DataException(Describe(index), $"cannot read ({e.Message})", e);
        }
        return PlanarRecords.FromColumnMajorPlanes(planes, Side);
    }

    public string Describe(int index) => $"{_imageFile}#{index}";
}
