"""Shared helpers for the PyTorch peer benchmarks (timing, environment capture, JSON output)."""
import json
import os
import platform
import statistics
import time


def env_info(torch=None):
    info = {
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpu_count": os.cpu_count(),
        "env": {k: os.environ.get(k) for k in (
            "OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS",
            "OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "ATEN_CPU_CAPABILITY")},
    }
    try:
        with open("/proc/loadavg") as f:
            info["loadavg"] = f.read().strip()
    except OSError:
        pass
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    info["cpu_model"] = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    try:
        import numpy
        info["numpy"] = numpy.__version__
    except ImportError:
        pass
    if torch is not None:
        info["torch"] = torch.__version__
        pi = torch.__config__.parallel_info().splitlines()
        info["torch_parallel_info"] = [l.strip() for l in pi if l.strip()]
        info["torch_num_threads"] = torch.get_num_threads()
        info["torch_num_interop_threads"] = torch.get_num_interop_threads()
        cap = [l.strip() for l in torch.__config__.show().splitlines() if "CPU capability" in l]
        info["torch_cpu_capability"] = cap[0] if cap else None
    try:
        import threadpoolctl
        info["threadpools"] = [
            {k: d.get(k) for k in ("internal_api", "prefix", "version", "architecture",
                                   "threading_layer", "num_threads", "filepath")}
            for d in threadpoolctl.threadpool_info()]
    except ImportError:
        info["threadpools"] = None
    return info


def loadavg():
    try:
        with open("/proc/loadavg") as f:
            return f.read().strip()
    except OSError:
        return None


def time_loop(fn, iters, warmup):
    """Run fn() warmup times untimed, then iters times timed individually.
    Returns (wall_ms, cpu_ms): per-iteration wall-clock (time.perf_counter) and process CPU time
    (time.process_time: all threads of this process) in milliseconds. On a shared/loaded machine the
    CPU time of a single-threaded run is a useful preemption-free cross-check of the wall time."""
    for _ in range(warmup):
        fn()
    wall, cpu = [], []
    pc, pt = time.perf_counter, time.process_time
    for _ in range(iters):
        c0 = pt()
        t0 = pc()
        fn()
        t1 = pc()
        c1 = pt()
        wall.append((t1 - t0) * 1e3)
        cpu.append((c1 - c0) * 1e3)
    return wall, cpu


def summarize(samples_ms):
    s = sorted(samples_ms)
    n = len(s)
    return {
        "n": n,
        "median_ms": statistics.median(s),
        "mean_ms": statistics.fmean(s),
        "min_ms": s[0],
        "p10_ms": s[int(0.10 * (n - 1))],
        "p90_ms": s[int(0.90 * (n - 1))],
        "stdev_ms": statistics.stdev(s) if n > 1 else 0.0,
    }


def write_json(path, obj):
    if not path:
        return
    with open(path, "w") as f:
        json.dump(obj, f, indent=2)
        f.write("\n")


def parse_threads(s):
    return [int(t) for t in str(s).split(",") if t.strip()]


def add_meta_iter_args(ap, iters, warmup):
    """The options both meta-iteration peers take: threads, timing, JSON output, seed and denormal flushing."""
    ap.add_argument("--threads", default="2", help="torch.set_num_threads; comma list runs each (default 2)")
    ap.add_argument("--iters", type=int, default=iters, help="timed meta-iterations")
    ap.add_argument("--warmup", type=int, default=warmup, help="untimed warm-up meta-iterations")
    ap.add_argument("--json", default=None, help="write JSON result here")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--flush-denormal", action="store_true", help="torch.set_flush_denormal(True)")


def setup_torch(torch, args):
    """One inter-op thread (the timed loop is sequential) and, if asked, flushed denormals."""
    torch.set_num_interop_threads(1)
    if args.flush_denormal:
        torch.set_flush_denormal(True)


def time_meta_iter(meta_iter, args):
    """Times meta_iter as time_loop does and summarises it: wall-clock statistics, the process CPU time's
    median/mean/min, and /proc/loadavg before and after."""
    before = loadavg()
    wall, cpu = time_loop(meta_iter, args.iters, args.warmup)
    s = summarize(wall)
    c = summarize(cpu)
    s.update(cpu_median_ms=c["median_ms"], cpu_mean_ms=c["mean_ms"], cpu_min_ms=c["min_ms"],
             loadavg_before=before, loadavg_after=loadavg())
    return s
