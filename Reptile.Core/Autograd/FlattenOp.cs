namespace Reptile.Autograd;

/// <summary>[N, C, H, W] → [N, C·H·W] in PyTorch's C,H,W order, whatever the input's memory layout.</summary>
public sealed class FlattenOp : IBackward
{
    private Tensor x = null!;
    private int batch, channels, plane;
    private readonly int[] outShape = new int[2];

    /// <summary>
    /// The output of the last <see cref="Forward"/>, row-major [N, features]: one buffer reused by every call.
    /// </summary>
    public Tensor Output { get; } = Tensor.Zeros(true, 0, 0);

    /// <summary>
    /// Flattens <paramref name="input"/> to [N, rest] in C, H, W order (a copy that also undoes a channel-major
    /// layout), recording the op on <paramref name="tape"/> when one is given.
    /// </summary>
    /// <param name="input">At least [N, features].</param>
    /// <param name="tape">The tape to record on, or null.</param>
    /// <returns><see cref="Output"/>.</returns>
    /// <exception cref="ArgumentException">The input has fewer than 2 dimensions.</exception>
    public Tensor Forward(Tensor input, Tape? tape)
    {
        if (input.Rank < 2) throw new ArgumentException($"Flatten expects at least [N, features], got {input}.", nameof(input));
        x = input;
        batch = input.Dim(0);
        channels = input.Rank == 4 ? input.Dim(1) : 1;
        plane = batch == 0 ? 0 : input.Length / (batch * Math.Max(channels, 1));
        outShape[0] = batch; outShape[1] = batch == 0 ? 0 : input.Length / batch;
        Output.Reshape(outShape, requiresGrad: true);
        Output.Layout = TensorLayout.RowMajor;
        if (input.Layout == TensorLayout.ChannelMajor)
            BlockTranspose.Copy(input.Values, Output.Values, channels, batch, plane);
        else if (input.Layout == TensorLayout.PositionMajor)
            PerImage(input.Values, Output.Values, plane, channels, add: false);
        else
            input.Values.CopyTo(Output.Values);
        tape?.Record(this, Output);
        return Output;
    }

    /// <summary>Adds the output's gradient, laid back out as the input was, into the input's gradient.</summary>
    public void Backward()
    {
        if (!x.RequiresGrad) return;
        if (x.Layout == TensorLayout.ChannelMajor)
            BlockTranspose.Add(Output.Grad, x.Grad, batch, channels, plane);
        else if (x.Layout == TensorLayout.PositionMajor)
            PerImage(Output.Grad, x.Grad, channels, plane, add: true);
        else
            System.Numerics.Tensors.TensorPrimitives.Add(x.Grad, Output.Grad, x.Grad);
    }

    /// <summary>destination[n][j][i] (+)= source[n][i][j] for each image n, i &lt; a, j &lt; b: the move between an
    /// image's position-major rows and its NCHW features (small: the last layer's few pixels).</summary>
    private void PerImage(ReadOnlySpan<float> source, Span<float> destination, int a, int b, bool add)
    {
        for (int n = 0, image = a * b; n < batch; n++)
        {
            var s = source.Slice(n * image, image);
            var d = destination.Slice(n * image, image);
            for (int i = 0; i < a; i++)
                for (int j = 0; j < b; j++)
                    d[j * a + i] = add ? d[j * a + i] + s[i * b + j] : s[i * b + j];
        }
    }
}
