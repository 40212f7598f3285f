"""DistributedDataParallel with 2 gloo processes on the CPU against one process: epoch time and results.

The same run (``MLP(64, (512, 512, 320), 10)`` on the 8x8 digits repeated ``--copies`` times, PGD-3
adversarial training at eps 0.1 without random start, so that the run is deterministic, SGD, batch
256, seed 0) is launched twice: as one process, and through ``torch.distributed.run`` with
``--nproc_per_node=2`` (gloo backend, each process one thread, each computing half of every
global batch). Prints the per-epoch seconds of each (from the runs' metrics.jsonl), their ratio,
and the largest difference between the final weights (they agree up to float reduction order).

    python benchmarks/engine_ddp.py [--epochs 3] [--copies 4]
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def worker(out: str, epochs: int, copies: int) -> None:
    import torch

    from empirical import data as D
    from empirical import models as M
    from empirical.objectives import Madry
    from empirical.train import Trainer, constant, sgd

    torch.set_num_threads(1)
    train = D.digits("train")
    train = train.subset(torch.arange(len(train)).repeat(copies))
    model = M.MLP(64, out=10, generator=0)
    Trainer(model, train, Madry(steps=3, random_start=False), constant(0.1), epochs, optimizer=sgd(lr=0.05),
            batch_size=256, seed=0, out_dir=out, device="cpu", progress=False).fit()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _seconds(out: Path) -> list[float]:
    return [json.loads(line)["seconds"] for line in (out / "metrics.jsonl").read_text().splitlines()]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--copies", type=int, default=4)
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        worker(args.worker, args.epochs, args.copies)
        return
    import torch

    from empirical.train import load_checkpoint

    env = dict(os.environ, PYTHONPATH=str(ROOT), OMP_NUM_THREADS="1")
    common = [__file__, "--epochs", str(args.epochs), "--copies", str(args.copies)]
    with tempfile.TemporaryDirectory() as tmp:
        one, two = Path(tmp) / "one", Path(tmp) / "two"
        subprocess.run([sys.executable, *common, "--worker", str(one)], check=True, env=env)
        subprocess.run([sys.executable, "-m", "torch.distributed.run", "--nproc_per_node=2",
                        f"--master_port={_free_port()}", *common, "--worker", str(two)], check=True, env=env)
        s1, s2 = _seconds(one), _seconds(two)
        w1, w2 = load_checkpoint(one)["model"], load_checkpoint(two)["model"]
        diff = max((w1[k] - w2[k]).abs().max().item() for k in w1)
        moved = max(v.abs().max().item() for v in w1.values())
    print(f"torch {torch.__version__}, CPU, gloo, 1 thread per process; {args.epochs} epochs of PGD-3 training")
    print(f"{'epoch':>6}{'1 process s':>14}{'2 processes s':>16}{'ratio 2/1':>11}")
    for e, (a, b) in enumerate(zip(s1, s2, strict=True), 1):
        print(f"{e:>6}{a:>14.2f}{b:>16.2f}{b / a:>11.3f}")
    print(f"final weights: largest difference {diff:.2e} (largest weight {moved:.2f})")


if __name__ == "__main__":
    main()
