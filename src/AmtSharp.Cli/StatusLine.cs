namespace AmtSharp.Cli;

/// <summary>
/// Where progress goes: an in-place status line (with a bar) on a terminal, a plain line at most every 10 s when the
/// output is redirected (CI logs, files), nothing with --quiet. Permanent lines (an epoch's summary) are always written.
/// <paramref name="time"/> is injectable so tests can step the clock instead of sleeping.
/// </summary>
internal sealed class StatusLine(TextWriter output, bool quiet, TimeProvider? time = null)
{
    /// <summary>How often a redirected output gets a line while a phase runs.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);

    private readonly bool interactive = !Console.IsOutputRedirected && ReferenceEquals(FlagWriter.Unwrap(output), Console.Out);
    private readonly TimeProvider time = time ?? TimeProvider.System;
    private DateTimeOffset lastLine = DateTimeOffset.MinValue;
    private bool open;

    /// <summary>
    /// Shows <paramref name="line"/> as the current status (throttled when redirected); a <paramref name="finished"/>
    /// phase keeps its line on a terminal.
    /// </summary>
    public void Update(string line, bool finished = false)
    {
        if (quiet)
        {
            return;
        }
        if (interactive)
        {
            output.Write("\r" + line.PadRight(Console.WindowWidth > 0 ? Math.Min(Console.WindowWidth - 1, 140) : 120));
            open = !finished;
            if (finished)
            {
                output.WriteLine();
            }
        }
        else if (time.GetUtcNow() - lastLine >= Interval)
        {
            output.WriteLine(line);
            lastLine = time.GetUtcNow();
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
        lastLine = time.GetUtcNow();
    }

    /// <summary>One training batch: epoch, bar over the whole run, batch, loss, lr, throughput and ETA.</summary>
    public void Step(int epoch, int totalEpochs, int batch, int batchesPerEpoch, double loss, double lr, double imagesPerSecond, Pace pace)
    {
        double done = (epoch + (batch + 1.0) / batchesPerEpoch) / totalEpochs;
        Update($"epoch {epoch + 1}/{totalEpochs} {Bar(done)} batch {batch + 1}/{batchesPerEpoch} loss {loss:F4} lr {lr:E2} {imagesPerSecond:F0} img/s ETA {Clock(pace.Eta(done))}");
    }

    /// <summary>A duration as m:ss, or h:mm:ss from an hour on.</summary>
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

/// <summary>
/// Where a phase started on the status line's clock, and how much of it was already done then (a resumed run), so
/// that rates and ETAs count only the work since.
/// </summary>
internal sealed class Pace(TimeProvider time)
{
    private long start = time.GetTimestamp();
    private double startFraction;

    public TimeSpan Elapsed => time.GetElapsedTime(start);

    /// <summary>Starts the clock again, with <paramref name="fractionDone"/> of the phase already behind it.</summary>
    public void Restart(double fractionDone = 0) => (start, startFraction) = (time.GetTimestamp(), fractionDone);

    /// <summary>Time left when <paramref name="fractionDone"/> of the phase is done, at the pace since the start.</summary>
    public TimeSpan Eta(double fractionDone) => StatusLine.Eta(Elapsed, startFraction, fractionDone);
}
