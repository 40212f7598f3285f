"""Linear-programming bounds on the optimal multi-class robust 0-1 error (dai2023), used by :mod:`theory.hardness`.

A set ``e`` of atoms with pairwise distinct labels is a *hyperedge* of the conflict hypergraph
when the closed eps-balls around its points have a common point, i.e. when the Chebyshev radius
``min_z max_{i in e} ||z - x_i||_p`` is at most eps (a ball of radius eps around z contains every
x_i iff z lies in every ball). The criteria used here:

- l-inf: balls are boxes, and boxes meet iff they meet coordinatewise: ``max - min <= 2 eps`` in
  every coordinate, so the hyperedges are exactly the cliques of the conflict graph;
- l2: the Chebyshev radius is the radius of the minimum enclosing ball, computed exactly as the
  smallest circumscribed ball (centre in the affine hull) of a subset that encloses the whole set;
- l1: a small linear program (variables z, t and |z_k - x_ik| bounds, minimize t).
"""

from __future__ import annotations

import itertools

import numpy as np
from scipy import optimize, sparse


def _meb_radius(P: np.ndarray) -> float:
    """Radius of the minimum enclosing l2 ball of the rows of P (k <= ~12 points), exact."""
    k = P.shape[0]
    if k == 1:
        return 0.0
    best = np.inf
    scale = max(1.0, float(np.abs(P).max()))
    for m in range(2, k + 1):
        for T in itertools.combinations(range(k), m):
            D = P[list(T[1:])] - P[T[0]]
            M = D @ D.T
            try:
                a = np.linalg.solve(2.0 * M, np.diag(M))
            except np.linalg.LinAlgError:
                continue
            if not np.all(np.isfinite(a)) or np.linalg.cond(M) > 1e12:
                continue
            c = P[T[0]] + a @ D
            r = float(np.sqrt(max(0.0, a @ M @ a)))
            if r >= best:
                continue
            if np.all(np.linalg.norm(P - c, axis=1) <= r + 1e-12 * scale):
                best = r
    return best


def _l1_radius(P: np.ndarray) -> float:
    """Chebyshev radius of the rows of P in l1: min_z max_i ||z - x_i||_1, by a linear program (HiGHS)."""
    k, d = P.shape
    # variables: z (d), u (k*d) with u_ik >= |z_k - x_ik|, t; minimize t
    nv = d + k * d + 1
    c = np.zeros(nv)
    c[-1] = 1.0
    rows, cols, vals, b = [], [], [], []
    r = 0
    for i in range(k):
        for j in range(d):
            u = d + i * d + j
            for s in (1.0, -1.0):  # s (z_j - x_ij) - u <= 0
                rows += [r, r]
                cols += [j, u]
                vals += [s, -1.0]
                b.append(s * P[i, j])
                r += 1
        rows += [r] * (d + 1)  # sum_j u_ij - t <= 0
        cols += [d + i * d + j for j in range(d)] + [nv - 1]
        vals += [1.0] * d + [-1.0]
        b.append(0.0)
        r += 1
    A = sparse.csr_matrix((vals, (rows, cols)), shape=(r, nv))
    res = optimize.linprog(c, A_ub=A, b_ub=np.array(b), bounds=[(None, None)] * d + [(0, None)] * (k * d + 1),
                           method="highs")
    if res.status != 0:  # pragma: no cover - the LP is always feasible and bounded
        raise RuntimeError(f"the l1 Chebyshev-radius LP failed: {res.message}")
    return float(res.fun)


def chebyshev_radius(P: np.ndarray, p: float) -> float:
    """min_z max_i ||z - P_i||_p for p in {1, 2, inf}."""
    if np.isinf(p):
        return float(0.5 * np.max(P.max(axis=0) - P.min(axis=0)))
    if p == 2:
        return _meb_radius(P)
    return _l1_radius(P)


def hyperedges(x: np.ndarray, adj: dict[int, set[int]], p: float, eps: float, rtol: float, max_degree: int | None,
               max_hyperedges: int) -> tuple[list[tuple[int, ...]], int, bool]:
    """Hyperedges of size >= 3 (up to ``max_degree``), built level by level from the conflict edges.

    A hyperedge's subsets are hyperedges, so the sets of size k + 1 extend those of size k by a
    common neighbour of larger index. Returns (hyperedges, the largest complete level, complete),
    where ``complete`` says every hyperedge up to ``max_degree`` (or of every size) was found
    without exceeding ``max_hyperedges``.
    """
    level = [(a, b) for a in sorted(adj) for b in sorted(adj[a]) if a < b]
    out: list[tuple[int, ...]] = []
    done = 2  # every hyperedge of size <= done is in out (pairs are the conflict edges)
    radius = eps * (1.0 + rtol)
    while level and (max_degree is None or done < max_degree):
        nxt = []
        for e in level:
            common = set.intersection(*(adj[v] for v in e))
            for v in sorted(common):
                if v <= e[-1]:
                    continue
                f = e + (v,)
                if np.isinf(p) or chebyshev_radius(x[list(f)], p) <= radius:
                    nxt.append(f)
                    if len(out) + len(nxt) > max_hyperedges:
                        return out, done, False
        out.extend(nxt)
        level = nxt
        done += bool(nxt)
    return out, done, not level


def packing_lp(n: int, sets: list[tuple[int, ...]], w: np.ndarray) -> float:
    """max sum w_i q_i s.t. sum_{i in e} q_i <= 1 for every e in sets, 0 <= q <= 1 (HiGHS)."""
    if not sets:
        return float(w.sum())
    rows = np.repeat(np.arange(len(sets)), [len(e) for e in sets])
    cols = np.fromiter(itertools.chain.from_iterable(sets), dtype=np.int64)
    A = sparse.csr_matrix((np.ones(len(cols)), (rows, cols)), shape=(len(sets), n))
    top = float(w.max())
    res = optimize.linprog(-w / top, A_ub=A, b_ub=np.ones(len(sets)), bounds=(0, 1), method="highs")
    if res.status != 0:  # pragma: no cover - feasible (q = 0) and bounded
        raise RuntimeError(f"the hypergraph LP failed: {res.message}")
    return float(min(w.sum(), -res.fun * top))
