using System.CommandLine;
using AmtSharp.Amt;
using AmtSharp.Cli.Configuration;
using AmtSharp.Core;
using AmtSharp.Data;
using AmtSharp.Masking;
using AmtSharp.Models.Vit;
using AmtSharp.Training.Pretraining;

namespace AmtSharp.Cli.Commands;

/// <summary>
/// The options of `amt pretrain` and how they resolve into a <see cref="PretrainConfig"/>: start from the preset
/// (or the method's CPU-sized default), then apply every option that was given, as a flag or in the --config file.
/// Options that the preset decides have no default of their own.
/// </summary>
internal sealed class PretrainOptions
{
    public readonly Option<string> Preset = OneOf("--preset", PretrainPresets.Names,
        $"Named model + recipe: {string.Join(", ", PretrainPresets.Names)}. Default: cifar-mae-amt, or cifar-simmim-amt with --method simmim. See --list-presets.");

    public readonly Option<bool> ListPresets = new("--list-presets") { Description = "List the presets with their key settings and exit." };

    public readonly Option<MimMethod> Method = CommonOptions.Enum<MimMethod>("--method", "mae or simmim (must match the preset's).");

    public readonly Option<string> Model = OneOf("--model", VitConfig.PresetNames,
        "Encoder shape: vit_tiny, vit_small, vit_base, vit_large (--width, --depth, --heads refine it).");

    public readonly Option<int> ImageSize = CommonOptions.Int("--image-size", "Input side in pixels (8-4096).", null, 8, 4096);

    public readonly Option<int> PatchSize = CommonOptions.Int("--patch-size", "Patch side in pixels (1-512); must divide --image-size.", null, 1, 512);

    public readonly Option<int> Width = CommonOptions.Int("--width", "Encoder token width (4-8192, a multiple of 4 and of --heads).", null, 4, 8192);

    public readonly Option<int> Depth = CommonOptions.Int("--depth", "Encoder blocks (1-128).", null, 1, 128);

    public readonly Option<int> Heads = CommonOptions.Int("--heads", "Encoder attention heads (1-256).", null, 1, 256);

    public readonly Option<double> MlpRatio = CommonOptions.Ratio("--mlp-ratio", "Encoder MLP width as a multiple of --width.", null, 0.25, 16);

    public readonly Option<int> DecoderWidth = CommonOptions.Int("--decoder-width", "MAE decoder width (paper: 512).", null, 4, 8192);

    public readonly Option<int> DecoderDepth = CommonOptions.Int("--decoder-depth", "MAE decoder blocks (paper: 8).", null, 1, 64);

    public readonly Option<int> DecoderHeads = CommonOptions.Int("--decoder-heads", "MAE decoder heads (paper: 16; default with --decoder-width: width / 32).", null, 1, 256);

    public readonly Option<bool> NoNormPix = new("--no-norm-pix") { Description = "MAE: plain pixel targets instead of per-patch normalised ones." };

    public readonly Option<int> MaskUnit = CommonOptions.Int("--mask-unit", "SimMIM mask-unit side in pixels, a multiple of the patch (paper: 32; 0 = twice the patch).", null, 0, 4096);

    public readonly Option<int> Epochs = CommonOptions.Positive("--epochs", "Training epochs; without --warmup-epochs the warm-up keeps the preset's share of the run.", null);

    public readonly Option<int> BatchSize = CommonOptions.Positive("--batch-size", "Images per step.", null);

    public readonly Option<int> Accum = CommonOptions.Positive("--accum", "Gradient accumulation steps (effective batch = batch × accum); an epoch's last, shorter group averages over the batches it has.", null);

    public readonly Option<double> Blr = CommonOptions.Ratio("--blr", "Base learning rate; lr = blr × effective batch / 256.", null, 1e-8, 10);

    public readonly Option<double> MinLr = CommonOptions.Ratio("--min-lr", "Learning rate at the end of the cosine (absolute).", null, 0, 10);

    public readonly Option<double> WarmupEpochs = CommonOptions.Ratio("--warmup-epochs", "Learning-rate warm-up in epochs (fractions allowed; less than --epochs).", null, 0, 1e6);

    public readonly Option<double> WeightDecay = CommonOptions.Ratio("--weight-decay", "AdamW weight decay (not on biases, norms and tokens).", null, 0, 10);

    public readonly Option<double> Beta2 = CommonOptions.Fraction("--beta2", "AdamW β₂ (MAE 0.95, SimMIM 0.999).", allowZero: true);

    public readonly Option<double> ClipGrad = CommonOptions.Ratio("--clip-grad", "Clip the gradient norm (0 = off; SimMIM 5).", null, 0, 1e6);

    public readonly Option<double> CropScaleMin = CommonOptions.Fraction("--crop-scale-min", "RandomResizedCrop's smallest area share (MAE 0.2, SimMIM 0.67).", allowOne: true);

    public readonly Option<bool> NoAmt = new("--no-amt") { Description = "Plain random masking throughout (the baseline)." };

    public readonly Option<double> MaskRatio = CommonOptions.Fraction("--mask-ratio", "AMT mask ratio r (MAE 0.45, SimMIM 0.44); with --no-amt the random mask ratio (0.75 / 0.6).");

    public readonly Option<double> ThrowRatio = CommonOptions.Fraction("--throw-ratio", "AMT throw ratio t (MAE 0.40, SimMIM 0.26); 0 = attention-driven masking only.", allowZero: true);

    public readonly Option<double> WarmupMaskRatio = CommonOptions.Fraction("--warmup-mask-ratio", "Random mask ratio before AMT starts (MAE 0.75, SimMIM 0.6).");

    public readonly Option<AmtVariant> Variant = CommonOptions.Enum<AmtVariant>("--amt-variant", "Ablation: attention (AMT), inverted, randomwiththrowing, throwhighest, topk.");

    public readonly Option<PriorCrop> PriorCrop = CommonOptions.Enum<PriorCrop>("--prior-crop",
        "How each crop and flip carry the prior onto the patches: exact (the crop's own region, default) or official (the released code's top-left slice, for replication).");

    public readonly Option<int> StartEpoch = CommonOptions.Positive("--amt-start-epoch", "First epoch with AMT (overrides --amt-start-fraction).", null);

    public readonly Option<int> RefreshInterval = CommonOptions.Positive("--amt-refresh-interval", "Epochs between prior refreshes (overrides --amt-refresh-fraction).", null);

    public readonly Option<double> StartFraction = CommonOptions.Fraction("--amt-start-fraction", "AMT starts after this share of the epochs (MAE 0.1, SimMIM 0.2).", allowZero: true);

    public readonly Option<double> RefreshFraction = CommonOptions.Fraction("--amt-refresh-fraction", "The prior is refreshed every this share of the epochs (MAE 0.1, SimMIM 0.2).", allowOne: true);

    public readonly Option<int> PriorBatchSize = CommonOptions.Positive("--prior-batch-size", "Images per batch of the attention-prior pass.", null);

    public readonly Option<string> Output = new("--output", "-o") { Description = "Run folder (config, metrics, checkpoints).", DefaultValueFactory = _ => Path.Combine("runs", "pretrain") };

    /// <summary>--resume, --resume-from-older, --overwrite.</summary>
    public readonly RunFolderOptions RunFolder = new();

    public Option<bool> Resume => RunFolder.Resume;

    public Option<bool> ResumeFromOlder => RunFolder.ResumeFromOlder;

    public Option<bool> Overwrite => RunFolder.Overwrite;

    public readonly Option<int> CheckpointEvery = CommonOptions.Positive("--checkpoint-every", "Checkpoint every N epochs (0 = only at the end).", null, allowZero: true);

    public readonly Option<int> KeepCheckpoints = CommonOptions.Positive("--keep-checkpoints", "Keep only the newest N checkpoints, deleting older ones after each new one is safely written (0 = keep all).", null, allowZero: true);

    public readonly Option<bool> SkipBadImages = new("--skip-bad-images") { Description = "Skip unreadable images with a warning instead of stopping." };

    public readonly Option<bool> PrintConfig = new("--print-config") { Description = "Print the resolved configuration as YAML (the --config format) and exit." };

    public readonly Option<string> Config = CommonOptions.Config();

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
        Preset, ListPresets, Config, PrintConfig, Method, Model, ImageSize, PatchSize, Width, Depth, Heads, MlpRatio,
        DecoderWidth, DecoderDepth, DecoderHeads, NoNormPix, MaskUnit, NoAmt, MaskRatio, ThrowRatio, WarmupMaskRatio, Variant,
        PriorCrop, StartEpoch, RefreshInterval, StartFraction, RefreshFraction, PriorBatchSize, Epochs, BatchSize, Accum, Blr, MinLr,
        WarmupEpochs, WeightDecay, Beta2, ClipGrad, CropScaleMin, Data, Format, Limit, Output, Resume, ResumeFromOlder, Overwrite, CheckpointEvery, KeepCheckpoints,
        SkipBadImages, Workers, Threads, Precision, Seed, Device, Quiet,
    ];

    private IEnumerable<Option> AmtOnly => [ThrowRatio, WarmupMaskRatio, Variant, PriorCrop, StartEpoch, RefreshInterval, StartFraction, RefreshFraction];

    private IEnumerable<Option> MaeOnly => [DecoderWidth, DecoderDepth, DecoderHeads, NoNormPix];

    /// <summary>The intra-op threads and loader workers of this run (pure: applying them is the command's job).</summary>
    public ThreadPlan PlanThreads(ParseResult parse) => CommonOptions.PlanThreads(parse, Threads, Workers);

    /// <summary>The preset the run starts from.</summary>
    public PretrainPreset BasePreset(ParseResult parse) => parse.Has(Preset)
        ? PretrainPresets.Get(parse.GetValue(Preset)!)
        : PretrainPresets.DefaultFor(parse.Or(Method, MimMethod.Mae));

    /// <summary>Preset, then the options given (flags or --config); throws <see cref="ConfigException"/> on conflicts.</summary>
    public PretrainConfig Resolve(ParseResult parse)
    {
        var preset = BasePreset(parse);
        var c = preset.Config;
        if (parse.Has(Method) && parse.GetValue(Method) != c.Method)
        {
            throw new ConfigException("method", $"{Lower(parse.GetValue(Method))} does not match the preset '{preset.Name}' ({Lower(c.Method)}); pick a {Lower(parse.GetValue(Method))} preset (see --list-presets)");
        }
        // Settings the method ignores are refused rather than silently dropped.
        IEnumerable<Option> ignored = c.Method == MimMethod.Mae ? [MaskUnit] : MaeOnly;
        if (ignored.FirstOrDefault(parse.Has) is { } other)
        {
            throw new ConfigException(other.Name[2..], $"does not apply to {Lower(c.Method)}");
        }
        c = c.WithEpochs(parse.Or(Epochs, c.Epochs)) with
        {
            Encoder = ResolveEncoder(parse, c.Encoder),
            DecoderWidth = parse.Or(DecoderWidth, c.DecoderWidth),
            DecoderDepth = parse.Or(DecoderDepth, c.DecoderDepth),
            // MAE keeps 32-wide decoder heads (512 / 16); a new width without heads follows that rule.
            DecoderHeads = parse.Or(DecoderHeads, parse.Has(DecoderWidth) ? Math.Max(1, parse.GetValue(DecoderWidth) / 32) : c.DecoderHeads),
            NormPixLoss = !parse.Or(NoNormPix, !c.NormPixLoss),
            MaskUnit = parse.Or(MaskUnit, c.MaskUnit),
            BatchSize = parse.Or(BatchSize, c.BatchSize),
            Accumulation = parse.Or(Accum, c.Accumulation),
            BaseLr = parse.Or(Blr, c.BaseLr),
            MinLr = parse.Or(MinLr, c.MinLr),
            WeightDecay = parse.Or(WeightDecay, c.WeightDecay),
            Beta2 = parse.Or(Beta2, c.Beta2),
            ClipGrad = parse.Or(ClipGrad, c.ClipGrad),
            CropScaleMin = parse.Or(CropScaleMin, c.CropScaleMin),
            PriorBatchSize = parse.Or(PriorBatchSize, c.PriorBatchSize),
            CheckpointEvery = parse.Or(CheckpointEvery, c.CheckpointEvery),
            KeepCheckpoints = parse.Or(KeepCheckpoints, c.KeepCheckpoints),
            SkipBadImages = parse.Or(SkipBadImages, c.SkipBadImages),
            Seed = parse.Or(Seed, c.Seed),
            Workers = PlanThreads(parse).Workers,
            Device = parse.Or(Device, c.Device),
            Precision = CommonOptions.Resolve(parse.GetValue(Precision)),
        };
        c = c with { WarmupEpochs = parse.Or(WarmupEpochs, c.WarmupEpochs) };
        return ResolveMasking(parse, c);
    }

    /// <summary>The resolved settings in the --config format: feeding it back gives the same configuration.</summary>
    public string ToYaml(ParseResult parse, PretrainConfig c)
    {
        var yaml = new SettingsYaml()
            .Comment("amt pretrain: resolved configuration. Run it with 'amt pretrain --config FILE'; flags override the file.")
            .Add(Preset, BasePreset(parse).Name)
            .Add(Method, c.Method);
        var e = c.Encoder;
        yaml.Comment($"encoder: ViT {e.Width} wide, {e.Depth} blocks, {e.Heads} heads, {e.PatchSize} px patches at {e.ImageSize} px ({e.NumPatches} patches)");
        string? model = VitConfig.PresetNames.FirstOrDefault(n => VitConfig.Preset(n, e.ImageSize, e.PatchSize) with { Depth = e.Depth } == e);
        if (model is not null)
        {
            yaml.Add(Model, model).Add(ImageSize, e.ImageSize).Add(PatchSize, e.PatchSize);
            if (e.Depth != VitConfig.Preset(model, e.ImageSize, e.PatchSize).Depth)
            {
                yaml.Add(Depth, e.Depth);
            }
        }
        else
        {
            yaml.Add(ImageSize, e.ImageSize).Add(PatchSize, e.PatchSize).Add(Width, e.Width).Add(Depth, e.Depth).Add(Heads, e.Heads).Add(MlpRatio, e.MlpRatio);
        }
        if (c.Method == MimMethod.Mae)
        {
            yaml.Comment("MAE decoder and target")
                .Add(DecoderWidth, c.DecoderWidth).Add(DecoderDepth, c.DecoderDepth).Add(DecoderHeads, c.DecoderHeads).Add(NoNormPix, !c.NormPixLoss);
        }
        else
        {
            yaml.Comment($"SimMIM mask units: {c.SimMimModel.ResolvedMaskUnit} px").Add(MaskUnit, c.MaskUnit);
        }
        var grid = MimFactory.Grid(c);
        if (c.Amt is { } amt)
        {
            yaml.Comment($"masking: AMT, {amt.Counts(grid.Cells)} of {grid.Cells} cells; random {amt.WarmupMaskRatio} until epoch {amt.ResolveStart(c.Epochs)}, prior refreshed every {amt.ResolveInterval(c.Epochs)} epochs")
                .Add(NoAmt, false).Add(MaskRatio, amt.MaskRatio).Add(ThrowRatio, amt.ThrowRatio).Add(WarmupMaskRatio, amt.WarmupMaskRatio)
                .Add(Variant, amt.Variant).Add(PriorCrop, amt.PriorCrop).Add(StartFraction, amt.StartFraction).Add(RefreshFraction, amt.RefreshFraction);
            if (amt.StartEpoch is int s)
            {
                yaml.Add(StartEpoch, s);
            }
            if (amt.RefreshInterval is int k)
            {
                yaml.Add(RefreshInterval, k);
            }
            yaml.Add(PriorBatchSize, c.PriorBatchSize);
        }
        else
        {
            yaml.Comment($"masking: random, {c.MaskRatio} of {grid.Cells} cells (the baseline)").Add(NoAmt, true).Add(MaskRatio, c.MaskRatio);
        }
        yaml.Comment($"optimisation: AdamW, lr = blr × {c.EffectiveBatch} / 256 = {c.BaseLr * c.EffectiveBatch / 256:G4}, cosine to min-lr after the warm-up")
            .Add(Epochs, c.Epochs).Add(BatchSize, c.BatchSize).Add(Accum, c.Accumulation).Add(Blr, c.BaseLr).Add(MinLr, c.MinLr)
            .Add(WarmupEpochs, c.WarmupEpochs).Add(WeightDecay, c.WeightDecay).Add(Beta2, c.Beta2).Add(ClipGrad, c.ClipGrad)
            .Add(CropScaleMin, c.CropScaleMin)
            .Comment("run")
            .Add(Seed, c.Seed).Add(Workers, c.Workers).Add(Device, c.Device).Add(Precision, c.Precision == ComputePrecision.Bf16 ? PrecisionSetting.Bf16 : PrecisionSetting.Fp32).Add(CheckpointEvery, c.CheckpointEvery).Add(KeepCheckpoints, c.KeepCheckpoints)
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

    private VitConfig ResolveEncoder(ParseResult parse, VitConfig e)
    {
        if (parse.Has(Model))
        {
            e = VitConfig.Preset(parse.GetValue(Model)!, e.ImageSize, e.PatchSize);
        }
        return e with
        {
            ImageSize = parse.Or(ImageSize, e.ImageSize),
            PatchSize = parse.Or(PatchSize, e.PatchSize),
            Width = parse.Or(Width, e.Width),
            Depth = parse.Or(Depth, e.Depth),
            Heads = parse.Or(Heads, e.Heads),
            MlpRatio = parse.Or(MlpRatio, e.MlpRatio),
        };
    }

    private PretrainConfig ResolveMasking(ParseResult parse, PretrainConfig c)
    {
        if (parse.Or(NoAmt, c.Amt is null))
        {
            if (AmtOnly.FirstOrDefault(parse.Has) is { } amtOption)
            {
                throw new ConfigException(amtOption.Name[2..], "applies only with AMT (drop --no-amt, or pick an AMT preset)");
            }
            return c with { Amt = null, MaskRatio = parse.Or(MaskRatio, c.MaskRatio) };
        }
        // A baseline preset with --no-amt false gets the method's AMT settings.
        var amt = c.Amt ?? (c.Method == MimMethod.Mae ? AmtConfig.ForMae() : AmtConfig.ForSimMim());
        return c with
        {
            Amt = amt with
            {
                MaskRatio = parse.Or(MaskRatio, amt.MaskRatio),
                ThrowRatio = parse.Or(ThrowRatio, amt.ThrowRatio),
                WarmupMaskRatio = parse.Or(WarmupMaskRatio, amt.WarmupMaskRatio),
                Variant = parse.Or(Variant, amt.Variant),
                PriorCrop = parse.Or(PriorCrop, amt.PriorCrop),
                StartFraction = parse.Or(StartFraction, amt.StartFraction),
                RefreshFraction = parse.Or(RefreshFraction, amt.RefreshFraction),
                StartEpoch = parse.Has(StartEpoch) ? parse.GetValue(StartEpoch) : amt.StartEpoch,
                RefreshInterval = parse.Has(RefreshInterval) ? parse.GetValue(RefreshInterval) : amt.RefreshInterval,
            },
        };
    }

    private static string Lower(MimMethod m) => m.ToString().ToLowerInvariant();

    private static Option<string> OneOf(string name, IReadOnlyList<string> allowed, string description)
    {
        var option = new Option<string>(name) { Description = description };
        option.Validators.Add(r =>
        {
            string v = r.GetValueOrDefault<string>() ?? "";
            if (!allowed.Contains(v))
            {
                r.AddError($"{name} must be one of {string.Join(", ", allowed)}, got '{v}'");
            }
        });
        return option;
    }
}
