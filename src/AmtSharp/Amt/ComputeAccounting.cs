using AmtSharp.Masking;
using AmtSharp.Models.Mae;
using AmtSharp.Models.SimMim;
using AmtSharp.Models.Vit;

namespace AmtSharp.Amt;

/// <summary>The two masked-image-modelling methods AMT plugs into.</summary>
public enum MimMethod
{
    Mae,
    SimMim,
}

/// <summary>Tokens per image entering the encoder (with [CLS]) and the decoder (MAE, with [CLS]) or head (SimMIM, patches only).</summary>
public sealed record TokenCounts(int Encoder, int Decoder);

/// <summary>One row of the compute table (docs/method.md#compute). Counts are in patches; FLOPs per image.</summary>
/// <param name="Setting">Human-readable setting.</param>
/// <param name="Method">MAE or SimMIM.</param>
/// <param name="Patches">Masked / thrown / visible patches.</param>
/// <param name="Tokens">Encoder and decoder/head tokens.</param>
/// <param name="ForwardFlops">Forward FLOPs per image.</param>
/// <param name="TrainStepFlops">Forward + backward (3× forward) FLOPs per image.</param>
/// <param name="RelativeToRandom">TrainStepFlops over the same method's plain random-masking row.</param>
public sealed record ComputeRow(
    string Setting, MimMethod Method, MaskCounts Patches, TokenCounts Tokens,
    double ForwardFlops, double TrainStepFlops, double RelativeToRandom);

/// <summary>
/// Token and FLOP counts of one training step per image, for MAE or SimMIM with a given plan's counts, as our
/// models compute them. A FLOP is one multiply or one add (a multiply-accumulate is 2). Counted: patch
/// embedding (all L patches, as both models embed every patch), every transformer block — per token
/// 2·(4D² + 2·D·H_mlp) for QKV, projection and MLP, plus 2·2·N²·D for QKᵀ and A·V — MAE's decoder_embed (over
/// the 1 + n_v encoder outputs) and decoder_pred (over the n_m masked tokens), SimMIM's linear head (over the
/// L − thrown kept tokens). Norms, softmax, GELU and additions are ignored. Backward = 2× forward.
/// These are estimates of arithmetic, not measured time.
/// </summary>
public sealed class ComputeAccounting
{
    private readonly MaeConfig? mae;

    private ComputeAccounting(VitConfig encoder, MimMethod method, MaeConfig? mae)
    {
        Encoder = encoder.Validate();
        Method = method;
        this.mae = mae;
    }

    /// <summary>MAE with its decoder (width, depth, MLP ratio from <paramref name="config"/>).</summary>
    public static ComputeAccounting ForMae(MaeConfig config) => new(config.Encoder, MimMethod.Mae, config.Validate());

    /// <summary>SimMIM with its linear head.</summary>
    public static ComputeAccounting ForSimMim(VitConfig encoder) => new(encoder, MimMethod.SimMim, null);

    public VitConfig Encoder { get; }

    public MimMethod Method { get; }

    /// <summary>
    /// MAE: encoder 1 + n_v, decoder 1 + n_m + n_v. SimMIM: encoder 1 + L − thrown, head L − thrown.
    /// <paramref name="patches"/> are patch counts (for SimMIM see <see cref="InPatches"/>).
    /// </summary>
    public TokenCounts Tokens(MaskCounts patches)
    {
        CheckCovers(patches);
        return Method == MimMethod.Mae
            ? new TokenCounts(1 + patches.Visible, 1 + patches.Masked + patches.Visible)
            : new TokenCounts(1 + Encoder.NumPatches - patches.Thrown, Encoder.NumPatches - patches.Thrown);
    }

    /// <summary>Forward FLOPs per image for a plan with these patch counts.</summary>
    public double ForwardFlops(MaskCounts patches)
    {
        var tokens = Tokens(patches);
        var e = Encoder;
        double flops = PatchEmbedFlops(e) + e.Depth * BlockFlops(e.Width, e.MlpHidden, tokens.Encoder);
        if (Method == MimMethod.Mae)
        {
            var d = mae!;
            flops += 2.0 * e.Width * d.DecoderWidth * tokens.Encoder;                       // decoder_embed
            flops += d.DecoderDepth * BlockFlops(d.DecoderWidth, d.Decoder.MlpHidden, tokens.Decoder);
            flops += 2.0 * d.DecoderWidth * e.PatchDim * patches.Masked;                   // decoder_pred, masked only
        }
        else
        {
            flops += 2.0 * e.Width * e.PatchDim * tokens.Decoder;                           // per-token head
        }
        return flops;
    }

    /// <summary>Forward + backward (backward = 2× forward).</summary>
    public double TrainStepFlops(MaskCounts patches) => 3 * ForwardFlops(patches);

    /// <summary>
    /// One prior-refresh forward per image (no gradient): all 1 + L tokens through blocks 0 … depth−2, then only
    /// the last block's QKV and QKᵀ (the rest of the last block is skipped, as in VisionTransformer.LastBlockAttention).
    /// </summary>
    public double PriorRefreshFlops()
    {
        var e = Encoder;
        int n = 1 + e.NumPatches;
        double lastBlock = 2.0 * n * 3 * e.Width * e.Width + 2.0 * n * n * e.Width;
        return PatchEmbedFlops(e) + (e.Depth - 1) * BlockFlops(e.Width, e.MlpHidden, n) + lastBlock;
    }

    /// <summary>
    /// FLOPs per training image over a whole run: warm-up epochs at the warm-up counts, AMT epochs at the AMT
    /// counts, plus one refresh forward per image at each refresh.
    /// </summary>
    public double RunFlopsPerImage(AmtSchedule schedule)
    {
        var warmup = InPatches(schedule.StrategyFor(0).Counts, schedule.Grid);
        var amt = InPatches(schedule.StrategyFor(schedule.StartEpoch).Counts, schedule.Grid);
        int s = schedule.StartEpoch, e = schedule.TotalEpochs;
        return s * TrainStepFlops(warmup) + (e - s) * TrainStepFlops(amt) + schedule.RefreshEpochs.Count * PriorRefreshFlops();
    }

    /// <summary>Cell counts on <paramref name="grid"/> → patch counts (SimMIM units cover UnitPatches² patches each).</summary>
    public static MaskCounts InPatches(MaskCounts cells, MaskGrid grid)
    {
        int u2 = grid.UnitPatches * grid.UnitPatches;
        return new MaskCounts(cells.Masked * u2, cells.Thrown * u2, cells.Visible * u2);
    }

    /// <summary>Per-block forward FLOPs for N tokens of width D with MLP hidden width H.</summary>
    public static double BlockFlops(int width, int mlpHidden, int tokens)
    {
        double d = width, n = tokens;
        return 2 * n * (4 * d * d + 2 * d * mlpHidden) + 2 * 2 * n * n * d;
    }

    /// <summary>
    /// The table of docs/method.md#compute for an encoder and an MAE decoder: MAE random 0.75, MAE + AMT masking only,
    /// MAE + AMT 0.45/0.40, SimMIM random 0.6, SimMIM-AMT warm-up random 0.44, SimMIM + AMT 0.44/0.26.
    /// </summary>
    public static IReadOnlyList<ComputeRow> Table(VitConfig encoder, MaeConfig maeDecoder)
    {
        var maeAcc = ForMae(maeDecoder with { Encoder = encoder });
        var simAcc = ForSimMim(encoder);
        var patchGrid = new MaskGrid(encoder.GridSize);
        var unitGrid = new SimMimConfig(encoder).Grid;

        var maeRandom = RandomMasking.Mae(encoder.GridSize, 0.75).Counts;
        var maeMaskOnly = MaskCounts.From(0.75, 0, patchGrid.Cells, Rounding.Floor);
        var maeAmt = AmtConfig.ForMae().Counts(patchGrid.Cells);
        var simRandom = InPatches(RandomMasking.SimMim(unitGrid, 0.6).Counts, unitGrid);
        var simWarm = InPatches(RandomMasking.SimMim(unitGrid, 0.44).Counts, unitGrid);
        var simAmt = InPatches(AmtConfig.ForSimMim().Counts(unitGrid.Cells), unitGrid);

        double maeBase = maeAcc.TrainStepFlops(maeRandom), simBase = simAcc.TrainStepFlops(simRandom);
        ComputeRow Row(string name, ComputeAccounting acc, MaskCounts c, double baseline) =>
            new(name, acc.Method, c, acc.Tokens(c), acc.ForwardFlops(c), acc.TrainStepFlops(c), acc.TrainStepFlops(c) / baseline);
        return
        [
            Row("MAE, random r = 0.75", maeAcc, maeRandom, maeBase),
            Row("MAE + AMT, masking only, r = 0.75, t = 0", maeAcc, maeMaskOnly, maeBase),
            Row("MAE + AMT, r = 0.45, t = 0.40", maeAcc, maeAmt, maeBase),
            Row("SimMIM, random 0.6", simAcc, simRandom, simBase),
            Row("SimMIM-AMT warm-up, random 0.44", simAcc, simWarm, simBase),
            Row("SimMIM + AMT, r = 0.44, t = 0.26", simAcc, simAmt, simBase),
        ];
    }

    private static double PatchEmbedFlops(VitConfig e) => 2.0 * e.PatchDim * e.Width * e.NumPatches;

    private void CheckCovers(MaskCounts patches)
    {
        if (patches.Total != Encoder.NumPatches)
        {
            throw new ArgumentException($"patch counts {patches} do not cover the {Encoder.NumPatches} patches; convert unit counts with InPatches");
        }
    }
}
