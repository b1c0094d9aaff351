namespace Reptile.Layers;

/// <summary>The models of the Reptile paper, laid out as the equivalent PyTorch nn.Sequential.</summary>
public static class Models
{
    /// <summary>The sine-wave regressor: 1-64-64-1 with tanh (state_dict names 0.*, 2.*, 4.*).</summary>
    public static Sequential SineMlp(int hidden = 64) =>
        new(new Linear(1, hidden), new Tanh(), new Linear(hidden, hidden), new Tanh(), new Linear(hidden, 1));

    /// <summary>supervised-reptile's Omniglot model for 28×28 gray images: 4 × [conv 3×3, 64, stride 2,
    /// padding 1 → batch norm → ReLU] → flatten → dense(ways). Names 0.* … 13.*.</summary>
    public static Sequential Omniglot(int ways, int imageSize = 28, float batchNormEpsilon = 1e-3f, int inputChannels = 1)
    {
        var layers = new List<Layer>();
        int channels = inputChannels, size = imageSize;
        for (int i = 0; i < 4; i++)
        {
            layers.Add(new Conv2d(channels, 64, 3, stride: 2, padding: 1));
            layers.Add(new BatchNorm2d(64, batchNormEpsilon));
            layers.Add(new Relu());
            channels = 64;
            size = (size + 2 - 3) / 2 + 1;
        }
        layers.Add(new Flatten());
        layers.Add(new Linear(64 * size * size, ways));
        return new Sequential(layers.ToArray());
    }

    /// <summary>supervised-reptile's Mini-ImageNet model for 84×84 RGB images: 4 × [conv 3×3, 32, padding 1 →
    /// batch norm → max-pool 2×2 (ceil mode, TensorFlow's padding='same') → ReLU] → flatten → dense(ways); 84 → 42 →
    /// 21 → 11 → 6, so 32·6·6 = 1152 features. Names 0.* … 17.*.</summary>
    public static Sequential MiniImageNet(int ways, int imageSize = 84, float batchNormEpsilon = 1e-3f, int inputChannels = 3)
    {
        var layers = new List<Layer>();
        int channels = inputChannels, size = imageSize;
        for (int i = 0; i < 4; i++)
        {
            layers.Add(new Conv2d(channels, 32, 3, stride: 1, padding: 1));
            layers.Add(new BatchNorm2d(32, batchNormEpsilon));
            layers.Add(new MaxPool2d(2, ceilMode: true));
            layers.Add(new Relu());
            channels = 32;
            size = (size + 1) / 2;
        }
        layers.Add(new Flatten());
        layers.Add(new Linear(32 * size * size, ways));
        return new Sequential(layers.ToArray());
    }
}
