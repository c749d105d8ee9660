using System.Net;
using System.Net.Http.Headers;
using SweepCluster.Core.Code;
using SweepCluster.Core.Spec;
using SweepCluster.Node.Endpoint;

namespace SweepCluster.Cli.Remote;

/// <summary>
/// A command's code folder (<c>sweep submit</c>'s <c>--code</c>, by default the experiment's folder), packed and sent to the node
/// before the command when the experiment runs the user's own program: workers then need no shared filesystem.
/// </summary>
internal sealed class CodeUpload(HttpClient http, TextWriter error)
{
    /// <summary>Sends the package and names it in <paramref name="switches"/>; an exit code when it could not be sent, else null.</summary>
    public async Task<int?> SendAsync(CommandDescription command, Dictionary<string, string> switches, string source, CancellationToken cancellation)
    {
        if (command.Switches.FirstOrDefault(s => s.IsFolder) is not { } folderSwitch || command.Switches.FirstOrDefault(s => s.IsFile) is not { } fileSwitch
            || !switches.TryGetValue(folderSwitch.Name, out var given))
            return null;
        // A built-in trainer has nothing to send; an invalid file is sent as it is, for the node to say what is wrong with it.
        var parsed = ExperimentSpecParser.Parse(switches[fileSwitch.Name], source, new CodeFolder(given));
        if (parsed.Spec is not { RunsCommands: true, CodeDirectory: { } folder }) return null;
        byte[] zip;
        string hash;
        try
        {
            (zip, hash) = CodePackage.Pack(folder);
        }
        catch (Exception e) when (e is CodePackageException or IOException or UnauthorizedAccessException)
        {
            error.WriteLine($"cannot send the code folder: {e.Message}");
            return ExitCodes.InvalidInput;
        }
        using var content = new ByteArrayContent(zip);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/zip");
        using var response = await http.PutAsync(EndpointOptions.CodeRoute.TrimStart('/').Replace("{hash}", hash, StringComparison.Ordinal), content, cancellation);
        if (response.StatusCode == HttpStatusCode.Unauthorized) throw new HttpRequestException("unauthorized", null, HttpStatusCode.Unauthorized);
        if (!response.IsSuccessStatusCode)
        {
            error.WriteLine($"the node did not take the code package: {await response.Content.ReadAsStringAsync(cancellation)}");
            return ExitCodes.Failed;
        }
        switches[folderSwitch.Name] = folder;
        switches[EndpointOptions.CodePackageSwitch] = hash;
        error.WriteLine($"sent the code folder {folder} ({CodePackage.List(zip).Count} files, {zip.Length / 1024.0:0.#} KiB) as package {hash[..12]}");
        return null;
    }
}
