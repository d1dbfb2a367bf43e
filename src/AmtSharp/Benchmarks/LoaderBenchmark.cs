using System.Diagnostics;
using AmtSharp.Data;
using AmtSharp.Data.Loading;
using AmtSharp.Data.Transforms;

namespace AmtSharp.Benchmarks;

/// <summary>Measures loader throughput with the training transform (RRC + flip, normalise), as the CLI reports it.</summary>
public static class LoaderBenchmark
{
    /// <summary>Loads <paramref name="batches"/> shuffled batches (continuing into further epochs if needed) and returns images per second.</summary>
    /// <remarks>
    /// Bad images stop it under <see cref="BadInputPolicy.Fail"/>; under Skip they go to <paramref name="badInputs"/> (once each, whichever measurement meets them).</remarks>
    public static double Run(IImageSource source, int size, int workers, int batchSize, int batches,
        BadInputPolicy onBadInput = BadInputPolicy.Fail, BadInputLog? badInputs = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batches, 1);
        var loader = new ImageLoader(source, new LoaderOptions(TransformSpec.Train(size), batchSize, Workers: workers, DropLast: false,
            OnBadInput: onBadInput, BadInputs: badInputs));
        long images = 0;
        int done = 0;
        var clock = Stopwatch.StartNew();
        for (int epoch = 0; done < batches; epoch++)
        {
            foreach (ImageBatch batch in loader.Epoch(epoch))
            {
                using (batch)
                {
                    images += batch.Count;
                }
                if (++done == batches)
                {
                    break;
                }
            }
        }
        return images / clock.Elapsed.TotalSeconds;
    }
}
