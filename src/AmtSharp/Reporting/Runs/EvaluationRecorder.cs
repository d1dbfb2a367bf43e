using AmtSharp.Reporting.TensorBoard;
using AmtSharp.Training.Evaluation;
using AmtSharp.Training.Runs;

namespace AmtSharp.Reporting.Runs;

/// <summary>
/// Logs frozen-encoder evaluations of a run: linear-probe loss and accuracy per probe epoch and kNN accuracy as
/// TensorBoard scalars (tags probe/&lt;encoder&gt;/…, knn/&lt;encoder&gt;/…), and the probe's accuracy curve as a PNG.
/// </summary>
public sealed class EvaluationRecorder : IDisposable
{
    public const string ProbeChartFile = "probe-accuracy.png";

    private readonly EventWriter writer;
    private readonly bool ownsWriter;
    private readonly string folder;
    private readonly string chartFile;
    private readonly List<(string Label, List<ProbeEpochMetrics> Epochs)> curves = [];
    private int classes;

    /// <param name="writer">TensorBoard writer (owned when <paramref name="ownsWriter"/>).</param>
    /// <param name="folder">Where the chart goes.</param>
    /// <param name="chartFile">File name of the chart.</param>
    /// <param name="ownsWriter">Dispose the writer with this object.</param>
    public EvaluationRecorder(EventWriter writer, string folder, string chartFile = ProbeChartFile, bool ownsWriter = false)
    {
        this.writer = writer;
        this.folder = folder;
        this.chartFile = chartFile;
        this.ownsWriter = ownsWriter;
    }

    /// <summary>
    /// A recorder for a checkpoint that lives in a pretraining run folder (the folder itself or a file in its
    /// checkpoints/): events go to tensorboard/&lt;name&gt; and the chart to &lt;name&gt;-accuracy.png there. Null
    /// for a checkpoint outside a run folder (nothing is written next to a lone file) or a read-only one.
    /// </summary>
    public static EvaluationRecorder? ForCheckpoint(string checkpointPath, string name)
    {
        string full = Path.GetFullPath(checkpointPath);
        string? run = Directory.Exists(full) ? full
            : Path.GetFileName(Path.GetDirectoryName(full)) == "checkpoints" ? Path.GetDirectoryName(Path.GetDirectoryName(full)) : null;
        if (run is null || !File.Exists(Path.Combine(run, RunFolder.ConfigFile)))
        {
            return null;
        }
        try
        {
            var writer = new EventWriter(Path.Combine(run, RunReporter.TensorBoardFolder, name));
            return new EvaluationRecorder(writer, run, $"{name}-accuracy.png", ownsWriter: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;                // a read-only run folder must not stop the evaluation itself
        }
    }

    /// <summary>Path of the accuracy chart once written.</summary>
    public string? ChartPath { get; private set; }

    /// <summary>A probe callback that logs each epoch of the encoder called <paramref name="label"/>.</summary>
    public Action<ProbeEpochMetrics> ProbeEpochs(string label)
    {
        var epochs = new List<ProbeEpochMetrics>();
        curves.Add((label, epochs));
        return m =>
        {
            epochs.Add(m);
            writer.AddScalars(
            [
                new($"probe/{Tag(label)}/test_top1", m.TestTop1),
                new($"probe/{Tag(label)}/test_top5", m.TestTop5),
                new($"probe/{Tag(label)}/train_loss", m.TrainLoss),
                new($"probe/{Tag(label)}/lr", m.Lr),
            ], m.Epoch + 1);
        };
    }

    /// <summary>Logs the final figures of an evaluation and redraws the chart when there was a probe.</summary>
    public void Record(string label, FrozenEvaluationResult result)
    {
        classes = result.Classes;
        if (result.Knn is { } knn)
        {
            writer.AddScalars([new($"knn/{Tag(label)}/top1", knn.Top1), new($"knn/{Tag(label)}/top5", knn.Top5)], 0);
        }
        if (curves.Any(c => c.Epochs.Count > 0))
        {
            ChartPath = Path.Combine(folder, chartFile);
            RunCharts.WriteProbeAccuracy(ChartPath, [.. curves.Where(c => c.Epochs.Count > 0).Select(c => (c.Label, (IReadOnlyList<ProbeEpochMetrics>)c.Epochs))],
                classes, "linear probe on frozen features: test accuracy per probe epoch");
        }
    }

    public void Dispose()
    {
        if (ownsWriter)
        {
            writer.Dispose();
        }
    }

    private static string Tag(string label) => label.Replace(' ', '_');
}
