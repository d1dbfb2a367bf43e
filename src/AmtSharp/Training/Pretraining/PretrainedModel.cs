using System.Text.Json;
using System.Text.Json.Nodes;
using AmtSharp.Models;
using AmtSharp.Models.Interop;
using AmtSharp.Training.Checkpoints;
using AmtSharp.Training.Runs;
using TorchSharp;

namespace AmtSharp.Training.Pretraining;

/// <summary>
/// A pretrained model rebuilt from one of our checkpoints (its configuration travels with it), or an MAE around the
/// encoder of a PyTorch / safetensors file (official MAE, timm, our exports): with the file's decoder when it has one.
/// </summary>
public sealed class PretrainedModel : IDisposable
{
    private PretrainedModel(PretrainConfig config, torch.nn.Module module, IMaskedImageModel model, InteropReport? report = null, bool decoderAtInit = false)
    {
        Config = config;
        Module = module;
        Model = model;
        Report = report;
        DecoderAtInitialisation = decoderAtInit;
    }

    /// <summary>How a foreign file was loaded; null for our own checkpoints.</summary>
    public InteropReport? Report { get; }

    /// <summary>The file held an encoder only, so the decoder is freshly initialised (its reconstructions mean nothing).</summary>
    public bool DecoderAtInitialisation { get; }

    public PretrainConfig Config { get; }

    public torch.nn.Module Module { get; }

    public IMaskedImageModel Model { get; }

    /// <summary>
    /// Loads a checkpoint file, the newest valid checkpoint of a run folder, or a .pth / .safetensors file (the same
    /// files `linprobe` reads; <paramref name="options"/> give their heads and strictness).
    /// </summary>
    public static PretrainedModel Load(string path, InteropOptions? options = null)
    {
        if (!Directory.Exists(path) && WeightsFile.Detect(path) != WeightsFormat.AmtSharpCheckpoint)
        {
            return LoadForeign(path, options ?? InteropOptions.Default);
        }
        if (options is { Heads: not null } or { ImageSize: not null })
        {
            throw new ConfigException(options.Heads is not null ? nameof(options.Heads) : nameof(options.ImageSize), "applies to PyTorch / safetensors files; this checkpoint records its own");
        }
        using var checkpoint = CheckpointFolder.LoadFileOrNewest(path);
        string file = checkpoint.FilePath;
        if (!checkpoint.Metadata.ContainsKey("config") && checkpoint.Metadata.ContainsKey("finetune_config"))
        {
            throw new CheckpointException(file, "is a fine-tuned classifier, not a pretraining checkpoint");
        }
        var config = checkpoint.Get<JsonObject>("config").Deserialize<PretrainConfig>(RunFolder.JsonOptions)
            ?? throw new CheckpointException(file, "has no configuration");
        var (module, model) = MimFactory.CreateModel(config);
        checkpoint.ApplyModule("model", module);
        return new PretrainedModel(config, module, model);
    }

    // A decoder whose head count cannot be inferred is left out (the report lists its keys as ignored): the prior and
    // the attention need only the encoder.
    private static (Models.Mae.MaskedAutoencoder, InteropReport)? TryLoadMae(LoadedWeights weights, InteropOptions options)
    {
        try
        {
            return PyTorchInterop.LoadMae(weights, options);
        }
        catch (ConfigException e) when (e.Setting == nameof(InteropOptions.DecoderHeads))
        {
            return null;
        }
    }

    private static PretrainedModel LoadForeign(string path, InteropOptions options)
    {
        using var weights = WeightsFile.Read(path);
        if (weights.Tensors.Keys.Any(k => k.EndsWith("decoder_embed.weight", StringComparison.Ordinal))
            && TryLoadMae(weights, options) is var (mae, report))
        {
            var c = mae.Config;
            var config = PretrainConfig.MaeAmt(c.Encoder) with
            {
                DecoderWidth = c.DecoderWidth,
                DecoderDepth = c.DecoderDepth,
                DecoderHeads = c.DecoderHeads,
                NormPixLoss = c.NormPixLoss,
            };
            return new PretrainedModel(config, mae, mae, report);
        }
        var (encoder, encoderReport) = PyTorchInterop.LoadEncoder(weights, options);
        using (encoder)
        {
            // The encoder is what the prior and the attention need; MAE's default decoder rounds the model out.
            var config = PretrainConfig.MaeAmt(encoder.Config) with { NormPixLoss = InteropMetadata.Bool(weights.Metadata, "norm_pix_loss") ?? true };
            var (module, model) = MimFactory.CreateModel(config);
            try
            {
                using var noGrad = torch.no_grad();
                var target = model.Encoder.state_dict();
                foreach (var (key, value) in encoder.state_dict())
                {
                    target[key].copy_(value);
                }
            }
            catch
            {
                module.Dispose();
                throw;
            }
            return new PretrainedModel(config, module, model, encoderReport, decoderAtInit: true);
        }
    }

    /// <summary>The model a run with <paramref name="config"/> starts from (its seeded initialisation).</summary>
    public static PretrainedModel AtInitialisation(PretrainConfig config)
    {
        var (module, model) = MimFactory.CreateModel(config);
        return new PretrainedModel(config, module, model);
    }

    public void Dispose() => Module.Dispose();
}
