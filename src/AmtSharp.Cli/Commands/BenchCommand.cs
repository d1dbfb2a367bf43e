using System.CommandLine;
using AmtSharp.Data.Loading;

namespace AmtSharp.Cli.Commands;

/// <summary>`amt bench loader`: images/s of the data loader.</summary>
internal static class BenchCommand
{
    public static Command Create()
    {
        var bench = new Command("bench", "Benchmarks (print figures; not tests).");
        var sizes = CommonOptions.Ints("--sizes", "Output sizes in pixels (8-4096).", [32, 224], 8, 4096);
        var workerCounts = CommonOptions.Ints("--worker-counts", "Worker-thread counts to try (1-256).", [1, 2], 1, 256);
        var batch = CommonOptions.Positive("--batch-size", "Images per batch.", 64);
        var batches = CommonOptions.Positive("--batches", "Batches per measurement.", 50);
        var (data, format, limit) = (CommonOptions.Data(), CommonOptions.Format(), CommonOptions.Limit());
        var loader = new Command("loader", "Data-loader throughput (decode, RandomResizedCrop, flip, normalise into batch tensors).")
        {
            sizes, workerCounts, batch, batches, data, format, limit,
        };
        loader.SetAction(parse =>
        {
            var o = parse.InvocationConfiguration.Output;
            var spec = CommonOptions.Dataset(parse, data, format, limit);
            var source = spec.OpenTrain();
            o.WriteLine($"loader on {source.Name} ({source.Count} images), batch {parse.GetValue(batch)}, {parse.GetValue(batches)} batches per figure");
            o.WriteLine("size  workers  images/s");
            foreach (int size in parse.GetValue(sizes)!)
            {
                foreach (int w in parse.GetValue(workerCounts)!)
                {
                    double rate = LoaderBenchmark.Run(source, size, w, parse.GetValue(batch), parse.GetValue(batches));
                    o.WriteLine($"{size,4}  {w,7}  {rate,8:F0}");
                }
            }
            return 0;
        });
        bench.Subcommands.Add(loader);
        return bench;
    }
}
