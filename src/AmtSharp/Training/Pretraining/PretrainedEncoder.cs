using AmtSharp.Models.Interop;
using AmtSharp.Models.Vit;

namespace AmtSharp.Training.Pretraining;

/// <summary>
/// A pretrained ViT encoder to evaluate, fine-tune or export, from one of our checkpoints or run folders, or from a
/// PyTorch (.pth) or safetensors file (official MAE, timm, or our own export). The file's first bytes decide which.
/// </summary>
public sealed class PretrainedEncoder : IDisposable
{
    private readonly IDisposable _owner;

    private PretrainedEncoder(VisionTransformer encoder, IDisposable owner, string source, PretrainConfig? pretrainConfig, InteropReport? report)
    {
        Encoder = encoder;
        _owner = owner;
        Source = source;
        PretrainConfig = pretrainConfig;
        Report = report;
    }

    public VisionTransformer Encoder { get; }

    /// <summary>The path given to <see cref="Load"/>.</summary>
    public string Source { get; }

    /// <summary>The pretraining configuration, for our own checkpoints; null for foreign files.</summary>
    public PretrainConfig? PretrainConfig { get; }

    /// <summary>How a foreign file (or a resized encoder) was loaded; null for our checkpoints taken as they are.</summary>
    public InteropReport? Report { get; }

    /// <summary>The pretraining seed (it also fixes the synthetic dataset); 0 for foreign files.</summary>
    public long Seed => PretrainConfig?.Seed ?? 0;

    /// <summary>
    /// Loads a run folder, an AmtSharp checkpoint, or a .pth / .safetensors file. <paramref name="options"/> give the
    /// heads of a foreign encoder and, for any source, another image size (the position table is resized).
    /// </summary>
    public static PretrainedEncoder Load(string path, InteropOptions? options = null)
    {
        options ??= InteropOptions.Default;
        if (!Directory.Exists(path) && WeightsFile.Detect(path) != WeightsFormat.AmtSharpCheckpoint)
        {
            var (encoder, report) = PyTorchInterop.LoadEncoder(path, options);
            return new PretrainedEncoder(encoder, encoder, path, null, report);
        }
        var model = PretrainedModel.Load(path);
        try
        {
            var own = model.Model.Encoder;
            if (options.Heads is { } heads && heads != own.Config.Heads)
            {
                throw new ConfigException(nameof(InteropOptions.Heads), $"the checkpoint's encoder has {own.Config.Heads} heads; this option is for PyTorch / safetensors files");
            }
            if (options.ImageSize is not { } size || size == own.Config.ImageSize)
            {
                return new PretrainedEncoder(own, model, path, model.Config, null);
            }
            ArchitectureInference.CheckImageSize(size, own.Config.PatchSize);
            using var weights = LoadedWeights.Borrow(Path.GetFullPath(path), WeightsFormat.AmtSharpCheckpoint, own);
            var (resized, report) = PyTorchInterop.LoadEncoder(weights, options with { Encoder = own.Config with { ImageSize = size } });
            var config = model.Config;
            model.Dispose();
            return new PretrainedEncoder(resized, resized, path, config, report);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>One line for a console: where the encoder came from and its shape.</summary>
    public string Describe() => Report?.Describe()
        ?? $"loaded the {PretrainConfig!.Method} encoder {PyTorchInterop.Describe(Encoder.Config)} from '{Source}'";

    public void Dispose() => _owner.Dispose();
}
