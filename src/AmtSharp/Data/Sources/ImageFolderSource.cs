namespace AmtSharp.Data.Sources;

/// <summary>
/// torchvision's ImageFolder layout: root/&lt;class&gt;/**/&lt;image&gt;. Classes are the sub-folders in ordinal order;
/// files are sorted ordinally within a class. Indexing lists names only, it never decodes.
/// An empty class folder keeps its label id (so train and test splits agree on ids) but has no samples.
/// </summary>
public sealed class ImageFolderSource : FileImageSource
{
    private ImageFolderSource(string name, IReadOnlyList<string> classes, string[] paths, int[] labels, IReadOnlyList<string> emptyClasses,
        IReadOnlyList<SkippedFile> skipped)
        : base(name, classes, paths, labels, skipped)
    {
        EmptyClasses = emptyClasses;
    }

    /// <summary>Class folders that held no image files.</summary>
    public IReadOnlyList<string> EmptyClasses { get; }

    /// <summary>The class folder names below <paramref name="root"/>, ordinally sorted.</summary>
    public static string[] ClassFolders(string root) =>
        [.. Directory.GetDirectories(root).Select(d => Path.GetFileName(d)!).Order(StringComparer.Ordinal)];

    /// <summary>
    /// Opens <paramref name="root"/>. With <paramref name="classes"/> (another split's classes) labels are those
    /// classes' ids, matched by folder name, so a split that lacks a class still agrees with the other on every id.
    /// </summary>
    public static ImageFolderSource Open(string root, IReadOnlyList<string>? classes = null)
    {
        ImageFiles.RequireFolder(root);
        string[] folders = ClassFolders(root);
        IReadOnlyList<string> names = classes ?? folders;
        var labelOf = names.Select((n, i) => (n, i)).ToDictionary(p => p.n, p => p.i, StringComparer.Ordinal);
        var paths = new List<string>();
        var labels = new List<int>();
        var skipped = new List<SkippedFile>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (string folder in folders)
        {
            if (!labelOf.TryGetValue(folder, out int label))
            {
                throw new DataException(Path.Combine(root, folder), "folder is not one of the training split's classes");
            }
            var (files, bad) = ImageFiles.List(Path.Combine(root, folder));
            skipped.AddRange(bad);
            if (files.Count > 0)
            {
                seen.Add(folder);
            }
            paths.AddRange(files);
            labels.AddRange(Enumerable.Repeat(label, files.Count));
        }
        if (paths.Count == 0)
        {
            throw new DataException(root, folders.Length == 0
                ? "no class folders (expected root/<class>/<image>)"
                : "no image files in any class folder");
        }
        return new ImageFolderSource(Path.GetFileName(Path.TrimEndingDirectorySeparator(root)), names, [.. paths], [.. labels],
            [.. names.Where(n => !seen.Contains(n))], skipped);
    }
}
