using System.Diagnostics;
using System.Text.Json;
using AmtSharp.Core;
using AmtSharp.Data;
using AmtSharp.Data.Loading;
using AmtSharp.Data.Transforms;
using AmtSharp.Models.Vit;
using AmtSharp.Training.Checkpoints;
using AmtSharp.Training.Optim;
using AmtSharp.Training.Pretraining;
using AmtSharp.Training.Runs;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace AmtSharp.Training.FineTuning;

/// <summary>
/// End-to-end fine-tuning of a ViT classifier (docs/method.md#fine-tuning): the whole network trains with AdamW, layer-wise lr
/// decay, per-iteration warm-up + cosine lr, drop path, RandAugment, mixup / cutmix, random erasing and label smoothing
/// (soft-target cross-entropy); top-1 / top-5 on the test split are measured every <see cref="FineTuneConfig.EvalEvery"/>
/// epochs and after the last. A checkpoint (weights, optimizer state, position) is written after every epoch, so that
/// <see cref="ResumeFrom"/> continues a stopped run to the same weights as an uninterrupted one. Every random choice
/// (data order, crops, RandAugment, mixing, erasing, drop path, head init) derives from the run seed, epoch and step.
/// </summary>
public sealed class FineTuner : IDisposable
{
    public const string ModelSection = "model";
    public const string KindValue = "finetune";

    /// <summary>The checkpoint entry holding the configuration.</summary>
    public const string ConfigKey = "finetune_config";

    private const string OptimizerSection = "optimizer";
    private const long DropPathStream = 1;
    private const long MixStream = 2;
    private const long EraseStream = 3;
    private const long EraseValuesStream = 4;

    private readonly FineTuneConfig config;
    private readonly IImageSource train;
    private readonly IImageSource test;
    private readonly RunFolder? run;
    private readonly bool ownsRun;
    private readonly CheckpointFolder? checkpoints;
    private readonly IFineTuneObserver observer;
    private readonly Device device;
    private readonly ImageLoader loader;
    private readonly MixupCutmix mixer;
    private readonly RandomErasing? eraser;
    private readonly AdamW optimizer;
    private readonly double[] lrScales;
    private readonly string[] parameterNames;
    private readonly LrSchedule lr;
    private readonly GradientAccumulator accumulator;
    private readonly List<FineTuneEpoch> history = [];

    private int epoch;
    private long step;
    private double trainSeconds;
    private double evalSeconds;
    private string? lastCheckpoint;
    private bool resumed;

    /// <param name="config">Settings; <see cref="FineTuneConfig.Encoder"/> is replaced by the pretrained encoder's shape.</param>
    /// <param name="train">Labelled training split.</param>
    /// <param name="test">Labelled test split with the same classes.</param>
    /// <param name="pretrained">The pretrained encoder (copied, not modified); null trains from random initialisation.</param>
    /// <param name="outputDir">Run folder (config, metrics, final result, checkpoints), created or reused as it is and locked until disposed; null writes nothing.</param>
    /// <param name="observer">Progress callbacks.</param>
    public FineTuner(FineTuneConfig config, IImageSource train, IImageSource test, VisionTransformer? pretrained = null,
        string? outputDir = null, IFineTuneObserver? observer = null)
        : this(config, train, test, pretrained, outputDir, null, observer)
    {
    }

    /// <summary>
    /// Writes to a run folder the caller opened, checked and locked (and disposes). badInputs is the run's record of
    /// skipped images (its sink prints each warning once); null: a silent one.
    /// </summary>
    public FineTuner(FineTuneConfig config, IImageSource train, IImageSource test, VisionTransformer? pretrained, RunFolder run,
        IFineTuneObserver? observer = null, BadInputLog? badInputs = null)
        : this(config, train, test, pretrained, null, run, observer, badInputs)
    {
    }

    private FineTuner(FineTuneConfig config, IImageSource train, IImageSource test, VisionTransformer? pretrained,
        string? outputDir, RunFolder? openedRun, IFineTuneObserver? observer, BadInputLog? badInputs = null)
    {
        if (pretrained is not null)
        {
            config = config with { Encoder = pretrained.Config };
        }
        this.config = config.Validate(train.Count);
        CheckLabels(train, test);
        this.train = train;
        this.test = test;
        this.observer = observer ?? new NullObserver();
        device = new Device(config.Device);
        run = openedRun;
        if (outputDir is not null)
        {
            run = RunFolder.Open(outputDir, RunFolderOpening.Reuse with { Command = "finetune" });
            ownsRun = true;
        }
        if (run is not null)
        {
            checkpoints = new CheckpointFolder(run.PathOf("checkpoints"));
        }

        Model = pretrained is null
            ? ClassifierFactory.FromScratch(Classes, config)
            : ClassifierFactory.FromEncoder(pretrained, Classes, config);
        Model.to(device);                                    // before the optimizer: .to() replaces the Parameter objects
        var groups = ParamGroups.LayerDecay(Model, config.Encoder.Depth, config.LayerDecay, config.WeightDecay, ParamGroups.DefaultNoDecayNames);
        Groups = groups;
        optimizer = AdamWFactory.Create(groups, new AdamWConfig(1e-3, Beta2: config.Beta2, WeightDecay: config.WeightDecay));
        lrScales = ParamGroups.Scales(groups);
        parameterNames = groups.SelectMany(g => g.ParameterNames).ToArray();
        lr = new LrSchedule(config.BaseLr, config.EffectiveBatch, config.WarmupEpochs, config.Epochs, config.MinLr);
        mixer = MixupCutmix.From(config, Classes);
        eraser = config.ReProb > 0 ? new RandomErasing(config.ReProb) : null;
        loader = new ImageLoader(train, new LoaderOptions(
            TransformSpec.Train(config.Encoder.ImageSize, config.CropScaleMin) with { RandAugment = RandAugment.Parse(config.RandAugment) },
            config.BatchSize, Shuffle: true, DropLast: true, Seed: config.Seed, Workers: config.Workers,
            OnBadInput: config.SkipBadImages ? BadInputPolicy.Skip : BadInputPolicy.Fail, BadInputs: badInputs));
        accumulator = new GradientAccumulator(config.Accumulation, loader.BatchesPerEpoch, optimizer,
            groups.SelectMany(g => g.Parameters).ToArray(), config.ClipGrad);
    }

    /// <summary>The dataset (path, format, splits and counts), recorded in environment.json when given.</summary>
    public DatasetSummary? Data { get; init; }

    /// <summary>The resolved settings (the encoder shape filled in).</summary>
    public FineTuneConfig Config => config;

    /// <summary>The classifier being trained.</summary>
    public VisionTransformer Model { get; }

    /// <summary>The optimizer's parameter groups, with their layer ids and lr scales.</summary>
    public IReadOnlyList<ParamGroupSpec> Groups { get; }

    public int Classes => train.ClassNames.Count;

    public RunFolder? Run => run;

    public int BatchesPerEpoch => loader.BatchesPerEpoch;

    /// <summary>
    /// Trains to the end, writing final.json (or, with <paramref name="stopAfterEpochs"/>, stops once that many epochs
    /// are done and checkpointed: an interruption that <paramref name="resume"/> continues exactly).
    /// </summary>
    public FineTuneResult Train(bool resume = false, int? stopAfterEpochs = null, CancellationToken cancellation = default)
    {
        if (resume && !resumed)
        {
            ResumeFrom(new ResumeOptions());
        }
        // Only now: a refused resume must leave the run's records as they were.
        run?.WriteConfig(config);
        run?.WriteEnvironment(EnvironmentInfo.Capture() with { Data = Data });
        observer.OnStart(new FineTuneStart(epoch, step, loader.BatchesPerEpoch, resumed));
        while (epoch < config.Epochs)
        {
            Model.train();
            var clock = Stopwatch.StartNew();
            double lossSum = 0;
            int batches = 0;
            foreach (var batch in loader.Epoch(epoch, cancellation: cancellation))
            {
                using (batch)
                {
                    lossSum += TrainStep(batch);
                }
                batches++;
            }
            double epochTrain = clock.Elapsed.TotalSeconds;
            trainSeconds += epochTrain;

            ClassifierScore? score = null;
            double epochEval = 0;
            if (epoch == config.Epochs - 1 || (config.EvalEvery > 0 && (epoch + 1) % config.EvalEvery == 0))
            {
                clock.Restart();
                int evaluated = epoch;
                score = ClassifierEvaluation.Run(Model, test, config.EvalBatchSize, config.Workers, device, cancellation,
                    done => observer.OnEvaluationProgress(evaluated, done, test.Count));
                epochEval = clock.Elapsed.TotalSeconds;
                evalSeconds += epochEval;
            }
            var report = new FineTuneEpoch(epoch, batches > 0 ? lossSum / batches : double.NaN, lr.LrAt(epoch + 1.0),
                score?.Loss, score?.Top1, score?.Top5, (double)batches * config.BatchSize / Math.Max(epochTrain, 1e-9), epochTrain, epochEval);
            history.Add(report);
            run?.AppendMetrics(report);
            observer.OnEpoch(report);
            epoch++;
            SaveCheckpoint(score);
            if (stopAfterEpochs is int stop && epoch >= stop && epoch < config.Epochs)
            {
                return Result(finished: false);
            }
        }
        var result = Result(finished: true);
        run?.WriteFinal(result);
        return result;
    }

    /// <summary>
    /// Loads the run's newest checkpoint to continue from (naming it, and any damaged newer one, through the options'
    /// note); <see cref="Train"/> then carries on from the epoch after it. The configuration must match the
    /// checkpoint's except for the learning-rate schedule (<see cref="ResumeCheck"/>).
    /// </summary>
    public void ResumeFrom(ResumeOptions options)
    {
        if (resumed)
        {
            throw new InvalidOperationException("the run has already been resumed");
        }
        if (checkpoints is null || run is null)
        {
            throw new ConfigException("Resume", "needs an output folder holding checkpoints");
        }
        using var checkpoint = checkpoints.LoadForResume(options.FromOlder, options.Note);
        if (!checkpoint.Metadata.TryGetPropertyValue("kind", out var kind) || kind?.GetValue<string>() != KindValue
            || !checkpoint.Metadata.ContainsKey("step"))
        {
            throw new CheckpointException(checkpoint.FilePath, "is not a fine-tuning checkpoint that can be resumed");
        }
        ResumeCheck.Compare(checkpoint, ConfigKey, config, options.Note);
        ResumeCheck.CompareDataset(checkpoint, train.Count);
        checkpoint.ApplyModule(ModelSection, Model);
        checkpoint.ApplyOptimizer(OptimizerSection, optimizer, parameterNames);
        epoch = checkpoint.Get<int>("epoch");
        step = checkpoint.Get<long>("step");
        // Time spent before the interruption still belongs to the run.
        trainSeconds = checkpoint.Get<double>("train_seconds");
        evalSeconds = checkpoint.Get<double>("eval_seconds");
        lastCheckpoint = checkpoint.FilePath;
        resumed = true;
        options.Note?.Invoke($"resume: from {checkpoint.FilePath}: {epoch} epoch(s) done, step {step}");
        history.AddRange(run.TruncateMetrics<FineTuneEpoch>(epoch, e => e.Epoch));
    }

    public void Dispose()
    {
        optimizer.Dispose();
        Model.Dispose();
        if (ownsRun)
        {
            run?.Dispose();
        }
    }

    // One micro-batch: mix, erase, forward with drop path, soft-target loss, backward; at accumulation boundaries (clip,) update.
    private double TrainStep(ImageBatch batch)
    {
        using var pause = new CollectionPause();   // no collection while libtorch holds implicit Scalars
        using var scope = NewDisposeScope();
        var clock = Stopwatch.StartNew();
        int b = batch.BatchIndex;
        double currentLr = lr.Apply(optimizer, lrScales, LrSchedule.Tau(epoch, b, loader.BatchesPerEpoch));

        var images = batch.Images.to(device);
        var labels = tensor(batch.Labels, device: device);
        var mixed = mixer.Apply(images, labels, Seeds.Random(config.Seed, Seeds.Purpose.FineTune, MixStream, epoch, b));
        if (eraser is not null)
        {
            // After the mix, on the normalised batch, as timm's training loop orders them.
            using var values = new Generator((ulong)Seeds.Derive(config.Seed, Seeds.Purpose.FineTune, EraseValuesStream, epoch, b));
            eraser.Apply(mixed.Images, Seeds.Random(config.Seed, Seeds.Purpose.FineTune, EraseStream, epoch, b), values);
        }
        using var generator = new Generator((ulong)Seeds.Derive(config.Seed, Seeds.Purpose.FineTune, DropPathStream, epoch, b));
        Tensor loss;
        Model.DropPathGenerator = generator;
        try
        {
            loss = SoftTargetCrossEntropy.Loss(Model.Classify(mixed.Images), mixed.Targets);
        }
        finally
        {
            Model.DropPathGenerator = null;
        }
        double value = loss.item<float>();
        if (!double.IsFinite(value))
        {
            throw new NonFiniteLossException(epoch, b, step, value, lastCheckpoint);
        }
        if (accumulator.Backward(loss, b))
        {
            step++;
        }
        observer.OnStep(new FineTuneStep(epoch, b, loader.BatchesPerEpoch, step, value, currentLr, batch.Count / clock.Elapsed.TotalSeconds));
        return value;
    }

    private FineTuneResult Result(bool finished)
    {
        var evaluated = history.Where(e => e.TestTop1 is not null).ToList();
        var last = evaluated.LastOrDefault();
        var best = evaluated.OrderByDescending(e => e.TestTop1).ThenBy(e => e.Epoch).FirstOrDefault();
        return new FineTuneResult(epoch, step, last?.TestTop1 ?? double.NaN, last?.TestTop5 ?? double.NaN, last?.TestLoss ?? double.NaN,
            best?.TestTop1 ?? double.NaN, best?.Epoch ?? -1, history.ToList(), lastCheckpoint, trainSeconds, evalSeconds,
            train.Count, test.Count, Classes, finished);
    }

    // After each epoch: the classifier (timm names), optimizer state and position. FineTunedModel reads the newest.
    private void SaveCheckpoint(ClassifierScore? score)
    {
        if (checkpoints is null)
        {
            return;
        }
        using var data = new CheckpointData()
            .With("kind", KindValue)
            .With(ConfigKey, JsonSerializer.SerializeToNode(config, RunFolder.JsonOptions))
            .With("class_names", train.ClassNames.ToArray())
            .With("epoch", epoch)
            .With("step", step)
            .With("train_seconds", trainSeconds)
            .With("eval_seconds", evalSeconds)
            .With("dataset_count", train.Count)
            .With("library_version", LibraryInfo.Version);
        if (score is not null)
        {
            data.With("top1", score.Top1).With("top5", score.Top5);
        }
        data.AddModule(ModelSection, Model).AddOptimizer(OptimizerSection, optimizer, parameterNames);
        // A diverged run must never leave a poisoned file as its newest checkpoint: the one before stays the last good one.
        var (bad, where) = Finiteness.Check(data.Tensors, data.Arrays);
        if (bad > 0)
        {
            throw new NonFiniteWeightsException(epoch, step, bad, where, lastCheckpoint);
        }
        lastCheckpoint = checkpoints.Save(epoch, data, config.KeepCheckpoints);
    }

    /// <summary>Fine-tuning needs labels, and the test split must name the same classes in the same order.</summary>
    public static void CheckLabels(IImageSource train, IImageSource test)
    {
        if (train.ClassNames.Count < 2)
        {
            throw new ConfigException("Data", $"'{train.Name}' has no labels (fine-tuning needs at least two classes)");
        }
        if (!train.ClassNames.SequenceEqual(test.ClassNames))
        {
            throw new ConfigException("Data", $"the test split '{test.Name}' has classes [{string.Join(", ", test.ClassNames.Take(5))}…] " +
                $"but the training split '{train.Name}' has [{string.Join(", ", train.ClassNames.Take(5))}…]");
        }
        if (test.Count == 0)
        {
            throw new ConfigException("Data", $"the test split '{test.Name}' is empty");
        }
    }

    private sealed class NullObserver : IFineTuneObserver
    {
    }
}
