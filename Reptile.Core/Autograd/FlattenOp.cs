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
        else
            System.Numerics.Tensors.TensorPrimitives.Add(x.Grad, Output.Grad, x.Grad);
    }
}
