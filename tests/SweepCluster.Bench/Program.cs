using SweepCluster.Bench;

// `trial ...` is the child mode of the training benchmark: one trial per process, so its peak memory is its own.
if (args is ["trial", ..]) return TrainingBench.RunTrial(args[1..]);
// `worker-node N SEED FOLDER` is the child mode of the thousand-worker benchmark: a worker node of N worker actors.
if (args is ["worker-node", ..]) return ManyWorkersBench.RunWorkers(args[1..]);

// Benchmarks by name (planning, scheduler, command, workers, memory, bigsweep, recovery, search, suggest, convnet, training, curves, parity, serving, sweeps); all of them without arguments.
var benches = new (string Name, Action Run)[]
{
    ("planning", PlanningBench.Run), ("scheduler", SchedulerBench.Run), ("command", CommandBench.Run), ("workers", ManyWorkersBench.Run), ("memory", BigSweepBench.HeldPerTrial), ("bigsweep", BigSweepBench.Run), ("recovery", RecoveryBench.Run), ("search", SearchBench.Run), ("suggest", SearchBench.Latency), ("convnet", SearchBench.Convnet),
    ("training", TrainingBench.Run),
    ("curves", CurvesBench.Run), ("parity", CurvesBench.RunParity), ("serving", ServingBench.Run), ("sweeps", SideBySideBench.Run),
};
Console.WriteLine($"SweepCluster benchmarks ({Environment.ProcessorCount} cores, .NET {Environment.Version})");
foreach (var (name, run) in benches.Where(b => args.Length == 0 || args.Contains(b.Name))) run();
return 0;
