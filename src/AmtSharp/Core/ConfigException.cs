namespace AmtSharp;

/// <summary>
/// An impossible or unknown setting, named in configuration terms: the property of a configuration record
/// (<c>MaskRatio</c>, <c>BaseLr</c>, <c>DecoderHeads</c>). A front end spells settings its own way; the command line
/// maps each name to its flag.
/// </summary>
/// <param name="setting">The setting at fault.</param>
/// <param name="problem">What is wrong with it.</param>
/// <param name="related">Settings that <paramref name="problem"/> names (by their property names), so a front end can respell them too.</param>
public sealed class ConfigException(string setting, string problem, params string[] related)
    : Exception($"{setting}: {problem}")
{
    /// <summary>The setting at fault (a property name).</summary>
    public string Setting { get; } = setting;

    /// <summary>What is wrong, without the setting's name.</summary>
    public string Problem { get; } = problem;

    /// <summary>The settings <see cref="Problem"/> names.</summary>
    public IReadOnlyList<string> Related { get; } = related;
}
