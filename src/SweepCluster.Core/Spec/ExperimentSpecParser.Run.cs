using SweepCluster.Core.Sampling;
using YamlDotNet.RepresentationModel;

namespace SweepCluster.Core.Spec;

/// <summary>What the experiment runs (<c>run:</c>, a built-in trainer or the user's program) and SnapperML's keys around it.</summary>
public static partial class ExperimentSpecParser
{
    private sealed record RunEntries(string Trainer, IReadOnlyList<string>? Commands);

    private sealed partial class Reader
    {
        /// <summary>
        /// <c>run:</c>: one built-in trainer (<c>convnet</c>, <c>src/convnet.py</c>, <c>builtin/sleep</c>) when the code folder has no
        /// such file, else the user's program: entries run in order, a <c>.py</c> path as <c>python3 PATH PARAMS_FILE</c>, anything
        /// else as a command line. SnapperML's <c>{command: ...}</c> form is read too.
        /// </summary>
        private RunEntries? ReadRun(YamlNode node, CodeFolder? folder, ParamValue.Map? fixedParams, SearchSpace? space)
        {
            var items = node is YamlSequenceNode seq ? seq.Children.ToList() : [node];
            if (items.Count == 0)
            {
                Error(node.Start, "run", "needs a trainer or your program, e.g. run: [train.py]");
                return null;
            }
            var entries = new List<(YamlNode Node, string Path, string Text)>();
            for (var i = 0; i < items.Count; i++)
            {
                var path = node is YamlSequenceNode ? $"run[{i}]" : "run";
                var item = items[i] is YamlMappingNode { Children.Count: > 0 } map && map.Children.FirstOrDefault(e => e.Key is YamlScalarNode { Value: "command" }).Value is { } command
                    ? command
                    : items[i];
                if (Text(item, path) is { } text) entries.Add((item, path, text.Trim()));
            }
            if (entries.Count < items.Count) return null;
            if (entries.Count == 1 && BuiltinNamed(entries[0].Text, folder) is { } builtin) return new RunEntries(builtin, null);
            if (entries.Count > 1 && entries.FirstOrDefault(e => BuiltinNamed(e.Text, folder) is not null) is { Node: not null } alone)
            {
                Error(alone.Node.Start, alone.Path, $"'{alone.Text}' is a built-in trainer, which runs alone: run: names one built-in trainer, or your program's commands");
                return null;
            }
            if (entries.Count > 1 && entries.FirstOrDefault(e => KnownTrainers.AssemblyEntry(e.Text) is not null) is { Node: not null } assembly)
            {
                Error(assembly.Node.Start, assembly.Path, $"'{assembly.Text}' is a .NET trainer, which runs alone: run: names one trainer, or your program's commands");
                return null;
            }
            if (folder is null)
            {
                var first = entries[0];
                var hint = KeyHints.DidYouMean(KnownTrainers.FromRunEntry(first.Text), KnownTrainers.All);
                Error(first.Node.Start, first.Path, $"'{first.Text}' is not a built-in trainer{(hint.Length > 0 ? hint : ".")} A program of your own runs from its code folder: "
                    + $"validate, run or submit the experiment with sweepctl, which names the folder (built-in: {string.Join(", ", KnownTrainers.All)})");
                return null;
            }
            var valid = true;
            foreach (var (entryNode, path, text) in entries) valid &= CheckCommand(entryNode, path, text, folder, fixedParams, space);
            return valid ? new RunEntries(DisplayName(entries[0].Text), [.. entries.Select(e => e.Text)]) : null;
        }

        /// <summary>The built-in trainer an entry names, unless the code folder holds a file by that name: then it is the user's.</summary>
        private static string? BuiltinNamed(string entry, CodeFolder? folder)
        {
            var trainer = KnownTrainers.FromRunEntry(entry);
            if (!KnownTrainers.All.Contains(trainer)) return null;
            return folder switch
            {
                null => trainer,
                { Readable: false } => null, // the submitter saw the folder and decided: it is the user's program
                _ => folder.Holds(entry) ? null : trainer,
            };
        }

        /// <summary>What tables call the program: the script's or the program's file name.</summary>
        private static string DisplayName(string entry)
        {
            var words = CommandWords.Split(entry, out _) ?? [entry];
            var named = words.Count > 1 && System.IO.Path.GetFileName(words[0]) is "python" or "python3" or "bash" or "sh" or "Rscript" or "julia" or "dotnet"
                ? words[1] : words[0];
            return System.IO.Path.GetFileName(named);
        }

        /// <summary>
        /// A command's words split, its program found (a path in the code folder, or a name on PATH) and each <c>{{name}}</c> naming a
        /// parameter. Files are looked for only where this process can see the folder.
        /// </summary>
        private bool CheckCommand(YamlNode node, string path, string text, CodeFolder folder, ParamValue.Map? fixedParams, SearchSpace? space)
        {
            if (CommandWords.Split(text, out var problem) is not { } words)
            {
                Error(node.Start, path, $"'{text}' cannot be read as a command: {problem}");
                return false;
            }
            var valid = true;
            foreach (var name in CommandWords.Placeholders(text).Distinct())
            {
                if (fixedParams is not null && ParamPath.Get(fixedParams, name) is not null) continue;
                if (space is not null && space.Dimensions.Any(d => d.Path == name || d.Path.StartsWith(name + ".", StringComparison.Ordinal) || d.Path.StartsWith(name + "[", StringComparison.Ordinal)))
                    continue;
                Error(node.Start, path, $"{{{{{name}}}}} names no parameter; the parameters are {string.Join(", ", ParameterNames(fixedParams, space))}");
                valid = false;
            }
            if (!folder.Readable) return valid;
            var program = words[0];
            var assembly = words.Count == 1 ? KnownTrainers.AssemblyEntry(program) : null;
            if (words.Count == 1 && program.EndsWith(".py", StringComparison.Ordinal) || assembly is not null || program.Contains('/'))
            {
                var file = assembly?.File ?? program;
                if (!folder.Holds(file))
                {
                    Error(node.Start, path, $"there is no file {file} in the code folder {folder.Path} (the experiment's folder, its root_path or --code)"
                        + (assembly is null ? "" : "; build the trainer's project into it, e.g. dotnet build -o bin")
                        + (folder.Files is null && File.Exists(file) && !System.IO.Path.IsPathRooted(file)
                            ? $"; it is in the current folder, where SnapperML looks: give --code {Environment.CurrentDirectory}" : ""));
                    return false;
                }
            }
            else if (folder.Files is null && !OnPath(program)) // a package's programs are on the workers' PATH, not this node's
            {
                Error(node.Start, path, $"the program '{program}' is not on PATH; name it by its path (relative to the code folder {folder.Path}) or install it");
                return false;
            }
            return valid;
        }

        private static IEnumerable<string> ParameterNames(ParamValue.Map? fixedParams, SearchSpace? space) =>
            (fixedParams?.Entries.Select(e => e.Key) ?? []).Concat(space?.Dimensions.Select(d => d.Path) ?? []).Distinct();

        private static bool OnPath(string program) =>
            (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
                .Any(dir => File.Exists(System.IO.Path.Combine(dir, program)));

        /// <summary>A key under both params and param_space: the searched value wins, as in SnapperML, and the file is told so.</summary>
        private ParamValue.Map WithoutSearched(ParamValue.Map fixedParams, Dictionary<string, (YamlScalarNode Key, YamlNode Value)> keys)
        {
            if (!keys.TryGetValue("param_space", out var space) || space.Value is not YamlMappingNode map) return fixedParams;
            var searched = map.Children.Keys.OfType<YamlScalarNode>().Where(k => k.Value is not null && fixedParams[k.Value] is not null).ToList();
            foreach (var key in searched)
                Notice(key.Start, $"param_space.{key.Value}", "is also under params: the searched value is used, as in SnapperML");
            var names = searched.Select(k => k.Value!).ToHashSet();
            return names.Count == 0 ? fixedParams : new ParamValue.Map([.. fixedParams.Entries.Where(e => !names.Contains(e.Key))]);
        }

        /// <summary>SnapperML's execution settings: Ray and Docker are not how SweepCluster runs trials, so they are read and said to do nothing.</summary>
        private void ReadIgnoredSections(Dictionary<string, (YamlScalarNode Key, YamlNode Value)> keys)
        {
            if (keys.TryGetValue("ray_config", out var ray))
                Notice(ray.Key.Start, "ray_config", "has no effect here: the cluster's workers offer the CPUs and GPUs (resources_per_worker says what a trial takes)");
            if (keys.TryGetValue("docker_config", out var docker))
                Notice(docker.Key.Start, "docker_config", "has no effect here: trials run on the workers as they are set up, not in a container");
        }

        /// <summary>SnapperML's <c>data: {folder: ..., files: [...]}</c>, or a folder alone: it reaches commands as <c>SWEEP_DATA_DIR</c>.</summary>
        private string? ReadData(YamlNode node)
        {
            if (node is YamlScalarNode) return Text(node, "data");
            if (Mapping(node, "data") is not { } map) return null;
            var keys = Keys(map, "data", ["folder", "files"]);
            if (keys.TryGetValue("files", out var files) && files.Value is not YamlSequenceNode)
                Error(files.Value.Start, "data.files", "needs a list of file names, e.g. files: [train.h5, test.h5]");
            return keys.TryGetValue("folder", out var folder) ? Text(folder.Value, "data.folder") : null;
        }

        /// <summary>The code folder, moved by <c>root_path</c> (relative to it: the experiment's folder, or the one <c>--code</c> names).</summary>
        private CodeFolder? ReadRootPath(Dictionary<string, (YamlScalarNode Key, YamlNode Value)> keys)
        {
            if (!keys.TryGetValue("root_path", out var entry) || Text(entry.Value, "root_path") is not { } rootPath) return code;
            if (code is not { Readable: true, Files: null }) return code; // a package is the folder root_path named already
            var moved = System.IO.Path.GetFullPath(System.IO.Path.Combine(code.Path, rootPath));
            if (Directory.Exists(moved)) return code with { Path = moved };
            Error(entry.Value.Start, "root_path", $"there is no folder {moved}; root_path is relative to the experiment's folder (or to --code)");
            return code;
        }
    }
}
