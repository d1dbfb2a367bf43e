using System.CommandLine;
using AmtSharp.Amt;
using AmtSharp.Inspection;
using AmtSharp.Models.Vit;
using AmtSharp.Training.Checkpoints;
using AmtSharp.Training.Pretraining;

namespace AmtSharp.Cli.Commands;

/// <summary>`amt prior`: compute the AMT attention prior of a dataset under an encoder, or inspect a saved one.</summary>
internal static class PriorCommand
{
    public static Command Create()
    {
        var checkpoint = new Option<string?>("--checkpoint", "-c") { Description = "A checkpoint file, a pretraining run folder, a PyTorch (.pth, e.g. MAE's) or safetensors (timm) encoder, or 'none' for a model at initialisation." };
        var weights = new WeightOptions();
        var inspect = new Option<string?>("--inspect") { Description = "Print the statistics of a saved prior (a .amtprior file or a training checkpoint) and exit." };
        var output = new Option<string?>("--output", "-o") { Description = "Folder for prior.amtprior, prior-stats.json and prior-attention.png (default: <run folder>/prior, else runs/prior)." };
        var batch = CommonOptions.Positive("--batch-size", "Images per prior-pass batch.", 128);
        var images = CommonOptions.Positive("--images", "Images in the attention picture.", 8);
        var model = new Option<string>("--model") { Description = "With -c none: encoder preset (vit_tiny, vit_small, vit_base, vit_large) or a pretraining preset (e.g. demo) whose model to initialise.", DefaultValueFactory = _ => "vit_tiny" };
        var imageSize = CommonOptions.Positive("--image-size", "With -c none: input side in pixels.", 32);
        var patchSize = CommonOptions.Positive("--patch-size", "With -c none: patch side in pixels.", 4);
        var (data, format, limit, workers, seed, quiet) = (CommonOptions.Data(), CommonOptions.Format(), CommonOptions.Limit(),
            CommonOptions.Workers(), CommonOptions.Seed(), CommonOptions.Quiet());
        var (threads, precision) = (CommonOptions.Threads(), CommonOptions.Precision());
        var command = new Command("prior", "Compute the AMT attention prior (last-block [CLS] attention) of every image of a dataset, save it and print its statistics; or --inspect a saved prior.")
        {
            checkpoint, inspect, output, batch, images, model, imageSize, patchSize, data, format, limit, workers, threads, precision, seed, quiet,
        };
        weights.AddTo(command, imageSize: false);
        command.SetAction(parse =>
        {
            var o = parse.InvocationConfiguration.Output;
            if (parse.GetValue(inspect) is { } file)
            {
                var (store, metadata) = PriorFile.Load(file);
                o.WriteLine($"prior in {Path.GetFullPath(file)}");
                foreach (var key in new[] { "kind", "model", "dataset" })
                {
                    if (metadata[key] is { } value)
                    {
                        o.WriteLine($"  {key,-19} {value}");
                    }
                }
                if (store.ComputedAtEpoch >= 0)
                {
                    o.WriteLine($"  {"computed",-19} after training epoch {store.ComputedAtEpoch + 1}");
                }
                PrintSummary(o, PriorSummary.Of(store), null, store.ComputedAtEpoch < 0 && metadata["kind"]?.GetValue<string>() != PriorFile.Kind);
                return 0;
            }
            string c = parse.GetValue(checkpoint) ?? throw new ConfigException("checkpoint", "give a checkpoint file, a run folder or 'none' (or --inspect FILE)");
            bool init = c.Equals("none", StringComparison.OrdinalIgnoreCase);
            using var pretrained = init
                ? PretrainedModel.AtInitialisation((PretrainPresets.Names.Contains(parse.GetValue(model)!)
                    ? PretrainPresets.Get(parse.GetValue(model)!).Config
                    : PretrainConfig.MaeAmt(VitConfig.Preset(parse.GetValue(model)!, parse.GetValue(imageSize), parse.GetValue(patchSize)))) with
                { Seed = parse.GetValue(seed) })
                : PretrainedModel.Load(c, weights.Read(parse));
            if (pretrained.Report is { } loaded && !parse.GetValue(quiet))
            {
                o.WriteLine(loaded.Describe());
            }
            var spec = CommonOptions.Dataset(parse, data, format, limit, pretrained.Config.Encoder.ImageSize, init ? parse.GetValue(seed) : pretrained.Config.Seed);
            var source = CommandData.Open(parse, spec, withTest: false, parse.GetValue(quiet)).Train;
            string description = init ? $"initialisation ({parse.GetValue(model)}, seed {parse.GetValue(seed)})" : Path.GetFullPath(c);
            string folder = parse.GetValue(output) ?? (!init && Directory.Exists(c) ? Path.Combine(c, "prior") : Path.Combine("runs", "prior"));
            var compute = CommonOptions.Compute(parse, precision, threads, workers);
            using var autocast = compute.Enter();
            var progress = new ConsoleProgress(o, parse.GetValue(quiet), totalEpochs: 0);
            var result = PriorTool.Compute(pretrained, description, source, folder, parse.GetValue(batch), compute.Threads.Workers, parse.GetValue(images),
                done => progress.Report($"prior pass over {source.Name}", done, source.Count, "images"));
            o.WriteLine($"prior of {description} over {source.Name} ({source.Count} images, {result.ImagesPerSecond:F0} img/s)");
            PrintSummary(o, result.Summary, result.Overlap, neverComputed: false);
            o.WriteLine($"saved {result.PriorPath}, {Path.GetFileName(result.StatisticsPath)} and {Path.GetFileName(result.PicturePath)}");
            return 0;
        });
        return command;
    }

    private static void PrintSummary(TextWriter o, PriorSummary summary, ForegroundOverlap? overlap, bool neverComputed)
    {
        if (neverComputed)
        {
            o.WriteLine("  (this checkpoint's prior was never computed: AMT had not started; every map is the initial all-ones map)");
        }
        foreach (var line in PriorTool.Describe(summary, overlap))
        {
            o.WriteLine(line);
        }
    }
}
