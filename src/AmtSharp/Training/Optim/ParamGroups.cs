using TorchSharp;
using TorchSharp.Modules;

namespace AmtSharp.Training.Optim;

/// <summary>One optimizer parameter group: its parameters, weight decay and lr multiplier.</summary>
/// <param name="Name">Readable label, e.g. "decay", "layer3.no_decay".</param>
/// <param name="Parameters">Trainable parameters of the group.</param>
/// <param name="ParameterNames">Names of the parameters, same order as <paramref name="Parameters"/>.</param>
/// <param name="WeightDecay">Decoupled weight decay of the group (0 for the no-decay groups).</param>
/// <param name="LrScale">Multiplier applied to the scheduled lr (1 except with layer-wise decay).</param>
/// <param name="LayerId">Layer id for layer-wise decay; -1 when not used.</param>
public sealed record ParamGroupSpec(
    string Name,
    IReadOnlyList<Parameter> Parameters,
    IReadOnlyList<string> ParameterNames,
    double WeightDecay,
    double LrScale,
    int LayerId = -1);

/// <summary>Splits a module's trainable parameters into optimizer groups.</summary>
public static class ParamGroups
{
    /// <summary>
    /// Tokens excluded from weight decay by default (we follow timm and exclude tokens, a deviation from
    /// MAE's own code: docs/method.md#deviations D11).
    /// </summary>
    public static readonly IReadOnlySet<string> DefaultNoDecayNames =
        new HashSet<string>(StringComparer.Ordinal) { "cls_token", "pos_embed", "mask_token", "decoder_pos_embed" };

    /// <summary>Two groups (decay, no-decay); empty groups are dropped.</summary>
    public static IReadOnlyList<ParamGroupSpec> DecayNoDecay(
        torch.nn.Module module, double weightDecay, IEnumerable<string>? extraNoDecay = null)
    {
        var extras = ToSet(extraNoDecay);
        var norms = NormParameterNames(module);
        var decay = (new List<Parameter>(), new List<string>());
        var noDecay = (new List<Parameter>(), new List<string>());
        foreach (var (name, p) in module.named_parameters())
        {
            if (!p.requires_grad)
            {
                continue; // frozen sin-cos pos_embed and the like
            }
            var target = SkipsDecay(name, p, norms, extras) ? noDecay : decay;
            target.Item1.Add(p);
            target.Item2.Add(name);
        }
        var groups = new List<ParamGroupSpec>();
        if (decay.Item1.Count > 0)
        {
            groups.Add(new ParamGroupSpec("decay", decay.Item1, decay.Item2, weightDecay, 1.0));
        }
        if (noDecay.Item1.Count > 0)
        {
            groups.Add(new ParamGroupSpec("no_decay", noDecay.Item1, noDecay.Item2, 0.0, 1.0));
        }
        return groups;
    }

    /// <summary>
    /// Layer-wise lr decay (docs/method.md#layer-decay): one group per (layer id, decay/no-decay),
    /// lr scale = layerDecay^(depth + 1 − id). Groups are ordered by id, decay before no-decay.
    /// </summary>
    public static IReadOnlyList<ParamGroupSpec> LayerDecay(
        torch.nn.Module module, int depth, double layerDecay, double weightDecay, IEnumerable<string>? extraNoDecay = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(depth);
        var extras = ToSet(extraNoDecay);
        var norms = NormParameterNames(module);
        int n = depth + 1;
        var buckets = new SortedDictionary<(int id, int skip), (List<Parameter> ps, List<string> names)>();
        foreach (var (name, p) in module.named_parameters())
        {
            if (!p.requires_grad)
            {
                continue;
            }
            int id = LayerId(name, depth);
            int skip = SkipsDecay(name, p, norms, extras) ? 1 : 0;
            if (!buckets.TryGetValue((id, skip), out var bucket))
            {
                bucket = (new List<Parameter>(), new List<string>());
                buckets[(id, skip)] = bucket;
            }
            bucket.ps.Add(p);
            bucket.names.Add(name);
        }
        return buckets.Select(kv => new ParamGroupSpec(
            $"layer{kv.Key.id}.{(kv.Key.skip == 1 ? "no_decay" : "decay")}",
            kv.Value.ps,
            kv.Value.names,
            kv.Key.skip == 1 ? 0.0 : weightDecay,
            Math.Pow(layerDecay, n - kv.Key.id),
            kv.Key.id)).ToList();
    }

    /// <summary>
    /// timm's layer id: cls_token / pos_embed / patch_embed.* → 0, blocks.k.* → k + 1, anything else → depth + 1.
    /// Matches on name segments so a wrapper prefix (e.g. "encoder.") does not change the id.
    /// </summary>
    public static int LayerId(string name, int depth)
    {
        var parts = name.Split('.');
        for (int i = 0; i < parts.Length; i++)
        {
            if (parts[i] is "cls_token" or "pos_embed" or "patch_embed")
            {
                return 0;
            }
            if (parts[i] == "blocks" && i + 1 < parts.Length && int.TryParse(parts[i + 1], out int k))
            {
                return k + 1;
            }
        }
        return depth + 1;
    }

    /// <summary>
    /// No decay for 1-D tensors (biases, norm scales), names ending ".bias", parameters of normalisation
    /// modules, and names whose last segment is in <paramref name="extraNoDecay"/>.
    /// </summary>
    public static bool SkipsDecay(string name, Parameter p, IReadOnlySet<string> normParameterNames, IReadOnlySet<string> extraNoDecay)
    {
        if (p.ndim <= 1 || name.EndsWith(".bias", StringComparison.Ordinal) || normParameterNames.Contains(name))
        {
            return true;
        }
        int dot = name.LastIndexOf('.');
        string last = dot < 0 ? name : name[(dot + 1)..];
        return extraNoDecay.Contains(name) || extraNoDecay.Contains(last);
    }

    /// <summary>Names of parameters that belong to LayerNorm / BatchNorm / GroupNorm modules.</summary>
    public static IReadOnlySet<string> NormParameterNames(torch.nn.Module module)
    {
        var set = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (prefix, m) in module.named_modules())
        {
            if (m is LayerNorm or BatchNorm1d or BatchNorm2d or BatchNorm3d or GroupNorm)
            {
                foreach (var (pname, _) in m.named_parameters(recurse: false))
                {
                    set.Add(string.IsNullOrEmpty(prefix) ? pname : $"{prefix}.{pname}");
                }
            }
        }
        return set;
    }

    /// <summary>The per-group lr scales, in group order, for LrSchedule.Apply.</summary>
    public static double[] Scales(IReadOnlyList<ParamGroupSpec> groups) => groups.Select(g => g.LrScale).ToArray();

    private static HashSet<string> ToSet(IEnumerable<string>? names) =>
        new(names ?? DefaultNoDecayNames, StringComparer.Ordinal);
}
