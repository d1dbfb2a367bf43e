using AmtSharp.Cli;
using AmtSharp.Experiments;
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

    [Theory]
    [InlineData("mae-eqflops")]        // the baseline has no equal-FLOPs variant
    [InlineData("byol-eqflops")]
    public void EqualFlopsArmThatDoesNotExistIsNamed(string arm)
    {
        var error = new StringWriter();
        int code = Program.Run(["experiment", "cifar10", "--data", ".", "--arms", arm], new StringWriter(), error);
        Assert.Equal(Program.UserError, code);
        Assert.Contains(arm, error.ToString());
        Assert.Contains("--arms", error.ToString());
    }

    [Theory]
    [InlineData(false, new[] { "mae", "mae-amt-eqflops" }, new[] { "mae", "mae-amt-eqflops" })]
    [InlineData(true, new[] { "mae", "mae-amt" }, new[] { "mae", "mae-amt", "mae-amt-eqflops" })]
    [InlineData(true, new[] { "simmim-amt-eqflops" }, new[] { "simmim-amt-eqflops" })]
    public void ArmsAreSelectedByName(bool equalFlops, string[] chosen, string[] expected)
    {
        var arms = Cifar10Comparison.Arms(new ComparisonBudget());
        var catalogue = arms.Concat(StudyCompute.EqualFlopsArms(arms, arms)).ToList();
        Assert.Equal(expected, StudyCompute.Select(catalogue, chosen, equalFlops).Select(a => a.Name));
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
