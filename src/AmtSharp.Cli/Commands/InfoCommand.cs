using System.CommandLine;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;
using AmtSharp.Core;
using AmtSharp.Models;
using TorchSharp;

namespace AmtSharp.Cli.Commands;

/// <summary>`amt info`: versions, threads, backend and devices, for bug reports and for reading timings.</summary>
internal static class InfoCommand
{
    public static Command Create()
    {
        var command = new Command("info", "Print library, TorchSharp and runtime versions, processors and threads, the default thread plan and precision (and why), the compute backend and the available devices.");
        command.SetAction(parse =>
        {
            var o = parse.InvocationConfiguration.Output;
            o.WriteLine($"AmtSharp        {LibraryInfo.Version}");
            o.WriteLine($"TorchSharp      {typeof(torch).Assembly.GetName().Version}");
            o.WriteLine($".NET            {RuntimeInformation.FrameworkDescription}");
            o.WriteLine($"OS              {RuntimeInformation.OSDescription} ({RuntimeInformation.ProcessArchitecture})");
            o.WriteLine($"Processors      {Environment.ProcessorCount} (SIMD: {Simd()})");
            o.WriteLine($"Torch threads   {torch.get_num_threads()} intra-op, {torch.get_num_interop_threads()} inter-op");
            o.WriteLine($"Thread plan     {ThreadPlanner.Plan(ThreadPlanner.AvailableCores, null, null).Describe()} (commands' default; --threads, --workers override)");
            o.WriteLine($"Precision       {PrecisionSupport.Auto} (--precision auto; fp32 or bf16 override)");
            o.WriteLine($"Backend         {Backend()} build");
            o.WriteLine($"Devices         cpu{Cuda()}");
            return 0;
        });
        return command;
    }

    // Which TorchSharp package the build referenced (-p:TorchBackend=cpu|cuda), recorded in the assembly.
    private static string Backend() =>
        typeof(InfoCommand).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == "TorchBackend")?.Value ?? "unknown";

    private static string Cuda() => torch.cuda.is_available()
        ? $", cuda (cuda:0 to cuda:{torch.cuda.device_count() - 1}){(torch.cuda.is_cudnn_available() ? ", cuDNN" : "")}"
        : "; cuda not available";

    private static string Simd() =>
        Avx512F.IsSupported ? "AVX-512" : Avx2.IsSupported ? "AVX2" : Avx.IsSupported ? "AVX" : System.Runtime.Intrinsics.Arm.AdvSimd.IsSupported ? "NEON" : "none detected";
}
