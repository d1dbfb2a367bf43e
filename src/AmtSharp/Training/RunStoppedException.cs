namespace AmtSharp.Training;

/// <summary>
/// The run stopped itself because continuing would only produce garbage (e.g. a non-finite loss). Not the user's
/// mistake in the command line, so the command exits with its own code (3), distinct from a user error (2).
/// </summary>
public abstract class RunStoppedException(string message) : Exception(message);
