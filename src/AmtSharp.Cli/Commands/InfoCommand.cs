using System.CommandLine;
using System.Runtime.InteropServices;
using TorchSharp;

namespace AmtSharp.Cli.Commands;

/// <summary>`amt info`: versions, threads and backend.</summary>
internal static class InfoCommand
{
    public static Command Create()
    {
        var command = new Command("info", "Print library, TorchSharp and runtime versions, threads and the compute backend.");
        command.SetAction(parse =>
        {
            var o = parse.InvocationConfiguration.Output;
            o.WriteLine($"AmtSharp      {LibraryInfo.Version}");
            o.WriteLine($"TorchSharp    {typeof(torch).Assembly.GetName().Version}");
            o.WriteLine($".NET          {RuntimeInformation.FrameworkDescription}");
            o.WriteLine($"OS            {RuntimeInformation.OSDescription} ({RuntimeInformation.ProcessArchitecture})");
            o.WriteLine($"Cores         {Environment.ProcessorCount}");
            o.WriteLine($"Torch threads {torch.get_num_threads()} intra-op, {torch.get_num_interop_threads()} inter-op");
            o.WriteLine($"CUDA          {(torch.cuda.is_available() ? $"available ({torch.cuda.device_count()} devices)" : "not available (CPU backend)")}");
            return 0;
        });
        return command;
    }
}
