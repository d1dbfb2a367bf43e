using System.Text.RegularExpressions;
using AmtSharp.Training;
using AmtSharp.Training.Pretraining;

namespace AmtSharp.Cli;

/// <summary>
/// The one place where the library's setting names (configuration property names, as <see cref="ConfigException"/>
/// and <see cref="RunStoppedException"/> speak) become the flags of `amt`, so every message names what the user types.
/// </summary>
internal static class OptionNames
{
    /// <summary>Setting → long option (without the dashes), for every setting a flag sets.</summary>
    public static IReadOnlyDictionary<string, string> Flags { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        // Runs and data
        ["Data"] = "data",
        ["Root"] = "data",
        ["Format"] = "data-format",
        ["Output"] = "output",
        ["Preset"] = "preset",
        ["Resume"] = "resume",
        ["Workers"] = "workers",
        ["MmapThreshold"] = "mmap-threshold",
        // Model
        ["Model"] = "model",
        ["ImageSize"] = "image-size",
        ["PatchSize"] = "patch-size",
        ["Width"] = "width",
        ["Depth"] = "depth",
        ["Heads"] = "heads",
        ["MlpRatio"] = "mlp-ratio",
        ["DecoderWidth"] = "decoder-width",
        ["DecoderDepth"] = "decoder-depth",
        ["DecoderHeads"] = "decoder-heads",
        ["MaskUnit"] = "mask-unit",
        // Optimisation
        ["Epochs"] = "epochs",
        ["BatchSize"] = "batch-size",
        ["Accumulation"] = "accum",
        ["BaseLr"] = "blr",
        ["MinLr"] = "min-lr",
        ["WarmupEpochs"] = "warmup-epochs",
        ["WeightDecay"] = "weight-decay",
        ["Beta2"] = "beta2",
        ["ClipGrad"] = "clip-grad",
        ["LayerDecay"] = "layer-decay",
        ["DropPath"] = "drop-path",
        ["KeepCheckpoints"] = "keep-checkpoints",
        ["CheckpointEvery"] = "checkpoint-every",
        ["EvalEvery"] = "eval-every",
        // Augmentation
        ["CropScaleMin"] = "crop-scale-min",
        ["RandAugment"] = "rand-augment",
        ["LabelSmoothing"] = "smoothing",
        ["MixupAlpha"] = "mixup",
        ["CutmixAlpha"] = "cutmix",
        ["MixProbability"] = "mix-prob",
        ["SwitchProbability"] = "switch-prob",
        ["ReProb"] = "reprob",
        ["Pooling"] = "pooling",
        // Masking and AMT
        ["MaskRatio"] = "mask-ratio",
        ["ThrowRatio"] = "throw-ratio",
        ["WarmupMaskRatio"] = "warmup-mask-ratio",
        ["Variant"] = "amt-variant",
        ["StartFraction"] = "amt-start-fraction",
        ["RefreshFraction"] = "amt-refresh-fraction",
        ["StartEpoch"] = "amt-start-epoch",
        ["RefreshInterval"] = "amt-refresh-interval",
        ["PriorCrop"] = "prior-crop",
        ["PriorBatchSize"] = "prior-batch-size",
        // Benchmarks
        ["Methods"] = "methods",
        ["Steps"] = "steps",
        ["WarmupSteps"] = "warmup-steps",
        ["MemoryAt"] = "memory-at",
    };

    /// <summary>
    /// The long option for a setting. A setting no flag sets (or an error the command line raised about its own
    /// flag) is spelled in kebab case.
    /// </summary>
    public static string Flag(string setting) =>
        Flags.TryGetValue(setting, out var flag) ? flag : Regex.Replace(setting, "(?<=[a-z0-9])([A-Z])", "-$1").ToLowerInvariant();

    /// <summary>The error as `amt` prints it: "--flag: problem", with the settings the problem names spelled as flags.</summary>
    public static string Describe(ConfigException e) =>
        $"--{Flag(e.Setting)}: " + e.Related.Distinct().Aggregate(e.Problem, (text, setting) =>
            Regex.Replace(text, $@"(?<![\w-]){Regex.Escape(setting)}(?![\w-])", "--" + Flag(setting)));

    /// <summary>A stopped run, with the command line's advice for going on.</summary>
    public static string Describe(RunStoppedException e)
    {
        string lower = "--" + Flag(nameof(PretrainConfig.BaseLr)), clip = "--" + Flag(nameof(PretrainConfig.ClipGrad));
        return e.LastFiniteCheckpoint is not { } last
            ? $"{e.Problem} No checkpoint was written yet: start again (--overwrite) with a lower {lower} or with {clip}."
            : $"{e.Problem} The last finite checkpoint is {last}: continue from it with --resume and a lower {lower}, or start again with {clip}.";
    }
}
