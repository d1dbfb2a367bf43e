using System.Text;

namespace AmtSharp.Core;

/// <summary>
/// Writes a file whole or not at all: the bytes go to "path.tmp" in the same folder (so the rename stays on one file
/// system), are flushed to disk, and the temp file is then renamed over "path". A crash or a full disk mid-write
/// leaves the previous file intact. IO errors are rethrown as they are, after the temp file is removed, so each
/// caller can name the failure in its own terms.
/// </summary>
public static class AtomicFile
{
    /// <summary>Suffix of the temp file; a leftover one is never read and the next write overwrites it.</summary>
    public const string TempSuffix = ".tmp";

    /// <summary>Writes <paramref name="path"/> through <paramref name="body"/>, which gets the temp file's stream.</summary>
    public static void Write(string path, Action<Stream> body)
    {
        string full = Path.GetFullPath(path);
        string tmp = full + TempSuffix;
        try
        {
            using (var file = new FileStream(tmp, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20))
            {
                body(file);
                file.Flush(flushToDisk: true);
            }
            File.Move(tmp, full, overwrite: true);
        }
        catch
        {
            TryDelete(tmp);
            throw;
        }
    }

    /// <summary>Writes <paramref name="text"/> as UTF-8 without a byte-order mark.</summary>
    public static void WriteAllText(string path, string text) =>
        Write(path, file => file.Write(new UTF8Encoding(false).GetBytes(text)));

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }
}
