using AmtSharp.Amt;
using AmtSharp.Masking;
using AmtSharp.Models;
using AmtSharp.Models.Mae;
using AmtSharp.Models.SimMim;
using TorchSharp;

namespace AmtSharp.Training.Pretraining;

/// <summary>Builds the model and the masking strategies a <see cref="PretrainConfig"/> describes.</summary>
public static class MimFactory
{
    /// <summary>The model, initialised from the run seed.</summary>
    public static (torch.nn.Module Module, IMaskedImageModel Model) CreateModel(PretrainConfig config)
    {
        using var generator = Models.WeightInit.Generator(config.Seed);
        if (config.Method == MimMethod.Mae)
        {
            var mae = new MaskedAutoencoder(config.MaeModel);
            mae.InitWeights(generator);
            return (mae, mae);
        }
        var simMim = new SimMimModel(config.SimMimModel);
        simMim.InitWeights(generator);
        return (simMim, simMim);
    }

    /// <summary>The grid masks are drawn on: patches (MAE) or mask units (SimMIM).</summary>
    public static MaskGrid Grid(PretrainConfig config) =>
        config.Method == MimMethod.Mae ? new MaskGrid(config.Encoder.GridSize) : config.SimMimModel.Grid;

    public static IMaskingStrategy RandomStrategy(PretrainConfig config, double ratio) =>
        config.Method == MimMethod.Mae
            ? RandomMasking.Mae(config.Encoder.GridSize, ratio)
            : RandomMasking.SimMim(config.SimMimModel.Grid, ratio);
}
