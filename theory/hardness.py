"""The NP-hardness reduction of shaeiri2020 and the exact optimal robust error of finite distributions.

A finite distribution is a list of atoms ``(points[i], labels[i], weights[i])``; a point may
carry several labels (label noise). A classifier is any map ``h : R^d -> labels``; the
robust 0-1 error of ``h`` against closed lp balls of radius eps is the weight of the atoms
``i`` with ``h(z) != labels[i]`` for some ``z`` with ``||z - points[i]||_p <= eps``.
Weights follow the package's one rule (:func:`theory._validate.probability_weights`):
finite, >= 0, not all zero, normalized to sum 1.

Threat models: every function takes the ball through ``eps`` (``radius`` for
:func:`distance_graph`), a :class:`theory.threat.ThreatModel` or a radius with the
keyword-only ``norm=`` (1 <= p <= inf; None means ``np.inf``), e.g.
``optimal_robust_error(points, labels, weights, 0.5, norm=2)`` or
``optimal_robust_error(points, labels, weights, ThreatModel.l2(0.5))``.

The exact solution rests on one observation (proved in ``docs/hardness.md``): a set ``S``
of atoms can be robustly correct under one classifier iff no two atoms of ``S`` with
different labels have intersecting closed balls, i.e. ``||x_i - x_j||_p > 2 eps`` for
every pair of ``S`` with ``y_i != y_j``. The optimal robust accuracy is therefore the
maximum weight of an independent set of the *conflict graph* (atoms joined when their
labels differ and their balls meet). With two labels that graph is bipartite and the
problem is a minimum cut (polynomial); with three or more labels it is a general maximum
weight independent set problem, solved here exactly by branch and bound on small
components and by integer programming (HiGHS through ``scipy.optimize.milp``) on large
ones.

Source: shaeiri2020 Theorem 1, Lemma 1 and appendix A (Definitions 1-2 of the appendix,
the matrices M and M', equations (15)-(21)). The printed reduction does not establish
Theorem 1 (see :func:`shaeiri_reduction`); :func:`corrected_reduction` does.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from fractions import Fraction

import networkx as nx
import numpy as np
from scipy import optimize, sparse

from theory import _multiclass
from theory._validate import as_array, check_size, nonnegative, positive_int, probability_weights
from theory.norms import lp_norm
from theory.threat import resolve

__all__ = [
    "shaeiri_reduction",
    "corrected_reduction",
    "reduction_lambda",
    "distance_graph",
    "conflict_graph",
    "max_weight_robust_set",
    "optimal_robust_error",
    "robust_classifier",
    "maximum_independent_set",
    "independence_number",
    "maximum_distance_independent_set",
    "distance_independence_number",
    "distance3_independence_number",
    "MulticlassRobustBounds",
    "multiclass_robust_error_bounds",
]

#: components of the conflict graph up to this many atoms go to branch and bound, larger ones to the MILP
BNB_MAX = 40
METHODS = ("auto", "mincut", "branch_and_bound", "milp")


# ------------------------------------------------------------------------------------------
# validation
# ------------------------------------------------------------------------------------------


def _check_graph(G, name: str = "G", min_nodes: int = 1) -> list:
    """The vertex list of a simple undirected networkx graph with at least ``min_nodes`` vertices."""
    if not isinstance(G, nx.Graph):
        raise ValueError(f"{name} must be a networkx Graph, got {type(G).__name__}")
    if G.is_directed():
        raise ValueError(f"{name} must be undirected, got a directed graph")
    if G.is_multigraph():
        raise ValueError(f"{name} must be a simple graph, got a multigraph")
    if G.number_of_nodes() < min_nodes:
        raise ValueError(f"{name} must have at least {min_nodes} vertices, got {G.number_of_nodes()}")
    loops = list(nx.selfloop_edges(G))
    if loops:
        raise ValueError(f"{name} must have no self-loops, got the edge {loops[0]!r}")
    return list(G.nodes())


def _scalar_eps(eps, name: str = "eps") -> float:
    e = nonnegative(eps, name)
    if e.ndim != 0:
        raise ValueError(f"{name} must be a scalar, got shape {e.shape}")
    return float(e)


def _threat(eps, norm, name: str = "eps") -> tuple[float, float]:
    """(p, eps) from a ThreatModel or a scalar radius with ``norm`` (:func:`theory.threat.resolve`)."""
    p, e = resolve(eps, norm, name=name)
    if e.ndim != 0:
        raise ValueError(f"{name} must be a scalar, got shape {e.shape}")
    return p, float(e)


def _check_distribution(points, labels, weights):
    """Validated (points (n, d) float64, labels (n,) int64, probabilities (n,) float64 summing to 1)."""
    x = as_array(points, "points")
    if x.ndim != 2 or x.shape[0] == 0 or x.shape[1] == 0:
        raise ValueError(f"points must have shape (n, d) with n, d >= 1, got shape {x.shape}")
    n = x.shape[0]
    lab = np.asarray(labels)
    if lab.ndim != 1 or lab.shape[0] != n:
        raise ValueError(f"labels must have shape ({n},) to match points {x.shape}, got shape {lab.shape}")
    if lab.dtype.kind not in "iub":
        labf = as_array(lab, "labels")
        bad = labf != np.round(labf)
        if bad.any():
            raise ValueError(f"labels must be integers, got {labf[np.argmax(bad)]!r}")
        lab = labf
    lab = lab.astype(np.int64)
    w = probability_weights(weights, n, "weights")  # the one weight rule: overflow-safe normalization
    return x, lab, w


def _check_method(method: str) -> str:
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")
    return method


# ------------------------------------------------------------------------------------------
# the reduction of Lemma 1
# ------------------------------------------------------------------------------------------


def _signed_incidence(G) -> tuple[list, np.ndarray]:
    """The k x C(k, 2) matrix of equation (15) with lambda = 1, and the vertex order.

    Column j is the j-th pair {v_a, v_b}, a < b, in lexicographic order of the vertex
    positions; row a has -1 there, row b has +1 (the paper: +lambda when i > l, -lambda
    when i <= l), all other entries 0.
    """
    nodes = _check_graph(G, min_nodes=3)
    k = len(nodes)
    check_size(k, "the number of vertices k", factor=k * (k - 1) // 2)  # the k x C(k, 2) matrix
    pairs = list(itertools.combinations(range(k), 2))
    M = np.zeros((k, len(pairs)))
    for j, (a, b) in enumerate(pairs):
        M[a, j] = -1.0
        M[b, j] = 1.0
    pos = {v: i for i, v in enumerate(nodes)}
    edge_cols = {frozenset((pos[u], pos[v])) for u, v in G.edges()}
    for j, (a, b) in enumerate(pairs):
        if frozenset((a, b)) in edge_cols:  # M'_{a,j} = |M_{a,j}|, M'_{b,j} = |M_{b,j}|
            M[a, j] = 1.0
            M[b, j] = 1.0
    return nodes, M


def reduction_lambda(k: int, eps, *, norm=None, corrected: bool = False) -> float:
    """The entry size lambda of the matrices M and M' for k vertices.

    Source: shaeiri2020 appendix A, equation (16): ``lambda = eps / (2k - 4)^(1/p)`` for
    finite p and ``lambda = eps`` for p = inf, so that rows of M' joined by an edge are
    exactly eps apart (``corrected=False``). With ``corrected=True`` lambda is chosen so that
    the closed eps-balls of two rows meet iff the vertices are adjacent: any lambda in
    ``(2 eps / (2^p + 2k - 4)^(1/p), 2 eps / (2k - 4)^(1/p)]`` works (``(eps, 2 eps]`` for
    p = inf) and the midpoint of that interval is returned.

    Parameters
    ----------
    k : int >= 3, the number of vertices
    eps : ThreatModel, or float >= 0 (the radius, with ``norm``)
    norm : p, 1 <= p <= inf, keyword-only (None means ``np.inf``)

    Raises
    ------
    ValueError for k < 3 (then 2k - 4 <= 0 and (16) is undefined), norm < 1, eps < 0.

    Examples
    --------
    >>> round(float(reduction_lambda(3, 1.0, norm=2)), 6)  # eq. (16): eps / (2k - 4)^(1/2) = 1/sqrt(2)
    0.707107
    >>> float(reduction_lambda(3, 1.0)), float(reduction_lambda(3, 1.0, corrected=True))  # l-inf: eps; mid of (1, 2]
    (1.0, 1.5)
    """
    k = positive_int(k, "k", minimum=3)
    p, eps = _threat(eps, norm)
    if np.isinf(p):
        return 1.5 * eps if corrected else eps
    log_k = math.log(2 * k - 4)  # exact integer argument: k may exceed the float range
    upper = np.exp(-log_k / p)  # (2k - 4)^(-1/p)
    if not corrected:
        return eps * upper
    # (2^p + 2k - 4)^(-1/p) = 2^-1 (1 + (2k - 4) 2^-p)^(-1/p), without overflow for large p or k
    if k < 2**52:
        lower = 0.5 * np.exp(-np.log1p((2.0 * k - 4.0) * np.exp2(-p)) / p)
    else:
        lower = 0.5 * np.exp(-np.logaddexp(0.0, log_k - p * math.log(2.0)) / p)
    return eps * (lower + upper)  # midpoint of (2 eps lower, 2 eps upper]


def shaeiri_reduction(G, eps, *, norm=None):
    """The finite distribution shaeiri2020 builds from a graph: the rows of M' with one label per vertex.

    Source: shaeiri2020 appendix A, proof of Lemma 1, equations (15)-(17), as printed:
    k = |V| points in d = C(k, 2) dimensions, one coordinate per possible edge
    {v_a, v_b} (a < b in the order of ``G.nodes()``); M has ``-lambda`` in row a,
    ``+lambda`` in row b and 0 elsewhere in that column, and M' replaces both entries by
    ``|.| = lambda`` when the edge is in G; lambda from equation (16)
    (:func:`reduction_lambda`). The point of vertex i gets label i and weight 1/k.

    Rows of adjacent vertices are exactly eps apart and other rows more than eps apart,
    as the paper says; but the closed eps-balls of every two rows intersect for every
    k >= 3 and every p >= 1 (their distance is at most 2 eps), so the optimal robust
    error of this distribution is 1 - 1/k for every graph, not ``1 - alpha_3(G)/k``. See
    ``docs/hardness.md`` and claim ``shaeiri2020.lemma1``; :func:`corrected_reduction`
    repairs it.

    Parameters
    ----------
    G : networkx.Graph, simple and undirected, k >= 3 vertices
    eps : ThreatModel, or float >= 0 (the radius, with ``norm``)
    norm : p, 1 <= p <= inf, keyword-only (None means ``np.inf``)

    Returns
    -------
    points : ndarray (k, C(k, 2)); row i belongs to the i-th vertex of ``list(G.nodes())``
    labels : ndarray (k,) of int, ``labels[i] = i``
    weights : ndarray (k,), all 1/k

    Raises
    ------
    ValueError for a graph that is not simple and undirected or has fewer than 3 vertices,
    norm < 1, eps < 0.

    Examples
    --------
    On the path 0-1-2-3, alpha_3 = 2 ({0, 3}), yet the printed construction has optimal robust error 1 - 1/k:

    >>> import networkx as nx
    >>> points, labels, weights = shaeiri_reduction(nx.path_graph(4), 1.0)
    >>> points.shape, labels.tolist(), weights.tolist()  # k points in C(k, 2) dimensions
    ((4, 6), [0, 1, 2, 3], [0.25, 0.25, 0.25, 0.25])
    >>> optimal_robust_error(points, labels, weights, 1.0)  # not 1 - alpha_3/k = 0.5
    0.75
    """
    nodes, M = _signed_incidence(G)
    k = len(nodes)
    lam = reduction_lambda(k, eps, norm=norm)
    return lam * M, np.arange(k, dtype=np.int64), np.full(k, 1.0 / k)


def corrected_reduction(G, eps, *, norm=None, distance: int = 2, coloring=None):
    """A distribution whose optimal robust error is ``1 - alpha_distance(G) / k``: a correct Lemma 1.

    Source: this package, repairing shaeiri2020 Lemma 1 (appendix A). The points are the
    rows of the printed M' with lambda enlarged (:func:`reduction_lambda` with
    ``corrected=True``) so that the closed eps-balls of two rows meet iff the vertices are
    adjacent; labels are distinct, so the conflict graph is the graph itself and the
    optimal robust accuracy is its independence number over k. For ``distance = 3`` (the
    paper's target problem) the construction is applied to the square graph ``G^2``,
    whose independent sets are the distance-3 independent sets of G; in general to
    ``G^(distance - 1)``.

    Parameters
    ----------
    G : networkx.Graph, simple and undirected, k >= 3 vertices
    eps : ThreatModel, or float > 0 (the radius, with ``norm``; at eps = 0 every construction
        is robust-trivial)
    norm : p, 1 <= p <= inf, keyword-only (None means ``np.inf``)
    distance : int >= 2; robustly-correct vertices must be pairwise at graph distance >= distance
    coloring : dict vertex -> int, optional
        labels from a proper colouring of ``G^(distance - 1)`` instead of one label per vertex:
        same-label atoms never conflict, so the optimal robust error is unchanged and the
        number of classes drops to the number of colours (3 suffice for graphs of maximum
        degree 3 other than K4, on which maximum independent set stays NP-hard).

    Returns
    -------
    points : ndarray (k, C(k, 2)); labels : ndarray (k,) of int; weights : ndarray (k,), all 1/k

    Raises
    ------
    ValueError for a bad graph, norm < 1, eps <= 0, distance < 2, or a coloring that is not a
    proper integer colouring of ``G^(distance - 1)``.

    Examples
    --------
    >>> import networkx as nx
    >>> points, labels, weights = corrected_reduction(nx.path_graph(4), 1.0, distance=3)
    >>> optimal_robust_error(points, labels, weights, 1.0)  # 1 - alpha_3(P4)/4 = 1 - 2/4
    0.5
    """
    _check_graph(G, min_nodes=3)
    distance = positive_int(distance, "distance", minimum=2)
    p, eps = _threat(eps, norm)
    if eps == 0:
        raise ValueError("eps must be > 0, got 0.0")
    H = G if distance == 2 else nx.power(G, distance - 1)
    pos = {v: i for i, v in enumerate(G.nodes())}
    Hs = nx.Graph()
    Hs.add_nodes_from(range(len(pos)))
    Hs.add_edges_from((pos[u], pos[v]) for u, v in H.edges())
    nodes, M = _signed_incidence(Hs)
    k = len(nodes)
    lam = reduction_lambda(k, eps, norm=p, corrected=True)
    labels = np.arange(k, dtype=np.int64)
    if coloring is not None:
        try:
            labels = np.array([int(coloring[v]) for v in G.nodes()], dtype=np.int64)
        except (KeyError, IndexError, TypeError, ValueError, OverflowError) as exc:
            raise ValueError(f"coloring must map every vertex to an integer (int64), got {coloring!r}") from exc
        for u, v in H.edges():
            if labels[pos[u]] == labels[pos[v]]:
                raise ValueError(f"coloring must give adjacent vertices different labels, got {u!r} and {v!r} "
                                 f"both {labels[pos[u]]}")
    return lam * M, labels, np.full(k, 1.0 / k)


# ------------------------------------------------------------------------------------------
# conflict graph
# ------------------------------------------------------------------------------------------


def _pairwise_leq(x: np.ndarray, p: float, radius: float) -> tuple[np.ndarray, np.ndarray]:
    """Index pairs (i < j) with ||x_i - x_j||_p <= radius, computed in row blocks."""
    n, d = x.shape
    block = max(1, int(4_000_000 // max(1, n * d)))
    ii, jj = [], []
    for s in range(0, n, block):
        diff = x[s:s + block, None, :] - x[None, :, :]
        close = lp_norm(diff, p) <= radius
        r, c = np.nonzero(close)
        r = r + s
        keep = r < c
        ii.append(r[keep])
        jj.append(c[keep])
    return np.concatenate(ii), np.concatenate(jj)


def distance_graph(points, radius, *, norm=None) -> nx.Graph:
    """The graph on the rows of ``points`` joining i != j when ``||x_i - x_j||_p <= radius``.

    Source: shaeiri2020 appendix A, the step before (20): "there is an edge between v_i
    and v_j iff ||x_j - x_i||_p <= eps" (radius = eps).

    Parameters
    ----------
    points : array_like (n, d)
    radius : ThreatModel, or float >= 0 (with ``norm``)
    norm : 1 <= p <= inf, keyword-only (None means ``np.inf``)

    Returns
    -------
    networkx.Graph on 0..n-1

    Examples
    --------
    >>> sorted(distance_graph([[0.0], [1.0], [3.0]], 1.0).edges())  # |0 - 1| <= 1 only
    [(0, 1)]
    """
    x = as_array(points, "points")
    if x.ndim != 2 or x.shape[0] == 0 or x.shape[1] == 0:
        raise ValueError(f"points must have shape (n, d) with n, d >= 1, got shape {x.shape}")
    p, r = _threat(radius, norm, "radius")
    i, j = _pairwise_leq(x, p, r)
    g = nx.Graph()
    g.add_nodes_from(range(x.shape[0]))
    g.add_edges_from(zip(i.tolist(), j.tolist(), strict=True))
    return g


def _conflict_pairs(x, lab, p, eps, rtol):
    i, j = _pairwise_leq(x, p, 2.0 * eps * (1.0 + rtol))
    keep = lab[i] != lab[j]
    return i[keep], j[keep]


def conflict_graph(points, labels, eps, *, norm=None, rtol: float = 1e-12) -> nx.Graph:
    """The conflict graph: atoms i, j joined when ``labels[i] != labels[j]`` and their closed eps-balls meet.

    Source: this package (the correct form of the step from (19) to (20) in shaeiri2020
    appendix A). Closed lp balls of radius eps around x_i and x_j meet iff
    ``||x_i - x_j||_p <= 2 eps`` (the midpoint lies in both; the triangle inequality
    rules out a common point otherwise). Two atoms can be robustly correct under one
    classifier iff they are not joined.

    Parameters
    ----------
    points : array_like (n, d); labels : array_like (n,) of int
    eps : ThreatModel, or float >= 0 (the radius, with ``norm``)
    norm : 1 <= p <= inf, keyword-only (None means ``np.inf``)
    rtol : float >= 0
        balls whose centres are within ``2 eps (1 + rtol)`` count as touching, so that
        rounding in a distance that is exactly 2 eps does not split them.

    Returns
    -------
    networkx.Graph on 0..n-1

    Examples
    --------
    >>> sorted(conflict_graph([[0.0], [1.0], [3.0]], [0, 1, 0], 0.5).edges())  # 0, 1: different labels, 1 <= 2 eps
    [(0, 1)]
    """
    x, lab, _ = _check_distribution(points, labels, np.ones(np.shape(points)[0] if np.ndim(points) else 1))
    p, eps = _threat(eps, norm)
    rtol = _scalar_eps(rtol, "rtol")
    i, j = _conflict_pairs(x, lab, p, eps, rtol)
    g = nx.Graph()
    g.add_nodes_from(range(x.shape[0]))
    g.add_edges_from(zip(i.tolist(), j.tolist(), strict=True))
    return g


# ------------------------------------------------------------------------------------------
# maximum weight independent set solvers (weights are exact Python integers)
# ------------------------------------------------------------------------------------------


def _components(nodes: list[int], adj: dict[int, list[int]]) -> list[list[int]]:
    """Connected components (sorted vertex lists) by breadth-first search."""
    seen: set[int] = set()
    out = []
    for v in nodes:
        if v in seen:
            continue
        seen.add(v)
        comp, frontier = [v], [v]
        while frontier:
            nxt = []
            for a in frontier:
                for b in adj[a]:
                    if b not in seen:
                        seen.add(b)
                        nxt.append(b)
            comp.extend(nxt)
            frontier = nxt
        out.append(sorted(comp))
    return out


def _exact_integer_weights(w: np.ndarray) -> list[int]:
    """Integers proportional to the float weights, exactly (floats are dyadic rationals)."""
    fr = [Fraction(float(v)) for v in w]
    den = max(f.denominator for f in fr)  # all denominators are powers of two
    return [int(f * den) for f in fr]


def _mwis_mincut(nodes: list[int], side: dict[int, bool], adj: dict[int, list[int]], w: list[int]) -> list[int]:
    """Maximum weight independent set of a bipartite graph: complement of a minimum weight vertex cover (min cut)."""
    D = nx.DiGraph()
    s, t = "s", "t"
    D.add_node(s)
    D.add_node(t)
    for v in nodes:
        if side[v]:
            D.add_edge(s, v, capacity=w[v])
            for u in adj[v]:
                D.add_edge(v, u)  # no capacity attribute: infinite
        else:
            D.add_edge(v, t, capacity=w[v])
    _, (S, _T) = nx.minimum_cut(D, s, t)
    return [v for v in nodes if (v in S) == side[v]]


def _mwis_bnb(nodes: list[int], adj: dict[int, list[int]], w: list[int]) -> list[int]:
    """Maximum weight independent set by branch and bound with a clique-cover bound (bitmasks)."""
    m = len(nodes)
    loc = {v: i for i, v in enumerate(nodes)}
    nb = [0] * m
    for v in nodes:
        for u in adj[v]:
            nb[loc[v]] |= 1 << loc[u]
    wt = [w[v] for v in nodes]

    def bits(mask):
        while mask:
            low = mask & -mask
            yield low.bit_length() - 1
            mask ^= low

    def bound(mask):
        total = 0
        while mask:
            v = (mask & -mask).bit_length() - 1
            mask &= ~(1 << v)
            best = wt[v]
            cand = mask & nb[v]
            while cand:
                u = (cand & -cand).bit_length() - 1
                mask &= ~(1 << u)
                cand &= nb[u]
                if wt[u] > best:
                    best = wt[u]
            total += best
        return total

    # greedy start: heaviest first
    best_set, rem = 0, (1 << m) - 1
    for v in sorted(range(m), key=lambda i: -wt[i]):
        if rem >> v & 1:
            best_set |= 1 << v
            rem &= ~(nb[v] | (1 << v))
    state = [sum(wt[v] for v in bits(best_set)), best_set]

    def rec(mask, cur, chosen):
        # take every vertex without a neighbour left, and a vertex that outweighs its only neighbour
        changed = True
        while changed:
            changed = False
            for v in bits(mask):
                if not mask >> v & 1:
                    continue
                nv = nb[v] & mask
                if nv == 0 or (nv & (nv - 1) == 0 and wt[v] >= wt[nv.bit_length() - 1]):
                    chosen |= 1 << v
                    cur += wt[v]
                    mask &= ~(nv | (1 << v))
                    changed = True
        if mask == 0:
            if cur > state[0]:
                state[0], state[1] = cur, chosen
            return
        if cur + bound(mask) <= state[0]:
            return
        v = max(bits(mask), key=lambda i: ((nb[i] & mask).bit_count(), wt[i]))
        rec(mask & ~(nb[v] | (1 << v)), cur + wt[v], chosen | (1 << v))
        rec(mask & ~(1 << v), cur, chosen)

    rec((1 << m) - 1, 0, 0)
    return [nodes[i] for i in bits(state[1])]


def _clique_cover(nodes: list[int], adj: dict[int, list[int]]) -> list[list[int]]:
    """Cliques covering every edge (greedy), for the clique formulation of the MILP."""
    nbr = {v: set(adj[v]) for v in nodes}
    covered: set[tuple[int, int]] = set()
    cliques = []
    for v in nodes:
        for u in sorted(nbr[v]):
            if u < v or (v, u) in covered:
                continue
            clique = [v, u]
            cand = nbr[v] & nbr[u]
            while cand:
                # prefer a vertex that covers the most uncovered edges to the clique
                c = max(sorted(cand), key=lambda z: sum((min(z, q), max(z, q)) not in covered for q in clique))
                clique.append(c)
                cand &= nbr[c]
            for a, b in itertools.combinations(clique, 2):
                covered.add((min(a, b), max(a, b)))
            cliques.append(clique)
    return cliques


def _mwis_milp(nodes: list[int], adj: dict[int, list[int]], w: list[int], wf: np.ndarray) -> list[int]:
    """Maximum weight independent set by integer programming (HiGHS), clique constraints."""
    loc = {v: i for i, v in enumerate(nodes)}
    cliques = _clique_cover(nodes, adj)
    rows, cols = [], []
    for r, c in enumerate(cliques):
        rows.extend([r] * len(c))
        cols.extend(loc[v] for v in c)
    A = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(cliques), len(nodes)))
    c = -wf[nodes] / wf[nodes].max()
    res = optimize.milp(c, constraints=optimize.LinearConstraint(A, -np.inf, 1.0),
                        integrality=np.ones(len(nodes)), bounds=optimize.Bounds(0, 1),
                        options={"mip_rel_gap": 0.0})
    if res.x is None:  # pragma: no cover - HiGHS always finds the empty set feasible
        raise RuntimeError(f"the MILP solver failed: {res.message}")
    return [v for v, xv in zip(nodes, res.x, strict=True) if xv > 0.5]


def max_weight_robust_set(points, labels, weights, eps, *, norm=None, method: str = "auto", rtol: float = 1e-12):
    """A maximum-weight set of atoms that one classifier classifies robustly correctly, and its weight.

    Source: this package; the exact form of shaeiri2020 appendix A, equations (18)-(21).
    A set S of atoms is simultaneously robustly correct for some classifier iff it is an
    independent set of :func:`conflict_graph` (proof in ``docs/hardness.md``). The
    conflict graph is split into connected components; a component with at most two
    labels is bipartite and solved exactly by a minimum cut (networkx), others by branch
    and bound (up to ``BNB_MAX`` atoms) or by the MILP with clique constraints (HiGHS,
    ``mip_rel_gap = 0``; exact up to HiGHS' absolute gap of 1e-6 relative to the largest
    weight of the component). Weights are turned into exact integers for the cut and
    the branch and bound, so those paths are exact.

    Parameters
    ----------
    points : array_like (n, d); labels : array_like (n,) of int
    weights : array_like (n,), finite, >= 0, not all zero (normalized internally), or None (uniform)
    eps : ThreatModel, or float >= 0 (the radius, with ``norm``)
    norm : 1 <= p <= inf, keyword-only (None means ``np.inf``)
    method : "auto" | "mincut" | "branch_and_bound" | "milp"
        force one solver for every component ("mincut" needs at most two labels per component)
    rtol : float >= 0, see :func:`conflict_graph`

    Returns
    -------
    S : ndarray of int, sorted indices of atoms with positive weight
    weight : float, ``weights[S].sum()`` in the units of ``weights`` (``len(S) / n`` for None)

    Raises
    ------
    ValueError for bad shapes, negative, infinite or all-zero weights, non-integer labels,
    norm < 1, eps < 0, an unknown method, or "mincut" on a component with three labels.

    Examples
    --------
    Two atoms of different labels whose balls touch (distance 1 = 2 eps): only the heavier can be robustly correct.

    >>> S, weight = max_weight_robust_set([[0.0], [1.0]], [0, 1], [0.3, 0.7], 0.5)
    >>> S.tolist(), weight
    ([1], 0.7)
    """
    x, lab, w = _check_distribution(points, labels, weights)
    p, eps = _threat(eps, norm)
    S = _robust_set(x, lab, w, p, eps, method, rtol)
    raw = w if weights is None else np.asarray(weights, dtype=np.float64)
    return S, float(np.sum(raw[S]))


def _conflicts(x, lab, w, p: float, eps: float, rtol) -> tuple[np.ndarray, np.ndarray, dict[int, list[int]]]:
    """The conflict pairs (i, j) among the atoms of positive weight, and their adjacency lists."""
    live = np.flatnonzero(w > 0)
    i, j = _conflict_pairs(x[live], lab[live], p, eps, rtol)
    i, j = live[i], live[j]
    adj: dict[int, list[int]] = {int(v): [] for v in live}
    for a, b in zip(i.tolist(), j.tolist(), strict=True):
        adj[a].append(b)
        adj[b].append(a)
    return i, j, adj


def _robust_set(x, lab, w, p: float, eps: float, method: str, rtol, conflicts=None) -> np.ndarray:
    """The solver behind :func:`max_weight_robust_set` on validated atoms (w: probabilities); ``conflicts``:
    the output of :func:`_conflicts` when the caller has it already."""
    rtol = _scalar_eps(rtol, "rtol")
    method = _check_method(method)
    n = x.shape[0]
    live = np.flatnonzero(w > 0)
    i, j, adj = _conflicts(x, lab, w, p, eps, rtol) if conflicts is None else conflicts
    wint = [0] * n
    for idx, v in zip(live.tolist(), _exact_integer_weights(w[live]), strict=True):
        wint[idx] = v
    groups = _components(live.tolist(), adj)
    chosen: list[int] = []
    for nodes in groups:
        if len(nodes) == 1:
            chosen.extend(nodes)
            continue
        classes = sorted(set(lab[nodes].tolist()))
        if method == "mincut" or (method == "auto" and len(classes) <= 2):
            if len(classes) > 2:
                raise ValueError(f"method 'mincut' needs at most two labels per conflict component, got {classes}")
            side = {v: bool(lab[v] == classes[0]) for v in nodes}
            chosen.extend(_mwis_mincut(nodes, side, adj, wint))
        elif method == "branch_and_bound" or (method == "auto" and len(nodes) <= BNB_MAX):
            chosen.extend(_mwis_bnb(nodes, adj, wint))
        else:
            chosen.extend(_mwis_milp(nodes, adj, wint, w))
    S = np.array(sorted(chosen), dtype=np.int64)
    inS = np.zeros(n, bool)
    inS[S] = True
    if np.any(inS[i] & inS[j]):  # pragma: no cover - every solver returns an independent set
        raise RuntimeError("internal error: the solver returned a set with a conflict")
    return S


def optimal_robust_error(points, labels, weights, eps, *, norm=None, method: str = "auto",
                         rtol: float = 1e-12) -> float:
    """The optimal robust 0-1 error over all classifiers ``h : R^d -> labels`` of a finite distribution.

    Source: shaeiri2020 Definitions 4-5 (the (p, eps)-optimal classification error rate),
    computed exactly as the probability of the atoms outside a maximum weight robust set
    (:func:`max_weight_robust_set`). The weights are normalized to a probability
    distribution first (overflow-safe: ``[1e308, 1e308]`` is ``[1/2, 1/2]``). Polynomial
    when every conflict component carries at most two labels (in particular for binary
    classification); NP-hard in general (shaeiri2020 Theorem 1, with the reduction of
    :func:`corrected_reduction`).

    Parameters
    ----------
    points : array_like (n, d); labels : array_like (n,) of int
    weights : array_like (n,), finite, >= 0, not all zero, or None (uniform)
    eps : ThreatModel, or float >= 0 (the radius of the closed balls, with ``norm``)
    norm : 1 <= p <= inf, keyword-only (None means ``np.inf``)
    method, rtol : see :func:`max_weight_robust_set`

    Returns
    -------
    float in [0, 1]

    Examples
    --------
    >>> import numpy as np
    >>> optimal_robust_error(np.array([[0.0], [1.0]]), np.array([0, 1]), None, 0.5, norm=2)
    0.5
    """
    x, lab, w = _check_distribution(points, labels, weights)
    p, eps = _threat(eps, norm)
    S = _robust_set(x, lab, w, p, eps, method, rtol)
    outside = np.ones(len(w), bool)
    outside[S] = False
    return float(min(1.0, max(0.0, np.sum(w[outside]))))


def robust_classifier(points, labels, weights, eps, *, norm=None, rtol: float = 1e-12):
    """An optimal robust classifier of a finite distribution, as a function on R^d, and its robust set.

    Source: this package; the constructive half of the proof in ``docs/hardness.md``. With
    S from :func:`max_weight_robust_set`, ``h(z)`` is the label of an atom of S whose
    closed eps-ball contains z (well defined: balls of differently-labelled atoms of S are
    disjoint) and the label of largest total weight elsewhere. Arguments as in
    :func:`max_weight_robust_set` (``eps`` a ThreatModel or a radius with the keyword-only ``norm``).

    Returns
    -------
    h : callable, array (m, d) -> ndarray (m,) of int
    S : ndarray of int, the atoms h classifies robustly correctly by construction

    Examples
    --------
    Atoms 0 and 1 conflict; {0, 2} (weight 0.8) is kept, and the heaviest label (1) is used elsewhere:

    >>> h, S = robust_classifier([[0.0], [1.0], [3.0]], [0, 1, 1], [0.4, 0.2, 0.4], 0.5)
    >>> S.tolist(), h(np.array([[0.2], [3.3], [10.0]])).tolist()
    ([0, 2], [0, 1, 1])
    """
    x, lab, w = _check_distribution(points, labels, weights)
    p, eps = _threat(eps, norm)
    S = _robust_set(x, lab, w, p, eps, "auto", rtol)
    classes = np.unique(lab)
    default = classes[np.argmax([w[lab == c].sum() for c in classes])]
    xs, ys = x[S], lab[S]
    radius = eps * (1.0 + rtol)

    def h(z):
        z = as_array(z, "z")
        if z.ndim != 2 or z.shape[1] != x.shape[1]:
            raise ValueError(f"z must have shape (m, {x.shape[1]}), got shape {z.shape}")
        out = np.full(z.shape[0], default, dtype=np.int64)
        if len(S):
            d = lp_norm(z[:, None, :] - xs[None, :, :], p)
            inside = d <= radius
            first = np.argmax(inside, axis=1)
            hit = inside.any(axis=1)
            out[hit] = ys[first[hit]]
        return out

    return h, S


# ------------------------------------------------------------------------------------------
# multi-class: the hypergraph LP of dai2023
# ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MulticlassRobustBounds:
    """Bounds on the optimal robust 0-1 error of a finite multi-class distribution.

    Attributes
    ----------
    truncated : dict int -> float
        ``truncated[k]``: the optimal robust error of randomized (soft) classifiers computed from
        the hypergraph LP with the hyperedges of size <= k only; a lower bound on ``randomized``,
        nondecreasing in k
    randomized : float or None
        the optimal robust error over randomized (soft) classifiers ``h : R^d -> simplex``, exact
        (the LP over the full conflict hypergraph); None when the hypergraph was not listed in full
    deterministic : float or None
        the optimal robust error over deterministic classifiers (the integer program); None unless
        ``exact=True``
    lower, upper : float
        a bracket on the deterministic optimum: ``lower`` the largest LP value computed (randomized
        classifiers can only do better), ``upper`` the error of a feasible deterministic classifier;
        equal to ``deterministic`` when it is known
    max_degree : int, the largest hyperedge size in the LP (every hyperedge up to it is included)

    Examples
    --------
    >>> b = MulticlassRobustBounds({2: 0.25}, 0.25, 0.5, 0.5, 0.5, 2)
    >>> b.lower <= b.upper
    True
    """

    truncated: dict = field(default_factory=dict)
    randomized: float | None = None
    deterministic: float | None = None
    lower: float = 0.0
    upper: float = 1.0
    max_degree: int = 2


def _greedy_robust_set(w: np.ndarray, adj: dict[int, list[int]]) -> list[int]:
    """A maximal independent set of the conflict graph, heaviest atom first (a feasible deterministic classifier)."""
    taken: set[int] = set()
    blocked: set[int] = set()
    for v in np.argsort(-w, kind="stable").tolist():
        if w[v] > 0 and v not in blocked:
            taken.add(v)
            blocked.update(adj[v])
    return sorted(taken)


def multiclass_robust_error_bounds(points, labels, weights, eps, *, norm=None, max_degree: int | None = None,
                                   exact: bool = True, max_hyperedges: int = 200_000,
                                   rtol: float = 1e-12) -> MulticlassRobustBounds:
    """The optimal robust 0-1 error of a finite K-class distribution: hypergraph LP bounds and the exact value.

    Source: Dai, Ding and Mittal, "Characterizing the optimal 0-1 loss for multi-class
    classification with a test-time attacker", NeurIPS 2023, arXiv:2302.10722 (the conflict
    hypergraph, the linear program for soft classifiers, and its truncations to hyperedges of
    size <= 2 and <= 3), re-derived here. A randomized classifier ``h : R^d -> simplex``
    classifies atom i robustly correctly with probability ``q_i = min_{z in B(x_i)} h(z)_{y_i}``.
    If the balls of a set e of atoms with distinct labels share a point z (a hyperedge),
    ``sum_{i in e} q_i <= sum_y h(z)_y <= 1``; conversely every q in [0, 1]^n obeying these
    constraints is attained (``h(z)_y = max {q_i : y_i = y, z in B(x_i)}`` sums to <= 1 at every z).
    So the optimal robust accuracy of soft classifiers is the LP ``max sum w_i q_i`` over those
    constraints (``randomized`` = 1 - its value). Keeping only hyperedges of size <= k
    drops constraints and gives lower bounds (``truncated[k]``). Deterministic classifiers are
    the integer points; for them pairs suffice and the value is :func:`optimal_robust_error`.
    Hence ``truncated[2] <= truncated[3] <= ... <= randomized <= deterministic``. With two
    classes every hyperedge is a pair, the LP is bipartite and integral: all values coincide.

    Parameters
    ----------
    points : array_like (n, d); labels : array_like (n,) of int
    weights : array_like (n,), finite, >= 0, not all zero (normalized), or None (uniform)
    eps : ThreatModel, or float >= 0 (the radius, with ``norm``)
    norm : 1 <= p <= inf, keyword-only (None means ``np.inf``); hyperedges beyond pairs need p in {1, 2, inf}
    max_degree : int >= 2 or None
        the largest hyperedge size to include (None: every size, the full hypergraph)
    exact : bool
        also solve the deterministic problem exactly (:func:`optimal_robust_error`, NP-hard in
        general); otherwise ``upper`` comes from a greedy robust set (heaviest atom first)
    max_hyperedges : int >= 1
        stop listing hyperedges beyond this many; the LP then uses the complete levels only
    rtol : float >= 0, see :func:`conflict_graph`

    Returns
    -------
    MulticlassRobustBounds

    Raises
    ------
    ValueError for bad points, labels, weights, eps or norm, max_degree < 2, max_hyperedges < 1,
    or hyperedges beyond pairs with p not in {1, 2, inf}.

    Examples
    --------
    Three atoms of three classes at the corners of an equilateral triangle of side 1, l2, eps = 0.55:
    every two balls meet (1 <= 2 eps) but the three do not (circumradius 0.577 > 0.55). Pairs only,
    soft classifiers could take q = 1/2 each (error 1/2); the triangle does not constrain them
    (randomized 1/2); a deterministic classifier keeps one atom (error 2/3).

    >>> import numpy as np
    >>> tri = np.array([[0.0, 0.0], [1.0, 0.0], [0.5, np.sqrt(3) / 2]])
    >>> b = multiclass_robust_error_bounds(tri, [0, 1, 2], None, 0.55, norm=2)
    >>> round(b.truncated[2], 6), round(b.randomized, 6), round(b.deterministic, 6)
    (0.5, 0.5, 0.666667)
    >>> b = multiclass_robust_error_bounds(tri, [0, 1, 2], None, 0.6, norm=2)  # now the three balls meet
    >>> round(b.truncated[2], 6), round(b.truncated[3], 6), round(b.randomized, 6)
    (0.5, 0.666667, 0.666667)
    """
    x, lab, w = _check_distribution(points, labels, weights)
    p, eps = _threat(eps, norm)
    if max_degree is not None:
        max_degree = positive_int(max_degree, "max_degree", minimum=2)
    max_hyperedges = positive_int(max_hyperedges, "max_hyperedges")
    if not isinstance(exact, bool | np.bool_):
        raise ValueError(f"exact must be a bool, got {exact!r}")
    rtol = _scalar_eps(rtol, "rtol")
    if max_degree != 2 and p not in (1.0, 2.0) and not np.isinf(p):
        raise ValueError(f"norm must be 1, 2 or inf for hyperedges beyond pairs (max_degree={max_degree}), got {p}")
    n = x.shape[0]
    conflicts = _conflicts(x, lab, w, p, eps, rtol)
    i, j, adj_list = conflicts
    adj: dict[int, set[int]] = {v: set(adj_list.get(v, ())) for v in range(n)}
    pairs = list(zip(i.tolist(), j.tolist(), strict=True))
    big, done, full = _multiclass.hyperedges(x, adj, p, eps, rtol, max_degree, max_hyperedges)
    truncated = {2: 1.0 - _multiclass.packing_lp(n, pairs, w)}
    for k in range(3, done + 1):
        sets = pairs + [e for e in big if len(e) <= k]
        truncated[k] = max(truncated[k - 1], 1.0 - _multiclass.packing_lp(n, sets, w))
    truncated = {k: float(min(1.0, max(0.0, v))) for k, v in truncated.items()}
    randomized = truncated[done] if full else None
    lower = truncated[done]
    if exact:
        S = _robust_set(x, lab, w, p, eps, "auto", rtol, conflicts)
        det = float(min(1.0, max(0.0, 1.0 - np.sum(w[S]))))
        return MulticlassRobustBounds(truncated, randomized, det, det, det, done)
    S = _greedy_robust_set(w, adj_list)
    upper = float(min(1.0, max(lower, 1.0 - np.sum(w[S]))))
    return MulticlassRobustBounds(truncated, randomized, None, lower, upper, done)


# ------------------------------------------------------------------------------------------
# graph quantities of the proof
# ------------------------------------------------------------------------------------------


def maximum_independent_set(G) -> set:
    """A maximum independent set of G (exact: a maximum clique of the complement, networkx).

    Source: standard; the corrected reduction's target (``docs/hardness.md``).

    Raises
    ------
    ValueError for a graph that is not simple and undirected or has no vertices.

    Examples
    --------
    >>> import networkx as nx
    >>> S = maximum_independent_set(nx.cycle_graph(6))
    >>> len(S), any(nx.cycle_graph(6).has_edge(u, v) for u in S for v in S)
    (3, False)
    """
    _check_graph(G)
    clique, _ = nx.max_weight_clique(nx.complement(G), weight=None)
    return set(clique)


def independence_number(G) -> int:
    """alpha(G), the size of a maximum independent set of G.

    Examples
    --------
    >>> import networkx as nx
    >>> independence_number(nx.cycle_graph(5)), independence_number(nx.complete_graph(4))
    (2, 1)
    """
    return len(maximum_independent_set(G))


def maximum_distance_independent_set(G, distance: int = 3) -> set:
    """A maximum distance-``distance`` independent set: vertices pairwise at graph distance >= distance.

    Source: shaeiri2020 appendix A, Definition 2 (``dist_G(u1, u2) >= d`` for all distinct
    u1, u2 in S; vertices in different components are at distance infinity). Exact: a
    maximum independent set of ``G^(distance - 1)`` (networkx.power), whose edges join
    the vertices at distance 1..distance-1.

    Raises
    ------
    ValueError for a bad graph or distance < 1.

    Examples
    --------
    >>> import networkx as nx
    >>> maximum_distance_independent_set(nx.path_graph(4), 3)  # the only pair at distance 3
    {0, 3}
    """
    _check_graph(G)
    distance = positive_int(distance, "distance", minimum=1)
    if distance == 1:
        return set(G.nodes())
    H = G if distance == 2 else nx.power(G, distance - 1)
    return maximum_independent_set(H)


def distance_independence_number(G, distance: int = 3) -> int:
    """alpha_d(G), the size of a maximum distance-d independent set (shaeiri2020 appendix A, Definition 2).

    Examples
    --------
    >>> import networkx as nx
    >>> distance_independence_number(nx.path_graph(7), 3), distance_independence_number(nx.path_graph(7), 2)
    (3, 4)
    """
    return len(maximum_distance_independent_set(G, distance))


def distance3_independence_number(G) -> int:
    """alpha_3(G), the size of a maximum distance-3 independent set: Q_G of shaeiri2020 appendix A, Definition 2.

    Examples
    --------
    >>> import networkx as nx
    >>> distance3_independence_number(nx.cycle_graph(6))  # opposite vertices, e.g. {0, 3}
    2
    """
    return distance_independence_number(G, 3)
