return Reptile.Cli.ReptileCli.Run(args);
