"""Time theory.gaussian's risks against a norm pass, and its two formerly slow paths before and after.

Three tables, all measured in this run (best of several repeats, the thread count set before numpy
is imported and printed with the machine):

1. ``adversarial_risk`` and friends on W of shape (1e5, 100) against ``np.linalg.norm(W, axis=-1)``
   (goal: ratio <= 3).
2. The double-double recomputation of large margins: every row of W has a margin in (4, 40), so every
   row is recomputed with compensated dot products. "before" is the column-by-column Dot2/Sum2 of the
   previous release (``theory._dd._dot_columns``, kept for this comparison), "after" the vectorized
   row-block kernel (``theory._dd.row_dots``); both the kernels alone and ``adversarial_risk`` end
   to end, relative to the norm pass (goal: <= 5x).
3. ``base_relative_adversarial_risk`` on a batch of 1e4 classifiers in d = 100: the batched fixed rule
   against ``adversarial_risk`` on the same batch (goal: <= 200x), the previous per-row adaptive
   quadrature on a subsample (extrapolated to the batch, and labelled so), the largest absolute
   difference between the two on that subsample, and the number of rows the batched rule sent to
   the adaptive fallback.

    python benchmarks/adversarial_risk_speed.py [--n 100000] [--d 100] [--repeats 7] [--threads 1]
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time

if __name__ == "__main__":
    _threads = "1"
    for i, a in enumerate(sys.argv):
        if a == "--threads" and i + 1 < len(sys.argv):
            _threads = sys.argv[i + 1]
        elif a.startswith("--threads="):
            _threads = a.split("=", 1)[1]
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = _threads

import numpy as np  # noqa: E402

from theory import _dd  # noqa: E402
from theory import gaussian as G  # noqa: E402


def best_time(fn, repeats: int) -> float:
    fn()  # warm-up
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def machine() -> str:
    model = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return f"{model}, {os.cpu_count()} logical CPUs, numpy {np.__version__}, Python {platform.python_version()}"


def _old_row_stats(w, theta, q, need_dual):
    """The margin recomputation of the previous release: three column-by-column compensated passes."""
    dot = _dd._dot_columns(w, np.broadcast_to(theta, w.shape))
    n2 = _dd.sqrt(*_dd._dot_columns(w, w))
    zeros = np.zeros(w.shape[0])
    if not need_dual:
        return dot, n2, (zeros, zeros)
    if q == 1:
        return dot, n2, _dd._sum_columns(np.abs(w))
    if q == 2:
        return dot, n2, n2
    return dot, n2, (np.abs(w).max(axis=-1), zeros)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--d", type=int, default=100)
    ap.add_argument("--repeats", type=int, default=7)
    ap.add_argument("--threads", type=int, default=1, help="OMP/BLAS threads, set before numpy is imported")
    ap.add_argument("--br-n", type=int, default=10_000, help="batch size of the base-relative table")
    ap.add_argument("--br-sample", type=int, default=40, help="rows timed with the old adaptive quadrature")
    args = ap.parse_args()
    print(f"machine: {machine()}")
    print(f"threads: OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS')}, "
          f"OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS')}")
    rng = np.random.default_rng(0)
    W = rng.normal(size=(args.n, args.d))
    theta = rng.normal(size=args.d) / np.sqrt(args.d)
    base = best_time(lambda: np.linalg.norm(W, axis=-1), args.repeats)
    print(f"\n1. W shape {W.shape}, float64; best of {args.repeats}")
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

    # 2. the tail path: every row has a large margin and is recomputed in double-double
    unit = theta / np.linalg.norm(theta)
    Wt = unit + 0.3 * W / np.sqrt(args.d)  # margins w.theta_t / ||w|| between about 20 and 40
    theta_t = 40.0 * unit
    m = Wt @ theta_t / np.linalg.norm(Wt, axis=-1)
    assert m.min() > 4.0, m.min()
    reps = max(3, args.repeats // 2)
    print(f"\n2. margins in (4, 40) on every row of W {Wt.shape}: compensated recomputation, ratio to the norm pass")
    print("(before: the column-by-column Dot2/Sum2 of the previous release inside today's margin code)")
    print(f"{'computation':<58} {'before':>8} {'after':>8} {'speed-up':>9}")
    t_old = best_time(lambda: (_dd._dot_columns(Wt, np.broadcast_to(theta_t, Wt.shape)), _dd._dot_columns(Wt, Wt)),
                      max(2, reps // 2))
    t_new = best_time(lambda: _dd.row_dots(Wt, theta_t), reps)
    print(f"{'kernels: w.theta and w.w as double-doubles':<58} {t_old / base:8.2f} {t_new / base:8.2f} "
          f"{t_old / t_new:9.1f}")
    t_old = best_time(lambda: (_dd._dot_columns(Wt, np.broadcast_to(theta_t, Wt.shape)), _dd._dot_columns(Wt, Wt),
                               _dd._sum_columns(np.abs(Wt))), max(2, reps // 2))
    t_new = best_time(lambda: _dd.row_dots(Wt, theta_t, (True, True, True)), reps)
    print(f"{'kernels: ... and ||w||_1 (the l-inf threat)':<58} {t_old / base:8.2f} {t_new / base:8.2f} "
          f"{t_old / t_new:9.1f}")
    cases = ((0.0, "adversarial_risk(Wt, theta_t, 0)"), (0.01, "adversarial_risk(Wt, theta_t, 0.01) [l-inf]"))
    for eps, label in cases:
        new_fn = G._dd_row_stats
        G._dd_row_stats = _old_row_stats
        try:
            t_old = best_time(lambda e=eps: G.adversarial_risk(Wt, theta_t, e), max(2, reps // 2))
            v_old = G.adversarial_risk(Wt, theta_t, eps)
        finally:
            G._dd_row_stats = new_fn
        t_new = best_time(lambda e=eps: G.adversarial_risk(Wt, theta_t, e), reps)
        v_new = G.adversarial_risk(Wt, theta_t, eps)
        rel = float(np.max(np.abs(v_new - v_old) / np.maximum(v_old, 1e-300)))
        print(f"{label + ' end to end':<58} {t_old / base:8.2f} {t_new / base:8.2f} {t_old / t_new:9.1f}"
              f"   (largest relative difference of the risks {rel:.1e})")

    # 3. the base-relative risk, batched
    n_br = args.br_n
    Wb = W[:n_br]
    t_adv = best_time(lambda: G.adversarial_risk(Wb, theta, 0.1), args.repeats)
    sub = rng.choice(n_br, size=min(args.br_sample, n_br), replace=False)
    print(f"\n3. base_relative_adversarial_risk, W[:{n_br}] (d = {args.d}), theta as above, eps = 0.1, sigma = 1")
    print(f"{'norm':<6} {'adversarial_risk s':>18} {'batched s':>10} {'ratio':>7} {'old per row s':>14} "
          f"{'old, whole batch s':>27} {'max |new - old|':>16} {'fallback rows':>14}")
    for norm in (np.inf, 2.0, 1.0):
        reps_br = 3 if norm != 1.0 else 1
        t_b = best_time(lambda nm=norm: G.base_relative_adversarial_risk(Wb, theta, 0.1, norm=nm), reps_br)
        new = G.base_relative_adversarial_risk(Wb, theta, 0.1, norm=norm)
        t0 = time.perf_counter()
        old = G._base_relative_adaptive(Wb[sub], theta, 0.1, norm=norm)
        per_row = (time.perf_counter() - t0) / len(sub)
        _, _, fb = G._base_relative_batched(Wb, np.broadcast_to(theta, Wb.shape), np.full(n_br, 0.1), np.ones(n_br),
                                            norm, None)
        err = float(np.max(np.abs(new[sub] - old)))
        label = "inf" if np.isinf(norm) else str(int(norm))
        print(f"{label:<6} {t_adv:18.4f} {t_b:10.3f} {t_b / t_adv:7.0f} {per_row:14.4f} "
              f"{per_row * n_br:12.1f} (extrapolated) {err:16.1e} {int(fb.sum()):14d}")
    print(f"(old per row: the previous adaptive quadrature timed on {len(sub)} random rows; its whole-batch time is "
          f"that times {n_br}; max |new - old| over those rows)")


if __name__ == "__main__":
    main()
