using Spectre.Console;

namespace SweepCluster.Cli.Output;

/// <summary>
/// Live progress: on a terminal a block of lines that Spectre.Console redraws in place; written elsewhere (a file, a
/// pipe), only its first line, each time that line changes.
/// </summary>
internal sealed class LiveView(TextWriter writer)
{
    private readonly bool _terminal = ReferenceEquals(writer, Console.Out) ? !Console.IsOutputRedirected
        : ReferenceEquals(writer, Console.Error) && !Console.IsErrorRedirected;

    /// <summary>Runs <paramref name="loop"/>, which shows its lines with the action it is given, and returns what the loop returns.</summary>
    public async Task<T> RunAsync<T>(Func<Action<IReadOnlyList<string>>, Task<T>> loop)
    {
        if (!_terminal)
        {
            var last = "";
            return await loop(lines =>
            {
                if (lines.Count == 0 || lines[0] == last) return;
                writer.WriteLine(lines[0]);
                last = lines[0];
            });
        }
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(writer) });
        return await console.Live(new Text("")).StartAsync(context => loop(lines =>
        {
            context.UpdateTarget(new Text(string.Join('\n', lines)));
            context.Refresh();
        }));
    }
}
