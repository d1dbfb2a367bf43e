using System.CommandLine;
using AmtSharp.Training.FineTuning;
using AmtSharp.Training.Pretraining;

namespace AmtSharp.Cli.Commands;

/// <summary>`amt finetune`: end-to-end fine-tuning of a pretrained encoder (or, with --from-scratch, the supervised baseline).</summary>
internal static class FineTuneCommand
{
    public static Command Create() => Create(new FineTuneOptions());

    /// <summary>The command over the given options (tests resolve configurations through them).</summary>
    public static Command Create(FineTuneOptions options)
    {
        var command = new Command("finetune", "End-to-end fine-tuning (MAE recipe: layer-wise lr decay, drop path, RandAugment, mixup/cutmix, random erasing, " +
            "label smoothing); prints test top-1 / top-5. Settings come from the preset, then --config, then flags (see --print-config).");
        foreach (var option in options.All)
        {
            command.Options.Add(option);
        }
        command.SetAction(parse =>
        {
            var o = parse.InvocationConfiguration.Output;
            if (parse.GetValue(options.ListPresets))
            {
                foreach (var p in FineTunePresets.All)
                {
                    o.WriteLine($"{p.Name,-22} {p.Description}");
                }
                return 0;
            }
            var config = options.Resolve(parse);
            string? path = parse.GetValue(options.Checkpoint);
            bool scratch = parse.GetValue(options.FromScratch);
            bool print = parse.GetValue(options.PrintConfig);
            if (!scratch && path is null && !print)
            {
                throw new ConfigException("checkpoint", "give a pretraining checkpoint or run folder, or --from-scratch for the supervised baseline");
            }
            using var pretrained = path is null ? null : PretrainedModel.Load(path);
            if (pretrained is not null)
            {
                config = config with { Encoder = pretrained.Config.Encoder, Pretrained = Path.GetFullPath(path!) };
            }
            if (print)
            {
                config.Validate(trainImages: config.BatchSize);   // everything but the dataset's size
                o.Write(options.ToYaml(parse, config));
                return 0;
            }
            bool resume = options.RunFolder.Resuming(parse);
            // The synthetic set is drawn with the pretraining seed, so the classifier sees the images the encoder saw.
            var spec = CommonOptions.Dataset(parse, options.Data, options.Format, options.Limit, config.Encoder.ImageSize, pretrained?.Config.Seed ?? config.Seed);
            var opened = CommandData.Open(parse, spec, withTest: true, parse.GetValue(options.Quiet));
            var (train, test) = (opened.Train, opened.Test);
            config.Validate(train.Count);                      // a refused configuration never touches the run folder
            FineTuner.CheckLabels(train, test);
            using var autocast = CommonOptions.Compute(parse, options.Precision, options.Threads, options.Workers).Enter();
            using var folder = options.RunFolder.Open(parse, parse.GetValue(options.Output)!, "amt finetune", o.WriteLine);
            using var tuner = new FineTuner(config, train, test, pretrained?.Model.Encoder, folder,
                new FineTuneConsoleProgress(o, parse.GetValue(options.Quiet), config.Epochs), opened.BadInputs)
            {
                Data = opened.Summary,
            };
            if (resume)
            {
                tuner.ResumeFrom(options.RunFolder.ResumeOptions(parse, o.WriteLine));
            }
            var result = tuner.Train(resume: resume);
            o.WriteLine($"fine-tuned {(pretrained is null ? "from scratch" : path)} on {opened.Summary.Title} ({result.TrainImages} images, {result.Classes} classes) for {result.EpochsCompleted} epochs: " +
                $"test top-1 {result.Top1:P2}, top-5 {result.Top5:P2} on {result.TestImages} images (best top-1 {result.BestTop1:P2} after epoch {result.BestEpoch + 1}); " +
                $"{result.TrainSeconds:F0}s training + {result.EvalSeconds:F0}s evaluation; checkpoint {result.Checkpoint}");
            return 0;
        });
        return command;
    }
}
