"""A tiny training run for the trainer's subprocess tests (resume after SIGKILL, DDP under torchrun).

Usage: python tests/empirical/_train_worker.py --out DIR [--objective madry] [--epochs 6] ...

The data, the model's initial weights and the run are functions of the arguments alone, so
that two processes given the same arguments train the same model. :func:`build` is imported
by the tests for in-process reference runs.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


class TinyMLP(torch.nn.Module):
    """d -> hidden -> classes ReLU network with weights drawn from a seeded generator."""

    def __init__(self, d=6, hidden=12, classes=3, seed=0):
        super().__init__()
        self.fc1 = torch.nn.Linear(d, hidden)
        self.fc2 = torch.nn.Linear(hidden, classes)
        g = torch.Generator().manual_seed(seed)
        with torch.no_grad():
            for p in self.parameters():
                p.copy_(torch.randn(p.shape, generator=g) * 0.5)

    def forward(self, x):
        return self.fc2(torch.relu(self.fc1(x)))


class Data:
    """The minimal dataset protocol of the trainer: tensors .x and .y."""

    def __init__(self, x, y):
        self.x, self.y = x, y


def make_data(n=256, d=6, classes=3, seed=1):
    g = torch.Generator().manual_seed(seed)
    x = torch.rand(n, d, generator=g)
    w = torch.randn(d, classes, generator=g)
    y = ((x - 0.5) @ w).argmax(dim=1)
    return Data(x, y)


def parse(argv=None):
    p = argparse.ArgumentParser()
    p.add_argument("--out", required=True)
    p.add_argument("--objective", default="madry", choices=["standard", "madry", "madry-fixed", "trades", "fast"])
    p.add_argument("--schedule", default="iterative", choices=["constant", "iterative"])
    p.add_argument("--epochs", type=int, default=6)
    p.add_argument("--examples", type=int, default=256)
    p.add_argument("--batch", type=int, default=4)
    p.add_argument("--steps", type=int, default=3)
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--lr", type=float, default=0.05)
    p.add_argument("--eval", action="store_true", help="record eval accuracy on a second data set")
    return p.parse_args(argv)


def build(argv=None):
    """The Trainer the arguments describe (not yet fitted)."""
    from empirical import objectives
    from empirical.train import Trainer, constant, iterative, multistep, sgd

    a = parse(argv)
    objective = {
        "standard": lambda: objectives.Standard(),
        "madry": lambda: objectives.Madry(steps=a.steps),
        "madry-fixed": lambda: objectives.Madry(steps=a.steps, random_start=False),
        "trades": lambda: objectives.Trades(beta=2.0, steps=a.steps),
        "fast": lambda: objectives.Fast(),
    }[a.objective]()
    schedule = constant(0.1) if a.schedule == "constant" else iterative(0.1, max(a.epochs - 1, 1))
    eval_data = make_data(n=64, seed=2) if a.eval else None
    return Trainer(TinyMLP(), make_data(n=a.examples), objective, schedule, a.epochs,
                   optimizer=sgd(lr=a.lr, momentum=0.9),
                   lr_schedule=multistep([a.epochs // 2 + 1], gamma=0.5), batch_size=a.batch, seed=a.seed,
                   out_dir=a.out, device="cpu", eval_data=eval_data, progress=False)


def main(argv=None):
    torch.set_num_threads(1)
    build(argv).fit()


if __name__ == "__main__":
    main()
