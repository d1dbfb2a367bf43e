using System.Text.Json;
using AmtSharp.Amt;
using AmtSharp.Training.Checkpoints;
using AmtSharp.Training.Runs;
using static TorchSharp.torch;

namespace AmtSharp.Training.Pretraining;

/// <summary>
/// Where a pretraining run stands: epochs done, the next batch of the current epoch, optimizer steps, the current
/// epoch's loss so far and the time spent. With the weights, optimizer state and prior it is all a resume needs,
/// because every random choice derives from the seed and this position (<see cref="Core.Seeds"/>).
/// </summary>
public sealed record PretrainPosition(
    int Epoch,
    int NextBatch,
    long Step,
    double EpochLossSum,
    int EpochLossCount,
    double TrainSeconds,
    double RefreshSeconds);

/// <summary>
/// Writes a pretraining run's checkpoints (weights, AdamW state, prior, position, configuration) and loads the one
/// to resume from, so that a resumed run ends with the same weights as an uninterrupted one.
/// </summary>
public sealed class PretrainCheckpointer(
    CheckpointFolder folder, PretrainConfig config, nn.Module module, object optimizer, string[] parameterNames, int datasetCount)
{
    private const string ModelSection = "model";
    private const string OptimizerSection = "optimizer";
    private const string PriorArray = "prior";

    /// <summary>The newest checkpoint written or resumed from (null before either).</summary>
    public string? Last { get; private set; }

    /// <summary>Saves a checkpoint at <paramref name="position"/>; refuses one holding a non-finite value.</summary>
    public void Save(PretrainPosition position, PriorStore prior)
    {
        using var data = new CheckpointData()
            .With("config", JsonSerializer.SerializeToNode(config, RunFolder.JsonOptions))
            .With("epoch", position.Epoch)
            .With("next_batch", position.NextBatch)
            .With("step", position.Step)
            .With("epoch_loss_sum", position.EpochLossSum)
            .With("epoch_loss_count", position.EpochLossCount)
            .With("prior_epoch", prior.ComputedAtEpoch)
            .With("train_seconds", position.TrainSeconds)
            .With("refresh_seconds", position.RefreshSeconds)
            .With("dataset_count", datasetCount)
            .With("library_version", LibraryInfo.Version)
            .AddModule(ModelSection, module)
            .AddOptimizer(OptimizerSection, optimizer, parameterNames)
            .AddArray(PriorArray, new FloatArray(prior.ToArray(), [prior.Count, prior.Cells]));
        // A diverged run must never leave a poisoned file as its newest checkpoint: the one before stays the last good one.
        var (bad, where) = Finiteness.Check(data.Tensors, data.Arrays);
        if (bad > 0)
        {
            throw new NonFiniteWeightsException(position.Epoch, position.Step, bad, where, Last);
        }
        // Index by global position so a mid-epoch checkpoint sorts after the previous epoch's.
        Last = folder.Save((long)position.Epoch * 1_000_000 + position.NextBatch, data, config.KeepCheckpoints);
    }

    /// <summary>
    /// Loads the checkpoint to continue from into the module and optimizer, after checking that it belongs to this
    /// configuration and dataset; returns its position and prior.
    /// </summary>
    public (PretrainPosition Position, PriorStore Prior) Resume(ResumeOptions options)
    {
        using var checkpoint = folder.LoadForResume(options.FromOlder, options.Note);
        ResumeCheck.Compare(checkpoint, "config", config, options.Note);
        ResumeCheck.CompareDataset(checkpoint, datasetCount);
        checkpoint.ApplyModule(ModelSection, module);
        checkpoint.ApplyOptimizer(OptimizerSection, optimizer, parameterNames);
        var prior = PriorStore.FromArray(checkpoint.Array(PriorArray).Data, datasetCount, config.Encoder.GridSize,
            checkpoint.Get<int>("prior_epoch"));
        var position = new PretrainPosition(
            checkpoint.Get<int>("epoch"),
            checkpoint.Get<int>("next_batch"),
            checkpoint.Get<long>("step"),
            checkpoint.Get<double>("epoch_loss_sum"),
            checkpoint.Get<int>("epoch_loss_count"),
            // Time spent before the interruption still belongs to the run.
            checkpoint.Get<double>("train_seconds"),
            checkpoint.Get<double>("refresh_seconds"));
        Last = checkpoint.FilePath;
        options.Note?.Invoke($"resume: from {checkpoint.FilePath}: {position.Epoch} epoch(s) done" +
            (position.NextBatch > 0 ? $" and {position.NextBatch} batch(es) of epoch {position.Epoch + 1}" : "") + $", step {position.Step}");
        return (position, prior);
    }
}
