using AmtSharp.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace AmtSharp.Training.Evaluation;

/// <summary>kNN settings (docs/method.md#knn): k = 20, weights exp(sim / 0.07).</summary>
public sealed record KnnConfig(int K = 20, double Temperature = 0.07, int ChunkSize = 256);

/// <summary>kNN accuracy on a test set.</summary>
public sealed record KnnResult(double Top1, double Top5, long Count);

/// <summary>
/// Weighted kNN on frozen features: cosine similarity of L2-normalised features, the k most similar training
/// samples vote for their class with weight exp(sim / T). Test samples are processed in chunks with one
/// matmul each, so memory is chunk × N rather than M × N.
/// </summary>
public sealed class KnnClassifier(KnnConfig? config = null)
{
    public KnnConfig Config { get; } = config ?? new KnnConfig();

    /// <summary>trainFeatures [N, D], trainLabels [N], testFeatures [M, D], testLabels [M].</summary>
    public KnnResult Evaluate(Tensor trainFeatures, Tensor trainLabels, Tensor testFeatures, Tensor testLabels, int numClasses,
        IPhaseProgress? progress = null)
    {
        long m = testFeatures.shape[0];
        long top1 = 0, top5 = 0;
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var bank = Normalise(trainFeatures);
        var bankLabels = trainLabels.to_type(ScalarType.Int64);
        var labels = testLabels.to_type(ScalarType.Int64);
        for (long start = 0; start < m; start += Config.ChunkSize)
        {
            using var chunkScope = torch.NewDisposeScope();
            long end = Math.Min(m, start + Config.ChunkSize);
            var votes = Votes(bank, bankLabels, testFeatures.narrow(0, start, end - start), numClasses);
            var y = labels.narrow(0, start, end - start);
            top1 += Accuracy.CorrectTopK(votes, y, 1);
            top5 += Accuracy.CorrectTopK(votes, y, 5);
            progress?.Report("kNN", end, m, "test images");
        }
        return m == 0 ? new KnnResult(0, 0, 0) : new KnnResult((double)top1 / m, (double)top5 / m, m);
    }

    /// <summary>Class votes [M, C] for every test row (chunked).</summary>
    public Tensor Predict(Tensor trainFeatures, Tensor trainLabels, Tensor testFeatures, int numClasses)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var bank = Normalise(trainFeatures);
        var bankLabels = trainLabels.to_type(ScalarType.Int64);
        var parts = new List<Tensor>();
        for (long start = 0; start < testFeatures.shape[0]; start += Config.ChunkSize)
        {
            long end = Math.Min(testFeatures.shape[0], start + Config.ChunkSize);
            parts.Add(Votes(bank, bankLabels, testFeatures.narrow(0, start, end - start), numClasses));
        }
        var result = parts.Count == 0 ? torch.zeros(0, numClasses) : torch.cat(parts, 0);
        return result.MoveToOuterDisposeScope();
    }

    private Tensor Votes(Tensor bank, Tensor bankLabels, Tensor query, int numClasses)
    {
        int k = (int)Math.Min(Config.K, bank.shape[0]);
        var sim = Normalise(query).matmul(bank.T);                         // [c, N] cosine similarities
        var (vals, idx) = sim.topk(k, dim: 1);
        var neighbourLabels = bankLabels.index_select(0, idx.flatten()).view(idx.shape);
        var weights = vals.div(Config.Temperature).exp_();
        return torch.zeros(query.shape[0], numClasses, dtype: weights.dtype)
            .scatter_add_(1, neighbourLabels, weights);
    }

    private static Tensor Normalise(Tensor x) =>
        nn.functional.normalize(x.to_type(ScalarType.Float32), p: 2.0, dim: 1);
}
