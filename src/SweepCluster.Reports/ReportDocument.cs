using System.Net;
using System.Text;

namespace SweepCluster.Reports;

/// <summary>The report's content as blocks, written the same way as Markdown (<c>report.md</c>) and as an HTML page (<c>report.html</c>).</summary>
public sealed class ReportDocument
{
    private abstract record Block;

    private sealed record Heading(int Level, string Text) : Block;

    private sealed record Paragraph(string Text) : Block;

    private sealed record Table(IReadOnlyList<string> Headers, IReadOnlyList<IReadOnlyList<string>> Rows) : Block;

    /// <param name="File">The figure's file name without extension, in the figures folder.</param>
    private sealed record Image(string File, string Caption) : Block;

    private readonly List<Block> _blocks = [];

    public ReportDocument Heading1(string text) => Add(new Heading(1, text));

    public ReportDocument Heading2(string text) => Add(new Heading(2, text));

    public ReportDocument Heading3(string text) => Add(new Heading(3, text));

    public ReportDocument Text(string text) => Add(new Paragraph(text));

    public ReportDocument AddTable(IReadOnlyList<string> headers, IReadOnlyList<IReadOnlyList<string>> rows) => Add(new Table(headers, rows));

    public ReportDocument AddFigure(Figure figure) => Add(new Image(figure.Name, figure.Caption));

    private ReportDocument Add(Block block)
    {
        _blocks.Add(block);
        return this;
    }

    public string ToMarkdown(string figures)
    {
        var md = new StringBuilder();
        foreach (var block in _blocks)
        {
            switch (block)
            {
                case Heading h:
                    md.Append('#', h.Level).Append(' ').AppendLine(h.Text);
                    break;
                case Paragraph p:
                    md.AppendLine(p.Text);
                    break;
                case Table t:
                    md.AppendLine("| " + string.Join(" | ", t.Headers.Select(Cell)) + " |");
                    md.AppendLine("|" + string.Concat(t.Headers.Select(_ => "---|")));
                    foreach (var row in t.Rows) md.AppendLine("| " + string.Join(" | ", row.Select(Cell)) + " |");
                    break;
                case Image i:
                    md.AppendLine($"![{i.Caption}]({figures}/{i.File}.svg)").AppendLine().AppendLine($"*{i.Caption}* ([PNG]({figures}/{i.File}.png))");
                    break;
            }
            md.AppendLine();
        }
        return md.ToString();
    }

    private static string Cell(string text) => text.Replace("|", "\\|", StringComparison.Ordinal);

    public string ToHtml(string title, string figures)
    {
        var html = new StringBuilder();
        html.AppendLine("<!DOCTYPE html>").AppendLine("<html lang=\"en\"><head><meta charset=\"utf-8\">")
            .AppendLine($"<title>{WebUtility.HtmlEncode(title)}</title>")
            .AppendLine("<style>body{font-family:sans-serif;max-width:70em;margin:2em auto;padding:0 1em}table{border-collapse:collapse}"
                + "td,th{border:1px solid #ccc;padding:.2em .6em;text-align:left}figure{margin:1em 0}img{max-width:100%}</style>")
            .AppendLine("</head><body>");
        foreach (var block in _blocks)
        {
            switch (block)
            {
                case Heading h:
                    html.AppendLine($"<h{h.Level}>{WebUtility.HtmlEncode(h.Text)}</h{h.Level}>");
                    break;
                case Paragraph p:
                    html.AppendLine($"<p>{WebUtility.HtmlEncode(p.Text)}</p>");
                    break;
                case Table t:
                    html.Append("<table><tr>").Append(string.Concat(t.Headers.Select(c => $"<th>{WebUtility.HtmlEncode(c)}</th>"))).AppendLine("</tr>");
                    foreach (var row in t.Rows) html.Append("<tr>").Append(string.Concat(row.Select(c => $"<td>{WebUtility.HtmlEncode(c)}</td>"))).AppendLine("</tr>");
                    html.AppendLine("</table>");
                    break;
                case Image i:
                    html.AppendLine($"<figure><img src=\"{figures}/{i.File}.svg\" alt=\"{WebUtility.HtmlEncode(i.Caption)}\"><figcaption>{WebUtility.HtmlEncode(i.Caption)}</figcaption></figure>");
                    break;
            }
        }
        return html.AppendLine("</body></html>").ToString();
    }
}
