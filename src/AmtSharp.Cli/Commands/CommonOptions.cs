using System.CommandLine;
using System.Globalization;
using System.Text.RegularExpressions;
using AmtSharp.Cli.Configuration;
using AmtSharp.Core;
using AmtSharp.Data;
using AmtSharp.Models;
using AmtSharp.Training.Runs;
using TorchSharp;

namespace AmtSharp.Cli.Commands;

/// <summary>Options several commands share, each with help text and a checked range.</summary>
internal static partial class CommonOptions
{
    public static Option<string?> Data() => new("--data")
    {
        Description = "Dataset folder (ImageFolder with train/ and test/, or the official CIFAR, STL-10 or Tiny ImageNet layout; detected). Omit for the embedded synthetic dataset.",
    };

    public static Option<DatasetFormat> Format() => Enum<DatasetFormat>("--data-format",
        "Dataset layout: synthetic, folder, unlabelled, cifar10, cifar100, stl10, tinyimagenet. Default: detected from the files of --data (see 'amt data inspect'), else synthetic.");

    public static Option<int> Limit() => Positive("--limit", "Use this many training images (evenly spaced, class-balanced for sorted folders); synthetic: the train size. 0 = all.", 0, allowZero: true);

    public static Option<int> Workers() => Int("--workers", "Data-loading threads (1-256; default: chosen with --threads so that together they fit the cores).", null, 1, 256);

    public static Option<long> Seed(long? defaultValue = 0) =>
        Parsed("--seed", "Seed (0 or more) for data order, augmentation, masking and initialisation.", defaultValue, "a whole number, 0 or more",
            t => (long.TryParse(t, NumberStyles.Integer, CultureInfo.InvariantCulture, out long v) && v >= 0, v));

    public static Option<string> Device(string? defaultValue = "cpu")
    {
        var option = new Option<string>("--device") { Description = "cpu, or cuda / cuda:N when built with -p:TorchBackend=cuda." };
        if (defaultValue is not null)
        {
            option.DefaultValueFactory = _ => defaultValue;
        }
        option.Validators.Add(r =>
        {
            string v = r.GetValueOrDefault<string>() ?? "";
            if (!DevicePattern().IsMatch(v))
            {
                r.AddError($"--device must be cpu, cuda or cuda:N, got '{v}'");
            }
            else if (v.StartsWith("cuda", StringComparison.Ordinal) && !torch.cuda.is_available())
            {
                r.AddError($"--device {v}: CUDA is not available (this is the CPU build; build with -p:TorchBackend=cuda on a machine with a GPU)");
            }
        });
        return option;
    }

    public static Option<int> Threads() => Int("--threads",
        "Torch intra-op threads (1-1024; 0 = choose them with the loader workers so that together they fit the cores). 1 keeps throughput steady when other work shares the cores.", 0, 0, 1024);

    public static Option<PrecisionSetting> Precision() => Enum<PrecisionSetting>("--precision",
        "Matrix products in fp32, or bf16 (mixed precision: weights, optimizer state, norms, softmax and loss stay fp32); auto = bf16 only where the CPU has native bf16 and it measures faster (see amt info).",
        PrecisionSetting.Auto);

    /// <summary>fp32 or bf16; auto resolved for this machine (<see cref="PrecisionSupport.Auto"/>).</summary>
    public static ComputePrecision Resolve(PrecisionSetting setting) => setting switch
    {
        PrecisionSetting.Fp32 => ComputePrecision.Fp32,
        PrecisionSetting.Bf16 => ComputePrecision.Bf16,
        _ => PrecisionSupport.Auto.Precision,
    };

    /// <summary>
    /// The thread plan of the given --threads and --workers (<paramref name="workers"/> null: the command runs no
    /// loader); values not given are chosen by <see cref="ThreadPlanner"/>.
    /// </summary>
    public static ThreadPlan PlanThreads(ParseResult parse, Option<int> threads, Option<int>? workers) => ThreadPlanner.Plan(
        ThreadPlanner.AvailableCores,
        parse.GetValue(threads) is int t and > 0 ? t : null,
        workers is not null && parse.Has(workers) ? parse.GetValue(workers) : null,
        loader: workers is not null);

    /// <summary>Sets torch's intra-op threads to the plan's and prints its note, if any.</summary>
    public static ThreadPlan ApplyThreads(ThreadPlan plan, TextWriter output)
    {
        torch.set_num_threads(plan.IntraOpThreads);
        if (plan.Warning is { } warning)
        {
            output.WriteLine(warning);
        }
        return plan;
    }

    /// <summary>Plans and applies the threads and resolves the precision: what a command that computes does first.</summary>
    /// <summary>
    /// The precision of a run resumed in <paramref name="folder"/>: without --precision, the one the run started with
    /// (`auto` is measured in each process and can differ under load, which would break an exact resume); else
    /// <paramref name="resolved"/>.
    /// </summary>
    public static ComputePrecision ForResume(ParseResult parse, Option<PrecisionSetting> precision, string folder, ComputePrecision resolved) =>
        parse.GetValue(precision) == PrecisionSetting.Auto && RunFolder.SavedPrecision(folder) is { } saved ? saved : resolved;

    public static ComputeSettings Compute(ParseResult parse, Option<PrecisionSetting> precision, Option<int> threads, Option<int>? workers) =>
        new(Resolve(parse.GetValue(precision)), ApplyThreads(PlanThreads(parse, threads, workers), parse.InvocationConfiguration.Output));

    public static Option<bool> Quiet() => new("--quiet", "-q") { Description = "Print only the final summary." };

    public static Option<string> Config() => new(ConfigFileArguments.OptionName)
    {
        Description = "YAML file of settings whose keys are this command's long option names without dashes (e.g. 'mask-ratio: 0.45'). Flags override it.",
    };

    /// <summary>An integer of at least 1 (or 0 with <paramref name="allowZero"/>); no default when <paramref name="defaultValue"/> is null.</summary>
    public static Option<int> Positive(string name, string description, int? defaultValue, bool allowZero = false) =>
        Int(name, description, defaultValue, allowZero ? 0 : 1);

    /// <summary>An integer in [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public static Option<int> Int(string name, string description, int? defaultValue, int min, int max = int.MaxValue) =>
        Parsed(name, description, defaultValue, "a whole number" + (max != int.MaxValue ? $" in [{min}, {max}]" : min == 0 ? ", 0 or more" : $" of at least {min}"),
            t => (TryInt(t, out int v) && v >= min && v <= max, v));

    /// <summary>One or more integers, each in [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public static Option<int[]> Ints(string name, string description, int[] defaultValue, int min, int max)
    {
        var option = new Option<int[]>(name) { Description = description, DefaultValueFactory = _ => defaultValue, AllowMultipleArgumentsPerToken = true };
        option.CustomParser = r =>
        {
            var values = new int[r.Tokens.Count];
            for (int i = 0; i < values.Length; i++)
            {
                if (!TryInt(r.Tokens[i].Value, out values[i]) || values[i] < min || values[i] > max)
                {
                    r.AddError($"{name} values must be whole numbers in [{min}, {max}], got '{r.Tokens[i].Value}'");
                }
            }
            return values;
        };
        return option;
    }

    /// <summary>A real number in [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public static Option<double> Ratio(string name, string description, double? defaultValue, double min, double max) =>
        Real(name, description, defaultValue, string.Create(CultureInfo.InvariantCulture, $"[{min}, {max}]"), v => v >= min && v <= max);

    /// <summary>A share strictly between 0 and 1, or including an end when allowed.</summary>
    public static Option<double> Fraction(string name, string description, bool allowZero = false, bool allowOne = false) =>
        Real(name, description, null, $"{(allowZero ? "[" : "(")}0, 1{(allowOne ? "]" : ")")}",
            v => (v > 0 || (allowZero && v == 0)) && (v < 1 || (allowOne && v == 1)));

    /// <summary>One of an enum's names, in any case.</summary>
    public static Option<T> Enum<T>(string name, string description, T? defaultValue = null) where T : struct, Enum
    {
        var names = System.Enum.GetNames<T>().Select(n => n.ToLowerInvariant()).ToArray();
        // Enum.TryParse also takes numbers ("7"); only names are settings.
        var option = Parsed(name, description, defaultValue, $"one of {string.Join(", ", names)}",
            t => (System.Enum.TryParse(t, ignoreCase: true, out T v) && t.Length > 0 && char.IsAsciiLetter(t[0]), v));
        string choices = string.Join('|', names);
        option.HelpName = choices.Length <= 30 ? choices : name.TrimStart('-');
        return option;
    }

    /// <summary>The dataset of --data in the --data-format given, else in the layout its files show (synthetic without --data).</summary>
    public static DatasetSpec Dataset(ParseResult parse, Option<string?> data, Option<DatasetFormat> format, Option<int> limit, int syntheticSize = 32, long seed = 0)
    {
        DatasetFormat? given = parse.GetResult(format) is { Implicit: false } ? parse.GetValue(format) : null;
        return DatasetSpec.For(parse.GetValue(data), given, parse.GetValue(limit), syntheticSize, seed);
    }

    private static Option<double> Real(string name, string description, double? defaultValue, string range, Func<double, bool> inRange) =>
        Parsed(name, description, defaultValue, $"a number in {range}",
            t => (double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) && double.IsFinite(v) && inRange(v), v));

    /// <summary>
    /// An option whose every value is parsed and range-checked here, so that a bad value (from a flag or a --config
    /// file) gives one line naming the option, in the invariant culture.
    /// </summary>
    private static Option<T> Parsed<T>(string name, string description, T? defaultValue, string expected, Func<string, (bool Ok, T Value)> parse)
        where T : struct
    {
        var option = new Option<T>(name) { Description = description };
        if (defaultValue is T d)
        {
            option.DefaultValueFactory = _ => d;
        }
        option.CustomParser = r =>
        {
            string token = r.Tokens.Count > 0 ? r.Tokens[^1].Value : "";
            var (ok, value) = parse(token);
            if (!ok)
            {
                r.AddError($"{name} must be {expected}, got '{token}'");
            }
            return value;
        };
        return option;
    }

    private static bool TryInt(string token, out int value) => int.TryParse(token, NumberStyles.Integer, CultureInfo.InvariantCulture, out value);

    [GeneratedRegex("^(cpu|cuda(:[0-9]+)?)$")]
    private static partial Regex DevicePattern();
}

/// <summary>--precision as given: auto is resolved per machine.</summary>
internal enum PrecisionSetting
{
    Auto,
    Fp32,
    Bf16,
}

/// <summary>How a command computes: its precision and its threads.</summary>
internal sealed record ComputeSettings(ComputePrecision Precision, ThreadPlan Threads)
{
    /// <summary>Enters the precision for the rest of the command.</summary>
    public IDisposable Enter() => Autocast.Enter(Precision);
}

/// <summary>Explicit values: given as a flag or in the --config file, as opposed to an option's default.</summary>
internal static class ParseResultExtensions
{
    public static bool Has(this ParseResult parse, Option option) => parse.GetResult(option) is { Implicit: false };

    /// <summary>The option's value when given, else <paramref name="fallback"/> (typically the preset's).</summary>
    public static T Or<T>(this ParseResult parse, Option<T> option, T fallback) => parse.Has(option) ? parse.GetValue(option)! : fallback;
}
