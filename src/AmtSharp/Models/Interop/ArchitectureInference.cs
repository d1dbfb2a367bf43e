using AmtSharp.Core;
using AmtSharp.Models.Mae;
using AmtSharp.Models.Vit;
using static TorchSharp.torch;

namespace AmtSharp.Models.Interop;

/// <summary>
/// Reads a ViT's shape off its tensors: width and patch size from patch_embed.proj.weight [D, C, p, p], depth from
/// the block indices, MLP ratio from blocks.0.mlp.fc1.weight, image size from pos_embed's grid. Attention heads leave
/// no trace in the shapes (qkv is [3D, D] for any head count), so they come from the options, the file's metadata,
/// or the standard count for the width.
/// </summary>
public static class ArchitectureInference
{
    /// <summary>The standard head count for a width: 64-wide heads (ViT-Ti/S/B/L), except ViT-H and ViT-g (16 heads).</summary>
    public static int? StandardHeads(int width) => width switch
    {
        1280 or 1408 or 1664 => 16,
        _ when width > 0 && width % 64 == 0 => width / 64,
        _ => null,
    };

    /// <summary>
    /// The named ViT sizes of MAE's model registry (mae_vit_base_patch16, …) and its common small companions
    /// (…_tiny_…, …_small_…): width and heads. A name only counts when the file's width is the one it names.
    /// </summary>
    private static readonly (string Size, int Width, int Heads)[] NamedSizes =
        [("tiny", 192, 3), ("small", 384, 6), ("base", 768, 12), ("large", 1024, 16), ("huge", 1280, 16), ("giant", 1408, 16)];

    /// <summary>
    /// The head count MAE's training arguments give (<c>args.model</c>, e.g. 'mae_vit_base_patch16' → 12, or an explicit
    /// <c>args.num_heads</c>) for an encoder of <paramref name="width"/>; null when they say nothing usable.
    /// </summary>
    public static int? HeadsFromArgs(IReadOnlyDictionary<string, string> metadata, int width, out string? source)
    {
        source = null;
        if (metadata.TryGetValue("args.num_heads", out var n) && int.TryParse(n, System.Globalization.CultureInfo.InvariantCulture, out int heads) && heads > 0 && width % heads == 0)
        {
            source = "args.num_heads";
            return heads;
        }
        if (metadata.TryGetValue("args.model", out var model))
        {
            var parts = model.ToLowerInvariant().Split('_', '-');
            foreach (var (size, w, h) in NamedSizes)
            {
                if (parts.Contains(size) && w == width)
                {
                    source = $"args.model '{model}'";
                    return h;
                }
            }
        }
        return null;
    }

    /// <summary>Refuses an image size the checkpoint's patches do not tile, naming the option.</summary>
    public static void CheckImageSize(int imageSize, int patchSize)
    {
        if (imageSize <= 0 || imageSize % patchSize != 0)
        {
            throw new ConfigException(nameof(InteropOptions.ImageSize), $"must be a positive multiple of the checkpoint's patch size {patchSize}, got {imageSize}");
        }
    }

    /// <summary>The encoder a canonical (flat MAE / timm) state dict describes, with the options applied.</summary>
    /// <param name="state">The canonical state dict.</param>
    /// <param name="metadata">Our export's metadata and MAE's args.</param>
    /// <param name="options">What the caller fixes (heads, image size, a whole encoder).</param>
    /// <param name="path">The file, for messages.</param>
    /// <param name="notes">Receives how the head count was chosen, and a warning naming --heads when it is only the default.</param>
    public static VitConfig Encoder(IReadOnlyDictionary<string, Tensor> state, IReadOnlyDictionary<string, string> metadata,
        InteropOptions options, string path, ICollection<string>? notes = null)
    {
        if (options.Encoder is { } given)
        {
            if (options.ImageSize is { } requested)
            {
                CheckImageSize(requested, given.PatchSize);
            }
            return (given with { ImageSize = options.ImageSize ?? given.ImageSize, Heads = options.Heads ?? given.Heads }).Validate();
        }
        var proj = Need(state, "patch_embed.proj.weight", path);
        if (proj.dim() != 4 || proj.shape[2] != proj.shape[3])
        {
            throw new CheckpointException(path, $"has a patch_embed.proj.weight of shape {Shapes.Format(proj.shape)}; expected square patches [D, C, p, p]");
        }
        int width = (int)proj.shape[0], channels = (int)proj.shape[1], patch = (int)proj.shape[2];
        int depth = CountBlocks(state, "blocks.", path);
        double mlpRatio = (double)Need(state, "blocks.0.mlp.fc1.weight", path).shape[0] / width;
        var pos = Need(state, "pos_embed", path);
        if (pos.dim() != 3 || PositionEmbeddingResize.Layout(pos.shape[1]) is not var (grid, _))
        {
            throw new CheckpointException(path, $"has a pos_embed of shape {Shapes.Format(pos.shape)}, which is not a square patch grid (plus [CLS])");
        }
        if (options.ImageSize is { } size)
        {
            CheckImageSize(size, patch);
        }
        int heads = options.Heads ?? InteropMetadata.Int(metadata, "heads") ?? DefaultHeads(metadata, width, notes);
        var config = new VitConfig(options.ImageSize ?? grid * patch, patch, channels, width, depth, heads, mlpRatio);
        if (width % 4 != 0)
        {
            throw new CheckpointException(path, $"has width {width}; this ViT needs a multiple of 4 (2-D sin-cos position layout)");
        }
        return config.Validate();
    }

    // Neither --heads nor our own metadata: MAE's args, else the standard count for the width, said out loud because
    // the shapes cannot confirm it and a wrong count silently changes every attention map.
    private static int DefaultHeads(IReadOnlyDictionary<string, string> metadata, int width, ICollection<string>? notes)
    {
        if (HeadsFromArgs(metadata, width, out var source) is { } fromArgs)
        {
            notes?.Add($"{fromArgs} attention heads from {source}");
            return fromArgs;
        }
        int heads = StandardHeads(width)
            ?? throw new ConfigException(nameof(InteropOptions.Heads), $"cannot be inferred for width {width} (shapes do not show the head count); give it explicitly");
        string named = metadata.TryGetValue("args.model", out var model) ? $" (args.model '{model}' does not name a {width}-wide model)" : "";
        notes?.Add($"warning: the file does not record its attention heads{named}; assuming {heads} (the standard count for width {width}); " +
            $"pass {Setting.Mention(nameof(InteropOptions.Heads))} N if the model was trained with another count");
        return heads;
    }

    /// <summary>An MAE around <paramref name="encoder"/> whose decoder the state dict describes.</summary>
    public static MaeConfig Mae(IReadOnlyDictionary<string, Tensor> state, IReadOnlyDictionary<string, string> metadata,
        VitConfig encoder, InteropOptions options, string path)
    {
        if (!state.TryGetValue("decoder_embed.weight", out var embed))
        {
            throw new CheckpointException(path, "holds no MAE decoder (no decoder_embed.weight); load it as an encoder instead");
        }
        int width = (int)embed.shape[0];
        int depth = CountBlocks(state, "decoder_blocks.", path);
        double mlpRatio = (double)Need(state, "decoder_blocks.0.mlp.fc1.weight", path).shape[0] / width;
        int heads = options.DecoderHeads ?? InteropMetadata.Int(metadata, "decoder_heads") ?? (width % 32 == 0 ? width / 32 : (int?)null)
            ?? throw new ConfigException(nameof(InteropOptions.DecoderHeads), $"cannot be inferred for decoder width {width}; give it explicitly");
        bool normPix = InteropMetadata.Bool(metadata, "norm_pix_loss") ?? true;
        return new MaeConfig(encoder, width, depth, heads, mlpRatio, normPix).Validate();
    }

    private static int CountBlocks(IReadOnlyDictionary<string, Tensor> state, string prefix, string path)
    {
        var indices = state.Keys.Select(k => StateDictKeys.BlockIndex(k, prefix)).Where(i => i >= 0).Distinct().Order().ToList();
        if (indices.Count == 0)
        {
            throw new CheckpointException(path, $"has no '{prefix}N.*' keys");
        }
        if (indices[0] != 0 || indices[^1] != indices.Count - 1)
        {
            throw new CheckpointException(path, $"numbers its '{prefix}' {string.Join(", ", indices)}; expected 0 … {indices.Count - 1}");
        }
        return indices.Count;
    }

    private static Tensor Need(IReadOnlyDictionary<string, Tensor> state, string key, string path) =>
        state.TryGetValue(key, out var t) ? t
        : throw new CheckpointException(path, $"has no '{key}', so it is not a ViT checkpoint in the MAE / timm layout (first keys: {string.Join(", ", state.Keys.Take(5))})");
}
