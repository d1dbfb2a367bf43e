using AmtSharp.Training.Pretraining;

namespace AmtSharp.Cli;

/// <summary>
/// Progress for pretraining: an in-place status line on a terminal, plain periodic lines otherwise
/// (redirected output, CI logs), nothing with --quiet.
/// </summary>
internal sealed class ConsoleProgress(TextWriter output, bool quiet, int totalEpochs) : IPretrainObserver
{
    private readonly StatusLine status = new(output, quiet);
    private readonly System.Diagnostics.Stopwatch clock = System.Diagnostics.Stopwatch.StartNew();
    private readonly System.Diagnostics.Stopwatch refreshClock = new();
    private double startFraction;

    // ETA from the pace since training (or the resume) started, not since the object was made.
    public void OnStart(StartReport start)
    {
        startFraction = (start.Epoch + (double)start.Batch / start.BatchesPerEpoch) / totalEpochs;
        clock.Restart();
    }

    public void OnStep(StepReport s)
    {
        double done = (s.Epoch + (s.Batch + 1.0) / s.BatchesPerEpoch) / totalEpochs;
        var eta = StatusLine.Eta(clock.Elapsed, startFraction, done);
        status.Update($"epoch {s.Epoch + 1}/{totalEpochs} {StatusLine.Bar(done)} batch {s.Batch + 1}/{s.BatchesPerEpoch} loss {s.Loss:F4} lr {s.Lr:E2} {s.ImagesPerSecond:F0} img/s ETA {StatusLine.Clock(eta)}");
    }

    public void OnRefreshStart(int epoch, int images)
    {
        refreshClock.Restart();
        status.WriteLine($"epoch {epoch + 1}: refreshing the attention prior over {images} images…");
    }

    public void OnRefreshProgress(int epoch, int done, int images)
    {
        double fraction = done / (double)Math.Max(1, images);
        var eta = StatusLine.Eta(refreshClock.Elapsed, 0, fraction);
        status.Update($"epoch {epoch + 1}: prior refresh {StatusLine.Bar(fraction)} {done}/{images} images, {done / Math.Max(refreshClock.Elapsed.TotalSeconds, 1e-9):F0} img/s ETA {StatusLine.Clock(eta)}");
    }

    public void OnEpoch(EpochReport e)
    {
        string prior = e.Prior is { } p ? $", prior entropy {p.MeanEntropyFraction:P1} of max" : "";
        // A refresh's cost per image beside a training step's: the figure that says what AMT's prior costs.
        string cost = e.RefreshCostRatio is double r ? $" ({1000 / e.RefreshImagesPerSecond!.Value:F2} ms/image vs {1000 / e.ImagesPerSecond:F2} ms/image training: {r:F2}× a step's cost)" : "";
        status.WriteLine($"epoch {e.Epoch + 1}/{totalEpochs}: loss {e.Loss:F4}, {e.ImagesPerSecond:F0} img/s, {e.TrainSeconds:F1}s train + {e.RefreshSeconds:F1}s refresh{cost}, masking {e.Masking}{prior}");
    }
}

/// <summary>
/// Progress for fine-tuning, through the same status line: training batches with a bar and ETA, the evaluation on the
/// test split, one permanent line per epoch.
/// </summary>
internal sealed class FineTuneConsoleProgress(TextWriter output, bool quiet, int totalEpochs) : Training.FineTuning.IFineTuneObserver
{
    private readonly StatusLine status = new(output, quiet);
    private readonly System.Diagnostics.Stopwatch clock = System.Diagnostics.Stopwatch.StartNew();
    private readonly System.Diagnostics.Stopwatch evalClock = new();
    private double startFraction;

    public void OnStart(Training.FineTuning.FineTuneStart start)
    {
        startFraction = (double)start.Epoch / totalEpochs;
        clock.Restart();
    }

    public void OnStep(Training.FineTuning.FineTuneStep s)
    {
        double done = (s.Epoch + (s.Batch + 1.0) / s.BatchesPerEpoch) / totalEpochs;
        var eta = StatusLine.Eta(clock.Elapsed, startFraction, done);
        status.Update($"epoch {s.Epoch + 1}/{totalEpochs} {StatusLine.Bar(done)} batch {s.Batch + 1}/{s.BatchesPerEpoch} loss {s.Loss:F4} lr {s.Lr:E2} {s.ImagesPerSecond:F0} img/s ETA {StatusLine.Clock(eta)}");
        evalClock.Restart();                                // an evaluation starts right after an epoch's last step
    }

    public void OnEvaluationProgress(int epoch, long done, long total)
    {
        double fraction = done / (double)Math.Max(1, total);
        status.Update($"epoch {epoch + 1}/{totalEpochs}: evaluating {StatusLine.Bar(fraction)} {done}/{total} test images, " +
            $"{done / Math.Max(evalClock.Elapsed.TotalSeconds, 1e-9):F0} img/s");
    }

    public void OnEpoch(Training.FineTuning.FineTuneEpoch e)
    {
        string test = e.TestTop1 is { } top1 ? $", test top-1 {top1:P1} top-5 {e.TestTop5:P1} loss {e.TestLoss:F4}" : "";
        status.WriteLine($"epoch {e.Epoch + 1}/{totalEpochs}: train loss {e.TrainLoss:F4}, lr {e.Lr:E2}, {e.ImagesPerSecond:F0} img/s, {e.TrainSeconds:F1}s train + {e.EvalSeconds:F1}s evaluation{test}");
    }
}
