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

    /// <summary>A preset encoder (vit_tiny … vit_large) with optional depth, width and heads overrides (0 = the preset's) and an MAE decoder.</summary>
    public static BenchModel Shape(string preset, int imageSize, int patchSize, int depth, int decoderWidth, int decoderDepth, int width = 0, int heads = 0)
    {
        var vit = VitConfig.Preset(preset, imageSize, patchSize);
        vit = vit with
        {
            Depth = depth > 0 ? depth : vit.Depth,
            Width = width > 0 ? width : vit.Width,
            Heads = heads > 0 ? heads : vit.Heads,
        };
        return new BenchModel(vit.Validate(), decoderWidth, decoderDepth, Math.Max(1, decoderWidth / 32));
    }
}

/// <summary>Everything `amt bench` can measure and with which settings.</summary>
public sealed record BenchPlan
{
    public IReadOnlyList<BenchSection> Sections { get; init; } = Enum.GetValues<BenchSection>();

    /// <summary>torch.set_num_threads before measuring; 0 leaves libtorch's default.</summary>
    public int Threads { get; init; }

    /// <summary>
    /// The precisions matmul peaks, training steps and the prior pass are measured in, side by side in this process;
    /// the resident-memory run and whole runs use the first.
    /// </summary>
    public IReadOnlyList<ComputePrecision> Precisions { get; init; } = [ComputePrecision.Fp32, ComputePrecision.Bf16];

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

        if (plan.Precisions.Count == 0)
        {
            throw new ArgumentException("need at least one precision", nameof(plan));
        }
        var matmul = new List<MatmulResult>();
        if (Has(BenchSection.Matmul))
        {
            foreach (var p in plan.Precisions)
            {
                progress.WriteLine($"[bench] matmul {p.Name()}: sizes {string.Join(", ", plan.MatmulSizes)}, {plan.MatmulRepeats} repeats");
                matmul.Add(MatmulBenchmark.Run(plan.MatmulSizes, plan.MatmulRepeats, plan.Seed, p));
            }
        }
        // MFU is measured against the peak of the precision the step computes in.
        double? Peak(ComputePrecision p) => matmul.FirstOrDefault(m => m.Precision == p.Name())?.PeakFlopsPerSecond;

        // Memory first: glibc keeps the heap earlier sections grew, which would hide this run's growth.
        TrainSection? memory = null;
        if (Has(BenchSection.Memory))
        {
            memory = RunCase(plan.Memory, plan.Seed, plan.Precisions[0], Peak(plan.Precisions[0]), progress);
        }

        var train = new List<TrainSection>();
        var ratios = new List<AmtRatio>();
        var cases = (Has(BenchSection.Train) ? [plan.Train] : Array.Empty<TrainCase>()).Concat(Has(BenchSection.Ratios) ? plan.RatioCases : []);
        foreach (var c in cases)
        {
            // Precisions alternate per model, so a change of machine load hits both alike.
            foreach (var p in plan.Precisions)
            {
                var section = RunCase(c, plan.Seed, p, Peak(p), progress);
                train.Add(section);
                ratios.AddRange(AmtRatio.From(p == ComputePrecision.Fp32 ? section.Model : $"{section.Model}, {p.Name()}", section.Methods));
            }
        }

        var prior = new List<PriorPassResult>();
        if (Has(BenchSection.Prior))
        {
            foreach (var p in plan.Precisions)
            {
                progress.WriteLine($"[bench] prior pass {p.Name()}: {plan.Train.Label}, batch {plan.PriorBatchSize} × {plan.PriorBatches}");
                var result = PriorPassBenchmark.Run(plan.Train.Model.Encoder, plan.PriorBatchSize, plan.PriorBatches, plan.Seed, Peak(p), p);
                var step = train.FirstOrDefault(s => s.Model == plan.Train.Label && s.Precision == p.Name())?.Methods is { Count: > 0 } rows
                    ? rows.FirstOrDefault(r => r.Method == BenchMethod.MaeAmt.Name()) ?? rows[0]
                    : null;
                prior.Add(result with { TrainImagesPerSecond = step?.ImagesPerSecond });
            }
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
            run = PretrainRunBenchmark.Run(source, plan.Run with { Seed = plan.Seed, Workers = plan.Workers, Precision = plan.Precisions[0] });
        }

        return new BenchReport(commandLine, environment, matmul, train, ratios, PrecisionRatio.From(train), prior, loader, memory, run,
            BenchEnvironment.ReadLoadAverage(), clock.Elapsed.TotalSeconds);
    }

    private static TrainSection RunCase(TrainCase c, long seed, ComputePrecision precision, double? peak, TextWriter progress)
    {
        var rows = new List<TrainStepResult>();
        var profiles = new List<StepProfile>();
        foreach (var method in c.Methods)
        {
            progress.WriteLine($"[bench] {method.Name()} {precision.Name()}: {c.Label}, batch {c.BatchSize}, {c.WarmupSteps} warm-up + {c.Steps} timed steps");
            var row = TrainStepBenchmark.Run(method, c.Options(seed) with { Precision = precision }, peak);
            rows.Add(row);
            progress.WriteLine(FormattableString.Invariant(
                $"[bench]   {row.MsPerStep:F0} ms/step, {row.ImagesPerSecond:F2} images/s, {row.AchievedFlopsPerSecond / 1e9:F1} GFLOP/s{(row.Mfu is double m ? $", MFU {m * 100:F1}%" : "")}"));
            // The profile times float32 layers alone; it explains the float32 step only.
            if (c.Profile && precision == ComputePrecision.Fp32)
            {
                progress.WriteLine($"[bench] profiling {method.Name()} (blocks, GEMMs, attention; {c.ProfileRepeats} repeats)");
                profiles.Add(StepProfiler.Profile(row, method, c.Model, c.ProfileRepeats, peak));
            }
        }
        return new TrainSection(c.Label, c.Model, c.BatchSize, c.Steps, c.WarmupSteps, rows, profiles, precision.Name());
    }
}
