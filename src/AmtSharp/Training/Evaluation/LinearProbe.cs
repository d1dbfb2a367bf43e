using AmtSharp.Core;
using AmtSharp.Training.Optim;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.optim;

namespace AmtSharp.Training.Evaluation;

/// <summary>Optimizer for the probe head.</summary>
public enum ProbeOptimizer
{
    /// <summary>MAE's protocol (docs/method.md#lars).</summary>
    Lars,

    /// <summary>Plain SGD with momentum, a common alternative.</summary>
    Sgd,
}

/// <summary>
/// Linear-probe settings. Defaults follow MAE (docs/method.md#linear-probe): lr = 0.1 × batch / 256, LARS, momentum 0.9,
/// weight decay 0, 10 warm-up epochs then cosine to 0 over 90 epochs, head init N(0, 0.01).
/// </summary>
public sealed record LinearProbeConfig(
    int Epochs = 90,
    double WarmupEpochs = 10,
    int BatchSize = 16384,
    double BaseLr = 0.1,
    double WeightDecay = 0.0,
    double Momentum = 0.9,
    ProbeOptimizer Optimizer = ProbeOptimizer.Lars,
    double HeadInitStd = 0.01,
    int EvalChunkSize = 1024,
    long Seed = 0);

/// <summary>Metrics after one probe epoch.</summary>
public sealed record ProbeEpochMetrics(int Epoch, double TrainLoss, double Lr, double TestTop1, double TestTop5);

/// <summary>Probe outcome: per-epoch metrics, and the final test accuracy.</summary>
public sealed record ProbeResult(IReadOnlyList<ProbeEpochMetrics> Epochs)
{
    public double Top1 => Epochs.Count == 0 ? 0 : Epochs[^1].TestTop1;
    public double Top5 => Epochs.Count == 0 ? 0 : Epochs[^1].TestTop5;
}

/// <summary>
/// MAE's linear probe on precomputed frozen features: BatchNorm1d(D, affine = false, eps = 1e-6) followed by
/// Linear(D, C), trained with cross-entropy. Shuffling and initialisation come from <see cref="Seeds"/>, so a
/// seed reproduces the run exactly (at a fixed thread count).
/// </summary>
public sealed class LinearProbe(LinearProbeConfig config)
{
    public LinearProbeConfig Config { get; } = config;

    /// <summary>
    /// trainFeatures [N, D], trainLabels [N], testFeatures [M, D], testLabels [M]. The batch is capped at N,
    /// and the last partial batch of an epoch is dropped (as MAE's loader does) so BatchNorm never sees a batch of one.
    /// </summary>
    public ProbeResult Fit(
        Tensor trainFeatures, Tensor trainLabels, Tensor testFeatures, Tensor testLabels, int numClasses,
        Action<ProbeEpochMetrics>? onEpoch = null)
    {
        long n = trainFeatures.shape[0];
        int d = (int)trainFeatures.shape[1];
        if (n < 2)
        {
            throw new ArgumentException("The linear probe needs at least two training samples.", nameof(trainFeatures));
        }
        int batch = (int)Math.Min(Config.BatchSize, n);
        int iters = (int)(n / batch);
        var schedule = new LrSchedule(Config.BaseLr, batch, Config.WarmupEpochs, Config.Epochs);

        using var head = new ProbeHead(d, numClasses);
        head.Initialise(Config.HeadInitStd, Seeds.Derive(Config.Seed, Seeds.Purpose.Probe, 1));
        using var opt = ProbeStepper.Create(Config, head.parameters().ToList(), schedule.PeakLr);
        var scales = Enumerable.Repeat(1.0, opt.Groups.Count()).ToArray();
        var labels = trainLabels.to_type(ScalarType.Int64);

        var history = new List<ProbeEpochMetrics>();
        try
        {
            for (int epoch = 0; epoch < Config.Epochs; epoch++)
            {
                head.train();
                double lossSum = 0, lr = 0;
                Tensor perm;
                using (var g = new Generator((ulong)Seeds.Derive(Config.Seed, Seeds.Purpose.Probe, 0, epoch)))
                {
                    perm = torch.randperm(n, generator: g);
                }
                using (perm)
                {
                    for (int it = 0; it < iters; it++)
                    {
                        using var scope = torch.NewDisposeScope(); // one scope per step keeps the count flat
                        lr = schedule.Apply(opt.Groups, scales, LrSchedule.Tau(epoch, it, iters));
                        var idx = perm.narrow(0, (long)it * batch, batch);
                        var logits = head.call(trainFeatures.index_select(0, idx));
                        var loss = nn.functional.cross_entropy(logits, labels.index_select(0, idx));
                        opt.ZeroGrad();
                        loss.backward();
                        opt.Step();
                        lossSum += loss.item<float>();
                    }
                }
                var (top1, top5) = Evaluate(head, testFeatures, testLabels);
                var metrics = new ProbeEpochMetrics(epoch, lossSum / iters, lr, top1, top5);
                history.Add(metrics);
                onEpoch?.Invoke(metrics);
            }
        }
        finally
        {
            labels.Dispose();
        }
        return new ProbeResult(history);
    }

    private (double top1, double top5) Evaluate(ProbeHead head, Tensor x, Tensor y)
    {
        long m = x.shape[0];
        if (m == 0)
        {
            return (0, 0);
        }
        head.eval(); // BatchNorm uses running statistics
        long c1 = 0, c5 = 0;
        using var noGrad = torch.no_grad();
        for (long start = 0; start < m; start += Config.EvalChunkSize)
        {
            using var scope = torch.NewDisposeScope();
            long len = Math.Min(Config.EvalChunkSize, m - start);
            var logits = head.call(x.narrow(0, start, len));
            var labels = y.narrow(0, start, len);
            c1 += Accuracy.CorrectTopK(logits, labels, 1);
            c5 += Accuracy.CorrectTopK(logits, labels, 5);
        }
        return ((double)c1 / m, (double)c5 / m);
    }

    /// <summary>BatchNorm1d without affine parameters, then the linear classifier (MAE's probe head).</summary>
    private sealed class ProbeHead : nn.Module<Tensor, Tensor>
    {
        private readonly BatchNorm1d bn;
        private readonly Linear head;

        public ProbeHead(int dim, int classes) : base(nameof(ProbeHead))
        {
            bn = nn.BatchNorm1d(dim, eps: 1e-6, affine: false);
            head = nn.Linear(dim, classes);
            RegisterComponents();
        }

        /// <summary>Seeded N(0, std) weight (TorchSharp's trunc_normal_ fills every element with the std, and nn.init ignores its generator).</summary>
        public void Initialise(double std, long seed)
        {
            using var noGrad = torch.no_grad();
            using var scope = torch.NewDisposeScope(); // in-place ops return aliases; release them here
            using var g = new Generator((ulong)seed);
            head.weight!.normal_(0.0, std, g);
            head.bias!.zero_();
        }

        public override Tensor forward(Tensor x) => head.call(bn.call(x));
    }

    /// <summary>LARS or SGD behind one small interface.</summary>
    private sealed class ProbeStepper : IDisposable
    {
        private readonly Lars? _lars;
        private readonly SGD? _sgd;

        private ProbeStepper(Lars? lars, SGD? sgd)
        {
            _lars = lars;
            _sgd = sgd;
        }

        public static ProbeStepper Create(LinearProbeConfig c, IReadOnlyList<Parameter> ps, double lr) => c.Optimizer switch
        {
            ProbeOptimizer.Lars => new ProbeStepper(new Lars(ps, new LarsConfig(lr, c.WeightDecay, c.Momentum)), null),
            ProbeOptimizer.Sgd => new ProbeStepper(null, torch.optim.SGD(ps, lr, momentum: c.Momentum, weight_decay: c.WeightDecay)),
            _ => throw new ArgumentOutOfRangeException(nameof(c), c.Optimizer, "unknown probe optimizer"),
        };

        public IEnumerable<ILearningRateController> Groups =>
            _lars is not null ? _lars.ParamGroups : _sgd!.ParamGroups;

        public void Step()
        {
            if (_lars is not null)
            {
                _lars.Step();
            }
            else
            {
                _sgd!.step();
            }
        }

        public void ZeroGrad()
        {
            if (_lars is not null)
            {
                _lars.ZeroGrad();
            }
            else
            {
                _sgd!.zero_grad();
            }
        }

        public void Dispose()
        {
            _lars?.Dispose();
            _sgd?.Dispose();
        }
    }
}
