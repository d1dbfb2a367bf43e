using AmtSharp.Data.Transforms;

namespace AmtSharp.Data.Loading;

/// <summary>What to do with an image that cannot be read or decoded.</summary>
public enum BadInputPolicy
{
    /// <summary>Stop: the consumer gets a <see cref="DataException"/> naming the file.</summary>
    Fail,

    /// <summary>Warn once per file and run, count it, and substitute the next readable index (i+1, i+2, ... mod Count).</summary>
    Skip,
}

/// <summary>
/// Loader settings. <see cref="Prefetch"/> 0 means max(2, Workers). <see cref="BadInputs"/> is the run's record of
/// skipped inputs, shared by all its loaders so that each is warned about once (null: a private, silent one).
/// </summary>
public sealed record LoaderOptions(
    TransformSpec Transform,
    int BatchSize = 64,
    bool Shuffle = true,
    bool DropLast = true,
    long Seed = 0,
    int Workers = 2,
    int Prefetch = 0,
    BadInputPolicy OnBadInput = BadInputPolicy.Fail,
    BadInputLog? BadInputs = null)
{
    /// <summary>Unshuffled, keeps the last partial batch: for evaluation and the AMT prior pass.</summary>
    public static LoaderOptions Sequential(TransformSpec transform, int batchSize = 64, int workers = 2) =>
        new(transform, batchSize, Shuffle: false, DropLast: false, Workers: workers);

    public int EffectivePrefetch => Prefetch > 0 ? Prefetch : Math.Max(2, Workers);

    public void Validate()
    {
        Transform.Validate();
        ArgumentOutOfRangeException.ThrowIfLessThan(BatchSize, 1, nameof(BatchSize));
        ArgumentOutOfRangeException.ThrowIfLessThan(Workers, 1, nameof(Workers));
        ArgumentOutOfRangeException.ThrowIfNegative(Prefetch, nameof(Prefetch));
    }
}

