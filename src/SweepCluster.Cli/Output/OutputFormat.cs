using System.CommandLine;

namespace SweepCluster.Cli.Output;

/// <summary>The <c>--format table|json</c> switch every command that prints results takes.</summary>
internal static class OutputFormat
{
    public const string Table = "table";
    public const string Json = "json";

    public static Option<string> CreateOption()
    {
        var option = new Option<string>("--format")
        {
            Description = "table for people, json for scripts",
            DefaultValueFactory = _ => Table,
        };
        option.AcceptOnlyFromAmong(Table, Json);
        return option;
    }
}
