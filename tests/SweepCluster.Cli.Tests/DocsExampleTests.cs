using System.Text.RegularExpressions;
using SweepCluster.Core.Spec;
using SweepCluster.Node.Endpoint;

namespace SweepCluster.Cli.Tests;

/// <summary>
/// The examples of the README, CONTRIBUTING.md and docs/ as written: every experiment file shown parses, every
/// <c>sweepctl</c> line of a shell block parses as the command it shows (a node's palette command against the palettes
/// the nodes serve), every repository file it names exists, and every cluster command quoted in the text is one a node
/// serves with the switches shown. The examples that run whole are run by their own tests (ReadmeExampleTests,
/// CommandTrialTests, the examples' tests).
/// </summary>
public partial class DocsExampleTests
{
    private static IEnumerable<string> Documents() =>
        new[] { "README.md", "CONTRIBUTING.md" }.Concat(Directory.GetFiles(Path.Combine(RepoPaths.Root, "docs"), "*.md").Select(f => Path.Combine("docs", Path.GetFileName(f))).Order());

    private static string Read(string document) => File.ReadAllText(Path.Combine(RepoPaths.Root, document));

    [TestCaseSource(nameof(Documents))]
    public void Every_experiment_shown_parses(string document)
    {
        foreach (Match block in CodeBlock().Matches(Read(document)))
        {
            var yaml = block.Groups["body"].Value;
            if (block.Groups["lang"].Value != "yaml" || !yaml.Contains("name:") || !yaml.Contains("run:")) continue; // a fragment, shown with its section
            var parsed = ExperimentSpecParser.Parse(yaml, document, new CodeFolder(RepoPaths.Root, Readable: false));
            Assert.That(parsed.Errors, Is.Empty, $"{document}: the experiment at offset {block.Index}:\n{yaml}");
        }
    }

    [TestCaseSource(nameof(Documents))]
    public void Every_sweepctl_line_shown_is_a_command_with_its_files(string document)
    {
        foreach (var line in SweepctlLines(Read(document)))
        {
            var words = CommandWords.Split(line, out var problem);
            Assert.That(words, Is.Not.Null, $"{document}: '{line}' cannot be split: {problem}");
            words!.RemoveAt(0);
            foreach (var file in words.Where(w => RepositoryPath().IsMatch(w) && !w.Contains('*')))
                Assert.That(Path.Combine(RepoPaths.Root, file), Does.Exist.Or.Matches<string>(Directory.Exists), $"{document}: '{line}' names {file}");
            if (words.Count > 0 && (words[0].StartsWith("slurm:", StringComparison.Ordinal) || Address().IsMatch(words[0])))
                CheckPaletteCommand(document, line, words.Skip(1).ToList());
            else
            {
                var parsed = SweepCtl.LocalCommands(TextWriter.Null, TextWriter.Null).Parse(words);
                Assert.That(parsed.Errors.Select(e => e.Message), Is.Empty, $"{document}: '{line}'");
            }
        }
    }

    [TestCaseSource(nameof(Documents))]
    public void Every_cluster_command_quoted_is_served_with_its_switches(string document)
    {
        var palettes = Palettes.All.Select(p => p.Name).ToHashSet();
        foreach (Match quoted in InlineCode().Matches(Read(document)))
        {
            var words = quoted.Groups[1].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries).ToList();
            if (words.Count < 2 || !palettes.Contains(words[0]) || !Regex.IsMatch(words[1], "^[a-z][a-z-]*$")) continue;
            if (words[0] == "node" && words[1] == "start") continue; // the local command that starts a node
            CheckPaletteCommand(document, quoted.Value, words);
        }
    }

    [TestCaseSource(nameof(Documents))]
    public void Every_link_leads_to_a_file_and_its_heading(string document)
    {
        foreach (Match link in Link().Matches(Read(document)))
        {
            var (target, heading) = (link.Groups["path"].Value, link.Groups["anchor"].Value);
            var file = Path.GetFullPath(Path.Combine(RepoPaths.Root, Path.GetDirectoryName(document)!, target.Length > 0 ? target : Path.GetFileName(document)));
            Assert.That(File.Exists(file) || Directory.Exists(file), $"{document}: {link.Value} leads nowhere");
            if (heading.Length == 0) continue;
            var slugs = Heading().Matches(File.ReadAllText(file)).Select(h => Regex.Replace(h.Groups[1].Value.Trim().ToLowerInvariant(), @"[^\w\- ]", "").Replace(' ', '-'));
            Assert.That(slugs, Does.Contain(heading), $"{document}: {link.Value}: {target} has no such heading");
        }
    }

    /// <summary>The palette and command exist, and each switch written (<c>-i</c>, <c>--trials</c>) is one of the command's.</summary>
    private static void CheckPaletteCommand(string document, string text, List<string> words)
    {
        var command = Palettes.Find(words[0], words[1]);
        Assert.That(command, Is.Not.Null, $"{document}: {text}: no node serves '{words[0]} {words[1]}'");
        var known = command!.Switches.SelectMany(s => new[] { $"--{s.Name}", s.Short is null ? null : $"-{s.Short}" }).Append("--format").Append("--follow").OfType<string>().ToHashSet();
        foreach (var word in words.Skip(2).Where(w => SwitchWord().IsMatch(w)))
            Assert.That(known, Does.Contain(word.Split('=')[0]), $"{document}: {text}: '{words[0]} {words[1]}' has no switch {word}");
    }

    /// <summary>The <c>sweepctl</c> lines of the shell blocks: continuations joined, comments and optional <c>[--switch ...]</c> groups left out.</summary>
    private static IEnumerable<string> SweepctlLines(string markdown)
    {
        foreach (Match block in CodeBlock().Matches(markdown))
        {
            if (block.Groups["lang"].Value != "sh") continue;
            foreach (var raw in block.Groups["body"].Value.Replace("\\\n", " ").Split('\n'))
            {
                var line = Regex.Replace(raw, @"\s+#\s.*$", "").Trim();
                if (!line.StartsWith("bin/sweepctl ", StringComparison.Ordinal)) continue;
                string before;
                do
                {
                    before = line;
                    line = Regex.Replace(line, @"\s\[--[^\[\]]*\]", "");
                }
                while (line != before);
                yield return Regex.Replace(line, @"\s+", " ");
            }
        }
    }

    [GeneratedRegex(@"\]\((?!https?:)(?<path>[^)#\s]*)(?:#(?<anchor>[^)\s]+))?\)")]
    private static partial Regex Link();

    [GeneratedRegex(@"^#{1,4} (.+)$", RegexOptions.Multiline)]
    private static partial Regex Heading();

    [GeneratedRegex(@"^```(?<lang>\w*)\n(?<body>.*?)^```", RegexOptions.Singleline | RegexOptions.Multiline)]
    private static partial Regex CodeBlock();

    [GeneratedRegex(@"(?<!`)`([^`\n]+)`(?!`)")]
    private static partial Regex InlineCode();

    [GeneratedRegex(@"^(experiments|examples|cluster-config|infra)/")]
    private static partial Regex RepositoryPath();

    [GeneratedRegex(@"^[\w.-]+:\d+$")]
    private static partial Regex Address();

    [GeneratedRegex(@"^--?[a-z][a-z-]*(=.*)?$")]
    private static partial Regex SwitchWord();
}
