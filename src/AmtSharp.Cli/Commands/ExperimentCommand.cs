using System.CommandLine;
using System.Text.Json;
using AmtSharp.Core;
using AmtSharp.Data;
using AmtSharp.Experiments;
using AmtSharp.Training.Evaluation;
using AmtSharp.Training.FineTuning;
using AmtSharp.Training.Pretraining;
using AmtSharp.Training.Runs;

namespace AmtSharp.Cli.Commands;

/// <summary>
/// `amt experiment cifar10`: the AMT study. Every chosen arm at every chosen seed with one budget, each evaluated frozen
/// on the test split, and a page built from every arm finished in the output folder. Running it again continues an
/// interrupted study, and runs with other arms or seeds add to the same page.
/// </summary>
internal static class ExperimentCommand
{
    /// <summary>The study folder's record of its budget and data: a second command must match it.</summary>
    public const string StudyFile = "study.json";

    /// <summary>Every command that ran on the study folder, one per line.</summary>
    public const string CommandsFile = "commands.txt";

    /// <summary>The study folder's subfolder for the synthetic runs.</summary>
    public const string SyntheticFolder = "synthetic";

    public static Command Create()
    {
        var experiment = new Command("experiment", "Reproducible comparisons (long runs that write a results page).");
        var d = new ComparisonBudget();
        var epochs = CommonOptions.Positive("--epochs", "Pretraining epochs of every arm.", d.Epochs);
        var images = CommonOptions.Positive("--train-images", "Class-balanced training subset (0 = all 50,000).", d.TrainImages, allowZero: true);
        var width = CommonOptions.Positive("--width", "Encoder width.", d.Width);
        var depth = CommonOptions.Positive("--depth", "Encoder blocks.", d.Depth);
        var heads = CommonOptions.Positive("--heads", "Encoder attention heads.", d.Heads);
        var batch = CommonOptions.Positive("--batch-size", "Images per step.", d.BatchSize);
        var probeEpochs = CommonOptions.Positive("--probe-epochs", "Linear-probe (LARS) epochs.", d.ProbeEpochs);
        var fineTuneEpochs = CommonOptions.Positive("--finetune-epochs",
            "Also fine-tune every arm's encoder end to end for this many epochs (amt finetune's finetune-cifar recipe, warm-up at its share) on the same training images, and the same recipe from scratch once per seed (folder seed-S/supervised); the page gets a fine-tuning table. 0 = none.",
            0, allowZero: true);
        var arms = new Option<string[]>("--arms")
        {
            Description = $"Arms to run: {string.Join(", ", Cifar10Comparison.Names)} (default: {string.Join(" ", Cifar10Comparison.DefaultNames)}); ARM{StudyCompute.EqualFlopsSuffix} runs only ARM's equal-FLOPs variant.",
            DefaultValueFactory = _ => [.. Cifar10Comparison.DefaultNames],
            AllowMultipleArgumentsPerToken = true,
        };
        var seeds = CommonOptions.Ints("--seeds", "Seeds; every arm runs once per seed, seed by seed.", [0], 0, int.MaxValue);
        var equalFlops = new Option<bool>("--equal-flops")
        {
            Description = "Also run each arm that has a baseline with its epochs scaled so that its whole run (refreshes included) costs the baseline's model FLOPs (arm name + '-eqflops').",
        };
        var synthetic = new Option<bool>("--synthetic")
        {
            Description = "Also run the chosen MAE-family arms at every seed on the embedded synthetic shapes (small model, minutes per arm), where the objects are known: the prior's share on the object, the linear probe and kNN (folder OUT/synthetic).",
        };
        var syntheticOnly = new Option<bool>("--synthetic-only")
        {
            Description = "Run only the synthetic arms (as --synthetic) and train no CIFAR-10 arm, e.g. to add seeds to the synthetic section of a page whose CIFAR-10 arms already ran.",
        };
        var sd = new SyntheticBudget();
        var syntheticImages = CommonOptions.Positive("--synthetic-train-images", "Synthetic training images (with --synthetic).", sd.TrainImages);
        var syntheticEpochs = CommonOptions.Positive("--synthetic-epochs", "Pretraining epochs on the synthetic shapes (with --synthetic).", sd.Epochs);
        var output = new Option<string>("--output", "-o") { Description = "Study folder: one run folder per seed and arm (seed-S/ARM).", DefaultValueFactory = _ => Path.Combine("runs", "cifar10-study") };
        var results = new Option<string>("--results") { Description = "Where to write the study page (charts are written beside it).", DefaultValueFactory = _ => Path.Combine("docs", "study.md") };
        var data = new Option<string>("--data") { Description = "CIFAR-10 as an ImageFolder with train/ and test/.", Required = true };
        var threads = CommonOptions.Threads();
        var pageOnly = new Option<bool>("--page-only") { Description = "Write the page from the arms already finished in the output folder and in the page's runs file (PAGE.runs.json, e.g. while other seeds still run, or when the folder is gone); train and evaluate nothing." };
        var title = new Option<string>("--title") { Description = "The page's title.", DefaultValueFactory = _ => "The AMT study on CIFAR-10" };
        var noNormPix = new Option<bool>("--no-norm-pix") { Description = "MAE arms: plain pixel targets instead of norm-pix (the official AMT command's choice)." };
        var (workers, device, quiet) = (CommonOptions.Workers(), CommonOptions.Device(), CommonOptions.Quiet());
        var precision = CommonOptions.Precision();
        var cifar = new Command("cifar10", "The AMT study on CIFAR-10: MAE and SimMIM baselines, AMT arms and random-draw controls with one budget over several seeds; linear probe and kNN on the test split, paired intervals; writes docs/study.md.")
        {
            data, epochs, images, width, depth, heads, batch, probeEpochs, fineTuneEpochs, arms, seeds, equalFlops, synthetic, syntheticOnly, syntheticImages, syntheticEpochs, output, results, title, threads, precision, noNormPix, pageOnly, workers, device, quiet,
        };
        cifar.SetAction(parse =>
        {
            var o = parse.InvocationConfiguration.Output;
            if (parse.GetValue(pageOnly) && parse.GetValue(syntheticOnly))
            {
                throw new ConfigException("synthetic-only", "cannot be combined with --page-only (one trains the synthetic arms, the other trains nothing)");
            }
            var compute = CommonOptions.Compute(parse, precision, threads, workers);
            using var autocast = compute.Enter();
            var budget = new ComparisonBudget(parse.GetValue(epochs), parse.GetValue(images), parse.GetValue(width), parse.GetValue(depth),
                parse.GetValue(heads), parse.GetValue(batch), parse.GetValue(probeEpochs), 0, compute.Threads.Workers, parse.GetValue(device)!,
                MaeNormPix: !parse.GetValue(noNormPix));
            var chosen = parse.GetValue(arms)!;
            var unknown = chosen.Where(a => !Cifar10Comparison.Names.Contains(StudyCompute.BaseArmName(a))).ToList();
            if (unknown.Count > 0)
            {
                throw new ConfigException("arms", $"unknown arm '{unknown[0]}' (choose from {string.Join(", ", Cifar10Comparison.Names)})");
            }
            // Naming an equal-FLOPs arm runs it alone, e.g. when its 20-epoch arm already ran elsewhere.
            bool withEqualFlops = parse.GetValue(equalFlops) || chosen.Any(StudyCompute.IsEqualFlopsName);
            var catalogue = Catalogue(budget, withEqualFlops);
            var missing = chosen.Where(StudyCompute.IsEqualFlopsName).FirstOrDefault(n => catalogue.All(a => a.Name != n));
            if (missing is not null)
            {
                throw new ConfigException("arms", $"'{missing}' does not exist: {StudyCompute.BaseArmName(missing)} has no baseline, or costs its baseline's FLOPs already");
            }
            string dataPath = parse.GetValue(data)!;
            var spec = new DatasetSpec(DatasetFormat.Folder, dataPath, budget.TrainImages, 32);
            var train = spec.OpenTrain();
            var test = spec.OpenTest();
            string resultsPath = parse.GetValue(results)!;
            string pageDir = Path.GetDirectoryName(Path.GetFullPath(resultsPath))!;
            if (!Directory.Exists(pageDir))
            {
                throw new ConfigException("results", $"folder {pageDir} does not exist");
            }

            // Arms seed by seed, so that a partly finished study already pairs every arm at the first seeds.
            var selected = parse.GetValue(seeds)!.Distinct()
                .SelectMany(seed => StudyCompute.Select(Catalogue(budget with { Seed = seed }, withEqualFlops), chosen, parse.GetValue(equalFlops)))
                .Select(a => a with { Config = a.Config with { Precision = compute.Precision } }).ToList();
            foreach (var arm in selected)
            {
                arm.Config.Validate(train.Count);
            }
            string outputDir = parse.GetValue(output)!;
            string dataset = $"CIFAR-10 JPEGs at {dataPath} (ImageFolder); {train.Count} training images (class-balanced, evenly spaced) for pretraining, the probe and kNN; the {test.Count} test images for accuracy";
            string study = CheckStudyFolder(outputDir, budget, dataset);
            string ledgerPath = StudyLedger.PathFor(resultsPath);
            var ledger = StudyLedger.Read(ledgerPath) ?? new StudyLedger(study, [], [], []);
            if (ledger.Study != study)
            {
                throw new ConfigException("results", $"{ledgerPath} holds runs of another budget or dataset ({ledger.Study.ReplaceLineEndings(" ")}); write the page elsewhere");
            }
            bool run = !parse.GetValue(pageOnly), onlySynthetic = parse.GetValue(syntheticOnly);
            if (run)
            {
                string command = "amt " + string.Join(' ', Environment.GetCommandLineArgs().Skip(1).Select(Quote));
                File.AppendAllLines(Path.Combine(outputDir, CommandsFile), [command]);
            }

            int tuneEpochs = parse.GetValue(fineTuneEpochs);
            var evaluation = Cifar10Comparison.Evaluation(budget) with { FineTune = tuneEpochs > 0 ? ComparisonFineTuning.Recipe(tuneEpochs) : null };
            var progress = new Progress(o, parse.GetValue(quiet));
            if (run && !onlySynthetic)
            {
                new MethodComparison(outputDir, train, test, evaluation).Run(selected, progress);
            }

            var syntheticBudget = new SyntheticBudget(parse.GetValue(syntheticEpochs), parse.GetValue(syntheticImages),
                ProbeEpochs: budget.ProbeEpochs, Workers: budget.Workers, Device: budget.Device);
            string syntheticDir = Path.Combine(outputDir, SyntheticFolder);
            if (run && (parse.GetValue(synthetic) || onlySynthetic))
            {
                CheckFolder(syntheticDir, syntheticBudget with { Workers = 0, Device = "" });
                var data = SyntheticComparison.Data(syntheticBudget);
                var syntheticArms = parse.GetValue(seeds)!.Distinct()
                    .SelectMany(seed => SyntheticComparison.Arms(syntheticBudget with { Seed = seed }).Where(a => chosen.Contains(a.Name)))
                    .Select(a => a with { Config = a.Config with { Precision = compute.Precision } }).ToList();
                new MethodComparison(syntheticDir, data.OpenTrain(), data.OpenTest(), SyntheticComparison.Evaluation(syntheticBudget))
                    .Run(syntheticArms, progress);
            }
            // The page is made from the ledger beside it, updated with whatever the folder holds now.
            string commandsFile = Path.Combine(outputDir, CommandsFile);
            ledger = ledger.With(File.Exists(commandsFile) ? File.ReadAllLines(commandsFile) : [], MethodComparison.ReadAll(outputDir),
                MethodComparison.ReadAll(syntheticDir));
            ledger.Write(ledgerPath);
            // Every arm the page may show, equal-FLOPs ones included: the ledger may hold them from earlier commands.
            var page = new StudyPageInput(parse.GetValue(title)!, ledger.Commands, dataset, budget, Catalogue(budget, equalFlops: true), evaluation,
                Path.GetFileNameWithoutExtension(resultsPath) + "-accuracy.png", Path.GetFileNameWithoutExtension(resultsPath) + "-prior.png",
                ledger.Synthetic.Count > 0 ? new SyntheticSection(syntheticBudget, SyntheticComparison.Arms(syntheticBudget), ledger.Synthetic) : null,
                Path.GetFileName(ledgerPath));
            AtomicFile.WriteAllText(resultsPath, StudyReport.Render(page, ledger.Results, pageDir));
            o.WriteLine($"results written to {Path.GetFullPath(resultsPath)} (runs in {Path.GetFullPath(ledgerPath)})");
            return 0;
        });
        experiment.Subcommands.Add(cifar);
        return experiment;
    }

    // Every arm, and with equal FLOPs also each arm rescaled to its baseline's compute, for the budget's seed.
    private static IReadOnlyList<ComparisonArm> Catalogue(ComparisonBudget budget, bool equalFlops)
    {
        var arms = Cifar10Comparison.Arms(budget);
        return equalFlops ? [.. arms, .. StudyCompute.EqualFlopsArms(arms, arms)] : arms;
    }

    // A study folder holds one budget on one dataset; a command with another would mix two experiments on one page.
    // Returns the record as JSON, which the page's ledger must match too.
    private static string CheckStudyFolder(string outputDir, ComparisonBudget budget, string dataset)
    {
        var record = new StudyRecord(budget.Epochs, budget.TrainImages, budget.Width, budget.Depth, budget.Heads, budget.BatchSize,
            budget.ProbeEpochs, budget.MaeNormPix, dataset);
        CheckFolder(outputDir, record);
        return JsonSerializer.Serialize(record, RunFolder.JsonOptions);
    }

    // The folder's first command records what its results depend on; a later one must match it.
    private static void CheckFolder<T>(string folder, T record)
    {
        string file = Path.Combine(folder, StudyFile);
        if (File.Exists(file))
        {
            var saved = JsonSerializer.Deserialize<T>(File.ReadAllText(file), RunFolder.JsonOptions);
            if (!Equals(saved, record))
            {
                throw new ConfigException("output", $"{folder} holds a study with another budget or dataset ({File.ReadAllText(file).ReplaceLineEndings(" ")}); use another folder");
            }
            return;
        }
        Directory.CreateDirectory(folder);
        File.WriteAllText(file, JsonSerializer.Serialize(record, RunFolder.JsonOptions));
    }

    // As a POSIX shell reads it back: single quotes around anything with blanks or quotes, a quote inside as '\''.
    internal static string Quote(string arg) => arg.Any(c => char.IsWhiteSpace(c) || c is '\'' or '"') ? $"'{arg.Replace("'", "'\\''")}'" : arg;

    private sealed record StudyRecord(int Epochs, int TrainImages, int Width, int Depth, int Heads, int BatchSize, int ProbeEpochs, bool MaeNormPix, string Dataset);

    private sealed class Progress(TextWriter o, bool quiet) : IComparisonObserver
    {
        public IPretrainObserver? OnArmStart(ComparisonArm arm, bool resuming)
        {
            o.WriteLine($"== seed {arm.Seed}, {arm.Label}: {(resuming ? "resuming" : "pretraining")} for {arm.Config.Epochs} epochs");
            return new ConsoleProgress(o, quiet, arm.Config.Epochs);
        }

        public void OnEvaluationStart(ComparisonArm arm, FeaturePooling pooling) =>
            o.WriteLine($"== seed {arm.Seed}, {arm.Label}: linear probes and kNN on {pooling} features");

        public void OnFinalPriorStart(ComparisonArm arm) =>
            o.WriteLine($"== seed {arm.Seed}, {arm.Label}: the trained encoder's prior over the training images");

        public IFineTuneObserver? OnFineTuneStart(string label, long seed, int epochs)
        {
            o.WriteLine($"== seed {seed}, {label}: fine-tuning for {epochs} epochs");
            return new FineTuneConsoleProgress(o, quiet, epochs);
        }

        public void OnDenseProbeStart(ComparisonArm arm) =>
            o.WriteLine($"== seed {arm.Seed}, {arm.Label}: dense probe on the patch tokens");

        public void OnArmDone(ArmResult r)
        {
            var cls = r.Evaluations.GetValueOrDefault(nameof(FeaturePooling.Cls));
            string dense = r.DenseProbe is { } d ? $", dense probe mIoU {d.MeanIoU:P1}" : "";
            string tuned = r.FineTune is { } f ? $", fine-tuned top-1 {f.Top1:P1}" : "";
            if (cls is null)
            {
                o.WriteLine($"== seed {r.Seed}, {r.Label}: done{tuned}");
                return;
            }
            o.WriteLine($"== seed {r.Seed}, {r.Label}: done; linear probe {cls.Converged?.Top1:P1} (converged), {cls.Probe?.Top1:P1} (LARS), kNN {cls.Knn?.Top1:P1} ([CLS]){dense}{tuned}");
        }
    }
}
