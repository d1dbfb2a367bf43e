namespace AmtSharp.Core;

/// <summary>Shape formatting for messages.</summary>
internal static class Shapes
{
    public static string Format(long[] shape) => "[" + string.Join(", ", shape) + "]";
}
