namespace Reptile.Autograd;

/// <summary>
/// Re-lays an NCHW image batch as channel-major ([C][N][H][W]) for the convolution stack. The logical shape
/// is unchanged; for one channel (or one image) the two layouts coincide and this is a plain copy.
/// </summary>
internal sealed class ChannelMajorOp : IBackward
{
    private Tensor x = null!;
    private int batch, channels, plane;

    // Images fed to the network track no gradient, so neither does their copy: the first convolution then
    // skips its input gradient (a product and a col2im per step).
    private readonly Tensor tracked = Tensor.Zeros(true, 0, 0, 0, 0), untracked = Tensor.Zeros(false, 0, 0, 0, 0);

    /// <summary>The last result of <see cref="Apply"/> that was a copy; it tracks gradients when its input does.</summary>
    public Tensor Output { get; private set; } = null!;

    /// <summary>Returns <paramref name="input"/> itself when it is already channel-major.</summary>
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
        BlockTranspose.Copy(input.Values, Output.Values, batch, channels, plane);
        if (input.RequiresGrad) tape?.Record(this, Output);
        return Output;
    }

    public void Backward()
    {
        if (x.RequiresGrad) BlockTranspose.Add(Output.Grad, x.Grad, channels, batch, plane);
    }
}
