using System.CommandLine;
using System.Text.Json;
using AmtSharp.Models.Vit;
using AmtSharp.Training.FineTuning;
using AmtSharp.Training.Pretraining;
using AmtSharp.Training.Runs;

namespace AmtSharp.Cli.Commands;

/// <summary>`amt finetune`: end-to-end fine-tuning of a pretrained encoder (or, with --from-scratch, the supervised baseline).</summary>
internal static class FineTuneCommand
{
    public static Command Create()
    {
        var defaults = new FineTuneConfig();
        var checkpoint = new Option<string?>("--checkpoint", "-c") { Description = "A pretraining checkpoint file or run folder (its newest checkpoint)." };
        var fromScratch = new Option<bool>("--from-scratch") { Description = "Train the classifier from random initialisation (the supervised baseline) instead of a checkpoint." };
        var model = new Option<string>("--model") { Description = "With --from-scratch: encoder preset vit_tiny, vit_small, vit_base, vit_large.", DefaultValueFactory = _ => "vit_tiny" };
        var imageSize = CommonOptions.Positive("--image-size", "With --from-scratch: input side in pixels.", 32);
        var patchSize = CommonOptions.Positive("--patch-size", "With --from-scratch: patch side in pixels.", 4);
        var depth = CommonOptions.Positive("--depth", "With --from-scratch: override the preset's number of blocks (0 = preset).", 0, allowZero: true);
        var epochs = CommonOptions.Positive("--epochs", "Fine-tuning epochs.", defaults.Epochs);
        var warmup = CommonOptions.Ratio("--warmup-epochs", "Learning-rate warm-up in epochs.", defaults.WarmupEpochs, 0, 1e6);
        var batch = CommonOptions.Positive("--batch-size", "Images per step.", defaults.BatchSize);
        var blr = CommonOptions.Ratio("--blr", "Base learning rate; lr = blr × batch / 256 (AMT's MAE recipe: 1e-3).", defaults.BaseLr, 1e-8, 10);
        var minLr = CommonOptions.Ratio("--min-lr", "Learning rate at the end of the cosine.", defaults.MinLr, 0, 10);
        var layerDecay = CommonOptions.Ratio("--layer-decay", "Layer-wise lr decay: block k gets decay^(depth − k) of the head's lr (1 = off).", defaults.LayerDecay, 1e-6, 1);
        var weightDecay = CommonOptions.Ratio("--weight-decay", "AdamW weight decay (not on biases, norms and tokens).", defaults.WeightDecay, 0, 10);
        var dropPath = CommonOptions.Ratio("--drop-path", "Stochastic-depth rate of the last block, rising linearly from 0 at the first (0 = off).", defaults.DropPath, 0, 0.99);
        var smoothing = CommonOptions.Ratio("--smoothing", "Label smoothing.", defaults.LabelSmoothing, 0, 0.99);
        var mixup = CommonOptions.Ratio("--mixup", "Mixup Beta(α, α) parameter (0 = off).", defaults.MixupAlpha, 0, 100);
        var cutmix = CommonOptions.Ratio("--cutmix", "CutMix Beta(α, α) parameter (0 = off).", defaults.CutmixAlpha, 0, 100);
        var mixProb = CommonOptions.Ratio("--mix-prob", "Probability that a batch is mixed.", defaults.MixProbability, 0, 1);
        var switchProb = CommonOptions.Ratio("--switch-prob", "With both on: probability of cutmix rather than mixup for a batch.", defaults.SwitchProbability, 0, 1);
        var pooling = new Option<VitPooling>("--pooling") { Description = "GlobalAverage (mean patch token + fc_norm, MAE) or Cls ([CLS] after the final norm).", DefaultValueFactory = _ => defaults.Pooling };
        var clip = CommonOptions.Ratio("--clip-grad", "Clip the gradient norm (0 = off).", defaults.ClipGrad, 0, 1e6);
        var cropScale = CommonOptions.Ratio("--crop-scale-min", "RandomResizedCrop smallest area fraction.", defaults.CropScaleMin, 0.01, 1);
        var evalEvery = CommonOptions.Positive("--eval-every", "Evaluate on the test split every N epochs (always after the last; 0 = only then).", defaults.EvalEvery, allowZero: true);
        var output = new Option<string>("--output", "-o") { Description = "Run folder (config, metrics, final result, checkpoint).", DefaultValueFactory = _ => Path.Combine("runs", "finetune") };
        var skipBad = new Option<bool>("--skip-bad-images") { Description = "Skip unreadable training images with a warning instead of stopping." };
        var overwrite = new Option<bool>("--overwrite") { Description = "Delete the run already in --output (checkpoints, metrics; each listed) and start again." };
        var printConfig = new Option<bool>("--print-config") { Description = "Print the resolved configuration as JSON and exit." };
        var (data, format, limit, workers, seed, device, quiet) = (CommonOptions.Data(), CommonOptions.Format(), CommonOptions.Limit(),
            CommonOptions.Workers(), CommonOptions.Seed(), CommonOptions.Device(), CommonOptions.Quiet());

        var command = new Command("finetune", "End-to-end fine-tuning (MAE recipe: layer-wise lr decay, drop path, mixup/cutmix, label smoothing); prints test top-1 / top-5.")
        {
            checkpoint, fromScratch, model, imageSize, patchSize, depth, epochs, warmup, batch, blr, minLr, layerDecay, weightDecay, dropPath,
            smoothing, mixup, cutmix, mixProb, switchProb, pooling, clip, cropScale, evalEvery, output, overwrite, skipBad, printConfig,
            data, format, limit, workers, seed, device, quiet,
        };
        command.SetAction(parse =>
        {
            string? path = parse.GetValue(checkpoint);
            bool scratch = parse.GetValue(fromScratch);
            if (scratch == (path is not null))
            {
                throw scratch
                    ? new ConfigException("from-scratch", "cannot be combined with --checkpoint")
                    : new ConfigException("checkpoint", "give a pretraining checkpoint or run folder, or --from-scratch for the supervised baseline");
            }
            foreach (var shapeOption in new Option[] { model, imageSize, patchSize, depth })
            {
                if (!scratch && parse.GetResult(shapeOption) is { Implicit: false })
                {
                    throw new ConfigException(shapeOption.Name.TrimStart('-'), "only applies with --from-scratch (the checkpoint fixes the encoder)");
                }
            }
            var config = new FineTuneConfig
            {
                Epochs = parse.GetValue(epochs),
                WarmupEpochs = parse.GetValue(warmup),
                BatchSize = parse.GetValue(batch),
                BaseLr = parse.GetValue(blr),
                MinLr = parse.GetValue(minLr),
                LayerDecay = parse.GetValue(layerDecay),
                WeightDecay = parse.GetValue(weightDecay),
                DropPath = parse.GetValue(dropPath),
                LabelSmoothing = parse.GetValue(smoothing),
                MixupAlpha = parse.GetValue(mixup),
                CutmixAlpha = parse.GetValue(cutmix),
                MixProbability = parse.GetValue(mixProb),
                SwitchProbability = parse.GetValue(switchProb),
                Pooling = parse.GetValue(pooling),
                ClipGrad = parse.GetValue(clip),
                CropScaleMin = parse.GetValue(cropScale),
                EvalEvery = parse.GetValue(evalEvery),
                SkipBadImages = parse.GetValue(skipBad),
                Seed = parse.GetValue(seed),
                Workers = parse.GetValue(workers),
                Device = parse.GetValue(device)!,
            };
            using var pretrained = scratch ? null : PretrainedModel.Load(path!);
            if (pretrained is not null)
            {
                config = config with { Encoder = pretrained.Config.Encoder, Pretrained = Path.GetFullPath(path!) };
            }
            else
            {
                var vit = VitConfig.Preset(parse.GetValue(model)!, parse.GetValue(imageSize), parse.GetValue(patchSize));
                config = config with { Encoder = parse.GetValue(depth) > 0 ? vit with { Depth = parse.GetValue(depth) } : vit };
            }
            var o = parse.InvocationConfiguration.Output;
            if (parse.GetValue(printConfig))
            {
                o.WriteLine(JsonSerializer.Serialize(config, RunFolder.JsonOptions));
                return 0;
            }
            // The synthetic set is drawn with the pretraining seed, so the classifier sees the images the encoder saw.
            var spec = CommonOptions.Dataset(parse, data, format, limit, config.Encoder.ImageSize, pretrained?.Config.Seed ?? config.Seed);
            var opened = CommandData.Open(parse, spec, withTest: true, parse.GetValue(quiet));
            var (train, test) = (opened.Train, opened.Test);
            config.Validate(train.Count);                      // a refused configuration never touches the run folder
            FineTuner.CheckLabels(train, test);
            using var folder = RunFolder.Open(parse.GetValue(output)!, new RunFolderOpening(
                parse.GetValue(overwrite) ? RunFolderMode.Overwrite : RunFolderMode.New, "amt finetune", CanResume: false, Note: o.WriteLine));
            using var tuner = new FineTuner(config, train, test, pretrained?.Model.Encoder, folder,
                new FineTuneConsoleProgress(o, parse.GetValue(quiet), config.Epochs), opened.BadInputs)
            {
                Data = opened.Summary,
            };
            var result = tuner.Train();
            o.WriteLine($"fine-tuned {(pretrained is null ? "from scratch" : path)} on {opened.Summary.Title} ({result.TrainImages} images, {result.Classes} classes) for {result.EpochsCompleted} epochs: " +
                $"test top-1 {result.Top1:P2}, top-5 {result.Top5:P2} on {result.TestImages} images (best top-1 {result.BestTop1:P2} after epoch {result.BestEpoch + 1}); " +
                $"{result.TrainSeconds:F0}s training + {result.EvalSeconds:F0}s evaluation; checkpoint {result.Checkpoint}");
            return 0;
        });
        return command;
    }
}

/// <summary>Fine-tuning progress: one line per epoch, plus a status line every 10 s (nothing with --quiet).</summary>
internal sealed class FineTuneConsoleProgress(TextWriter output, bool quiet, int totalEpochs) : IFineTuneObserver
{
    private DateTime lastLine = DateTime.UtcNow;

    public void OnStep(FineTuneStep s)
    {
        if (quiet || DateTime.UtcNow - lastLine < TimeSpan.FromSeconds(10))
        {
            return;
        }
        output.WriteLine($"epoch {s.Epoch + 1}/{totalEpochs} batch {s.Batch + 1}/{s.BatchesPerEpoch} loss {s.Loss:F4} lr {s.Lr:E2} {s.ImagesPerSecond:F0} img/s");
        lastLine = DateTime.UtcNow;
    }

    public void OnEpoch(FineTuneEpoch e)
    {
        if (quiet)
        {
            return;
        }
        string test = e.TestTop1 is { } top1 ? $", test top-1 {top1:P1} top-5 {e.TestTop5:P1} loss {e.TestLoss:F4}" : "";
        output.WriteLine($"epoch {e.Epoch + 1}/{totalEpochs}: train loss {e.TrainLoss:F4}, lr {e.Lr:E2}, {e.ImagesPerSecond:F0} img/s{test}");
        lastLine = DateTime.UtcNow;
    }
}
