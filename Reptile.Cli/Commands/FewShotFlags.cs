using System.CommandLine;
using Reptile.Data;
using Reptile.Layers;
using Reptile.Meta;

namespace Reptile.Cli.Commands;

/// <summary>
/// supervised-reptile's few-shot flags (run_omniglot.py's names, meanings and defaults) plus --threads,
/// --inner-state, --resume and --json, and the run they drive: train (or resume, or load with --pretrained),
/// then report train and test accuracy. Shared by `reptile omniglot` and `reptile images`.
/// </summary>
internal sealed class FewShotFlags
{
    private readonly Option<bool> pretrained, replacement, transductive, foml, sgd, resume;
    private readonly Option<int> seed, classes, shots, trainShots, innerBatch, innerIters, metaBatch, metaIters, evalBatch, evalIters, evalSamples, evalInterval, threads, checkpointInterval;
    private readonly Option<int?> stopAt;
    private readonly Option<float> learningRate, metaStep, metaStepFinal, weightDecay;
    private readonly Option<int?> fomlTail;
    private readonly Option<string> checkpoint;
    private readonly Option<InnerStateMode> innerState;
    private readonly Option<string?> json;

    public FewShotFlags()
    {
        var d = new FewShotOptions();
        pretrained = Flag("--pretrained", "Evaluate the checkpoint instead of training");
        seed = CliOptions.Seed();
        checkpoint = new Option<string>("--checkpoint") { Description = "Checkpoint folder", DefaultValueFactory = _ => "model_checkpoint" };
        classes = CliOptions.Positive("--classes", "Classes per task (N-way)", d.Classes);
        shots = CliOptions.Positive("--shots", "Examples per class at evaluation (K-shot)", d.Shots);
        trainShots = CliOptions.NonNegative("--train-shots", "Examples per class while meta-training (0: --shots)", d.TrainShots);
        innerBatch = CliOptions.Positive("--inner-batch", "Inner mini-batch size", d.InnerBatch);
        innerIters = CliOptions.Positive("--inner-iters", "Inner optimizer steps per task", d.InnerIters);
        replacement = Flag("--replacement", "Draw inner mini-batches with replacement");
        learningRate = CliOptions.PositiveFloat("--learning-rate", "Inner optimizer learning rate", d.LearningRate);
        metaStep = new Option<float>("--meta-step") { Description = "Meta step ε at the start", DefaultValueFactory = _ => d.MetaStep };
        metaStepFinal = new Option<float>("--meta-step-final") { Description = "Meta step ε at the end (annealed linearly)", DefaultValueFactory = _ => d.MetaStepFinal };
        metaBatch = CliOptions.Positive("--meta-batch", "Tasks per meta-iteration", d.MetaBatch);
        metaIters = CliOptions.Positive("--meta-iters", "Meta-iterations", d.MetaIters);
        evalBatch = CliOptions.Positive("--eval-batch", "Mini-batch size when fine-tuning for evaluation", d.EvalBatch);
        evalIters = CliOptions.NonNegative("--eval-iters", "Fine-tuning steps per evaluation task", d.EvalIters);
        evalSamples = CliOptions.Positive("--eval-samples", "Evaluation tasks for the final accuracies", d.EvalSamples);
        evalInterval = CliOptions.Positive("--eval-interval", "Meta-iterations between 'batch N: train=… test=…' lines", d.EvalInterval);
        weightDecay = new Option<float>("--weight-decay") { Description = "Multiply the parameters by this rate before each inner step", DefaultValueFactory = _ => d.WeightDecay };
        transductive = Flag("--transductive", "Classify all held-out images in one batch");
        foml = Flag("--foml", "First-order MAML instead of Reptile");
        fomlTail = new Option<int?>("--foml-tail") { Description = "FOML: shots per class of the last mini-batch" };
        sgd = Flag("--sgd", "Plain SGD as the inner optimizer instead of Adam (β1 = 0)");
        threads = CliOptions.Positive("--threads", "Threads for evaluation and training (results do not depend on it)", Math.Min(Environment.ProcessorCount, 2));
        innerState = new Option<InnerStateMode>("--inner-state") { Description = "Inner Adam state across a meta-batch: Chained (supervised-reptile; threads split the products) or Averaged (tasks run in parallel on --threads)", DefaultValueFactory = _ => InnerStateMode.Chained };
        checkpointInterval = CliOptions.Positive("--checkpoint-interval", "Meta-iterations between checkpoints (results do not depend on it)", d.CheckpointInterval);
        stopAt = new Option<int?>("--stop-at") { Description = "Train in pieces: checkpoint and stop once this many meta-iterations are done (continue with --resume)" };
        stopAt.Validators.Add(r => { if (r.GetValueOrDefault<int?>() is < 1) r.AddError("--stop-at must be at least 1."); });
        resume = Flag("--resume", "Continue the run in --checkpoint exactly where it stopped");
        json = new Option<string?>("--json") { Description = "Write the results as JSON to this file" };
    }

    public void AddTo(Command command)
    {
        foreach (Option option in new Option[]
        {
            pretrained, seed, checkpoint, classes, shots, trainShots, innerBatch, innerIters, replacement, learningRate,
            metaStep, metaStepFinal, metaBatch, metaIters, evalBatch, evalIters, evalSamples, evalInterval, weightDecay,
            transductive, foml, fomlTail, sgd, threads, innerState, checkpointInterval, stopAt, resume, json,
        })
            command.Options.Add(option);
    }

    /// <summary>The parsed flags, validated (a bad combination is a usage error).</summary>
    public FewShotOptions Bind(ParseResult parse)
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
            CheckpointInterval = parse.GetValue(checkpointInterval),
        };
        try { options.Validate(); }
        catch (ArgumentException e) { throw new UsageException(CliOptions.InFlagTerms(e, nameof(FewShotOptions))); }
        if (parse.GetValue(pretrained) && parse.GetValue(resume))
            throw new UsageException("--pretrained evaluates a finished checkpoint; --resume continues training: pick one.");
        return options;
    }

    /// <summary>Trains (or resumes, or loads with --pretrained), then evaluates; under mpirun the ranks share the work.</summary>
    public int Run(ParseResult parse, FewShotOptions options, FewShotDataset train, FewShotDataset test, Func<int, Sequential> modelFactory) =>
        Run(options, train, test, modelFactory, parse.GetValue(checkpoint)!, parse.GetValue(pretrained), parse.GetValue(resume), parse.GetValue(json),
            parse.GetValue(stopAt));

    private static Option<bool> Flag(string name, string description) => new(name) { Description = description };

    private static int Run(FewShotOptions options, FewShotDataset train, FewShotDataset test, Func<int, Sequential> modelFactory,
        string checkpoint, bool pretrained, bool resume, string? json, int? stopAt)
    {
        var group = MpiLaunch.Join();
        if (group != null && !pretrained && options.InnerState != InnerStateMode.Averaged) throw new UsageException(MpiLaunch.ChainedStateRefusal);
        bool leader = group == null || group.Rank == 0;
        if (group != null) Console.WriteLine($"MPI: {group.Size} ranks share each meta-batch and the evaluation tasks");
        // With --pretrained the run only evaluates, and the inner-state mode plays no part in evaluation.
        var experiment = new FewShotExperiment(pretrained && group != null ? options with { InnerState = InnerStateMode.Averaged } : options,
            train, test, modelFactory, group);
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
                if (leader && !ReptileCheckpoint.Exists(checkpoint)) throw new UsageException($"--resume: no checkpoint in '{checkpoint}'.");
                experiment.Resume(checkpoint);
                Console.WriteLine($"Resuming at meta-iteration {experiment.Trainer.Iteration} of {options.MetaIters}");
            }
            else if (leader && ReptileCheckpoint.Exists(checkpoint))
            {
                throw new UsageException($"'{checkpoint}' already holds a checkpoint: pass --resume to continue it, --pretrained to evaluate it, or another --checkpoint.");
            }
            int start = experiment.Trainer.Iteration;
            Console.WriteLine($"Training: {options.Classes}-way {options.EffectiveTrainShots}-shot tasks, {options.MetaIters} meta-iterations, meta-batch {options.MetaBatch}, {(options.Sgd ? "SGD" : "Adam")} lr {options.LearningRate}, inner state {options.InnerState}, {options.Threads} thread(s)");
            trainSeconds = ConsoleProgress.Run("meta-training", (p, log) => experiment.Train(checkpoint, log, leader ? p : null, default, stopAt));
            trainedIters = experiment.Trainer.Iteration - start;
            if (trainedIters > 0)
                Console.WriteLine($"Trained {trainedIters} meta-iterations in {trainSeconds:F1} s ({1000 * trainSeconds / trainedIters:F2} ms each); checkpoint in {checkpoint}");
            if (leader)
            {
                var curve = Path.Combine(checkpoint, "learning_curve.svg");
                LearningCurve.Plot(experiment.Metrics, options).Save(curve);
                Console.WriteLine($"Learning curve: {curve}");
            }
            if (experiment.Trainer.Iteration < options.MetaIters)
            {
                Console.WriteLine($"Stopped at meta-iteration {experiment.Trainer.Iteration} of {options.MetaIters} (--stop-at): continue with --resume.");
                return ExitCodes.Success;
            }
        }

        Console.WriteLine($"Evaluating on {options.EvalSamples} tasks ({options.Classes}-way {options.Shots}-shot, {(options.Transductive ? "transductive" : "non-transductive")}, {options.Threads} threads)...");
        // Under MPI each rank evaluates its block of tasks; rank 0 shows the progress of its own.
        int shown = group == null ? options.EvalSamples : ProcessShares.Start(options.EvalSamples, group.Size, 1);
        var trainAccuracy = ConsoleProgress.Run("evaluating (train)", p => experiment.Evaluate(train, false, ConsoleProgress.Counting(p, shown)));
        Console.WriteLine($"Train accuracy: {trainAccuracy.Mean:F6} ± {trainAccuracy.Ci95:F6}");
        var testAccuracy = ConsoleProgress.Run("evaluating (test)", p => experiment.Evaluate(test, true, ConsoleProgress.Counting(p, shown)));
        Console.WriteLine($"Test accuracy: {testAccuracy.Mean:F6} ± {testAccuracy.Ci95:F6}");

        if (json != null && leader)
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

}
