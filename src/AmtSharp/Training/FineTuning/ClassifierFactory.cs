using AmtSharp.Core;
using AmtSharp.Models;
using AmtSharp.Models.Vit;
using AmtSharp.Training.Checkpoints;
using TorchSharp;

namespace AmtSharp.Training.FineTuning;

/// <summary>
/// Builds the classifier a fine-tuning run trains: a <see cref="VisionTransformer"/> with a head, either from a
/// pretrained encoder (MAE's main_finetune flow: load the encoder's weights by name, then a fresh head) or from
/// random initialisation (the supervised baseline).
/// </summary>
public static class ClassifierFactory
{
    /// <summary>Sub-stream of <see cref="Seeds.Purpose.FineTune"/> for the head's initial weights.</summary>
    internal const long HeadInitStream = 0;

    /// <summary>
    /// A classifier with the encoder's weights (copied, the encoder is left as it was). Missing in the encoder:
    /// <c>head.*</c> and, with global-average pooling, <c>fc_norm.*</c>; the encoder's <c>norm.*</c> is then unused.
    /// </summary>
    public static VisionTransformer FromEncoder(VisionTransformer encoder, int classes, FineTuneConfig config)
    {
        var model = new VisionTransformer(encoder.Config, new VitHead(classes, config.Pooling), config.DropPath);
        try
        {
            var report = ModuleState.Apply(model, encoder.state_dict(), strict: false, "the pretrained encoder");
            var unexplained = report.Missing.Where(k => !k.StartsWith("head.", StringComparison.Ordinal) && !k.StartsWith("fc_norm.", StringComparison.Ordinal))
                .Concat(report.Unexpected.Where(k => !k.StartsWith("norm.", StringComparison.Ordinal)))
                .ToList();
            if (unexplained.Count > 0)
            {
                throw new InvalidOperationException($"the encoder does not line up with the classifier: {report.Describe()}");
            }
            InitHead(model, config);
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>A classifier with MAE's initialisation everywhere (seeded), for training from scratch.</summary>
    public static VisionTransformer FromScratch(int classes, FineTuneConfig config)
    {
        var model = new VisionTransformer(config.Encoder, new VitHead(classes, config.Pooling), config.DropPath);
        using (var generator = WeightInit.Generator(config.Seed))
        {
            model.InitWeights(generator);
        }
        InitHead(model, config);
        return model;
    }

    private static void InitHead(VisionTransformer model, FineTuneConfig config)
    {
        using var generator = new torch.Generator((ulong)Seeds.Derive(config.Seed, Seeds.Purpose.FineTune, HeadInitStream));
        model.InitHead(config.HeadInitStd, generator);
    }
}
