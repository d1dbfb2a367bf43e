using System.Diagnostics;
using AmtSharp.Amt;
using AmtSharp.Core;
using AmtSharp.Data.Transforms;
using AmtSharp.Masking;
using AmtSharp.Models;
using AmtSharp.Models.Vit;
using AmtSharp.Training.Optim;
using AmtSharp.Training.Pretraining;
using TorchSharp;
using static TorchSharp.torch;

namespace AmtSharp.Benchmarks;

/// <summary>What to time.</summary>
/// <param name="Model">Encoder and MAE decoder.</param>
/// <param name="BatchSize">Images per step.</param>
/// <param name="Steps">Timed steps.</param>
/// <param name="WarmupSteps">Untimed steps first (allocator, thread pool and BLAS buffers settle).</param>
/// <param name="MemoryAt">Steps (counted from the first, warm-up included) after which resident memory is sampled.</param>
/// <param name="Seed">Seed of the weights, the synthetic images, the crops and the masks.</param>
/// <param name="Precision">The step's compute precision (<see cref="Autocast"/>).</param>
public sealed record TrainBenchOptions(BenchModel Model, int BatchSize, int Steps, int WarmupSteps, IReadOnlyList<int>? MemoryAt = null, long Seed = 0,
    ComputePrecision Precision = ComputePrecision.Fp32)
{
    public TrainBenchOptions Validate()
    {
        Require(BatchSize >= 1, nameof(BatchSize), $"must be at least 1, got {BatchSize}");
        Require(Steps >= 1, nameof(Steps), $"must be at least 1, got {Steps}");
        Require(WarmupSteps >= 0, nameof(WarmupSteps), $"must be 0 or more, got {WarmupSteps}");
        foreach (int s in MemoryAt ?? [])
        {
            Require(s >= 1 && s <= WarmupSteps + Steps, nameof(MemoryAt),
                $"step {s} is outside the run (1 … warm-up + steps = {WarmupSteps + Steps})");
        }
        return this;
    }

    private static void Require(bool ok, string setting, string message)
    {
        if (!ok)
        {
            throw new ConfigException(setting, message);
        }
    }
}

/// <summary>Mean wall time per timed step of each phase.</summary>
/// <param name="PlanMs">Mask plan: AMT's prior mapping onto each crop and the weighted draw, or the random draw.</param>
/// <param name="ForwardMs">Model forward and loss (read back as a number).</param>
/// <param name="BackwardMs">loss.backward().</param>
/// <param name="OptimizerMs">Gradient clipping (SimMIM), AdamW step and zero_grad.</param>
public sealed record StepPhases(double PlanMs, double ForwardMs, double BackwardMs, double OptimizerMs)
{
    public double TotalMs => PlanMs + ForwardMs + BackwardMs + OptimizerMs;
}

/// <summary>One method's training-step figures.</summary>
/// <param name="Method">mae, mae-amt, simmim or simmim-amt.</param>
/// <param name="Patches">Masked / thrown / visible patches per image.</param>
/// <param name="Tokens">Encoder and decoder (head) tokens per image.</param>
/// <param name="BatchSize">Images per step.</param>
/// <param name="TimedSteps">Steps the means are over.</param>
/// <param name="MsPerStep">Mean wall time of a timed step.</param>
/// <param name="MedianMsPerStep">Median wall time of a timed step.</param>
/// <param name="ImagesPerSecond">Batch / mean step time.</param>
/// <param name="ModelFlopsPerImage">ComputeAccounting's forward + backward (backward = 2× forward, so 3× forward); no optimizer, no draw.</param>
/// <param name="ModelFlopsPerStep">Per image × batch.</param>
/// <param name="AchievedFlopsPerSecond">Model FLOPs per step / mean step time.</param>
/// <param name="Mfu">Achieved / the in-process matmul peak of the step's precision (null when no peak was measured).</param>
/// <param name="Phases">Where a step's time goes.</param>
/// <param name="Memory">Resident memory at the requested steps.</param>
/// <param name="MemoryDriftPercent">(last sample − first sample) / first sample × 100; null with fewer than two samples.</param>
/// <param name="PeakResidentBytes">VmHWM at the end (reset before this method's model was built when the OS allows).</param>
/// <param name="PeakIsPerMethod">Whether the peak was reset for this method; otherwise it is the process's peak so far.</param>
/// <param name="FirstLoss">Loss of the first step (a sanity check: finite).</param>
/// <param name="LastLoss">Loss of the last step.</param>
/// <param name="Precision">fp32 or bf16 (mixed precision).</param>
public sealed record TrainStepResult(
    string Method,
    MaskCounts Patches,
    TokenCounts Tokens,
    int BatchSize,
    int TimedSteps,
    double MsPerStep,
    double MedianMsPerStep,
    double ImagesPerSecond,
    double ModelFlopsPerImage,
    double ModelFlopsPerStep,
    double AchievedFlopsPerSecond,
    double? Mfu,
    StepPhases Phases,
    IReadOnlyList<MemorySample> Memory,
    double? MemoryDriftPercent,
    long PeakResidentBytes,
    bool PeakIsPerMethod,
    double FirstLoss,
    double LastLoss,
    string Precision = "fp32");

/// <summary>
/// Times full training steps (mask plan, forward, backward, AdamW) of one method on synthetic image tensors that
/// are already in memory, so the data loader is excluded. The step is the one <see cref="Pretrainer"/> runs:
/// the same model, parameter groups, optimizer, clipping and strategy. AMT draws from a real prior (the last
/// block's [CLS] attention of these images), mapped through a fresh random crop and flip per sample and step.
/// </summary>
public static class TrainStepBenchmark
{
    public static TrainStepResult Run(BenchMethod method, TrainBenchOptions options, double? peakFlopsPerSecond = null)
    {
        options.Validate();
        using var autocast = Autocast.Enter(options.Precision);
        bool peakReset = ProcessMemory.TryResetPeak();
        int b = options.BatchSize;
        var config = method.Config(options.Model, b, options.Seed).Validate(b);
        var (module, model) = MimFactory.CreateModel(config);
        using var moduleLifetime = module;
        module.train();
        var groups = ParamGroups.DecayNoDecay(module, config.WeightDecay, ParamGroups.DefaultNoDecayNames);
        using var optimizer = AdamWFactory.Create(groups,
            new AdamWConfig(config.BaseLr * b / 256, Beta2: config.Beta2, WeightDecay: config.WeightDecay));
        var grid = MimFactory.Grid(config);
        var strategy = BenchMethods.Strategy(config);
        var patches = ComputeAccounting.InPatches(strategy.Counts, grid);
        var accounting = BenchMethods.Accounting(config);
        double flopsPerImage = accounting.TrainStepFlops(patches);

        using var images = SyntheticImages(b, config.Encoder, options.Seed);
        var prior = strategy.UsesWeights ? PriorOf(model.Encoder, images) : null;
        var crops = TransformSpec.Train(config.Encoder.ImageSize, config.CropScaleMin);
        int[] indices = Enumerable.Range(0, b).ToArray();
        var memoryAt = new HashSet<int>(options.MemoryAt ?? []);
        var memory = new List<MemorySample>();
        var stepMs = new List<double>();
        double plan = 0, forward = 0, backward = 0, step = 0, firstLoss = double.NaN, lastLoss = double.NaN;

        int total = options.WarmupSteps + options.Steps;
        for (int s = 0; s < total; s++)
        {
            using (var scope = NewDisposeScope())
            {
                var clock = Stopwatch.StartNew();
                Tensor? weights = null;
                if (prior is not null)
                {
                    var rng = Seeds.Random(options.Seed, Seeds.Purpose.Augment, s);
                    var geometry = indices.Select(_ => crops.SampleGeometry(config.Encoder.ImageSize, config.Encoder.ImageSize, rng)).ToList();
                    weights = PriorMapping.Weights(prior, indices, geometry, grid);
                }
                using var generator = new Generator((ulong)Seeds.Derive(options.Seed, Seeds.Purpose.Masking, 0, s));
                using var maskPlan = strategy.Plan(new MaskRequest(b, generator, weights));
                double t1 = clock.Elapsed.TotalMilliseconds;
                var output = model.Forward(images, maskPlan);
                double loss = output.Loss.item<float>();
                double t2 = clock.Elapsed.TotalMilliseconds;
                output.Loss.backward();
                double t3 = clock.Elapsed.TotalMilliseconds;
                if (config.ClipGrad > 0)
                {
                    Gradients.ClipNorm(module.parameters().Where(p => p.requires_grad), config.ClipGrad);
                }
                optimizer.step();
                optimizer.zero_grad();
                double t4 = clock.Elapsed.TotalMilliseconds;
                if (s == 0)
                {
                    firstLoss = loss;
                }
                lastLoss = loss;
                if (s >= options.WarmupSteps)
                {
                    plan += t1;
                    forward += t2 - t1;
                    backward += t3 - t2;
                    step += t4 - t3;
                    stepMs.Add(t4);
                }
            }
            if (memoryAt.Contains(s + 1))
            {
                memory.Add(ProcessMemory.Sample(s + 1));
            }
        }

        int n = stepMs.Count;
        double mean = stepMs.Average();
        double seconds = mean / 1000;
        double flopsPerStep = flopsPerImage * b;
        double achieved = flopsPerStep / seconds;
        return new TrainStepResult(
            method.Name(),
            patches,
            accounting.Tokens(patches),
            b,
            n,
            mean,
            Median(stepMs),
            b / seconds,
            flopsPerImage,
            flopsPerStep,
            achieved,
            peakFlopsPerSecond is > 0 ? achieved / peakFlopsPerSecond.Value : null,
            new StepPhases(plan / n, forward / n, backward / n, step / n),
            memory,
            memory.Count >= 2 ? 100.0 * (memory[^1].ResidentBytes - memory[0].ResidentBytes) / memory[0].ResidentBytes : null,
            ProcessMemory.Sample(total).PeakResidentBytes,
            peakReset,
            firstLoss,
            lastLoss,
            options.Precision.Name());
    }

    /// <summary>Normal noise shaped like a normalised image batch [B, C, S, S] (the loader's output after normalising).</summary>
    internal static Tensor SyntheticImages(int batch, VitConfig encoder, long seed)
    {
        using var generator = new Generator((ulong)Seeds.Derive(seed, Seeds.Purpose.Synthetic, batch));
        return randn([batch, encoder.InChannels, encoder.ImageSize, encoder.ImageSize], generator: generator);
    }

    /// <summary>The AMT prior of <paramref name="images"/> (indices 0 … B−1) from the encoder's last-block attention.</summary>
    internal static PriorStore PriorOf(VisionTransformer encoder, Tensor images)
    {
        var store = new PriorStore((int)images.shape[0], encoder.Config.GridSize);
        bool wasTraining = encoder.training;
        encoder.eval();
        try
        {
            using var noGrad = no_grad();
            using var scope = NewDisposeScope();
            var prior = AttentionPrior.FromAttention(encoder.LastBlockAttention(images));
            store.Set(Enumerable.Range(0, (int)images.shape[0]).ToArray(), prior);
        }
        finally
        {
            encoder.train(wasTraining);
        }
        return store;
    }

    internal static double Median(IReadOnlyList<double> values)
    {
        var sorted = values.Order().ToArray();
        int m = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[m] : (sorted[m - 1] + sorted[m]) / 2;
    }
}
