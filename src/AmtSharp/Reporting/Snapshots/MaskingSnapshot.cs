using AmtSharp.Amt;
using AmtSharp.Data.Transforms;
using AmtSharp.Masking;
using AmtSharp.Models;
using AmtSharp.Models.Mae;
using TorchSharp;
using static TorchSharp.torch;

namespace AmtSharp.Reporting.Snapshots;

/// <summary>What to show the snapshot images under.</summary>
/// <param name="Model">The model as it is now (MAE or SimMIM).</param>
/// <param name="Strategy">The masking the plan is drawn with (random warm-up or AMT).</param>
/// <param name="Priors">One prior map (G·G) per snapshot image, the weights an AMT plan is drawn from; null before the first prior exists.</param>
/// <param name="Seed">Seed of the plan draw (derive it with <c>Seeds.Purpose.Report</c>, never a training stream).</param>
/// <param name="Statistics">How norm-pix MAE predictions are turned back into pixels.</param>
public sealed record SnapshotRequest(
    IMaskedImageModel Model,
    IMaskingStrategy Strategy,
    IReadOnlyList<float[]>? Priors,
    long Seed,
    NormPixStatistics Statistics = NormPixStatistics.TruePatch);

/// <summary>One snapshot: rows for a masking grid, cells for an attention overlay, and what they were made with.</summary>
/// <param name="Masking">image | prior | mask plan | reconstruction, per image.</param>
/// <param name="Attention">The encoder's current last-block [CLS] attention (the AMT prior it would compute now), per image.</param>
/// <param name="ReconstructionTitle">Column title that says how predictions became pixels.</param>
/// <param name="Loss">The model's loss on these images under this plan.</param>
/// <param name="Counts">Patches masked / thrown / visible per image.</param>
public sealed record Snapshot(
    IReadOnlyList<MaskingSample> Masking,
    IReadOnlyList<AttentionSample> Attention,
    string ReconstructionTitle,
    double Loss,
    MaskCounts Counts);

/// <summary>
/// Runs a few fixed images through the model without gradients, in eval mode, and restores the mode after: the
/// current attention (prior pass), a mask plan drawn with its own generator, and the reconstruction of the masked
/// patches. It draws from no training random stream and leaves no tensor behind, so a run with snapshots trains
/// exactly as one without.
/// </summary>
public static class MaskingSnapshot
{
    /// <summary>The current last-block [CLS] attention prior (G·G, in [0, 1]) of each image.</summary>
    public static float[][] Attention(IMaskedImageModel model, SnapshotImages images)
    {
        var module = AsModule(model);
        bool wasTraining = module.training;
        module.eval();
        try
        {
            using var noGrad = no_grad();
            using var scope = NewDisposeScope();
            var batch = ImagesOn(images, DeviceOf(module));
            return Rows(AttentionPrior.FromAttention(model.Encoder.LastBlockAttention(batch)));
        }
        finally
        {
            module.train(wasTraining);
        }
    }

    public static Snapshot Take(SnapshotImages images, SnapshotRequest request)
    {
        var model = request.Model;
        var module = AsModule(model);
        var config = model.Encoder.Config;
        int n = images.Count, grid = config.GridSize;
        if (images.Size != config.ImageSize)
        {
            throw new ArgumentException($"snapshot images are {images.Size} px, the model takes {config.ImageSize} px", nameof(images));
        }
        if (request.Priors is { } given && (given.Count != n || given.Any(p => p.Length != grid * grid)))
        {
            throw new ArgumentException($"need one {grid}×{grid} prior per snapshot image", nameof(request));
        }

        bool wasTraining = module.training;
        module.eval();
        float[][] attention;
        int[] codes;
        long[] masked;
        float[] predictions;
        double loss;
        PatchLayout layout;
        int maskedCount;
        try
        {
            using var noGrad = no_grad();
            using var scope = NewDisposeScope();
            var device = DeviceOf(module);
            var batch = ImagesOn(images, device);
            attention = Rows(AttentionPrior.FromAttention(model.Encoder.LastBlockAttention(batch)));
            var weights = request.Strategy.UsesWeights ? Weights(request, n, grid) : null;
            using var generator = new Generator((ulong)request.Seed);
            var plan = request.Strategy.Plan(new MaskRequest(n, generator, weights)).To(device);
            var output = model.Forward(batch, plan);
            loss = output.Loss.item<float>();
            layout = output.Layout;
            maskedCount = plan.NumMasked;
            codes = plan.Codes().cpu().data<int>().ToArray();
            masked = plan.Masked.cpu().data<long>().ToArray();
            predictions = output.Prediction.to(ScalarType.Float32).cpu().contiguous().data<float>().ToArray();
        }
        finally
        {
            module.train(wasTraining);
        }

        var reconstruct = Reconstructor(model, config.PatchSize, layout, request.Statistics);
        int cells = grid * grid, patchFloats = predictions.Length / Math.Max(1, n * maskedCount);
        var rows = new MaskingSample[n];
        var overlays = new AttentionSample[n];
        for (int i = 0; i < n; i++)
        {
            var rowCodes = codes.AsSpan(i * cells, cells).ToArray();
            var rowMasked = masked.AsSpan(i * maskedCount, maskedCount).ToArray().Select(v => (int)v).ToArray();
            var rowPrediction = predictions.AsSpan(i * maskedCount * patchFloats, maskedCount * patchFloats).ToArray();
            var pixels = ImageNetNormalization.ToUnitRange(images.Normalized[i]);
            var recon = ImageNetNormalization.ToUnitRange(reconstruct.Build(images.Normalized[i], rowMasked, rowPrediction, rowCodes));
            rows[i] = new MaskingSample(pixels, request.Priors?[i], rowCodes, recon);
            overlays[i] = new AttentionSample(pixels, attention[i], images.Foreground[i], images.Captions[i]);
        }
        return new Snapshot(rows, overlays, reconstruct.Title, loss, request.Strategy.Counts);
    }

    private static nn.Module AsModule(IMaskedImageModel model) =>
        model as nn.Module ?? throw new ArgumentException("the model must be a TorchSharp module", nameof(model));

    private static Device DeviceOf(nn.Module module) => module.parameters().First().device;

    private static Tensor ImagesOn(SnapshotImages images, Device device) =>
        tensor(images.Batch(), [images.Count, 3, images.Size, images.Size]).to(device);

    private static float[][] Rows(Tensor maps)
    {
        var cpu = maps.to(ScalarType.Float32).cpu().contiguous();
        int n = (int)cpu.shape[0], l = (int)cpu.shape[1];
        var all = cpu.data<float>().ToArray();
        return [.. Enumerable.Range(0, n).Select(i => all.AsSpan(i * l, l).ToArray())];
    }

    // The prior of the whole (uncropped) image mapped onto the draw grid, as training does for an identity crop.
    private static Tensor Weights(SnapshotRequest request, int n, int grid)
    {
        var priors = request.Priors ?? throw new ArgumentException(
            "this masking strategy draws from the AMT prior, but the snapshot has none", nameof(request));
        var draw = request.Strategy.Grid;
        var weights = new float[n * draw.Cells];
        for (int i = 0; i < n; i++)
        {
            var mapped = CropGeometry.Identity.MapToGrid(priors[i], grid, grid, draw.UnitGrid, draw.UnitGrid);
            Array.Copy(mapped, 0, weights, i * draw.Cells, draw.Cells);
        }
        return tensor(weights, [n, draw.Cells]);
    }

    private static Reconstruction Reconstructor(IMaskedImageModel model, int patchSize, PatchLayout layout, NormPixStatistics statistics)
    {
        bool normPix = model is MaskedAutoencoder { Config.NormPixLoss: true };
        string title = normPix ? NormPixDenormalizer.TitleFor(statistics)
            : model is MaskedAutoencoder ? "reconstruction (pixels)" : "reconstruction (SimMIM pixels)";
        return new Reconstruction(patchSize, layout, normPix ? statistics : null, title);
    }

    /// <summary>Predictions of the masked patches pasted into the image, de-normalised when the target was norm-pix.</summary>
    private sealed record Reconstruction(int PatchSize, PatchLayout Layout, NormPixStatistics? Statistics, string Title)
    {
        public float[] Build(float[] normalized, int[] maskedPatches, float[] prediction, int[] codes)
        {
            var mae = Layout == PatchLayout.ChannelsThenPixels
                ? NormPixDenormalizer.ChannelsFirstToMaeLayout(prediction, PatchSize)
                : prediction;
            return Statistics switch
            {
                NormPixStatistics.TruePatch => NormPixDenormalizer.Denormalize(normalized, PatchSize, maskedPatches, mae),
                NormPixStatistics.NearestVisible => NormPixDenormalizer.DenormalizeFromVisible(normalized, PatchSize, maskedPatches, mae, codes),
                _ => NormPixDenormalizer.Paste(normalized, PatchSize, maskedPatches, mae),
            };
        }
    }
}
