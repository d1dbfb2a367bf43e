namespace AmtSharp;

/// <summary>Library version information.</summary>
public static class LibraryInfo
{
    public static string Version => typeof(LibraryInfo).Assembly.GetName().Version?.ToString() ?? "0.0.0";
}
