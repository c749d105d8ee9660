using System.CommandLine;
using System.Text;
using SweepCluster.Node.Endpoint;

namespace SweepCluster.Cli.Tests;

/// <summary>
/// docs/commands.md is written from the commands themselves (sweepctl's tree and the palettes a node serves), so it cannot
/// drift: this test fails when the file and the commands differ, and <c>make docs</c> (SWEEP_WRITE_DOCS=1) writes it again.
/// </summary>
public class CommandReferenceTests
{
    private static readonly string File = Path.Combine(RepoPaths.Root, "docs", "commands.md");

    [Test]
    public void The_command_reference_is_the_commands_as_they_are()
    {
        var reference = Render();
        if (Environment.GetEnvironmentVariable("SWEEP_WRITE_DOCS") == "1") System.IO.File.WriteAllText(File, reference);
        Assert.That(System.IO.File.Exists(File) ? System.IO.File.ReadAllText(File) : "", Is.EqualTo(reference),
            "docs/commands.md differs from the commands: run make docs");
    }

    [Test]
    public void Help_lists_every_command_a_node_serves_and_describes_one_with_no_node_running()
    {
        var help = CliRunner.Run("--help");
        Assert.That(help.ExitCode, Is.Zero);
        foreach (var command in Palettes.All.SelectMany(p => p.Commands.Select(c => $"{p.Name} {c.Name}")))
            Assert.That(help.Stdout, Does.Match($@"\n  {command} +\S"), $"sweepctl --help lists {command}");

        // Bound but never listening: every connection to it is refused.
        using var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
        socket.Bind(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0));
        var closed = $"127.0.0.1:{((System.Net.IPEndPoint)socket.LocalEndPoint!).Port}";
        var submit = CliRunner.Run(closed, "sweep", "submit", "--help");
        Assert.That(submit.ExitCode, Is.Zero, submit.Stderr);
        Assert.That(submit.Stderr, Does.StartWith($"cannot reach {closed}: connection refused"));
        Assert.That(submit.Stdout, Does.Contain("-f, --file <FILE> (REQUIRED)").And.Contain("--check"));
        Assert.That(CliRunner.Run(closed, "sweep", "submit", "-f", "x.yml").ExitCode, Is.EqualTo(3), "a command that is not a question for help still needs the node");
    }

    private static string Render()
    {
        var text = new StringBuilder();
        text.Append("""
            # Command reference

            Written from the commands themselves by `make docs`; a test fails when this file and the commands differ. Every
            command takes `--help`. Exit codes: `0` done, `1` the work failed, `2` bad usage or invalid input, `3` the node cannot
            be reached (cluster commands), `130` interrupted.

            ## Commands that run here: `sweepctl COMMAND`

            """).Append('\n');
        foreach (var command in Leaves(SweepCtl.LocalCommands(TextWriter.Null, TextWriter.Null), ""))
        {
            text.Append($"### `sweepctl {command.Path}`\n\n{command.Command.Description}\n\n");
            var rows = command.Command.Arguments.Where(a => !a.Hidden).Select(a => ($"`{a.Name}`", a.Description ?? ""))
                .Concat(command.Command.Options.Where(o => !o.Hidden).Select(o => ($"`{string.Join("`, `", o.Aliases.Prepend(o.Name).Distinct())}`", o.Description ?? "")))
                .ToList();
            if (rows.Count > 0) Table(text, ["argument or option", "what it is"], rows.Select(r => (IReadOnlyList<string>)[r.Item1, r.Item2]));
        }
        text.Append("## Commands of a node: `sweepctl HOST:PORT PALETTE COMMAND`\n\n")
            .Append("Every node serves them (on its command port), whichever node holds the sweep; each also takes `--format table|json`.\n\n");
        foreach (var palette in Palettes.All)
            foreach (var command in palette.Commands)
            {
                text.Append($"### `{palette.Name} {command.Name}`\n\n{command.Description}\n\n");
                if (command.Switches.Length > 0)
                    Table(text, ["switch", "required", "what it is"], command.Switches.Select(s => (IReadOnlyList<string>)
                        [$"`--{s.Name} {s.ValueForm}`" + (s.Short is null ? "" : $", `-{s.Short}`"), s.Mandatory ? "yes" : "", s.Description + (s.Default is null ? "" : $" (default {s.Default})")]));
            }
        return text.ToString().TrimEnd('\n') + "\n";
    }

    private static IEnumerable<(string Path, Command Command)> Leaves(Command command, string path)
    {
        foreach (var sub in command.Subcommands.Where(c => !c.Hidden))
        {
            var subPath = path.Length == 0 ? sub.Name : $"{path} {sub.Name}";
            if (sub.Subcommands.Count == 0) yield return (subPath, sub);
            else foreach (var leaf in Leaves(sub, subPath)) yield return leaf;
        }
    }

    private static void Table(StringBuilder text, string[] headers, IEnumerable<IReadOnlyList<string>> rows)
    {
        text.Append("| ").Append(string.Join(" | ", headers)).Append(" |\n|").Append(string.Concat(headers.Select(_ => "---|"))).Append('\n');
        foreach (var row in rows) text.Append("| ").Append(string.Join(" | ", row.Select(cell => cell.Replace("|", "\\|").Replace("\n", " ")))).Append(" |\n");
        text.Append('\n');
    }
}
