namespace AmtSharp.Models.Vit;

/// <summary>Shape of a Vision Transformer encoder. Everything downstream (grid, prior, masks) follows it.</summary>
/// <param name="ImageSize">Side of the square input in pixels (S).</param>
/// <param name="PatchSize">Side of a patch in pixels (p).</param>
/// <param name="InChannels">Input channels (3 for RGB).</param>
/// <param name="Width">Token width D; divisible by 4 (sin-cos embedding) and by <paramref name="Heads"/>.</param>
/// <param name="Depth">Number of transformer blocks.</param>
/// <param name="Heads">Attention heads.</param>
/// <param name="MlpRatio">MLP hidden width as a multiple of <paramref name="Width"/>.</param>
public sealed record VitConfig(
    int ImageSize = 224,
    int PatchSize = 16,
    int InChannels = 3,
    int Width = 768,
    int Depth = 12,
    int Heads = 12,
    double MlpRatio = 4.0)
{
    /// <summary>Patches per side (G = S / p).</summary>
    public int GridSize => ImageSize / PatchSize;

    /// <summary>Number of patches (L = G²).</summary>
    public int NumPatches => GridSize * GridSize;

    /// <summary>Values per patch (p²·C), the MAE/SimMIM prediction size.</summary>
    public int PatchDim => PatchSize * PatchSize * InChannels;

    public int MlpHidden => (int)Math.Round(Width * MlpRatio);

    public static VitConfig Tiny(int imageSize = 224, int patchSize = 16) => new(imageSize, patchSize, 3, 192, 12, 3);

    public static VitConfig Small(int imageSize = 224, int patchSize = 16) => new(imageSize, patchSize, 3, 384, 12, 6);

    public static VitConfig Base(int imageSize = 224, int patchSize = 16) => new(imageSize, patchSize, 3, 768, 12, 12);

    public static VitConfig Large(int imageSize = 224, int patchSize = 16) => new(imageSize, patchSize, 3, 1024, 24, 16);

    /// <summary>The names <see cref="Preset"/> knows.</summary>
    public static IReadOnlyList<string> PresetNames { get; } = ["vit_tiny", "vit_small", "vit_base", "vit_large"];

    /// <summary>Looks a preset up by its timm-style name (vit_tiny, vit_small, vit_base, vit_large).</summary>
    public static VitConfig Preset(string name, int imageSize, int patchSize) => name switch
    {
        "vit_tiny" => Tiny(imageSize, patchSize),
        "vit_small" => Small(imageSize, patchSize),
        "vit_base" => Base(imageSize, patchSize),
        "vit_large" => Large(imageSize, patchSize),
        _ => throw new ConfigException("Model", $"unknown preset '{name}' (expected vit_tiny, vit_small, vit_base or vit_large)"),
    };

    /// <summary>Throws a <see cref="ConfigException"/> naming the first impossible setting.</summary>
    public VitConfig Validate(string prefix = "")
    {
        Require(ImageSize > 0, prefix + nameof(ImageSize), $"must be positive, got {ImageSize}");
        Require(PatchSize > 0, prefix + nameof(PatchSize), $"must be positive, got {PatchSize}");
        Require(ImageSize % PatchSize == 0, prefix + nameof(PatchSize), $"{PatchSize} does not divide the image size {ImageSize}");
        Require(InChannels > 0, prefix + nameof(InChannels), $"must be positive, got {InChannels}");
        Require(Depth > 0, prefix + nameof(Depth), $"must be positive, got {Depth}");
        Require(Heads > 0, prefix + nameof(Heads), $"must be positive, got {Heads}");
        Require(Width > 0 && Width % 4 == 0, prefix + nameof(Width), $"must be a positive multiple of 4 (2-D sin-cos embedding), got {Width}");
        Require(Width % Heads == 0, prefix + nameof(Heads), $"{Heads} heads do not divide the width {Width}");
        Require(MlpRatio > 0, prefix + nameof(MlpRatio), $"must be positive, got {MlpRatio}");
        return this;
    }

    private static void Require(bool ok, string setting, string message)
    {
        if (!ok)
        {
            throw new ConfigException(setting, message);
        }
    }
}
