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
/// End-to-end fine-tuning of a ViT classifier (amt-method §11.6): the whole network trains with AdamW, layer-wise lr
/// decay, per-iteration warm-up + cosine lr, drop path, mixup / cutmix and label smoothing (soft-target
/// cross-entropy); top-1 / top-5 on the test split are measured every <see cref="FineTuneConfig.EvalEvery"/> epochs and
/// after the last; the final model is saved as a checkpoint. Every random choice (data order, crops, mixing, drop path,
/// head init) derives from the run seed, epoch and step.
/// </summary>
public sealed class FineTuner : IDisposable
{
    public const string ModelSection = "model";
    public const string KindValue = "finetune";

    private const long DropPathStream = 1;
    private const long MixStream = 2;

    private readonly FineTuneConfig config;
    private readonly IImageSource train;
    private readonly IImageSource test;
    private readonly RunFolder? run;
    private readonly bool ownsRun;
    private readonly IFineTuneObserver observer;
    private readonly Device device;
    private readonly ImageLoader loader;
    private readonly MixupCutmix mixer;
    private readonly AdamW optimizer;
    private readonly double[] lrScales;
    private readonly Parameter[] parameters;
    private readonly LrSchedule lr;

    /// <param name="config">Settings; <see cref="FineTuneConfig.Encoder"/> is replaced by the pretrained encoder's shape.</param>
    /// <param name="train">Labelled training split.</param>
    /// <param name="test">Labelled test split with the same classes.</param>
    /// <param name="pretrained">The pretrained encoder (copied, not modified); null trains from random initialisation.</param>
    /// <param name="outputDir">Run folder (config, metrics, final result, checkpoint); null writes nothing.</param>
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

        Model = pretrained is null
            ? ClassifierFactory.FromScratch(Classes, config)
            : ClassifierFactory.FromEncoder(pretrained, Classes, config);
        Model.to(device);                                    // before the optimizer (guide B6)
        var groups = ParamGroups.LayerDecay(Model, config.Encoder.Depth, config.LayerDecay, config.WeightDecay, ParamGroups.DefaultNoDecayNames);
        Groups = groups;
        optimizer = AdamWFactory.Create(groups, new AdamWConfig(1e-3, Beta2: config.Beta2, WeightDecay: config.WeightDecay));
        lrScales = ParamGroups.Scales(groups);
        parameters = groups.SelectMany(g => g.Parameters).ToArray();
        lr = new LrSchedule(config.BaseLr, config.BatchSize, config.WarmupEpochs, config.Epochs, config.MinLr);
        mixer = MixupCutmix.From(config, Classes);
        loader = new ImageLoader(train, new LoaderOptions(
            TransformSpec.Train(config.Encoder.ImageSize, config.CropScaleMin), config.BatchSize, Shuffle: true, DropLast: true,
            Seed: config.Seed, Workers: config.Workers,
            OnBadInput: config.SkipBadImages ? BadInputPolicy.Skip : BadInputPolicy.Fail, BadInputs: badInputs));
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

    public FineTuneResult Train(CancellationToken cancellation = default)
    {
        run?.WriteConfig(config);
        run?.WriteEnvironment(EnvironmentInfo.Capture() with { Data = Data });
        var history = new List<FineTuneEpoch>();
        long step = 0;
        double trainSeconds = 0, evalSeconds = 0;
        ClassifierScore? last = null;
        double bestTop1 = double.NegativeInfinity;
        int bestEpoch = -1;
        for (int epoch = 0; epoch < config.Epochs; epoch++)
        {
            Model.train();
            var clock = Stopwatch.StartNew();
            double lossSum = 0;
            int batches = 0;
            foreach (var batch in loader.Epoch(epoch, cancellation: cancellation))
            {
                using (batch)
                {
                    lossSum += TrainStep(batch, epoch, step);
                }
                batches++;
                step++;
            }
            double epochTrain = clock.Elapsed.TotalSeconds;
            trainSeconds += epochTrain;

            ClassifierScore? score = null;
            double epochEval = 0;
            if (epoch == config.Epochs - 1 || (config.EvalEvery > 0 && (epoch + 1) % config.EvalEvery == 0))
            {
                clock.Restart();
                score = ClassifierEvaluation.Run(Model, test, config.EvalBatchSize, config.Workers, device, cancellation);
                epochEval = clock.Elapsed.TotalSeconds;
                evalSeconds += epochEval;
                last = score;
                if (score.Top1 > bestTop1)
                {
                    (bestTop1, bestEpoch) = (score.Top1, epoch);
                }
            }
            var report = new FineTuneEpoch(epoch, batches > 0 ? lossSum / batches : double.NaN, lr.LrAt(epoch + 1.0),
                score?.Loss, score?.Top1, score?.Top5, (double)batches * config.BatchSize / Math.Max(epochTrain, 1e-9), epochTrain, epochEval);
            history.Add(report);
            run?.AppendMetrics(report);
            observer.OnEpoch(report);
        }
        string? checkpoint = SaveCheckpoint(last!);
        var result = new FineTuneResult(config.Epochs, step, last!.Top1, last.Top5, last.Loss, bestTop1, bestEpoch, history, checkpoint,
            trainSeconds, evalSeconds, train.Count, test.Count, Classes);
        run?.WriteFinal(result);
        return result;
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

    // One optimizer step: mix the batch, forward with drop path, soft-target loss, backward, (clip,) update.
    private double TrainStep(ImageBatch batch, int epoch, long step)
    {
        using var scope = NewDisposeScope();
        var clock = Stopwatch.StartNew();
        int b = batch.BatchIndex;
        double currentLr = lr.Apply(optimizer, lrScales, LrSchedule.Tau(epoch, b, loader.BatchesPerEpoch));

        var images = batch.Images.to(device);
        var labels = tensor(batch.Labels, device: device);
        var mixed = mixer.Apply(images, labels, Seeds.Random(config.Seed, Seeds.Purpose.FineTune, MixStream, epoch, b));
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
            throw new NonFiniteLossException(epoch, b, step, value, null);
        }
        optimizer.zero_grad();
        loss.backward();
        if (config.ClipGrad > 0)
        {
            Gradients.ClipNorm(parameters, config.ClipGrad);
        }
        optimizer.step();
        observer.OnStep(new FineTuneStep(epoch, b, loader.BatchesPerEpoch, step + 1, value, currentLr, batch.Count / clock.Elapsed.TotalSeconds));
        return value;
    }

    private string? SaveCheckpoint(ClassifierScore score)
    {
        if (run is null)
        {
            return null;
        }
        using var data = new CheckpointData()
            .With("kind", KindValue)
            .With("finetune_config", JsonSerializer.SerializeToNode(config, RunFolder.JsonOptions))
            .With("class_names", train.ClassNames.ToArray())
            .With("epoch", config.Epochs)
            .With("top1", score.Top1)
            .With("top5", score.Top5)
            .With("library_version", LibraryInfo.Version)
            .AddModule(ModelSection, Model);
        return new CheckpointFolder(run.PathOf("checkpoints")).Save(config.Epochs, data);
    }

    /// <summary>Fine-tuning needs labels, and the test split must name the same classes in the same order.</summary>
    public static void CheckLabels(IImageSource train, IImageSource test)
    {
        if (train.ClassNames.Count < 2)
        {
            throw new ConfigException("data", $"'{train.Name}' has no labels (fine-tuning needs at least two classes)");
        }
        if (!train.ClassNames.SequenceEqual(test.ClassNames))
        {
            throw new ConfigException("data", $"the test split '{test.Name}' has classes [{string.Join(", ", test.ClassNames.Take(5))}…] " +
                $"but the training split '{train.Name}' has [{string.Join(", ", train.ClassNames.Take(5))}…]");
        }
        if (test.Count == 0)
        {
            throw new ConfigException("data", $"the test split '{test.Name}' is empty");
        }
    }

    private sealed class NullObserver : IFineTuneObserver
    {
    }
}
