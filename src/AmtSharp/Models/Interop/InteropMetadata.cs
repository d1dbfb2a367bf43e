using System.Globalization;
using AmtSharp.Models.Mae;
using AmtSharp.Models.Vit;

namespace AmtSharp.Models.Interop;

/// <summary>
/// The configuration our exports carry, so that reading them back needs no options: safetensors
/// "__metadata__" entries "amtsharp.heads" etc. and, in .pth files, a top-level <c>'amtsharp'</c> dict. PyTorch
/// ignores both. Values are strings in both: safetensors requires it, and torch 1.13's weights_only unpickler
/// refuses pickled floats.
/// </summary>
internal static class InteropMetadata
{
    public const string Prefix = PyTorchFile.MetadataEntry + ".";

    /// <summary>The values, for the .pth dict.</summary>
    public static Dictionary<string, string> Values(VitConfig encoder, MaeConfig? mae = null)
    {
        var values = new Dictionary<string, object>(StringComparer.Ordinal)
        {
            ["image_size"] = encoder.ImageSize,
            ["patch_size"] = encoder.PatchSize,
            ["in_channels"] = encoder.InChannels,
            ["width"] = encoder.Width,
            ["depth"] = encoder.Depth,
            ["heads"] = encoder.Heads,
            ["mlp_ratio"] = encoder.MlpRatio,
            ["version"] = LibraryInfo.Version,
        };
        if (mae is not null)
        {
            values["decoder_width"] = mae.DecoderWidth;
            values["decoder_depth"] = mae.DecoderDepth;
            values["decoder_heads"] = mae.DecoderHeads;
            values["decoder_mlp_ratio"] = mae.DecoderMlpRatio;
            values["norm_pix_loss"] = mae.NormPixLoss;
        }
        return values.ToDictionary(kv => kv.Key,
            kv => kv.Value is bool b ? (b ? "true" : "false") : Convert.ToString(kv.Value, CultureInfo.InvariantCulture)!, StringComparer.Ordinal);
    }

    /// <summary>String values under the prefix, plus timm's "format": "pt", for safetensors.</summary>
    public static Dictionary<string, string> Strings(VitConfig encoder, MaeConfig? mae = null)
    {
        var strings = new Dictionary<string, string>(StringComparer.Ordinal) { ["format"] = "pt" };
        foreach (var (k, v) in Values(encoder, mae))
        {
            strings[Prefix + k] = v;
        }
        return strings;
    }

    public static int? Int(IReadOnlyDictionary<string, string> metadata, string key) =>
        metadata.TryGetValue(Prefix + key, out var s) && int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) ? v : null;

    /// <summary>Our own flag, else the one in MAE's <c>args</c>.</summary>
    public static bool? Bool(IReadOnlyDictionary<string, string> metadata, string key) =>
        (metadata.TryGetValue(Prefix + key, out var s) || metadata.TryGetValue("args." + key, out s)) && bool.TryParse(s, out bool v) ? v : null;
}
