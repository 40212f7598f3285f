"""The engine's PGD-k adversarial-training epoch against a tight hand-written PyTorch loop.

For each model (the digits CNN and the (512, 512, 320) MLP on the 8x8 digits, the Madry CNN on
the MNIST 5k subset) and each k, one epoch of

- a tight loop: random start in the l-inf ball, k sign steps on the input gradient with the
  model in eval mode, projection and clipping to [0, 1], then one SGD step in train mode;
- the engine: ``empirical.train.Trainer`` with ``empirical.objectives.Madry(steps=k)``, one
  epoch, checkpoint and metrics written (its real cost);
- and, as the unit, a tight standard (clean) epoch;

each timed best-of-``--repeats`` on the same model initialization, data and batch order. Prints the
engine / tight ratio (goal <= 1.05) and both against the standard epoch and against k + 1.

    python benchmarks/engine_training.py [--threads 1] [--repeats 2] [--ks 1,3,7,10] [--madry-n 1024]
"""

from __future__ import annotations

import argparse
import copy
import platform
import tempfile
import time

import torch
import torch.nn.functional as F

from empirical import data as D
from empirical import models as M
from empirical.objectives import Madry
from empirical.train import Trainer, constant, sgd

EPS, BATCH, LR = 0.1, 128, 0.05


def _perm(n: int, seed: int) -> torch.Tensor:
    return torch.randperm(n, generator=torch.Generator().manual_seed(seed))


def tight_epoch(model, x, y, k: int, seed: int) -> None:
    """One epoch of PGD-k training (k = 0: standard training) written as plainly as PyTorch allows."""
    opt = torch.optim.SGD(model.parameters(), lr=LR, momentum=0.9)
    gen = torch.Generator().manual_seed(seed + 1)
    alpha = 2.5 * EPS / max(k, 1)
    perm = _perm(len(x), seed)
    for s in range(0, len(x), BATCH):
        idx = perm[s:s + BATCH]
        xb, yb = x[idx], y[idx]
        if k > 0:
            model.eval()
            delta = (torch.rand(xb.shape, generator=gen) * 2 - 1) * EPS
            xa = (xb + delta).clamp(0, 1)
            for _ in range(k):
                xa.requires_grad_(True)
                loss = F.cross_entropy(model(xa), yb)
                (g,) = torch.autograd.grad(loss, xa)
                xa = torch.min(torch.max(xa.detach() + alpha * g.sign(), xb - EPS), xb + EPS).clamp(0, 1)
            xb = xa.detach()
        model.train()
        loss = F.cross_entropy(model(xb), yb)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()


def engine_epoch(model, train, k: int, seed: int) -> None:
    with tempfile.TemporaryDirectory() as out:
        Trainer(model, train, Madry(steps=k), constant(EPS), 1, optimizer=sgd(lr=LR, momentum=0.9),
                batch_size=BATCH, seed=seed, out_dir=out, device="cpu", progress=False).fit()


def best(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--repeats", type=int, default=2)
    ap.add_argument("--ks", default="1,3,7,10")
    ap.add_argument("--madry-n", type=int, default=1024, help="MNIST 5k training images used for the Madry CNN")
    ap.add_argument("--digits-copies", type=int, default=4,
                    help="the digits training set repeated this many times (epochs long enough to time)")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    ks = [int(k) for k in args.ks.split(",")]
    digits = D.digits("train")
    digits = digits.subset(torch.arange(len(digits)).repeat(args.digits_copies))
    mnist = D.mnist("train")
    mnist = mnist.subset(torch.arange(min(args.madry_n, len(mnist))))
    cases = [
        ("digits CNN", lambda: M.DigitsCNN(classes=10, generator=0), digits),
        ("MLP (512, 512, 320)", lambda: M.MLP(64, out=10, generator=0), digits),
        ("Madry CNN", lambda: M.MadryCNN(classes=10, generator=0), mnist),
    ]
    print(f"torch {torch.__version__}, {platform.processor() or platform.machine()}, "
          f"threads {torch.get_num_threads()}, best of {args.repeats}, eps {EPS}, batch {BATCH}")
    print(f"{'model':<22}{'n':>6}{'k':>4}{'standard s':>12}{'tight s':>10}{'engine s':>10}"
          f"{'engine/tight':>14}{'tight/std':>11}{'/(k+1)':>8}{'engine/std':>12}{'/(k+1)':>8}")
    for name, make, train in cases:
        run_case(name, make, train, ks, args.repeats)


def run_case(name, make, train, ks, repeats: int) -> None:
    init = make().state_dict()

    def fresh():
        m = make()
        m.load_state_dict(copy.deepcopy(init))
        return m

    tight_epoch(fresh(), train.x, train.y, 1, 0)  # warm-up
    engine_epoch(fresh(), train, 1, 0)
    std = best(lambda: tight_epoch(fresh(), train.x, train.y, 0, 0), repeats)
    for k in ks:
        tight = best(lambda k=k: tight_epoch(fresh(), train.x, train.y, k, 0), repeats)
        eng = best(lambda k=k: engine_epoch(fresh(), train, k, 0), repeats)
        print(f"{name:<22}{len(train):>6}{k:>4}{std:>12.2f}{tight:>10.2f}{eng:>10.2f}{eng / tight:>14.3f}"
              f"{tight / std:>11.2f}{tight / std / (k + 1):>8.2f}{eng / std:>12.2f}{eng / std / (k + 1):>8.2f}",
              flush=True)

if __name__ == "__main__":
    main()
