using SweepCluster.Core.Analysis;
using SweepCluster.Core.Results;
using SweepCluster.Core.Spec;

namespace SweepCluster.Core.Tests;

public class ParameterImportanceTests
{
    private static readonly ReportParameter[] Parameters = [new("lr", false, false), new("noise", false, false), new("kind", true, false)];

    /// <summary>400 completed trials whose metric depends on lr alone (best at 0.3), beside a uniform noise parameter and a coin.</summary>
    private static List<ReportPoint> Trials(Func<double, double> metricOfLr)
    {
        var random = new Random(3);
        return [.. Enumerable.Range(0, 400).Select(i =>
        {
            var lr = random.NextDouble();
            var values = new Dictionary<string, ParamValue> { ["lr"] = new ParamValue.Real(lr), ["noise"] = new ParamValue.Real(random.NextDouble()), ["kind"] = new ParamValue.Text(i % 2 == 0 ? "a" : "b") };
            return new ReportPoint(i, TrialStatus.Completed, values, metricOfLr(lr), []);
        })];
    }

    [Test]
    public void The_parameter_the_metric_follows_takes_nearly_all_the_importance_in_either_direction()
    {
        foreach (var (direction, metric) in new (MetricDirection, Func<double, double>)[] { (MetricDirection.Maximize, lr => -Math.Abs(lr - 0.3)), (MetricDirection.Minimize, lr => Math.Abs(lr - 0.3)) })
        {
            var importance = PedAnova.Importance(Parameters, Trials(metric), direction);
            Assert.That(importance[0].Parameter, Is.EqualTo("lr"), direction.ToString());
            Assert.That(importance[0].Importance, Is.GreaterThan(0.8), direction.ToString());
            Assert.That(importance.Sum(i => i.Importance), Is.EqualTo(1).Within(1e-9), "shares of the whole");
        }
    }

    [Test]
    public void Fewer_than_four_completed_trials_give_every_parameter_no_importance()
    {
        var importance = PedAnova.Importance(Parameters, Trials(lr => lr).Take(3).ToList(), MetricDirection.Maximize);
        Assert.That(importance.Select(i => i.Importance), Is.All.Zero);
    }
}
