using AmtSharp.Core;
using AmtSharp.Training.Pretraining;

namespace AmtSharp.Cli;

/// <summary>
/// Progress of pretraining and of every other long phase (feature extraction, probe epochs, kNN, prior passes): an
/// in-place status line on a terminal, a plain line at most every 10 s otherwise (redirected output, CI logs),
/// nothing with --quiet. <paramref name="time"/> is injectable so tests can step the clock instead of sleeping.
/// </summary>
internal sealed class ConsoleProgress(TextWriter output, bool quiet, int totalEpochs, TimeProvider? time = null) : IPretrainObserver, IPhaseProgress
{
    /// <summary>How often a redirected output gets a line while a phase runs.</summary>
    public static readonly TimeSpan LineInterval = TimeSpan.FromSeconds(10);

    private readonly bool interactive = !Console.IsOutputRedirected && ReferenceEquals(output, Console.Out);
    private readonly TimeProvider time = time ?? TimeProvider.System;
    private long trainingStart;
    private DateTimeOffset lastLine = DateTimeOffset.MinValue;
    private double startFraction;
    private string? phase;
    private long phaseStart;

    /// <summary>A duration as m:ss, or h:mm:ss from an hour on.</summary>
    public static string Clock(TimeSpan t) => t.TotalHours >= 1 ? $"{(int)t.TotalHours}:{t:mm\\:ss}" : $"{t:mm\\:ss}";

    // ETA from the pace since training (or the resume) started, not since the object was made.
    public void OnStart(StartReport start)
    {
        startFraction = (start.Epoch + (double)start.Batch / start.BatchesPerEpoch) / totalEpochs;
        trainingStart = time.GetTimestamp();
    }

    public void OnStep(StepReport s)
    {
        double done = (s.Epoch + (s.Batch + 1.0) / s.BatchesPerEpoch) / totalEpochs;
        var eta = TimeSpan.FromSeconds(time.GetElapsedTime(trainingStart).TotalSeconds / Math.Max(done - startFraction, 1e-9) * (1 - done));
        Status($"epoch {s.Epoch + 1}/{totalEpochs} {Bar(done)} batch {s.Batch + 1}/{s.BatchesPerEpoch} loss {s.Loss:F4} lr {s.Lr:E2} {s.ImagesPerSecond:F0} img/s ETA {Clock(eta)}", finished: false);
    }

    public void OnRefreshStart(int epoch, int images)
    {
        if (!quiet)
        {
            output.Write((interactive ? "\r" : "") + $"epoch {epoch + 1}: refreshing the attention prior over {images} images…");
            output.WriteLine();
        }
    }

    public void OnRefreshProgress(int epoch, int done, int images) => Report($"epoch {epoch + 1}: prior refresh", done, images, "images");

    public void Report(string phase, long done, long total, string unit)
    {
        if (phase != this.phase)
        {
            (this.phase, phaseStart) = (phase, time.GetTimestamp());
        }
        double fraction = done / (double)Math.Max(1, total), seconds = time.GetElapsedTime(phaseStart).TotalSeconds;
        var eta = TimeSpan.FromSeconds(seconds / Math.Max(fraction, 1e-9) * (1 - fraction));
        // Rate and ETA only once the phase has run a moment: the first report would divide by almost nothing.
        string pace = seconds >= 1 ? $", {done / seconds:F0} {unit}/s ETA {Clock(eta)}" : "";
        Status($"{phase} {Bar(fraction)} {done}/{total} {unit}{pace}", finished: done >= total);
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
        output.WriteLine($"epoch {e.Epoch + 1}/{totalEpochs}: loss {e.Loss:F4}, {e.ImagesPerSecond:F0} img/s, {e.TrainSeconds:F1}s train + {e.RefreshSeconds:F1}s refresh, masking {e.Masking}{prior}");
    }

    // A terminal gets every update in place (a finished phase keeps its line); a log gets a line per interval.
    private void Status(string line, bool finished)
    {
        if (quiet)
        {
            return;
        }
        if (interactive)
        {
            output.Write("\r" + line.PadRight(Console.WindowWidth > 0 ? Math.Min(Console.WindowWidth - 1, 140) : 120));
            if (finished)
            {
                output.WriteLine();
            }
        }
        else if (time.GetUtcNow() - lastLine >= LineInterval)
        {
            output.WriteLine(line);
            lastLine = time.GetUtcNow();
        }
    }

    private static string Bar(double fraction)
    {
        int filled = (int)Math.Round(Math.Clamp(fraction, 0, 1) * 20);
        return "[" + new string('#', filled) + new string('.', 20 - filled) + "]";
    }
}
