using SweepCluster.Cli;

return SweepCtl.Run(args, Console.Out, Console.Error);
