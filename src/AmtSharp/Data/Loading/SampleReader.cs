namespace AmtSharp.Data.Loading;

/// <summary>
/// Loads one image under a <see cref="BadInputPolicy"/>. With Skip, a bad index is replaced by the next readable one
/// (i+1, i+2, ... wrapping), which depends only on the data, so results stay independent of the worker count.
/// Bad inputs go to the run's <see cref="BadInputLog"/>, which warns once per input however often it is met.
/// </summary>
internal sealed class SampleReader
{
    private const int MaxConsecutiveBad = 64;

    private readonly IImageSource _source;
    private readonly BadInputPolicy _policy;
    private readonly BadInputLog _log;

    public SampleReader(IImageSource source, BadInputPolicy policy, BadInputLog? log)
    {
        _source = source;
        _policy = policy;
        _log = log ?? new BadInputLog();
    }

    public BadInputLog Log => _log;

    /// <summary>Returns the image and the dataset index it really came from.</summary>
    public (RgbImage Image, int Index) Read(int index, int minShortSide)
    {
        if (_policy == BadInputPolicy.Fail)
        {
            try
            {
                return (_source.Load(index, minShortSide), index);
            }
            catch (DataException e)
            {
                throw new DataException(e.Path, e.Problem, e) { Skippable = true };
            }
        }
        DataException? last = null;
        for (int attempt = 0; attempt < Math.Min(MaxConsecutiveBad, _source.Count); attempt++)
        {
            int candidate = (int)(((long)index + attempt) % _source.Count);
            string where = _source.Describe(candidate);
            if (_log.Contains(where))
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
                _log.Report(where, e.Problem);
            }
        }
        throw new DataException(_source.Describe(index),
            $"no readable image among {MaxConsecutiveBad} consecutive samples from here (last error: {last?.Message ?? "all previously skipped"})", last);
    }
}
