"""Time theory.gaussian.adversarial_risk on W of shape (1e5, 100) against np.linalg.norm on the same array.

Prints the ratio time(adversarial_risk) / time(np.linalg.norm(W, axis=-1)), both
measured in this run (best of several repeats). The goal is a ratio <= 3.

    python benchmarks/adversarial_risk_speed.py [--n 100000] [--d 100] [--repeats 7]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from theory import gaussian as G


def best_time(fn, repeats: int) -> float:
    fn()  # warm-up
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--d", type=int, default=100)
    ap.add_argument("--repeats", type=int, default=7)
    args = ap.parse_args()
    rng = np.random.default_rng(0)
    W = rng.normal(size=(args.n, args.d))
    theta = rng.normal(size=args.d) / np.sqrt(args.d)
    base = best_time(lambda: np.linalg.norm(W, axis=-1), args.repeats)
    print(f"W shape {W.shape}, float64; best of {args.repeats}")
    print(f"{'call':<52} {'seconds':>9} {'ratio':>7}")
    print(f"{'np.linalg.norm(W, axis=-1)':<52} {base:9.4f} {1.0:7.2f}")
    rows = [
        ("adversarial_risk(W, theta, 0.1)  [l-inf]", lambda: G.adversarial_risk(W, theta, 0.1)),
        ("adversarial_risk(W, theta, 0.1, norm=2)", lambda: G.adversarial_risk(W, theta, 0.1, norm=2)),
        ("adversarial_risk(W, theta, 0.1, norm=1)", lambda: G.adversarial_risk(W, theta, 0.1, norm=1)),
        ("classification_risk(W, theta)", lambda: G.classification_risk(W, theta)),
        ("log_adversarial_risk(W, theta, 0.1)", lambda: G.log_adversarial_risk(W, theta, 0.1)),
    ]
    for name, fn in rows:
        t = best_time(fn, args.repeats)
        print(f"{name:<52} {t:9.4f} {t / base:7.2f}")
    # the tail path: every row has a large margin and is recomputed in double-double
    unit = theta / np.linalg.norm(theta)
    Wt = unit + 0.3 * W / np.sqrt(args.d)  # margins w.theta_t / ||w|| between about 20 and 40
    theta_t = 40.0 * unit
    m = Wt @ theta_t / np.linalg.norm(Wt, axis=-1)
    assert m.min() > 4.0, m.min()
    t = best_time(lambda: G.adversarial_risk(Wt, theta_t, 0.0), max(2, args.repeats // 3))
    print(f"{'adversarial_risk, margins in (4, 40): double-double':<52} {t:9.4f} {t / base:7.2f}")


if __name__ == "__main__":
    main()
