using System.Text.Json.Nodes;
using AmtSharp.Amt;

namespace AmtSharp.Training.Checkpoints;

/// <summary>Where a saved prior came from, stored in its metadata.</summary>
/// <param name="Model">The checkpoint (or "initialisation") whose encoder computed it.</param>
/// <param name="Dataset">The images, e.g. "synthetic-train (5000 images)".</param>
/// <param name="ImageSize">S, the side the images were resized to.</param>
/// <param name="PatchSize">p, the encoder's patch side.</param>
public sealed record PriorFileInfo(string Model, string Dataset, int ImageSize, int PatchSize);

/// <summary>
/// A saved attention prior: one G×G map per image, in our checkpoint format (<see cref="CheckpointFile"/>:
/// checksummed, atomic) with metadata kind = "amt-prior" and one float array "prior" of shape [N, G·G], row n the
/// map of dataset index n in raster order. Training checkpoints hold the same array, so both can be read back.
/// </summary>
public static class PriorFile
{
    public const string Kind = "amt-prior";
    public const string Extension = ".amtprior";
    public const string ArrayName = "prior";

    public static void Save(string path, PriorStore store, PriorFileInfo info)
    {
        using var data = new CheckpointData()
            .With("kind", Kind)
            .With("model", info.Model)
            .With("dataset", info.Dataset)
            .With("image_size", info.ImageSize)
            .With("patch_size", info.PatchSize)
            .With("grid_size", store.GridSize)
            .With("count", store.Count)
            .With("prior_epoch", store.ComputedAtEpoch)
            .AddArray(ArrayName, new FloatArray(store.ToArray(), store.Count, store.Cells));
        CheckpointFile.Save(path, data);
    }

    /// <summary>
    /// Reads a prior file, or the prior inside a training checkpoint; refuses files without a well-formed [N, G·G]
    /// prior array, naming the file.
    /// </summary>
    public static (PriorStore Store, JsonObject Metadata) Load(string path)
    {
        using var file = CheckpointFile.Load(path);
        if (!file.Arrays.TryGetValue(ArrayName, out var array))
        {
            throw new CheckpointException(file.FilePath, "holds no attention prior (no array 'prior')");
        }
        int grid = (int)Math.Round(Math.Sqrt(array.Shape.Length == 2 ? array.Shape[1] : 0));
        if (array.Shape.Length != 2 || array.Shape[0] < 1 || grid < 1 || grid * grid != array.Shape[1])
        {
            throw new CheckpointException(file.FilePath, $"prior array has shape [{string.Join(", ", array.Shape)}], expected [images, G·G]");
        }
        int epoch = file.Metadata.TryGetPropertyValue("prior_epoch", out var e) && e is not null ? e.GetValue<int>() : -1;
        var store = PriorStore.FromArray(array.Data, (int)array.Shape[0], grid, epoch);
        return (store, file.Metadata);
    }
}
