using System.Diagnostics;
using AmtSharp.Amt;
using AmtSharp.Core;
using AmtSharp.Data;
using AmtSharp.Data.Loading;
using AmtSharp.Data.Transforms;
using AmtSharp.Masking;
using AmtSharp.Models;
using AmtSharp.Training.Checkpoints;
using AmtSharp.Training.Optim;
using AmtSharp.Training.Runs;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace AmtSharp.Training.Pretraining;

/// <summary>What a pretraining run ended with.</summary>
public sealed record PretrainResult(
    int EpochsCompleted,
    long Steps,
    bool Finished,
    double FinalLoss,
    IReadOnlyList<EpochReport> Epochs,
    string? Checkpoint,
    double TrainSeconds,
    double RefreshSeconds);

/// <summary>How to resume a run.</summary>
/// <param name="FromOlder">When the newest checkpoints are damaged, continue from the newest intact one instead of refusing.</param>
/// <param name="Note">Receives one-line notes: the checkpoint and epoch resumed from, damaged files, settings that changed.</param>
public sealed record ResumeOptions(bool FromOlder = false, Action<string>? Note = null);

/// <summary>
/// The pretraining loop: AdamW with decay/no-decay groups, per-iteration warm-up + cosine lr, gradient accumulation
/// (<see cref="GradientAccumulator"/>), random masking until AMT starts, prior refreshes on the AMT schedule
/// (<see cref="PriorRefresher"/>), checkpoints that make a resumed run end with the same weights as an uninterrupted
/// one (<see cref="PretrainCheckpointer"/>), and a stop on a non-finite loss.
/// Every random choice comes from <see cref="Seeds"/> (seed, purpose, epoch / step / index).
/// </summary>
public sealed class Pretrainer : IDisposable
{
    /// <summary>Settings a resumed run may change: the learning-rate schedule (base lr, minimum lr, warm-up).</summary>
    public static IReadOnlySet<string> ResumableSettings => ResumeCheck.ResumableSettings;

    private readonly PretrainConfig config;
    private readonly IImageSource source;
    private readonly RunFolder? run;
    private readonly bool ownsRun;
    private readonly PretrainCheckpointer? checkpointer;
    private readonly PretrainObservers observer;
    private readonly Device device;
    private readonly ImageLoader loader;
    private readonly BadInputLog badInputs;
    private readonly AmtSchedule? schedule;
    private readonly IMaskingStrategy randomStrategy;
    private readonly MaskGrid grid;
    private readonly AdamW optimizer;
    private readonly double[] lrScales;
    private readonly string[] parameterNames;
    private readonly LrSchedule lr;
    private readonly GradientAccumulator accumulator;
    private readonly PriorRefresher refresher;
    private readonly List<EpochReport> history = [];

    private int epoch;
    private int nextBatch;
    private long step;
    private double epochLossSum;
    private int epochLossCount;
    private double trainSeconds;
    private double refreshSeconds;
    private bool resumed;

    /// <summary>A trainer writing to <paramref name="outputDir"/> (created or reused as it is, and locked until disposed), or nowhere.</summary>
    public Pretrainer(PretrainConfig config, IImageSource source, string? outputDir = null, IPretrainObserver? observer = null)
        : this(config, source, outputDir, null, observer)
    {
    }

    /// <summary>A trainer writing to a run folder the caller opened (and disposes): the command line checks it before any work.
    /// badInputs is the run's record of skipped images (its sink prints each warning once); null: a silent one.</summary>
    public Pretrainer(PretrainConfig config, IImageSource source, RunFolder run, IPretrainObserver? observer = null, BadInputLog? badInputs = null)
        : this(config, source, null, run, observer, badInputs)
    {
    }

    private Pretrainer(PretrainConfig config, IImageSource source, string? outputDir, RunFolder? openedRun, IPretrainObserver? observer,
        BadInputLog? badInputs = null)
    {
        this.config = config.Validate(source.Count);
        this.source = source;
        this.badInputs = badInputs ?? new BadInputLog();
        this.observer = new PretrainObservers(observer);
        device = new Device(config.Device);
        if (outputDir is not null)
        {
            run = RunFolder.Open(outputDir, RunFolderOpening.Reuse with { Command = "pretrain" });
            ownsRun = true;
        }
        else
        {
            run = openedRun;
        }
        try
        {
            (Module, Model, optimizer, lrScales, parameterNames, lr, grid, randomStrategy, schedule, loader) = Build(config, source);
        }
        catch
        {
            if (ownsRun)
            {
                run?.Dispose();
            }
            throw;
        }
        Prior = new PriorStore(source.Count, config.Encoder.GridSize);
        accumulator = new GradientAccumulator(config.Accumulation, loader.BatchesPerEpoch, optimizer,
            Module.parameters().Where(p => p.requires_grad).ToArray(), config.ClipGrad);
        refresher = new PriorRefresher(this.config, source, device, this.badInputs, this.observer);
        if (run is not null)
        {
            checkpointer = new PretrainCheckpointer(new CheckpointFolder(run.PathOf("checkpoints")), this.config, Module, optimizer,
                parameterNames, source.Count);
        }
    }

    private (nn.Module, IMaskedImageModel, AdamW, double[], string[], LrSchedule, MaskGrid, IMaskingStrategy, AmtSchedule?, ImageLoader) Build(
        PretrainConfig config, IImageSource source)
    {
        var (module, model) = MimFactory.CreateModel(config);
        module.to(device);                                   // before the optimizer: .to() replaces the Parameter objects
        var groups = ParamGroups.DecayNoDecay(module, config.WeightDecay, ParamGroups.DefaultNoDecayNames);
        var adamW = AdamWFactory.Create(groups, new AdamWConfig(1e-3, Beta2: config.Beta2, WeightDecay: config.WeightDecay));
        var maskGrid = MimFactory.Grid(config);
        return (module, model, adamW, ParamGroups.Scales(groups), groups.SelectMany(g => g.ParameterNames).ToArray(),
            new LrSchedule(config.BaseLr, config.EffectiveBatch, config.WarmupEpochs, config.Epochs, config.MinLr),
            maskGrid,
            MimFactory.RandomStrategy(config, config.Amt?.WarmupMaskRatio ?? config.MaskRatio),
            config.Amt is { } amt ? new AmtSchedule(config.Epochs, amt, maskGrid) : null,
            new ImageLoader(source, new LoaderOptions(
                TransformSpec.Train(config.Encoder.ImageSize, config.CropScaleMin), config.BatchSize, Shuffle: true, DropLast: true,
                Seed: config.Seed, Workers: config.Workers,
                OnBadInput: config.SkipBadImages ? BadInputPolicy.Skip : BadInputPolicy.Fail, BadInputs: badInputs)));
    }

    public PretrainConfig Config => config;

    /// <summary>The training images (what the prior store is indexed by).</summary>
    public IImageSource Source => source;

    public nn.Module Module { get; }

    public IMaskedImageModel Model { get; }

    public PriorStore Prior { get; private set; }

    public AmtSchedule? Schedule => schedule;

    public MaskGrid Grid => grid;

    public RunFolder? Run => run;

    public int BatchesPerEpoch => loader.BatchesPerEpoch;

    /// <summary>Adds an observer after construction (e.g. a run reporter that needs the trainer's model).</summary>
    public void AddObserver(IPretrainObserver added) => observer.Add(added);

    /// <summary>Images skipped under the skip policy (each once, whichever pass met it), for the run summary.</summary>
    public IReadOnlyList<SkippedFile> Skipped => badInputs.Entries;

    /// <summary>The dataset (path, format, splits and counts), recorded in environment.json and the report when given.</summary>
    public DatasetSummary? Data { get; init; }

    /// <summary>
    /// Trains to the end (or until <paramref name="stopAfterSteps"/> optimizer steps in total, then checkpoints and
    /// returns: an interruption that <paramref name="resume"/> continues exactly).
    /// </summary>
    public PretrainResult Train(bool resume = false, long? stopAfterSteps = null, CancellationToken cancellation = default)
    {
        if (resume && !resumed)
        {
            ResumeFrom(new ResumeOptions());
        }
        // Only now: a refused resume must leave the run's records as they were.
        if (run is not null)
        {
            run.WriteConfig(config);
            run.WriteEnvironment(EnvironmentInfo.Capture() with { Data = Data });
        }
        Module.train();
        // Every forward of this run (steps, prior refreshes, report pictures) computes in the run's precision.
        using var autocast = Autocast.Enter(config.Precision);
        observer.OnStart(new StartReport(epoch, nextBatch, step, loader.BatchesPerEpoch, resumed));
        while (epoch < config.Epochs)
        {
            var strategy = StrategyFor(epoch);
            var clock = Stopwatch.StartNew();
            MaskingDiagnostics? diagnostics = null;
            foreach (var batch in loader.Epoch(epoch, nextBatch, cancellation))
            {
                using (batch)
                {
                    var measured = TrainStep(batch, strategy, wantDiagnostics: diagnostics is null && strategy.UsesWeights);
                    diagnostics ??= measured;
                }
                nextBatch = batch.BatchIndex + 1;
                if (stopAfterSteps is long stop && step >= stop && accumulator.EndsGroup(nextBatch))
                {
                    trainSeconds += clock.Elapsed.TotalSeconds;
                    SaveCheckpoint();
                    return Result(finished: false);
                }
            }
            double epochTrain = clock.Elapsed.TotalSeconds;
            trainSeconds += epochTrain;
            var report = FinishEpoch(strategy, epochTrain, diagnostics, cancellation);
            history.Add(report);
            run?.AppendMetrics(report);
            observer.OnEpoch(report);
            bool last = epoch == config.Epochs;
            if (last || (config.CheckpointEvery > 0 && epoch % config.CheckpointEvery == 0))
            {
                SaveCheckpoint();
            }
        }
        return Result(finished: true);
    }

    public void Dispose()
    {
        optimizer.Dispose();
        Module.Dispose();
        if (ownsRun)
        {
            run?.Dispose();
        }
    }

    private IMaskingStrategy StrategyFor(int e) => schedule?.StrategyFor(e) ?? randomStrategy;

    private string? LastCheckpoint => checkpointer?.Last;

    // One micro-batch: forward, loss check, backward, and an optimizer step at accumulation boundaries.
    private MaskingDiagnostics? TrainStep(ImageBatch batch, IMaskingStrategy strategy, bool wantDiagnostics)
    {
        using var pause = new CollectionPause();   // no collection while libtorch holds implicit Scalars
        using var scope = NewDisposeScope();
        var clock = Stopwatch.StartNew();
        int b = batch.BatchIndex;
        double tau = LrSchedule.Tau(epoch, b, loader.BatchesPerEpoch);
        double currentLr = lr.Apply(optimizer, lrScales, tau);

        var images = batch.Images.to(device);
        var weights = strategy.UsesWeights
            ? PriorMapping.Weights(Prior, batch.Indices, batch.Geometry, grid, config.Amt!.PriorCrop, config.Encoder.ImageSize)
            : null;
        using var generator = new Generator((ulong)Seeds.Derive(config.Seed, Seeds.Purpose.Masking, epoch, b));
        using var plan = strategy.Plan(new MaskRequest(batch.Count, generator, weights)).To(device);
        var output = Model.Forward(images, plan);
        double loss = output.Loss.item<float>();
        if (!double.IsFinite(loss))
        {
            throw new NonFiniteLossException(epoch, b, step, loss, LastCheckpoint);
        }
        if (accumulator.Backward(output.Loss, b))
        {
            step++;
        }
        epochLossSum += loss;
        epochLossCount++;
        observer.OnStep(new StepReport(epoch, b, loader.BatchesPerEpoch, step, loss, currentLr, batch.Count / clock.Elapsed.TotalSeconds));
        return wantDiagnostics && weights is not null ? MaskingDiagnostics.Measure(weights, plan.To(CPU), grid) : null;
    }

    // End of epoch: the prior refresh when due, the epoch's report, and the position moved to the next epoch.
    private EpochReport FinishEpoch(IMaskingStrategy strategy, double epochTrain, MaskingDiagnostics? diagnostics,
        CancellationToken cancellation)
    {
        var refreshed = schedule?.RefreshAfterEpoch(epoch) == true ? refresher.Run(epoch, Model.Encoder, Prior, cancellation) : null;
        double refresh = refreshed?.Seconds ?? 0;
        refreshSeconds += refresh;
        var counts = ComputeAccounting.InPatches(strategy.Counts, grid);
        var tokens = (config.Method == MimMethod.Mae ? ComputeAccounting.ForMae(config.MaeModel) : ComputeAccounting.ForSimMim(config.Encoder)).Tokens(counts);
        var report = new EpochReport(
            epoch,
            epochLossCount > 0 ? epochLossSum / epochLossCount : double.NaN,
            lr.LrAt(epoch + 1.0),
            loader.BatchesPerEpoch * config.BatchSize / Math.Max(epochTrain, 1e-9),
            epochTrain,
            refresh,
            strategy is RandomMasking ? $"random {counts}" : $"amt {counts}",
            tokens.Encoder,
            tokens.Decoder,
            refreshed?.Statistics,
            diagnostics,
            refreshed?.Overlap,
            refresh > 0 ? source.Count / refresh : null);
        epoch++;
        nextBatch = 0;
        epochLossSum = 0;
        epochLossCount = 0;
        return report;
    }

    private PretrainResult Result(bool finished) => new(
        epoch, step, finished, history.Count > 0 ? history[^1].Loss : double.NaN, history, LastCheckpoint, trainSeconds, refreshSeconds);

    private void SaveCheckpoint() => checkpointer?.Save(
        new PretrainPosition(epoch, nextBatch, step, epochLossSum, epochLossCount, trainSeconds, refreshSeconds), Prior);

    /// <summary>
    /// Loads the run's checkpoint to continue from; <see cref="Train"/> then carries on from it. Callers that write
    /// into the run folder (a reporter) call this first, so that a refused resume writes nothing.
    /// </summary>
    public void ResumeFrom(ResumeOptions options)
    {
        if (resumed)
        {
            throw new InvalidOperationException("the run has already been resumed");
        }
        if (checkpointer is null)
        {
            throw new ConfigException("Resume", "needs an output folder holding checkpoints");
        }
        (var position, Prior) = checkpointer.Resume(options);
        (epoch, nextBatch, step, epochLossSum, epochLossCount, trainSeconds, refreshSeconds) = position;
        resumed = true;
        if (run is not null)
        {
            // Epochs logged after the checkpoint (a kill between the metrics line and the checkpoint) are trained
            // again, so their lines go: every epoch is in metrics.jsonl (and so final.json) exactly once.
            history.AddRange(run.TruncateMetrics<EpochReport>(epoch, r => r.Epoch));
        }
    }
}
