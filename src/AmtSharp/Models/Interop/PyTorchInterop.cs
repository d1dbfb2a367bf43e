using AmtSharp.Models.Mae;
using AmtSharp.Models.Vit;
using static TorchSharp.torch;

namespace AmtSharp.Models.Interop;

/// <summary>
/// Loads official MAE checkpoints (.pth, <c>{'model': state_dict}</c>, encoder only or with the decoder) and timm
/// weights (.safetensors or .pth) into our encoder or MaskedAutoencoder, and exports ours with the same key names.
/// Position tables are resized to the model's grid when the image size differs (see <see cref="PositionEmbeddingResize"/>).
/// Our own pos_embed is a fixed sin-cos table that training never changes; loading replaces it with the file's values
/// (MAE's are the same sin-cos table; timm's are learned), and it stays frozen, as our module declares it.
/// </summary>
public static class PyTorchInterop
{
    /// <summary>Seed for the values of tensors a non-strict load leaves missing.</summary>
    private const long InitSeed = 0;

    /// <summary>Reads a .pth / .safetensors file and builds the encoder it holds.</summary>
    public static (VisionTransformer Encoder, InteropReport Report) LoadEncoder(string path, InteropOptions? options = null)
    {
        using var weights = WeightsFile.Read(path);
        return LoadEncoder(weights, options);
    }

    /// <summary>Builds an encoder from weights already read (or borrowed from another module, e.g. to resize it).</summary>
    public static (VisionTransformer Encoder, InteropReport Report) LoadEncoder(LoadedWeights weights, InteropOptions? options = null)
    {
        options ??= InteropOptions.Default;
        var (state, notes) = Canonical(weights);
        var config = ArchitectureInference.Encoder(state, weights.Metadata, options, weights.FilePath, notes);
        var encoder = new VisionTransformer(config);
        try
        {
            using (var generator = WeightInit.Generator(InitSeed))
            {
                encoder.InitWeights(generator);
            }
            var report = WeightLoader.Apply(encoder, "ViT encoder " + Describe(config), weights, state,
                (key, role) => role == KeyRole.Encoder ? key : null, options.Strict, notes);
            return (encoder, report);
        }
        catch
        {
            encoder.Dispose();
            throw;
        }
    }

    /// <summary>Reads an MAE checkpoint that includes the decoder (e.g. MAE's *_full.pth) into a MaskedAutoencoder.</summary>
    public static (MaskedAutoencoder Mae, InteropReport Report) LoadMae(string path, InteropOptions? options = null)
    {
        using var weights = WeightsFile.Read(path);
        return LoadMae(weights, options);
    }

    public static (MaskedAutoencoder Mae, InteropReport Report) LoadMae(LoadedWeights weights, InteropOptions? options = null)
    {
        options ??= InteropOptions.Default;
        var (state, notes) = Canonical(weights);
        var encoder = ArchitectureInference.Encoder(state, weights.Metadata, options, weights.FilePath, notes);
        var config = ArchitectureInference.Mae(state, weights.Metadata, encoder, options, weights.FilePath);
        var mae = new MaskedAutoencoder(config);
        try
        {
            using (var generator = WeightInit.Generator(InitSeed))
            {
                mae.InitWeights(generator);
            }
            string target = $"MAE {Describe(encoder)}, decoder width {config.DecoderWidth}, depth {config.DecoderDepth}, {config.DecoderHeads} heads";
            var report = WeightLoader.Apply(mae, target, weights, state,
                (key, role) => role is KeyRole.Encoder or KeyRole.Decoder ? StateDictKeys.ToMaskedAutoencoder(key) : null, options.Strict, notes);
            return (mae, report);
        }
        catch
        {
            mae.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Writes the encoder with timm / MAE key names (cls_token, pos_embed, patch_embed.proj.*, blocks.N.*, norm.*)
    /// as .safetensors or as a .pth holding <c>{'model': state_dict}</c>, chosen by the extension.
    /// Returns the number of tensors written.
    /// </summary>
    public static int ExportEncoder(VisionTransformer encoder, string path)
    {
        var state = encoder.state_dict();
        Write(path, state, encoder.Config, null);
        return state.Count;
    }

    /// <summary>Writes a whole MAE with the official flat names (encoder keys without "encoder.", decoder keys as they are).</summary>
    public static int ExportMae(MaskedAutoencoder mae, string path)
    {
        var state = mae.state_dict().ToDictionary(kv => StateDictKeys.FromMaskedAutoencoder(kv.Key), kv => kv.Value, StringComparer.Ordinal);
        Write(path, state, mae.Config.Encoder, mae.Config);
        return state.Count;
    }

    /// <summary>The export format an output path asks for: .safetensors, or .pth / .pt / .bin for torch.save's format.</summary>
    public static WeightsFormat FormatFor(string path) => Path.GetExtension(path).ToLowerInvariant() switch
    {
        ".safetensors" => WeightsFormat.Safetensors,
        ".pth" or ".pt" or ".bin" => WeightsFormat.PyTorch,
        var other => throw new ConfigException("Output", $"'{path}': use a .safetensors or .pth file name (got '{other}')"),
    };

    /// <summary>"(224 px, patch 16, width 768, depth 12, 12 heads)".</summary>
    public static string Describe(VitConfig c) =>
        $"({c.ImageSize} px, patch {c.PatchSize}, width {c.Width}, depth {c.Depth}, {c.Heads} heads)";

    private static void Write(string path, IReadOnlyDictionary<string, Tensor> state, VitConfig encoder, MaeConfig? mae)
    {
        if (FormatFor(path) == WeightsFormat.Safetensors)
        {
            SafetensorsFile.Write(path, state, InteropMetadata.Strings(encoder, mae));
        }
        else
        {
            PyTorchFile.Write(path, state, InteropMetadata.Values(encoder, mae));
        }
    }

    private static (Dictionary<string, Tensor> State, List<string> Notes) Canonical(LoadedWeights weights)
    {
        var (names, notes) = StateDictKeys.Canonicalise(weights.Tensors.Keys, weights.FilePath);
        var state = weights.Tensors.ToDictionary(kv => names[kv.Key], kv => kv.Value, StringComparer.Ordinal);
        return (state, weights.Notes.Concat(notes).ToList());
    }
}
