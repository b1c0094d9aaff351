namespace Reptile.Autograd;

/// <summary>
/// Re-lays an NCHW image batch, or position-major activations ([N][H][W][C]), as channel-major ([C][N][H][W]) for the
/// ops that need it. The logical shape is unchanged.
/// </summary>
internal sealed class ChannelMajorOp : IBackward
{
    private Tensor x = null!;
    private int batch, channels, plane;
    private float[] gradientRows = [];

    // Images fed to the network track no gradient, so neither does their copy: the first convolution then
    // skips its input gradient (a product and a col2im per step).
    private readonly Tensor tracked = Tensor.Zeros(true, 0, 0, 0, 0), untracked = Tensor.Zeros(false, 0, 0, 0, 0);

    /// <summary>The last result of <see cref="Apply"/> that was a copy; it tracks gradients when its input does.</summary>
    public Tensor Output { get; private set; } = null!;

    /// <summary>Returns <paramref name="input"/> itself when it is already channel-major.</summary>
    /// <exception cref="ArgumentException">The input is not 4-d.</exception>
    public Tensor Apply(Tensor input, Tape? tape)
    {
        if (input.Layout == TensorLayout.ChannelMajor) return input;
        if (input.Rank != 4)
            throw new ArgumentException($"Expected an image batch [N, C, H, W], got {input}.", nameof(input));
        x = input;
        batch = input.Dim(0); channels = input.Dim(1); plane = input.Dim(2) * input.Dim(3);
        Output = input.RequiresGrad ? tracked : untracked;
        Output.Reshape(input.Shape, requiresGrad: input.RequiresGrad);
        Output.Layout = TensorLayout.ChannelMajor;
        if (input.Layout == TensorLayout.PositionMajor) RowTranspose.Copy(input.Values, batch * plane, channels, Output.Values);
        else BlockTranspose.Copy(input.Values, Output.Values, batch, channels, plane);
        if (input.RequiresGrad) tape?.Record(this, Output);
        return Output;
    }

    public void Backward()
    {
        if (!x.RequiresGrad) return;
        if (x.Layout != TensorLayout.PositionMajor)
        {
            BlockTranspose.Add(Output.Grad, x.Grad, channels, batch, plane);
            return;
        }
        PinnedBuffer.Grow(ref gradientRows, x.Length);
        var rows = PinnedBuffer.Aligned(gradientRows).Slice(0, x.Length);
        RowTranspose.Copy(Output.Grad, channels, batch * plane, rows);
        System.Numerics.Tensors.TensorPrimitives.Add(x.Grad, rows, x.Grad);
    }
}
