using System.Diagnostics;
using AmtSharp.Core;
using AmtSharp.Data;
using AmtSharp.Data.Loading;
using AmtSharp.Models.Vit;
using TorchSharp;

namespace AmtSharp.Benchmarks;

/// <summary>Parts of `amt bench all`.</summary>
public enum BenchSection
{
    Matmul,
    Train,
    Ratios,
    Prior,
    Loader,
    Memory,
    Run,
}

/// <summary>One training-step measurement: a model, a batch, steps and the methods to time.</summary>
/// <param name="Preset">Preset name for the label (vit_small …).</param>
/// <param name="Model">Encoder and MAE decoder.</param>
/// <param name="BatchSize">Images per step.</param>
/// <param name="Steps">Timed steps per method.</param>
/// <param name="WarmupSteps">Untimed steps per method.</param>
/// <param name="Methods">Methods, in order.</param>
/// <param name="MemoryAt">Steps at which resident memory is sampled.</param>
/// <param name="Profile">Whether to attribute each step's time (block / GEMM / attention timing).</param>
/// <param name="ProfileRepeats">Timed repeats per profiled part (the median counts).</param>
public sealed record TrainCase(
    string Preset, BenchModel Model, int BatchSize, int Steps, int WarmupSteps, IReadOnlyList<BenchMethod> Methods,
    IReadOnlyList<int>? MemoryAt = null, bool Profile = false, int ProfileRepeats = 3)
{
    public string Label => Model.Describe(Preset);

    public TrainBenchOptions Options(long seed) => new(Model, BatchSize, Steps, WarmupSteps, MemoryAt, seed);

    /// <summary>A preset encoder (vit_tiny … vit_large) with an optional depth override and an MAE decoder.</summary>
    public static BenchModel Shape(string preset, int imageSize, int patchSize, int depth, int decoderWidth, int decoderDepth)
    {
        var vit = VitConfig.Preset(preset, imageSize, patchSize);
        vit = depth > 0 ? vit with { Depth = depth } : vit;
        return new BenchModel(vit.Validate(), decoderWidth, decoderDepth, Math.Max(1, decoderWidth / 32));
    }
}

/// <summary>Everything `amt bench` can measure and with which settings.</summary>
public sealed record BenchPlan
{
    public IReadOnlyList<BenchSection> Sections { get; init; } = Enum.GetValues<BenchSection>();

    /// <summary>torch.set_num_threads before measuring; 0 leaves libtorch's default.</summary>
    public int Threads { get; init; }

    /// <summary>A fixed glibc mmap threshold in bytes set before measuring (see <see cref="NativeAllocator"/>); null keeps glibc's dynamic one.</summary>
    public int? MmapThreshold { get; init; }

    public IReadOnlyList<int> MatmulSizes { get; init; } = MatmulBenchmark.DefaultSizes;

    public int MatmulRepeats { get; init; } = 3;

    /// <summary>The main table: the issue's MFU setting, vit_small/16 at 224 px, batch 32, all four methods, profiled.</summary>
    public TrainCase Train { get; init; } = new("vit_small", TrainCase.Shape("vit_small", 224, 16, 0, 512, 8), 32, 2, 1, BenchMethods.All, Profile: true);

    /// <summary>Issue 4's step-time ratios: vit_tiny at 32 px (the pretrain defaults) and vit_base at 224 px (paper decoder).</summary>
    public IReadOnlyList<TrainCase> RatioCases { get; init; } =
    [
        new("vit_tiny", TrainCase.Shape("vit_tiny", 32, 4, 0, 128, 2), 64, 10, 2, [BenchMethod.Mae, BenchMethod.MaeAmt]),
        new("vit_base", TrainCase.Shape("vit_base", 224, 16, 0, 512, 8), 8, 2, 1, [BenchMethod.Mae, BenchMethod.MaeAmt]),
    ];

    public int PriorBatchSize { get; init; } = 32;

    public int PriorBatches { get; init; } = 2;

    public int LoaderBatches { get; init; } = 10;

    public int Workers { get; init; } = 2;

    /// <summary>Resident memory from step 100 to step 1000 on a model small enough to take 1000 steps quickly.</summary>
    public TrainCase Memory { get; init; } =
        new("vit_tiny", TrainCase.Shape("vit_tiny", 32, 4, 0, 128, 2), 16, 999, 1, [BenchMethod.MaeAmt], [100, 1000]);

    /// <summary>Whole runs (pretrain defaults: vit_tiny/4 at 32 px, decoder 128×2).</summary>
    public RunBenchOptions Run { get; init; } = new(TrainCase.Shape("vit_tiny", 32, 4, 0, 128, 2), 10, 64, 2);

    /// <summary>The whole-run data (default: 2048 embedded synthetic images at the run's image size).</summary>
    public DatasetSpec? RunData { get; init; }

    public long Seed { get; init; }
}

/// <summary>Runs the sections of a <see cref="BenchPlan"/> in order, reporting progress, and collects a <see cref="BenchReport"/>.</summary>
public static class BenchSuite
{
    public static BenchReport Run(BenchPlan plan, string commandLine, TextWriter progress)
    {
        var clock = Stopwatch.StartNew();
        if (plan.Threads > 0)
        {
            torch.set_num_threads(plan.Threads);
        }
        int? threshold = null;
        if (plan.MmapThreshold is int bytes && NativeAllocator.TrySetMmapThreshold(bytes))
        {
            threshold = bytes;
        }
        var environment = BenchEnvironment.Capture(threshold);
        bool Has(BenchSection s) => plan.Sections.Contains(s);

        MatmulResult? matmul = null;
        if (Has(BenchSection.Matmul))
        {
            progress.WriteLine($"[bench] matmul: sizes {string.Join(", ", plan.MatmulSizes)}, {plan.MatmulRepeats} repeats");
            matmul = MatmulBenchmark.Run(plan.MatmulSizes, plan.MatmulRepeats, plan.Seed);
        }
        double? peak = matmul?.PeakFlopsPerSecond;

        // Memory first: glibc keeps the heap earlier sections grew, which would hide this run's growth.
        TrainSection? memory = null;
        if (Has(BenchSection.Memory))
        {
            memory = RunCase(plan.Memory, plan.Seed, peak, progress);
        }

        var train = new List<TrainSection>();
        var ratios = new List<AmtRatio>();
        if (Has(BenchSection.Train))
        {
            var section = RunCase(plan.Train, plan.Seed, peak, progress);
            train.Add(section);
            ratios.AddRange(AmtRatio.From(section.Model, section.Methods));
        }
        if (Has(BenchSection.Ratios))
        {
            foreach (var c in plan.RatioCases)
            {
                var section = RunCase(c, plan.Seed, peak, progress);
                train.Add(section);
                ratios.AddRange(AmtRatio.From(section.Model, section.Methods));
            }
        }

        PriorPassResult? prior = null;
        if (Has(BenchSection.Prior))
        {
            progress.WriteLine($"[bench] prior pass: {plan.Train.Label}, batch {plan.PriorBatchSize} × {plan.PriorBatches}");
            prior = PriorPassBenchmark.Run(plan.Train.Model.Encoder, plan.PriorBatchSize, plan.PriorBatches, plan.Seed, peak);
        }

        LoaderResult? loader = null;
        if (Has(BenchSection.Loader))
        {
            int size = plan.Train.Model.Encoder.ImageSize;
            var source = new DatasetSpec(DatasetFormat.Synthetic, Limit: Math.Max(plan.Train.BatchSize * plan.LoaderBatches, 256), Size: size, Seed: plan.Seed).OpenTrain();
            progress.WriteLine($"[bench] loader: {source.Name}, {size} px, {plan.Workers} workers, batch {plan.Train.BatchSize} × {plan.LoaderBatches}");
            double rate = LoaderBenchmark.Run(source, size, plan.Workers, plan.Train.BatchSize, plan.LoaderBatches);
            loader = new LoaderResult(source.Name, size, plan.Workers, plan.Train.BatchSize, plan.LoaderBatches, rate);
        }

        RunBenchResult? run = null;
        if (Has(BenchSection.Run))
        {
            var data = plan.RunData ?? new DatasetSpec(DatasetFormat.Synthetic, Limit: 2048, Size: plan.Run.Model.Encoder.ImageSize, Seed: plan.Seed);
            var source = data.OpenTrain();
            progress.WriteLine($"[bench] whole runs: MAE then MAE + AMT, {plan.Run.Epochs} epochs on {source.Name} ({source.Count} images)");
            run = PretrainRunBenchmark.Run(source, plan.Run with { Seed = plan.Seed, Workers = plan.Workers });
        }

        return new BenchReport(commandLine, environment, matmul, train, ratios, prior, loader, memory, run,
            BenchEnvironment.ReadLoadAverage(), clock.Elapsed.TotalSeconds);
    }

    private static TrainSection RunCase(TrainCase c, long seed, double? peak, TextWriter progress)
    {
        var rows = new List<TrainStepResult>();
        var profiles = new List<StepProfile>();
        foreach (var method in c.Methods)
        {
            progress.WriteLine($"[bench] {method.Name()}: {c.Label}, batch {c.BatchSize}, {c.WarmupSteps} warm-up + {c.Steps} timed steps");
            var row = TrainStepBenchmark.Run(method, c.Options(seed), peak);
            rows.Add(row);
            progress.WriteLine(FormattableString.Invariant(
                $"[bench]   {row.MsPerStep:F0} ms/step, {row.ImagesPerSecond:F2} images/s, {row.AchievedFlopsPerSecond / 1e9:F1} GFLOP/s{(row.Mfu is double m ? $", MFU {m * 100:F1}%" : "")}"));
            if (c.Profile)
            {
                progress.WriteLine($"[bench] profiling {method.Name()} (blocks, GEMMs, attention; {c.ProfileRepeats} repeats)");
                profiles.Add(StepProfiler.Profile(row, method, c.Model, c.ProfileRepeats, peak));
            }
        }
        return new TrainSection(c.Label, c.Model, c.BatchSize, c.Steps, c.WarmupSteps, rows, profiles);
    }
}
