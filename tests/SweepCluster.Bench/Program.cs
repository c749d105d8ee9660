using SweepCluster.Bench;

// `trial ...` is the child mode of the training benchmark: one trial per process, so its peak memory is its own.
if (args is ["trial", ..]) return TrainingBench.RunTrial(args[1..]);

Console.WriteLine($"SweepCluster benchmarks ({Environment.ProcessorCount} cores, .NET {Environment.Version})");
PlanningBench.Run();
SchedulerBench.Run();
SearchBench.Run();
TrainingBench.Run();
return 0;
