namespace AmtSharp.Data.Sources;

/// <summary>
/// Tiny ImageNet: train/&lt;wnid&gt;/images/*.JPEG and val/images/*.JPEG labelled by val/val_annotations.txt.
/// Classes are the wnids of wnids.txt in ordinal order; <see cref="IImageSource.ClassNames"/> gives readable names from words.txt.
/// </summary>
public sealed class TinyImageNetSource : FileImageSource
{
    private TinyImageNetSource(string name, string[] classNames, string[] wnids, string[] paths, int[] labels, IReadOnlyList<SkippedFile> skipped)
        : base(name, classNames, paths, labels, skipped)
    {
        Wnids = wnids;
    }

    /// <summary>WordNet ids by label id.</summary>
    public IReadOnlyList<string> Wnids { get; }

    public static TinyImageNetSource Open(string root, bool train)
    {
        ImageFiles.RequireFolder(root);
        string wnidFile = Path.Combine(root, "wnids.txt");
        ImageFiles.RequireFile(wnidFile, "Tiny ImageNet class list");
        string[] wnids = PlanarRecords.ReadNames(wnidFile).Order(StringComparer.Ordinal).ToArray();
        var labelOf = wnids.Select((w, i) => (w, i)).ToDictionary(p => p.w, p => p.i);
        string[] names = ReadableNames(Path.Combine(root, "words.txt"), wnids);

        var samples = new List<(string Path, int Label)>();
        var skipped = new List<SkippedFile>();
        if (train)
        {
            foreach (string wnid in wnids)
            {
                string dir = Path.Combine(root, "train", wnid, "images");
                if (Directory.Exists(dir))
                {
                    var (files, bad) = ImageFiles.List(dir);
                    samples.AddRange(files.Select(p => (p, labelOf[wnid])));
                    skipped.AddRange(bad);
                }
            }
        }
        else
        {
            string annotations = Path.Combine(root, "val", "val_annotations.txt");
            ImageFiles.RequireFile(annotations, "Tiny ImageNet validation labels");
            foreach (string line in File.ReadLines(annotations))
            {
                string[] parts = line.Split('\t');
                if (parts.Length < 2)
                {
                    continue;
                }
                if (!labelOf.TryGetValue(parts[1], out int label))
                {
                    throw new DataException(annotations, $"unknown wnid '{parts[1]}' for {parts[0]}");
                }
                string image = Path.Combine(root, "val", "images", parts[0]);
                if (FileKind.Problem(image) is { } problem)
                {
                    skipped.Add(new SkippedFile(image, problem));
                }
                else
                {
                    samples.Add((image, label));
                }
            }
            samples.Sort((a, b) => StringComparer.Ordinal.Compare(a.Path, b.Path));
        }
        if (samples.Count == 0)
        {
            throw new DataException(root, $"no Tiny ImageNet {(train ? "train" : "val")} images");
        }
        return new TinyImageNetSource(train ? "tiny-imagenet-train" : "tiny-imagenet-val", names, wnids,
            [.. samples.Select(s => s.Path)], [.. samples.Select(s => s.Label)], skipped);
    }

    /// <summary>Readable name per wnid from words.txt ("wnid\tname, synonym, ..."), falling back to the wnid.</summary>
    private static string[] ReadableNames(string wordsFile, string[] wnids)
    {
        var words = new Dictionary<string, string>(StringComparer.Ordinal);
        if (File.Exists(wordsFile))
        {
            foreach (string line in File.ReadLines(wordsFile))
            {
                int tab = line.IndexOf('\t');
                if (tab > 0)
                {
                    words[line[..tab]] = line[(tab + 1)..].Trim();
                }
            }
        }
        return wnids.Select(w => words.GetValueOrDefault(w, w)).ToArray();
    }
}
