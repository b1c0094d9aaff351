#!/usr/bin/python3
"""PyTorch/NumPy peer: single-threaded SGEMM throughput (GFLOP/s, 2*M*N*K flops) through OpenBLAS.

Square sizes 64..1024 plus the GEMM shapes of the 5-way Omniglot conv net (batch 10, im2col form):
  forward  : W[64 x 576] . cols[576 x N]     N = 490 (layer 2), 160 (layer 3), 40 (layer 4)
             W[64 x 9]   . cols[9 x 1960]   (layer 1)
  backward : dW    = dY[64 x N] . cols^T      (cols stored [576 x N], passed as a transposed view)
             dcols = W^T . dY[64 x N]         (W stored [64 x 576], passed as a transposed view)
Transposed operands are passed as views so BLAS sees the transpose flag, as in a real backward pass.
NumPy float32 matmul -> cblas_sgemm (libblas.so.3 alternative = OpenBLAS on Debian);
torch.mm (Debian build, BLAS_INFO=generic) -> sgemm_ of the same libblas.so.3.
Timing: best of --repeats runs, each run = a loop of calls long enough to take >= --min-time seconds.

Run with the OpenBLAS environment overrides removed, e.g.
  env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE /usr/bin/python3 gemm_openblas.py --json gemm.json
"""
import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
from _common import env_info, loadavg, write_json  # noqa: E402

SQUARE = [64, 128, 256, 512, 1024]


def shapes():
    out = []
    for n in SQUARE:
        out.append((f"square {n}", n, n, n, False, False))
    # (label, M, K, N, transA, transB): C[MxN] = op(A)[MxK] . op(B)[KxN]
    for n in (490, 160, 40):
        out.append((f"fwd W.cols N={n}", 64, 576, n, False, False))
    out.append(("fwd W.cols L1 N=1960", 64, 9, 1960, False, False))
    for n in (490, 160, 40):
        out.append((f"bwd dW=dY.cols^T N={n}", 64, n, 576, False, True))
    for n in (490, 160, 40):
        out.append((f"bwd dcols=W^T.dY N={n}", 576, 64, n, True, False))
    return out


def operands(lib, M, K, N, ta, tb, rng):
    import numpy as np
    a = rng.standard_normal((K, M) if ta else (M, K)).astype(np.float32)
    b = rng.standard_normal((N, K) if tb else (K, N)).astype(np.float32)
    if lib == "torch":
        import torch
        a, b = torch.from_numpy(a), torch.from_numpy(b)
    A = a.T if ta else a
    B = b.T if tb else b
    return A, B


def bench(fn, min_time, repeats):
    """Best-of-`repeats` seconds per call, by wall clock and by process CPU time."""
    fn()
    n = 1
    while True:  # calibrate loop count
        t0 = time.perf_counter()
        for _ in range(n):
            fn()
        dt = time.perf_counter() - t0
        if dt >= min_time:
            break
        n = max(n * 2, int(n * min_time / max(dt, 1e-9) * 1.2))
    best, best_cpu = float("inf"), float("inf")
    for _ in range(repeats):
        c0 = time.process_time()
        t0 = time.perf_counter()
        for _ in range(n):
            fn()
        t1 = time.perf_counter()
        c1 = time.process_time()
        best = min(best, (t1 - t0) / n)
        best_cpu = min(best_cpu, (c1 - c0) / n)
    return best, best_cpu, n


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--threads", type=int, default=1,
                    help="BLAS threads (threadpoolctl) and torch.set_num_threads; default 1 = single-threaded")
    ap.add_argument("--iters", type=float, default=0.05, dest="min_time",
                    help="minimum seconds per timed run (loop count is calibrated to reach it)")
    ap.add_argument("--warmup", type=int, default=3, help="untimed calls before calibration")
    ap.add_argument("--repeats", type=int, default=7, help="best-of this many timed runs")
    ap.add_argument("--json", default=None)
    ap.add_argument("--libs", default="numpy,torch")
    args = ap.parse_args()

    os.environ.setdefault("OPENBLAS_NUM_THREADS", str(args.threads))
    import numpy as np
    import torch
    torch.set_num_threads(args.threads)
    limiter = None
    try:
        from threadpoolctl import threadpool_limits
        limiter = threadpool_limits(limits=args.threads, user_api="blas")
    except ImportError:
        pass

    rng = np.random.default_rng(0)
    la0 = loadavg()
    rows = []
    libs = [l for l in args.libs.split(",") if l]
    for label, M, K, N, ta, tb in shapes():
        row = {"shape": label, "M": M, "K": K, "N": N, "transA": ta, "transB": tb}
        flops = 2.0 * M * N * K
        for lib in libs:
            A, B = operands(lib, M, K, N, ta, tb, rng)
            if lib == "numpy":
                C = np.empty((M, N), np.float32)
                fn = lambda: np.matmul(A, B, out=C)  # noqa: E731
                ref = A @ B
            else:
                C = torch.empty(M, N)
                fn = lambda: torch.mm(A, B, out=C)  # noqa: E731
                ref = (A.double() @ B.double()).float().numpy()
            for _ in range(args.warmup):
                fn()
            t, tc, n = bench(fn, args.min_time, args.repeats)
            got = C if lib == "numpy" else C.numpy()
            err = float(np.max(np.abs(got - ref)) / (np.max(np.abs(ref)) + 1e-30))
            row[lib] = {"best_s": t, "gflops": flops / t / 1e9, "best_cpu_s": tc,
                        "gflops_cputime": flops / tc / 1e9, "loop": n, "rel_err": err}
        rows.append(row)
        print(f"{label:26s} M={M:4d} K={K:4d} N={N:4d}  " +
              "  ".join(f"{lib} {row[lib]['gflops']:6.1f} GFLOP/s ({row[lib]['best_s']*1e6:8.1f} us; cpu-time {row[lib]['gflops_cputime']:6.1f})"
                        for lib in libs),
              flush=True)

    info = env_info(torch)
    info["numpy_blas_config"] = None
    try:
        import io
        import contextlib
        buf = io.StringIO()
        with contextlib.redirect_stdout(buf):
            np.show_config()
        info["numpy_blas_config"] = buf.getvalue().splitlines()
    except Exception:
        pass
    try:
        import threadpoolctl
        info["threadpools_effective"] = threadpoolctl.threadpool_info()
    except ImportError:
        pass
    ob = [d for d in (info.get("threadpools") or []) if d.get("internal_api") == "openblas"]
    summary = ", ".join(f"OpenBLAS {d['version']} core={d['architecture']} {d['threading_layer']} "
                        f"threads={d['num_threads']}" for d in ob) or "OpenBLAS info unavailable (no threadpoolctl)"
    geo = {lib: float(np.exp(np.mean([np.log(r[lib]["gflops"]) for r in rows]))) for lib in libs}
    geo_cpu = {lib: float(np.exp(np.mean([np.log(r[lib]["gflops_cputime"]) for r in rows]))) for lib in libs}
    print(f"gemm_openblas: threads={args.threads} numpy {np.__version__} torch {torch.__version__}; {summary}; "
          + ", ".join(f"{lib} geomean {geo[lib]:.1f} GFLOP/s (cpu-time {geo_cpu[lib]:.1f})" for lib in libs), flush=True)
    write_json(args.json, {
        "benchmark": "gemm_openblas",
        "config": vars(args),
        "openblas": summary,
        "loadavg_before": la0, "loadavg_after": loadavg(),
        "rows": rows, "geomean_gflops": geo, "geomean_gflops_cputime": geo_cpu,
        "env": info,
    })
    if limiter is not None:
        limiter.restore_original_limits()


if __name__ == "__main__":
    main()
