using System.Text.Json;
using System.Text.Json.Nodes;
using AmtSharp.Models;
using AmtSharp.Training.Checkpoints;
using AmtSharp.Training.Runs;
using TorchSharp;

namespace AmtSharp.Training.Pretraining;

/// <summary>A pretrained model rebuilt from one of our checkpoints (its configuration travels with it).</summary>
public sealed class PretrainedModel : IDisposable
{
    private PretrainedModel(PretrainConfig config, torch.nn.Module module, IMaskedImageModel model)
    {
        Config = config;
        Module = module;
        Model = model;
    }

    public PretrainConfig Config { get; }

    public torch.nn.Module Module { get; }

    public IMaskedImageModel Model { get; }

    /// <summary>Loads a checkpoint file, or the newest valid checkpoint of a run folder.</summary>
    public static PretrainedModel Load(string path)
    {
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

    /// <summary>The model a run with <paramref name="config"/> starts from (its seeded initialisation).</summary>
    public static PretrainedModel AtInitialisation(PretrainConfig config)
    {
        var (module, model) = MimFactory.CreateModel(config);
        return new PretrainedModel(config, module, model);
    }

    public void Dispose() => Module.Dispose();
}
