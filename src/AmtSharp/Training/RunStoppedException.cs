namespace AmtSharp.Training;

/// <summary>
/// The run stopped itself because continuing would only produce garbage (e.g. a non-finite loss). Not the user's
/// mistake in the command line, so the command exits with its own code (3), distinct from a user error (2).
/// </summary>
/// <param name="problem">What happened and that the run stopped, without advice.</param>
/// <param name="lastFiniteCheckpoint">The newest checkpoint written, all of whose values are finite (null when none was written yet).</param>
public abstract class RunStoppedException(string problem, string? lastFiniteCheckpoint)
    : Exception($"{problem} {Advice(lastFiniteCheckpoint)}")
{
    /// <summary>What happened, without the advice (a front end words its own, e.g. with its flags).</summary>
    public string Problem { get; } = problem;

    /// <summary>The newest checkpoint written, all of whose values are finite (null when none was written yet).</summary>
    public string? LastFiniteCheckpoint { get; } = lastFiniteCheckpoint;

    // In configuration terms: the settings are the training configuration's BaseLr and ClipGrad.
    private static string Advice(string? lastCheckpoint) => lastCheckpoint is null
        ? "No checkpoint was written yet: start again with a lower BaseLr or with ClipGrad."
        : $"The last finite checkpoint is {lastCheckpoint}: resume from it with a lower BaseLr, or start again with ClipGrad.";
}
