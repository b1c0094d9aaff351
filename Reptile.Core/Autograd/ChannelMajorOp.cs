namespace Reptile.Autograd;

/// <summary>
/// Re-lays an NCHW image batch as channel-major ([C][N][H][W]) for the convolution stack. The logical shape
/// is unchanged; for one channel (or one image) the two layouts coincide and this is a plain copy.
/// </summary>
public sealed class ChannelMajorOp : IBackward
{
    private Tensor x = null!;
    private int batch, channels, plane;

    public Tensor Output { get; } = Tensor.Zeros(true, 0, 0, 0, 0);

    /// <summary>Returns <paramref name="input"/> itself when it is already channel-major.</summary>
    public Tensor Apply(Tensor input, Tape? tape)
    {
        if (input.Layout == TensorLayout.ChannelMajor) return input;
        if (input.Rank != 4)
            throw new ArgumentException($"Expected an image batch [N, C, H, W], got {input}.", nameof(input));
        x = input;
        batch = input.Dim(0); channels = input.Dim(1); plane = input.Dim(2) * input.Dim(3);
        Output.Reshape(input.Shape, requiresGrad: true);
        Output.Layout = TensorLayout.ChannelMajor;
        BlockTranspose.Copy(input.Values, Output.Values, batch, channels, plane);
        tape?.Record(this, Output);
        return Output;
    }

    public void Backward()
    {
        if (x.RequiresGrad) BlockTranspose.Add(Output.Grad, x.Grad, channels, batch, plane);
    }
}
