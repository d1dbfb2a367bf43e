using System.CommandLine;
using System.Text.Json;
using AmtSharp.Amt;
using AmtSharp.Data;
using AmtSharp.Models.Vit;
using AmtSharp.Reporting.Runs;
using AmtSharp.Training.Pretraining;
using AmtSharp.Training.Runs;

namespace AmtSharp.Cli.Commands;

/// <summary>`amt pretrain`: MAE or SimMIM, with AMT by default.</summary>
internal static class PretrainCommand
{
    public static Command Create()
    {
        var method = new Option<MimMethod>("--method") { Description = "mae or simmim.", DefaultValueFactory = _ => MimMethod.Mae };
        var model = new Option<string>("--model") { Description = "Encoder preset: vit_tiny, vit_small, vit_base, vit_large.", DefaultValueFactory = _ => "vit_tiny" };
        var imageSize = CommonOptions.Positive("--image-size", "Input side in pixels.", 32);
        var patchSize = CommonOptions.Positive("--patch-size", "Patch side in pixels.", 4);
        var depth = CommonOptions.Positive("--depth", "Override the preset's number of blocks (0 = preset).", 0, allowZero: true);
        var decoderWidth = CommonOptions.Positive("--decoder-width", "MAE decoder width (paper: 512).", 128);
        var decoderDepth = CommonOptions.Positive("--decoder-depth", "MAE decoder blocks (paper: 8).", 2);
        var epochs = CommonOptions.Positive("--epochs", "Training epochs.", 10);
        var batch = CommonOptions.Positive("--batch-size", "Images per step.", 64);
        var accum = CommonOptions.Positive("--accum", "Gradient accumulation steps (effective batch = batch × accum).", 1);
        var blr = CommonOptions.Ratio("--blr", "Base learning rate; lr = blr × effective batch / 256.", 1.5e-4, 1e-8, 10);
        var warmup = CommonOptions.Ratio("--warmup-epochs", "Learning-rate warm-up in epochs.", 1, 0, 1e6);
        var noAmt = new Option<bool>("--no-amt") { Description = "Plain random masking throughout (the baseline)." };
        var maskRatio = CommonOptions.Ratio("--mask-ratio", "AMT mask ratio r (default: 0.45 MAE, 0.44 SimMIM); with --no-amt the random mask ratio (0.75 / 0.6).", -1, -1, 0.999);
        var throwRatio = CommonOptions.Ratio("--throw-ratio", "AMT throw ratio t (default: 0.40 MAE, 0.26 SimMIM); 0 = attention-driven masking only.", -1, -1, 0.999);
        var variant = new Option<AmtVariant>("--amt-variant") { Description = "Ablation: Attention (default), Inverted, RandomWithThrowing, ThrowHighest, TopK.", DefaultValueFactory = _ => AmtVariant.Attention };
        var start = CommonOptions.Positive("--amt-start-epoch", "First epoch with AMT (default: 10% of epochs for MAE, 20% for SimMIM).", 0, allowZero: true);
        var interval = CommonOptions.Positive("--amt-refresh-interval", "Epochs between prior refreshes (default: as the start).", 0, allowZero: true);
        var output = new Option<string>("--output", "-o") { Description = "Run folder (config, metrics, checkpoints).", DefaultValueFactory = _ => Path.Combine("runs", "pretrain") };
        var resume = new Option<bool>("--resume") { Description = "Continue from the newest valid checkpoint in --output." };
        var checkpointEvery = CommonOptions.Positive("--checkpoint-every", "Checkpoint every N epochs (0 = only at the end).", 1, allowZero: true);
        var noNormPix = new Option<bool>("--no-norm-pix") { Description = "MAE: plain pixel targets instead of per-patch normalised ones." };
        var clip = CommonOptions.Ratio("--clip-grad", "Clip the gradient norm (0 = off).", 0, 0, 1e6);
        var skipBad = new Option<bool>("--skip-bad-images") { Description = "Skip unreadable images with a warning instead of stopping." };
        var printConfig = new Option<bool>("--print-config") { Description = "Print the resolved configuration as JSON and exit." };
        var (data, format, limit, workers, seed, device, quiet) = (CommonOptions.Data(), CommonOptions.Format(), CommonOptions.Limit(),
            CommonOptions.Workers(), CommonOptions.Seed(), CommonOptions.Device(), CommonOptions.Quiet());

        var command = new Command("pretrain", "Self-supervised pretraining: MAE or SimMIM, with AMT (attention-driven masking and throwing) unless --no-amt.")
        {
            method, model, imageSize, patchSize, depth, decoderWidth, decoderDepth, epochs, batch, accum, blr, warmup, noAmt, maskRatio,
            throwRatio, variant, start, interval, output, resume, checkpointEvery, noNormPix, clip, skipBad, printConfig,
            data, format, limit, workers, seed, device, quiet,
        };
        command.SetAction(parse =>
        {
            var vit = VitConfig.Preset(parse.GetValue(model)!, parse.GetValue(imageSize), parse.GetValue(patchSize));
            if (parse.GetValue(depth) > 0)
            {
                vit = vit with { Depth = parse.GetValue(depth) };
            }
            var m = parse.GetValue(method);
            var config = (m == MimMethod.Mae ? PretrainConfig.MaeAmt(vit) : PretrainConfig.SimMimAmt(vit)) with
            {
                DecoderWidth = parse.GetValue(decoderWidth),
                DecoderDepth = parse.GetValue(decoderDepth),
                DecoderHeads = Math.Max(1, parse.GetValue(decoderWidth) / 32),
                Epochs = parse.GetValue(epochs),
                BatchSize = parse.GetValue(batch),
                Accumulation = parse.GetValue(accum),
                BaseLr = parse.GetValue(blr),
                WarmupEpochs = parse.GetValue(warmup),
                NormPixLoss = !parse.GetValue(noNormPix),
                ClipGrad = parse.GetValue(clip) > 0 ? parse.GetValue(clip) : (m == MimMethod.SimMim ? 5.0 : 0),
                CheckpointEvery = parse.GetValue(checkpointEvery),
                SkipBadImages = parse.GetValue(skipBad),
                Seed = parse.GetValue(seed),
                Workers = parse.GetValue(workers),
                Device = parse.GetValue(device)!,
            };
            double r = parse.GetValue(maskRatio), t = parse.GetValue(throwRatio);
            if (parse.GetValue(noAmt))
            {
                config = config with { Amt = null, MaskRatio = r > 0 ? r : config.MaskRatio };
            }
            else
            {
                var amt = config.Amt! with { Variant = parse.GetValue(variant) };
                amt = r >= 0 ? amt with { MaskRatio = r } : amt;
                amt = t >= 0 ? amt with { ThrowRatio = t } : amt;
                amt = parse.GetValue(start) > 0 ? amt with { StartEpoch = parse.GetValue(start) } : amt;
                amt = parse.GetValue(interval) > 0 ? amt with { RefreshInterval = parse.GetValue(interval) } : amt;
                config = config with { Amt = amt };
            }
            var o = parse.InvocationConfiguration.Output;
            if (parse.GetValue(printConfig))
            {
                o.WriteLine(JsonSerializer.Serialize(config, RunFolder.JsonOptions));
                return 0;
            }
            var spec = CommonOptions.Dataset(parse, data, format, limit, vit.ImageSize, parse.GetValue(seed));
            var source = spec.OpenTrain();
            using var trainer = new Pretrainer(config, source, parse.GetValue(output), new ConsoleProgress(o, parse.GetValue(quiet), config.Epochs));
            using var reporter = new RunReporter(trainer);
            var result = trainer.Train(resume: parse.GetValue(resume));
            trainer.Run!.WriteFinal(result);
            var report = PretrainReport.Write(trainer, reporter, result, $"AmtSharp pretraining: {(m == MimMethod.Mae ? "MAE" : "SimMIM")}{(config.Amt is null ? "" : " + AMT")} on {source.Name}");
            o.WriteLine($"pretrained {source.Name} ({source.Count} images) for {result.EpochsCompleted} epochs, {result.Steps} steps: final loss {result.FinalLoss:F4}; " +
                $"{result.TrainSeconds:F0}s training + {result.RefreshSeconds:F0}s prior refreshes; checkpoint {result.Checkpoint}; report {report.MarkdownPath}");
            return 0;
        });
        return command;
    }
}
