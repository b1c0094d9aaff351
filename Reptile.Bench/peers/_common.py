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


def add_meta_iter_args(ap, iters, warmup, unit="meta-iterations"):
    """The options every timed peer takes: threads, timing, JSON output, seed and denormal flushing."""
    ap.add_argument("--threads", default="2", help="torch.set_num_threads; comma list runs each (default 2)")
    ap.add_argument("--iters", type=int, default=iters, help=f"timed {unit}")
    ap.add_argument("--warmup", type=int, default=warmup, help=f"untimed warm-up {unit}")
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


# --- Omniglot: the data, the character split, the model and the optimizer shared by the Omniglot peers ---

OMNIGLOT_SOURCE_SIZE = 105


def load_omniglot(torch, data_dir, size=28):
    """images_background.npz + images_evaluation.npz (1623 characters x 20 drawings, 105x105 bool, True = white
    background) resized nearest-neighbour to size x size (output pixel i <- source floor((i + 0.5) * 105 / size)),
    float32 0/1 (background = 1), as one tensor [1623, 20, size, size]."""
    import numpy as np
    idx = np.floor((np.arange(size) + 0.5) * OMNIGLOT_SOURCE_SIZE / size).astype(np.int64)
    out = []
    for name in ("images_background.npz", "images_evaluation.npz"):
        with np.load(os.path.join(data_dir, name)) as z:
            imgs = z["images"]  # bool [C, 20, 105, 105], True = white background
        out.append(imgs[:, :, idx[:, None], idx[None, :]].astype(np.float32))
    images = torch.from_numpy(np.ascontiguousarray(np.concatenate(out, axis=0)))
    assert images.shape == (1623, 20, size, size), images.shape
    return images


def split_characters(pyrng, n_chars, train_chars=1200):
    """supervised-reptile's split: the characters shuffled with pyrng, the first train_chars for meta-training, each
    with the rotations 0/90/180/270 (as (character, quarter turns)), the rest unrotated for meta-testing."""
    chars = list(range(n_chars))
    pyrng.shuffle(chars)
    train = [(c, r) for c in chars[:train_chars] for r in range(4)]
    test = [(c, 0) for c in chars[train_chars:]]
    return train, test


def omniglot_model(torch, num_classes=5):
    """supervised-reptile's Omniglot network: 4 x [Conv2d(in, 64, 3, stride 2, padding 1) -> BatchNorm2d(64,
    eps=1e-3, batch statistics always) -> ReLU] -> Flatten -> Linear(256, num_classes)."""
    from torch import nn
    layers = []
    cin = 1
    for _ in range(4):
        layers += [nn.Conv2d(cin, 64, 3, stride=2, padding=1),
                   nn.BatchNorm2d(64, eps=1e-3, track_running_stats=False),
                   nn.ReLU()]
        cin = 64
    return nn.Sequential(*layers, nn.Flatten(), nn.Linear(256, num_classes))


def paper_adam(torch, params, lr):
    """The paper's inner optimizer: Adam with beta1 = 0 (supervised-reptile's default), beta2 0.999, eps 1e-8."""
    return torch.optim.Adam(params, lr=lr, betas=(0.0, 0.999), eps=1e-8)


def sample_images(torch, images, pyrng, classes, shots):
    """shots distinct drawings of each (character, quarter turns) class, rotated: a list of [shots, H, W] tensors."""
    n_draw = images.shape[1]
    xs = []
    for c, rot in classes:
        draws = torch.tensor(pyrng.sample(range(n_draw), shots))
        x = images[c].index_select(0, draws)
        if rot:
            x = torch.rot90(x, rot, dims=(1, 2))
        xs.append(x)
    return xs


def mini_batches(pyrng, n, batch_size, num_batches):
    """supervised-reptile's _mini_batches without replacement, as lists of indices into n samples: shuffle, cut
    batches in order, reshuffle when the samples run out (a batch may span two shuffles); stop after num_batches."""
    samples = list(range(n))
    batch = []
    count = 0
    while True:
        pyrng.shuffle(samples)
        for s in samples:
            batch.append(s)
            if len(batch) < batch_size:
                continue
            yield batch
            count += 1
            if count == num_batches:
                return
            batch = []
