using System.Globalization;
using AmtSharp.Core;

namespace AmtSharp.Benchmarks;

/// <summary>The console form of a <see cref="BenchReport"/>: one table per section, the settings above each.</summary>
public static class BenchTables
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static void Write(BenchReport report, TextWriter o)
    {
        var env = report.Environment;
        o.WriteLine($"machine: {env.CpuModel}, {env.LogicalCores} cores, {Gib(env.MemoryTotalBytes)} GiB; {env.Os}; {env.Dotnet}; TorchSharp {env.TorchSharp}");
        o.WriteLine($"torch threads: {env.IntraOpThreads} intra-op, {env.InterOpThreads} inter-op; thread variables: " +
            (env.ThreadVariables.Count == 0 ? "none set" : string.Join(", ", env.ThreadVariables.Select(kv => $"{kv.Key}={kv.Value}"))));
        o.WriteLine(env.MmapThreshold is int t
            ? $"malloc: mmap threshold fixed at {t} bytes ({Setting.Mention("MmapThreshold")})"
            : $"malloc: glibc's dynamic mmap threshold (no {Setting.Mention("MmapThreshold")})");
        o.WriteLine($"load average at start: {Load(env.LoadAverage)}");
        if (env.LoadAverage.Count > 0 && env.LoadAverage[0] >= env.LogicalCores)
        {
            // Before this process computes anything, a load of one per core means others want every core.
            o.WriteLine($"WARNING: the machine was busy (load {env.LoadAverage[0].ToString("F1", Inv)} on {env.LogicalCores} cores): these figures are not representative; re-run on an idle machine");
        }
        foreach (var mm in report.Matmul)
        {
            o.WriteLine();
            o.WriteLine($"matmul peak ({mm.Precision} square GEMM, {mm.IntraOpThreads} intra-op threads, best of {mm.Sizes[0].Repeats} after a warm-up)");
            o.WriteLine("  size   best ms   best GFLOP/s   median GFLOP/s");
            foreach (var s in mm.Sizes)
            {
                o.WriteLine(F($"  {s.Size,4}  {s.BestSeconds * 1000,8:F1}  {s.BestFlopsPerSecond / 1e9,13:F1}  {s.MedianFlopsPerSecond / 1e9,15:F1}"));
            }
            o.WriteLine(F($"  peak {mm.PeakFlopsPerSecond / 1e9:F1} GFLOP/s (the MFU denominator of {mm.Precision} steps)"));
        }
        if (report.Matmul.FirstOrDefault(m => m.Precision == "fp32") is { } f32 && report.Matmul.FirstOrDefault(m => m.Precision == "bf16") is { } b16)
        {
            o.WriteLine(F($"  bf16 / fp32 matmul peak: {b16.PeakFlopsPerSecond / f32.PeakFlopsPerSecond:G3}×"));
        }
        foreach (var section in report.Train)
        {
            WriteTrain(section, o);
        }
        if (report.Ratios.Count > 0)
        {
            o.WriteLine();
            o.WriteLine("AMT step-time ratio: baseline ms/step ÷ AMT ms/step, beside the FLOPs ratio (ComputeAccounting)");
            o.WriteLine("  model                                               batch  pair                  base ms    AMT ms  measured  FLOPs");
            foreach (var r in report.Ratios)
            {
                o.WriteLine(F($"  {r.Model,-50}  {r.BatchSize,5}  {r.Baseline + " / " + r.Amt,-20}  {r.BaselineMsPerStep,7:F0}  {r.AmtMsPerStep,8:F0}  {r.StepTimeRatio,7:F2}×  {r.FlopsRatio,4:F2}×"));
            }
        }
        if (report.PrecisionRatios.Count > 0)
        {
            o.WriteLine();
            o.WriteLine("bf16 vs fp32 training step, same process: images/s");
            o.WriteLine("  model                                               batch  method       fp32 img/s  bf16 img/s  bf16 / fp32");
            foreach (var r in report.PrecisionRatios)
            {
                o.WriteLine(F($"  {r.Model,-50}  {r.BatchSize,5}  {r.Method,-10}  {r.Fp32ImagesPerSecond,10:F1}  {r.Bf16ImagesPerSecond,10:F1}  {r.Speedup,10:F2}×"));
            }
        }
        foreach (var p in report.PriorPass)
        {
            o.WriteLine();
            o.WriteLine(F($"prior-refresh pass, {p.Precision} (eval, inference mode, last-block attention → prior → store; in-memory images): batch {p.BatchSize}, {p.Batches} batches: ") +
                F($"{p.ImagesPerSecond:F1} images/s, {p.FlopsPerImage / 1e9:F2} GFLOP/image, {p.AchievedFlopsPerSecond / 1e9:F1} GFLOP/s{Mfu(p.Mfu)}"));
            if (p.CostPerImageVsTrainStep is double cost)
            {
                o.WriteLine(F($"  per image: refresh {1000 / p.ImagesPerSecond:F2} ms vs training step {1000 / p.TrainImagesPerSecond!.Value:F2} ms ({cost:F2}× a training step's cost)"));
            }
        }
        if (report.Loader is { } l)
        {
            o.WriteLine();
            o.WriteLine(F($"loader (decode, RandomResizedCrop, flip, normalise): {l.Dataset}, {l.ImageSize} px, {l.Workers} workers, batch {l.BatchSize}, {l.Batches} batches: {l.ImagesPerSecond:F0} images/s"));
        }
        if (report.Memory is { } m)
        {
            o.WriteLine();
            o.WriteLine($"resident memory: {m.Model}, batch {m.BatchSize}, {m.WarmupSteps + m.Steps} steps (VmRSS at the given steps, VmHWM peak)");
            foreach (var row in m.Methods)
            {
                o.WriteLine($"  {row.Method,-10}  {MemoryLine(row)}");
            }
        }
        if (report.Run is { } run)
        {
            o.WriteLine();
            o.WriteLine($"whole run: MAE vs MAE + AMT, {run.Epochs} epochs on {run.Dataset} ({run.Images} images), batch {run.BatchSize}, {run.Workers} workers; " +
                $"AMT from epoch {run.AmtStartEpoch}, prior after epochs {string.Join(", ", run.RefreshEpochs)}");
            o.WriteLine("  method    wall s  train s  refresh s  refreshes  steps  images/s  final loss  GFLOP/image");
            foreach (var e in new[] { run.Mae, run.MaeAmt })
            {
                o.WriteLine(F($"  {e.Method,-8}  {e.WallSeconds,6:F1}  {e.TrainSeconds,7:F1}  {e.RefreshSeconds,9:F1}  {e.Refreshes,9}  {e.Steps,5}  {e.ImagesPerSecond,8:F0}  {e.FinalLoss,10:F4}  {e.FlopsPerImage / 1e9,11:F2}"));
            }
            o.WriteLine(F($"  wall-time ratio MAE + AMT / MAE: {run.WallRatio:F2} (target ≤ 0.75); FLOPs ratio {run.FlopsRatio:F2}"));
        }
        o.WriteLine();
        o.WriteLine(F($"load average at end: {Load(report.LoadAverageAtEnd)}; total {report.TotalSeconds:F0} s"));
    }

    private static void WriteTrain(TrainSection section, TextWriter o)
    {
        o.WriteLine();
        o.WriteLine($"training step ({section.Precision}): {section.Model}, batch {section.BatchSize}, mean of {section.Steps} timed steps after {section.WarmupSteps} warm-up; in-memory synthetic images (no loader)");
        o.WriteLine("  method      patches m/t/v  tokens e/d   ms/step   images/s  GFLOP/step  GFLOP/s    MFU   plan ms  fwd ms  bwd ms  opt ms  peak MiB");
        foreach (var r in section.Methods)
        {
            string patches = $"{r.Patches.Masked}/{r.Patches.Thrown}/{r.Patches.Visible}";
            string tokens = $"{r.Tokens.Encoder}/{r.Tokens.Decoder}";
            string mfu = r.Mfu is double v ? F($"{v * 100,5:F1}%") : "   n/a";
            var ph = r.Phases;
            o.WriteLine(F($"  {r.Method,-10}  {patches,-13}  {tokens,-10}  {r.MsPerStep,7:F0}  {r.ImagesPerSecond,9:F2}  {r.ModelFlopsPerStep / 1e9,10:F1}  {r.AchievedFlopsPerSecond / 1e9,7:F1}  {mfu}  ") +
                F($"{ph.PlanMs,7:F1}  {ph.ForwardMs,6:F0}  {ph.BackwardMs,6:F0}  {ph.OptimizerMs,6:F0}  {r.PeakResidentBytes / 1048576.0,8:F0}"));
        }
        o.WriteLine("  model FLOPs = ComputeAccounting forward × 3 (backward counted as 2× forward); AdamW and the mask draw are not counted");
        foreach (var r in section.Methods.Where(r => r.Memory.Count > 0))
        {
            o.WriteLine($"  resident memory, {r.Method}: {MemoryLine(r)}");
        }
        if (section.Profiles.Count == 0)
        {
            return;
        }
        o.WriteLine("  where the time goes (share of the measured step; blocks timed alone at the step's shapes, forward + backward):");
        o.WriteLine("  method      GEMM  attention  other in blocks  outside blocks  plan  optimizer  block-GEMM rate / peak");
        foreach (var p in section.Profiles)
        {
            string eff = p.GemmEfficiency is double g ? F($"{g * 100:F0}%") : "n/a";
            o.WriteLine(F($"  {p.Method,-10}  {Pct(p.GemmShare),4}  {Pct(p.AttentionShare),9}  {Pct(p.OtherInBlocksShare),15}  {Pct(p.OutsideBlocksShare),14}  {Pct(p.PlanShare),4}  {Pct(p.OptimizerShare),9}  {eff,22}"));
            foreach (var b in p.Parts)
            {
                o.WriteLine(F($"      {b.Part} block × {b.Blocks} [B {b.BatchSize}, N {b.Tokens}, D {b.Width}, {b.Heads} heads]: {b.BlockMs:F1} ms = GEMM {b.GemmMs:F1} ms ") +
                    F($"({b.GemmFlopsPerSecond / 1e9:F0} GFLOP/s) + attention {b.AttentionMs:F1} ms ({b.AttentionFlopsPerSecond / 1e9:F0} GFLOP/s) + other {b.OtherMs:F1} ms"));
            }
        }
    }

    // "step 100: 812 MiB (managed 9 MiB, 1234 live tensors), step 1000: …; drift +0.4%; peak 830 MiB"
    private static string MemoryLine(TrainStepResult row)
    {
        var samples = string.Join(", ", row.Memory.Select(s =>
            F($"step {s.Step}: {s.ResidentMiB:F0} MiB (managed {s.ManagedBytes / 1048576.0:F0} MiB, {s.LiveTensors} live tensors)")));
        string drift = row.MemoryDriftPercent is double d ? F($"drift {d:+0.0;-0.0}%") : "drift n/a";
        return F($"{samples}; {drift} (target ≤ 5%); peak {row.PeakResidentBytes / 1048576.0:F0} MiB{(row.PeakIsPerMethod ? "" : " (process peak)")}");
    }

    private static string Pct(double share) => F($"{share * 100:F0}%");

    private static string Mfu(double? mfu) => mfu is double v ? F($", MFU {v * 100:F1}%") : "";

    private static string Gib(long bytes) => F($"{bytes / (1024.0 * 1024 * 1024):F1}");

    private static string Load(IReadOnlyList<double> load) => load.Count == 0 ? "n/a" : string.Join(" ", load.Select(x => x.ToString("F2", Inv)));

    private static string F(FormattableString s) => s.ToString(Inv);
}
