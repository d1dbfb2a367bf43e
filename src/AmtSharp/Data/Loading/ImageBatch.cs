using AmtSharp.Data.Transforms;
using TorchSharp;

namespace AmtSharp.Data.Loading;

/// <summary>
/// One batch: images [B, 3, S, S] (float32, normalised, native memory) plus, per sample, the dataset index, label and
/// crop geometry (what AMT needs to map its prior). The tensor was made on a loader thread and belongs to no dispose
/// scope: the consumer owns it and must dispose the batch.
/// </summary>
public sealed class ImageBatch : IDisposable
{
    public ImageBatch(torch.Tensor images, int[] indices, long[] labels, CropGeometry[] geometry, int epoch, int batchIndex)
    {
        Images = images;
        Indices = indices;
        Labels = labels;
        Geometry = geometry;
        Epoch = epoch;
        BatchIndex = batchIndex;
    }

    public torch.Tensor Images { get; }

    /// <summary>Dataset index of the image actually in each slot (a substitute's index if a bad file was skipped).</summary>
    public int[] Indices { get; }

    /// <summary>Class ids, -1 for unlabelled sources.</summary>
    public long[] Labels { get; }

    public CropGeometry[] Geometry { get; }
    public int Epoch { get; }

    /// <summary>Position of this batch within its epoch.</summary>
    public int BatchIndex { get; }

    public int Count => Indices.Length;

    public void Dispose() => Images.Dispose();
}
