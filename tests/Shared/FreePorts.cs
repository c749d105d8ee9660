using System.Net;
using System.Net.Sockets;

namespace SweepCluster.Testing;

/// <summary>Loopback ports nothing listens on now, so that tests and benchmarks can run side by side.</summary>
internal static class FreePorts
{
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
