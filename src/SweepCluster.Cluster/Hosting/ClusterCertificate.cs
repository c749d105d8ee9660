using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace SweepCluster.Cluster.Hosting;

/// <summary>
/// A node's proof of membership: its own certificate and key, and the cluster's authority that issued it, in one PKCS#12
/// file. Nodes speak TLS to each other and each side accepts the other only if the authority issued its certificate, so
/// a node without such a file cannot join, and cannot send a single message to the cluster.
/// </summary>
public sealed class ClusterCertificate
{
    /// <summary>The environment variable holding the files' password, when they have one.</summary>
    public const string PasswordVariable = "SWEEP_CERTIFICATE_PASSWORD";

    private static readonly Oid ServerAuthentication = new("1.3.6.1.5.5.7.3.1");
    private static readonly Oid ClientAuthentication = new("1.3.6.1.5.5.7.3.2");

    private ClusterCertificate(X509Certificate2 node, X509Certificate2 authority)
    {
        Node = node;
        Authority = authority;
    }

    /// <summary>This node's certificate, with its private key.</summary>
    public X509Certificate2 Node { get; }

    /// <summary>The cluster's authority (no private key): the only issuer a peer's certificate may have.</summary>
    public X509Certificate2 Authority { get; }

    /// <summary>Reads a node's file as <c>sweepctl certificates create</c> writes it.</summary>
    /// <exception cref="FormatException">The file is missing, unreadable, or not a node's file: the message names it and what to do.</exception>
    public static ClusterCertificate Load(string path, string? password)
    {
        X509Certificate2Collection all;
        try
        {
            all = X509CertificateLoader.LoadPkcs12CollectionFromFile(path, password);
        }
        catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException)
        {
            throw new FormatException($"{path}: not a readable certificate file ({e.Message.TrimEnd('.')}); "
                + $"make one with sweepctl certificates create, and set {PasswordVariable} if it was made with a password");
        }
        var node = all.FirstOrDefault(c => c.HasPrivateKey && !IsAuthority(c))
            ?? throw new FormatException($"{path}: holds no node certificate with its key (an authority's own file cannot start a node: give the node's file)");
        var authority = all.FirstOrDefault(c => IsAuthority(c) && !c.HasPrivateKey)
            ?? throw new FormatException($"{path}: holds no cluster authority beside the node's certificate; make it with sweepctl certificates create");
        var loaded = new ClusterCertificate(node, authority);
        if (node.NotAfter < DateTime.Now) throw new FormatException($"{path}: the node's certificate expired on {node.NotAfter:yyyy-MM-dd}; make a new one with sweepctl certificates create");
        if (!loaded.Accepts(node, out var why)) throw new FormatException($"{path}: the node's certificate is not valid for the authority beside it ({why})");
        return loaded;
    }

    /// <summary>Whether <paramref name="peer"/> was issued by this cluster's authority and is valid now, for both ends of a connection.</summary>
    public bool Accepts(X509Certificate2? peer, out string why)
    {
        if (peer is null)
        {
            why = "it presented no certificate";
            return false;
        }
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(Authority);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.ApplicationPolicy.Add(ServerAuthentication);
        chain.ChainPolicy.ApplicationPolicy.Add(ClientAuthentication);
        if (chain.Build(peer) && chain.ChainElements[^1].Certificate.RawData.AsSpan().SequenceEqual(Authority.RawData))
        {
            why = "";
            return true;
        }
        var problems = chain.ChainStatus.Select(s => s.StatusInformation.Trim()).Where(s => s.Length > 0).Distinct().ToList();
        why = $"certificate '{peer.Subject}' is not issued by this cluster's authority '{Authority.Subject}'"
            + (problems.Count > 0 ? $": {string.Join("; ", problems)}" : "");
        return false;
    }

    private static bool IsAuthority(X509Certificate2 certificate) =>
        certificate.Extensions.OfType<X509BasicConstraintsExtension>().Any(b => b.CertificateAuthority);

    /// <summary>A new authority for a cluster: its certificate and private key, which issue every node's certificate.</summary>
    public static X509Certificate2 CreateAuthority(string cluster, TimeSpan validFor)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={cluster} cluster authority, O=SweepCluster", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var now = DateTimeOffset.UtcNow.AddMinutes(-5);
        return request.CreateSelfSigned(now, now + validFor);
    }

    /// <summary>A node's file: a certificate for <paramref name="name"/> issued by the authority, its key, and the authority's certificate.</summary>
    public static byte[] IssueNodeFile(X509Certificate2 authority, string name, TimeSpan validFor, string? password)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}, O=SweepCluster", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([ServerAuthentication, ClientAuthentication], false));
        var names = new SubjectAlternativeNameBuilder();
        if (System.Net.IPAddress.TryParse(name, out var ip)) names.AddIpAddress(ip);
        else names.AddDnsName(name);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(authority, true, false));
        var now = DateTimeOffset.UtcNow.AddMinutes(-5);
        var notAfter = now + validFor < authority.NotAfter ? now + validFor : new DateTimeOffset(authority.NotAfter.ToUniversalTime());
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F;
        using var issued = request.Create(authority, now, notAfter, serial);
        using var withKey = issued.CopyWithPrivateKey(key);
        using var authorityOnly = X509CertificateLoader.LoadCertificate(authority.RawData);
        return new X509Certificate2Collection { withKey, authorityOnly }.Export(X509ContentType.Pkcs12, password)!;
    }
}
