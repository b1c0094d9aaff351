#!/usr/bin/python3
"""PyTorch peer: one few-shot evaluation task on real Omniglot (supervised-reptile's evaluate()).

Follows openai/supervised-reptile (reptile.py evaluate() and _test_predictions(), 5-way 1-shot paper command:
  --shots 1 --eval-batch 5 --eval-iters 50 --learning-rate 0.001, Adam beta1 = 0; --transductive optional):
  * data, split and model as omniglot_meta_iter.py (shared through _common.py): 28x28 nearest, 0/1 float32;
    characters shuffled with the seed, tasks drawn from the 423 meta-test characters (unrotated).
  * one timed task, from a fixed initialisation phi (the seeded initial weights) and a fixed Adam state:
      - export every variable: the weights and the Adam state (moments, step count), as evaluate() does;
      - sample `ways` classes with shots + 1 drawings each; the first drawing of each class is held out;
      - fine-tune for eval_iters Adam steps (lr 1e-3, betas (0, 0.999), eps 1e-8) on mini-batches of eval_batch
        drawn without replacement (epochs over the ways * shots training images; a batch may span two epochs);
      - predict: non-transductive (default), each held-out image in one batch with all the training images
        (batch norm uses that batch's statistics; its logits are the last row); --transductive, all held-out
        images in one batch;
      - import the exported variables back (in-place copies).
    Task sampling is inside the timed loop; images are pre-loaded as one tensor.
20-way 1-shot (the paper's: --ways 20 --eval-batch 10 --learning-rate 0.0005) is timed with --ways/--shots.
"""
import argparse
import os
import random
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(__file__))
from _common import (add_meta_iter_args, env_info, load_omniglot, mini_batches, omniglot_model,  # noqa: E402
                     paper_adam, parse_threads, sample_images, setup_torch, split_characters, time_meta_iter,
                     write_json)


def init_adam_state(opt):
    """Creates Adam's per-parameter state as its first step would (zero moments, step 0), so that it exists to be
    exported before the first fine-tuning step (supervised-reptile's Adam slots exist from the graph's start)."""
    for group in opt.param_groups:
        for p in group["params"]:
            opt.state[p] = {"step": torch.tensor(0.0),
                            "exp_avg": torch.zeros_like(p, memory_format=torch.preserve_format),
                            "exp_avg_sq": torch.zeros_like(p, memory_format=torch.preserve_format)}


def adam_state_tensors(opt):
    return [t for group in opt.param_groups for p in group["params"] for t in opt.state[p].values()]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default="/work/shared/data/omniglot")
    add_meta_iter_args(ap, iters=200, warmup=20, unit="evaluation tasks")
    ap.add_argument("--ways", type=int, default=5, help="classes per task (the model's outputs)")
    ap.add_argument("--shots", type=int, default=1, help="training images per class (one more is held out)")
    ap.add_argument("--eval-batch", type=int, default=5, help="fine-tuning mini-batch size")
    ap.add_argument("--eval-iters", type=int, default=50, help="fine-tuning Adam steps")
    ap.add_argument("--learning-rate", type=float, default=0.001)
    ap.add_argument("--transductive", action="store_true", help="predict all held-out images in one batch")
    ap.add_argument("--train-chars", type=int, default=1200)
    args = ap.parse_args()

    setup_torch(torch, args)

    images = load_omniglot(torch, args.data)  # [1623, 20, 28, 28] float32
    bg_frac = images.mean().item()

    results = []
    for nt in parse_threads(args.threads):
        torch.set_num_threads(nt)
        torch.manual_seed(args.seed)
        pyrng = random.Random(args.seed)
        _, test_classes = split_characters(pyrng, images.shape[0], args.train_chars)

        model = omniglot_model(torch, args.ways)
        params = list(model.parameters())
        opt = paper_adam(torch, params, args.learning_rate)
        init_adam_state(opt)
        state = adam_state_tensors(opt)
        k, shots = args.ways, args.shots
        labels_train = torch.arange(k).repeat_interleave(shots)  # class-major, as _split_train_test leaves them
        labels_test = torch.arange(k)
        tally = {"correct": 0, "predicted": 0, "last_loss": float("nan")}

        def sample_task():
            xs = sample_images(torch, images, pyrng, pyrng.sample(test_classes, k), shots + 1)  # k x [shots+1, 28, 28]
            x_test = torch.stack([x[0] for x in xs]).unsqueeze(1)  # [k, 1, 28, 28]: the first drawing of each class
            x_train = torch.cat([x[1:] for x in xs], 0).unsqueeze(1)  # [k*shots, 1, 28, 28]
            return x_train, x_test

        def eval_task():
            with torch.no_grad():  # export_variables(): weights and optimizer state
                saved = [t.detach().clone() for t in params + state]
            x_train, x_test = sample_task()
            for batch in mini_batches(pyrng, x_train.shape[0], args.eval_batch, args.eval_iters):
                bi = torch.tensor(batch)
                opt.zero_grad(set_to_none=False)
                loss = F.cross_entropy(model(x_train.index_select(0, bi)), labels_train.index_select(0, bi))
                loss.backward()
                opt.step()
            with torch.no_grad():
                if args.transductive:
                    preds = model(x_test).argmax(1)
                else:
                    preds = torch.stack([model(torch.cat([x_train, x_test[j:j + 1]], 0))[-1].argmax()
                                         for j in range(k)])
                tally["correct"] += int((preds == labels_test).sum().item())
                tally["predicted"] += k
                for t, s in zip(params + state, saved):  # import_variables()
                    t.copy_(s)
            tally["last_loss"] = loss.item()

        s = time_meta_iter(eval_task, args)
        finite = all(torch.isfinite(p).all().item() for p in params)
        accuracy = tally["correct"] / max(1, tally["predicted"])
        mode = "transductive" if args.transductive else "non-transductive"
        s.update(threads=nt, get_num_threads=torch.get_num_threads(), last_inner_loss=tally["last_loss"],
                 accuracy_from_init=accuracy, params_finite=finite, adam_step_after=float(state[0]))
        results.append(s)
        print(f"omniglot_eval_task threads={nt}: median {s['median_ms']:.3f} ms  mean {s['mean_ms']:.3f} ms "
              f"per task [process CPU median {s['cpu_median_ms']:.3f} ms] ({k}-way {shots}-shot, {args.eval_iters} Adam "
              f"steps x batch {args.eval_batch}, {mode}; n={s['n']}, warmup={args.warmup}, last loss "
              f"{tally['last_loss']:.3f}, accuracy from the initial weights {accuracy:.3f}, torch {torch.__version__})",
              flush=True)

    write_json(args.json, {
        "benchmark": "omniglot_eval_task",
        "config": vars(args),
        "data": {"images": list(images.shape), "background_fraction": bg_frac,
                 "test_classes": images.shape[0] - args.train_chars},
        "what": "supervised-reptile evaluate(): one few-shot task (sample, fine-tune from phi with Adam, predict the "
                "held-out images, restore phi and the Adam state), task sampling included",
        "results": results,
        "env": env_info(torch),
    })


if __name__ == "__main__":
    main()
