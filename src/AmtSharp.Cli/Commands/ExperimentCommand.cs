using System.CommandLine;
using AmtSharp.Data;
using AmtSharp.Experiments;
using AmtSharp.Training.Evaluation;
using AmtSharp.Training.Pretraining;

namespace AmtSharp.Cli.Commands;

/// <summary>
/// `amt experiment cifar10`: MAE, MAE + AMT, SimMIM and SimMIM + AMT with one budget, model and seed, each
/// evaluated frozen on the test split, and a results page. Running it again continues an interrupted comparison.
/// </summary>
internal static class ExperimentCommand
{
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
        var probeEpochs = CommonOptions.Positive("--probe-epochs", "Linear-probe epochs.", d.ProbeEpochs);
        var arms = new Option<string[]>("--arms")
        {
            Description = "Arms to run: mae, mae-amt, simmim, simmim-amt (default: all four).",
            DefaultValueFactory = _ => ["mae", "mae-amt", "simmim", "simmim-amt"],
            AllowMultipleArgumentsPerToken = true,
        };
        var output = new Option<string>("--output", "-o") { Description = "Folder holding one run folder per arm.", DefaultValueFactory = _ => Path.Combine("runs", "cifar10-comparison") };
        var results = new Option<string>("--results") { Description = "Where to write the results page.", DefaultValueFactory = _ => Path.Combine("docs", "results.md") };
        var data = new Option<string>("--data") { Description = "CIFAR-10 as an ImageFolder with train/ and test/ (e.g. ../shared/datasets/cifar10).", Required = true };
        var threads = CommonOptions.Threads();
        var noNormPix = new Option<bool>("--no-norm-pix") { Description = "MAE arms: plain pixel targets instead of norm-pix (the official AMT command's choice)." };
        var (workers, seed, device, quiet) = (CommonOptions.Workers(), CommonOptions.Seed(), CommonOptions.Device(), CommonOptions.Quiet());
        var cifar = new Command("cifar10", "MAE vs MAE + AMT and SimMIM vs SimMIM + AMT on CIFAR-10 with the same budget; linear probe and kNN on the test split; writes docs/results.md.")
        {
            data, epochs, images, width, depth, heads, batch, probeEpochs, arms, output, results, threads, noNormPix, workers, seed, device, quiet,
        };
        cifar.SetAction(parse =>
        {
            var o = parse.InvocationConfiguration.Output;
            CommonOptions.ApplyThreads(parse.GetValue(threads));
            var budget = new ComparisonBudget(parse.GetValue(epochs), parse.GetValue(images), parse.GetValue(width), parse.GetValue(depth),
                parse.GetValue(heads), parse.GetValue(batch), parse.GetValue(probeEpochs), parse.GetValue(seed), parse.GetValue(workers), parse.GetValue(device)!,
                MaeNormPix: !parse.GetValue(noNormPix));
            var chosen = parse.GetValue(arms)!;
            var all = Cifar10Comparison.Arms(budget);
            var unknown = chosen.Where(a => all.All(x => x.Name != a)).ToList();
            if (unknown.Count > 0)
            {
                throw new ConfigException("arms", $"unknown arm '{unknown[0]}' (choose from {string.Join(", ", all.Select(a => a.Name))})");
            }
            var selected = all.Where(a => chosen.Contains(a.Name)).ToList();
            var spec = new DatasetSpec(DatasetFormat.Folder, parse.GetValue(data), budget.TrainImages, 32, budget.Seed);
            var train = spec.OpenTrain();
            var test = spec.OpenTest();
            foreach (var arm in selected)
            {
                arm.Config.Validate(train.Count);
            }
            string resultsPath = parse.GetValue(results)!;
            string? resultsDir = Path.GetDirectoryName(Path.GetFullPath(resultsPath));
            if (resultsDir is not null && !Directory.Exists(resultsDir))
            {
                throw new ConfigException("results", $"folder {resultsDir} does not exist");
            }

            var comparison = new MethodComparison(parse.GetValue(output)!, train, test, Cifar10Comparison.Evaluation(budget));
            var measured = comparison.Run(selected, new Progress(o, parse.GetValue(quiet)));
            string command = "dotnet run --project src/AmtSharp.Cli -c Release -- " + string.Join(' ', Environment.GetCommandLineArgs().Skip(1));
            File.WriteAllText(resultsPath, ComparisonReport.Render("CIFAR-10: MAE and SimMIM with and without AMT", command,
                $"CIFAR-10 JPEGs at {parse.GetValue(data)}", budget, selected, measured));
            o.WriteLine($"results written to {Path.GetFullPath(resultsPath)}");
            return 0;
        });
        experiment.Subcommands.Add(cifar);
        return experiment;
    }

    private sealed class Progress(TextWriter o, bool quiet) : IComparisonObserver
    {
        public IPretrainObserver? OnArmStart(ComparisonArm arm, bool resuming)
        {
            o.WriteLine($"== {arm.Label}: {(resuming ? "resuming" : "pretraining")} for {arm.Config.Epochs} epochs");
            return new ConsoleProgress(o, quiet, arm.Config.Epochs);
        }

        public void OnEvaluationStart(ComparisonArm arm, FeaturePooling pooling) =>
            o.WriteLine($"== {arm.Label}: linear probe and kNN on {pooling} features");

        public void OnArmDone(ArmResult r)
        {
            var cls = r.Evaluations.GetValueOrDefault(nameof(FeaturePooling.Cls));
            o.WriteLine($"== {r.Label}: done in {r.WallSeconds:F0} s; linear probe {cls?.Probe?.Top1:P1}, kNN {cls?.Knn?.Top1:P1} ([CLS])");
        }
    }
}
