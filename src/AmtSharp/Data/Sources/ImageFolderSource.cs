namespace AmtSharp.Data.Sources;

/// <summary>
/// torchvision's ImageFolder layout: root/&lt;class&gt;/**/&lt;image&gt;. Classes are the sub-folders in ordinal order;
/// files are sorted ordinally within a class. Indexing lists names only, it never decodes.
/// An empty class folder keeps its label id (so train and test splits agree on ids) but has no samples.
/// </summary>
public sealed class ImageFolderSource : FileImageSource
{
    private ImageFolderSource(string name, IReadOnlyList<string> classes, string[] paths, int[] labels, IReadOnlyList<string> emptyClasses)
        : base(name, classes, paths, labels)
    {
        EmptyClasses = emptyClasses;
    }

    /// <summary>Class folders that held no image files.</summary>
    public IReadOnlyList<string> EmptyClasses { get; }

    public static ImageFolderSource Open(string root)
    {
        ImageFiles.RequireFolder(root);
        var classDirs = Directory.GetDirectories(root).OrderBy(Path.GetFileName, StringComparer.Ordinal).ToArray();
        var classes = classDirs.Select(d => Path.GetFileName(d)!).ToArray();
        var paths = new List<string>();
        var labels = new List<int>();
        var empty = new List<string>();
        for (int c = 0; c < classDirs.Length; c++)
        {
            List<string> files = ImageFiles.ListRecursive(classDirs[c]);
            if (files.Count == 0)
            {
                empty.Add(classes[c]);
            }
            paths.AddRange(files);
            labels.AddRange(Enumerable.Repeat(c, files.Count));
        }
        if (paths.Count == 0)
        {
            throw new DataException(root, classDirs.Length == 0
                ? "no class folders (expected root/<class>/<image>)"
                : "no image files in any class folder");
        }
        return new ImageFolderSource(Path.GetFileName(Path.TrimEndingDirectorySeparator(root)), classes, [.. paths], [.. labels], empty);
    }
}
