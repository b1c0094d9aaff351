using Reptile.Threading;

namespace Reptile.Autograd;

/// <summary>
/// Lets the calling thread's ops split their work over the worker pool for a scope. To be removed once Meta opens
/// the pool's scope itself (<see cref="WorkerPool.Use"/>).
/// </summary>
public static class IntraOpParallelism
{
    /// <summary>Ops on this thread use <paramref name="threads"/> threads until the result is disposed.</summary>
    public static Scope Use(int threads) => new(WorkerPool.Use(threads));

    /// <summary>Closes a <see cref="Use"/> scope (a struct: opening and closing allocates nothing).</summary>
    public readonly struct Scope : IDisposable
    {
        private readonly WorkerPool.Scope scope;

        internal Scope(WorkerPool.Scope scope) => this.scope = scope;

        public void Dispose() => scope.Dispose();
    }
}
