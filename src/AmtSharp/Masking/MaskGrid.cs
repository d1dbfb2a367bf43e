using static TorchSharp.torch;

namespace AmtSharp.Masking;

/// <summary>
/// The grid masks are drawn on. MAE draws on patches (unit = 1 patch); SimMIM draws on mask units of
/// m_u pixels, each covering (m_u/p)² patches. Plans are always expressed in patches.
/// </summary>
public sealed record MaskGrid(int PatchGrid, int UnitPatches = 1)
{
    /// <summary>Mask units per side.</summary>
    public int UnitGrid => PatchGrid / UnitPatches;

    /// <summary>Number of cells a draw is made over.</summary>
    public int Cells => UnitGrid * UnitGrid;

    public int Patches => PatchGrid * PatchGrid;

    /// <summary>
    /// The grid for an image of <paramref name="imageSize"/> px with patches of <paramref name="patchSize"/> px and
    /// mask units of <paramref name="unitSize"/> px; refuses units that do not tile the image, naming <paramref name="setting"/>.
    /// </summary>
    public static MaskGrid ForUnits(int imageSize, int patchSize, int unitSize, string setting = "MaskUnit")
    {
        if (unitSize <= 0 || unitSize % patchSize != 0)
        {
            throw new ConfigException(setting, $"mask unit {unitSize} px must be a positive multiple of the patch size {patchSize} px");
        }
        if (imageSize % unitSize != 0)
        {
            throw new ConfigException(setting, $"mask unit {unitSize} px does not tile the {imageSize} px image");
        }
        return new MaskGrid(imageSize / patchSize, unitSize / patchSize);
    }

    /// <summary>
    /// Patch indices of each cell: [Cells, UnitPatches²], raster order inside the unit.
    /// Cell (a, b) covers patches (u·a + i)·G + (u·b + j).
    /// </summary>
    public Tensor PatchesOfCells()
    {
        int u = UnitPatches, ug = UnitGrid;
        var ids = new long[Cells * u * u];
        for (int a = 0; a < ug; a++)
        {
            for (int b = 0; b < ug; b++)
            {
                for (int i = 0; i < u; i++)
                {
                    for (int j = 0; j < u; j++)
                    {
                        ids[((a * ug + b) * u + i) * u + j] = (u * a + i) * PatchGrid + (u * b + j);
                    }
                }
            }
        }
        return tensor(ids, [Cells, u * u]);
    }
}
