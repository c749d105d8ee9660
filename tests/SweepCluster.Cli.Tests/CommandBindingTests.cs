using SweepCluster.Node.Endpoint;

namespace SweepCluster.Cli.Tests;

/// <summary>
/// A command's switches are bound once, at the node's endpoint, against the command's description: what a handler reads is
/// already checked and defaulted, and a bad value is refused with the switch named and what it takes.
/// </summary>
public class CommandBindingTests
{
    private static (CommandInput? Input, string? Problem) Bind(string palette, string command, params (string Name, string Value)[] given) =>
        CommandInput.Bind(palette, Palettes.Find(palette, command)!, given.ToDictionary(g => g.Name, g => g.Value), source: null);

    [TestCase("top", "0", "--top needs a whole number >= 1 (got '0')")]
    [TestCase("top", "3.5", "--top needs a whole number >= 1 (got '3.5')")]
    [TestCase("top", "99999999999", "--top needs a whole number >= 1 (got '99999999999')")]
    [TestCase("offset", "-1", "--offset needs a whole number >= 0 (got '-1')")]
    [TestCase("state", "Completed", "--state takes pending, running, completed, failed, pruned or cancelled (got 'Completed')")]
    [TestCase("order", "worst", "--order takes best or index (got 'worst')")]
    [TestCase("curves", "true", "--curves takes yes or no (got 'true')")]
    public void A_value_that_does_not_fit_its_switch_is_refused_naming_the_switch_and_what_it_takes(string name, string value, string problem) =>
        Assert.That(Bind("sweep", "trials", ("id", "s1"), (name, value)), Is.EqualTo(((CommandInput?)null, problem)));

    [Test]
    public void A_switch_the_command_does_not_take_and_a_missing_one_are_named()
    {
        Assert.That(Bind("sweep", "status", ("id", "s1"), ("follow", "yes")).Problem, Is.EqualTo("sweep status takes no --follow (it takes --id)"));
        Assert.That(Bind("cluster", "show", ("id", "s1")).Problem, Is.EqualTo("cluster show takes no --id (it takes no switches)"));
        Assert.That(Bind("sweep", "artifacts", ("trial", "2")).Problem, Is.EqualTo("sweep artifacts needs --id"), "--out is the client's, never sent");
        Assert.That(Bind("sweep", "report").Problem, Is.EqualTo("sweep report needs --id"));
    }

    [Test]
    public void Left_out_switches_take_their_defaults_and_given_ones_are_read_typed()
    {
        var (input, problem) = Bind("sweep", "trials", ("id", "s1"), ("top", "5"));
        Assert.That(problem, Is.Null);
        Assert.Multiple(() =>
        {
            Assert.That(input!.Number("top"), Is.EqualTo(5));
            Assert.That(input.Number("offset"), Is.Zero);
            Assert.That(input.Text("order"), Is.EqualTo("best"));
            Assert.That(input.Flag("curves"), Is.False);
            Assert.That(input.Optional("state"), Is.Null);
        });
        var confirm = Bind("sweep", "confirm", ("id", "s1")).Input!;
        Assert.That((confirm.Number("top"), confirm.Number("seeds")), Is.EqualTo(((int?)3, (int?)5)));
        Assert.That(Bind("sweep", "extend", ("id", "s1"), ("trials", "+20")).Input!.Number("trials"), Is.EqualTo(20), "+N is the trials to add");
    }

    [Test]
    public void Each_value_of_a_repeated_switch_is_checked_and_read_in_order()
    {
        Assert.That(Bind("sweep", "report", ("id", "a\nb\n"), ("out", "x")).Problem, Does.StartWith("sweep report takes no --out"), "a download folder stays on the client");
        Assert.That(Bind("sweep", "report", ("id", "a\n b \n")).Input!.All("id"), Is.EqualTo(new[] { "a", "b" }));
        Assert.That(Bind("sweep", "enqueue", ("id", "s1"), ("set", "lr=0.1\nbs=64")).Input!.All("set"), Is.EqualTo(new[] { "lr=0.1", "bs=64" }));
    }

    [Test]
    public void Every_switch_a_node_serves_is_declared_consistently()
    {
        foreach (var palette in Palettes.All)
            foreach (var command in palette.Commands)
                foreach (var s in command.Switches)
                {
                    var where = $"{palette.Name} {command.Name} --{s.Name}";
                    Assert.That(s.Kind == SwitchKind.Choice, Is.EqualTo(s.Choices is { Count: > 0 }), $"{where}: a choice lists its values, and only a choice does");
                    Assert.That(s.Mandatory && s.Default is not null, Is.False, $"{where}: a mandatory switch has no default");
                    if (s.Default is { } value)
                        Assert.That(CommandInput.Bind(palette.Name, command, command.Switches.Where(m => m.Mandatory && !m.IsDownloadFolder)
                            .ToDictionary(m => m.Name, m => m.Kind == SwitchKind.Text ? "x" : m.Values.FirstOrDefault() ?? "1"), null).Problem, Is.Null,
                            $"{where}: its default {value} fits its kind");
                }
    }

    [Test]
    public void A_switch_is_published_with_its_kind_and_one_described_before_kinds_reads_as_text()
    {
        var order = Palettes.Find("sweep", "trials")!.Switches.Single(s => s.Name == "order");
        var published = System.Text.Json.JsonDocument.Parse(Core.Json.SweepJson.Serialize(order)).RootElement;
        Assert.That((published.GetProperty("kind").GetString(), published.GetProperty("default").GetString()), Is.EqualTo(("choice", "best")));
        Assert.That(published.GetProperty("choices").EnumerateArray().Select(c => c.GetString()), Is.EqualTo(new[] { "best", "index" }));

        // GET /api/palettes of a node of the release before kinds, as its client read it.
        const string before = """{"name":"top","short":"k","description":"Show only the best K","mandatory":false,"default":null,"is_file":false,"unique":false,"is_download_folder":false,"repeated":false,"is_folder":false}""";
        var old = System.Text.Json.JsonSerializer.Deserialize<SwitchDescription>(before, Core.Json.SweepJson.Options)!;
        Assert.That((old.Kind, old.Values.Count, old.ValueForm), Is.EqualTo((SwitchKind.Text, 0, "TOP")));
    }

    [Test]
    public void What_the_client_does_besides_asking_is_declared_on_the_command_and_read_from_an_older_nodes_description_too()
    {
        Assert.That(Palettes.All.SelectMany(p => p.Commands).Where(c => c.Client is not null).ToDictionary(c => c.Name, c => c.Client), Is.EquivalentTo(
            new Dictionary<string, ClientStep?>
            {
                ["submit"] = ClientStep.ChecksTrainer,
                ["watch"] = ClientStep.Watches,
                ["logs"] = ClientStep.FollowsLogs,
                ["report"] = ClientStep.DrawsReport,
            }));
        // GET /api/palettes of a node of the release before steps were declared.
        const string before = """{"name":"watch","description":"Live progress until the sweep ends; exit 0 when it completed","switches":[],"safe_to_repeat":true}""";
        var old = System.Text.Json.JsonSerializer.Deserialize<CommandDescription>(before, Core.Json.SweepJson.Options)!;
        Assert.That((old.Client, Remote.RemoteClient.StepOf(old)), Is.EqualTo(((ClientStep?)null, ClientStep.Watches)));
    }
}
