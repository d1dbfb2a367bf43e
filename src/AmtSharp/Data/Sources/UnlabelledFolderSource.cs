namespace AmtSharp.Data.Sources;

/// <summary>Every image file below a root, recursively, sorted ordinally by path; no labels.</summary>
public sealed class UnlabelledFolderSource : FileImageSource
{
    private UnlabelledFolderSource(string name, string[] paths)
        : base(name, [], paths, null)
    {
    }

    public static UnlabelledFolderSource Open(string root)
    {
        ImageFiles.RequireFolder(root);
        List<string> files = ImageFiles.ListRecursive(root);
        if (files.Count == 0)
        {
            throw new DataException(root, "no image files below folder");
        }
        return new UnlabelledFolderSource(Path.GetFileName(Path.TrimEndingDirectorySeparator(root)), [.. files]);
    }
}
