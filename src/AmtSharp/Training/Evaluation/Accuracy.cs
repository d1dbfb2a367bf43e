using TorchSharp;
using static TorchSharp.torch;

namespace AmtSharp.Training.Evaluation;

/// <summary>Top-k accuracy from class scores.</summary>
public static class Accuracy
{
    /// <summary>
    /// Number of rows whose label is among the k highest scores. scores: [N, C]; labels: [N] (int64).
    /// k is capped at C, so top-5 on a 3-class problem counts every row.
    /// </summary>
    public static long CorrectTopK(Tensor scores, Tensor labels, int k)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(k);
        if (scores.ndim != 2 || labels.ndim != 1 || scores.shape[0] != labels.shape[0])
        {
            throw new ArgumentException($"Expected scores [N, C] and labels [N]; got {Describe(scores)} and {Describe(labels)}.");
        }
        using var scope = torch.NewDisposeScope();
        int kk = (int)Math.Min(k, scores.shape[1]);
        var top = scores.topk(kk, dim: 1).indexes;
        return top.eq(labels.to_type(ScalarType.Int64).unsqueeze(1)).any(1).sum().item<long>();
    }

    /// <summary>Fraction of rows whose label is among the k highest scores.</summary>
    public static double TopK(Tensor scores, Tensor labels, int k) =>
        labels.shape[0] == 0 ? 0.0 : (double)CorrectTopK(scores, labels, k) / labels.shape[0];

    private static string Describe(Tensor t) => "[" + string.Join(", ", t.shape) + "]";
}
