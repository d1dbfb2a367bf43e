namespace AmtSharp.Data.Sources;

/// <summary>Helpers for the binary dataset formats, which store each image as three colour planes.</summary>
internal static class PlanarRecords
{
    /// <summary>Interleaves R, G, B planes (each row-major side x side) into RGB.</summary>
    public static RgbImage FromRowMajorPlanes(ReadOnlySpan<byte> planes, int side)
    {
        int n = side * side;
        var rgb = new byte[n * 3];
        for (int i = 0; i < n; i++)
        {
            rgb[3 * i] = planes[i];
            rgb[3 * i + 1] = planes[n + i];
            rgb[3 * i + 2] = planes[2 * n + i];
        }
        return new RgbImage(side, side, rgb);
    }

    /// <summary>Like <see cref="FromRowMajorPlanes"/> but each plane is stored transposed (column-major), as in STL-10.</summary>
    public static RgbImage FromColumnMajorPlanes(ReadOnlySpan<byte> planes, int side)
    {
        int n = side * side;
        var rgb = new byte[n * 3];
        for (int y = 0; y < side; y++)
        {
            for (int x = 0; x < side; x++)
            {
                int src = x * side + y, dst = 3 * (y * side + x);
                rgb[dst] = planes[src];
                rgb[dst + 1] = planes[n + src];
                rgb[dst + 2] = planes[2 * n + src];
            }
        }
        return new RgbImage(side, side, rgb);
    }

    /// <summary>Non-empty trimmed lines of a text file (class-name lists).</summary>
    public static string[] ReadNames(string file) =>
        File.ReadAllLines(file).Select(l => l.Trim()).Where(l => l.Length > 0).ToArray();

    /// <summary>Reads a whole record file, checking that it holds whole records.</summary>
    public static byte[] ReadRecords(string file, int recordSize)
    {
        ImageFiles.RequireFile(file, "data file");
        byte[] bytes = File.ReadAllBytes(file);
        if (bytes.Length == 0 || bytes.Length % recordSize != 0)
        {
            throw new DataException(file, $"size {bytes.Length} is not a positive multiple of the {recordSize}-byte record");
        }
        return bytes;
    }

    /// <summary>Accepts either the folder holding the files or its parent holding <paramref name="folderName"/>.</summary>
    public static string ResolveFolder(string root, string folderName, string markerFile)
    {
        ImageFiles.RequireFolder(root);
        string nested = Path.Combine(root, folderName);
        if (!File.Exists(Path.Combine(root, markerFile)) && Directory.Exists(nested))
        {
            return nested;
        }
        return root;
    }
}
