namespace AmtSharp.Core;

/// <summary>
/// Derives independent seeds from a run seed. Every random choice in AmtSharp (data order, augmentation,
/// masking, initialisation) is a pure function of the run seed and of where it happens (purpose, epoch,
/// step, sample index). That makes runs reproducible for any worker count, and resume exact without
/// having to save generator states.
/// </summary>
public static class Seeds
{
    /// <summary>Purposes, so that two consumers with the same epoch/step never share a stream.</summary>
    public enum Purpose : long
    {
        Init = 1,
        DataOrder = 2,
        Augment = 3,
        Masking = 4,
        Synthetic = 5,
        Probe = 6,
        FineTune = 7,

        /// <summary>Pictures and reports (e.g. the mask plan of a masking grid); never a training stream.</summary>
        Report = 8,
    }

    /// <summary>Mixes the seed with any number of parts (splitmix64 finaliser applied per part).</summary>
    public static long Derive(long seed, Purpose purpose, params long[] parts)
    {
        ulong h = Mix((ulong)seed ^ 0x9E3779B97F4A7C15UL);
        h = Mix(h ^ (ulong)purpose);
        foreach (long p in parts)
        {
            h = Mix(h ^ (ulong)p);
        }
        return (long)(h & 0x7FFF_FFFF_FFFF_FFFFUL);
    }

    /// <summary>A <see cref="Random"/> seeded from <see cref="Derive"/>; System.Random with a seed is stable across runs.</summary>
    public static Random Random(long seed, Purpose purpose, params long[] parts) =>
        new((int)(Derive(seed, purpose, parts) & 0x7FFF_FFFF));

    private static ulong Mix(ulong z)
    {
        z += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
