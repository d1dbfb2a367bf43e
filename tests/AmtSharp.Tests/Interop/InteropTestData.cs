using System.Text.Json;
using AmtSharp.Models.Vit;
using AmtSharp.Training.Checkpoints;
using AmtSharp.Training.Pretraining;
using AmtSharp.Training.Runs;
using Xunit;
using static TorchSharp.torch;

namespace AmtSharp.Tests.Interop;

/// <summary>Fixture names and helpers shared by the interop tests.</summary>
internal static class InteropTestData
{
    /// <summary>The fixture script's tiny encoder (16 px, patch 4, width 32, depth 2, 4 heads).</summary>
    public static readonly VitConfig Tiny = new(ImageSize: 16, PatchSize: 4, InChannels: 3, Width: 32, Depth: 2, Heads: 4);

    public const string FullMae = "pytorch_mae_checkpoint.pth";
    public const string EncoderOnlyMae = "mae_pretrain_encoder_only.pth";
    public const string TimmGrid6 = "timm_vit_grid6.safetensors";
    public const string Expected = "interop_expected.pt";

    public static readonly string[] EncoderRoots = ["cls_token", "pos_embed", "patch_embed.", "blocks.", "norm."];

    /// <summary>The encoder parameters of parity_mae.pt (the same values the .pth fixtures hold), by flat key.</summary>
    public static Dictionary<string, Tensor> ParityEncoderParams(Dictionary<string, Tensor> parity) =>
        parity.Where(kv => kv.Key.StartsWith("param.") && EncoderRoots.Any(kv.Key["param.".Length..].StartsWith))
            .ToDictionary(kv => kv.Key["param.".Length..], kv => kv.Value);

    /// <summary>Same shape, dtype and bytes.</summary>
    public static void AssertBitEqual(Tensor expected, Tensor actual, string what)
    {
        Assert.True(expected.shape.SequenceEqual(actual.shape), $"{what}: shape [{string.Join(", ", actual.shape)}], expected [{string.Join(", ", expected.shape)}]");
        Assert.Equal(expected.dtype, actual.dtype);
        using var e = expected.detach().contiguous();
        using var a = actual.detach().contiguous();
        Assert.True(e.bytes.SequenceEqual(a.bytes), $"{what}: values differ");
    }

    /// <summary>Every tensor of two state dicts bit-equal, keys the same.</summary>
    public static void AssertSameState(nn.Module expected, nn.Module actual)
    {
        var e = expected.state_dict();
        var a = actual.state_dict();
        Assert.Equal(e.Keys, a.Keys);
        foreach (var (key, t) in e)
        {
            AssertBitEqual(t, a[key], key);
        }
    }

    /// <summary>A small MAE pretraining config (32 px, depth 1) whose checkpoint loads in milliseconds.</summary>
    public static PretrainConfig SmallPretrainConfig(long seed = 3) => new()
    {
        Encoder = new VitConfig(ImageSize: 32, PatchSize: 4, InChannels: 3, Width: 32, Depth: 1, Heads: 2),
        DecoderWidth = 16,
        DecoderDepth = 1,
        DecoderHeads = 2,
        Seed = seed,
    };

    /// <summary>Writes one of our checkpoints (config + model section, as the pretrainer does) for a freshly initialised model.</summary>
    public static string WriteOwnCheckpoint(string dir, PretrainConfig config, string name = "model.amtckpt")
    {
        string path = Path.Combine(dir, name);
        var (module, _) = MimFactory.CreateModel(config);
        using (module)
        using (var data = new CheckpointData()
            .With("config", JsonSerializer.SerializeToNode(config, RunFolder.JsonOptions))
            .AddModule("model", module))
        {
            CheckpointFile.Save(path, data);
        }
        return path;
    }
}
