using AmtSharp.Core;
using AmtSharp.Training.Optim;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace AmtSharp.Training.Checkpoints;

/// <summary>
/// Optimizer state as named tensors, so checkpoints can hold it next to the model.
/// <list type="bullet">
/// <item>AdamW: "group.{g}.lr", "state.{i}.step", "state.{i}.exp_avg", "state.{i}.exp_avg_sq"
/// (and "state.{i}.max_exp_avg_sq" with amsgrad); i runs over parameters in group order.</item>
/// <item><see cref="Lars"/>: its momentum buffers "mu.{i}".</item>
/// <item>any other TorchSharp managed optimizer: one uint8 tensor "blob" holding its save_state_dict bytes.</item>
/// </list>
/// Exact resume needs the step counts (AdamW's bias correction) and both moments; all are kept bit for bit.
/// </summary>
public static class OptimizerState
{
    /// <summary>Callback receiving (name, tensor, owned-by-checkpoint).</summary>
    public delegate void Sink(string name, Tensor tensor, bool owned);

    public static void Export(object optimizer, Sink add)
    {
        switch (optimizer)
        {
            case Lars lars:
                foreach (var (k, t) in lars.StateDict())
                {
                    add(k, t, false);
                }
                break;
            case AdamW adam:
                ExportAdamW(adam, add);
                break;
            case OptimizerHelper other:
                using (var ms = new MemoryStream())
                {
                    using (var w = new BinaryWriter(ms, System.Text.Encoding.UTF8, leaveOpen: true))
                    {
                        other.save_state_dict(w);
                    }
                    add("blob", torch.tensor(ms.ToArray()), true);
                }
                break;
            default:
                throw new NotSupportedException($"Cannot checkpoint optimizer of type {optimizer.GetType().Name}.");
        }
    }

    /// <summary>Restores state exported by <see cref="Export"/>; throws <see cref="InvalidDataException"/> listing every mismatch.</summary>
    public static void Import(object optimizer, IReadOnlyDictionary<string, Tensor> entries)
    {
        switch (optimizer)
        {
            case Lars lars:
                try
                {
                    lars.LoadStateDict(entries);
                }
                catch (ArgumentException e)
                {
                    throw new InvalidDataException(e.Message, e);
                }
                break;
            case AdamW adam:
                ImportAdamW(adam, entries);
                break;
            case OptimizerHelper other:
                if (!entries.TryGetValue("blob", out var blob))
                {
                    throw new InvalidDataException("optimizer state has no 'blob' entry.");
                }
                var bytes = blob.data<byte>().ToArray();
                using (var r = new BinaryReader(new MemoryStream(bytes)))
                {
                    other.load_state_dict(r);
                }
                break;
            default:
                throw new NotSupportedException($"Cannot restore optimizer of type {optimizer.GetType().Name}.");
        }
    }

    private static void ExportAdamW(AdamW adam, Sink add)
    {
        var sd = adam.state_dict();
        for (int g = 0; g < sd.Options.Count; g++)
        {
            add($"group.{g}.lr", torch.tensor(sd.Options[g].LearningRate ?? double.NaN, ScalarType.Float64), true);
        }
        for (int i = 0; i < sd.State.Count; i++)
        {
            var s = (AdamW.State)sd.State[i];
            add($"state.{i}.step", torch.tensor(s.step, ScalarType.Int64), true);
            add($"state.{i}.exp_avg", s.exp_avg, false);
            add($"state.{i}.exp_avg_sq", s.exp_avg_sq, false);
            if (s.max_exp_avg_sq is not null)
            {
                add($"state.{i}.max_exp_avg_sq", s.max_exp_avg_sq, false);
            }
        }
    }

    private static void ImportAdamW(AdamW adam, IReadOnlyDictionary<string, Tensor> entries)
    {
        var sd = adam.state_dict();
        var problems = new List<string>();
        var expected = new HashSet<string>(StringComparer.Ordinal);

        void Check(string key, long[]? shape)
        {
            expected.Add(key);
            if (!entries.TryGetValue(key, out var t))
            {
                problems.Add($"missing '{key}'");
            }
            else if (shape is not null && !t.shape.SequenceEqual(shape))
            {
                problems.Add($"'{key}' has shape {Shapes.Format(t.shape)}, optimizer expects {Shapes.Format(shape)}");
            }
        }

        for (int g = 0; g < sd.Options.Count; g++)
        {
            Check($"group.{g}.lr", Array.Empty<long>());
        }
        for (int i = 0; i < sd.State.Count; i++)
        {
            var s = (AdamW.State)sd.State[i];
            Check($"state.{i}.step", Array.Empty<long>());
            Check($"state.{i}.exp_avg", s.exp_avg.shape);
            Check($"state.{i}.exp_avg_sq", s.exp_avg_sq.shape);
            if (s.max_exp_avg_sq is not null)
            {
                Check($"state.{i}.max_exp_avg_sq", s.max_exp_avg_sq.shape);
            }
        }
        problems.AddRange(entries.Keys.Where(k => !expected.Contains(k)).Order(StringComparer.Ordinal).Select(k => $"unexpected '{k}'"));
        if (problems.Count > 0)
        {
            throw new InvalidDataException($"AdamW state does not match ({sd.Options.Count} groups, {sd.State.Count} parameters): " + string.Join("; ", problems));
        }

        using var noGrad = torch.no_grad();
        for (int g = 0; g < sd.Options.Count; g++)
        {
            sd.Options[g].LearningRate = entries[$"group.{g}.lr"].item<double>();
        }
        for (int i = 0; i < sd.State.Count; i++)
        {
            var s = (AdamW.State)sd.State[i];
            s.step = entries[$"state.{i}.step"].item<long>();
            s.exp_avg.copy_(entries[$"state.{i}.exp_avg"]);
            s.exp_avg_sq.copy_(entries[$"state.{i}.exp_avg_sq"]);
            s.max_exp_avg_sq?.copy_(entries[$"state.{i}.max_exp_avg_sq"]);
        }
    }
}
