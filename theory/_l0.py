"""The l0 threat model on R^d, Remark 1 of shaeiri2020 appendix A, and robust error over classifiers on the support.

Private (helper seed-gaps): theory.hardness accepts p >= 1 only. The l0 "ball" of radius eps
(an integer number of coordinates) around a in R^d is {z in R^d : #{i : z_i != a_i} <= eps}.

Lemma (l0 balls). Two l0 balls of radius eps around a, b in R^d meet iff the Hamming distance
D = #{i : a_i != b_i} is at most 2 eps. Proof: on the coordinates where a and b agree let z
agree with both; split the D others into t coordinates where z_i = a_i and D - t where
z_i = b_i; then z is within D - t of a and t of b, and t = floor(D/2) works iff D <= 2 eps.
Conversely the l0 distance satisfies the triangle inequality, so D <= 2 eps.

Two readings of "a classifier" (see docs/beyond/domains.md):

- on R^d: atoms i, j (different labels) conflict iff their balls meet (the lp Lemma A/B of
  docs/hardness.md, and the l0 lemma above);
- on the support only (h defined on the atoms' points, perturbations restricted to them): they
  conflict iff some support point lies in both balls. With one label per atom, atom i is
  robustly correct iff h(x_j) = y_i for every support point x_j in B(x_i).

In both readings a set of atoms is robustly correct together iff no two conflict (define h on
the union of their balls by the label of the ball), so the optimal robust accuracy is a
maximum-weight independent set of the conflict graph.
"""

from __future__ import annotations

import itertools

import networkx as nx
import numpy as np

from theory._validate import as_array, nonnegative, positive_int

__all__ = ["hamming", "l0_balls_meet", "l0_common_point", "remark1_reduction", "remark1_corrected_reduction",
           "l0_conflict_graph", "support_conflict_graph", "mwis_error", "lp_distances"]


def hamming(a, b) -> np.ndarray:
    """Number of coordinates where a and b differ (along the last axis)."""
    a, b = as_array(a, "a", min_ndim=1), as_array(b, "b", min_ndim=1)
    return np.sum(a != b, axis=-1)


def l0_balls_meet(a, b, eps) -> bool:
    """True iff the l0 balls of radius eps (an integer >= 0) around a and b in R^d meet: hamming(a, b) <= 2 eps."""
    eps = positive_int(eps, "eps", minimum=0)
    return bool(hamming(a, b) <= 2 * eps)


def l0_common_point(a, b, eps):
    """A point within l0 distance eps of both a and b (the split of the lemma), or None if the balls are disjoint."""
    a, b = as_array(a, "a", min_ndim=1), as_array(b, "b", min_ndim=1)
    eps = positive_int(eps, "eps", minimum=0)
    diff = np.flatnonzero(a != b)
    if diff.size > 2 * eps:
        return None
    z = a.copy()
    z[diff[: diff.size // 2]] = b[diff[: diff.size // 2]]
    return z


def _graph(G) -> tuple[list, list]:
    if not isinstance(G, nx.Graph) or G.is_directed() or G.number_of_nodes() < 1:
        raise ValueError(f"G must be an undirected networkx graph with at least one vertex, got {G!r}")
    return list(G.nodes()), [tuple(e) for e in G.edges()]


def remark1_reduction(G):
    """The construction of shaeiri2020 Remark 1 (appendix A, p = 0): (points, labels, weights, eps).

    k = |V| rows, d = |E| columns (one per edge), M_{i,j} = (i - 1) d + j (1-based), then for the
    edge e_j = (v_a, v_b) both M'_{a,j} and M'_{b,j} are set to min(M_{a,j}, M_{b,j}); label i and
    weight 1/k on row i; eps = d - 1. Adjacent rows differ in d - 1 coordinates, others in d.
    """
    nodes, edges = _graph(G)
    k, d = len(nodes), len(edges)
    if d < 1:
        raise ValueError("G must have at least one edge (the construction has one column per edge)")
    pos = {v: i for i, v in enumerate(nodes)}
    M = (np.arange(k)[:, None] * d + np.arange(1, d + 1)[None, :]).astype(float)
    for j, (u, v) in enumerate(edges):
        m = min(M[pos[u], j], M[pos[v], j])
        M[pos[u], j] = M[pos[v], j] = m
    return M, np.arange(k), np.full(k, 1.0 / k), d - 1


def remark1_corrected_reduction(G):
    """Remark 1 made correct over classifiers on R^d: (points, labels, weights, eps) with conflict graph G.

    Pad the printed M' with one column of distinct entries when d = |E| is even, so that the
    number of columns d' is odd; adjacent rows then differ in d' - 1 coordinates, others in d';
    with eps = (d' - 1)/2, 2 eps = d' - 1: adjacent balls meet, non-adjacent ones do not.
    Apply it to the square graph G^2 for the distance-3 reading of Lemma 1.
    """
    x, y, w, _ = remark1_reduction(G)
    if x.shape[1] % 2 == 0:
        x = np.hstack([x, -1.0 - np.arange(x.shape[0], dtype=float)[:, None]])
    return x, y, w, (x.shape[1] - 1) // 2


def lp_distances(x, p) -> np.ndarray:
    """Pairwise distances of the rows of x: Hamming for p = 0, lp (numpy.linalg.norm) otherwise."""
    x = as_array(x, "x", min_ndim=2)
    if p == 0:
        return np.sum(x[:, None, :] != x[None, :, :], axis=-1).astype(float)
    return np.linalg.norm(x[:, None, :] - x[None, :, :], ord=p, axis=-1)


def l0_conflict_graph(points, labels, eps) -> nx.Graph:
    """Conflicts over classifiers on R^d in l0: different labels and hamming distance <= 2 eps."""
    D = lp_distances(points, 0)
    lab = np.asarray(labels)
    eps = positive_int(eps, "eps", minimum=0)
    g = nx.Graph()
    g.add_nodes_from(range(D.shape[0]))
    g.add_edges_from((i, j) for i, j in zip(*np.nonzero(np.triu(D <= 2 * eps, 1)), strict=True) if lab[i] != lab[j])
    return g


def support_conflict_graph(points, labels, eps, p, rtol: float = 1e-12) -> nx.Graph:
    """Conflicts over classifiers defined on the support only: different labels and a support point in both balls."""
    D = lp_distances(points, p)
    lab = np.asarray(labels)
    eps = float(nonnegative(eps, "eps"))
    inside = D <= eps * (1 + rtol)
    share = (inside.astype(int) @ inside.astype(int).T) > 0
    g = nx.Graph()
    g.add_nodes_from(range(D.shape[0]))
    g.add_edges_from((i, j) for i, j in zip(*np.nonzero(np.triu(share, 1)), strict=True) if lab[i] != lab[j])
    return g


def mwis_error(g: nx.Graph, weights) -> float:
    """1 - (maximum weight of an independent set of g) / (total weight): networkx maximum clique of the complement."""
    w = np.asarray(weights, dtype=float)
    scale = 10**6
    comp = nx.complement(g)
    iw = [int(round(w[v] / w.max() * scale)) for v in range(w.size)]
    for v in comp.nodes():
        comp.nodes[v]["w"] = iw[v]
    _, best = nx.max_weight_clique(comp, weight="w")
    return 1.0 - best / sum(iw)


def brute_force_support_error(points, labels, weights, eps, p) -> float:
    """Optimal robust error over every labeling h of the support points (no conflict graph): all k^n labelings."""
    D = lp_distances(points, p)
    lab = np.asarray(labels)
    w = np.asarray(weights, dtype=float)
    n = lab.size
    inside = D <= float(eps) * (1 + 1e-12)
    classes = np.unique(lab)
    best = 0.0
    H = np.array(list(itertools.product(classes, repeat=n)))  # every labeling of the support
    ok = np.ones((H.shape[0], n), dtype=bool)
    for i in range(n):
        ok[:, i] = np.all(np.where(inside[i][None, :], H == lab[i], True), axis=1)
    best = float(np.max(ok.astype(float) @ w))
    return 1.0 - best / float(w.sum())
