using System.Text.Json;
using System.Text.Json.Nodes;
using AmtSharp.Models.Vit;
using AmtSharp.Training.Checkpoints;
using AmtSharp.Training.Runs;

namespace AmtSharp.Training.FineTuning;

/// <summary>A fine-tuned classifier rebuilt from its checkpoint, ready for <see cref="ClassifierEvaluation"/> (drop path off).</summary>
public sealed class FineTunedModel : IDisposable
{
    private FineTunedModel(FineTuneConfig config, IReadOnlyList<string> classNames, VisionTransformer model)
    {
        Config = config;
        ClassNames = classNames;
        Model = model;
    }

    public FineTuneConfig Config { get; }

    public IReadOnlyList<string> ClassNames { get; }

    public VisionTransformer Model { get; }

    /// <summary>Loads a checkpoint file, or the newest valid checkpoint of a fine-tuning run folder.</summary>
    public static FineTunedModel Load(string path)
    {
        using var checkpoint = CheckpointFolder.LoadFileOrNewest(path);
        if (!checkpoint.Metadata.TryGetPropertyValue("kind", out var kind) || kind?.GetValue<string>() != FineTuner.KindValue)
        {
            throw new CheckpointException(checkpoint.FilePath, "is not a fine-tuned classifier (no \"kind\": \"finetune\" entry)");
        }
        var config = checkpoint.Get<JsonObject>("finetune_config").Deserialize<FineTuneConfig>(RunFolder.JsonOptions)
            ?? throw new CheckpointException(checkpoint.FilePath, "has no fine-tuning configuration");
        var names = checkpoint.Get<string[]>("class_names");
        var model = new VisionTransformer(config.Encoder, new VitHead(names.Length, config.Pooling));
        try
        {
            checkpoint.ApplyModule(FineTuner.ModelSection, model);
        }
        catch
        {
            model.Dispose();
            throw;
        }
        model.eval();
        return new FineTunedModel(config, names, model);
    }

    public void Dispose() => Model.Dispose();
}
