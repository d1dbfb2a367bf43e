using AmtSharp.Reporting.Runs;
using AmtSharp.Training.Evaluation;
using AmtSharp.Training.Pretraining;

namespace AmtSharp.Cli.Commands;

/// <summary>The demo's report (report.md and report.html): the run's report with the evaluation against initialisation.</summary>
internal static class DemoReport
{
    public static string Write(Pretrainer trainer, RunReporter reporter, PretrainResult result, EvaluationSummary evaluation) =>
        PretrainReport.Write(trainer, reporter, result, "AmtSharp demo: MAE + AMT on the embedded synthetic dataset", evaluation).MarkdownPath;
}
