using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using SweepCluster.Training.Data;
using SweepCluster.Training.Inference;

namespace SweepCluster.Bench;

/// <summary>
/// The prediction service (<c>POST /api/models/REF/predict</c> on a worker node, requests batched on one thread) under load: requests
/// of one shower image as JSON from 1, 8 and 64 concurrent clients, requests per second and latency, beside Debian's PyTorch
/// running the same exported weights in one process with as many threads, each predicting one image at a time (no HTTP:
/// the peer's figure is the model's own cost, an upper bound for any server in front of it). The model is the study's
/// convnet [14, 18], trained one epoch on synthetic showers as a sweep of the node, then registered and promoted.
/// </summary>
internal static class ServingBench
{
    private static readonly int[] Clients = [1, 8, 64];
    private static readonly TimeSpan Duration = TimeSpan.FromSeconds(6);

    public static void Run()
    {
        Console.WriteLine();
        Console.WriteLine("== prediction service: one-image requests, the study's convnet [14, 18] ==");
        var root = Directory.CreateTempSubdirectory("bench-serving-").FullName;
        BenchNodes.Node? node = null;
        try
        {
            var data = Path.Combine(root, "data");
            SyntheticShowers.Write(data, 256, 64, 1);
            node = BenchNodes.Start($"--roles coordinator,worker --cpu-slots 1 --gpu-trials-on-cpu --data {data} --store {Path.Combine(root, "store")}");
            var experiment = Path.Combine(root, "convnet.yml");
            File.WriteAllText(experiment, "name: bench\nnum_trials: 1\nsampler: random\nparams:\n  epochs: 1\n  bs: 64\n  lr: 0.001\n  optimizer: adam\n  normalize: 'yes'\n"
                + "  out_channels: [14, 18]\nparam_space:\n  seed: choice([1])\nmetric:\n  name: test_f1\n  direction: maximize\nrun: [convnet]\n");
            var id = BenchNodes.Json(node.Address, "sweep", "submit", new Dictionary<string, string> { ["file"] = File.ReadAllText(experiment) }).GetProperty("id").GetString()!;
            BenchNodes.WaitUntil(() => BenchNodes.Json(node.Address, "sweep", "status", new Dictionary<string, string> { ["id"] = id }).GetProperty("state").GetString() == "completed");
            BenchNodes.Json(node.Address, "model", "register", new Dictionary<string, string> { ["id"] = id, ["name"] = "bench" });
            BenchNodes.Json(node.Address, "model", "promote", new Dictionary<string, string> { ["model"] = "bench:1", ["stage"] = "production" });

            var test = ShowerSet.Load(Directory.GetFiles(data, "Test_*.h5").Single());
            var image = test.Image(0).ToArray();
            var body = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new { images = new[] { Enumerable.Range(0, 80).Select(r => image[(r * 80)..((r + 1) * 80)]).ToArray() } }));
            var export = Path.Combine(root, "export");
            using (var model = TrainedModel.Load(Directory.GetDirectories(Path.Combine(root, "store", "models", "bench")).Single())) model.ExportPyTorch(export);

            Console.WriteLine($"{"clients",8} {"SweepCluster req/s",19} {"p50",8} {"p99",8}   {"PyTorch (one process) req/s",28} {"p50",8} {"p99",8}");
            foreach (var clients in Clients)
            {
                var (rate, p50, p99) = Load(node.Address, body, clients);
                Console.WriteLine($"{clients,8} {rate,19:F0} {p50,6:F1}ms {p99,6:F1}ms   {PyTorch(export, clients),-46}");
            }
            Console.WriteLine($"(each level {Duration.TotalSeconds:0} s after a warm-up; the node and the load share the machine's {Environment.ProcessorCount} cores)");
            Console.WriteLine("goal (issue 31): at least PyTorch's throughput, and p99 under 20 ms with 8 concurrent clients");
        }
        catch (Exception e) when (e is InvalidOperationException or TimeoutException or IOException or KeyNotFoundException)
        {
            Console.WriteLine($"not measured: {e.Message.Split('\n')[0]}");
        }
        finally
        {
            if (node is not null) BenchNodes.KillAll([node]);
            Directory.Delete(root, recursive: true);
        }
    }

    private static (double Rate, double P50, double P99) Load(string address, byte[] body, int clients)
    {
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = clients });
        var url = $"http://{address}/api/models/bench@production/predict";
        async Task<double> Once()
        {
            using var content = new ByteArrayContent(body);
            content.Headers.ContentType = new("application/json");
            var watch = Stopwatch.StartNew();
            using var response = await http.PostAsync(url, content);
            await response.Content.ReadAsByteArrayAsync();
            if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"the node answered {(int)response.StatusCode}");
            return watch.Elapsed.TotalMilliseconds;
        }
        Task.WhenAll(Enumerable.Range(0, clients).Select(_ => Once())).Wait(); // loads the model, warms the connections
        var latencies = new List<double>[clients];
        var stop = Stopwatch.StartNew();
        Task.WhenAll(Enumerable.Range(0, clients).Select(async c =>
        {
            latencies[c] = [];
            while (stop.Elapsed < Duration) latencies[c].Add(await Once());
        })).Wait();
        var all = latencies.SelectMany(l => l).Order().ToList();
        return (all.Count / stop.Elapsed.TotalSeconds, all[all.Count / 2], all[Math.Min(all.Count - 1, (int)(all.Count * 0.99))]);
    }

    private static string PyTorch(string export, int clients)
    {
        var examples = Path.Combine(SweepCluster.Testing.RepoPaths.Root, "examples", "pytorch");
        var script = $$"""
            import sys, threading, time
            sys.path.insert(0, {{Quoted(examples)}})
            import torch, shower_networks
            torch.set_num_threads(2)
            model = shower_networks.load({{Quoted(export)}})
            x = torch.rand(1, 80, 80)
            for _ in range(20): shower_networks.predict(model, x)
            latencies, stop = [], time.perf_counter() + {{Duration.TotalSeconds.ToString(CultureInfo.InvariantCulture)}}
            def client():
                mine = []
                while time.perf_counter() < stop:
                    start = time.perf_counter(); shower_networks.predict(model, x); mine.append((time.perf_counter() - start) * 1000)
                latencies.extend(mine)
            began = time.perf_counter()
            threads = [threading.Thread(target=client) for _ in range({{clients}})]
            for t in threads: t.start()
            for t in threads: t.join()
            elapsed = time.perf_counter() - began
            latencies.sort()
            print(f"{len(latencies) / elapsed:28.0f} {latencies[len(latencies) // 2]:6.1f}ms {latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]:6.1f}ms")
            """;
        try
        {
            return TrainingBench.Child(["-c", script], "/usr/bin/python3");
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            return $"not measured: {e.Message.Split('\n')[^1]}";
        }
    }

    private static string Quoted(string path) => $"'{path.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "\\'", StringComparison.Ordinal)}'";
}
