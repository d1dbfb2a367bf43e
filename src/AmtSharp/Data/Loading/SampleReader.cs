using System.Collections.Concurrent;

namespace AmtSharp.Data.Loading;

/// <summary>
/// Loads one image under a <see cref="BadInputPolicy"/>. With Skip, a bad index is replaced by the next readable one
/// (i+1, i+2, ... wrapping), which depends only on the data, so results stay independent of the worker count.
/// </summary>
internal sealed class SampleReader
{
    private const int MaxConsecutiveBad = 64;

    private readonly IImageSource _source;
    private readonly BadInputPolicy _policy;
    private readonly Action<string> _warn;
    private readonly ConcurrentDictionary<int, SkippedSample> _skipped = new();

    public SampleReader(IImageSource source, BadInputPolicy policy, Action<string>? warn)
    {
        _source = source;
        _policy = policy;
        _warn = warn ?? (message => Console.Error.WriteLine(message));
    }

    public int SkippedCount => _skipped.Count;

    public IReadOnlyList<SkippedSample> Skipped => [.. _skipped.Values.OrderBy(s => s.Index)];

    /// <summary>Returns the image and the dataset index it really came from.</summary>
    public (RgbImage Image, int Index) Read(int index, int minShortSide)
    {
        if (_policy == BadInputPolicy.Fail)
        {
            return (_source.Load(index, minShortSide), index);
        }
        DataException? last = null;
        for (int attempt = 0; attempt < Math.Min(MaxConsecutiveBad, _source.Count); attempt++)
        {
            int candidate = (int)(((long)index + attempt) % _source.Count);
            if (_skipped.ContainsKey(candidate))
            {
                continue;
            }
            try
            {
                return (_source.Load(candidate, minShortSide), candidate);
            }
            catch (DataException e)
            {
                last = e;
                if (_skipped.TryAdd(candidate, new SkippedSample(candidate, _source.Describe(candidate), e.Message)))
                {
                    _warn($"warning: skipping unreadable image ({e.Message})");
                }
            }
        }
        throw new DataException(_source.Describe(index),
            $"no readable image among {MaxConsecutiveBad} consecutive samples from here (last error: {last?.Message ?? "all previously skipped"})", last);
    }
}
