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
    private readonly StatusLine status = new(output, quiet, time);
    private readonly Pace training = new(time ?? TimeProvider.System);
    private readonly Pace phasePace = new(time ?? TimeProvider.System);
    private string? phase;

    /// <summary>A duration as m:ss, or h:mm:ss from an hour on.</summary>
    public static string Clock(TimeSpan t) => StatusLine.Clock(t);

    // ETA from the pace since training (or the resume) started, not since the object was made.
    public void OnStart(StartReport start) =>
        training.Restart((start.Epoch + (double)start.Batch / start.BatchesPerEpoch) / totalEpochs);

    public void OnStep(StepReport s) =>
        status.Step(s.Epoch, totalEpochs, s.Batch, s.BatchesPerEpoch, s.Loss, s.Lr, s.ImagesPerSecond, training);

    public void OnRefreshStart(int epoch, int images) => status.WriteLine($"epoch {epoch + 1}: refreshing the attention prior over {images} images…");

    public void OnRefreshProgress(int epoch, int done, int images) => Report($"epoch {epoch + 1}: prior refresh", done, images, "images");

    public void Report(string phase, long done, long total, string unit)
    {
        if (phase != this.phase)
        {
            this.phase = phase;
            phasePace.Restart();
        }
        double fraction = done / (double)Math.Max(1, total), seconds = phasePace.Elapsed.TotalSeconds;
        // Rate and ETA only once the phase has run a moment: the first report would divide by almost nothing.
        string pace = seconds >= 1 ? $", {done / seconds:F0} {unit}/s ETA {Clock(phasePace.Eta(fraction))}" : "";
        status.Update($"{phase} {StatusLine.Bar(fraction)} {done}/{total} {unit}{pace}", finished: done >= total);
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
/// test split, one permanent line per epoch. <paramref name="time"/> is injectable, as for <see cref="ConsoleProgress"/>.
/// </summary>
internal sealed class FineTuneConsoleProgress(TextWriter output, bool quiet, int totalEpochs, TimeProvider? time = null) : Training.FineTuning.IFineTuneObserver
{
    private readonly StatusLine status = new(output, quiet, time);
    private readonly Pace training = new(time ?? TimeProvider.System);
    private readonly Pace evaluation = new(time ?? TimeProvider.System);

    public void OnStart(Training.FineTuning.FineTuneStart start) => training.Restart((double)start.Epoch / totalEpochs);

    public void OnStep(Training.FineTuning.FineTuneStep s)
    {
        status.Step(s.Epoch, totalEpochs, s.Batch, s.BatchesPerEpoch, s.Loss, s.Lr, s.ImagesPerSecond, training);
        evaluation.Restart();                               // an evaluation starts right after an epoch's last step
    }

    public void OnEvaluationProgress(int epoch, long done, long total)
    {
        double fraction = done / (double)Math.Max(1, total);
        status.Update($"epoch {epoch + 1}/{totalEpochs}: evaluating {StatusLine.Bar(fraction)} {done}/{total} test images, " +
            $"{done / Math.Max(evaluation.Elapsed.TotalSeconds, 1e-9):F0} img/s");
    }

    public void OnEpoch(Training.FineTuning.FineTuneEpoch e)
    {
        string test = e.TestTop1 is { } top1 ? $", test top-1 {top1:P1} top-5 {e.TestTop5:P1} loss {e.TestLoss:F4}" : "";
        status.WriteLine($"epoch {e.Epoch + 1}/{totalEpochs}: train loss {e.TrainLoss:F4}, lr {e.Lr:E2}, {e.ImagesPerSecond:F0} img/s, {e.TrainSeconds:F1}s train + {e.EvalSeconds:F1}s evaluation{test}");
    }
}
