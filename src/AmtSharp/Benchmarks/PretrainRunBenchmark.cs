using System.Diagnostics;
using AmtSharp.Amt;
using AmtSharp.Core;
using AmtSharp.Data;
using AmtSharp.Training.Pretraining;

namespace AmtSharp.Benchmarks;

/// <summary>A whole-run comparison's settings.</summary>
/// <param name="Model">Encoder and MAE decoder.</param>
/// <param name="Epochs">Epochs of both runs.</param>
/// <param name="BatchSize">Images per step.</param>
/// <param name="Workers">Loader threads.</param>
/// <param name="Seed">Run seed (same for both).</param>
/// <param name="AmtStartEpoch">s; null = AMT's default fraction (10% of the epochs).</param>
/// <param name="RefreshInterval">
/// k; null = the whole run, i.e. one refresh after epoch s − 1. The default fractions refresh about 9 times in any
/// run; in 400 epochs that is under 1% of the work, in 10 it is most of it. One refresh keeps a short run's share
/// of refresh work close to the paper's schedule. 0 = AMT's default fraction.
/// </param>
/// <param name="Precision">Both runs' compute precision.</param>
public sealed record RunBenchOptions(BenchModel Model, int Epochs, int BatchSize, int Workers, long Seed = 0, int? AmtStartEpoch = null, int? RefreshInterval = null,
    ComputePrecision Precision = ComputePrecision.Fp32);

/// <summary>One pretraining run.</summary>
/// <param name="Method">mae or mae-amt.</param>
/// <param name="WallSeconds">Pretrainer.Train from start to end: loading, steps, refreshes (model construction excluded).</param>
/// <param name="TrainSeconds">Time in training epochs (loader and steps).</param>
/// <param name="RefreshSeconds">Time in prior refreshes.</param>
/// <param name="Refreshes">Prior refreshes run.</param>
/// <param name="Steps">Optimizer steps.</param>
/// <param name="ImagesPerSecond">Training images / wall seconds.</param>
/// <param name="FinalLoss">Last epoch's mean loss.</param>
/// <param name="FlopsPerImage">Model FLOPs per training image over the whole run (ComputeAccounting; refreshes included).</param>
public sealed record RunBenchEntry(
    string Method, double WallSeconds, double TrainSeconds, double RefreshSeconds, int Refreshes, long Steps,
    double ImagesPerSecond, double FinalLoss, double FlopsPerImage);

/// <summary>MAE against MAE + AMT over the same epochs.</summary>
/// <param name="Dataset">Source name.</param>
/// <param name="Images">Training images.</param>
/// <param name="Epochs">Epochs of each run.</param>
/// <param name="BatchSize">Images per step.</param>
/// <param name="Workers">Loader threads.</param>
/// <param name="AmtStartEpoch">s: first AMT epoch (random 0.75 before).</param>
/// <param name="RefreshEpochs">Epochs after which the prior was computed.</param>
/// <param name="Mae">The baseline.</param>
/// <param name="MaeAmt">MAE + AMT.</param>
/// <param name="WallRatio">MAE + AMT wall / MAE wall (target ≤ 0.75).</param>
/// <param name="FlopsRatio">MAE + AMT run FLOPs / MAE run FLOPs.</param>
public sealed record RunBenchResult(
    string Dataset, int Images, int Epochs, int BatchSize, int Workers, int AmtStartEpoch, IReadOnlyList<int> RefreshEpochs,
    RunBenchEntry Mae, RunBenchEntry MaeAmt, double WallRatio, double FlopsRatio);

/// <summary>
/// Two whole short pretrainings through <see cref="Pretrainer"/> (real loader, warm-up epochs, prior refreshes),
/// MAE with random 0.75 and MAE + AMT (0.45, 0.40), same epochs, batch, seed and data; no checkpoints written.
/// </summary>
public static class PretrainRunBenchmark
{
    public static RunBenchResult Run(IImageSource source, RunBenchOptions options)
    {
        if (options.Epochs < 2)
        {
            throw new ConfigException(nameof(RunBenchOptions.Epochs), $"needs at least 2 (one random warm-up epoch, then AMT), got {options.Epochs}");
        }
        PretrainConfig Config(BenchMethod m) => m.Config(options.Model, options.BatchSize, options.Seed) with
        {
            Epochs = options.Epochs,
            WarmupEpochs = Math.Min(1, options.Epochs - 1),
            Workers = options.Workers,
            CheckpointEvery = 0,
            Precision = options.Precision,
        };
        var maeConfig = Config(BenchMethod.Mae);
        var amtConfig = Config(BenchMethod.MaeAmt);
        amtConfig = amtConfig with
        {
            Amt = amtConfig.Amt! with
            {
                StartEpoch = options.AmtStartEpoch,
                RefreshInterval = options.RefreshInterval switch { null => options.Epochs, 0 => null, int k => k },
            },
        };
        var schedule = new AmtSchedule(options.Epochs, amtConfig.Amt!, MimFactory.Grid(amtConfig));
        var accounting = BenchMethods.Accounting(maeConfig);
        double maeFlops = options.Epochs * accounting.TrainStepFlops(ComputeAccounting.InPatches(BenchMethods.Strategy(maeConfig).Counts, schedule.Grid));
        double amtFlops = accounting.RunFlopsPerImage(schedule);

        var mae = Train(BenchMethod.Mae, maeConfig, source, maeFlops);
        var amt = Train(BenchMethod.MaeAmt, amtConfig, source, amtFlops);
        return new RunBenchResult(source.Name, source.Count, options.Epochs, options.BatchSize, options.Workers,
            schedule.StartEpoch, schedule.RefreshEpochs, mae, amt, amt.WallSeconds / mae.WallSeconds, amtFlops / maeFlops);
    }

    private static RunBenchEntry Train(BenchMethod method, PretrainConfig config, IImageSource source, double flopsPerImage)
    {
        using var trainer = new Pretrainer(config, source);
        var clock = Stopwatch.StartNew();
        var result = trainer.Train();
        double wall = clock.Elapsed.TotalSeconds;
        long images = (long)trainer.BatchesPerEpoch * config.BatchSize * config.Epochs;
        return new RunBenchEntry(method.Name(), wall, result.TrainSeconds, result.RefreshSeconds,
            result.Epochs.Count(e => e.Prior is not null), result.Steps, images / wall, result.FinalLoss, flopsPerImage);
    }
}
