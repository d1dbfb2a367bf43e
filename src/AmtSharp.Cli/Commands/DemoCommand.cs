using System.CommandLine;
using System.Diagnostics;
using AmtSharp.Amt;
using AmtSharp.Core;
using AmtSharp.Data;
using AmtSharp.Models.Vit;
using AmtSharp.Reporting.Runs;
using AmtSharp.Training.Evaluation;
using AmtSharp.Training.Pretraining;
using AmtSharp.Training.Runs;

namespace AmtSharp.Cli.Commands;

/// <summary>
/// `amt demo`, the README's main command: MAE + AMT on the embedded synthetic dataset, then a linear probe and kNN
/// of the trained encoder beside the same encoder at initialisation, and a report. No files needed.
/// </summary>
internal static class DemoCommand
{
    public static Command Create()
    {
        var epochs = CommonOptions.Positive("--epochs", "Pretraining epochs (the warm-up stays 10 % of them).", PretrainPresets.Demo.Config.Epochs);
        var images = CommonOptions.Positive("--train-images", "Synthetic training images.", 4000);
        var testImages = CommonOptions.Positive("--test-images", "Synthetic test images.", 1000);
        var probeEpochs = CommonOptions.Positive("--probe-epochs", "Linear-probe epochs.", 50);
        var output = new Option<string>("--output", "-o") { Description = "Run folder for the report, metrics and checkpoints.", DefaultValueFactory = _ => Path.Combine("runs", "demo") };
        var overwrite = new Option<bool>("--overwrite") { Description = "Delete the run already in --output (checkpoints, metrics, report; each listed) and start again." };
        var (workers, threads, precision) = (CommonOptions.Workers(), CommonOptions.Threads(), CommonOptions.Precision());
        var (seed, quiet) = (CommonOptions.Seed(), CommonOptions.Quiet());
        var command = new Command("demo", "Pretrain MAE + AMT on the embedded synthetic dataset, evaluate it (linear probe, kNN) and write a report.")
        {
            epochs, images, testImages, probeEpochs, output, overwrite, workers, threads, precision, seed, quiet,
        };
        command.SetAction(parse =>
        {
            var o = parse.InvocationConfiguration.Output;
            var clock = Stopwatch.StartNew();
            var compute = CommonOptions.Compute(parse, precision, threads, workers);
            var settings = new DemoSettings(parse.GetValue(epochs), parse.GetValue(images), parse.GetValue(testImages),
                parse.GetValue(probeEpochs), parse.GetValue(output)!, compute.Threads.Workers, parse.GetValue(seed), parse.GetValue(overwrite), compute.Precision);
            using var autocast = compute.Enter();
            var report = Demo.Run(settings, o, parse.GetValue(quiet));
            o.WriteLine($"demo finished in {clock.Elapsed:mm\\:ss}: report at {Path.GetFullPath(report)}");
            return 0;
        });
        return command;
    }
}

/// <summary>The demo's budget.</summary>
internal sealed record DemoSettings(int Epochs, int TrainImages, int TestImages, int ProbeEpochs, string Output, int Workers, long Seed, bool Overwrite = false,
    ComputePrecision Precision = ComputePrecision.Fp32);

/// <summary>The demo pipeline, shared by the command and its test.</summary>
internal static class Demo
{
    public static string Run(DemoSettings s, TextWriter o, bool quiet)
    {
        // An unwritable, busy or already used -o fails here, before any work; the lock lasts until the report is written.
        using var folder = RunFolder.Open(s.Output, new RunFolderOpening(s.Overwrite ? RunFolderMode.Overwrite : RunFolderMode.New,
            "amt demo", CanResume: false, Note: o.WriteLine));
        var spec = new DatasetSpec(DatasetFormat.Synthetic, Limit: s.TrainImages, Size: 32, Seed: s.Seed, TestCount: s.TestImages);
        var train = spec.OpenTrain();
        var test = spec.OpenTest();
        // The same preset as `amt pretrain --preset demo`, so the two cannot drift apart.
        var config = PretrainPresets.Demo.Config.WithEpochs(s.Epochs) with { Workers = s.Workers, Seed = s.Seed, Precision = s.Precision };
        var vit = config.Encoder;
        if (!quiet)
        {
            o.WriteLine($"demo: MAE + AMT (r {config.Amt!.MaskRatio}, t {config.Amt.ThrowRatio}) on {train.Count} synthetic 32 px images, ViT {vit.Width}×{vit.Depth}, {s.Epochs} epochs");
        }
        var probe = new FrozenEvaluationConfig(
            new LinearProbeConfig(s.ProbeEpochs, Math.Max(1, s.ProbeEpochs / 10.0), 256, 0.1 * 40, Seed: s.Seed),
            new KnnConfig(), Workers: s.Workers);

        using var trainer = new Pretrainer(config, train, folder, new ConsoleProgress(o, quiet, config.Epochs));
        using var reporter = new RunReporter(trainer);
        // The same encoder at initialisation is the reference the trained one must beat.
        var atInit = FrozenEvaluation.Run(trainer.Model.Encoder, train, test, probe, reporter.Evaluation.ProbeEpochs("at initialisation"));
        reporter.Evaluation.Record("at initialisation", atInit);
        // Does AMT's prior find the objects? The synthetic set knows where they are.
        var priorAtInit = ObjectOverlap(trainer, train);
        var result = trainer.Train();
        var trained = FrozenEvaluation.Run(trainer.Model.Encoder, train, test, probe, reporter.Evaluation.ProbeEpochs("trained"));
        reporter.Evaluation.Record("trained", trained);
        var priorTrained = ObjectOverlap(trainer, train);
        trainer.Run!.WriteFinal(new
        {
            pretrain = result,
            evaluation = trained,
            evaluation_at_init = atInit,
            prior_on_object = priorTrained,
            prior_on_object_at_init = priorAtInit,
        });
        if (!quiet)
        {
            o.WriteLine($"linear probe top-1: {trained.Probe!.Top1:P1} trained vs {atInit.Probe!.Top1:P1} at initialisation; " +
                $"kNN top-1: {trained.Knn!.Top1:P1} vs {atInit.Knn!.Top1:P1} (chance {1.0 / trained.Classes:P0})");
            o.WriteLine($"AMT prior on the object: {priorTrained.TopQuartileForeground:P1} of the top-quartile cells trained vs " +
                $"{priorAtInit.TopQuartileForeground:P1} at initialisation (chance {priorTrained.ForegroundShare:P1})");
        }
        return DemoReport.Write(trainer, reporter, result, new EvaluationSummary(trained, atInit, (priorTrained, priorAtInit)));
    }

    private static ForegroundOverlap ObjectOverlap(Pretrainer trainer, IImageSource train) =>
        ForegroundOverlap.OfEncoder(trainer.Model.Encoder, train, trainer.Config.PriorBatchSize, trainer.Config.Workers)
        ?? throw new InvalidOperationException("the synthetic source has foreground masks");
}
