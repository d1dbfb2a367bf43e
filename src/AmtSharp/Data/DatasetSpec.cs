using AmtSharp.Data.Sources;

namespace AmtSharp.Data;

/// <summary>Dataset layouts the command line can open.</summary>
public enum DatasetFormat
{
    /// <summary>Embedded synthetic shapes (no files).</summary>
    Synthetic,

    /// <summary>root/&lt;class&gt;/&lt;image&gt;, or root/train and root/test (or val) of that layout.</summary>
    Folder,

    /// <summary>Every image below root, unlabelled (pretraining only).</summary>
    Unlabelled,
    Cifar10,
    Cifar100,
    Stl10,
    TinyImageNet,
}

/// <summary>Where the images are and how they are laid out; opens the train and test splits.</summary>
/// <param name="Format">The layout.</param>
/// <param name="Root">Folder (ignored for synthetic).</param>
/// <param name="Limit">Use only the first N training images (0 = all); for the synthetic set, the train size.</param>
/// <param name="Size">Synthetic image side in pixels.</param>
/// <param name="Seed">Synthetic dataset seed.</param>
/// <param name="TestCount">Synthetic test-split size.</param>
/// <param name="Style">Synthetic image style (the demo's is plain).</param>
public sealed record DatasetSpec(DatasetFormat Format = DatasetFormat.Synthetic, string? Root = null, int Limit = 0,
    int Size = 32, long Seed = 0, int TestCount = 1000, SyntheticStyle Style = SyntheticStyle.Cluttered)
{
    public IImageSource OpenTrain()
    {
        IImageSource source = Format switch
        {
            DatasetFormat.Synthetic => SyntheticShapesSource.Train(Seed, Limit > 0 ? Limit : 5000, Size, style: Style),
            DatasetFormat.Folder => ImageFolderSource.Open(SplitFolder(RequireRoot(), "train")),
            DatasetFormat.Unlabelled => UnlabelledFolderSource.Open(RequireRoot()),
            DatasetFormat.Cifar10 => CifarSource.Cifar10(RequireRoot(), train: true),
            DatasetFormat.Cifar100 => CifarSource.Cifar100(RequireRoot(), train: true),
            DatasetFormat.Stl10 => Stl10Source.Open(RequireRoot(), Stl10Split.Train),
            DatasetFormat.TinyImageNet => TinyImageNetSource.Open(RequireRoot(), train: true),
            _ => throw new ConfigException("data-format", $"unknown format {Format}"),
        };
        return Limit > 0 && Format != DatasetFormat.Synthetic && Limit < source.Count ? new SubsetSource(source, Limit) : source;
    }

    public IImageSource OpenTest() => Format switch
    {
        DatasetFormat.Synthetic => (IImageSource)SyntheticShapesSource.Test(Seed, TestCount, Size, style: Style),
        DatasetFormat.Folder => ImageFolderSource.Open(SplitFolder(RequireRoot(), "test")),
        DatasetFormat.Cifar10 => CifarSource.Cifar10(RequireRoot(), train: false),
        DatasetFormat.Cifar100 => CifarSource.Cifar100(RequireRoot(), train: false),
        DatasetFormat.Stl10 => Stl10Source.Open(RequireRoot(), Stl10Split.Test),
        DatasetFormat.TinyImageNet => TinyImageNetSource.Open(RequireRoot(), train: false),
        _ => throw new ConfigException("data-format", $"{Format} has no labelled test split"),
    };

    public override string ToString() => Format == DatasetFormat.Synthetic ? $"synthetic (seed {Seed}, {Size} px)" : $"{Format} at {Root}";

    private string RequireRoot()
    {
        if (string.IsNullOrWhiteSpace(Root))
        {
            throw new ConfigException("data", $"the {Format} format needs a folder");
        }
        if (!Directory.Exists(Root))
        {
            throw new DataException(Root, "data folder does not exist");
        }
        return Root;
    }

    // A folder with train/ and test/ (or val/) holds both splits; otherwise the folder itself is the training split.
    private static string SplitFolder(string root, string split)
    {
        string[] names = split == "train" ? ["train"] : ["test", "val"];
        foreach (var name in names)
        {
            string path = Path.Combine(root, name);
            if (Directory.Exists(path))
            {
                return path;
            }
        }
        if (split == "train")
        {
            return root;
        }
        throw new DataException(root, "has no test/ or val/ folder for evaluation");
    }
}

/// <summary>A class-balanced first-N view of a source: every k-th image in index order.</summary>
internal sealed class SubsetSource : IImageSource
{
    private readonly IImageSource inner;
    private readonly int[] map;

    public SubsetSource(IImageSource inner, int count)
    {
        this.inner = inner;
        // Evenly spaced indices keep the class balance of sorted ImageFolder layouts.
        double stride = (double)inner.Count / count;
        map = Enumerable.Range(0, count).Select(i => (int)(i * stride)).ToArray();
    }

    public int Count => map.Length;

    public string Name => $"{inner.Name}[{map.Length}]";

    public IReadOnlyList<string> ClassNames => inner.ClassNames;

    public int LabelOf(int index) => inner.LabelOf(map[index]);

    public RgbImage Load(int index) => inner.Load(map[index]);

    public RgbImage Load(int index, int minShortSide) => inner.Load(map[index], minShortSide);

    public string Describe(int index) => inner.Describe(map[index]);
}
