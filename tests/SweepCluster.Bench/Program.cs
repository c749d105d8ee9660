using SweepCluster.Bench;

Console.WriteLine($"SweepCluster benchmarks ({Environment.ProcessorCount} cores, .NET {Environment.Version})");
PlanningBench.Run();
