using System.Collections.Concurrent;

namespace AmtSharp.Data.Loading;

/// <summary>
/// One run's record of inputs that could not be used, keyed by where they come from (a file path or a record).
/// Every loader of the run (each epoch, each prior pass, each evaluation) shares it, so each bad input is warned
/// about once, through the one sink the caller gives (the command line prints it), and counted once.
/// </summary>
public sealed class BadInputLog
{
    private readonly ConcurrentDictionary<string, SkippedFile> entries = new(StringComparer.Ordinal);
    private readonly Action<string> sink;

    /// <param name="sink">Receives each warning line once; null records without telling anyone.</param>
    public BadInputLog(Action<string>? sink = null)
    {
        this.sink = sink ?? (_ => { });
    }

    public int Count => entries.Count;

    /// <summary>Every input recorded so far, ordered by path.</summary>
    public IReadOnlyList<SkippedFile> Entries => [.. entries.Values.OrderBy(e => e.Path, StringComparer.Ordinal)];

    public bool Contains(string source) => entries.ContainsKey(source);

    /// <summary>Records a bad input; the first time only, warns. Returns whether it was new.</summary>
    public bool Report(string source, string reason)
    {
        if (!entries.TryAdd(source, new SkippedFile(source, reason)))
        {
            return false;
        }
        sink($"warning: skipping {source}: {reason}");
        return true;
    }

    /// <summary>Records the files a source left out when it was listed (FIFOs, broken links, ...).</summary>
    public void ReportListed(IImageSource source)
    {
        foreach (var skipped in source.SkippedFiles)
        {
            Report(skipped.Path, skipped.Reason);
        }
    }
}
