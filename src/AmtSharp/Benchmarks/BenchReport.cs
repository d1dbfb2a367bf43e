using System.Text.Json;
using AmtSharp.Core;
using AmtSharp.Training.Runs;

namespace AmtSharp.Benchmarks;

/// <summary>The training-step table of one model and batch.</summary>
/// <param name="Model">"vit_small/16 @ 224 px, MAE decoder 512×8".</param>
/// <param name="Shape">The encoder and decoder.</param>
/// <param name="BatchSize">Images per step.</param>
/// <param name="Steps">Timed steps per method.</param>
/// <param name="WarmupSteps">Untimed steps per method.</param>
/// <param name="Methods">One row per method.</param>
/// <param name="Profiles">Where each profiled method's step goes.</param>
/// <param name="Precision">fp32 or bf16: the compute precision of every row.</param>
public sealed record TrainSection(
    string Model, BenchModel Shape, int BatchSize, int Steps, int WarmupSteps,
    IReadOnlyList<TrainStepResult> Methods, IReadOnlyList<StepProfile> Profiles, string Precision = "fp32");

/// <summary>One method's training step in bf16 beside fp32, measured in the same process.</summary>
/// <param name="Model">The model setting.</param>
/// <param name="BatchSize">Images per step.</param>
/// <param name="Method">mae, mae-amt, simmim or simmim-amt.</param>
/// <param name="Fp32ImagesPerSecond">fp32 images/s.</param>
/// <param name="Bf16ImagesPerSecond">bf16 images/s.</param>
/// <param name="Speedup">bf16 / fp32 images/s (&gt; 1: bf16 is faster).</param>
public sealed record PrecisionRatio(string Model, int BatchSize, string Method, double Fp32ImagesPerSecond, double Bf16ImagesPerSecond, double Speedup)
{
    /// <summary>The ratio of every method timed in both an fp32 and a bf16 section of the same model and batch.</summary>
    public static IReadOnlyList<PrecisionRatio> From(IReadOnlyList<TrainSection> sections) =>
        [.. from f in sections.Where(s => s.Precision == "fp32")
            from b in sections.Where(s => s.Precision == "bf16" && s.Model == f.Model && s.BatchSize == f.BatchSize)
            from fr in f.Methods
            from br in b.Methods.Where(r => r.Method == fr.Method)
            select new PrecisionRatio(f.Model, f.BatchSize, fr.Method, fr.ImagesPerSecond, br.ImagesPerSecond, br.ImagesPerSecond / fr.ImagesPerSecond)];
}

/// <summary>A measured step-time ratio beside the FLOPs ratio (issue 4): baseline ms/step over AMT ms/step.</summary>
/// <param name="Model">The model setting.</param>
/// <param name="BatchSize">Images per step.</param>
/// <param name="Baseline">mae or simmim.</param>
/// <param name="Amt">mae-amt or simmim-amt.</param>
/// <param name="BaselineMsPerStep">Baseline mean step.</param>
/// <param name="AmtMsPerStep">AMT mean step.</param>
/// <param name="StepTimeRatio">Baseline / AMT step time (&gt; 1: AMT is faster).</param>
/// <param name="FlopsRatio">Baseline / AMT model FLOPs per step.</param>
public sealed record AmtRatio(
    string Model, int BatchSize, string Baseline, string Amt, double BaselineMsPerStep, double AmtMsPerStep, double StepTimeRatio, double FlopsRatio)
{
    /// <summary>The ratios of every baseline/AMT pair present in <paramref name="rows"/>.</summary>
    public static IReadOnlyList<AmtRatio> From(string model, IReadOnlyList<TrainStepResult> rows)
    {
        var ratios = new List<AmtRatio>();
        foreach (var (baseline, amt) in new[] { (BenchMethod.Mae, BenchMethod.MaeAmt), (BenchMethod.SimMim, BenchMethod.SimMimAmt) })
        {
            var b = rows.FirstOrDefault(r => r.Method == baseline.Name());
            var a = rows.FirstOrDefault(r => r.Method == amt.Name());
            if (b is not null && a is not null)
            {
                ratios.Add(new AmtRatio(model, b.BatchSize, b.Method, a.Method, b.MsPerStep, a.MsPerStep,
                    b.MsPerStep / a.MsPerStep, b.ModelFlopsPerStep / a.ModelFlopsPerStep));
            }
        }
        return ratios;
    }
}

/// <summary>Data-loader throughput.</summary>
/// <param name="Dataset">Source name.</param>
/// <param name="ImageSize">Output side.</param>
/// <param name="Workers">Loader threads.</param>
/// <param name="BatchSize">Images per batch.</param>
/// <param name="Batches">Batches loaded.</param>
/// <param name="ImagesPerSecond">Images per second.</param>
public sealed record LoaderResult(string Dataset, int ImageSize, int Workers, int BatchSize, int Batches, double ImagesPerSecond);

/// <summary>Everything one `amt bench` invocation measured; absent sections are null. Written as JSON for machines.</summary>
/// <param name="Command">The command line that produced it.</param>
/// <param name="Environment">Machine and threads at the start.</param>
/// <param name="Matmul">The matmul peak per precision (each the MFU denominator of its precision's steps).</param>
/// <param name="Train">Training-step tables (one per model setting).</param>
/// <param name="Ratios">AMT step-time ratios beside FLOPs ratios.</param>
/// <param name="PrecisionRatios">bf16 over fp32 images/s per method, when both were timed.</param>
/// <param name="PriorPass">The prior-refresh pass per precision.</param>
/// <param name="Loader">The loader.</param>
/// <param name="Memory">The resident-memory run (steps and samples in its row).</param>
/// <param name="Run">MAE vs MAE + AMT whole runs.</param>
/// <param name="LoadAverageAtEnd">1, 5, 15-minute load averages when finished.</param>
/// <param name="TotalSeconds">Wall time of the whole benchmark.</param>
public sealed record BenchReport(
    string Command,
    BenchEnvironment Environment,
    IReadOnlyList<MatmulResult> Matmul,
    IReadOnlyList<TrainSection> Train,
    IReadOnlyList<AmtRatio> Ratios,
    IReadOnlyList<PrecisionRatio> PrecisionRatios,
    IReadOnlyList<PriorPassResult> PriorPass,
    LoaderResult? Loader,
    TrainSection? Memory,
    RunBenchResult? Run,
    IReadOnlyList<double> LoadAverageAtEnd,
    double TotalSeconds)
{
    public string ToJson() => JsonSerializer.Serialize(this, RunFolder.JsonOptions);

    /// <summary>Writes the JSON atomically (<see cref="AtomicFile"/>).</summary>
    public void WriteJson(string path)
    {
        string full = Path.GetFullPath(path);
        string? dir = Path.GetDirectoryName(full);
        if (dir is not null && !Directory.Exists(dir))
        {
            throw new DirectoryNotFoundException($"{full}: folder {dir} does not exist");
        }
        AtomicFile.WriteAllText(full, ToJson() + "\n");
    }
}
