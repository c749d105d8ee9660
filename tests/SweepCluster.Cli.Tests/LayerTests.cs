using System.Reflection;
using System.Xml.Linq;

namespace SweepCluster.Cli.Tests;

/// <summary>
/// The layers point one way: the domain knows no other project, training and actors know only the domain, the node
/// host wires them together, and the client sits on top. A coordinator never needs a trainer.
/// </summary>
public class LayerTests
{
    private static readonly Dictionary<string, string[]> Allowed = new()
    {
        ["SweepCluster.Core"] = [],
        ["SweepCluster.Sdk"] = [],
        ["SweepCluster.Training"] = ["SweepCluster.Core", "SweepCluster.Sdk"],
        ["SweepCluster.Cluster"] = ["SweepCluster.Core"],
        ["SweepCluster.Reports"] = ["SweepCluster.Core"],
        ["SweepCluster.Node"] = ["SweepCluster.Core", "SweepCluster.Training", "SweepCluster.Cluster"],
        ["SweepCluster.Cli"] = ["SweepCluster.Core", "SweepCluster.Training", "SweepCluster.Node", "SweepCluster.Reports"],
    };

    private static IEnumerable<string> Projects() => Directory.GetDirectories(Path.Combine(RepoPaths.Root, "src")).Select(Path.GetFileName)!;

    private static XDocument Project(string name, string folder = "src") => XDocument.Load(Path.Combine(RepoPaths.Root, folder, name, name + ".csproj"));

    private static IEnumerable<string> References(XDocument project) =>
        project.Descendants("ProjectReference").Select(r => Path.GetFileNameWithoutExtension(r.Attribute("Include")!.Value.Replace('\\', '/')));

    [TestCaseSource(nameof(Projects))]
    public void A_project_references_only_the_layers_below_it(string name)
    {
        Assert.That(Allowed.ContainsKey(name), $"src/{name} is a new project: give it a place in the layers (and in the README's layout)");
        Assert.That(References(Project(name)), Is.EquivalentTo(Allowed[name]));
    }

    [Test]
    public void The_actor_tests_run_a_stand_in_and_load_no_trainer() =>
        Assert.That(References(Project("SweepCluster.Cluster.Tests", "tests")), Is.EquivalentTo(new[] { "SweepCluster.Cluster" }));

    [TestCase("SweepCluster.Core", "Akka", "TorchSharp", "Microsoft.AspNetCore")]
    [TestCase("SweepCluster.Cluster", "TorchSharp", "SweepCluster.Training", "Microsoft.AspNetCore")]
    [TestCase("SweepCluster.Training", "Akka", "Microsoft.AspNetCore")]
    public void The_built_assembly_loads_nothing_of_the_layers_it_must_not_know(string assembly, params string[] forbidden)
    {
        var references = Assembly.Load(assembly).GetReferencedAssemblies().Select(a => a.Name!).ToList();
        Assert.That(references, Is.Not.Empty);
        foreach (var name in forbidden) Assert.That(references, Has.None.StartsWith(name), $"{assembly} references {name}");
    }

    [Test]
    public void Only_the_training_project_names_a_TorchSharp_package()
    {
        foreach (var name in Projects().Where(p => p != "SweepCluster.Training"))
            Assert.That(Project(name).Descendants("PackageReference").Select(r => r.Attribute("Include")!.Value), Has.None.StartsWith("TorchSharp"), name);
    }
}
