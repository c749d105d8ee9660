using System.Diagnostics;
using System.Globalization;
using SweepCluster.Training.Data;
using SweepCluster.Training.Trainers;

namespace SweepCluster.Bench;

/// <summary>
/// Training speed (samples/s) and peak memory of one trial for each network, and the same LeNet in PyTorch
/// (Debian's python3-torch) on the same machine in the same run. Each trial runs in its own process.
/// </summary>
internal static class TrainingBench
{
    private sealed record Case(string Trainer, int Samples, string[] Settings);

    private static readonly Case[] Cases =
    [
        new("convnet", 2048, ["bs=128", "lr=0.002", "optimizer=adam", "normalize=yes", "out_channels=[14,18]"]),
        new("cae", 2048, ["bs=128", "lr=0.002", "optimizer=adam", "normalize=yes", "first_conv_out_channels=5", "depth=3", "latent_size=50", "reg=0.01"]),
        new("resnet", 256, ["bs=64", "lr=0.002", "optimizer=adam", "normalize=yes", "number_of_blocks=[3,3,3,3]", "num_channels=[20,48,96,192,384]", "reg=0.001"]),
        new("vae", 2048, ["bs=128", "lr=0.002", "optimizer=adam", "normalize=yes", "autoencoder_sizes=[750,300,75,30]", "reg=0.01"]),
    ];

    public static void Run()
    {
        Console.WriteLine();
        Console.WriteLine("== training: one trial per process, 2 epochs, 2 threads ==");
        var dir = Directory.CreateTempSubdirectory("bench-showers-").FullName;
        try
        {
            SyntheticShowers.Write(dir, 2048, 256, seed: 1);
            Console.WriteLine($"{"network",-24} {"samples/s",10} {"peak RSS",10} {"data RSS",10}");
            foreach (var c in Cases)
                Console.WriteLine(Child(["trial", c.Trainer, dir, c.Samples.ToString(CultureInfo.InvariantCulture), .. c.Settings]));
            Console.WriteLine(PyTorchLeNet());
            Console.WriteLine("data RSS: the process with the shared data and libtorch loaded, before the trial; another concurrent trial adds about peak - data.");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>Child mode: trains one case and prints one row.</summary>
    public static int RunTrial(string[] args)
    {
        TorchSharp.torch.set_num_threads(2);
        var (trainer, dir, samples) = (args[0], args[1], int.Parse(args[2], CultureInfo.InvariantCulture));
        var data = ShowerData.Load(dir);
        var train = data.Train.Count > samples
            ? new ShowerSet("bench", data.Train.Height, data.Train.Width, data.Train.Pixels[..(samples * data.Train.PixelsPerImage)], data.Train.Labels[..samples], data.Train.Info)
            : data.Train;
        using (TorchSharp.torch.zeros(1)) { } // libtorch's own pages belong to the baseline, not to the trial
        var baseline = PeakResidentBytes();
        var settings = args[3..].Append("epochs=2").Select(s => Core.Spec.DistributionParser.ParseSetting(s)!.Value);
        var result = ShowerTrainer.Train(new TrainingRequest(trainer, new Core.Spec.ParamValue.Map([.. settings]), 1, new ShowerData(train, data.Test)));
        Console.WriteLine($"{"SweepCluster " + trainer,-24} {result.TrainSamplesPerSecond,10:F0} {Mib(PeakResidentBytes()),10} {Mib(baseline),10}");
        return 0;
    }

    /// <summary>
    /// What the Python peers share: the study's convnet [14, 18] in PyTorch (<c>convnet()</c>, the same layers as
    /// SweepCluster's), and <c>load(path)</c>, a shower file's images and labels read with h5py.
    /// </summary>
    internal const string PyTorchPrelude = """
        import sys, numpy as np, torch, torch.nn as nn
        torch.set_num_threads(2)
        def convnet():
            def fc(sizes):
                layers = []
                for a, b in zip(sizes, sizes[1:]): layers += [nn.Linear(a, b), nn.BatchNorm1d(b), nn.ReLU()]
                return layers + [nn.Linear(sizes[-1], 2)]
            return nn.Sequential(nn.Conv2d(1, 14, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(14, 18, 5), nn.ReLU(), nn.MaxPool2d(2),
                                 nn.Flatten(), *fc([17 * 17 * 18, 100, 50, 10]))
        def load(path):
            import h5py
            with h5py.File(path, "r") as f:
                names = [n.decode() for n in f["info/block0_items"][:]]
                return f["data"][:], f["info/block0_values"][:, names.index("Y_class")].astype(np.int64)

        """;

    private static string PyTorchLeNet()
    {
        const string script = PyTorchPrelude + """
            import time, resource
            torch.manual_seed(1)
            model = convnet()
            x = torch.rand(2048, 1, 80, 80); y = torch.randint(0, 2, (2048,))
            opt = torch.optim.Adam(model.parameters(), lr=0.002); loss_fn = nn.CrossEntropyLoss()
            def epoch():
                for i in torch.randperm(2048).split(128):
                    opt.zero_grad(); loss = loss_fn(model(x[i]), y[i]); loss.backward(); opt.step()
            epoch()
            start = time.perf_counter(); epoch(); epoch(); seconds = time.perf_counter() - start
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            print(f"{'PyTorch ' + torch.__version__ + ' convnet':<24} {2 * 2048 / seconds:10.0f} {peak:7.0f} MiB")
            """;
        try
        {
            return Child(["-c", script], "/usr/bin/python3");
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            return $"{"PyTorch convnet",-24} not measured: {e.Message.Split('\n')[^1]} (make bench installs python3-torch)";
        }
    }

    internal static string Child(string[] args, string? program = null)
    {
        var start = new ProcessStartInfo(program ?? Environment.ProcessPath!) { RedirectStandardOutput = true, RedirectStandardError = true };
        // This benchmark again: as its apphost, or through the dotnet host when started that way.
        if (program is null && Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet")
            start.ArgumentList.Add(typeof(TrainingBench).Assembly.Location);
        foreach (var arg in args) start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        if (process.ExitCode != 0) throw new InvalidOperationException(stderr.Result.Trim());
        return stdout.Result.TrimEnd();
    }

    private static long PeakResidentBytes() =>
        long.Parse(File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmHWM:", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;

    private static string Mib(long bytes) => $"{bytes / (1024.0 * 1024):F0} MiB";
}
