using AmtSharp.Core;
using AmtSharp.Data;
using AmtSharp.Data.Loading;
using TorchSharp;
using static TorchSharp.torch;

namespace AmtSharp.Models;

/// <summary>
/// One pass of a model over every image of a source, in dataset order: eval mode (restored afterwards), no gradients,
/// one dispose scope per batch. The prior refresh, feature extraction and classifier scoring all run through it.
/// </summary>
public static class InferencePass
{
    /// <summary>
    /// Calls <paramref name="onBatch"/> with each batch and its images on <paramref name="device"/>, inside the batch's
    /// dispose scope: anything it keeps must be moved out of the scope. With <paramref name="inferenceMode"/> the pass
    /// runs under torch.inference_mode, cheaper than no_grad, for callers that copy their results out as numbers (an
    /// inference tensor can never enter autograd later, so features a probe trains on must not use it).
    /// </summary>
    public static void Run(nn.Module model, IImageSource source, LoaderOptions options, Action<ImageBatch, Tensor> onBatch,
        Device? device = null, CancellationToken cancellation = default, bool inferenceMode = false)
    {
        var loader = new ImageLoader(source, options);
        bool wasTraining = model.training;
        model.eval();
        try
        {
            using var noGrad = inferenceMode ? inference_mode() : no_grad();
            foreach (var batch in loader.Epoch(0, cancellation: cancellation))
            {
                using (batch)
                using (new CollectionPause())   // as in a training step: no implicit Scalar freed under libtorch
                using (NewDisposeScope())
                {
                    onBatch(batch, device is null ? batch.Images : batch.Images.to(device));
                }
            }
        }
        finally
        {
            model.train(wasTraining);
        }
    }
}
