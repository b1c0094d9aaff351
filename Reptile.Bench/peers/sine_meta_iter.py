#!/usr/bin/python3
"""PyTorch peer: one Reptile meta-iteration on the sine-wave regression toy problem.

Mirrors the authors' sine demo (Nichol et al. 2018, the "reptile-sinewaves-demo" from the
OpenAI blog post): Linear(1,64)-Tanh-Linear(64,64)-Tanh-Linear(64,1), float32, manual SGD
(`param.data -= lr * param.grad.data`, zero_grad every step), no torch.optim.

One timed meta-iteration =
  * sample a task y = A*sin(x + b), A ~ U[0.1, 5], b ~ U[0, 2*pi] on x = linspace(-5, 5, 50)
  * snapshot phi
  * one epoch of plain SGD (lr 0.02, MSE) over the 50 points shuffled into 5 minibatches of 10
  * phi <- phi + eps * (W - phi), eps = 0.1

--update demo    : snapshot with deepcopy(model.state_dict()) and write back with
                   model.load_state_dict({...}) exactly as the demo does (default)
--update inplace : snapshot with p.detach().clone(), update with p.lerp_/add_ under no_grad
"""
import argparse
import math
import sys
from copy import deepcopy

import numpy as np
import torch
from torch import nn

sys.path.insert(0, __import__("os").path.dirname(__file__))
from _common import add_meta_iter_args, env_info, parse_threads, setup_torch, time_meta_iter, write_json  # noqa: E402


def build(seed):
    torch.manual_seed(seed)
    return nn.Sequential(
        nn.Linear(1, 64), nn.Tanh(),
        nn.Linear(64, 64), nn.Tanh(),
        nn.Linear(64, 1),
    )


def make_meta_iter(model, rng, args):
    x_all = np.linspace(-5, 5, args.points)[:, None]  # float64 like the demo, cast per batch
    lr, eps, nb = args.inner_lr, args.meta_step, args.inner_batch

    def totorch(a):
        return torch.from_numpy(np.ascontiguousarray(a, dtype=np.float32))

    def train_on_batch(x, y):
        x = totorch(x)
        y = totorch(y)
        model.zero_grad()
        ypred = model(x)
        loss = (ypred - y).pow(2).mean()
        loss.backward()
        for param in model.parameters():
            param.data -= lr * param.grad.data

    def sample_task():
        phase = rng.uniform(low=0, high=2 * np.pi)
        ampl = rng.uniform(0.1, 5)
        return lambda x: np.sin(x + phase) * ampl

    def inner_epochs(f):
        y_all = f(x_all)
        for _ in range(args.inner_epochs):
            inds = rng.permutation(len(x_all))
            for start in range(0, len(x_all), nb):
                mbinds = inds[start:start + nb]
                train_on_batch(x_all[mbinds], y_all[mbinds])

    if args.update == "demo":
        def meta_iter():
            f = sample_task()
            weights_before = deepcopy(model.state_dict())
            inner_epochs(f)
            weights_after = model.state_dict()
            model.load_state_dict({name: weights_before[name] + (weights_after[name] - weights_before[name]) * eps
                                   for name in weights_before})
    else:
        params = list(model.parameters())

        def meta_iter():
            f = sample_task()
            with torch.no_grad():
                before = [p.detach().clone() for p in params]
            inner_epochs(f)
            with torch.no_grad():
                for p, b in zip(params, before):
                    # p = b + eps * (p - b)
                    p.sub_(b).mul_(eps).add_(b)
    return meta_iter


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_meta_iter_args(ap, iters=3000, warmup=300)
    ap.add_argument("--update", choices=("demo", "inplace"), default="demo")
    ap.add_argument("--points", type=int, default=50)
    ap.add_argument("--inner-batch", type=int, default=10)
    ap.add_argument("--inner-epochs", type=int, default=1)
    ap.add_argument("--inner-lr", type=float, default=0.02)
    ap.add_argument("--meta-step", type=float, default=0.1)
    args = ap.parse_args()

    setup_torch(torch, args)
    results = []
    for nt in parse_threads(args.threads):
        torch.set_num_threads(nt)
        model = build(args.seed)
        rng = np.random.RandomState(args.seed)
        meta_iter = make_meta_iter(model, rng, args)
        s = time_meta_iter(meta_iter, args)
        # sanity: evaluate meta-model loss on a fixed task (not timed)
        with torch.no_grad():
            x = torch.linspace(-5, 5, 50).unsqueeze(1)
            finite = all(torch.isfinite(p).all().item() for p in model.parameters())
            _ = model(x)
        s.update(threads=nt, get_num_threads=torch.get_num_threads(), params_finite=finite)
        results.append(s)
        print(f"sine_meta_iter threads={nt} update={args.update}: median {s['median_ms']:.4f} ms  "
              f"mean {s['mean_ms']:.4f} ms per meta-iteration [process CPU median {s['cpu_median_ms']:.4f} ms] (n={s['n']}, warmup={args.warmup}, "
              f"torch {torch.__version__})", flush=True)

    write_json(args.json, {
        "benchmark": "sine_meta_iter",
        "config": vars(args),
        "what": "Reptile sine meta-iteration: task sample + snapshot + 1 epoch SGD (5 x minibatch 10) + meta step",
        "results": results,
        "env": env_info(torch),
    })


if __name__ == "__main__":
    main()
