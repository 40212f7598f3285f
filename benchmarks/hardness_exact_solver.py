"""Time theory.hardness.optimal_robust_error: the shaeiri2020 atlas check, and 200 random atoms in R^20.

Prints wall-clock seconds (never asserted):

1. the atlas check: every graph of networkx's atlas with 3-7 vertices (1249 graphs), the
   printed and the corrected reductions, p = 1, 2, inf;
2. random finite distributions: n = 200 standard-normal points in R^20, uniform random
   labels (2, 3, 10 classes, or a distinct label per point), random weights; eps set so that
   the given fraction of all pairs are within 2 eps (the conflict density before labels);
   the solve time of each, with the number of conflict edges and the largest conflict
   component.

    python benchmarks/hardness_exact_solver.py [--n 200] [--d 20] [--seed 0] [--quick]
"""

from __future__ import annotations

import argparse
import time

import networkx as nx
import numpy as np

from theory import hardness as H


def atlas_check() -> None:
    graphs = [g for g in nx.graph_atlas_g() if 3 <= g.number_of_nodes() <= 7]
    for p in (1.0, 2.0, np.inf):
        t0 = time.perf_counter()
        mism = 0
        for g in graphs:
            k = g.number_of_nodes()
            a, a3 = H.independence_number(g), H.distance3_independence_number(g)
            e = H.optimal_robust_error(*H.shaeiri_reduction(g, 0.5, norm=p), 0.5, norm=p)
            mism += abs(e - (1 - a3 / k)) > 1e-12
            for dist, alpha in ((2, a), (3, a3)):
                ec = H.optimal_robust_error(*H.corrected_reduction(g, 0.5, norm=p, distance=dist), 0.5, norm=p)
                assert abs(ec - (1 - alpha / k)) < 1e-12
        dt = time.perf_counter() - t0
        print(f"atlas 3-7 vertices ({len(graphs)} graphs), p={p:g}: printed reduction off on {mism} graphs; "
              f"corrected reductions exact on all; {dt:.2f} s for 3 x {len(graphs)} solves + alpha, alpha_3")


def random_instances(n: int, d: int, seed: int, quick: bool) -> None:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, d))
    w = rng.random(n)
    fractions = (0.05, 0.2, 0.5) if quick else (0.02, 0.05, 0.1, 0.15, 0.2, 0.3, 0.5, 0.8)
    print(f"\nn = {n} atoms in R^{d}, random weights; columns: classes, p, pair fraction within 2 eps, "
          f"conflict edges, largest component, seconds")
    for p in (2.0, 1.0, np.inf):
        D = np.linalg.norm(x[:, None] - x[None], ord=p, axis=-1)[np.triu_indices(n, 1)]
        for classes in (2, 3, 10, n):
            y = np.arange(n) if classes == n else rng.integers(0, classes, n)
            worst = 0.0
            for f in fractions:
                eps = 0.5 * float(np.quantile(D, f))
                t0 = time.perf_counter()
                err = H.optimal_robust_error(x, y, w, eps, norm=p)
                dt = time.perf_counter() - t0
                g = H.conflict_graph(x, y, eps, norm=p)
                big = max(len(c) for c in nx.connected_components(g))
                worst = max(worst, dt)
                print(f"  {classes:>4} {p:>4g} {f:>5.2f} {g.number_of_edges():>6} {big:>4}  {dt:7.3f} s"
                      f"  (error {err:.4f})")
            print(f"  -> classes={classes}, p={p:g}: slowest {worst:.2f} s")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=200)
    ap.add_argument("--d", type=int, default=20)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--quick", action="store_true", help="three densities instead of eight")
    args = ap.parse_args()
    atlas_check()
    random_instances(args.n, args.d, args.seed, args.quick)


if __name__ == "__main__":
    main()
