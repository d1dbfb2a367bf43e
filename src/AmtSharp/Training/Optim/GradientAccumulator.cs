using TorchSharp.Modules;
using static TorchSharp.torch;

namespace AmtSharp.Training.Optim;

/// <summary>
/// Gradient accumulation over an epoch of equal micro-batches (the loaders drop a short last batch): an optimizer
/// step after every <see cref="Accumulation"/> micro-batches and after the epoch's last one. Each micro-batch's
/// loss is divided by the number of micro-batches in its group, so a step's gradient is the mean over the images it
/// saw, the gradient of one batch of those images, also for the shorter group an epoch may end with (timm's rule;
/// MAE divides by the full count and leaves the short group's gradients to be zeroed unused).
/// Which group a micro-batch belongs to follows from its index alone, so a resumed epoch needs no saved state.
/// </summary>
public sealed class GradientAccumulator
{
    private readonly optim.Optimizer optimizer;
    private readonly IReadOnlyList<Parameter> parameters;
    private readonly double clipGrad;

    /// <param name="accumulation">Micro-batches per optimizer step.</param>
    /// <param name="batchesPerEpoch">Micro-batches in an epoch.</param>
    /// <param name="optimizer">Stepped (then zeroed) at the end of each group.</param>
    /// <param name="parameters">The trained parameters, whose gradient norm is clipped before each step.</param>
    /// <param name="clipGrad">Maximum total gradient norm; 0 = no clipping.</param>
    public GradientAccumulator(int accumulation, int batchesPerEpoch, optim.Optimizer optimizer, IReadOnlyList<Parameter> parameters,
        double clipGrad)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(accumulation, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchesPerEpoch, 1);
        Accumulation = accumulation;
        BatchesPerEpoch = batchesPerEpoch;
        this.optimizer = optimizer;
        this.parameters = parameters;
        this.clipGrad = clipGrad;
    }

    public int Accumulation { get; }

    public int BatchesPerEpoch { get; }

    /// <summary>True when the first <paramref name="batchesDone"/> micro-batches of an epoch end a group.</summary>
    public bool EndsGroup(int batchesDone) => batchesDone % Accumulation == 0 || batchesDone == BatchesPerEpoch;

    /// <summary>Micro-batches in the group of micro-batch <paramref name="batch"/> (0-based within the epoch).</summary>
    public int GroupSize(int batch) => Math.Min(Accumulation, BatchesPerEpoch - batch / Accumulation * Accumulation);

    /// <summary>
    /// Back-propagates micro-batch <paramref name="batch"/>'s mean loss scaled to its share of the group; at the end
    /// of a group clips, steps and zeroes the gradients and returns true.
    /// </summary>
    public bool Backward(Tensor loss, int batch)
    {
        int group = GroupSize(batch);
        // An epoch's short last group divides by its own size, so its step averages the images it saw (timm's rule).
        (group > 1 ? loss / group : loss).backward();
        if (!EndsGroup(batch + 1))
        {
            return false;
        }
        if (clipGrad > 0)
        {
            Gradients.ClipNorm(parameters, clipGrad);
        }
        optimizer.step();
        optimizer.zero_grad();
        return true;
    }
}
