using System.CommandLine;
using AmtSharp.Benchmarks;
using AmtSharp.Core;

namespace AmtSharp.Cli.Commands;

/// <summary>The options of a training-step measurement (model, batch, steps, methods), with per-command defaults.</summary>
internal sealed class TrainCaseOptions
{
    private readonly Option<string> model;
    private readonly Option<int> imageSize;
    private readonly Option<int> patchSize;
    private readonly Option<int> depth;
    private readonly Option<int> width;
    private readonly Option<int> heads;
    private readonly Option<int> decoderWidth;
    private readonly Option<int> decoderDepth;
    private readonly Option<int> batch;
    private readonly Option<int> steps;
    private readonly Option<int> warmupSteps;
    private readonly Option<string[]> methods;
    private readonly Option<int> profileRepeats;

    public TrainCaseOptions(TrainCase defaults, string defaultMethods = "mae,mae-amt,simmim,simmim-amt")
    {
        var e = defaults.Model.Encoder;
        model = new Option<string>("--model") { Description = "Encoder preset: vit_tiny, vit_small, vit_base, vit_large.", DefaultValueFactory = _ => defaults.Preset };
        imageSize = CommonOptions.Positive("--image-size", "Input side in pixels.", e.ImageSize);
        patchSize = CommonOptions.Positive("--patch-size", "Patch side in pixels.", e.PatchSize);
        depth = CommonOptions.Positive("--depth", "Override the preset's number of blocks (0 = preset).", 0, allowZero: true);
        width = CommonOptions.Int("--width", "Override the preset's token width (0 = preset; a multiple of 4 and of the heads).", 0, 0, 8192);
        heads = CommonOptions.Int("--heads", "Override the preset's attention heads (0 = preset).", 0, 0, 256);
        decoderWidth = CommonOptions.Positive("--decoder-width", "MAE decoder width (paper: 512).", defaults.Model.DecoderWidth);
        decoderDepth = CommonOptions.Positive("--decoder-depth", "MAE decoder blocks (paper: 8).", defaults.Model.DecoderDepth);
        batch = CommonOptions.Positive("--batch-size", "Images per step.", defaults.BatchSize);
        steps = CommonOptions.Positive("--steps", "Timed steps per method.", defaults.Steps);
        warmupSteps = CommonOptions.Positive("--warmup-steps", "Untimed steps per method before timing.", defaults.WarmupSteps, allowZero: true);
        methods = new Option<string[]>("--methods")
        {
            Description = "Comma-separated: mae, mae-amt, simmim, simmim-amt.",
            DefaultValueFactory = _ => [defaultMethods],
            AllowMultipleArgumentsPerToken = true,
        };
        profileRepeats = CommonOptions.Positive("--profile-repeats", "Timed repeats per profiled part (block, GEMMs, attention); the median counts.", defaults.ProfileRepeats);
    }

    public IEnumerable<Option> All => [.. ShapeAndBatch, steps, warmupSteps, methods, profileRepeats];

    /// <summary>The model and batch options only (for whole runs, which have no steps or methods to choose).</summary>
    public IEnumerable<Option> ShapeAndBatch => [model, imageSize, patchSize, width, depth, heads, decoderWidth, decoderDepth, batch];

    public int BatchSize(ParseResult parse) => parse.GetValue(batch);

    public (string Preset, BenchModel Shape) ReadShape(ParseResult parse)
    {
        string preset = parse.GetValue(model)!;
        return (preset, TrainCase.Shape(preset, parse.GetValue(imageSize), parse.GetValue(patchSize), parse.GetValue(depth),
            parse.GetValue(decoderWidth), parse.GetValue(decoderDepth), parse.GetValue(width), parse.GetValue(heads)));
    }

    public TrainCase Read(ParseResult parse, IReadOnlyList<int>? memoryAt, bool profile)
    {
        var (preset, shape) = ReadShape(parse);
        return new TrainCase(preset, shape, parse.GetValue(batch), parse.GetValue(steps), parse.GetValue(warmupSteps),
            BenchMethods.Parse(string.Join(',', parse.GetValue(methods)!)), memoryAt, profile, parse.GetValue(profileRepeats));
    }
}

/// <summary>--precision of `amt bench`: one precision, or both side by side.</summary>
internal enum BenchPrecision
{
    Both,
    Auto,
    Fp32,
    Bf16,
}

/// <summary>Options every bench command shares: threads, precision, seed, JSON output, the matmul peak.</summary>
internal sealed class BenchCommonOptions
{
    public Option<int> Threads { get; } = CommonOptions.Threads();

    public Option<BenchPrecision> Precision { get; } = CommonOptions.Enum<BenchPrecision>("--precision",
        "both (fp32 and bf16 side by side in this process, with their ratio), fp32, bf16, or auto (this machine's default, see amt info).", BenchPrecision.Both);

    public Option<long> Seed { get; } = CommonOptions.Seed();

    public Option<int> MmapThreshold { get; } = CommonOptions.Positive("--mmap-threshold",
        "Fix glibc's mmap threshold at this many bytes (e.g. 131072) before measuring, as MALLOC_MMAP_THRESHOLD_ does; 0 = glibc's dynamic default. Resident memory grows step after step without it.", 0, allowZero: true);

    public Option<string?> Json { get; } = new("--json") { Description = "Also write the results as JSON to this file." };

    public Option<int[]> MatmulSizes { get; } = CommonOptions.Ints("--matmul-sizes",
        "Square float32 GEMM sizes for the peak FLOP/s (the MFU denominator).", [.. MatmulBenchmark.DefaultSizes], 16, 16384);

    public Option<int> MatmulRepeats { get; } = CommonOptions.Positive("--matmul-repeats", "Timed repeats per GEMM size (best counts).", 3);

    public IEnumerable<Option> All => [Threads, Precision, Seed, Json, MmapThreshold, MatmulSizes, MatmulRepeats];

    public IReadOnlyList<ComputePrecision> Precisions(ParseResult parse) => parse.GetValue(Precision) switch
    {
        BenchPrecision.Both => [ComputePrecision.Fp32, ComputePrecision.Bf16],
        BenchPrecision.Fp32 => [ComputePrecision.Fp32],
        BenchPrecision.Bf16 => [ComputePrecision.Bf16],
        _ => [CommonOptions.Resolve(PrecisionSetting.Auto)],
    };

    /// <summary>
    /// Threads (planned with <paramref name="workers"/> when the command runs a loader), precisions and the matmul
    /// settings of the command line, applied to <paramref name="plan"/>.
    /// </summary>
    public BenchPlan Apply(BenchPlan plan, ParseResult parse, Option<int>? workers = null)
    {
        var threads = CommonOptions.PlanThreads(parse, Threads, workers);
        if (threads.Warning is { } warning)
        {
            parse.InvocationConfiguration.Output.WriteLine(warning);
        }
        var sizes = parse.GetValue(MatmulSizes)!;
        if (sizes.Length == 0 || sizes.Any(s => s < 1))
        {
            throw new ConfigException("matmul-sizes", $"need positive sizes, got '{string.Join(" ", sizes)}'");
        }
        return plan with
        {
            Threads = threads.IntraOpThreads,
            Workers = workers is null ? plan.Workers : threads.Workers,
            Precisions = Precisions(parse),
            MmapThreshold = Threshold(parse),
            Seed = parse.GetValue(Seed),
            MatmulSizes = sizes,
            MatmulRepeats = parse.GetValue(MatmulRepeats),
        };
    }

    public int? Threshold(ParseResult parse) => parse.GetValue(MmapThreshold) is int b and > 0 ? b : null;

    /// <summary>Runs the plan, prints the tables and writes the JSON when asked.</summary>
    public int Execute(BenchPlan plan, ParseResult parse)
    {
        var o = parse.InvocationConfiguration.Output;
        string? json = parse.GetValue(Json);
        if (json is not null)
        {
            string? dir = Path.GetDirectoryName(Path.GetFullPath(json));
            if (dir is not null && !Directory.Exists(dir))
            {
                throw new ConfigException("json", $"folder {dir} does not exist");
            }
        }
        string commandLine = "amt " + string.Join(' ', parse.Tokens.Select(t => t.Value));
        var report = BenchSuite.Run(plan, commandLine, o);
        o.WriteLine();
        BenchTables.Write(report, o);
        if (json is not null)
        {
            report.WriteJson(json);
            o.WriteLine($"results written to {Path.GetFullPath(json)}");
        }
        return 0;
    }
}
