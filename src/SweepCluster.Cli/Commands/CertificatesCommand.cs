using System.CommandLine;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.RegularExpressions;
using SweepCluster.Cluster.Hosting;

namespace SweepCluster.Cli.Commands;

/// <summary>
/// <c>sweepctl certificates create -o DIR --nodes a,b</c>: a cluster's authority (made once, then reused to add nodes) and one
/// file per node, which <c>node start --cluster-certificate</c> takes.
/// </summary>
internal static partial class CertificatesCommand
{
    public const string AuthorityFile = "authority.pfx";

    public static Command Create(TextWriter output, TextWriter error)
    {
        var folder = new Option<string>("--out", "-o") { Description = $"The folder for the files: {AuthorityFile} (made once, then reused) and NODE.pfx per node", Required = true };
        var nodes = new Option<string>("--nodes") { Description = "The nodes' names (host names or addresses), comma-separated: one file each", Required = true };
        var cluster = new Option<string>("--cluster") { Description = "The cluster's name, in the authority's subject (default sweep)", DefaultValueFactory = _ => "sweep" };
        var days = new Option<int>("--days") { Description = "How long the node certificates are valid (default 825 days; the authority 10 years)", DefaultValueFactory = _ => 825 };
        var create = new Command("create", "Make the cluster's authority if the folder has none, and a certificate file for each node it names")
        {
            folder, nodes, cluster, days,
        };
        create.SetAction(parsed =>
        {
            try
            {
                Write(output, parsed.GetValue(folder)!, parsed.GetValue(nodes)!, parsed.GetValue(cluster)!, parsed.GetValue(days));
                return ExitCodes.Ok;
            }
            catch (FormatException e)
            {
                error.WriteLine($"sweepctl: {e.Message}");
                return ExitCodes.InvalidInput;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                error.WriteLine($"sweepctl: {e.Message}");
                return ExitCodes.Failed;
            }
        });
        return new Command("certificates", "Certificates that let nodes join a cluster whose port speaks TLS; a node without one cannot join") { create };
    }

    private static void Write(TextWriter output, string folder, string nodeList, string cluster, int days)
    {
        var names = nodeList.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (names.Length == 0) throw new FormatException("--nodes needs at least one node name");
        foreach (var name in names)
            if (!NodeName().IsMatch(name)) throw new FormatException($"--nodes: '{name}' is not a host name or address (letters, digits, '.', '-', ':'; up to 253 characters)");
        if (days is < 1 or > 3650) throw new FormatException($"--days takes 1 to 3650 (got {days})");
        if (!ClusterName().IsMatch(cluster)) throw new FormatException($"--cluster: '{cluster}' is not a name (letters, digits, '.', '-', '_'; up to 64 characters)");
        var password = Environment.GetEnvironmentVariable(ClusterCertificate.PasswordVariable);
        Directory.CreateDirectory(folder);
        var authorityPath = Path.Combine(folder, AuthorityFile);
        using var authority = File.Exists(authorityPath) ? ReadAuthority(authorityPath, password) : NewAuthority(output, authorityPath, cluster, password);
        foreach (var name in names)
        {
            var path = Path.Combine(folder, $"{name}.pfx");
            WritePrivate(path, ClusterCertificate.IssueNodeFile(authority, name, TimeSpan.FromDays(days), password));
            output.WriteLine($"wrote {path}: copy it to {name} only, and start that node with --cluster-certificate {Path.GetFileName(path)}");
        }
    }

    private static X509Certificate2 NewAuthority(TextWriter output, string path, string cluster, string? password)
    {
        var authority = ClusterCertificate.CreateAuthority(cluster, TimeSpan.FromDays(3650));
        WritePrivate(path, authority.Export(X509ContentType.Pkcs12, password));
        output.WriteLine($"wrote {path}: the cluster's authority, which admits nodes; keep it off the nodes, and here to add nodes later");
        return authority;
    }

    private static X509Certificate2 ReadAuthority(string path, string? password)
    {
        try
        {
            var authority = X509CertificateLoader.LoadPkcs12FromFile(path, password);
            return authority.HasPrivateKey && authority.Extensions.OfType<X509BasicConstraintsExtension>().Any(b => b.CertificateAuthority)
                ? authority
                : throw new FormatException($"{path}: not a cluster authority with its key (a node's file?); move it away to make a new authority");
        }
        catch (CryptographicException e)
        {
            throw new FormatException($"{path}: not a readable authority file ({e.Message.TrimEnd('.')}); set {ClusterCertificate.PasswordVariable} if it was made with a password");
        }
    }

    /// <summary>Readable by its owner only: the file holds a private key.</summary>
    private static void WritePrivate(string path, byte[] bytes)
    {
        if (OperatingSystem.IsWindows())
        {
            File.WriteAllBytes(path, bytes);
            return;
        }
        const UnixFileMode ownerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using (var file = new FileStream(path, new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, UnixCreateMode = ownerOnly }))
            file.Write(bytes);
        File.SetUnixFileMode(path, ownerOnly);
    }

    [GeneratedRegex(@"^[A-Za-z0-9.:\-]{1,253}$")]
    private static partial Regex NodeName();

    [GeneratedRegex(@"^[A-Za-z0-9._\-]{1,64}$")]
    private static partial Regex ClusterName();
}
