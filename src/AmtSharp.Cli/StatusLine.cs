namespace AmtSharp.Cli;

/// <summary>
/// Where progress goes: an in-place status line (with a bar) on a terminal, a plain line at most every 10 s when the
/// output is redirected (CI logs, files), nothing with --quiet. Permanent lines (an epoch's summary) are always written.
/// </summary>
internal sealed class StatusLine(TextWriter output, bool quiet)
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);

    private readonly bool interactive = !Console.IsOutputRedirected && ReferenceEquals(output, Console.Out);
    private DateTime lastLine = DateTime.MinValue;
    private bool open;

    public bool Quiet => quiet;

    /// <summary>Shows <paramref name="line"/> as the current status (throttled when redirected).</summary>
    public void Update(string line)
    {
        if (quiet)
        {
            return;
        }
        if (interactive)
        {
            output.Write("\r" + line.PadRight(Console.WindowWidth > 0 ? Math.Min(Console.WindowWidth - 1, 140) : 120));
            open = true;
        }
        else if (DateTime.UtcNow - lastLine > Interval)
        {
            output.WriteLine(line);
            lastLine = DateTime.UtcNow;
        }
    }

    /// <summary>Writes a permanent line below the status line (unless quiet).</summary>
    public void WriteLine(string line)
    {
        if (quiet)
        {
            return;
        }
        if (open)
        {
            output.WriteLine();
            open = false;
        }
        output.WriteLine(line);
        lastLine = DateTime.UtcNow;
    }

    public static string Clock(TimeSpan t) => t.TotalHours >= 1 ? $"{(int)t.TotalHours}:{t:mm\\:ss}" : $"{t:mm\\:ss}";

    public static string Bar(double fraction)
    {
        int filled = (int)Math.Round(Math.Clamp(fraction, 0, 1) * 20);
        return "[" + new string('#', filled) + new string('.', 20 - filled) + "]";
    }

    /// <summary>Time left at a steady pace: <paramref name="elapsed"/> covered <paramref name="done"/> of what was left at the start.</summary>
    public static TimeSpan Eta(TimeSpan elapsed, double start, double done) =>
        TimeSpan.FromSeconds(elapsed.TotalSeconds / Math.Max(done - start, 1e-9) * (1 - done));
}
