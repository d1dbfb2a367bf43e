using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Threading.Channels;
using AmtSharp.Core;
using AmtSharp.Data.Transforms;
using TorchSharp;

namespace AmtSharp.Data.Loading;

/// <summary>
/// Turns an <see cref="IImageSource"/> into batches of normalised image tensors, decoded and augmented on worker threads
/// ahead of the consumer. Every random choice is a pure function of the seed: the epoch order of
/// (Seed, DataOrder, epoch), each sample's crop/flip of (Seed, Augment, epoch, dataset index) and its RandAugment
/// operations of (Seed, Augment, epoch, dataset index, 1). So a batch is the same
/// for any worker count, and an epoch can be resumed exactly at any batch.
/// </summary>
public sealed class ImageLoader
{
    private const long RandAugmentStream = 1;

    private readonly IImageSource _source;
    private readonly SampleReader _reader;

    public ImageLoader(IImageSource source, LoaderOptions options)
    {
        options.Validate();
        if (source.Count == 0)
        {
            throw new DataException(source.Name, "data source has no images");
        }
        _source = source;
        Options = options;
        _reader = new SampleReader(source, options.OnBadInput, options.BadInputs);
    }

    public LoaderOptions Options { get; }

    public IImageSource Source => _source;

    public int BatchesPerEpoch => Options.DropLast
        ? _source.Count / Options.BatchSize
        : (_source.Count + Options.BatchSize - 1) / Options.BatchSize;

    /// <summary>The record of skipped inputs this loader writes to (shared with the run's other loaders when given in the options).</summary>
    public BadInputLog BadInputs => _reader.Log;

    /// <summary>The dataset indices of an epoch in visiting order.</summary>
    public int[] EpochOrder(int epoch)
    {
        int[] order = Enumerable.Range(0, _source.Count).ToArray();
        if (Options.Shuffle)
        {
            // Our own Fisher-Yates rather than Random.Shuffle, whose algorithm the runtime does not promise to keep.
            Random rng = Seeds.Random(Options.Seed, Seeds.Purpose.DataOrder, epoch);
            for (int i = order.Length - 1; i > 0; i--)
            {
                int j = rng.Next(i + 1);
                (order[i], order[j]) = (order[j], order[i]);
            }
        }
        return order;
    }

    /// <summary>An epoch from <paramref name="startBatch"/> on, for synchronous training loops. Dispose every batch.</summary>
    public IEnumerable<ImageBatch> Epoch(int epoch, int startBatch = 0, CancellationToken cancellation = default)
    {
        IAsyncEnumerator<ImageBatch> batches = EpochAsync(epoch, startBatch, cancellation).GetAsyncEnumerator(cancellation);
        try
        {
            while (batches.MoveNextAsync().AsTask().GetAwaiter().GetResult())
            {
                yield return batches.Current;
            }
        }
        finally
        {
            batches.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }

    /// <summary>
    /// An epoch from <paramref name="startBatch"/> on. Batches are built by <see cref="LoaderOptions.Workers"/> threads,
    /// at most Prefetch + 2 exist at once (queued, being built, or held by the consumer). Worker errors and cancellation surface here, in batch order.
    /// Stopping early (break, exception) cancels the workers and disposes batches that were never handed out.
    /// </summary>
    public async IAsyncEnumerable<ImageBatch> EpochAsync(int epoch, int startBatch = 0,
        [EnumeratorCancellation] CancellationToken cancellation = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(startBatch);
        int[] order = EpochOrder(epoch);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        // Jobs go to the workers; their results come back to the consumer, in batch order, through the bounded channel.
        var jobs = Channel.CreateUnbounded<BatchJob>(new UnboundedChannelOptions { SingleWriter = true });
        var pending = Channel.CreateBounded<Task<ImageBatch>>(
            new BoundedChannelOptions(Options.EffectivePrefetch) { SingleReader = true, SingleWriter = true });
        var started = new List<Task<ImageBatch>>();

        // Dedicated threads, not the thread pool: a batch takes long, and pool threads busy building batches
        // would starve the continuations that hand batches to the consumer.
        Task[] workers = [.. Enumerable.Range(0, Options.Workers).Select(_ => Task.Factory.StartNew(
            () => RunWorker(jobs.Reader, epoch, order, stop.Token), CancellationToken.None,
            TaskCreationOptions.LongRunning, TaskScheduler.Default))];

        // The producer queues batches in order; the bounded channel keeps it at most Prefetch batches ahead.
        Task producer = Task.Run(async () =>
        {
            try
            {
                for (int k = startBatch; k < BatchesPerEpoch; k++)
                {
                    var job = new BatchJob(k, new TaskCompletionSource<ImageBatch>(TaskCreationOptions.RunContinuationsAsynchronously));
                    started.Add(job.Result.Task);
                    jobs.Writer.TryWrite(job);
                    await pending.Writer.WriteAsync(job.Result.Task, stop.Token).ConfigureAwait(false);
                }
                pending.Writer.TryComplete();
            }
            catch (Exception e)
            {
                pending.Writer.TryComplete(e);
            }
            finally
            {
                jobs.Writer.TryComplete();
            }
        });

        int handedOut = 0;
        try
        {
            while (await pending.Reader.WaitToReadAsync(stop.Token).ConfigureAwait(false))
            {
                while (pending.Reader.TryRead(out Task<ImageBatch>? build))
                {
                    // Batches may already be waiting; a cancelled consumer must not receive them.
                    cancellation.ThrowIfCancellationRequested();
                    handedOut++;
                    yield return await build.ConfigureAwait(false);
                }
            }
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            await producer.ConfigureAwait(false);
            await Task.WhenAll(workers).ConfigureAwait(false);
            while (jobs.Reader.TryRead(out BatchJob? orphan))
            {
                orphan.Result.TrySetCanceled();
            }
            await DisposeUnclaimed(started, handedOut).ConfigureAwait(false);
        }
    }

    private sealed record BatchJob(int BatchIndex, TaskCompletionSource<ImageBatch> Result);

    /// <summary>One worker thread: builds queued batches until the queue ends or the epoch is stopped.</summary>
    private void RunWorker(ChannelReader<BatchJob> jobs, int epoch, int[] order, CancellationToken stop)
    {
        try
        {
            while (jobs.WaitToReadAsync(stop).AsTask().GetAwaiter().GetResult())
            {
                while (jobs.TryRead(out BatchJob? job))
                {
                    try
                    {
                        job.Result.TrySetResult(Build(epoch, job.BatchIndex, order, stop));
                    }
                    catch (Exception e)
                    {
                        job.Result.TrySetException(e);
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Stopped: the consumer cancels what is left.
        }
    }

    private static async Task DisposeUnclaimed(List<Task<ImageBatch>> started, int handedOut)
    {
        for (int i = handedOut; i < started.Count; i++)
        {
            try
            {
                (await started[i].ConfigureAwait(false)).Dispose();
            }
            catch (Exception)
            {
                // Cancelled or failed builds own nothing.
            }
        }
    }

    private ImageBatch Build(int epoch, int batchIndex, int[] order, CancellationToken cancellation)
    {
        int first = batchIndex * Options.BatchSize;
        if (batchIndex >= BatchesPerEpoch || first >= order.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(batchIndex), $"epoch has {BatchesPerEpoch} batches");
        }
        int count = Math.Min(Options.BatchSize, order.Length - first);
        int size = Options.Transform.Size, sampleFloats = 3 * size * size;
        var indices = new int[count];
        var labels = new long[count];
        var geometry = new CropGeometry[count];

        torch.Tensor images = torch.empty([count, 3, size, size], torch.ScalarType.Float32);
        try
        {
            Span<float> all = MemoryMarshal.Cast<byte, float>(images.bytes);
            for (int j = 0; j < count; j++)
            {
                cancellation.ThrowIfCancellationRequested();
                int wanted = order[first + j];
                (RgbImage image, int used) = _reader.Read(wanted, Options.Transform.MinSourceSide);
                try
                {
                    // Keyed by the slot's own index, so a substitution does not change other samples' streams.
                    var transform = Options.Transform;
                    Random rng = Seeds.Random(Options.Seed, Seeds.Purpose.Augment, epoch, wanted);
                    geometry[j] = transform.SampleGeometry(image.Width, image.Height, rng);
                    var destination = all.Slice(j * sampleFloats, sampleFloats);
                    if (transform.RandAugment is { } augment)
                    {
                        // Its own stream, so that turning RandAugment on leaves every crop and flip as it was.
                        var augmented = augment.Apply(CropRenderer.Render(image, geometry[j], size),
                            Seeds.Random(Options.Seed, Seeds.Purpose.Augment, epoch, wanted, RandAugmentStream), transform.AugmentFill);
                        CropRenderer.RenderNormalized(augmented, transform.Normalization, destination);
                    }
                    else
                    {
                        CropRenderer.RenderNormalized(image, geometry[j], size, transform.Normalization, destination);
                    }
                }
                catch (Exception e) when (e is not DataException and not OperationCanceledException)
                {
                    throw new DataException(_source.Describe(used), $"cannot transform image ({e.Message})", e);
                }
                indices[j] = used;
                labels[j] = _source.LabelOf(used);
            }
        }
        catch
        {
            images.Dispose();
            throw;
        }
        return new ImageBatch(images, indices, labels, geometry, epoch, batchIndex);
    }
}
