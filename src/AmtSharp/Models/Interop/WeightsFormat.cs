namespace AmtSharp.Models.Interop;

/// <summary>The weight-file formats AmtSharp reads, told apart by their first bytes, not their extension.</summary>
public enum WeightsFormat
{
    /// <summary>Our own checkpoint (Training/Checkpoints/CheckpointFile), magic "AMTSCKPT".</summary>
    AmtSharpCheckpoint,

    /// <summary>torch.save's zip format (PyTorch ≥ 1.6): a pickle plus one file per storage (.pth, .pt, .bin).</summary>
    PyTorch,

    /// <summary>safetensors: u64 header length, JSON header, raw little-endian tensor data.</summary>
    Safetensors,
}
