namespace AmtSharp.Data.Sources;

/// <summary>Finding image files on disk: which extensions count, and listing them in a stable order.</summary>
public static class ImageFiles
{
    /// <summary>Extensions we index (case-insensitive). Anything else in a folder is ignored.</summary>
    public static readonly IReadOnlySet<string> Extensions =
        new HashSet<string>(StringComparer.OrdinalIgnoreCase) { ".jpg", ".jpeg", ".png", ".bmp", ".webp", ".gif" };

    public static bool IsImagePath(string path) => Extensions.Contains(Path.GetExtension(path));

    /// <summary>Every image file below <paramref name="folder"/> (recursively), sorted ordinally by path. No decoding.</summary>
    public static List<string> ListRecursive(string folder)
    {
        var files = new List<string>();
        foreach (string f in Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories))
        {
            if (IsImagePath(f))
            {
                files.Add(f);
            }
        }
        files.Sort(StringComparer.Ordinal);
        return files;
    }

    /// <summary>Throws <see cref="DataException"/> if the folder does not exist.</summary>
    public static void RequireFolder(string folder, string what = "dataset root")
    {
        if (!Directory.Exists(folder))
        {
            throw new DataException(folder, File.Exists(folder) ? $"{what} is a file, not a folder" : $"{what} not found");
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
