using System.CommandLine;
using AmtSharp.Benchmarks;
using AmtSharp.Data;
using AmtSharp.Data.Loading;

namespace AmtSharp.Cli.Commands;

/// <summary>
/// `amt bench`: matmul peak, training-step throughput and MFU, AMT step-time ratios, prior pass, loader, resident
/// memory and whole runs. Without a subcommand it runs `bench all`.
/// </summary>
internal static class BenchCommand
{
    public static Command Create()
    {
        var bench = new Command("bench", "Benchmarks (print figures; not tests). Without a subcommand: the whole table, as `bench all`.");
        bench.Subcommands.Add(Loader());
        bench.Subcommands.Add(Matmul());
        bench.Subcommands.Add(Train());
        bench.Subcommands.Add(Run());
        var all = new Command("all", "The whole table: matmul peak, the four methods' training steps with MFU and a profile, AMT step-time ratios, prior pass, loader, resident memory, whole runs.");
        ConfigureAll(all);
        bench.Subcommands.Add(all);
        ConfigureAll(bench);
        return bench;
    }

    private static Command Matmul()
    {
        var common = new BenchCommonOptions();
        var command = new Command("matmul", "Peak float32 matrix-multiply FLOP/s of this process (best of several large square GEMMs).");
        foreach (var option in common.All)
        {
            command.Options.Add(option);
        }
        command.SetAction(parse => common.Execute(common.Apply(new BenchPlan { Sections = [BenchSection.Matmul] }, parse), parse));
        return command;
    }

    private static Command Train()
    {
        var defaults = new BenchPlan().Train with { Steps = 3 };
        var trainCase = new TrainCaseOptions(defaults);
        var common = new BenchCommonOptions();
        var memoryAt = CommonOptions.Ints("--memory-at",
            "Steps (warm-up included, counted from 1) at which to sample resident memory. Default: 100 and 1000 when the run is that long, else the first timed step and the last.",
            [], 1, 10_000_000);
        var noProfile = new Option<bool>("--no-profile") { Description = "Skip the per-part timing (blocks, GEMMs, attention)." };
        var noPrior = new Option<bool>("--no-prior") { Description = "Skip the prior-pass measurement." };
        var priorBatch = CommonOptions.Positive("--prior-batch-size", "Images per prior-pass forward.", 32);
        var priorBatches = CommonOptions.Positive("--prior-batches", "Timed prior-pass batches.", 2);
        var command = new Command("train", "Training-step throughput, model FLOPs, MFU and resident memory of MAE, MAE + AMT, SimMIM and SimMIM + AMT on in-memory synthetic images.");
        foreach (var option in trainCase.All.Concat(common.All).Concat([memoryAt, noProfile, noPrior, priorBatch, priorBatches]))
        {
            command.Options.Add(option);
        }
        command.SetAction(parse =>
        {
            var c = trainCase.Read(parse, null, !parse.GetValue(noProfile));
            int total = c.WarmupSteps + c.Steps;
            // Default: step 100 and step 1000 (the drift target) when the run is that long, else the first timed step and the last.
            int first = total >= 1000 ? 100 : Math.Max(1, Math.Min(c.WarmupSteps + 1, total - 1));
            int[] at = parse.GetValue(memoryAt) is { Length: > 0 } given ? given
                : [.. new[] { first, total >= 1000 ? 1000 : total }.Distinct()];
            IReadOnlyList<BenchSection> sections = parse.GetValue(noPrior)
                ? [BenchSection.Matmul, BenchSection.Train]
                : [BenchSection.Matmul, BenchSection.Train, BenchSection.Prior];
            var plan = new BenchPlan
            {
                Sections = sections,
                Train = c with { MemoryAt = at },
                PriorBatchSize = parse.GetValue(priorBatch),
                PriorBatches = parse.GetValue(priorBatches),
            };
            return common.Execute(common.Apply(plan, parse), parse);
        });
        return command;
    }

    private static Command Run()
    {
        var defaults = new BenchPlan().Run;
        var e = defaults.Model.Encoder;
        var trainCase = new TrainCaseOptions(new TrainCase("vit_tiny", defaults.Model, defaults.BatchSize, 1, 0, [BenchMethod.Mae]));
        var epochs = CommonOptions.Positive("--epochs", "Epochs of each run (at least 2).", defaults.Epochs);
        var limit = CommonOptions.Positive("--limit", "Training images (synthetic: generated; a folder: the first N, evenly spaced).", 2048);
        var start = CommonOptions.Positive("--amt-start-epoch", "First AMT epoch s (0 = 10% of the epochs, at least 1).", 0, allowZero: true);
        var interval = CommonOptions.Positive("--amt-refresh-interval",
            "Epochs between prior refreshes. Default 0: one refresh (after epoch s − 1), close to the paper's share of refresh work (9 passes in 400 epochs).", 0, allowZero: true);
        var fractionSchedule = new Option<bool>("--fraction-refresh") { Description = "Refresh on AMT's default fraction of the epochs instead (about 9 refreshes in any run)." };
        var (data, format, workers) = (CommonOptions.Data(), CommonOptions.Format(), CommonOptions.Workers());
        var common = new BenchCommonOptions();
        var command = new Command("run", $"Whole short pretrainings, MAE (random 0.75) then MAE + AMT (0.45, 0.40), same epochs, warm-up and prior refreshes included; compares wall time. Default model: vit_tiny/{e.PatchSize} at {e.ImageSize} px.");
        foreach (var option in trainCase.ShapeAndBatch.Concat([epochs, limit, start, interval, fractionSchedule, data, format, workers, common.Threads, common.Precision, common.Seed, common.Json, common.MmapThreshold]))
        {
            command.Options.Add(option);
        }
        command.SetAction(parse =>
        {
            var (_, shape) = trainCase.ReadShape(parse);
            var spec = CommonOptions.Dataset(parse, data, format, limit, shape.Encoder.ImageSize, parse.GetValue(common.Seed));
            var threads = CommonOptions.PlanThreads(parse, common.Threads, workers);
            if (threads.Warning is { } warning)
            {
                parse.InvocationConfiguration.Output.WriteLine(warning);
            }
            var plan = new BenchPlan
            {
                Sections = [BenchSection.Run],
                Run = new RunBenchOptions(shape, parse.GetValue(epochs), trainCase.BatchSize(parse), threads.Workers,
                    AmtStartEpoch: parse.GetValue(start) > 0 ? parse.GetValue(start) : null,
                    RefreshInterval: parse.GetValue(fractionSchedule) ? 0 : parse.GetValue(interval) > 0 ? parse.GetValue(interval) : null),
                RunData = spec,
                Workers = threads.Workers,
                Threads = threads.IntraOpThreads,
                // Whole runs take one precision: the first of --precision (both: fp32).
                Precisions = common.Precisions(parse),
                MmapThreshold = common.Threshold(parse),
                Seed = parse.GetValue(common.Seed),
            };
            return common.Execute(plan, parse);
        });
        return command;
    }

    private static void ConfigureAll(Command command)
    {
        var defaults = new BenchPlan();
        var trainCase = new TrainCaseOptions(defaults.Train);
        var common = new BenchCommonOptions();
        var sections = new Option<string[]>("--sections")
        {
            Description = "Comma-separated parts to run: matmul, train, ratios, prior, loader, memory, run (default: all).",
            DefaultValueFactory = _ => [string.Join(',', Enum.GetNames<BenchSection>().Select(n => n.ToLowerInvariant()))],
            AllowMultipleArgumentsPerToken = true,
        };
        var noProfile = new Option<bool>("--no-profile") { Description = "Skip the per-part timing (blocks, GEMMs, attention)." };
        var memorySteps = CommonOptions.Positive("--memory-steps", "Steps of the resident-memory run (vit_tiny/4 at 32 px, MAE + AMT, batch 16); memory is sampled at step 100 (a tenth of the steps when fewer than 1000) and at the last.", 1000);
        var runEpochs = CommonOptions.Positive("--run-epochs", "Epochs of each whole run.", defaults.Run.Epochs);
        var runLimit = CommonOptions.Positive("--run-limit", "Synthetic training images of the whole runs.", 2048);
        var workers = CommonOptions.Workers();
        foreach (var option in trainCase.All.Concat(common.All).Concat([sections, noProfile, memorySteps, runEpochs, runLimit, workers]))
        {
            command.Options.Add(option);
        }
        command.SetAction(parse =>
        {
            int memory = parse.GetValue(memorySteps);
            if (memory < 2)
            {
                throw new ConfigException("memory-steps", $"needs at least 2 steps, got {memory}");
            }
            int first = memory >= 1000 ? 100 : Math.Max(1, memory / 10);     // the target compares step 100 with step 1000
            var plan = defaults with
            {
                Sections = ParseSections(parse.GetValue(sections)!),
                Train = trainCase.Read(parse, null, !parse.GetValue(noProfile)),
                Memory = defaults.Memory with { Steps = memory - 1, WarmupSteps = 1, MemoryAt = [first, memory] },
                Run = defaults.Run with { Epochs = parse.GetValue(runEpochs) },
                RunData = new DatasetSpec(DatasetFormat.Synthetic, Limit: parse.GetValue(runLimit), Size: defaults.Run.Model.Encoder.ImageSize, Seed: parse.GetValue(common.Seed)),
            };
            return common.Execute(common.Apply(plan, parse, workers), parse);
        });
    }

    private static IReadOnlyList<BenchSection> ParseSections(string[] values)
    {
        var names = string.Join(',', values).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var sections = new List<BenchSection>();
        foreach (var name in names)
        {
            if (!Enum.TryParse<BenchSection>(name, ignoreCase: true, out var s) || int.TryParse(name, out _))
            {
                throw new ConfigException("sections", $"unknown section '{name}' (expected {string.Join(", ", Enum.GetNames<BenchSection>().Select(n => n.ToLowerInvariant()))})");
            }
            if (!sections.Contains(s))
            {
                sections.Add(s);
            }
        }
        return sections.Count > 0 ? sections : throw new ConfigException("sections", "needs at least one section");
    }

    /// <summary>`amt bench loader`: images/s of the data loader.</summary>
    private static Command Loader()
    {
        var sizes = CommonOptions.Ints("--sizes", "Output sizes in pixels (8-4096).", [32, 224], 8, 4096);
        var workerCounts = CommonOptions.Ints("--worker-counts", "Worker-thread counts to try (1-256).", [1, 2], 1, 256);
        var batch = CommonOptions.Positive("--batch-size", "Images per batch.", 64);
        var batches = CommonOptions.Positive("--batches", "Batches per measurement.", 50);
        var (data, format, limit) = (CommonOptions.Data(), CommonOptions.Format(), CommonOptions.Limit());
        var skipBad = new Option<bool>(UserErrors.SkipOption) { Description = "Skip unreadable images with a warning (once per image) instead of stopping." };
        var loader = new Command("loader", "Data-loader throughput (decode, RandomResizedCrop, flip, normalise into batch tensors).")
        {
            sizes, workerCounts, batch, batches, data, format, limit, skipBad,
        };
        loader.SetAction(parse =>
        {
            var o = parse.InvocationConfiguration.Output;
            var spec = CommonOptions.Dataset(parse, data, format, limit);
            var opened = CommandData.Open(parse, spec, withTest: false);
            var source = opened.Train;
            var policy = parse.GetValue(skipBad) ? BadInputPolicy.Skip : BadInputPolicy.Fail;
            o.WriteLine($"loader on {opened.Summary.Title} ({source.Count} images), batch {parse.GetValue(batch)}, {parse.GetValue(batches)} batches per figure");
            o.WriteLine("size  workers  images/s");
            foreach (int size in parse.GetValue(sizes)!)
            {
                foreach (int w in parse.GetValue(workerCounts)!)
                {
                    double rate = LoaderBenchmark.Run(source, size, w, parse.GetValue(batch), parse.GetValue(batches), policy, opened.BadInputs);
                    o.WriteLine($"{size,4}  {w,7}  {rate,8:F0}");
                }
            }
            if (opened.BadInputs.Count > 0)
            {
                o.WriteLine($"{opened.BadInputs.Count} files skipped (named above); figures count only the images loaded");
            }
            return 0;
        });
        return loader;
    }
}
