using System.CommandLine;
using AmtSharp.Models.Interop;
using AmtSharp.Models.Mae;
using AmtSharp.Training.Checkpoints;
using AmtSharp.Training.Pretraining;

namespace AmtSharp.Cli.Commands;

/// <summary>`amt export`: a pretrained encoder as .safetensors / .pth with timm key names, for PyTorch users.</summary>
internal static class ExportCommand
{
    public static Command Create()
    {
        var checkpoint = new Option<string>("--checkpoint", "-c")
        {
            Description = "A checkpoint file or pretraining run folder (or a PyTorch / safetensors file to convert).",
            Required = true,
        };
        var output = new Option<string>("--output", "-o")
        {
            Description = "Output file: name.safetensors (timm / Hugging Face), or name.pth for torch.save's {'model': state_dict}.",
            Required = true,
        };
        var withDecoder = new Option<bool>("--with-decoder")
        {
            Description = "MAE checkpoints: write the whole MAE, encoder and decoder, with the official MAE key names.",
        };
        var weights = new WeightOptions();
        var command = new Command("export", "Write a pretrained encoder with timm / MAE key names (cls_token, pos_embed, patch_embed.proj, blocks.N.*, norm) for PyTorch.")
        {
            checkpoint, output, withDecoder,
        };
        weights.AddTo(command);
        command.SetAction(parse =>
        {
            string source = parse.GetValue(checkpoint)!;
            string target = Path.GetFullPath(parse.GetValue(output)!);
            var format = PyTorchInterop.FormatFor(target);
            var o = parse.InvocationConfiguration.Output;
            int count;
            string what;
            if (parse.GetValue(withDecoder))
            {
                if (weights.ImageSizeGiven(parse))
                {
                    throw new ConfigException("image-size", "cannot be combined with --with-decoder");
                }
                if (!Directory.Exists(source) && WeightsFile.Detect(source) != WeightsFormat.AmtSharpCheckpoint)
                {
                    throw new ConfigException("with-decoder", "applies to AmtSharp MAE checkpoints and run folders");
                }
                using var model = PretrainedModel.Load(source);
                if (model.Model is not MaskedAutoencoder mae)
                {
                    throw new ConfigException("with-decoder", $"only MAE has a decoder with official key names; this checkpoint is {model.Config.Method}");
                }
                RefuseNonFinite(source, mae.state_dict());
                count = PyTorchInterop.ExportMae(mae, target);
                what = $"MAE {PyTorchInterop.Describe(mae.Config.Encoder)} with its decoder";
            }
            else
            {
                using var pretrained = PretrainedEncoder.Load(source, weights.Read(parse));
                if (pretrained.Report is not null)
                {
                    o.WriteLine(pretrained.Describe());
                }
                RefuseNonFinite(source, pretrained.Encoder.state_dict());
                count = PyTorchInterop.ExportEncoder(pretrained.Encoder, target);
                what = $"encoder {PyTorchInterop.Describe(pretrained.Encoder.Config)}";
            }
            o.WriteLine($"wrote {count} tensors of the {what} to {target} ({format}, timm / MAE key names)");
            return 0;
        });
        return command;
    }

    // A diverged model exported as weights would only move the failure into someone else's PyTorch session.
    private static void RefuseNonFinite(string source, Dictionary<string, TorchSharp.torch.Tensor> weights)
    {
        var (bad, where) = Finiteness.Check(weights, new Dictionary<string, FloatArray>());
        if (bad > 0)
        {
            throw new ConfigException("checkpoint", $"'{Path.GetFullPath(source)}' holds {bad} non-finite weights " +
                $"(in {string.Join(", ", where.Take(3))}{(where.Count > 3 ? ", …" : "")}); nothing was exported");
        }
    }
}
