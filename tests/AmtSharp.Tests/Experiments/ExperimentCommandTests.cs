using AmtSharp.Cli;
using Xunit;

namespace AmtSharp.Tests.Experiments;

// Runs amt commands in-process, which set torch's thread count.
[Collection(GlobalStateCollection.Name)]
public sealed class ExperimentCommandTests
{
    [Theory]
    [InlineData("experiment", "cifar10")]                                                        // --data is required
    [InlineData("experiment", "cifar10", "--data", "/nonexistent/amtsharp-cifar10")]
    [InlineData("experiment", "cifar10", "--data", ".", "--arms", "mae", "byol")]
    [InlineData("experiment", "cifar10", "--data", ".", "--epochs", "0")]
    public void UserErrorsGiveOneLineAndExitCodeTwo(params string[] args)
    {
        var error = new StringWriter();
        int code = Program.Run(args, new StringWriter(), error);
        Assert.Equal(Program.UserError, code);
        Assert.Single(error.ToString().Trim().Split('\n'));
        Assert.StartsWith("amt: ", error.ToString());
    }

    [Fact]
    public void UnknownArmIsNamed()
    {
        var error = new StringWriter();
        Program.Run(["experiment", "cifar10", "--data", ".", "--arms", "byol"], new StringWriter(), error);
        Assert.Contains("byol", error.ToString());
        Assert.Contains("--arms", error.ToString());
    }
}
