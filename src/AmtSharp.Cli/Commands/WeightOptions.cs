using System.CommandLine;
using AmtSharp.Models.Interop;

namespace AmtSharp.Cli.Commands;

/// <summary>Options for loading an encoder from a PyTorch / safetensors file (and for resizing any encoder).</summary>
internal sealed class WeightOptions
{
    private readonly Option<int?> _heads = new("--heads")
    {
        Description = "PyTorch / safetensors files: attention heads (shapes do not show them). Default: from our export's metadata, else MAE's args (args.model), else width / 64 (16 for ViT-H) with a warning.",
    };

    private readonly Option<int?> _imageSize = new("--image-size")
    {
        Description = "Build the encoder for this image size; the position embedding is resized bicubically to the new patch grid. Default: the checkpoint's.",
    };

    private readonly Option<bool> _nonStrict = new("--non-strict")
    {
        Description = "PyTorch / safetensors files: load what fits; keys missing from the file keep their initial values, layers this ViT lacks are skipped (both reported).",
    };

    private bool withImageSize = true;

    /// <summary>Adds the options; <paramref name="imageSize"/> false for commands whose --image-size means something else.</summary>
    public void AddTo(Command command, bool imageSize = true)
    {
        withImageSize = imageSize;
        command.Options.Add(_heads);
        if (imageSize)
        {
            command.Options.Add(_imageSize);
        }
        command.Options.Add(_nonStrict);
    }

    public InteropOptions Read(ParseResult parse) =>
        new(Heads: parse.GetValue(_heads), ImageSize: withImageSize ? parse.GetValue(_imageSize) : null, Strict: !parse.GetValue(_nonStrict));

    public bool ImageSizeGiven(ParseResult parse) => parse.GetValue(_imageSize) is not null;
}
