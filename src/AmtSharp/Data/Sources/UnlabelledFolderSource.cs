namespace AmtSharp.Data.Sources;

/// <summary>Every image file below a root, recursively, sorted ordinally by path; no labels.</summary>
public sealed class UnlabelledFolderSource : FileImageSource
{
    private UnlabelledFolderSource(string name, string[] paths, IReadOnlyList<SkippedFile> skipped)
        : base(name, [], paths, null, skipped)
    {
    }

    public static UnlabelledFolderSource Open(string root)
    {
        ImageFiles.RequireFolder(root);
        var (files, skipped) = ImageFiles.List(root);
        if (files.Count == 0)
        {
            throw new DataException(root, "no image files below folder");
        }
        return new UnlabelledFolderSource(Path.GetFileName(Path.TrimEndingDirectorySeparator(root)), [.. files], skipped);
    }
}
