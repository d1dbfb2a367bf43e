using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using AmtSharp.Amt;
using AmtSharp.Benchmarks;
using AmtSharp.Core;
using AmtSharp.Data;
using AmtSharp.Data.Loading;
using AmtSharp.Training.Checkpoints;
using AmtSharp.Training.Evaluation;
using AmtSharp.Training.FineTuning;
using AmtSharp.Training.Pretraining;
using AmtSharp.Training.Runs;

namespace AmtSharp.Experiments;

/// <summary>
/// One pretraining recipe of a comparison, e.g. "mae-amt", built for one seed (<c>Config.Seed</c>).
/// <see cref="Baseline"/> is the arm its effect is measured against, <see cref="Control"/> the arm that draws the same
/// counts at random, <see cref="Flags"/> the <c>amt pretrain</c> options that give the recipe (besides the budget's).
/// </summary>
public sealed record ComparisonArm(string Name, string Label, PretrainConfig Config)
{
    public string? Baseline { get; init; }

    public string? Control { get; init; }

    public string Flags { get; init; } = "";

    /// <summary>The arm this one rescales to its baseline's FLOPs, or null.</summary>
    public string? EqualFlopsOf { get; init; }

    public long Seed => Config.Seed;
}

/// <summary>The frozen-encoder evaluations run after each arm's pretraining.</summary>
/// <param name="Frozen">Probe and kNN settings (the probe's seed is replaced by the arm's).</param>
/// <param name="Poolings">Features evaluated.</param>
/// <param name="FinalPrior">Also pass the trained encoder over the training images once and describe its prior.</param>
/// <param name="DenseProbe">Also run the dense probe (patch classes, mIoU); needs sources with object masks.</param>
/// <param name="FineTune">Also fine-tune every arm's encoder end to end with this recipe, and the same recipe from
/// scratch once per seed (<see cref="ComparisonFineTuning"/>); its seed, workers and device are replaced by the arm's.</param>
public sealed record ComparisonEvaluation(FrozenEvaluationConfig Frozen, IReadOnlyList<FeaturePooling> Poolings, bool FinalPrior = true,
    bool DenseProbe = false, FineTuneConfig? FineTune = null);

/// <summary>The prior after one refresh during training.</summary>
public sealed record PriorRefresh(int Epoch, PriorStatistics Statistics, ForegroundOverlap? ForegroundOverlap);

/// <summary>Where and under which load an arm was trained (the part of it this process ran).</summary>
public sealed record ArmConditions(
    string Cpu,
    int Cores,
    int TorchThreads,
    int Workers,
    IReadOnlyList<double> LoadAtStart,
    IReadOnlyList<double> LoadAtEnd,
    DateTimeOffset StartedUtc,
    DateTimeOffset FinishedUtc,
    string? Precision = null);

/// <summary>What one arm at one seed ended with; written to its run folder as arm-result.json.</summary>
public sealed record ArmResult(
    string Name,
    string Label,
    int Epochs,
    long Steps,
    double FinalLoss,
    double TrainSeconds,
    double RefreshSeconds,
    double WallSeconds,
    double ImagesPerSecond,
    int EncoderTokens,
    int DecoderTokens,
    IReadOnlyDictionary<string, FrozenEvaluationResult> Evaluations,
    long Seed = 0,
    double RunFlopsPerImage = 0,
    IReadOnlyList<PriorRefresh>? PriorHistory = null,
    PriorStatistics? FinalPrior = null,
    ArmConditions? Conditions = null,
    ForegroundOverlap? FinalPriorOnObject = null,
    DenseProbeResult? DenseProbe = null,
    FineTuneSummary? FineTune = null);

/// <summary>Receives progress of a comparison.</summary>
public interface IComparisonObserver
{
    /// <summary>Progress display for one arm's pretraining.</summary>
    IPretrainObserver? OnArmStart(ComparisonArm arm, bool resuming) => null;

    /// <summary>The dense probe of one arm starts.</summary>
    void OnDenseProbeStart(ComparisonArm arm) { }

    void OnEvaluationStart(ComparisonArm arm, FeaturePooling pooling) { }

    /// <summary>Before the pass that measures the trained encoder's prior.</summary>
    void OnFinalPriorStart(ComparisonArm arm) { }

    /// <summary>Progress display for one fine-tuning (an arm's encoder, or the supervised baseline's).</summary>
    IFineTuneObserver? OnFineTuneStart(string label, long seed, int epochs) => null;

    void OnArmDone(ArmResult result) { }
}

/// <summary>
/// Pretrains recipes on one dataset with the same budget, each at its own seed, then evaluates each frozen encoder
/// (linear probe and kNN on the test split, and the prior it would give). Arm <c>a</c> at seed <c>s</c> lives in the
/// run folder <c>seed-s/a</c>. An interrupted comparison run again continues exactly where it stopped: finished arms are
/// read back, a stopped pretraining resumes from its newest checkpoint, and a finished arm whose evaluation lacks a
/// protocol asked for now is evaluated again from its final checkpoint.
/// </summary>
public sealed class MethodComparison(string outputDir, IImageSource train, IImageSource test, ComparisonEvaluation evaluation)
{
    public const string ArmResultFile = "arm-result.json";

    /// <summary>The run folder of an arm at its seed.</summary>
    public static string ArmFolder(string outputDir, string arm, long seed) =>
        Path.Combine(outputDir, string.Create(CultureInfo.InvariantCulture, $"seed-{seed}"), arm);

    public IReadOnlyList<ArmResult> Run(IReadOnlyList<ComparisonArm> arms, IComparisonObserver? observer = null,
        CancellationToken cancellation = default)
    {
        if (arms.Select(a => (a.Name, a.Seed)).Distinct().Count() != arms.Count)
        {
            throw new ArgumentException("each arm may appear once per seed", nameof(arms));
        }
        var results = arms.Select(arm => RunArm(arm, observer, cancellation)).ToList();
        if (evaluation.FineTune is not null)
        {
            // The supervised baseline of each seed: the recipe from random initialisation, with the arms' encoder shape.
            results.AddRange(arms.GroupBy(a => a.Seed).Select(g => RunSupervised(g.First(), observer, cancellation)));
        }
        return results;
    }

    /// <summary>Every finished arm result under <paramref name="outputDir"/>, by seed then name.</summary>
    public static IReadOnlyList<ArmResult> ReadAll(string outputDir)
    {
        if (!Directory.Exists(outputDir))
        {
            return [];
        }
        return Directory.EnumerateDirectories(outputDir, "seed-*")
            .SelectMany(seed => Directory.EnumerateDirectories(seed))
            .Select(arm => Path.Combine(arm, ArmResultFile))
            .Where(File.Exists)
            .Select(Read)
            .OrderBy(r => r.Seed).ThenBy(r => r.Name, StringComparer.Ordinal)
            .ToList();
    }

    private static ArmResult Read(string file) =>
        JsonSerializer.Deserialize<ArmResult>(File.ReadAllText(file), RunFolder.JsonOptions)
        ?? throw new CheckpointException(file, "is empty");

    private ArmResult RunArm(ComparisonArm arm, IComparisonObserver? observer, CancellationToken cancellation)
    {
        string folder = ArmFolder(outputDir, arm.Name, arm.Seed);
        string resultFile = Path.Combine(folder, ArmResultFile);
        if (File.Exists(resultFile))
        {
            var done = Read(resultFile);
            if (IsComplete(done))
            {
                observer?.OnArmDone(done);
                return done;
            }
            // Finished pretraining, but an evaluation asked for now is missing: evaluate the final checkpoint again.
            var reevaluated = Evaluate(arm, folder, done, observer, cancellation);
            Write(resultFile, reevaluated);
            observer?.OnArmDone(reevaluated);
            return reevaluated;
        }

        bool resuming = new CheckpointFolder(Path.Combine(folder, "checkpoints")).List().Count > 0;
        var clock = Stopwatch.StartNew();
        var machine = BenchEnvironment.Capture();
        PretrainResult pretrain;
        using (var trainer = new Pretrainer(arm.Config, train, folder, observer?.OnArmStart(arm, resuming)))
        {
            pretrain = trainer.Train(resume: resuming, cancellation: cancellation);
            trainer.Run!.WriteFinal(pretrain);
        }
        double wall = clock.Elapsed.TotalSeconds;

        var last = pretrain.Epochs[^1];
        long images = (long)pretrain.Epochs.Count * (train.Count / arm.Config.BatchSize) * arm.Config.BatchSize;
        var trained = new ArmResult(arm.Name, arm.Label, pretrain.EpochsCompleted, pretrain.Steps, pretrain.FinalLoss,
            pretrain.TrainSeconds, pretrain.RefreshSeconds,
            // Wall time of an arm resumed across sessions is the saved training time, not this session's clock.
            resuming ? pretrain.TrainSeconds + pretrain.RefreshSeconds : wall,
            images / Math.Max(pretrain.TrainSeconds, 1e-9), last.EncoderTokens, last.DecoderTokens,
            new Dictionary<string, FrozenEvaluationResult>(), arm.Seed, StudyCompute.RunFlopsPerImage(arm.Config),
            PriorHistory(pretrain.Epochs), Conditions: new ArmConditions(machine.CpuModel, machine.LogicalCores, machine.IntraOpThreads, arm.Config.Workers,
                machine.LoadAverage, BenchEnvironment.ReadLoadAverage(), machine.CapturedUtc, DateTimeOffset.UtcNow,
                arm.Config.Precision.Name()));
        var result = Evaluate(arm, folder, trained, observer, cancellation);
        Write(resultFile, result);
        observer?.OnArmDone(result);
        return result;
    }

    private bool IsComplete(ArmResult r) =>
        evaluation.Poolings.All(p => HasEvaluation(r, p)) && (!evaluation.FinalPrior || r.FinalPrior is not null)
        && (!evaluation.DenseProbe || r.DenseProbe is not null) && HasFineTune(r);

    // A fine-tuning with another recipe (another --finetune-epochs) counts as missing, so that it is looked at again
    // and refused by name rather than reported as this recipe's result.
    private bool HasFineTune(ArmResult r) =>
        evaluation.FineTune is not { } recipe || r.FineTune?.Recipe == ComparisonFineTuning.Describe(recipe);

    // An evaluation made before the converged probe existed counts as missing, so a finished arm is re-evaluated.
    private bool HasEvaluation(ArmResult r, FeaturePooling p) =>
        r.Evaluations.TryGetValue(p.ToString(), out var e) && (evaluation.Frozen.Converged is null || e.Converged is not null);

    // Frozen evaluations of the trained encoder, and the prior it gives, added to what the arm already has.
    private ArmResult Evaluate(ComparisonArm arm, string folder, ArmResult result, IComparisonObserver? observer, CancellationToken cancellation)
    {
        var evaluations = new Dictionary<string, FrozenEvaluationResult>(result.Evaluations);
        var finalPrior = result.FinalPrior;
        var onObject = result.FinalPriorOnObject;
        var device = new TorchSharp.torch.Device(arm.Config.Device);
        using var model = PretrainedModel.Load(folder);
        var frozen = evaluation.Frozen with
        {
            Probe = evaluation.Frozen.Probe with { Seed = arm.Seed },
            Converged = evaluation.Frozen.Converged is { } c ? c with { Seed = arm.Seed } : null,
        };
        var missing = evaluation.Poolings.Where(p => !HasEvaluation(result, p)).ToList();
        if (missing.Count > 0)
        {
            var fresh = FrozenEvaluation.RunPooled(model.Model.Encoder, train, test, frozen, missing, device: device,
                onPooling: p => observer?.OnEvaluationStart(arm, p));
            foreach (var (pooling, r) in fresh)
            {
                evaluations[pooling.ToString()] = r;
            }
        }
        if (evaluation.FinalPrior && finalPrior is null)
        {
            observer?.OnFinalPriorStart(arm);
            var store = new PriorStore(train.Count, arm.Config.Encoder.GridSize);
            PriorPass.Run(model.Model.Encoder, train, store, arm.Config.PriorBatchSize, arm.Config.Workers, device,
                arm.Config.SkipBadImages ? BadInputPolicy.Skip : BadInputPolicy.Fail, cancellation);
            finalPrior = store.Statistics();
            // Where the source knows its objects (synthetic shapes), how much of the prior lands on them.
            onObject = train is IForegroundMasks masks ? ForegroundOverlap.Measure(store, masks) : null;
        }
        var dense = result.DenseProbe;
        if (evaluation.DenseProbe && dense is null)
        {
            observer?.OnDenseProbeStart(arm);
            dense = DenseProbe.Run(model.Model.Encoder, train, test, frozen.Converged ?? new ConvergedProbeConfig(Seed: arm.Seed),
                frozen.BatchSize, frozen.Workers, device, cancellation);
        }
        var fineTune = result.FineTune;
        if (evaluation.FineTune is { } recipe && !HasFineTune(result))
        {
            fineTune = ComparisonFineTuning.Run(RecipeFor(recipe, arm) with { Pretrained = Path.GetFullPath(folder) }, model.Model.Encoder, train, test,
                Path.Combine(folder, ComparisonFineTuning.Folder), () => observer?.OnFineTuneStart(arm.Label, arm.Seed, recipe.Epochs), cancellation);
        }
        return result with { Evaluations = evaluations, FinalPrior = finalPrior, FinalPriorOnObject = onObject, DenseProbe = dense, FineTune = fineTune };
    }

    // The supervised baseline at the seed of arm, which lends it its encoder shape, workers and device.
    private ArmResult RunSupervised(ComparisonArm arm, IComparisonObserver? observer, CancellationToken cancellation)
    {
        string folder = ArmFolder(outputDir, ComparisonFineTuning.SupervisedArm, arm.Seed);
        string resultFile = Path.Combine(folder, ArmResultFile);
        var done = File.Exists(resultFile) ? Read(resultFile) : null;
        if (done is not null && HasFineTune(done))
        {
            observer?.OnArmDone(done);
            return done;
        }
        var recipe = RecipeFor(evaluation.FineTune!, arm) with { Encoder = arm.Config.Encoder };
        var clock = Stopwatch.StartNew();
        var summary = ComparisonFineTuning.Run(recipe, null, train, test, Path.Combine(folder, ComparisonFineTuning.Folder),
            () => observer?.OnFineTuneStart(ComparisonFineTuning.SupervisedLabel, arm.Seed, recipe.Epochs), cancellation);
        var result = new ArmResult(ComparisonFineTuning.SupervisedArm, ComparisonFineTuning.SupervisedLabel, 0, 0, 0, 0, 0,
            clock.Elapsed.TotalSeconds, 0, 0, 0, new Dictionary<string, FrozenEvaluationResult>(), arm.Seed, FineTune: summary);
        Write(resultFile, result);
        observer?.OnArmDone(result);
        return result;
    }

    private static FineTuneConfig RecipeFor(FineTuneConfig recipe, ComparisonArm arm) =>
        recipe with { Seed = arm.Seed, Workers = arm.Config.Workers, Device = arm.Config.Device };

    private static IReadOnlyList<PriorRefresh> PriorHistory(IReadOnlyList<EpochReport> epochs) =>
        epochs.Where(e => e.Prior is not null).Select(e => new PriorRefresh(e.Epoch, e.Prior!, e.ForegroundOverlap)).ToList();

    private static void Write(string file, ArmResult result) =>
        File.WriteAllText(file, JsonSerializer.Serialize(result, RunFolder.JsonOptions));
}
