using System.CommandLine;
using AmtSharp.Amt;
using AmtSharp.Reporting.Runs;
using AmtSharp.Training.Pretraining;
using AmtSharp.Training.Runs;

namespace AmtSharp.Cli.Commands;

/// <summary>`amt pretrain`: MAE or SimMIM, with AMT by default.</summary>
internal static class PretrainCommand
{
    public static Command Create() => Create(new PretrainOptions());

    /// <summary>The command over the given options (tests resolve configurations through them).</summary>
    public static Command Create(PretrainOptions options)
    {
        var command = new Command("pretrain", "Self-supervised pretraining: MAE or SimMIM, with AMT (attention-driven masking and throwing) unless --no-amt. " +
            "Settings come from the preset, then --config, then flags; options without a default take the preset's value (see --print-config).");
        foreach (var option in options.All)
        {
            command.Options.Add(option);
        }
        command.SetAction(parse =>
        {
            var o = parse.InvocationConfiguration.Output;
            if (parse.GetValue(options.ListPresets))
            {
                foreach (var p in PretrainPresets.All)
                {
                    o.WriteLine($"{p.Name,-18} {p.Description}");
                }
                return 0;
            }
            var config = options.Resolve(parse);
            if (parse.GetValue(options.PrintConfig))
            {
                config.Validate(datasetSize: config.BatchSize);     // everything but the dataset's size
                o.Write(options.ToYaml(parse, config));
                return 0;
            }
            if (config.Amt is { } amt && !amt.StartsWithin(config.Epochs))
            {
                o.WriteLine($"note: AMT starts at epoch {amt.ResolveStart(config.Epochs) + 1}, after this {config.Epochs}-epoch run: every epoch uses random masking {amt.WarmupMaskRatio}");
            }
            bool resume = options.RunFolder.Resuming(parse);
            if (resume)
            {
                config = config with { Precision = CommonOptions.ForResume(parse, options.Precision, parse.GetValue(options.Output)!, config.Precision) };
            }
            CommonOptions.ApplyThreads(options.PlanThreads(parse), o);
            var spec = CommonOptions.Dataset(parse, options.Data, options.Format, options.Limit, config.Encoder.ImageSize, config.Seed);
            var data = CommandData.Open(parse, spec, withTest: false, parse.GetValue(options.Quiet));
            var source = data.Train;
            config.Validate(source.Count);                     // a refused configuration never touches the run folder
            using var folder = options.RunFolder.Open(parse, parse.GetValue(options.Output)!, "amt pretrain", o.WriteLine);
            using var trainer = new Pretrainer(config, source, folder, new ConsoleProgress(o, parse.GetValue(options.Quiet), config.Epochs), data.BadInputs)
            {
                Data = data.Summary,
            };
            if (resume)
            {
                // Before the reporter exists: a refused resume must not leave an event file or a rewritten steps.csv.
                trainer.ResumeFrom(options.RunFolder.ResumeOptions(parse, o.WriteLine));
            }
            using var reporter = new RunReporter(trainer);
            var result = trainer.Train(resume: resume);
            trainer.Run!.WriteFinal(result);
            var report = PretrainReport.Write(trainer, reporter, result, $"AmtSharp pretraining: {(config.Method == MimMethod.Mae ? "MAE" : "SimMIM")}{(config.Amt is null ? "" : " + AMT")} on {data.Summary.Title}");
            int skipped = trainer.Skipped.Count;
            o.WriteLine($"pretrained {data.Summary.Title} ({source.Count - skipped} images{(skipped > 0 ? $", {skipped} skipped" : "")}) for {result.EpochsCompleted} epochs, {result.Steps} steps: final loss {result.FinalLoss:F4}; " +
                $"{result.TrainSeconds:F0}s training + {result.RefreshSeconds:F0}s prior refreshes; checkpoint {result.Checkpoint}; report {report.MarkdownPath}");
            return 0;
        });
        return command;
    }
}
