using static TorchSharp.torch;

namespace AmtSharp.Models.Interop;

/// <summary>
/// Named tensors read from a weight file (or borrowed from a module), plus the string metadata that came with
/// them (safetensors "__metadata__", selected entries of a PyTorch checkpoint) and notes on how they were read.
/// Owns its tensors unless they were borrowed; dispose it after loading.
/// </summary>
public sealed class LoadedWeights : IDisposable
{
    private readonly Dictionary<string, Tensor> _tensors;
    private readonly bool _owned;

    internal LoadedWeights(string filePath, WeightsFormat format, Dictionary<string, Tensor> tensors,
        IReadOnlyDictionary<string, string>? metadata = null, IReadOnlyList<string>? notes = null, bool owned = true)
    {
        FilePath = filePath;
        Format = format;
        _tensors = tensors;
        _owned = owned;
        Metadata = metadata ?? new Dictionary<string, string>();
        Notes = notes ?? [];
    }

    /// <summary>Where the tensors came from (a file path, or a description for borrowed tensors).</summary>
    public string FilePath { get; }

    public WeightsFormat Format { get; }

    /// <summary>The state dict, keys as stored (prefixes such as "module." already removed; see <see cref="Notes"/>).</summary>
    public IReadOnlyDictionary<string, Tensor> Tensors => _tensors;

    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>What reading did besides copying tensors (entry chosen, prefix stripped, entries skipped).</summary>
    public IReadOnlyList<string> Notes { get; }

    /// <summary>Borrows a module's state dict (e.g. our own encoder) so the same loader can resize it.</summary>
    public static LoadedWeights Borrow(string description, WeightsFormat format, TorchSharp.torch.nn.Module module,
        IReadOnlyDictionary<string, string>? metadata = null) =>
        new(description, format, module.state_dict(), metadata, owned: false);

    public void Dispose()
    {
        if (_owned)
        {
            foreach (var t in _tensors.Values)
            {
                t.Dispose();
            }
        }
        _tensors.Clear();
    }
}
