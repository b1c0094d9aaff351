#!/usr/bin/python3
"""PyTorch peer: one Reptile meta-iteration on real 5-way Omniglot (the paper's transductive setting).

Follows openai/supervised-reptile (run_omniglot.py, 5-way 1-shot paper command:
  --shots 1 --inner-batch 10 --inner-iters 5 --meta-step 1 --meta-batch 5 --train-shots 10
  --learning-rate 0.001, Adam beta1 = 0):
  * data: images_background.npz + images_evaluation.npz (1623 characters x 20 drawings, 105x105 bool,
    True = white background). Resized to 28x28 nearest-neighbour, output pixel i <- source
    floor((i + 0.5) * 105 / 28); float32 0/1 (background = 1). Characters shuffled with the seed,
    first 1200 = meta-train, each augmented with rotations 0/90/180/270 (4800 classes).
    All images are pre-loaded as one float32 tensor; sampling/rotation happen inside the timed loop.
  * model: 4 x [Conv2d(in, 64, 3, stride 2, padding 1) -> BatchNorm2d(64, eps=1e-3, batch stats
    always) -> ReLU] -> Flatten -> Linear(256, 5); softmax cross-entropy.
  * one meta-iteration: snapshot phi; for each of meta-batch 5 tasks: load phi, sample 5 classes x
    train_shots 10 images (50 samples), 5 Adam steps on minibatches of 10 drawn without replacement
    (one shuffled pass), accumulate W; then phi <- phi + eps * (mean W - phi).
    The Adam state (moments, step count) persists across tasks and meta-iterations, as in
    supervised-reptile (only trainable variables are interpolated).
"""
import argparse
import os
import random
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(__file__))
from _common import (add_meta_iter_args, env_info, load_omniglot, omniglot_model, paper_adam, parse_threads,  # noqa: E402
                     sample_images, setup_torch, split_characters, time_meta_iter, write_json)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default="/work/shared/data/omniglot")
    add_meta_iter_args(ap, iters=300, warmup=30)
    ap.add_argument("--classes", type=int, default=5)
    ap.add_argument("--shots", type=int, default=1, help="eval shots (unused for timing; recorded)")
    ap.add_argument("--train-shots", type=int, default=10)
    ap.add_argument("--inner-batch", type=int, default=10)
    ap.add_argument("--inner-iters", type=int, default=5)
    ap.add_argument("--meta-batch", type=int, default=5)
    ap.add_argument("--learning-rate", type=float, default=0.001)
    ap.add_argument("--meta-step", type=float, default=1.0)
    ap.add_argument("--train-chars", type=int, default=1200)
    args = ap.parse_args()

    setup_torch(torch, args)

    images = load_omniglot(torch, args.data)  # [1623, 20, 28, 28] float32
    n_chars = images.shape[0]
    bg_frac = images.mean().item()

    results = []
    for nt in parse_threads(args.threads):
        torch.set_num_threads(nt)
        torch.manual_seed(args.seed)
        pyrng = random.Random(args.seed)
        train_classes, _ = split_characters(pyrng, n_chars, args.train_chars)

        model = omniglot_model(torch, args.classes)
        params = list(model.parameters())
        opt = paper_adam(torch, params, args.learning_rate)
        k, shots, nb = args.classes, args.train_shots, args.inner_batch
        labels_task = torch.arange(k).repeat_interleave(shots)  # [k*shots]
        last_loss = [float("nan")]

        def sample_task():
            xs = sample_images(torch, images, pyrng, pyrng.sample(train_classes, k), shots)  # k x [shots, 28, 28]
            return torch.cat(xs, 0).unsqueeze(1)  # [k*shots, 1, 28, 28]

        def meta_iter():
            with torch.no_grad():
                phi = [p.detach().clone() for p in params]
                acc = [torch.zeros_like(p) for p in params]
            for _ in range(args.meta_batch):
                with torch.no_grad():
                    for p, s in zip(params, phi):
                        p.copy_(s)
                x_all = sample_task()
                n = x_all.shape[0]
                perm = torch.randperm(n)
                pos = 0
                for _ in range(args.inner_iters):
                    if pos + nb > n:  # reshuffle when a pass is exhausted (supervised-reptile _mini_batches)
                        perm = torch.randperm(n)
                        pos = 0
                    bi = perm[pos:pos + nb]
                    pos += nb
                    xb = x_all.index_select(0, bi)
                    yb = labels_task.index_select(0, bi)
                    opt.zero_grad(set_to_none=False)
                    loss = F.cross_entropy(model(xb), yb)
                    loss.backward()
                    opt.step()
                with torch.no_grad():
                    for a, p in zip(acc, params):
                        a.add_(p)
            last_loss[0] = loss.item()
            with torch.no_grad():
                scale = 1.0 / args.meta_batch
                for p, s, a in zip(params, phi, acc):
                    # phi + eps * (mean W - phi)
                    p.copy_(s + args.meta_step * (a * scale - s))

        s = time_meta_iter(meta_iter, args)
        finite = all(torch.isfinite(p).all().item() for p in params)
        s.update(threads=nt, get_num_threads=torch.get_num_threads(), last_inner_loss=last_loss[0],
                 params_finite=finite)
        results.append(s)
        print(f"omniglot_meta_iter threads={nt}: median {s['median_ms']:.3f} ms  mean {s['mean_ms']:.3f} ms "
              f"per meta-iteration [process CPU median {s['cpu_median_ms']:.3f} ms] ({args.meta_batch} tasks x {args.inner_iters} Adam steps x batch {nb}; "
              f"n={s['n']}, warmup={args.warmup}, last loss {last_loss[0]:.3f}, torch {torch.__version__})",
              flush=True)

    write_json(args.json, {
        "benchmark": "omniglot_meta_iter",
        "config": vars(args),
        "data": {"images": list(images.shape), "background_fraction": bg_frac,
                 "train_classes": args.train_chars * 4},
        "what": "Reptile 5-way Omniglot meta-iteration (meta-batch 5, 5 Adam steps of batch 10 per task), "
                "task sampling included",
        "results": results,
        "env": env_info(torch),
    })


if __name__ == "__main__":
    main()
