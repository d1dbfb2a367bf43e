using System.CommandLine;
using AmtSharp.Reporting.Runs;
using AmtSharp.Training.Evaluation;
using AmtSharp.Training.Pretraining;
using TorchSharp;

namespace AmtSharp.Cli.Commands;

/// <summary>`amt linprobe` and `amt knn`: frozen-encoder evaluations of a pretrained checkpoint.</summary>
internal static class EvaluateCommands
{
    public static Command LinearProbe() => Create("linprobe", "Linear probe (MAE protocol: BatchNorm + linear head, LARS) on frozen features; prints top-1 / top-5.", probe: true);

    public static Command Knn() => Create("knn", "Weighted kNN (cosine, k = 20, T = 0.07) on frozen features; prints top-1.", probe: false);

    private static Command Create(string name, string description, bool probe)
    {
        var checkpoint = new Option<string>("--checkpoint", "-c")
        {
            Description = "A checkpoint file or a pretraining run folder, or a PyTorch (.pth, e.g. MAE's mae_pretrain_vit_base.pth) or safetensors (timm) encoder.",
            Required = true,
        };
        var weights = new WeightOptions();
        var pooling = CommonOptions.Enum<FeaturePooling>("--pooling", "cls ([CLS] token, MAE) or meanpatch.", FeaturePooling.Cls);
        var epochs = CommonOptions.Positive("--epochs", "Probe epochs.", 90);
        var batch = CommonOptions.Positive("--batch-size", "Probe batch size.", 1024);
        var blr = CommonOptions.Ratio("--blr", "Probe base lr (lr = blr × batch / 256).", 0.1, 1e-8, 1e6);
        var sgd = new Option<bool>("--sgd") { Description = "SGD with momentum instead of LARS." };
        var k = CommonOptions.Positive("--k", "Neighbours for kNN.", 20);
        var (data, format, limit, workers, seed, device, configFile, quiet) = (CommonOptions.Data(), CommonOptions.Format(), CommonOptions.Limit(),
            CommonOptions.Workers(), CommonOptions.Seed(), CommonOptions.Device(), CommonOptions.Config(), CommonOptions.Quiet());
        var (threads, precision) = (CommonOptions.Threads(), CommonOptions.Precision());
        var command = new Command(name, description) { checkpoint, pooling, data, format, limit, workers, threads, precision, seed, device, configFile, quiet };
        weights.AddTo(command);
        if (probe)
        {
            command.Options.Add(epochs);
            command.Options.Add(batch);
            command.Options.Add(blr);
            command.Options.Add(sgd);
        }
        else
        {
            command.Options.Add(k);
        }
        command.SetAction(parse =>
        {
            var compute = CommonOptions.Compute(parse, precision, threads, workers);
            using var autocast = compute.Enter();
            using var pretrained = PretrainedEncoder.Load(parse.GetValue(checkpoint)!, weights.Read(parse));
            var o = parse.InvocationConfiguration.Output;
            if (pretrained.Report is not null)
            {
                o.WriteLine(pretrained.Describe());
            }
            var onDevice = new torch.Device(parse.GetValue(device)!);
            pretrained.Encoder.to(onDevice);
            var spec = CommonOptions.Dataset(parse, data, format, limit, pretrained.Encoder.Config.ImageSize, pretrained.Seed);
            var config = new FrozenEvaluationConfig(
                new LinearProbeConfig(parse.GetValue(epochs), Math.Min(10, parse.GetValue(epochs) / 9.0), parse.GetValue(batch), parse.GetValue(blr),
                    Optimizer: parse.GetValue(sgd) ? ProbeOptimizer.Sgd : ProbeOptimizer.Lars, Seed: parse.GetValue(seed)),
                new KnnConfig(parse.GetValue(k)),
                parse.GetValue(pooling), Workers: compute.Threads.Workers, RunProbe: probe, RunKnn: !probe);
            using var log = EvaluationRecorder.ForCheckpoint(parse.GetValue(checkpoint)!, name);
            var opened = CommandData.Open(parse, spec, withTest: true, parse.GetValue(quiet));
            var result = FrozenEvaluation.Run(pretrained.Encoder, opened.Train, opened.Test, config, log?.ProbeEpochs("trained"), onDevice,
                new ConsoleProgress(o, parse.GetValue(quiet), totalEpochs: 0));
            log?.Record("trained", result);
            if (result.Probe is { } p)
            {
                o.WriteLine($"linear probe: top-1 {p.Top1:P2}, top-5 {p.Top5:P2} ({result.TrainImages} train / {result.TestImages} test images, {result.Classes} classes)");
            }
            if (result.Knn is { } kn)
            {
                o.WriteLine($"kNN (k={parse.GetValue(k)}): top-1 {kn.Top1:P2}, top-5 {kn.Top5:P2} ({result.TrainImages} train / {result.TestImages} test images)");
            }
            return 0;
        });
        return command;
    }
}
