using System.Text.Json;
using System.Text.Json.Nodes;
using TorchSharp;
using static TorchSharp.torch;

namespace AmtSharp.Training.Checkpoints;

/// <summary>
/// What goes into a checkpoint: a JSON metadata object, named tensors and named float arrays.
/// Tensors added with <c>owned: false</c> (module and optimizer state) are only borrowed; those created
/// for the checkpoint are disposed with this object.
/// </summary>
public sealed class CheckpointData : IDisposable
{
    /// <summary>Separator between a section ("model", "optim") and an entry name.</summary>
    public const char SectionSeparator = '/';

    private readonly Dictionary<string, Tensor> _tensors = new(StringComparer.Ordinal);
    private readonly Dictionary<string, FloatArray> _arrays = new(StringComparer.Ordinal);
    private readonly List<Tensor> _owned = new();

    /// <summary>Arbitrary metadata: resolved configuration, epoch, iteration, seed, data position…</summary>
    public JsonObject Metadata { get; } = new();

    public IReadOnlyDictionary<string, Tensor> Tensors => _tensors;
    public IReadOnlyDictionary<string, FloatArray> Arrays => _arrays;

    /// <summary>Sets a metadata entry from any JSON-serialisable value.</summary>
    public CheckpointData With(string key, object? value)
    {
        Metadata[key] = value is null ? null : JsonSerializer.SerializeToNode(value, value.GetType());
        return this;
    }

    /// <summary>Adds a tensor. With <paramref name="owned"/>, this object disposes it.</summary>
    public CheckpointData AddTensor(string name, Tensor tensor, bool owned = false)
    {
        ValidateName(name);
        if (!_tensors.TryAdd(name, tensor) || _arrays.ContainsKey(name))
        {
            throw new ArgumentException($"Duplicate checkpoint entry '{name}'.", nameof(name));
        }
        if (owned)
        {
            _owned.Add(tensor);
        }
        return this;
    }

    /// <summary>Adds a float array (e.g. the attention prior store).</summary>
    public CheckpointData AddArray(string name, FloatArray array)
    {
        ValidateName(name);
        if (_tensors.ContainsKey(name) || !_arrays.TryAdd(name, array))
        {
            throw new ArgumentException($"Duplicate checkpoint entry '{name}'.", nameof(name));
        }
        return this;
    }

    /// <summary>Adds a module's full state dict (parameters and persistent buffers) under "section/".</summary>
    public CheckpointData AddModule(string section, nn.Module module)
    {
        foreach (var (key, t) in module.state_dict())
        {
            AddTensor(section + SectionSeparator + key, t);
        }
        return this;
    }

    /// <summary>
    /// Adds an optimizer's state under "section/" (see <see cref="OptimizerState"/>). Optimizer state is
    /// positional; pass the parameter names in optimizer order (e.g. from the ParamGroupSpecs) so that loading
    /// can refuse state built for a different grouping instead of silently mixing up moments.
    /// </summary>
    public CheckpointData AddOptimizer(string section, object optimizer, IEnumerable<string>? parameterNames = null)
    {
        OptimizerState.Export(optimizer, (key, t, owned) => AddTensor(section + SectionSeparator + key, t, owned));
        if (parameterNames is not null)
        {
            Metadata[ParameterNamesKey(section)] = new JsonArray(parameterNames.Select(n => (JsonNode?)JsonValue.Create(n)).ToArray());
        }
        return this;
    }

    /// <summary>Metadata key under which <see cref="AddOptimizer"/> records the parameter order.</summary>
    public static string ParameterNamesKey(string section) => section + ".parameter_names";

    private static void ValidateName(string name)
    {
        if (string.IsNullOrEmpty(name))
        {
            throw new ArgumentException("Checkpoint entry names must not be empty.", nameof(name));
        }
    }

    public void Dispose()
    {
        foreach (var t in _owned)
        {
            t.Dispose();
        }
        _owned.Clear();
    }
}
