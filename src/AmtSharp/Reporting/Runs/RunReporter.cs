using System.Text.Json;
using AmtSharp.Amt;
using AmtSharp.Core;
using AmtSharp.Masking;
using AmtSharp.Reporting.Snapshots;
using AmtSharp.Reporting.TensorBoard;
using AmtSharp.Training.Pretraining;
using AmtSharp.Training.Runs;

namespace AmtSharp.Reporting.Runs;

/// <summary>How much a <see cref="RunReporter"/> records.</summary>
/// <param name="SnapshotImages">Fixed training images shown in every masking grid and attention overlay.</param>
/// <param name="SnapshotEvery">Epochs between snapshots besides those at each prior refresh and at the end; 0 = a quarter of the run without AMT, none extra with AMT.</param>
/// <param name="Statistics">How norm-pix MAE predictions become pixels in the grids.</param>
public sealed record RunReporterOptions(int SnapshotImages = 6, int SnapshotEvery = 0, NormPixStatistics Statistics = NormPixStatistics.TruePatch);

/// <summary>The pictures of one snapshot.</summary>
/// <param name="EpochsDone">Epochs trained when it was taken (0 = at initialisation).</param>
/// <param name="MaskingPath">masking-epoch-NNN.png.</param>
/// <param name="AttentionPath">attention-epoch-NNN.png.</param>
public sealed record SnapshotFiles(int EpochsDone, string MaskingPath, string AttentionPath)
{
    public static string MaskingName(int epochsDone) => $"masking-epoch-{epochsDone:D3}.png";

    public static string AttentionName(int epochsDone) => $"attention-epoch-{epochsDone:D3}.png";

    /// <summary>The snapshots in a run folder (both pictures present), oldest first.</summary>
    public static IReadOnlyList<SnapshotFiles> In(string folder) =>
        [.. Directory.EnumerateFiles(folder, "masking-epoch-*.png")
            .Select(f => Path.GetFileNameWithoutExtension(f)["masking-epoch-".Length..])
            .Where(n => int.TryParse(n, out _))
            .Select(int.Parse)
            .Order()
            .Select(e => new SnapshotFiles(e, Path.Combine(folder, MaskingName(e)), Path.Combine(folder, AttentionName(e))))
            .Where(s => File.Exists(s.AttentionPath))];
}

/// <summary>
/// Records a pretraining run in its folder while it trains: TensorBoard events in tensorboard/ (per iteration: loss,
/// lr, images/s; per epoch: loss, lr, throughput, prior entropy, masking diagnostics; the masking grid and attention
/// overlay as images), steps.csv, loss.png, prior-on-object.png (synthetic data), and masking-epoch-NNN.png / attention-epoch-NNN.png snapshots at
/// initialisation, at every prior refresh and at the end. Attach it with <see cref="Pretrainer.AddObserver"/> (the
/// constructor does); it only reads the trainer, so training is the same with or without it.
/// </summary>
public sealed class RunReporter : IPretrainObserver, IDisposable
{
    public const string TensorBoardFolder = "tensorboard";
    public const string LossChartFile = "loss.png";
    public const string PriorOnObjectChartFile = "prior-on-object.png";
    public const string StepLogFile = "steps.csv";

    private readonly Pretrainer trainer;
    private readonly RunFolder run;
    private readonly RunReporterOptions options;
    private readonly EventWriter events;
    private readonly StepLog steps;
    private readonly SnapshotImages images;
    private readonly int snapshotEvery;
    private readonly System.Diagnostics.Stopwatch busy = new();

    public RunReporter(Pretrainer trainer, RunReporterOptions? options = null)
    {
        this.trainer = trainer;
        this.options = options ?? new RunReporterOptions();
        run = trainer.Run ?? throw new ArgumentException("the trainer has no run folder to report into", nameof(trainer));
        images = SnapshotImages.Pick(trainer.Source, this.options.SnapshotImages, trainer.Config.Encoder.ImageSize);
        int epochs = trainer.Config.Epochs;
        snapshotEvery = this.options.SnapshotEvery > 0 ? this.options.SnapshotEvery
            : trainer.Schedule is null ? Math.Max(1, (int)Math.Round(epochs / 4.0)) : int.MaxValue;
        events = new EventWriter(run.PathOf(TensorBoardFolder));
        steps = new StepLog(run.PathOf(StepLogFile));
        Evaluation = new EvaluationRecorder(events, run.Path);
        trainer.AddObserver(this);
    }

    /// <summary>Logs probe and kNN results of this run into the same TensorBoard file.</summary>
    public EvaluationRecorder Evaluation { get; }

    /// <summary>Snapshots in the run folder (this call's and, after a resume, earlier ones), oldest first.</summary>
    public IReadOnlyList<SnapshotFiles> Snapshots => SnapshotFiles.In(run.Path);

    public string LossChartPath => run.PathOf(LossChartFile);

    /// <summary>Written once a refresh has scored the prior against the objects (synthetic data); null before.</summary>
    public string? PriorOnObjectChartPath => File.Exists(run.PathOf(PriorOnObjectChartFile)) ? run.PathOf(PriorOnObjectChartFile) : null;

    /// <summary>How the grids turn norm-pix predictions into pixels.</summary>
    public NormPixStatistics Statistics => options.Statistics;

    public string TensorBoardPath => run.PathOf(TensorBoardFolder);

    /// <summary>Wall-clock seconds spent here (logs, snapshots, pictures) during training.</summary>
    public double Seconds => busy.Elapsed.TotalSeconds;

    public void OnStart(StartReport start)
    {
        using var timing = Timing();
        steps.StartAt(Iteration(start.Epoch, start.Batch));
        if (!start.Resumed && start.Epoch == 0 && start.Batch == 0)
        {
            TakeSnapshot(0);
        }
    }

    public void OnStep(StepReport s)
    {
        using var timing = Timing();
        long iteration = Iteration(s.Epoch, s.Batch + 1);
        steps.Add(new StepRow(iteration, s.Loss, s.Lr, s.ImagesPerSecond));
        events.AddScalars(
        [
            new("train/loss", s.Loss),
            new("train/lr", s.Lr),
            new("train/images_per_second", s.ImagesPerSecond),
        ], iteration);
    }

    public void OnEpoch(EpochReport e)
    {
        using var timing = Timing();
        steps.Flush();
        long iteration = Iteration(e.Epoch + 1, 0);
        var scalars = new List<KeyValuePair<string, double>>
        {
            new("epoch/loss", e.Loss),
            new("epoch/lr", e.Lr),
            new("epoch/images_per_second", e.ImagesPerSecond),
            new("epoch/train_seconds", e.TrainSeconds),
            new("epoch/refresh_seconds", e.RefreshSeconds),
            new("epoch/encoder_tokens", e.EncoderTokens),
            new("epoch/decoder_tokens", e.DecoderTokens),
        };
        if (e.Prior is { } p)
        {
            scalars.Add(new("prior/mean_entropy_fraction", p.MeanEntropyFraction));
            scalars.Add(new("prior/mean_entropy_nats", p.MeanEntropyNats));
        }
        if (e.ForegroundOverlap is { } o)
        {
            scalars.Add(new("prior/foreground_overlap", o.TopQuartileForeground));
            scalars.Add(new("prior/foreground_lift", o.Lift));
        }
        if (e.MaskingDiagnostics is { } d)
        {
            scalars.Add(new("masking/top_quartile_masked", d.TopQuartileMasked));
            scalars.Add(new("masking/top_quartile_thrown", d.TopQuartileThrown));
            scalars.Add(new("masking/top_quartile_visible", d.TopQuartileVisible));
            AddIfKnown(scalars, "masking/mean_weight_masked", d.MeanWeightMasked);
            AddIfKnown(scalars, "masking/mean_weight_thrown", d.MeanWeightThrown);
            AddIfKnown(scalars, "masking/mean_weight_visible", d.MeanWeightVisible);
        }
        events.AddScalars(scalars, iteration);
        int done = e.Epoch + 1;
        if (e.Prior is not null || done % snapshotEvery == 0 || done == trainer.Config.Epochs)
        {
            TakeSnapshot(done);
        }
        WriteLossChart();
        if (e.ForegroundOverlap is not null)
        {
            RunCharts.WritePriorOnObject(run.PathOf(PriorOnObjectChartFile), History(), "AMT prior on the object, at each refresh");
        }
    }

    /// <summary>Redraws loss.png from steps.csv and metrics.jsonl (so a resumed run shows its whole history).</summary>
    public void WriteLossChart()
    {
        var c = trainer.Config;
        string title = $"{(c.Method == MimMethod.Mae ? "MAE" : "SimMIM")}{(c.Amt is null ? "" : " + AMT")} pretraining loss";
        RunCharts.WriteLoss(LossChartPath, steps.Rows, History(), trainer.BatchesPerEpoch, trainer.Schedule, title);
    }

    /// <summary>Every finished epoch of the run, from metrics.jsonl (the latest line per epoch after a resume).</summary>
    public IReadOnlyList<EpochReport> History() =>
        [.. run.ReadMetrics().Select(m => m.Deserialize<EpochReport>(RunFolder.JsonOptions)!)
            .GroupBy(r => r.Epoch).Select(g => g.Last()).OrderBy(r => r.Epoch)];

    public void Dispose()
    {
        steps.Dispose();
        events.Dispose();
    }

    private Stopwatching Timing() => new(busy);

    private long Iteration(int epoch, int batches) => (long)epoch * trainer.BatchesPerEpoch + batches;

    private static void AddIfKnown(List<KeyValuePair<string, double>> scalars, string tag, double? value)
    {
        if (value is double v)
        {
            scalars.Add(new(tag, v));
        }
    }

    // The plan the next epoch would draw (AMT from the prior in use), the current attention and reconstruction.
    private void TakeSnapshot(int epochsDone)
    {
        var config = trainer.Config;
        var strategy = trainer.Schedule?.StrategyFor(epochsDone) ?? MimFactory.RandomStrategy(config, config.MaskRatio);
        var prior = trainer.Prior;
        var priors = prior.ComputedAtEpoch >= 0 ? images.Indices.Select(prior.GetCopy).ToArray() : null;
        if (priors is null && strategy.UsesWeights)
        {
            // A run that ends before AMT starts (e.g. `amt demo --epochs 1`) has no prior: show the warm-up's random plan.
            strategy = trainer.Schedule!.StrategyFor(0);
        }
        long seed = Seeds.Derive(config.Seed, Seeds.Purpose.Report, epochsDone);
        var snapshot = MaskingSnapshot.Take(images, new SnapshotRequest(trainer.Model, strategy, priors, seed, options.Statistics));

        bool amt = strategy.UsesWeights || strategy.Counts.Thrown > 0;
        string plan = $"{(amt ? "AMT" : "random")} plan: {strategy.Counts}";
        string when = epochsDone == 0 ? "at initialisation" : $"after epoch {epochsDone} of {config.Epochs}";
        var grid = SnapshotPictures.MaskingGrid(snapshot, $"{when}, {plan}");
        var overlay = SnapshotPictures.AttentionOverlay(snapshot, $"last-block CLS attention (mean of heads), {when}");
        grid.Save(run.PathOf(SnapshotFiles.MaskingName(epochsDone)));
        overlay.Save(run.PathOf(SnapshotFiles.AttentionName(epochsDone)));
        long iteration = Iteration(epochsDone, 0);
        events.AddImage("snapshot/masking_grid", grid.Png, grid.Width, grid.Height, iteration);
        events.AddImage("snapshot/attention", overlay.Png, overlay.Width, overlay.Height, iteration);
        events.AddScalar("snapshot/loss", snapshot.Loss, iteration);
    }

    /// <summary>Runs the stopwatch for the lifetime of a using block.</summary>
    private readonly struct Stopwatching : IDisposable
    {
        private readonly System.Diagnostics.Stopwatch watch;

        public Stopwatching(System.Diagnostics.Stopwatch watch)
        {
            this.watch = watch;
            watch.Start();
        }

        public void Dispose() => watch.Stop();
    }
}
