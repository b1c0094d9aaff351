using BenchmarkDotNet.Running;

namespace Reptile.Bench;

public static class Program
{
    public static int Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "gemm-quick")
            return GemmQuick.Run(args[1..]);
        if (args.Length > 0 && args[0] == "ab")
            return BuildComparison.Run(args[1..]);
        if (args.Length > 0 && args[0] == "handover")
            return HandOverTiming.Run(args[1..]);
        if (args.Length > 0 && args[0] == "allgather")
            return AllGatherTiming.Run(args[1..]);
        if (args.Length > 0 && args[0] == "classifier")
            return ClassifierMeasurement.Run(args[1..]);
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        return 0;
    }
}
