
namespace AmtSharp.Models.Interop;

/// <summary>What a state-dict key belongs to.</summary>
public enum KeyRole
{
    /// <summary>The ViT encoder: cls_token, pos_embed, patch_embed.*, blocks.*, norm.*.</summary>
    Encoder,

    /// <summary>A pretraining decoder: MAE's mask_token, decoder_embed, decoder_pos_embed, decoder_blocks, decoder_norm, decoder_pred (or SimMIM's decoder.*).</summary>
    Decoder,

    /// <summary>A fine-tuning head: head.*, head_dist.*, pre_logits.* and fc_norm.* (the norm used with global pooling).</summary>
    Head,

    /// <summary>Anything else: a layer this ViT does not have (layer scale, relative positions, register tokens, …).</summary>
    Unknown,
}

/// <summary>
/// Key names across layouts. The canonical form is the official MAE / timm one: flat encoder names
/// (cls_token, blocks.0.attn.qkv.weight, …) beside MAE's decoder names. Our MaskedAutoencoder puts the encoder
/// under "encoder."; DistributedDataParallel checkpoints put everything under "module.".
/// </summary>
public static class StateDictKeys
{
    public const string EncoderPrefix = "encoder.";

    private static readonly string[] EncoderNames = ["cls_token", "pos_embed"];
    private static readonly string[] EncoderModules = ["patch_embed.", "blocks.", "norm."];
    private static readonly string[] DecoderNames = ["mask_token", "decoder_pos_embed"];
    private static readonly string[] DecoderModules = ["decoder_embed.", "decoder_blocks.", "decoder_norm.", "decoder_pred.", "decoder."];
    private static readonly string[] HeadModules = ["head.", "head_dist.", "pre_logits.", "fc_norm."];

    public static KeyRole Role(string canonicalKey) =>
        Matches(canonicalKey, EncoderNames, EncoderModules) ? KeyRole.Encoder
        : Matches(canonicalKey, DecoderNames, DecoderModules) ? KeyRole.Decoder
        : Matches(canonicalKey, [], HeadModules) ? KeyRole.Head
        : KeyRole.Unknown;

    /// <summary>
    /// Canonical names for a whole state dict: drops a "module." prefix shared by every key, and an
    /// "encoder." prefix in front of encoder names. Returns the renamed keys (source key → canonical key)
    /// and a note for each rewrite.
    /// </summary>
    public static (Dictionary<string, string> Names, List<string> Notes) Canonicalise(IEnumerable<string> keys, string path)
    {
        var list = keys.ToList();
        var notes = new List<string>();
        bool ddp = list.Count > 0 && list.All(k => k.StartsWith("module.", StringComparison.Ordinal));
        if (ddp)
        {
            notes.Add("removed the 'module.' prefix (a DistributedDataParallel checkpoint)");
        }
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        int encoderPrefixed = 0;
        foreach (string key in list)
        {
            string k = ddp ? key["module.".Length..] : key;
            if (k.StartsWith(EncoderPrefix, StringComparison.Ordinal) && Role(k[EncoderPrefix.Length..]) == KeyRole.Encoder)
            {
                k = k[EncoderPrefix.Length..];
                encoderPrefixed++;
            }
            names[key] = k;
        }
        if (encoderPrefixed > 0)
        {
            notes.Add($"removed the '{EncoderPrefix}' prefix from {encoderPrefixed} encoder keys");
        }
        var collisions = names.GroupBy(kv => kv.Value).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        if (collisions.Count > 0)
        {
            throw new CheckpointException(path, $"has keys that clash once prefixes are removed: {string.Join(", ", collisions)}");
        }
        return (names, notes);
    }

    /// <summary>Our MaskedAutoencoder's key for a canonical key (the encoder lives under "encoder.").</summary>
    public static string ToMaskedAutoencoder(string canonicalKey) =>
        Role(canonicalKey) == KeyRole.Encoder ? EncoderPrefix + canonicalKey : canonicalKey;

    /// <summary>The canonical (official MAE) key for one of our MaskedAutoencoder's keys.</summary>
    public static string FromMaskedAutoencoder(string key) =>
        key.StartsWith(EncoderPrefix, StringComparison.Ordinal) ? key[EncoderPrefix.Length..] : key;

    /// <summary>Block index of "blocks.{i}.…" (or another list prefix), else −1.</summary>
    public static int BlockIndex(string key, string listPrefix)
    {
        if (!key.StartsWith(listPrefix, StringComparison.Ordinal))
        {
            return -1;
        }
        int dot = key.IndexOf('.', listPrefix.Length);
        return dot > listPrefix.Length && int.TryParse(key.AsSpan(listPrefix.Length, dot - listPrefix.Length), out int i) ? i : -1;
    }

    private static bool Matches(string key, string[] names, string[] modules) =>
        names.Contains(key) || modules.Any(m => key.StartsWith(m, StringComparison.Ordinal));
}
