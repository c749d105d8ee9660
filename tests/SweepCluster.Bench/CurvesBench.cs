using System.Globalization;
using SweepCluster.Core.Spec;
using SweepCluster.Training.Data;
using SweepCluster.Training.Trainers;

namespace SweepCluster.Bench;

/// <summary>
/// Same network, same data, same curve? The study's convnet trained on one generated shower set by SweepCluster
/// (TorchSharp) and by Debian's PyTorch, 3 seeds x 5 epochs each, with the per-epoch test_f1 of each side: mean,
/// standard deviation and lowest over the seeds. A wider spread on one side would point at an implementation difference.
/// </summary>
internal static class CurvesBench
{
    private const int Train = 5000, Test = 1250, Epochs = 5;
    private static readonly int[] Seeds = [1, 2, 3];
    private static readonly string[] Settings = ["bs=128", "lr=0.002", "optimizer=adam", "normalize=yes", "out_channels=[14,18]"];

    public static void Run()
    {
        Console.WriteLine();
        Console.WriteLine($"== curves: convnet [14, 18], bs 128, adam lr 0.002, normalized; {Train:N0}/{Test:N0} synthetic showers; seeds {string.Join(", ", Seeds)}; 2 threads ==");
        var dir = Directory.CreateTempSubdirectory("bench-curves-").FullName;
        try
        {
            var (trainFile, testFile) = SyntheticShowers.Write(dir, Train, Test, seed: 1);
            var torchSharp = Seeds.Select(seed => TorchSharpCurve(dir, seed)).ToList();
            var pyTorch = PyTorchCurves(trainFile, testFile);
            Console.WriteLine($"{"epoch",5}  {"SweepCluster (TorchSharp) test_f1",-36}  {"PyTorch (Debian) test_f1",-36}");
            for (var e = 0; e < Epochs; e++)
                Console.WriteLine($"{e + 1,5}  {Describe(torchSharp.Select(c => c[e])),-36}  {(pyTorch is null ? "not measured" : Describe(pyTorch.Select(c => c[e]))),-36}");
            Console.WriteLine("per seed, TorchSharp: " + string.Join(" | ", torchSharp.Select(Curve)));
            if (pyTorch is not null) Console.WriteLine("per seed, PyTorch:    " + string.Join(" | ", pyTorch.Select(Curve)));
            Console.WriteLine("each cell: mean ± standard deviation over the seeds [lowest]; F1 of class 1 (proton) over the whole test set.");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static double[] TorchSharpCurve(string dir, int seed)
    {
        TorchSharp.torch.set_num_threads(2);
        var settings = Settings.Append($"epochs={Epochs}").Select(s => DistributionParser.ParseSetting(s)!.Value);
        var result = ShowerTrainer.Train(new TrainingRequest("convnet", new ParamValue.Map([.. settings]), seed, ShowerData.Load(dir)));
        return [.. result.Epochs.Select(e => e.Value)];
    }

    /// <summary>The same network and training loop in PyTorch, reading the same files with h5py; one curve per seed, or null when PyTorch is missing.</summary>
    private static List<double[]>? PyTorchCurves(string trainFile, string testFile)
    {
        const string script = TrainingBench.PyTorchPrelude + """
            (xtr, ytr), (xte, yte) = load(sys.argv[1]), load(sys.argv[2])
            mean, std = xtr.mean(dtype=np.float64), xtr.std(dtype=np.float64)
            xtr = torch.from_numpy((xtr - mean) / std).float().unsqueeze(1); xte = torch.from_numpy((xte - mean) / std).float().unsqueeze(1)
            ytr, yte = torch.from_numpy(ytr), torch.from_numpy(yte)
            for seed in map(int, sys.argv[4:]):
                torch.manual_seed(seed)
                model = convnet()
                opt = torch.optim.Adam(model.parameters(), lr=0.002); loss_fn = nn.CrossEntropyLoss()
                curve = []
                for epoch in range(int(sys.argv[3])):
                    model.train()
                    for i in torch.randperm(len(ytr)).split(128):
                        opt.zero_grad(); loss_fn(model(xtr[i]), ytr[i]).backward(); opt.step()
                    model.eval()
                    with torch.no_grad(): predicted = torch.cat([model(b).argmax(1) for b in xte.split(128)])
                    tp = int(((predicted == 1) & (yte == 1)).sum()); fp = int(((predicted == 1) & (yte == 0)).sum()); fn = int(((predicted == 0) & (yte == 1)).sum())
                    curve.append(2 * tp / max(1, 2 * tp + fp + fn))
                print(" ".join(f"{v:.6f}" for v in curve))
            """;
        try
        {
            var output = TrainingBench.Child(["-c", script, trainFile, testFile, Epochs.ToString(CultureInfo.InvariantCulture), .. Seeds.Select(s => s.ToString(CultureInfo.InvariantCulture))],
                "/usr/bin/python3");
            return [.. output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => line.Split(' ').Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray())];
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            Console.WriteLine($"PyTorch not measured: {e.Message.Split('\n')[^1]} (make bench installs python3-torch and python3-h5py)");
            return null;
        }
    }

    public static void RunParity()
    {
        Console.WriteLine();
        Console.WriteLine("== parity: convnet [14, 18], bs 128, adam lr 0.002, in TorchSharp and in PyTorch from the same weights ==");
        var dir = Directory.CreateTempSubdirectory("bench-parity-").FullName;
        try
        {
            var (trainFile, _) = SyntheticShowers.Write(dir, 2000, 100, seed: 1);
            Parity(dir, trainFile);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>
    /// Whether the two implementations train alike: the same initial weights (TorchSharp's, handed over) and the same batches
    /// in both, the training loss step by step. Agreement to float rounding means a difference in their curves comes from
    /// the seeds (initial weights, batch order), not from the implementation.
    /// </summary>
    private static void Parity(string dir, string trainFile)
    {
        const int steps = 60, batch = 128;
        TorchSharp.torch.manual_seed(1);
        using var model = new Training.Models.ConvNet(14, 18, 80);
        var train = ShowerData.Load(dir).Train;
        var (mean, std) = train.PixelStatistics;
        var order = Enumerable.Range(0, steps * batch).Select(i => (i * 7919) % train.Count).ToArray();
        var weights = Path.Combine(dir, "weights.bin");
        using (var file = File.Create(weights))
            foreach (var parameter in model.parameters())
                file.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(parameter.data<float>().ToArray().AsSpan()));
        var shapes = string.Join(";", model.parameters().Select(p => string.Join(",", p.shape)));
        using var optimizer = TorchSharp.torch.optim.Adam(model.parameters(), 0.002, beta1: 0.9, beta2: 0.999);
        model.train();
        var losses = new List<double>();
        for (var step = 0; step < steps; step++)
        {
            using var scope = TorchSharp.torch.NewDisposeScope();
            var indices = order.AsSpan(step * batch, batch).ToArray();
            var pixels = indices.SelectMany(i => train.Image(i).ToArray()).ToArray();
            var images = (TorchSharp.torch.tensor(pixels, [batch, 1, 80, 80]) - mean) / std;
            var labels = TorchSharp.torch.tensor(indices.Select(i => (long)train.Labels[i]).ToArray());
            optimizer.zero_grad();
            var loss = model.TrainingLoss(images, labels);
            loss.backward();
            optimizer.step();
            losses.Add(loss.item<float>());
        }
        // Evaluation mode too: batch norm then uses the running statistics both sides kept while training.
        model.eval();
        double evalSum;
        using (TorchSharp.torch.no_grad())
        {
            var first = Enumerable.Range(0, 256).SelectMany(i => train.Image(i).ToArray()).ToArray();
            evalSum = model.forward((TorchSharp.torch.tensor(first, [256, 1, 80, 80]) - mean) / std).softmax(1)[.., 1].sum().item<float>();
        }
        const string script = TrainingBench.PyTorchPrelude + """
            train, weights, shapes, mean, std, steps, batch = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4]), float(sys.argv[5]), int(sys.argv[6]), int(sys.argv[7])
            x, y = load(train)
            model = convnet()
            flat = np.fromfile(weights, dtype=np.float32); at = 0
            for parameter, shape in zip(model.parameters(), shapes.split(";")):
                shape = tuple(int(d) for d in shape.split(","))
                assert tuple(parameter.shape) == shape, (tuple(parameter.shape), shape)
                n = int(np.prod(shape)); parameter.data = torch.from_numpy(flat[at:at + n].reshape(shape).copy()); at += n
            opt = torch.optim.Adam(model.parameters(), lr=0.002); loss_fn = nn.CrossEntropyLoss(); model.train()
            order = [(i * 7919) % len(y) for i in range(steps * batch)]
            for step in range(steps):
                i = order[step * batch:(step + 1) * batch]
                images = (torch.from_numpy(x[i]).unsqueeze(1) - mean) / std
                opt.zero_grad(); loss = loss_fn(model(images), torch.from_numpy(y[i])); loss.backward(); opt.step()
                print(f"{loss.item():.9g}")
            model.eval()
            with torch.no_grad(): print(f"{model((torch.from_numpy(x[:256]).unsqueeze(1) - mean) / std).softmax(1)[:, 1].sum().item():.9g}")
            """;
        try
        {
            var inv = CultureInfo.InvariantCulture;
            var output = TrainingBench.Child(["-c", script, trainFile, weights, shapes, mean.ToString("R", inv), std.ToString("R", inv), $"{steps}", $"{batch}"], "/usr/bin/python3");
            var peer = output.Split('\n').Select(l => double.Parse(l, inv)).ToList();
            var gaps = losses.Zip(peer, (a, b) => Math.Abs(a - b)).ToList();
            Console.WriteLine($"training loss, TorchSharp vs PyTorch: step 1 {losses[0]:0.000000} vs {peer[0]:0.000000}, step {steps} {losses[^1]:0.000000} vs {peer[steps - 1]:0.000000}");
            Console.WriteLine($"largest gap: steps 1-10 {gaps.Take(10).Max():0.0e0}, steps 1-{steps} {gaps.Max():0.0e0} (float rounding, compounded step by step)");
            Console.WriteLine($"after training, in evaluation mode: summed P(proton) of 256 showers {evalSum:0.0000} vs {peer[steps]:0.0000}");
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            Console.WriteLine($"parity not measured: {e.Message.Split('\n')[^1]}");
        }
    }

    private static string Describe(IEnumerable<double> values)
    {
        var v = values.ToList();
        var mean = v.Average();
        var std = Math.Sqrt(v.Sum(x => (x - mean) * (x - mean)) / (v.Count - 1));
        return string.Create(CultureInfo.InvariantCulture, $"{mean:0.000} ± {std:0.000} [{v.Min():0.000}]");
    }

    private static string Curve(double[] curve) => string.Join(" ", curve.Select(v => v.ToString("0.000", CultureInfo.InvariantCulture)));
}
