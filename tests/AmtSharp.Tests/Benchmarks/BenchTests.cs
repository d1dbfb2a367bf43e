using System.Text.Json;
using AmtSharp.Benchmarks;
using AmtSharp.Cli;
using AmtSharp.Core;
using AmtSharp.Data;
using AmtSharp.Models.Vit;
using TorchSharp;
using Xunit;

namespace AmtSharp.Tests.Benchmarks;

/// <summary>The bench code paths on a tiny model and two steps: every section runs and reports finite figures (no timing assertions).</summary>
// Sets torch's thread count.
[Collection(GlobalStateCollection.Name)]
public sealed class BenchTests
{
    // 32 px, patch 4: an 8×8 patch grid (SimMIM: 4×4 units), so every method's counts are possible.
    private static readonly BenchModel Tiny = new(new VitConfig(32, 4, 3, 32, 1, 2), 16, 1, 1);

    private static BenchPlan TinyPlan() => new()
    {
        Threads = 1,                                  // restored by the test: the thread count is process-global
        Precisions = [ComputePrecision.Fp32],         // the bf16 side is BenchTrainWritesJsonFromTheCommandLine's
        MatmulSizes = [64],
        MatmulRepeats = 1,
        Train = new TrainCase("tiny", Tiny, 4, 2, 1, BenchMethods.All, [1, 3], Profile: true),
        RatioCases = [new TrainCase("tiny", Tiny, 4, 2, 0, [BenchMethod.Mae, BenchMethod.MaeAmt])],
        PriorBatchSize = 4,
        PriorBatches = 1,
        LoaderBatches = 2,
        Workers = 1,
        Memory = new TrainCase("tiny", Tiny, 4, 2, 1, [BenchMethod.MaeAmt], [1, 3]),
        Run = new RunBenchOptions(Tiny, 2, 16, 1),
        RunData = new DatasetSpec(DatasetFormat.Synthetic, Limit: 32, Size: 32),
    };

    [Fact]
    public void EverySectionWritesFiniteJsonFields()
    {
        int threads = torch.get_num_threads();
        BenchReport report;
        try
        {
            report = BenchSuite.Run(TinyPlan(), "test", TextWriter.Null);
        }
        finally
        {
            torch.set_num_threads(threads);
        }
        using var json = JsonDocument.Parse(report.ToJson());
        var root = json.RootElement;

        AssertPositive(root.GetProperty("matmul")[0], "peak_flops_per_second");
        var train = root.GetProperty("train");
        Assert.Equal(2, train.GetArrayLength());                                // the main table and the ratio case
        var rows = train[0].GetProperty("methods");
        Assert.Equal(["mae", "mae-amt", "simmim", "simmim-amt"], rows.EnumerateArray().Select(r => r.GetProperty("method").GetString()));
        foreach (var row in rows.EnumerateArray())
        {
            foreach (var field in new[] { "ms_per_step", "images_per_second", "model_flops_per_step", "achieved_flops_per_second", "mfu", "peak_resident_bytes" })
            {
                AssertPositive(row, field);
            }
            foreach (var phase in new[] { "plan_ms", "forward_ms", "backward_ms", "optimizer_ms" })
            {
                AssertFinite(row.GetProperty("phases"), phase);
            }
            Assert.Equal(2, row.GetProperty("memory").GetArrayLength());
            AssertFinite(row, "memory_drift_percent");
            AssertFinite(row, "first_loss");
        }
        Assert.Equal(4, train[0].GetProperty("profiles").GetArrayLength());
        foreach (var profile in train[0].GetProperty("profiles").EnumerateArray())
        {
            foreach (var field in new[] { "gemm_share", "attention_share", "other_in_blocks_share", "outside_blocks_share", "optimizer_share" })
            {
                AssertFinite(profile, field);
            }
        }

        // Main table: mae/mae-amt and simmim/simmim-amt; ratio case: mae/mae-amt.
        var ratios = root.GetProperty("ratios");
        Assert.Equal(3, ratios.GetArrayLength());
        foreach (var ratio in ratios.EnumerateArray())
        {
            AssertPositive(ratio, "step_time_ratio");
            Assert.True(ratio.GetProperty("flops_ratio").GetDouble() > 1, "throwing must cut the FLOPs");
        }
        AssertPositive(root.GetProperty("prior_pass")[0], "images_per_second");
        AssertPositive(root.GetProperty("loader"), "images_per_second");
        AssertFinite(root.GetProperty("memory").GetProperty("methods")[0], "memory_drift_percent");

        var run = root.GetProperty("run");
        AssertPositive(run, "wall_ratio");
        AssertPositive(run, "flops_ratio");
        Assert.Equal(1, run.GetProperty("mae_amt").GetProperty("refreshes").GetInt32());
        Assert.Equal(0, run.GetProperty("mae").GetProperty("refreshes").GetInt32());
        AssertPositive(run.GetProperty("mae_amt"), "wall_seconds");

        var text = new StringWriter();
        BenchTables.Write(report, text);
        Assert.Contains("MFU", text.ToString());
        Assert.Contains("wall-time ratio", text.ToString());
    }

    [Fact]
    public void BenchTrainWritesJsonFromTheCommandLine()
    {
        using var dir = new TestUtil.TempDir();
        string path = Path.Combine(dir.Path, "bench.json");
        var output = new StringWriter();
        var error = new StringWriter();
        int threads = torch.get_num_threads();
        int code;
        try
        {
            code = Program.Run(["bench", "train", "--model", "vit_tiny", "--depth", "1", "--image-size", "32", "--patch-size", "4",
            "--decoder-width", "32", "--decoder-depth", "1", "--batch-size", "4", "--steps", "2", "--warmup-steps", "1",
            "--methods", "mae,mae-amt", "--matmul-sizes", "64", "--matmul-repeats", "1", "--no-profile", "--prior-batch-size", "4",
            "--prior-batches", "1", "--threads", "1", "--json", path], output, error);
        }
        finally
        {
            torch.set_num_threads(threads);
        }
        Assert.True(code == 0, error.ToString());
        using var json = JsonDocument.Parse(File.ReadAllText(path));
        var rows = json.RootElement.GetProperty("train")[0].GetProperty("methods");
        Assert.Equal(2, rows.GetArrayLength());
        AssertPositive(rows[1], "images_per_second");
        Assert.Equal(1, json.RootElement.GetProperty("environment").GetProperty("intra_op_threads").GetInt32());
        // Default --precision both: fp32 and bf16 tables side by side, each recording its precision, and their ratio.
        Assert.Equal(["fp32", "bf16"], json.RootElement.GetProperty("train").EnumerateArray().Select(t => t.GetProperty("precision").GetString()));
        Assert.Equal("bf16", json.RootElement.GetProperty("train")[1].GetProperty("methods")[0].GetProperty("precision").GetString());
        Assert.Equal(2, json.RootElement.GetProperty("precision_ratios").GetArrayLength());
        AssertPositive(json.RootElement.GetProperty("precision_ratios")[0], "speedup");
        AssertPositive(json.RootElement.GetProperty("prior_pass")[1], "cost_per_image_vs_train_step");
        Assert.StartsWith("amt bench train", json.RootElement.GetProperty("command").GetString());
        Assert.Contains("mae-amt", output.ToString());
    }

    [Theory]
    [InlineData("bench", "train", "--methods", "mae,bogus")]
    [InlineData("bench", "all", "--sections", "matmul,nothing")]
    [InlineData("bench", "train", "--model", "vit_huge")]
    [InlineData("bench", "run", "--epochs", "1")]
    [InlineData("bench", "matmul", "--json", "/nonexistent/amtsharp/bench.json")]
    public void BadBenchOptionsAreUserErrors(params string[] args)
    {
        var error = new StringWriter();
        int code = Program.Run(args, TextWriter.Null, error);
        Assert.Equal(Program.UserError, code);
        Assert.StartsWith("amt: --", error.ToString());
    }

    [Fact]
    public void ProcessMemoryReadsResidentAndPeak()
    {
        var sample = ProcessMemory.Sample(7);
        Assert.Equal(7, sample.Step);
        Assert.True(sample.ResidentBytes > 0);
        Assert.True(sample.PeakResidentBytes >= sample.ResidentBytes);
        Assert.Equal(123456L * 1024, ProcessMemory.ParseKiB("VmRSS:\t  123456 kB"));
    }

    [Fact]
    public void MmapThresholdOutsideGlibcsRangeIsAUserError()
    {
        // Only the refusals: a valid call would switch off glibc's dynamic threshold for the rest of the test process.
        Assert.Throws<ConfigException>(() => NativeAllocator.TrySetMmapThreshold(-1));
        Assert.Throws<ConfigException>(() => NativeAllocator.TrySetMmapThreshold(NativeAllocator.MaxMmapThreshold + 1));
        var error = new StringWriter();
        Assert.Equal(Program.UserError, Program.Run(["bench", "matmul", "--mmap-threshold", "99999999"], TextWriter.Null, error));
        Assert.StartsWith("amt: --mmap-threshold", error.ToString());
    }

    private static void AssertFinite(JsonElement element, string field)
    {
        Assert.True(element.TryGetProperty(field, out var value), $"missing field {field}");
        Assert.True(value.ValueKind == JsonValueKind.Number && double.IsFinite(value.GetDouble()), $"{field} is {value}");
    }

    private static void AssertPositive(JsonElement element, string field)
    {
        AssertFinite(element, field);
        Assert.True(element.GetProperty(field).GetDouble() > 0, $"{field} is {element.GetProperty(field)}");
    }
}
