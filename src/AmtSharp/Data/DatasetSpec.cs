using AmtSharp.Core;
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

/// <summary>An opened split: its name (train, test, val, ...) and its images.</summary>
public sealed record DatasetSplit(string Name, IImageSource Source, int Available)
{
    public bool Labelled => Source.ClassNames.Count > 0;

    public SplitSummary Summary => new(Name, Source.Count, Available, Source.ClassNames.Count, Labelled, Source.SkippedFiles.Count);
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
    /// <summary>
    /// A spec for <paramref name="root"/> in the given format, or with the layout detected from its files when
    /// <paramref name="format"/> is null (the synthetic set when there is no root either).
    /// </summary>
    public static DatasetSpec For(string? root, DatasetFormat? format, int limit = 0, int size = 32, long seed = 0) =>
        new(format ?? (root is null ? DatasetFormat.Synthetic : DatasetLayout.Detect(root)), root, limit, size, seed);

    /// <summary>The format's --data-format name.</summary>
    public string FormatName => Format.ToString().ToLowerInvariant();

    /// <summary>
    /// What reports call the dataset: the folder's name, or its parent's when the folder is itself a split
    /// (train, test, val), so a report is never titled "train".
    /// </summary>
    public string Title
    {
        get
        {
            if (Format == DatasetFormat.Synthetic || string.IsNullOrWhiteSpace(Root))
            {
                return "synthetic shapes";
            }
            string full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(Root));
            string name = Path.GetFileName(full);
            string? parent = Path.GetFileName(Path.GetDirectoryName(full));
            return name is "train" or "test" or "val" && !string.IsNullOrEmpty(parent) ? $"{parent}/{name}" : name;
        }
    }

    public IImageSource OpenTrain() => OpenTrainSplit().Source;

    public IImageSource OpenTest() => OpenTestSplit().Source;

    /// <summary>The training split (after <see cref="Limit"/>).</summary>
    public DatasetSplit OpenTrainSplit()
    {
        var (name, source) = Format switch
        {
            DatasetFormat.Synthetic => ("train", (IImageSource)SyntheticShapesSource.Train(Seed, Limit > 0 ? Limit : 5000, Size, style: Style)),
            DatasetFormat.Folder => FolderTrain(RequireRoot()),
            DatasetFormat.Unlabelled => ("images", UnlabelledFolderSource.Open(RequireRoot())),
            DatasetFormat.Cifar10 => ("train", CifarSource.Cifar10(RequireRoot(), train: true)),
            DatasetFormat.Cifar100 => ("train", CifarSource.Cifar100(RequireRoot(), train: true)),
            DatasetFormat.Stl10 => ("train", Stl10Source.Open(RequireRoot(), Stl10Split.Train)),
            DatasetFormat.TinyImageNet => ("train", TinyImageNetSource.Open(RequireRoot(), train: true)),
            _ => throw new ConfigException(nameof(Format), $"unknown format {Format}"),
        };
        bool subset = Limit > 0 && Format != DatasetFormat.Synthetic && Limit < source.Count;
        return new DatasetSplit(name, subset ? new SubsetSource(source, Limit) : source, source.Count);
    }

    /// <summary>
    /// The labelled split that measures accuracy. A split without labels is never used: Tiny ImageNet evaluates on
    /// val/ (labelled by val_annotations.txt), an ImageFolder on test/ or val/ whichever has the training classes'
    /// folders; with none, this throws naming the split.
    /// </summary>
    public DatasetSplit OpenTestSplit()
    {
        var (name, source) = Format switch
        {
            DatasetFormat.Synthetic => ("test", (IImageSource)SyntheticShapesSource.Test(Seed, TestCount, Size, style: Style)),
            DatasetFormat.Folder => FolderTest(RequireRoot()),
            DatasetFormat.Cifar10 => ("test", CifarSource.Cifar10(RequireRoot(), train: false)),
            DatasetFormat.Cifar100 => ("test", CifarSource.Cifar100(RequireRoot(), train: false)),
            DatasetFormat.Stl10 => ("test", Stl10Source.Open(RequireRoot(), Stl10Split.Test)),
            DatasetFormat.TinyImageNet => ("val", TinyImageNetSource.Open(RequireRoot(), train: false)),
            _ => throw new DataException(RequireRoot(), "holds unlabelled images only; accuracy needs a labelled split (root/train/<class>/… and root/test/<class>/…)"),
        };
        return new DatasetSplit(name, source, source.Count);
    }

    /// <summary>
    /// Every split the folder holds, labelled or not, training first (for `amt data inspect`): an ImageFolder's
    /// test/ and val/, Tiny ImageNet's val/ and unlabelled test/, STL-10's unlabeled images, the binaries' test files.
    /// </summary>
    public IReadOnlyList<DatasetSplit> OpenAllSplits()
    {
        var splits = new List<DatasetSplit> { OpenTrainSplit() };
        if (Format is DatasetFormat.Synthetic)
        {
            splits.Add(OpenTestSplit());
            return splits;
        }
        string root = RequireRoot();
        switch (Format)
        {
            case DatasetFormat.Folder when Directory.Exists(Path.Combine(root, "train")):
                string[] classes = ImageFolderSource.ClassFolders(Path.Combine(root, "train"));
                foreach (string name in (string[])["test", "val"])
                {
                    string split = Path.Combine(root, name);
                    if (Directory.Exists(split) && Directory.EnumerateFiles(split, "*", SearchOption.AllDirectories).Any(ImageFiles.IsImagePath))
                    {
                        string[] folders = ImageFolderSource.ClassFolders(split);
                        IImageSource source = folders.Length > 0 && folders.All(f => classes.Contains(f, StringComparer.Ordinal))
                            ? ImageFolderSource.Open(split, classes)
                            : UnlabelledFolderSource.Open(split);
                        splits.Add(new DatasetSplit(name, source, source.Count));
                    }
                }
                break;
            case DatasetFormat.Cifar10 when File.Exists(Path.Combine(PlanarRecords.ResolveFolder(root, "cifar-10-batches-bin", "batches.meta.txt"), "test_batch.bin")):
            case DatasetFormat.Cifar100 when File.Exists(Path.Combine(PlanarRecords.ResolveFolder(root, "cifar-100-binary", "fine_label_names.txt"), "test.bin")):
            case DatasetFormat.Stl10 when File.Exists(Path.Combine(PlanarRecords.ResolveFolder(root, "stl10_binary", "class_names.txt"), "test_X.bin")):
            case DatasetFormat.TinyImageNet when File.Exists(Path.Combine(root, "val", "val_annotations.txt")):
                splits.Add(OpenTestSplit());
                break;
        }
        if (Format == DatasetFormat.Stl10 && File.Exists(Path.Combine(PlanarRecords.ResolveFolder(root, "stl10_binary", "class_names.txt"), "unlabeled_X.bin")))
        {
            var unlabeled = Stl10Source.Open(root, Stl10Split.Unlabeled);
            splits.Add(new DatasetSplit("unlabeled", unlabeled, unlabeled.Count));
        }
        if (Format == DatasetFormat.TinyImageNet && Directory.Exists(Path.Combine(root, "test", "images")))
        {
            var test = UnlabelledFolderSource.Open(Path.Combine(root, "test", "images"));
            splits.Add(new DatasetSplit("test", test, test.Count));
        }
        return splits;
    }

    public override string ToString() => Format == DatasetFormat.Synthetic ? $"synthetic (seed {Seed}, {Size} px)" : $"{Format} at {Root}";

    /// <summary>root/train when there is one, else the folder itself.</summary>
    private static (string, IImageSource) FolderTrain(string root)
    {
        string train = Path.Combine(root, "train");
        return Directory.Exists(train) ? ("train", ImageFolderSource.Open(train)) : (Path.GetFileName(Path.TrimEndingDirectorySeparator(root)), ImageFolderSource.Open(root));
    }

    // test/ or val/, the first whose folders are all classes of the training split; labels follow the training split's ids.
    private static (string, IImageSource) FolderTest(string root)
    {
        string train = Path.Combine(root, "train");
        if (!Directory.Exists(train))
        {
            throw new DataException(root, "has no train/ and test/ (or val/) folders, so no split to evaluate on");
        }
        string[] classes = ImageFolderSource.ClassFolders(train);
        var unlabelled = new List<string>();
        foreach (string name in (string[])["test", "val"])
        {
            string split = Path.Combine(root, name);
            if (!Directory.Exists(split))
            {
                continue;
            }
            string[] folders = ImageFolderSource.ClassFolders(split);
            if (folders.Length > 0 && folders.All(f => classes.Contains(f, StringComparer.Ordinal)))
            {
                return (name, ImageFolderSource.Open(split, classes));
            }
            unlabelled.Add(split);
        }
        if (unlabelled.Count == 0)
        {
            throw new DataException(root, "has no test/ or val/ folder for evaluation");
        }
        throw new DataException(unlabelled[0], $"has no labels: its folders are not the classes of {train}, so it cannot measure accuracy"
            + (File.Exists(Path.Combine(root, "wnids.txt")) ? $" (this is Tiny ImageNet: use {Setting.Mention("Format")} tinyimagenet, which evaluates on val/)" : ""));
    }

    private string RequireRoot()
    {
        if (string.IsNullOrWhiteSpace(Root))
        {
            throw new ConfigException(nameof(Root), $"the {FormatName} format needs a folder ({nameof(Root)})", nameof(Root));
        }
        if (!Directory.Exists(Root))
        {
            throw new DataException(Root, "data folder does not exist");
        }
        return Root;
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

    public IReadOnlyList<SkippedFile> SkippedFiles => inner.SkippedFiles;

    public int LabelOf(int index) => inner.LabelOf(map[index]);

    public RgbImage Load(int index) => inner.Load(map[index]);

    public RgbImage Load(int index, int minShortSide) => inner.Load(map[index], minShortSide);

    public string Describe(int index) => inner.Describe(map[index]);
}
