using System.CommandLine;
using AmtSharp.Data;

namespace AmtSharp.Cli.Commands;

/// <summary>Options several commands share, each with help text and a checked range.</summary>
internal static class CommonOptions
{
    public static Option<string?> Data() => new("--data")
    {
        Description = "Dataset folder (ImageFolder with train/ and test/, or the format's official layout). Omit for the embedded synthetic dataset.",
    };

    public static Option<DatasetFormat> Format() => new("--data-format")
    {
        Description = "Dataset layout: synthetic, folder, unlabelled, cifar10, cifar100, stl10, tinyimagenet. Default: folder when --data is given, else synthetic.",
    };

    public static Option<int> Limit() => Positive("--limit", "Use this many training images (evenly spaced, class-balanced for sorted folders); synthetic: the train size. 0 = all.", 0, allowZero: true);

    public static Option<int> Workers() => Positive("--workers", "Data-loading threads.", 2);

    public static Option<long> Seed() => new("--seed") { Description = "Seed for data order, augmentation, masking and initialisation.", DefaultValueFactory = _ => 0 };

    public static Option<string> Device() => new("--device") { Description = "cpu, or cuda / cuda:N when built with -p:TorchBackend=cuda.", DefaultValueFactory = _ => "cpu" };

    public static Option<bool> Quiet() => new("--quiet", "-q") { Description = "Print only the final summary." };

    public static Option<int> Positive(string name, string description, int defaultValue, bool allowZero = false)
    {
        var option = new Option<int>(name) { Description = description, DefaultValueFactory = _ => defaultValue };
        option.Validators.Add(r =>
        {
            int v = r.GetValueOrDefault<int>();
            if (v < 0 || (!allowZero && v == 0))
            {
                r.AddError($"{name} must be {(allowZero ? "0 or more" : "at least 1")}, got {v}");
            }
        });
        return option;
    }

    public static Option<double> Ratio(string name, string description, double defaultValue, double min, double max)
    {
        var option = new Option<double>(name) { Description = description, DefaultValueFactory = _ => defaultValue };
        option.Validators.Add(r =>
        {
            double v = r.GetValueOrDefault<double>();
            if (!(v >= min && v <= max))
            {
                r.AddError($"{name} must be in [{min}, {max}], got {v}");
            }
        });
        return option;
    }

    public static DatasetSpec Dataset(ParseResult parse, Option<string?> data, Option<DatasetFormat> format, Option<int> limit, int syntheticSize = 32, long seed = 0)
    {
        string? root = parse.GetValue(data);
        var f = parse.GetResult(format) is { Implicit: false } ? parse.GetValue(format)
            : root is null ? DatasetFormat.Synthetic : DatasetFormat.Folder;
        return new DatasetSpec(f, root, parse.GetValue(limit), syntheticSize, seed);
    }
}
