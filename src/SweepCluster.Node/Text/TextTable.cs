using Spectre.Console;

namespace SweepCluster.Node.Text;

/// <summary>
/// A plain-text table with Spectre.Console: columns as wide as their widest cell, numbers right-aligned, no borders and
/// no colour codes, so that it reads the same in a terminal, a log file, a pipe or an endpoint's JSON text.
/// </summary>
internal static class TextTable
{
    public static void Write(TextWriter output, IReadOnlyList<string> headers, IReadOnlyList<IReadOnlyList<string>> rows, ISet<int> rightAligned)
    {
        var table = new Table { Border = TableBorder.None, ShowHeaders = true };
        for (var i = 0; i < headers.Count; i++)
            table.AddColumn(new TableColumn(Markup.Escape(headers[i])) { Alignment = rightAligned.Contains(i) ? Justify.Right : Justify.Left, Padding = new Padding(0, 0, 2, 0), NoWrap = true });
        foreach (var row in rows) table.AddRow([.. row.Select(cell => new Spectre.Console.Text(cell))]);
        var rendered = new StringWriter();
        PlainConsole(rendered).Write(table);
        foreach (var line in rendered.ToString().TrimEnd('\n').Split('\n')) output.WriteLine(line.TrimEnd());
    }

    /// <summary>A console that writes plain text to <paramref name="output"/>, never wrapping a line.</summary>
    private static IAnsiConsole PlainConsole(TextWriter output)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(output),
        });
        console.Profile.Width = int.MaxValue / 2;
        return console;
    }
}
