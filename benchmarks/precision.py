"""Precision table: the largest relative error of the risk functions against mpmath, deep into both tails.

For each band of margins m = (w.theta - eps ||w||_*) / (sigma ||w||_2) it draws random
directions w and theta (d = 10), scales theta so that the margin lands in the band,
and compares with a literal mpmath evaluation at 50 digits from the same float
inputs (theory.reference). Columns: this package, and scipy.special.ndtr applied
to the float64 margin (the naive route) for comparison.

    python benchmarks/precision.py [--per-band 40]
"""

from __future__ import annotations

import argparse

import mpmath
import numpy as np
from scipy.special import log_ndtr, ndtr

from theory import gaussian as G
from theory import reference as ref

BANDS = [(-40, -20), (-20, -5), (-5, -1), (-1, 1), (1, 5), (5, 10), (10, 20), (20, 30), (30, 37.5)]
LOG_BANDS = [(38, 100), (100, 1e3), (1e3, 1e5)]


def _case(rng, lo, hi, norm, eps):
    d = 10
    w = rng.normal(size=d)
    u = rng.normal(size=d)
    target = rng.uniform(lo, hi)
    # theta = a * u with a chosen so that the robust margin equals target
    q = {np.inf: 1, 2: 2, 1: np.inf}[norm]
    dual = np.linalg.norm(w, q)
    n2 = np.linalg.norm(w)
    a = (target * n2 + eps * dual) / (w @ u)
    return w, a * u


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--per-band", type=int, default=40)
    args = ap.parse_args()
    rng = np.random.default_rng(0)
    print("largest relative error of the risk vs mpmath (50 digits), d = 10, random directions")
    print(f"{'margin band':<16} {'norm':<5} {'risk range':<22} {'adversarial_risk':>17} "
          f"{'naive ndtr':>11}")
    for lo, hi in BANDS:
        for norm, eps in ((np.inf, 0.0), (np.inf, 0.3), (2, 0.3), (1, 0.3)):
            worst, worst_naive, vals = 0.0, 0.0, []
            for _ in range(args.per_band):
                w, theta = _case(rng, lo, hi, norm, eps)
                exact = ref.mp_adversarial_risk(w, theta, eps, 1.0, norm=norm)
                v = float(G.adversarial_risk(w, theta, eps, 1.0, norm=norm))
                q = {np.inf: 1, 2: 2, 1: np.inf}[norm]
                m = (w @ theta - eps * np.linalg.norm(w, q)) / np.linalg.norm(w)
                naive = float(ndtr(-m))
                worst = max(worst, float(abs((v - exact) / exact)))
                worst_naive = max(worst_naive, float(abs((naive - exact) / exact)))
                vals.append(float(exact))
            rng_txt = f"{min(vals):.1e}..{max(vals):.1e}"
            label = "inf" if norm == np.inf else str(norm)
            print(f"({lo:>5}, {hi:>5})   {label:<5} {rng_txt:<22} {worst:17.2e} {worst_naive:11.2e}")
    print("\nlargest relative error of log_adversarial_risk vs mpmath (the risk underflows here)")
    print(f"{'margin band':<18} {'log_adversarial_risk':>21} {'naive log_ndtr':>15}")
    for lo, hi in LOG_BANDS:
        worst, worst_naive = 0.0, 0.0
        for _ in range(args.per_band):
            w, theta = _case(rng, lo, hi, np.inf, 0.2)
            exact = ref.mp_log_adversarial_risk(w, theta, 0.2)
            v = float(G.log_adversarial_risk(w, theta, 0.2))
            m = (w @ theta - 0.2 * np.abs(w).sum()) / np.linalg.norm(w)
            worst = max(worst, float(abs((v - exact) / exact)))
            worst_naive = max(worst_naive, float(abs((float(log_ndtr(-m)) - exact) / exact)))
        print(f"({lo:>7g}, {hi:>7g})  {worst:21.2e} {worst_naive:15.2e}")
    _ = mpmath


if __name__ == "__main__":
    main()
