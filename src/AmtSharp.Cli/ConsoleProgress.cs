using AmtSharp.Training.Pretraining;

namespace AmtSharp.Cli;

/// <summary>
/// Progress for pretraining: an in-place status line on a terminal, plain periodic lines otherwise
/// (redirected output, CI logs), nothing with --quiet.
/// </summary>
internal sealed class ConsoleProgress(TextWriter output, bool quiet, int totalEpochs) : IPretrainObserver
{
    private readonly bool interactive = !Console.IsOutputRedirected && ReferenceEquals(output, Console.Out);
    private readonly System.Diagnostics.Stopwatch clock = System.Diagnostics.Stopwatch.StartNew();
    private readonly System.Diagnostics.Stopwatch refreshClock = new();
    private DateTime lastLine = DateTime.MinValue;
    private double startFraction;

    // ETA from the pace since training (or the resume) started, not since the object was made.
    public void OnStart(StartReport start)
    {
        startFraction = (start.Epoch + (double)start.Batch / start.BatchesPerEpoch) / totalEpochs;
        clock.Restart();
    }

    public void OnStep(StepReport s)
    {
        if (quiet)
        {
            return;
        }
        double done = (s.Epoch + (s.Batch + 1.0) / s.BatchesPerEpoch) / totalEpochs;
        var eta = TimeSpan.FromSeconds(clock.Elapsed.TotalSeconds / Math.Max(done - startFraction, 1e-9) * (1 - done));
        string line = $"epoch {s.Epoch + 1}/{totalEpochs} {Bar(done)} batch {s.Batch + 1}/{s.BatchesPerEpoch} loss {s.Loss:F4} lr {s.Lr:E2} {s.ImagesPerSecond:F0} img/s ETA {Clock(eta)}";
        if (interactive)
        {
            output.Write("\r" + line.PadRight(Console.WindowWidth > 0 ? Math.Min(Console.WindowWidth - 1, 140) : 120));
        }
        else if (DateTime.UtcNow - lastLine > TimeSpan.FromSeconds(10))
        {
            output.WriteLine(line);
            lastLine = DateTime.UtcNow;
        }
    }

    public void OnRefreshStart(int epoch, int images)
    {
        refreshClock.Restart();
        if (!quiet)
        {
            output.Write((interactive ? "\r" : "") + $"epoch {epoch + 1}: refreshing the attention prior over {images} images…");
            output.WriteLine();
        }
    }

    public void OnRefreshProgress(int epoch, int done, int images)
    {
        if (quiet)
        {
            return;
        }
        double fraction = done / (double)Math.Max(1, images);
        var eta = TimeSpan.FromSeconds(refreshClock.Elapsed.TotalSeconds / Math.Max(fraction, 1e-9) * (1 - fraction));
        string line = $"epoch {epoch + 1}: prior refresh {Bar(fraction)} {done}/{images} images, {done / Math.Max(refreshClock.Elapsed.TotalSeconds, 1e-9):F0} img/s ETA {Clock(eta)}";
        if (interactive)
        {
            output.Write("\r" + line.PadRight(Console.WindowWidth > 0 ? Math.Min(Console.WindowWidth - 1, 140) : 120));
            if (done >= images)
            {
                output.WriteLine();
            }
        }
        else if (DateTime.UtcNow - lastLine > TimeSpan.FromSeconds(10))
        {
            output.WriteLine(line);
            lastLine = DateTime.UtcNow;
        }
    }

    public void OnEpoch(EpochReport e)
    {
        if (quiet)
        {
            return;
        }
        if (interactive)
        {
            output.WriteLine();
        }
        string prior = e.Prior is { } p ? $", prior entropy {p.MeanEntropyFraction:P1} of max" : "";
        // A refresh's cost per image beside a training step's: the figure that says what AMT's prior costs.
        string cost = e.RefreshCostRatio is double r ? $" ({1000 / e.RefreshImagesPerSecond!.Value:F2} ms/image vs {1000 / e.ImagesPerSecond:F2} ms/image training: {r:F2}× a step's cost)" : "";
        output.WriteLine($"epoch {e.Epoch + 1}/{totalEpochs}: loss {e.Loss:F4}, {e.ImagesPerSecond:F0} img/s, {e.TrainSeconds:F1}s train + {e.RefreshSeconds:F1}s refresh{cost}, masking {e.Masking}{prior}");
    }

    private static string Clock(TimeSpan t) => t.TotalHours >= 1 ? $"{(int)t.TotalHours}:{t:mm\\:ss}" : $"{t:mm\\:ss}";

    private static string Bar(double fraction)
    {
        int filled = (int)Math.Round(Math.Clamp(fraction, 0, 1) * 20);
        return "[" + new string('#', filled) + new string('.', 20 - filled) + "]";
    }
}
