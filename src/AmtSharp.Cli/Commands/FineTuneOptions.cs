using System.CommandLine;
using AmtSharp.Cli.Configuration;
using AmtSharp.Data;
using AmtSharp.Data.Transforms;
using AmtSharp.Models.Vit;
using AmtSharp.Training.FineTuning;

namespace AmtSharp.Cli.Commands;

/// <summary>
/// The options of `amt finetune` and how they resolve into a <see cref="FineTuneConfig"/>: the preset (default
/// finetune-cifar), then every option given as a flag or in the --config file. Recipe options have no default of their
/// own, so that the preset decides.
/// </summary>
internal sealed class FineTuneOptions
{
    public readonly Option<string> Preset = new("--preset")
    {
        Description = $"Named recipe: {string.Join(", ", FineTunePresets.Names)}. Default: {FineTunePresets.Default.Name}. See --list-presets.",
    };

    public readonly Option<bool> ListPresets = new("--list-presets") { Description = "List the presets with their key settings and exit." };

    public readonly Option<string> Config = CommonOptions.Config();

    public readonly Option<bool> PrintConfig = new("--print-config") { Description = "Print the resolved configuration as YAML (the --config format) and exit." };

    public readonly Option<string?> Checkpoint = new("--checkpoint", "-c") { Description = "A pretraining checkpoint file or run folder (its newest checkpoint)." };

    public readonly Option<bool> FromScratch = new("--from-scratch") { Description = "Train the classifier from random initialisation (the supervised baseline) instead of a checkpoint." };

    public readonly Option<string> Model = new("--model") { Description = "With --from-scratch: encoder vit_tiny, vit_small, vit_base, vit_large (default: the preset's)." };

    public readonly Option<int> ImageSize = CommonOptions.Int("--image-size", "With --from-scratch: input side in pixels (8-4096).", null, 8, 4096);

    public readonly Option<int> PatchSize = CommonOptions.Int("--patch-size", "With --from-scratch: patch side in pixels (1-512).", null, 1, 512);

    public readonly Option<int> Width = CommonOptions.Int("--width", "With --from-scratch: encoder token width (4-8192, a multiple of --heads).", null, 4, 8192);

    public readonly Option<int> Depth = CommonOptions.Positive("--depth", "With --from-scratch: encoder blocks.", null);

    public readonly Option<int> Heads = CommonOptions.Int("--heads", "With --from-scratch: encoder attention heads (1-256).", null, 1, 256);

    public readonly Option<int> Epochs = CommonOptions.Positive("--epochs", "Fine-tuning epochs; without --warmup-epochs the warm-up keeps the preset's share of the run.", null);

    public readonly Option<double> WarmupEpochs = CommonOptions.Ratio("--warmup-epochs", "Learning-rate warm-up in epochs (less than --epochs).", null, 0, 1e6);

    public readonly Option<int> BatchSize = CommonOptions.Positive("--batch-size", "Images per batch.", null);

    public readonly Option<int> Accum = CommonOptions.Positive("--accum", "Gradient accumulation steps (effective batch = batch × accum); an epoch's last, shorter group averages over the batches it has.", null);

    public readonly Option<double> Blr = CommonOptions.Ratio("--blr", "Base learning rate; lr = blr × effective batch / 256 (AMT's MAE recipe: 1e-3).", null, 1e-8, 10);

    public readonly Option<double> MinLr = CommonOptions.Ratio("--min-lr", "Learning rate at the end of the cosine.", null, 0, 10);

    public readonly Option<double> LayerDecay = CommonOptions.Ratio("--layer-decay", "Layer-wise lr decay: block k gets decay^(depth − k) of the head's lr (1 = off).", null, 1e-6, 1);

    public readonly Option<double> WeightDecay = CommonOptions.Ratio("--weight-decay", "AdamW weight decay (not on biases, norms and tokens).", null, 0, 10);

    public readonly Option<double> DropPath = CommonOptions.Ratio("--drop-path", "Stochastic-depth rate of the last block, rising linearly from 0 at the first (0 = off).", null, 0, 0.99);

    public readonly Option<double> Smoothing = CommonOptions.Ratio("--smoothing", "Label smoothing.", null, 0, 0.99);

    public readonly Option<double> Mixup = CommonOptions.Ratio("--mixup", "Mixup Beta(α, α) parameter (0 = off).", null, 0, 100);

    public readonly Option<double> Cutmix = CommonOptions.Ratio("--cutmix", "CutMix Beta(α, α) parameter (0 = off).", null, 0, 100);

    public readonly Option<double> MixProb = CommonOptions.Ratio("--mix-prob", "Probability that a batch is mixed.", null, 0, 1);

    public readonly Option<double> SwitchProb = CommonOptions.Ratio("--switch-prob", "With both on: probability of cutmix rather than mixup for a batch.", null, 0, 1);

    public readonly Option<VitPooling> Pooling = CommonOptions.Enum<VitPooling>("--pooling", "globalaverage (mean patch token + fc_norm, MAE) or cls ([CLS] after the final norm).");

    public readonly Option<double> ClipGrad = CommonOptions.Ratio("--clip-grad", "Clip the gradient norm (0 = off).", null, 0, 1e6);

    public readonly Option<double> CropScaleMin = CommonOptions.Ratio("--crop-scale-min", "RandomResizedCrop smallest area fraction.", null, 0.01, 1);

    public readonly Option<string> RandAugmentOption = RandAugmentParsed();

    public readonly Option<double> ReProb = CommonOptions.Ratio("--reprob", "Random-erasing probability per image (timm's pixel mode, area 0.02-1/3, aspect 0.3-3.3; 0 = off).", null, 0, 1);

    public readonly Option<int> EvalEvery = CommonOptions.Positive("--eval-every", "Evaluate on the test split every N epochs (always after the last; 0 = only then).", null, allowZero: true);

    public readonly Option<string> Output = new("--output", "-o") { Description = "Run folder (config, metrics, final result, checkpoints).", DefaultValueFactory = _ => System.IO.Path.Combine("runs", "finetune") };

    /// <summary>--resume, --resume-from-older, --overwrite.</summary>
    public readonly RunFolderOptions RunFolder = new();

    public readonly Option<int> KeepCheckpoints = CommonOptions.Positive("--keep-checkpoints", "Keep only the newest N checkpoints (one is written after every epoch), deleting older ones once a newer one is safely written (0 = keep all).", null, allowZero: true);

    public readonly Option<bool> SkipBadImages = new("--skip-bad-images") { Description = "Skip unreadable training images with a warning instead of stopping." };

    public readonly Option<string?> Data = CommonOptions.Data();

    public readonly Option<DatasetFormat> Format = CommonOptions.Format();

    public readonly Option<int> Limit = CommonOptions.Limit();

    public readonly Option<int> Workers = CommonOptions.Workers();

    public readonly Option<int> Threads = CommonOptions.Threads();

    public readonly Option<PrecisionSetting> Precision = CommonOptions.Precision();

    public readonly Option<long> Seed = CommonOptions.Seed(null);

    public readonly Option<string> Device = CommonOptions.Device(null);

    public readonly Option<bool> Quiet = CommonOptions.Quiet();

    /// <summary>Every option, in the order help lists them.</summary>
    public IEnumerable<Option> All =>
    [
        Preset, ListPresets, Config, PrintConfig, Checkpoint, FromScratch, Model, ImageSize, PatchSize, Width, Depth, Heads, Epochs, WarmupEpochs,
        BatchSize, Accum, Blr, MinLr, LayerDecay, WeightDecay, DropPath, Smoothing, Mixup, Cutmix, MixProb, SwitchProb, Pooling, ClipGrad,
        CropScaleMin, RandAugmentOption, ReProb, EvalEvery, Data, Format, Limit, Output, RunFolder.Resume, RunFolder.ResumeFromOlder,
        RunFolder.Overwrite, KeepCheckpoints, SkipBadImages, Workers, Threads, Precision, Seed, Device, Quiet,
    ];

    private IEnumerable<Option> ShapeOptions => [Model, ImageSize, PatchSize, Width, Depth, Heads];

    /// <summary>The preset the run starts from.</summary>
    public FineTunePreset BasePreset(ParseResult parse) =>
        parse.Has(Preset) ? FineTunePresets.Get(parse.GetValue(Preset)!) : FineTunePresets.Default;

    /// <summary>
    /// Preset, then the options given (flags or --config). The encoder is the preset's (or --model's) for --from-scratch;
    /// with a checkpoint the caller replaces it, and the shape options are refused.
    /// </summary>
    public FineTuneConfig Resolve(ParseResult parse)
    {
        bool scratch = parse.GetValue(FromScratch);
        if (scratch && parse.GetValue(Checkpoint) is not null)
        {
            throw new ConfigException("from-scratch", "cannot be combined with --checkpoint");
        }
        if (!scratch && ShapeOptions.FirstOrDefault(parse.Has) is { } shape)
        {
            throw new ConfigException(shape.Name.TrimStart('-'), "only applies with --from-scratch (the checkpoint fixes the encoder)");
        }
        var c = BasePreset(parse).Config;
        var e = c.Encoder;
        if (parse.Has(Model))
        {
            string name = parse.GetValue(Model)!;
            if (!VitConfig.PresetNames.Contains(name))
            {
                throw new ConfigException("model", $"must be one of {string.Join(", ", VitConfig.PresetNames)}, got '{name}'");
            }
            e = VitConfig.Preset(name, e.ImageSize, e.PatchSize);
        }
        e = e with
        {
            ImageSize = parse.Or(ImageSize, e.ImageSize),
            PatchSize = parse.Or(PatchSize, e.PatchSize),
            Width = parse.Or(Width, e.Width),
            Depth = parse.Or(Depth, e.Depth),
            Heads = parse.Or(Heads, e.Heads),
        };
        return c with
        {
            Encoder = e,
            Epochs = parse.Or(Epochs, c.Epochs),
            // With epochs but no warm-up, the warm-up keeps the preset's share of the run (as pretrain does).
            WarmupEpochs = parse.Or(WarmupEpochs, c.WarmupEpochs * parse.Or(Epochs, c.Epochs) / c.Epochs),
            BatchSize = parse.Or(BatchSize, c.BatchSize),
            Accumulation = parse.Or(Accum, c.Accumulation),
            BaseLr = parse.Or(Blr, c.BaseLr),
            MinLr = parse.Or(MinLr, c.MinLr),
            LayerDecay = parse.Or(LayerDecay, c.LayerDecay),
            WeightDecay = parse.Or(WeightDecay, c.WeightDecay),
            DropPath = parse.Or(DropPath, c.DropPath),
            LabelSmoothing = parse.Or(Smoothing, c.LabelSmoothing),
            MixupAlpha = parse.Or(Mixup, c.MixupAlpha),
            CutmixAlpha = parse.Or(Cutmix, c.CutmixAlpha),
            MixProbability = parse.Or(MixProb, c.MixProbability),
            SwitchProbability = parse.Or(SwitchProb, c.SwitchProbability),
            Pooling = parse.Or(Pooling, c.Pooling),
            ClipGrad = parse.Or(ClipGrad, c.ClipGrad),
            CropScaleMin = parse.Or(CropScaleMin, c.CropScaleMin),
            RandAugment = parse.Or(RandAugmentOption, c.RandAugment),
            ReProb = parse.Or(ReProb, c.ReProb),
            EvalEvery = parse.Or(EvalEvery, c.EvalEvery),
            KeepCheckpoints = parse.Or(KeepCheckpoints, c.KeepCheckpoints),
            SkipBadImages = parse.Or(SkipBadImages, c.SkipBadImages),
            Seed = parse.Or(Seed, c.Seed),
            Workers = CommonOptions.PlanThreads(parse, Threads, Workers).Workers,
            Device = parse.Or(Device, c.Device),
        };
    }

    /// <summary>The resolved settings in the --config format: feeding it back gives the same configuration.</summary>
    public string ToYaml(ParseResult parse, FineTuneConfig c)
    {
        var yaml = new SettingsYaml()
            .Comment("amt finetune: resolved configuration. Run it with 'amt finetune --config FILE'; flags override the file.")
            .Add(Preset, BasePreset(parse).Name);
        var e = c.Encoder;
        if (parse.GetValue(Checkpoint) is { } checkpoint)
        {
            yaml.Comment($"encoder from the checkpoint: ViT {e.Width} wide, {e.Depth} blocks, {e.Heads} heads, {e.PatchSize} px patches at {e.ImageSize} px")
                .Add(Checkpoint, checkpoint);
        }
        else if (parse.GetValue(FromScratch))
        {
            yaml.Comment($"encoder from random initialisation: ViT {e.Width} wide, {e.Depth} blocks, {e.Heads} heads, {e.PatchSize} px patches at {e.ImageSize} px")
                .Add(FromScratch, true);
            if (VitConfig.PresetNames.FirstOrDefault(n => VitConfig.Preset(n, e.ImageSize, e.PatchSize) with { Depth = e.Depth } == e) is { } model)
            {
                yaml.Add(Model, model).Add(ImageSize, e.ImageSize).Add(PatchSize, e.PatchSize).Add(Depth, e.Depth);
            }
            else
            {
                yaml.Add(ImageSize, e.ImageSize).Add(PatchSize, e.PatchSize).Add(Width, e.Width).Add(Depth, e.Depth).Add(Heads, e.Heads);
            }
        }
        else
        {
            yaml.Comment($"encoder: a checkpoint's (--checkpoint), or with --from-scratch ViT {e.Width} wide, {e.Depth} blocks, {e.Heads} heads, {e.PatchSize} px patches at {e.ImageSize} px");
        }
        yaml.Comment($"optimisation: AdamW (β₂ {c.Beta2}), lr = blr × {c.EffectiveBatch} / 256 = {c.BaseLr * c.EffectiveBatch / 256:G4}, warm-up then cosine to min-lr; " +
                $"layer-wise decay, weight decay {c.WeightDecay}")
            .Add(Epochs, c.Epochs).Add(WarmupEpochs, c.WarmupEpochs).Add(BatchSize, c.BatchSize).Add(Accum, c.Accumulation)
            .Add(Blr, c.BaseLr).Add(MinLr, c.MinLr).Add(LayerDecay, c.LayerDecay).Add(WeightDecay, c.WeightDecay).Add(ClipGrad, c.ClipGrad)
            .Comment("regularisation and augmentation")
            .Add(DropPath, c.DropPath).Add(Smoothing, c.LabelSmoothing).Add(Mixup, c.MixupAlpha).Add(Cutmix, c.CutmixAlpha)
            .Add(MixProb, c.MixProbability).Add(SwitchProb, c.SwitchProbability).Add(CropScaleMin, c.CropScaleMin)
            .Add(RandAugmentOption, c.RandAugment).Add(ReProb, c.ReProb)
            .Comment("classifier and evaluation")
            .Add(Pooling, c.Pooling).Add(EvalEvery, c.EvalEvery)
            .Comment("run")
            .Add(Seed, c.Seed).Add(Workers, c.Workers).Add(Device, c.Device).Add(KeepCheckpoints, c.KeepCheckpoints)
            .Add(SkipBadImages, c.SkipBadImages).Add(Output, parse.GetValue(Output)!);
        if (parse.GetValue(Data) is { } data)
        {
            yaml.Add(Data, data);
        }
        if (parse.Has(Format))
        {
            yaml.Add(Format, parse.GetValue(Format));
        }
        return yaml.Add(Limit, parse.GetValue(Limit)).ToString();
    }

    // Checked as it is parsed, so a bad value (flag or --config) is one line naming the option (and the file's key).
    private static Option<string> RandAugmentParsed()
    {
        var option = new Option<string>("--rand-augment")
        {
            Description = "RandAugment in timm's format rand-mM-nN-mstdS-inc1 (the recipes: rand-m9-mstd0.5-inc1), or none.",
        };
        option.Validators.Add(r =>
        {
            try
            {
                RandAugment.Validate(r.GetValueOrDefault<string>() ?? "");
            }
            catch (ConfigException e)
            {
                r.AddError(OptionNames.Describe(e));
            }
        });
        return option;
    }
}
