"""The engine's attacks against torchattacks on one adversarially trained digits CNN.

1. ``empirical.attacks.pgd`` against ``torchattacks.PGD`` with the same model, batch and settings
   (l-inf, eps 0.1, alpha 0.01, 10 steps, last iterate): time ratio (goal <= 1.0), robust accuracy
   of each with its 99.9% interval, and, without random start (both deterministic), the largest
   difference between the two sets of adversarial examples.
2. The strongest evaluation, ``empirical.attacks.auto_attack`` (APGD-CE then APGD-T, 100 steps),
   against ``torchattacks.AutoAttack`` (version "standard", l-inf: APGD-CE, APGD-T, FAB-T, Square):
   robust accuracy (goal: at most 0.5 points above AutoAttack's) and time (goal: at most 0.35 of
   AutoAttack's).

The model: ``DigitsCNN`` trained by ``empirical.train.Trainer`` with ``Madry(steps=7)`` at eps 0.1
for ``--epochs`` epochs (seed 0) on the digits training split; evaluated on the test split (450
images). Needs torchattacks, installed without its dependencies so that pip keeps the CPU torch
build (torchattacks declares torchvision but does not import it):

    pip install --no-deps torchattacks==3.5.1 requests
    python benchmarks/engine_attacks.py [--threads 1] [--epochs 15] [--skip-autoattack]
"""

from __future__ import annotations

import argparse
import platform
import tempfile
import time

import torch

from empirical import attacks as A
from empirical import data as D
from empirical import evaluate as E
from empirical import models as M
from empirical.objectives import Madry
from empirical.train import Trainer, constant, sgd

EPS = 0.1


def timed(fn):
    t0 = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t0


def fmt(est) -> str:
    return f"{100 * est.value:6.2f}% [{100 * est.low:.2f}, {100 * est.high:.2f}]"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--epochs", type=int, default=15)
    ap.add_argument("--repeats", type=int, default=3, help="repeats of the PGD timing (best of)")
    ap.add_argument("--skip-autoattack", action="store_true")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    import torchattacks

    train, test = D.digits("train"), D.digits("test")
    model = M.DigitsCNN(classes=10, generator=0)
    with tempfile.TemporaryDirectory() as out:
        (_, secs) = timed(lambda: Trainer(model, train, Madry(steps=7), constant(EPS), args.epochs,
                                          optimizer=sgd(lr=0.05, momentum=0.9), batch_size=64, seed=0,
                                          out_dir=out, device="cpu", progress=False).fit())
    model.eval()
    x, y = test.x, test.y
    print(f"torch {torch.__version__}, torchattacks {torchattacks.__version__}, "
          f"{platform.processor() or platform.machine()}, threads {torch.get_num_threads()}")
    print(f"model: DigitsCNN, Madry PGD-7 training at eps {EPS}, {args.epochs} epochs ({secs:.0f} s); "
          f"test images {len(x)}; clean accuracy {fmt(E.accuracy(model, x, y))}")

    # 1. PGD against torchattacks.PGD
    ta = torchattacks.PGD(model, eps=EPS, alpha=0.01, steps=10, random_start=True)
    ours = A.bind(A.pgd, eps=EPS, alpha=0.01, steps=10, generator=0, keep_best=False)
    t_ta = min(timed(lambda: ta(x, y))[1] for _ in range(args.repeats))
    t_ours = min(timed(lambda: ours(model, x, y))[1] for _ in range(args.repeats))
    acc_ta = E.robust_accuracy(model, x, y, lambda m, xb, yb: ta(xb, yb))
    acc_ours = E.robust_accuracy(model, x, y, ours)
    det_ta = torchattacks.PGD(model, eps=EPS, alpha=0.01, steps=10, random_start=False)(x, y)
    det_ours = A.pgd(model, x, y, eps=EPS, alpha=0.01, steps=10, random_start=False, keep_best=False)
    diff = (det_ta - det_ours).abs().max().item()
    print("\nPGD-10, l-inf, eps 0.1, alpha 0.01, one batch of all test images, best of", args.repeats)
    print(f"  torchattacks.PGD      {t_ta:7.3f} s   robust accuracy {fmt(acc_ta)}")
    print(f"  empirical.attacks.pgd {t_ours:7.3f} s   robust accuracy {fmt(acc_ours)}")
    print(f"  time ratio ours / torchattacks = {t_ours / t_ta:.3f} (goal <= 1.0); without random start the "
          f"examples differ by at most {diff:.2e}")

    # 2. the APGD ensemble against AutoAttack
    ens = A.auto_attack(EPS, steps=100, generator=0)
    acc_ens, t_ens = timed(lambda: E.robust_accuracy(model, x, y, ens))
    pgd40 = A.bind(A.pgd, eps=EPS, steps=40, restarts=5, generator=0)
    acc_pgd40, t_pgd40 = timed(lambda: E.robust_accuracy(model, x, y, pgd40))
    print("\nstrongest evaluation, l-inf eps 0.1")
    print(f"  PGD-40, 5 restarts           {t_pgd40:7.1f} s   robust accuracy {fmt(acc_pgd40)}")
    print(f"  APGD-CE + APGD-T (ours)      {t_ens:7.1f} s   robust accuracy {fmt(acc_ens)}")
    if args.skip_autoattack:
        return
    aa = torchattacks.AutoAttack(model, norm="Linf", eps=EPS, version="standard", n_classes=10, seed=0)
    acc_aa, t_aa = timed(lambda: E.robust_accuracy(model, x, y, lambda m, xb, yb: aa(xb, yb)))
    print(f"  torchattacks.AutoAttack      {t_aa:7.1f} s   robust accuracy {fmt(acc_aa)}")
    print(f"  ours - AutoAttack = {100 * (acc_ens.value - acc_aa.value):+.2f} points (goal <= +0.5); "
          f"time ratio {t_ens / t_aa:.3f} (goal <= 0.35)")


if __name__ == "__main__":
    main()
