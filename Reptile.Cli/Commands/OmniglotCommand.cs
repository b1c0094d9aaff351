using System.CommandLine;
using Reptile.Data;
using Reptile.Layers;
using Reptile.Meta;

namespace Reptile.Cli.Commands;

/// <summary>
/// `reptile omniglot`: supervised-reptile's run_omniglot.py, same flags, names and defaults, so every command
/// of that project's README runs unchanged after `reptile omniglot`; plus --data, --threads, --resume, --json.
/// </summary>
internal static class OmniglotCommand
{
    public static Command Create()
    {
        var d = new FewShotOptions();
        var pretrained = Flag("--pretrained", "Evaluate the checkpoint instead of training");
        var seed = CliOptions.Seed();
        var checkpoint = new Option<string>("--checkpoint") { Description = "Checkpoint folder", DefaultValueFactory = _ => "model_checkpoint" };
        var classes = CliOptions.Positive("--classes", "Classes per task (N-way)", d.Classes);
        var shots = CliOptions.Positive("--shots", "Examples per class at evaluation (K-shot)", d.Shots);
        var trainShots = CliOptions.NonNegative("--train-shots", "Examples per class while meta-training (0: --shots)", d.TrainShots);
        var innerBatch = CliOptions.Positive("--inner-batch", "Inner mini-batch size", d.InnerBatch);
        var innerIters = CliOptions.Positive("--inner-iters", "Inner optimizer steps per task", d.InnerIters);
        var replacement = Flag("--replacement", "Draw inner mini-batches with replacement");
        var learningRate = CliOptions.PositiveFloat("--learning-rate", "Inner optimizer learning rate", d.LearningRate);
        var metaStep = new Option<float>("--meta-step") { Description = "Meta step ε at the start", DefaultValueFactory = _ => d.MetaStep };
        var metaStepFinal = new Option<float>("--meta-step-final") { Description = "Meta step ε at the end (annealed linearly)", DefaultValueFactory = _ => d.MetaStepFinal };
        var metaBatch = CliOptions.Positive("--meta-batch", "Tasks per meta-iteration", d.MetaBatch);
        var metaIters = CliOptions.Positive("--meta-iters", "Meta-iterations", d.MetaIters);
        var evalBatch = CliOptions.Positive("--eval-batch", "Mini-batch size when fine-tuning for evaluation", d.EvalBatch);
        var evalIters = CliOptions.NonNegative("--eval-iters", "Fine-tuning steps per evaluation task", d.EvalIters);
        var evalSamples = CliOptions.Positive("--eval-samples", "Evaluation tasks for the final accuracies", d.EvalSamples);
        var evalInterval = CliOptions.Positive("--eval-interval", "Meta-iterations between 'batch N: train=… test=…' lines", d.EvalInterval);
        var weightDecay = new Option<float>("--weight-decay") { Description = "Multiply the parameters by this rate before each inner step", DefaultValueFactory = _ => d.WeightDecay };
        var transductive = Flag("--transductive", "Classify all held-out images in one batch");
        var foml = Flag("--foml", "First-order MAML instead of Reptile");
        var fomlTail = new Option<int?>("--foml-tail") { Description = "FOML: shots per class of the last mini-batch" };
        var sgd = Flag("--sgd", "Plain SGD as the inner optimizer instead of Adam (β1 = 0)");
        var data = new Option<string>("--data") { Description = "Folder with Omniglot (npz files, the official zips, or their unpacked trees)", DefaultValueFactory = _ => Path.Combine("data", "omniglot") };
        var threads = CliOptions.Positive("--threads", "Threads for evaluation and training (results do not depend on it)", Math.Min(Environment.ProcessorCount, 2));
        var innerState = new Option<InnerStateMode>("--inner-state") { Description = "Inner Adam state across a meta-batch: Chained (supervised-reptile; threads split the products) or Averaged (tasks run in parallel on --threads)", DefaultValueFactory = _ => InnerStateMode.Chained };
        var resume = Flag("--resume", "Continue the run in --checkpoint exactly where it stopped");
        var json = new Option<string?>("--json") { Description = "Write the results as JSON to this file" };

        var command = new Command("omniglot", "Few-shot Omniglot with Reptile (supervised-reptile's run_omniglot.py flags)")
        {
            pretrained, seed, checkpoint, classes, shots, trainShots, innerBatch, innerIters, replacement, learningRate,
            metaStep, metaStepFinal, metaBatch, metaIters, evalBatch, evalIters, evalSamples, evalInterval, weightDecay,
            transductive, foml, fomlTail, sgd, data, threads, innerState, resume, json,
        };
        command.Subcommands.Add(FetchCommand());
        command.SetAction(parse => ExitCodes.Guard(() =>
        {
            var options = new FewShotOptions
            {
                Seed = parse.GetValue(seed), Classes = parse.GetValue(classes), Shots = parse.GetValue(shots),
                TrainShots = parse.GetValue(trainShots), InnerBatch = parse.GetValue(innerBatch), InnerIters = parse.GetValue(innerIters),
                Replacement = parse.GetValue(replacement), LearningRate = parse.GetValue(learningRate),
                MetaStep = parse.GetValue(metaStep), MetaStepFinal = parse.GetValue(metaStepFinal), MetaBatch = parse.GetValue(metaBatch),
                MetaIters = parse.GetValue(metaIters), EvalBatch = parse.GetValue(evalBatch), EvalIters = parse.GetValue(evalIters),
                EvalSamples = parse.GetValue(evalSamples), EvalInterval = parse.GetValue(evalInterval), WeightDecay = parse.GetValue(weightDecay),
                Transductive = parse.GetValue(transductive), Foml = parse.GetValue(foml), FomlTail = parse.GetValue(fomlTail),
                Sgd = parse.GetValue(sgd), Threads = parse.GetValue(threads), InnerState = parse.GetValue(innerState),
            };
            try { options.Validate(); }
            catch (ArgumentException e) { throw new UsageException(e.Message); }
            bool isPretrained = parse.GetValue(pretrained), isResume = parse.GetValue(resume);
            if (isPretrained && isResume) throw new UsageException("--pretrained evaluates a finished checkpoint; --resume continues training: pick one.");
            return Run(options, parse.GetValue(data)!, parse.GetValue(checkpoint)!, isPretrained, isResume, parse.GetValue(json));
        }));
        return command;
    }

    private static int Run(FewShotOptions options, string dataFolder, string checkpoint, bool pretrained, bool resume, string? json)
    {
        var all = ConsoleProgress.Run("loading Omniglot", p =>
            OmniglotDataset.Load(dataFolder, new Progress<(int done, int total)>(x => p.Report(new TrainingProgress(x.done, x.total, float.NaN, TimeSpan.Zero)))));
        var (train, test) = OmniglotSplit.Create(all, options.Seed);
        Console.WriteLine($"Omniglot: {all.Classes.Count} characters from {dataFolder}; {train.Classes.Count} training classes (1200 × 4 rotations), {test.Classes.Count} test classes");

        var experiment = new FewShotExperiment(options, train, test, ways => Models.Omniglot(ways));
        double trainSeconds = 0;
        int trainedIters = 0;
        if (pretrained)
        {
            var info = ReptileCheckpoint.Load(checkpoint, experiment.Model, experiment.InnerOptimizer);
            Console.WriteLine($"Loaded {Path.Combine(checkpoint, ReptileCheckpoint.ModelFile)} (meta-iteration {info.Iteration})");
        }
        else
        {
            if (resume)
            {
                if (!ReptileCheckpoint.Exists(checkpoint)) throw new UsageException($"--resume: no checkpoint in '{checkpoint}'.");
                experiment.Resume(checkpoint);
                Console.WriteLine($"Resuming at meta-iteration {experiment.Trainer.Iteration} of {options.MetaIters}");
            }
            else if (ReptileCheckpoint.Exists(checkpoint))
            {
                throw new UsageException($"'{checkpoint}' already holds a checkpoint: pass --resume to continue it, --pretrained to evaluate it, or another --checkpoint.");
            }
            int start = experiment.Trainer.Iteration;
            Console.WriteLine($"Training: {options.Classes}-way {options.EffectiveTrainShots}-shot tasks, {options.MetaIters} meta-iterations, meta-batch {options.MetaBatch}, {(options.Sgd ? "SGD" : "Adam")} lr {options.LearningRate}, inner state {options.InnerState}, {options.Threads} thread(s)");
            trainSeconds = ConsoleProgress.Run("meta-training", (p, log) => experiment.Train(checkpoint, log, p));
            trainedIters = options.MetaIters - start;
            if (trainedIters > 0)
                Console.WriteLine($"Trained {trainedIters} meta-iterations in {trainSeconds:F1} s ({1000 * trainSeconds / trainedIters:F2} ms each); checkpoint in {checkpoint}");
            var curve = Path.Combine(checkpoint, "learning_curve.svg");
            LearningCurve.Plot(experiment.Metrics, options).Save(curve);
            Console.WriteLine($"Learning curve: {curve}");
        }

        Console.WriteLine($"Evaluating on {options.EvalSamples} tasks ({options.Classes}-way {options.Shots}-shot, {(options.Transductive ? "transductive" : "non-transductive")}, {options.Threads} threads)...");
        var trainAccuracy = ConsoleProgress.Run("evaluating (train)", p => experiment.Evaluate(train, false, ConsoleProgress.Counting(p, options.EvalSamples)));
        Console.WriteLine($"Train accuracy: {trainAccuracy.Mean:F6} ± {trainAccuracy.Ci95:F6}");
        var testAccuracy = ConsoleProgress.Run("evaluating (test)", p => experiment.Evaluate(test, true, ConsoleProgress.Counting(p, options.EvalSamples)));
        Console.WriteLine($"Test accuracy: {testAccuracy.Mean:F6} ± {testAccuracy.Ci95:F6}");

        if (json != null)
        {
            JsonReport.Write(json, new Dictionary<string, object>
            {
                ["classes"] = options.Classes,
                ["shots"] = options.Shots,
                ["meta_iters"] = options.MetaIters,
                ["train_accuracy"] = trainAccuracy.Mean,
                ["test_accuracy"] = testAccuracy.Mean,
                ["test_accuracy_ci95"] = testAccuracy.Ci95,
                ["train_seconds"] = trainSeconds,
                ["ms_per_meta_iter"] = trainedIters > 0 ? 1000 * trainSeconds / trainedIters : 0,
            });
        }
        return ExitCodes.Success;
    }

    private static Command FetchCommand()
    {
        var data = new Option<string>("--data") { Description = "Folder to download into", DefaultValueFactory = _ => Path.Combine("data", "omniglot") };
        var fetch = new Command("fetch", "Download the official Omniglot zips (images_background.zip, images_evaluation.zip) and verify their checksums") { data };
        fetch.SetAction(parse => ExitCodes.Guard(() =>
        {
            string folder = parse.GetValue(data)!;
            using var client = new HttpClient { Timeout = TimeSpan.FromMinutes(10) };
            try
            {
                OmniglotDownloader.DownloadAsync(folder, client, null, CancellationToken.None).GetAwaiter().GetResult();
            }
            catch (HttpRequestException e)
            {
                throw new IOException($"Download failed ({e.Message}). Without internet access, copy images_background.zip and images_evaluation.zip (or the npz files) into {folder} by hand.", e);
            }
            Console.WriteLine($"Omniglot is in {folder}");
            return ExitCodes.Success;
        }));
        return fetch;
    }

    private static Option<bool> Flag(string name, string description) => new(name) { Description = description };
}
