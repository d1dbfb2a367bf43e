namespace AmtSharp.Data.Sources;

/// <summary>Image files found below a folder, and those skipped because they are not regular files.</summary>
public sealed record ImageListing(List<string> Files, List<SkippedFile> Skipped);

/// <summary>Finding image files on disk: which extensions count, and listing them in a stable order.</summary>
public static class ImageFiles
{
    /// <summary>Extensions we index (case-insensitive). Anything else in a folder is ignored.</summary>
    public static readonly IReadOnlySet<string> Extensions =
        new HashSet<string>(StringComparer.OrdinalIgnoreCase) { ".jpg", ".jpeg", ".png", ".bmp", ".webp", ".gif" };

    public static bool IsImagePath(string path) => Extensions.Contains(Path.GetExtension(path));

    /// <summary>
    /// Every image file below <paramref name="folder"/> (recursively), sorted ordinally by path. No decoding, no
    /// opening: FIFOs, sockets, devices and broken links with an image name are listed as skipped instead.
    /// </summary>
    public static ImageListing List(string folder)
    {
        var files = new List<string>();
        var skipped = new List<SkippedFile>();
        foreach (string f in Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories))
        {
            if (IsImagePath(f))
            {
                Add(f, files, skipped);
            }
        }
        files.Sort(StringComparer.Ordinal);
        skipped.Sort((a, b) => StringComparer.Ordinal.Compare(a.Path, b.Path));
        return new ImageListing(files, skipped);
    }

    /// <summary>Adds <paramref name="path"/> to <paramref name="files"/> if it is a regular file, else to <paramref name="skipped"/>.</summary>
    public static void Add(string path, List<string> files, List<SkippedFile> skipped)
    {
        if (FileKind.Problem(path) is { } problem)
        {
            skipped.Add(new SkippedFile(path, problem));
        }
        else
        {
            files.Add(path);
        }
    }

    /// <summary>Throws a <see cref="DataException"/> naming the file unless it is a regular file; never opens it.</summary>
    public static void RequireRegularFile(string path)
    {
        if (FileKind.Problem(path) is { } problem)
        {
            throw new DataException(path, problem);
        }
    }

    /// <summary>Throws <see cref="DataException"/> if the folder does not exist.</summary>
    public static void RequireFolder(string folder, string what = "dataset root")
    {
        if (!Directory.Exists(folder))
        {
            throw new DataException(folder, File.Exists(folder) ? $"{what} is a file, not a folder" : $"{what} does not exist");
        }
    }

    public static void RequireFile(string file, string what)
    {
        if (!File.Exists(file))
        {
            throw new DataException(file, $"{what} not found");
        }
    }
}
