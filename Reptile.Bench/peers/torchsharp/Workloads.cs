using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace TorchSharpPeer;

/// <summary>
/// One Reptile meta-iteration on 5-way Omniglot, as ../omniglot_meta_iter.py (supervised-reptile's paper settings):
/// snapshot φ; for each of the meta-batch's tasks load φ, sample classes × train-shots images (rotations included),
/// run Adam steps on mini-batches drawn without replacement (the Adam state carries on from task to task and from
/// meta-iteration to meta-iteration), add the weights W to a sum; then φ ← φ + ε (mean W − φ).
/// </summary>
internal sealed class MetaIteration
{
    private readonly Tensor images;
    private readonly (int Character, int Turns)[] trainClasses;
    private readonly Random rng;
    private readonly Sequential model;
    private readonly Parameter[] parameters;
    private readonly Adam optimizer;
    private readonly Tensor labels;
    private readonly int classes, shots, innerBatch, innerIters, metaBatch;
    // Scalars created once and held for the whole run (TorchSharp frees a Scalar in its finalizer).
    private readonly Scalar scale, metaStep;

    public float LastLoss { get; private set; } = float.NaN;
    public IReadOnlyList<Parameter> Parameters => parameters;

    public MetaIteration(Tensor images, int seed, int classes, int trainShots, int innerBatch, int innerIters, int metaBatch,
        double learningRate, double metaStep, int trainCharacters)
    {
        this.images = images;
        (this.classes, shots, this.innerBatch, this.innerIters, this.metaBatch) = (classes, trainShots, innerBatch, innerIters, metaBatch);
        manual_seed(seed);
        rng = new Random(seed);
        trainClasses = Omniglot.Split(rng, (int)images.shape[0], trainCharacters).Train;
        model = Omniglot.Model(classes);
        parameters = model.parameters().ToArray();
        optimizer = Omniglot.PaperAdam(parameters, learningRate);
        labels = arange(classes, ScalarType.Int64).repeat_interleave(trainShots);
        scale = (1.0 / metaBatch).ToScalar();
        this.metaStep = metaStep.ToScalar();
    }

    private Tensor SampleTask()
    {
        var perClass = Omniglot.SampleImages(images, rng, Omniglot.Sample(rng, trainClasses, classes), shots);
        return cat(perClass, 0).unsqueeze(1); // [classes·shots, 1, 28, 28]
    }

    public void Run()
    {
        using var scope = NewDisposeScope();
        Tensor[] phi, sum;
        using (no_grad())
        {
            phi = parameters.Select(p => p.detach().clone()).ToArray();
            sum = parameters.Select(p => zeros_like(p)).ToArray();
        }
        for (int task = 0; task < metaBatch; task++)
        {
            using var taskScope = NewDisposeScope();
            using (no_grad())
                for (int i = 0; i < parameters.Length; i++) parameters[i].copy_(phi[i]);
            var x = SampleTask();
            long n = x.shape[0];
            var perm = randperm(n);
            long pos = 0;
            for (int step = 0; step < innerIters; step++)
            {
                if (pos + innerBatch > n) // a new shuffled pass when this one is used up (supervised-reptile's _mini_batches)
                {
                    perm = randperm(n);
                    pos = 0;
                }
                using var stepScope = NewDisposeScope();
                var batch = perm.narrow(0, pos, innerBatch);
                pos += innerBatch;
                optimizer.zero_grad();
                var loss = nn.functional.cross_entropy(model.forward(x.index_select(0, batch)), labels.index_select(0, batch));
                loss.backward();
                optimizer.step();
                if (task == metaBatch - 1 && step == innerIters - 1) LastLoss = loss.item<float>();
            }
            using (no_grad())
                for (int i = 0; i < parameters.Length; i++) sum[i].add_(parameters[i]);
        }
        using (no_grad())
            for (int i = 0; i < parameters.Length; i++)
                parameters[i].copy_(sum[i].mul_(scale).sub_(phi[i]).mul_(metaStep).add_(phi[i])); // φ + ε (mean W − φ)
    }
}

/// <summary>
/// supervised-reptile's evaluate() for one few-shot task, as ../omniglot_eval_task.py: export the weights and the Adam
/// state; sample ways classes × (shots + 1) drawings of the meta-test characters, the first of each class held out;
/// fine-tune with Adam on mini-batches drawn without replacement; predict the held-out images (non-transductive: each
/// with all the training images in one batch, its logits the last row; transductive: all in one batch); import the
/// exported variables back.
/// </summary>
internal sealed class EvaluationTask
{
    private readonly Tensor images;
    private readonly (int Character, int Turns)[] testClasses;
    private readonly Random rng;
    private readonly Sequential model;
    private readonly Parameter[] parameters;
    private readonly Adam optimizer;
    private readonly Adam.State[] adamState;
    private readonly Tensor trainLabels, testLabels;
    private readonly int ways, shots, batchSize, iterations;
    private readonly bool transductive;

    public float LastLoss { get; private set; } = float.NaN;
    public long Correct { get; private set; }
    public long Predicted { get; private set; }
    public IReadOnlyList<Parameter> Parameters => parameters;
    public long AdamStep => adamState[0].step;

    public EvaluationTask(Tensor images, int seed, int ways, int shots, int batchSize, int iterations, double learningRate,
        bool transductive, int trainCharacters)
    {
        this.images = images;
        (this.ways, this.shots, this.batchSize, this.iterations, this.transductive) = (ways, shots, batchSize, iterations, transductive);
        manual_seed(seed);
        rng = new Random(seed);
        testClasses = Omniglot.Split(rng, (int)images.shape[0], trainCharacters).Test;
        model = Omniglot.Model(ways);
        parameters = model.parameters().ToArray();
        optimizer = Omniglot.PaperAdam(parameters, learningRate);
        // TorchSharp creates Adam's per-parameter state (zero moments, step 0) with the optimizer, so it can be
        // exported before the first step.
        adamState = optimizer.state_dict().State.Cast<Adam.State>().ToArray();
        trainLabels = arange(ways, ScalarType.Int64).repeat_interleave(shots); // class-major
        testLabels = arange(ways, ScalarType.Int64);
    }

    public void Run()
    {
        using var scope = NewDisposeScope();
        Tensor[] savedWeights, savedMoments;
        long[] savedSteps;
        using (no_grad()) // export_variables(): the weights and the optimizer's state
        {
            savedWeights = parameters.Select(p => p.detach().clone()).ToArray();
            savedMoments = adamState.SelectMany(s => new[] { s.exp_avg.clone(), s.exp_avg_sq.clone() }).ToArray();
            savedSteps = adamState.Select(s => s.step).ToArray();
        }
        var perClass = Omniglot.SampleImages(images, rng, Omniglot.Sample(rng, testClasses, ways), shots + 1);
        var xTest = stack(perClass.Select(x => x[0]), 0).unsqueeze(1); // [ways, 1, 28, 28]: the first drawing of each class
        var xTrain = cat(perClass.Select(x => x.narrow(0, 1, shots)).ToArray(), 0).unsqueeze(1); // [ways·shots, 1, 28, 28]

        int step = 0;
        foreach (var indices in Omniglot.MiniBatches(rng, ways * shots, batchSize, iterations))
        {
            using var stepScope = NewDisposeScope();
            var batch = tensor(indices);
            optimizer.zero_grad();
            var loss = nn.functional.cross_entropy(model.forward(xTrain.index_select(0, batch)), trainLabels.index_select(0, batch));
            loss.backward();
            optimizer.step();
            if (++step == iterations) LastLoss = loss.item<float>();
        }

        using (no_grad())
        {
            Tensor predictions;
            if (transductive)
                predictions = model.forward(xTest).argmax(1);
            else
                predictions = stack(Enumerable.Range(0, ways).Select(j =>
                {
                    var logits = model.forward(cat([xTrain, xTest.narrow(0, j, 1)], 0));
                    return logits[logits.shape[0] - 1].argmax();
                }), 0);
            Correct += predictions.eq(testLabels).sum().item<long>();
            Predicted += ways;

            for (int i = 0; i < parameters.Length; i++) parameters[i].copy_(savedWeights[i]); // import_variables()
            for (int i = 0; i < adamState.Length; i++)
            {
                adamState[i].exp_avg.copy_(savedMoments[2 * i]);
                adamState[i].exp_avg_sq.copy_(savedMoments[2 * i + 1]);
                adamState[i].step = savedSteps[i];
            }
        }
    }
}
