using SweepCluster.Core.Sampling;

namespace SweepCluster.Training.Data;

/// <summary>
/// Synthetic SWGO-like air showers: iron and proton primaries matched in
/// the energy that reaches the ground, so the total signal does not tell them apart; what does is the muon
/// content (isolated single-cell deposits, many more for iron), the shape of the electromagnetic lateral
/// profile (NKG; iron showers arrive older and flatter) and proton showers' irregular cores and sub-cores.
/// Every shower draws from its own stream, so a set is the same for a seed whatever the thread count.
/// </summary>
public static class ShowerGenerator
{
    public const int GridSize = 80;
    private const double CellMetres = 4;
    private const double MoliereRadius = 130; // m, at 5200 m altitude
    private const double EmParticleGeV = 0.04;

    public static ShowerSet Generate(int count, long seed, string source, Action<int>? progress = null)
    {
        var pixels = new float[count * GridSize * GridSize];
        var labels = new byte[count];
        string[] names = ["ID_shower", "E0", "theta0", "Nmuons", "Y_class"];
        var info = names.ToDictionary(n => n, _ => new double[count]);
        var done = 0;
        Parallel.For(0, count, i =>
        {
            var rng = SplitMix64.For(seed, i, "shower");
            var shower = Simulate(rng, pixels.AsSpan(i * GridSize * GridSize, GridSize * GridSize));
            labels[i] = shower.Label;
            info["ID_shower"][i] = i;
            info["E0"][i] = shower.PrimaryEnergy;
            info["theta0"][i] = 0;
            info["Nmuons"][i] = shower.Muons;
            info["Y_class"][i] = shower.Label;
            var finished = Interlocked.Increment(ref done);
            if (finished % 256 == 0 || finished == count) progress?.Invoke(finished);
        });
        return new ShowerSet(source, GridSize, GridSize, pixels, labels, info);
    }

    private readonly record struct Shower(byte Label, double PrimaryEnergy, int Muons);

    private static Shower Simulate(SplitMix64 rng, Span<float> image)
    {
        var proton = rng.NextDouble() < 0.5;
        var groundEnergy = Math.Exp(rng.Uniform(Math.Log(150), Math.Log(1500))); // GeV, the same for both classes
        var centre = GridSize * CellMetres / 2;
        var (coreX, coreY) = (centre + rng.Uniform(-20, 20), centre + rng.Uniform(-20, 20));

        // Muons: many more for iron at the same ground energy, with overlapping log-normal tails.
        var scale = Math.Pow(groundEnergy / 500, 0.85);
        var muons = (int)Math.Round(proton ? rng.LogNormal(40 * scale, 0.6) : rng.LogNormal(300 * scale, 0.4));
        var muonEnergy = 0.0;
        for (var m = 0; m < muons; m++)
        {
            var r = GreisenRadius(rng);
            var angle = rng.Uniform(0, 2 * Math.PI);
            var deposit = Math.Min(5, rng.Gamma(3, 0.12)); // GeV: a few hundred MeV to a few GeV in one tank
            if (Add(image, coreX + r * Math.Cos(angle), coreY + r * Math.Sin(angle), deposit)) muonEnergy += deposit;
        }

        // Electromagnetic component: the rest of the ground energy, NKG-distributed, particle by particle.
        var emEnergy = Math.Max(0.3 * groundEnergy, groundEnergy - muonEnergy);
        var age = Math.Clamp(proton ? 1.10 + 0.10 * rng.NextGaussian() : 1.30 + 0.06 * rng.NextGaussian(), 0.85, 1.45);
        var subCores = proton ? (rng.NextDouble() < 0.5 ? 1 + (int)(rng.NextDouble() * 2) : 0) : (rng.NextDouble() < 0.1 ? 1 : 0);
        var coreShare = 1.0;
        Span<(double X, double Y, double Share)> subs = stackalloc (double, double, double)[2];
        for (var k = 0; k < subCores; k++)
        {
            var distance = rng.Uniform(15, 60);
            var angle = rng.Uniform(0, 2 * Math.PI);
            subs[k] = (coreX + distance * Math.Cos(angle), coreY + distance * Math.Sin(angle), rng.Uniform(0.03, 0.10));
            coreShare -= subs[k].Share;
        }
        var coreWobble = proton ? rng.LogNormal(1, 0.25) : rng.LogNormal(1, 0.1); // proton cores are less regular

        Span<double> density = stackalloc double[GridSize * GridSize];
        var total = 0.0;
        for (var cell = 0; cell < density.Length; cell++)
        {
            var (row, col) = Math.DivRem(cell, GridSize);
            var (x, y) = ((col + 0.5) * CellMetres, (row + 0.5) * CellMetres);
            var r = Math.Max(2.0, Math.Sqrt((x - coreX) * (x - coreX) + (y - coreY) * (y - coreY)));
            var rho = coreShare * Nkg(r, age) * (r < 12 ? coreWobble : 1);
            for (var k = 0; k < subCores; k++)
            {
                var d2 = (x - subs[k].X) * (x - subs[k].X) + (y - subs[k].Y) * (y - subs[k].Y);
                rho += subs[k].Share * Math.Exp(-d2 / (2 * 6.0 * 6.0)) / (2 * Math.PI * 36);
            }
            density[cell] = rho;
            total += rho;
        }
        var particles = emEnergy / EmParticleGeV;
        for (var cell = 0; cell < density.Length; cell++)
        {
            var count = rng.Poisson(particles * density[cell] / total);
            if (count > 0) image[cell] += (float)(count * EmParticleGeV * rng.LogNormal(1, 0.1));
        }

        var primary = groundEnergy * (proton ? rng.Uniform(5, 8) : rng.Uniform(70, 110));
        return new Shower(proton ? (byte)1 : (byte)0, primary, muons);
    }

    /// <summary>The NKG lateral shape at radius r (m) for shower age s, up to a constant factor.</summary>
    private static double Nkg(double r, double age)
    {
        var x = r / MoliereRadius;
        return Math.Pow(x, age - 2) * Math.Pow(1 + x, age - 4.5);
    }

    /// <summary>A radius (m) from the Greisen muon profile r^-0.75 (1 + r/320 m)^-2.5, by rejection up to 600 m.</summary>
    private static double GreisenRadius(SplitMix64 rng)
    {
        // Proposal: r = 600 u^(1/1.25) has density proportional to r^-0.75 on (0, 600]; accept with (1 + r/320)^-2.5.
        while (true)
        {
            var r = 600 * Math.Pow(rng.NextDouble(), 1 / 1.25);
            if (rng.NextDouble() < Math.Pow(1 + r / 320, -2.5)) return Math.Max(r, 0.5);
        }
    }

    private static bool Add(Span<float> image, double x, double y, double value)
    {
        var (col, row) = ((int)Math.Floor(x / CellMetres), (int)Math.Floor(y / CellMetres));
        if (col < 0 || row < 0 || col >= GridSize || row >= GridSize) return false;
        image[row * GridSize + col] += (float)value;
        return true;
    }
}
