using YamlDotNet.RepresentationModel;

namespace SweepCluster.Cli.Tests;

/// <summary>
/// The manifests in <c>infra/k8s</c> and the image's build file: Kubernetes and Docker do not run on the project's machines,
/// so these tests check that the files parse and carry what the README says and what the nodes need.
/// </summary>
public class KubernetesManifestTests
{
    private const string Image = "sweepcluster-node:latest";
    private static readonly string Folder = Path.Combine(RepoPaths.Root, "infra", "k8s");

    private static readonly Lazy<List<(string File, YamlMappingNode Root)>> Documents = new(() =>
    [
        .. Directory.GetFiles(Folder, "*.yaml").Order().SelectMany(file =>
        {
            var stream = new YamlStream();
            stream.Load(new StringReader(File.ReadAllText(file)));
            return stream.Documents.Select(d => (Path.GetFileName(file), (YamlMappingNode)d.RootNode));
        }),
    ]);

    private static YamlNode? At(YamlNode node, params string[] path)
    {
        foreach (var key in path)
        {
            if (node is not YamlMappingNode map || !map.Children.TryGetValue(new YamlScalarNode(key), out var next)) return null;
            node = next;
        }
        return node;
    }

    private static string? Text(YamlNode node, params string[] path) => (At(node, path) as YamlScalarNode)?.Value;

    private static IEnumerable<YamlMappingNode> Items(YamlNode node, params string[] path) =>
        (At(node, path) as YamlSequenceNode)?.Children.Cast<YamlMappingNode>() ?? [];

    private static IEnumerable<YamlMappingNode> Kind(string kind) => Documents.Value.Where(d => Text(d.Root, "kind") == kind).Select(d => d.Root);

    private static YamlMappingNode Workload(string kind) => Kind(kind).Single();

    private static YamlMappingNode Container(YamlMappingNode workload) => Items(workload, "spec", "template", "spec", "containers").Single();

    private static List<string> Args(YamlMappingNode workload) => [.. ((YamlSequenceNode)At(Container(workload), "args")!).Children.Select(a => ((YamlScalarNode)a).Value!)];

    private static string? Arg(YamlMappingNode workload, string name) => Args(workload).SkipWhile(a => a != name).Skip(1).FirstOrDefault();

    [Test]
    public void Every_manifest_parses_and_names_its_kind()
    {
        Assert.That(Documents.Value.Select(d => d.File).Distinct(), Is.EquivalentTo(new[] { "coordinator.yaml", "rbac.yaml", "secret.example.yaml", "service.yaml", "storage.yaml", "worker.yaml" }));
        foreach (var (file, root) in Documents.Value)
            Assert.That(new[] { Text(root, "apiVersion"), Text(root, "kind"), Text(root, "metadata", "name") }, Has.None.Null, file);
    }

    [TestCase("StatefulSet")]
    [TestCase("Deployment")]
    public void Nodes_run_the_image_with_the_ports_probes_token_and_discovery_the_readme_names(string kind)
    {
        var workload = Workload(kind);
        var container = Container(workload);
        Assert.That(Text(container, "image"), Is.EqualTo(Image));
        Assert.That(Items(container, "ports").Select(p => (Text(p, "name"), Text(p, "containerPort"))),
            Is.EquivalentTo(new[] { ("akka-remote", "4053"), ("commands", "9110"), ("management", "8558") }));
        Assert.That((Text(container, "readinessProbe", "httpGet", "path"), Text(container, "readinessProbe", "httpGet", "port")), Is.EqualTo(("/health/ready", "commands")));
        Assert.That((Text(container, "livenessProbe", "httpGet", "path"), Text(container, "livenessProbe", "httpGet", "port")), Is.EqualTo(("/health/live", "commands")));

        var token = Items(container, "env").Single(e => Text(e, "name") == "SWEEP_CMD_TOKEN");
        var secret = Kind("Secret").Single();
        Assert.That(Text(token, "valueFrom", "secretKeyRef", "name"), Is.EqualTo(Text(secret, "metadata", "name")));
        Assert.That(At(secret, "stringData", Text(token, "valueFrom", "secretKeyRef", "key")!), Is.Not.Null, "the token's key is in the secret");

        // Discovery finds pods labelled app=SERVICE (Akka.Discovery.KubernetesApi's default selector, app={0}).
        Assert.That(Arg(workload, "--discovery"), Is.EqualTo("kubernetes"));
        Assert.That(Text(workload, "spec", "template", "metadata", "labels", "app"), Is.EqualTo(Arg(workload, "--service-name")));
        Assert.That(Arg(workload, "--host"), Is.EqualTo("$(POD_IP)"));
        Assert.That(Items(container, "env").Single(e => Text(e, "name") == "POD_IP").ToString(), Does.Contain("status.podIP"));
        var replicas = Kind("StatefulSet").Concat(Kind("Deployment")).Sum(w => int.Parse(Text(w, "spec", "replicas")!, System.Globalization.CultureInfo.InvariantCulture));
        Assert.That(int.Parse(Arg(workload, "--required-contact-points")!, System.Globalization.CultureInfo.InvariantCulture), Is.InRange(1, replicas));

        // Pod discovery reads pods: the service account the pods run as may.
        var account = Text(workload, "spec", "template", "spec", "serviceAccountName");
        Assert.That(Kind("ServiceAccount").Select(a => Text(a, "metadata", "name")), Does.Contain(account));
        var binding = Kind("RoleBinding").Single(b => Items(b, "subjects").Any(s => Text(s, "name") == account));
        var role = Kind("Role").Single(r => Text(r, "metadata", "name") == Text(binding, "roleRef", "name"));
        var rule = Items(role, "rules").Single();
        Assert.That(At(rule, "resources")!.ToString(), Does.Contain("pods"));
        Assert.That(((YamlSequenceNode)At(rule, "verbs")!).Children.Select(v => v.ToString()), Is.SupersetOf(new[] { "get", "list", "watch" }));
    }

    [Test]
    public void Every_switch_the_manifests_pass_is_one_node_start_knows()
    {
        var help = CliRunner.Run("node", "start", "--help").Stdout;
        foreach (var workload in Kind("StatefulSet").Concat(Kind("Deployment")))
        {
            var args = Args(workload);
            Assert.That(args.Take(2), Is.EqualTo(new[] { "node", "start" }));
            foreach (var name in args.Where(a => a.StartsWith("--", StringComparison.Ordinal))) Assert.That(help, Does.Contain(name + " "), $"{name} is a node start switch");
        }
    }

    [Test]
    public void Coordinators_are_two_on_the_shared_journal_and_workers_ask_for_a_gpu()
    {
        var coordinators = Workload("StatefulSet");
        Assert.That(Text(coordinators, "spec", "replicas"), Is.EqualTo("2"));
        Assert.That((Arg(coordinators, "--roles"), Arg(coordinators, "--journal")), Is.EqualTo(("coordinator", "$(SWEEP_JOURNAL)")));
        Assert.That(Text(Items(Container(coordinators), "env").Single(e => Text(e, "name") == "SWEEP_JOURNAL"), "valueFrom", "secretKeyRef", "key"), Is.EqualTo("journal"));

        var workers = Workload("Deployment");
        Assert.That((Arg(workers, "--roles"), Arg(workers, "--gpus")), Is.EqualTo(("worker", "auto")));
        Assert.That(Text(Container(workers), "resources", "limits", "nvidia.com/gpu"), Is.EqualTo("1"));
        var checkpoints = Items(workers, "spec", "template", "spec", "volumes").Single(v => Text(v, "name") == "checkpoints");
        var claim = Kind("PersistentVolumeClaim").Single(c => Text(c, "metadata", "name") == Text(checkpoints, "persistentVolumeClaim", "claimName"));
        Assert.That(At(claim, "spec", "accessModes")!.ToString(), Does.Contain("ReadWriteMany"), "checkpoints on a volume every worker mounts");

        var service = Kind("Service").Single();
        Assert.That((Text(Items(service, "spec", "ports").Single(), "port"), Text(service, "spec", "selector", "app")), Is.EqualTo(("9110", "sweepcluster")));
    }

    [Test]
    public void The_image_exposes_the_node_ports_and_the_readme_says_what_the_manifests_carry()
    {
        var dockerfile = File.ReadAllText(Path.Combine(RepoPaths.Root, "infra", "container", "Dockerfile"));
        Assert.That(dockerfile, Does.Contain("EXPOSE 4053 9110 8558"));
        Assert.That(dockerfile, Does.Contain("ENTRYPOINT [\"/app/sweepctl\"]"));
        var readme = File.ReadAllText(Path.Combine(RepoPaths.Root, "docs", "kubernetes.md"));
        foreach (var fact in new[] { Image, "4053", "9110", "8558", "/health/ready", "/health/live", "nvidia.com/gpu", "infra/container/Dockerfile" })
            Assert.That(readme, Does.Contain(fact));
    }
}
