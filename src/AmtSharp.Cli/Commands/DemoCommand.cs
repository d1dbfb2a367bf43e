using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using AmtSharp.Amt;
using AmtSharp.Core;
using AmtSharp.Data;
using AmtSharp.Data.Sources;
using AmtSharp.Reporting.Runs;
using AmtSharp.Training.Evaluation;
using AmtSharp.Training.Pretraining;
using AmtSharp.Training.Runs;

namespace AmtSharp.Cli.Commands;

/// <summary>
/// `amt demo`, the README's main command: MAE + AMT on the embedded synthetic shapes (the plain style), then a linear
/// probe and kNN of the trained encoder beside the same encoder at initialisation and a probe on raw pixels, and a
/// report. No files needed.
/// </summary>
internal static class DemoCommand
{
    public static Command Create()
    {
        var epochs = CommonOptions.Positive("--epochs", "Pretraining epochs (the warm-up stays 10 % of them).", PretrainPresets.Demo.Config.Epochs);
        var images = CommonOptions.Positive("--train-images", "Synthetic training images.", DemoSettings.DefaultTrainImages);
        var testImages = CommonOptions.Positive("--test-images", "Synthetic test images.", DemoSettings.DefaultTestImages);
        var probeEpochs = CommonOptions.Positive("--probe-epochs", "Linear-probe epochs.", DemoSettings.DefaultProbeEpochs);
        var output = new Option<string>("--output", "-o") { Description = "Run folder for the report, metrics and checkpoints.", DefaultValueFactory = _ => Path.Combine("runs", "demo") };
        var resume = new Option<bool>("--resume") { Description = "Continue the interrupted demo in --output from its newest checkpoint (the same settings are required)." };
        var overwrite = new Option<bool>("--overwrite") { Description = "Delete the run already in --output (checkpoints, metrics, report; each listed) and start again." };
        var (workers, threads, precision) = (CommonOptions.Workers(), CommonOptions.Threads(), CommonOptions.Precision());
        var (seed, quiet) = (CommonOptions.Seed(), CommonOptions.Quiet());
        var command = new Command("demo", "Pretrain MAE + AMT on the embedded synthetic shapes, evaluate it (linear probe, kNN; against initialisation and raw pixels) and write a report.")
        {
            epochs, images, testImages, probeEpochs, output, resume, overwrite, workers, threads, precision, seed, quiet,
        };
        command.SetAction(parse =>
        {
            var o = parse.InvocationConfiguration.Output;
            var clock = Stopwatch.StartNew();
            if (parse.GetValue(resume) && parse.GetValue(overwrite))
            {
                throw new ConfigException("overwrite", "cannot be combined with --resume (one continues the run, the other deletes it)");
            }
            var compute = CommonOptions.Compute(parse, precision, threads, workers);
            if (parse.GetValue(resume))
            {
                compute = compute with { Precision = CommonOptions.ForResume(parse, precision, parse.GetValue(output)!, compute.Precision) };
            }
            var settings = new DemoSettings(parse.GetValue(epochs), parse.GetValue(images), parse.GetValue(testImages),
                parse.GetValue(probeEpochs), parse.GetValue(output)!, compute.Threads.Workers, parse.GetValue(seed), parse.GetValue(overwrite),
                parse.GetValue(resume), compute.Precision);
            using var autocast = compute.Enter();
            var report = Demo.Run(settings, o, parse.GetValue(quiet));
            o.WriteLine($"demo finished in {ConsoleProgress.Clock(clock.Elapsed)}: report at {Path.GetFullPath(report!)}");
            return 0;
        });
        return command;
    }
}

/// <summary>The demo's budget.</summary>
internal sealed record DemoSettings(int Epochs, int TrainImages, int TestImages, int ProbeEpochs, string Output, int Workers, long Seed,
    bool Overwrite = false, bool Resume = false, ComputePrecision Precision = ComputePrecision.Fp32)
{
    public const int DefaultTrainImages = 6000;
    public const int DefaultTestImages = 1000;
    public const int DefaultProbeEpochs = 50;
}

/// <summary>
/// What the demo measures before training, saved in the run folder so that a resumed demo reports the same
/// references (its encoder is no longer at initialisation).
/// </summary>
internal sealed record DemoBaselines(FrozenEvaluationResult AtInit, FrozenEvaluationResult RawPixels, ForegroundOverlap PriorAtInit)
{
    public const string FileName = "demo-baselines.json";
}

/// <summary>The demo pipeline, shared by the command and its tests.</summary>
internal static class Demo
{
    /// <summary>
    /// Runs the demo; returns the report's path, or null when <paramref name="stopAfterSteps"/> interrupted the training
    /// (it is then checkpointed, and <see cref="DemoSettings.Resume"/> continues it).
    /// </summary>
    public static string? Run(DemoSettings s, TextWriter o, bool quiet, long? stopAfterSteps = null)
    {
        // An unwritable, busy or already used -o fails here, before any work; the lock lasts until the report is written.
        var mode = s.Resume ? RunFolderMode.Resume : s.Overwrite ? RunFolderMode.Overwrite : RunFolderMode.New;
        using var folder = RunFolder.Open(s.Output, new RunFolderOpening(mode, "amt demo", Note: o.WriteLine));
        var spec = new DatasetSpec(DatasetFormat.Synthetic, Limit: s.TrainImages, Size: PretrainPresets.Demo.Config.Encoder.ImageSize,
            Seed: s.Seed, TestCount: s.TestImages, Style: SyntheticStyle.Plain);
        var train = spec.OpenTrain();
        var test = spec.OpenTest();
        // The same preset as `amt pretrain --preset demo`, so the two cannot drift apart.
        var config = PretrainPresets.Demo.Config.WithEpochs(s.Epochs) with { Workers = s.Workers, Seed = s.Seed, Precision = s.Precision };
        config.Validate(train.Count);
        var vit = config.Encoder;
        if (!quiet)
        {
            o.WriteLine($"demo: MAE + AMT (r {config.Amt!.MaskRatio}, t {config.Amt.ThrowRatio}) on {train.Count} synthetic {vit.ImageSize} px images of " +
                $"{train.ClassNames.Count} shapes, ViT {vit.Width}×{vit.Depth}, {s.Epochs} epochs");
        }
        // Mean-patch features: at this budget MAE's [CLS] token, which no loss reaches directly, carries little of what
        // the patches learned (about half the gain, measured on the demo's shapes).
        var evaluation = new FrozenEvaluationConfig(
            new LinearProbeConfig(s.ProbeEpochs, Math.Max(1, s.ProbeEpochs / 10.0), 256, 0.1 * 40, Seed: s.Seed),
            new KnnConfig(), FeaturePooling.MeanPatch, Workers: s.Workers);
        var progress = new ConsoleProgress(o, quiet, config.Epochs);

        using var trainer = new Pretrainer(config, train, folder, progress);
        if (s.Resume)
        {
            // Before the reporter exists: a refused resume must not leave an event file or a rewritten steps.csv.
            trainer.ResumeFrom(new ResumeOptions(Note: o.WriteLine));
        }
        using var reporter = new RunReporter(trainer);
        var baselines = s.Resume ? ReadBaselines(folder) : MeasureBaselines(trainer, train, test, evaluation, reporter, progress, folder);
        var result = trainer.Train(resume: s.Resume, stopAfterSteps: stopAfterSteps);
        if (result.EpochsCompleted < config.Epochs)
        {
            return null;
        }
        var trained = FrozenEvaluation.Run(trainer.Model.Encoder, train, test, evaluation, reporter.Evaluation.ProbeEpochs("trained"), progress: progress);
        reporter.Evaluation.Record("trained", trained);
        var priorTrained = ObjectOverlap(trainer, train, progress);
        trainer.Run!.WriteFinal(new
        {
            pretrain = result,
            evaluation = trained,
            evaluation_at_init = baselines.AtInit,
            evaluation_raw_pixels = baselines.RawPixels,
            prior_on_object = priorTrained,
            prior_on_object_at_init = baselines.PriorAtInit,
        });
        if (!quiet)
        {
            foreach (var line in Summary(trained, baselines, priorTrained))
            {
                o.WriteLine(line);
            }
        }
        return DemoReport.Write(trainer, reporter, result, new EvaluationSummary(trained, baselines.AtInit, (priorTrained, baselines.PriorAtInit), baselines.RawPixels, evaluation.Pooling));
    }

    /// <summary>The summary's lines: the four accuracies against each other and chance, then the prior on the objects.</summary>
    public static IEnumerable<string> Summary(FrozenEvaluationResult trained, DemoBaselines b, ForegroundOverlap priorTrained)
    {
        yield return $"linear probe top-1 (mean-patch features): {trained.Probe!.Top1:P1} trained vs {b.AtInit.Probe!.Top1:P1} at initialisation and " +
            $"{b.RawPixels.Probe!.Top1:P1} on raw pixels (chance {1.0 / trained.Classes:P0})";
        yield return $"kNN top-1 (mean-patch features): {trained.Knn!.Top1:P1} trained vs {b.AtInit.Knn!.Top1:P1} at initialisation";
        yield return $"AMT prior on the object: {priorTrained.TopQuartileForeground:P1} of the top-quartile cells trained vs " +
            $"{b.PriorAtInit.TopQuartileForeground:P1} at initialisation (chance {priorTrained.ForegroundShare:P1})";
    }

    // The references the trained encoder must beat: the same encoder at initialisation, and a probe on raw pixels
    // (near chance when the classes differ only in outline, not in brightness or area).
    private static DemoBaselines MeasureBaselines(Pretrainer trainer, IImageSource train, IImageSource test, FrozenEvaluationConfig evaluation,
        RunReporter reporter, IPhaseProgress progress, RunFolder folder)
    {
        var atInit = FrozenEvaluation.Run(trainer.Model.Encoder, train, test, evaluation, reporter.Evaluation.ProbeEpochs("at initialisation"), progress: progress);
        reporter.Evaluation.Record("at initialisation", atInit);
        var (trainPixels, trainLabels) = FeatureExtractor.RawPixels(train, trainer.Config.Encoder.ImageSize, evaluation.BatchSize, evaluation.Workers, progress);
        var (testPixels, testLabels) = FeatureExtractor.RawPixels(test, trainer.Config.Encoder.ImageSize, evaluation.BatchSize, evaluation.Workers, progress);
        FrozenEvaluationResult raw;
        using (trainPixels)
        using (trainLabels)
        using (testPixels)
        using (testLabels)
        {
            raw = FrozenEvaluation.OnFeatures(new EvaluationFeatures(trainPixels, trainLabels, testPixels, testLabels, train.ClassNames.Count),
                evaluation with { RunKnn = false }, progress: progress);
        }
        var baselines = new DemoBaselines(atInit, raw, ObjectOverlap(trainer, train, progress));
        folder.WriteJson(DemoBaselines.FileName, baselines);
        return baselines;
    }

    private static DemoBaselines ReadBaselines(RunFolder folder)
    {
        string path = folder.PathOf(DemoBaselines.FileName);
        try
        {
            return JsonSerializer.Deserialize<DemoBaselines>(File.ReadAllText(path), RunFolder.JsonOptions)
                ?? throw new JsonException("empty");
        }
        catch (Exception e) when (e is IOException or JsonException or NotSupportedException)
        {
            throw new RunFolderException(path, $"cannot be read, so the demo cannot be resumed; start it again with --overwrite ({e.Message})", e);
        }
    }

    private static ForegroundOverlap ObjectOverlap(Pretrainer trainer, IImageSource train, IPhaseProgress progress) =>
        ForegroundOverlap.OfEncoder(trainer.Model.Encoder, train, trainer.Config.PriorBatchSize, trainer.Config.Workers, progress)
        ?? throw new InvalidOperationException("the synthetic source has foreground masks");
}
