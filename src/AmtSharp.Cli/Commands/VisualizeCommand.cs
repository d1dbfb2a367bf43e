using System.CommandLine;
using AmtSharp.Inspection;
using AmtSharp.Reporting;
using AmtSharp.Training.Pretraining;

namespace AmtSharp.Cli.Commands;

/// <summary>`amt visualize`: masking grid and attention overlays of a checkpoint on a few images.</summary>
internal static class VisualizeCommand
{
    public static Command Create()
    {
        var checkpoint = new Option<string>("--checkpoint", "-c") { Description = "A checkpoint file, a pretraining run folder, or a PyTorch (.pth, e.g. MAE's) or safetensors (timm) encoder.", Required = true };
        var weights = new WeightOptions();
        var output = new Option<string>("--output", "-o") { Description = "Folder for masking.png and attention.png.", Required = true };
        var images = CommonOptions.Positive("--images", "Number of images.", 8);
        var maskRatio = CommonOptions.Ratio("--mask-ratio", "AMT mask ratio r (default: the checkpoint's, else the method's).", null, 0, 0.999);
        var throwRatio = CommonOptions.Ratio("--throw-ratio", "AMT throw ratio t (default: the checkpoint's, else the method's); 0 = no throwing.", null, 0, 0.999);
        var stats = new Option<NormPixStatistics>("--norm-pix-stats") { Description = "MAE norm-pix predictions back to pixels with TruePatch statistics or NearestVisible ones.", DefaultValueFactory = _ => NormPixStatistics.TruePatch };
        var (data, format, limit, seed) = (CommonOptions.Data(), CommonOptions.Format(), CommonOptions.Limit(), CommonOptions.Seed());
        var command = new Command("visualize", "Draw the masking grid (image | prior | AMT mask plan | reconstruction) and attention overlays of a checkpoint for a few training images.")
        {
            checkpoint, output, images, maskRatio, throwRatio, stats, data, format, limit, seed,
        };
        weights.AddTo(command);
        command.SetAction(parse =>
        {
            string c = parse.GetValue(checkpoint)!;
            var o = parse.InvocationConfiguration.Output;
            using var pretrained = PretrainedModel.Load(c, weights.Read(parse));
            if (pretrained.Report is { } loaded)
            {
                o.WriteLine(loaded.Describe());
            }
            if (pretrained.DecoderAtInitialisation)
            {
                o.WriteLine("note: no decoder was loaded from the file, so the reconstruction column comes from an untrained decoder; the prior, mask plan and attention are the file's");
            }
            var spec = CommonOptions.Dataset(parse, data, format, limit, pretrained.Config.Encoder.ImageSize, pretrained.Config.Seed);
            double? Given(Option<double> option) => parse.GetResult(option) is { Implicit: false } ? parse.GetValue(option) : null;
            var options = new VisualizeOptions(parse.GetValue(images), Given(maskRatio), Given(throwRatio), parse.GetValue(seed), parse.GetValue(stats));
            string name = Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(c)));
            var result = VisualizeTool.Write(pretrained, name, CommandData.Open(parse, spec, withTest: false).Train, parse.GetValue(output)!, options);
            o.WriteLine(
                $"wrote {result.MaskingPath} (AMT plan: {result.Counts}; loss on these images {result.Loss:F4}) and {result.AttentionPath}");
            return 0;
        });
        return command;
    }
}
