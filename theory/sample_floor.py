"""The exact optimal robust 0-1 error of a two-class empirical distribution, for many radii at once.

For a finite distribution with two labels, a set of atoms can be classified robustly correctly by
one classifier iff no two atoms of different labels have intersecting closed eps-balls
(:func:`theory.hardness.conflict_graph`), so the optimal robust error is the minimum weight of a
vertex cover of the bipartite conflict graph: by Koenig's theorem the size of a maximum matching
(unit weights), and in general the value of a maximum s-t flow (minimum cut). This lower bound
on the robust error of every classifier on a sample is the "sample floor" of Bhagoji, Cullina
and Mittal (2019) and of Pydi and Jog (2020).

:func:`robust_floor_curve` computes it for a whole list of radii in one pass over the
cross-class distances: each conflict pair is stored once with the index of the smallest radius at
which it appears, and the maximum flow of each radius is augmented from that of the previous
(smaller) radius, since the conflict graph only gains edges as eps grows.

Sources: A. N. Bhagoji, D. Cullina, P. Mittal, "Lower bounds on adversarial robustness from
optimal transport", NeurIPS 2019, arXiv:1909.12272 (section 3: the optimal 0-1 loss of an
empirical distribution as a minimum vertex cover / maximum matching of the conflict graph);
M. S. Pydi, V. Jog, "Adversarial risk via optimal transport and optimal couplings", ICML 2020,
arXiv:1912.02794 (the optimal adversarial risk as an optimal-transport cost with the 0-1 cost
``1{d(x, x') > 2 eps}``, computed for empirical distributions by a matching). D. Koenig (1931),
L. R. Ford and D. R. Fulkerson (1956): maximum matching = minimum vertex cover in bipartite
graphs, maximum flow = minimum cut.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

import networkx as nx
import numpy as np
from scipy import sparse
from scipy.sparse.csgraph import breadth_first_order, maximum_flow

from theory._validate import check_norm, nonnegative, positive_int, probability_weights
from theory.hardness import _check_distribution, _scalar_eps
from theory.norms import lp_norm

__all__ = ["RobustFloorCurve", "robust_floor_curve", "optimal_robust_errors"]

#: entries of one block of the distance matrix (float64): 2**21 entries = 16 MiB per temporary
BLOCK_ENTRIES = 2**21
#: integer weights whose total stays below this are solved by scipy's Dinic (int32 capacities)
INT32_TOTAL = 2**30
_U = 2.0**-53  # unit roundoff of float64
_SCREEN = 24  # coordinates screened first for l1 and l-inf


@dataclass(frozen=True)
class RobustFloorCurve:
    """The optimal robust 0-1 error of a two-class finite distribution at each radius of a list.

    Attributes
    ----------
    eps : ndarray (K,), the radii in the order given
    errors : ndarray (K,), the optimal robust error at each radius, a fraction of the total weight in [0, 1]
    matching : ndarray (K,) of int, the size of a maximum matching of the conflict graph (unit weights);
        with general weights the value of a maximum flow in the integer units ``errors * total``
        (Python integers, dtype object, when ``total`` exceeds 2**62)
    total : int, the total weight in those integer units (the number of atoms for unit weights)
    pairs : ndarray (K,) of int, the number of conflict pairs (cross-class pairs whose closed balls meet)
    cover : ndarray (K, n) of bool, a minimum weight vertex cover of the conflict graph at each radius:
        the atoms no classifier can keep (a classifier robustly correct on every other atom exists)
    norm : float, the lp exponent (1, 2 or inf)

    Examples
    --------
    >>> c = robust_floor_curve([[0.0], [1.0], [3.0]], [0, 1, 0], [0.0, 0.5, 1.0], norm=2)
    >>> c.errors.tolist(), c.matching.tolist(), c.pairs.tolist()
    ([0.0, 0.3333333333333333, 0.3333333333333333], [0, 1, 1], [0, 1, 2])
    >>> c.cover[1].tolist()  # at eps = 0.5 one of the touching atoms 0, 1 must go (here 0)
    [True, False, False]
    """

    eps: np.ndarray
    errors: np.ndarray
    matching: np.ndarray
    total: int
    pairs: np.ndarray
    cover: np.ndarray
    norm: float


# ------------------------------------------------------------------------------------------
# validation
# ------------------------------------------------------------------------------------------


def _check_eps_list(eps) -> np.ndarray:
    e = nonnegative(eps, "eps")
    if e.ndim > 1:
        raise ValueError(f"eps must be a number or a 1-D list of numbers, got shape {e.shape}")
    e = np.atleast_1d(e)
    if e.size == 0:
        raise ValueError("eps must contain at least one radius, got an empty list")
    return e


def _check_p(norm) -> float:
    p = check_norm(norm)
    if p not in (1.0, 2.0, np.inf):
        raise ValueError(f"norm must be 1, 2 or inf, got {norm!r}")
    return p


def _integer_weights(weights, n: int) -> np.ndarray:
    """Exact integers proportional to ``weights`` (object array of Python ints; 0 where the weight is 0)."""
    probability_weights(weights, n, "weights")  # the package's weight rule (finite, >= 0, not all zero)
    if weights is None:
        return np.ones(n, dtype=object)
    raw = np.asarray(weights, dtype=np.float64)
    pos = raw[raw > 0]
    if np.all(pos == pos[0]):
        return (raw > 0).astype(np.int64).astype(object)
    fr = [Fraction(float(v)) for v in raw]  # floats are dyadic rationals: exact
    den = max(f.denominator for f in fr)
    ints = [int(f * den) for f in fr]
    g = 0
    for v in ints:
        g = math.gcd(g, v)
    return np.array([v // g for v in ints], dtype=object)


# ------------------------------------------------------------------------------------------
# cross-class conflict pairs, each with the first radius at which it appears
# ------------------------------------------------------------------------------------------


def _exact_levels(XA, XB, r, c, p, R) -> np.ndarray:
    """Level (first index k with ``lp_norm(x_a - x_b) <= R[k]``, len(R) if none) of the pairs (r, c), in batches.

    The distance is ``theory.norms.lp_norm`` of the float difference, as in
    :func:`theory.hardness.conflict_graph`.
    """
    out = np.empty(len(r), dtype=np.int64)
    step = max(1, BLOCK_ENTRIES // max(1, XA.shape[1]))
    for s in range(0, len(r), step):
        dist = lp_norm(XA[r[s:s + step]] - XB[c[s:s + step]], p)
        out[s:s + step] = np.searchsorted(R, dist, side="left")
    return out


def _pairs_l2(XA, XB, R, chunk):
    """Conflict pairs for l2: BLAS distances, with an exact recheck of every pair near a threshold."""
    nA, d = XA.shape
    top = max(float(np.abs(XA).max()), float(np.abs(XB).max()))
    scale = 1.0 if top == 0 else float(np.ldexp(1.0, -int(np.frexp(top)[1])))  # a power of two: |x scale| < 1
    lo = np.minimum(XA.min(axis=0), XB.min(axis=0)) * scale
    hi = np.maximum(XA.max(axis=0), XB.max(axis=0)) * scale
    centre = 0.5 * lo + 0.5 * hi
    A = XA * scale - centre
    B = XB * scale - centre
    sa = np.einsum("ij,ij->i", A, A)
    sb = np.einsum("ij,ij->i", B, B)
    na, nb = np.sqrt(sa), np.sqrt(sb)
    with np.errstate(over="ignore"):
        T = (R * scale) ** 2  # the thresholds in the scaled, squared units (inf where they overflow)
    coef = 4.0 * (d + 8) * _U  # bounds the BLAS error, the centring error and lp_norm's own rounding
    out_r, out_c, out_l = [], [], []
    for s in range(0, nA, chunk):
        sl = slice(s, min(nA, s + chunk))
        D2 = sa[sl, None] + sb[None, :] - 2.0 * (A[sl] @ B.T)
        band = na[sl, None] + nb[None, :]
        band *= band
        band *= coef
        band += 1e-300
        r, c = np.nonzero(D2 <= T[-1] + band)
        if not len(r):
            continue
        d2, bd = D2[r, c], band[r, c]
        lev = np.searchsorted(T, d2 - bd, side="left")
        unsure = np.flatnonzero(lev != np.searchsorted(T, d2 + bd, side="left"))
        if len(unsure):
            lev[unsure] = _exact_levels(XA, XB, r[unsure] + s, c[unsure], 2.0, R)
        keep = lev < len(R)
        out_r.append(r[keep] + s)
        out_c.append(c[keep])
        out_l.append(lev[keep])
    return out_r, out_c, out_l


def _pairs_screened(XA, XB, R, p, chunk):
    """Conflict pairs for l1 and l-inf: a screen on the most spread coordinates, then exact distances."""
    nA, d = XA.shape
    spread = np.maximum(XA.max(axis=0), XB.max(axis=0)) - np.minimum(XA.min(axis=0), XB.min(axis=0))
    coords = np.argsort(-spread, kind="stable")[:min(d, _SCREEN)]
    # the partial sum / maximum over `coords` is <= the full distance; for l1 the float partial sum may
    # exceed the float full sum by a relative 2 (d + 24) u at most, hence the margin
    cut = R[-1] if np.isinf(p) else R[-1] * (1.0 + 2.0 * (d + _SCREEN + 2) * _U)
    out_r, out_c, out_l = [], [], []
    for s in range(0, nA, chunk):
        a = XA[s:s + chunk]
        part = np.zeros((a.shape[0], XB.shape[0]))
        for k in coords:
            diff = np.abs(a[:, k, None] - XB[None, :, k])
            if np.isinf(p):
                np.maximum(part, diff, out=part)
            else:
                part += diff
        r, c = np.nonzero(part <= cut)
        if not len(r):
            continue
        lev = _exact_levels(XA, XB, r + s, c, p, R)
        keep = lev < len(R)
        out_r.append(r[keep] + s)
        out_c.append(c[keep])
        out_l.append(lev[keep])
    return out_r, out_c, out_l


# ------------------------------------------------------------------------------------------
# maximum flow, augmented radius after radius
# ------------------------------------------------------------------------------------------


class _Flow:
    """A flow on s -> A (cap w_a), A -> B (conflict edges, cap big), B -> t (cap w_b), augmented in place.

    The residual network of the current flow is a capacitated graph itself; its maximum flow is
    what the current flow lacks, so adding edges (a larger radius) and augmenting from the old flow
    is a maximum flow of the residual network (the arcs into s and out of t are left out: no
    simple s-t path uses them).
    """

    def __init__(self, wa, wb, ea, eb, exact: bool):
        self.nA, self.nB = len(wa), len(wb)
        self.ea, self.eb = ea, eb
        self.exact = exact  # Python integers and networkx (else int64 arrays and scipy's Dinic)
        kind = object if exact else np.int64
        self.wa, self.wb = np.asarray(wa, dtype=kind), np.asarray(wb, dtype=kind)
        self.fa = np.zeros(self.nA, dtype=kind)
        self.fb = np.zeros(self.nB, dtype=kind)
        self.fe = np.zeros(len(ea), dtype=kind)
        self.big = int(sum(self.wa) + sum(self.wb)) + 1  # exceeds every flow: conflict edges never saturate
        self.value = 0

    def _arcs(self, m: int):
        """Residual arcs (tails, heads, capacities) with the first m conflict edges; s = N, t = N + 1."""
        nA, N = self.nA, self.nA + self.nB
        ia = np.flatnonzero(self.wa > self.fa)
        ib = np.flatnonzero(self.wb > self.fb)
        fe = self.fe[:m]
        back = np.flatnonzero(fe > 0)
        tails = np.concatenate([np.full(len(ia), N), self.ea[:m], nA + self.eb[back], nA + ib])
        heads = np.concatenate([ia, nA + self.eb[:m], self.ea[back], np.full(len(ib), N + 1)])
        caps = np.concatenate([self.wa[ia] - self.fa[ia], self.big - fe, fe[back], self.wb[ib] - self.fb[ib]])
        return tails.astype(np.int64), heads.astype(np.int64), caps, back

    def augment(self, m: int) -> None:
        N = self.nA + self.nB
        tails, heads, caps, back = self._arcs(m)
        na_, ne = int(np.count_nonzero(self.wa > self.fa)), m
        if self.exact:
            G = nx.DiGraph()
            G.add_nodes_from(range(N + 2))
            for u, v, cap in zip(tails.tolist(), heads.tolist(), caps.tolist(), strict=True):
                G.add_edge(u, v, capacity=int(cap))
            value, flow = nx.maximum_flow(G, N, N + 1)
            if value == 0:
                return
            net = np.array([flow[u][v] - (flow[v][u] if G.has_edge(v, u) else 0)
                            for u, v in zip(tails.tolist(), heads.tolist(), strict=True)], dtype=object)
        else:
            G = sparse.csr_array((caps.astype(np.int32), (tails, heads)), shape=(N + 2, N + 2))
            res = maximum_flow(G, N, N + 1, method="dinic")
            value = int(res.flow_value)
            if value == 0:
                return
            F = res.flow.tocsr()
            net = np.asarray(F[tails, heads]).ravel().astype(np.int64)  # antisymmetric: the net flow u -> v
        ia = np.flatnonzero(self.wa > self.fa)
        self.fa[ia] += net[:na_]
        fwd = net[na_:na_ + ne]
        self.fe[:m] += fwd  # the net flow a -> b already includes what went back along b -> a
        ib_start = na_ + ne + len(back)
        ib = np.flatnonzero(self.wb > self.fb)
        self.fb[ib] += net[ib_start:]
        self.value += int(value)

    def cover(self, m: int) -> tuple[np.ndarray, np.ndarray]:
        """A minimum weight vertex cover (bool over A, bool over B) from the residual reachability of s."""
        nA, N = self.nA, self.nA + self.nB
        tails, heads, caps, _ = self._arcs(m)
        G = sparse.csr_array((np.ones(len(tails), dtype=np.int8), (tails, heads)), shape=(N + 2, N + 2))
        reached = np.zeros(N + 2, dtype=bool)
        reached[breadth_first_order(G, N, directed=True, return_predecessors=False)] = True
        cov_a, cov_b = ~reached[:nA], reached[nA:N]
        # certificate: a vertex cover (every edge has an end in it) whose weight is the flow value
        if reached[N + 1] or not np.all(cov_a[self.ea[:m]] | cov_b[self.eb[:m]]) \
                or int(sum(self.wa[cov_a])) + int(sum(self.wb[cov_b])) != self.value:  # pragma: no cover
            raise RuntimeError("internal error: the flow and the cover do not certify each other")
        return cov_a, cov_b


# ------------------------------------------------------------------------------------------
# the public functions
# ------------------------------------------------------------------------------------------


def robust_floor_curve(points, labels, eps, *, norm=2, weights=None, chunk=None,
                       rtol: float = 1e-12) -> RobustFloorCurve:
    """The exact optimal robust 0-1 error of a two-class finite distribution for every radius of a list.

    For each eps, the minimum over all classifiers ``h : R^d -> labels`` of the weight of the atoms
    ``i`` with ``h(z) != labels[i]`` for some ``z`` in the closed lp ball of radius eps around
    ``points[i]``: the minimum weight vertex cover of the bipartite conflict graph (atoms of
    different labels joined when ``||x_i - x_j||_p <= 2 eps (1 + rtol)``, exactly the graph of
    :func:`theory.hardness.conflict_graph`, whose value :func:`theory.hardness.optimal_robust_error`
    computes one radius at a time). With unit weights this is a maximum matching (Koenig), in
    general a minimum cut.

    Source: Bhagoji, Cullina and Mittal, "Lower bounds on adversarial robustness from optimal
    transport", NeurIPS 2019, arXiv:1909.12272, section 3 (the optimal loss of an empirical
    distribution from a maximum matching of the conflict graph); Pydi and Jog, "Adversarial risk
    via optimal transport and optimal couplings", ICML 2020, arXiv:1912.02794 (the same quantity
    as an optimal transport cost). The multi-radius algorithm is this package's.

    Notes
    -----
    Algorithm. One pass over the cross-class pairs in blocks of ``chunk`` rows of the first class:
    for l2 the squared distances ``||a||^2 + ||b||^2 - 2 a.b`` by BLAS on the points scaled by a
    power of two and centred, and every pair whose value lies within a rigorous rounding band
    (``4 (d + 8) u (||a|| + ||b||)^2``) of a threshold is recomputed exactly with
    :func:`theory.norms.lp_norm` of the float difference, the computation of
    :func:`theory.hardness.conflict_graph`, so rounding cannot flip a conflict; for l1 and l-inf a
    screen on the 24 most spread coordinates (a partial sum or maximum, a lower bound of the
    distance) discards far pairs and the rest get the exact ``lp_norm``. Only pairs with distance
    at most ``2 max(eps) (1 + rtol)`` are kept, each with the index of the smallest radius at which
    it conflicts. Then, for the radii in increasing order, a maximum s-t flow (source -> first
    class, capacity the weight; conflict edges, capacity above the total; second class -> sink) is
    augmented from the previous radius's flow, which stays feasible as edges are only added: the
    residual network is solved by scipy's Dinic (int32 capacities, when the integer weights total
    less than 2**30; for unit weights this is Hopcroft-Karp matching) or, for larger exact integer
    weights, by networkx (slow, exact). At each radius a minimum vertex cover is read off the
    residual reachability of the source and checked against the flow (equal weight, every edge
    covered): a certificate of optimality.

    Weights. ``None`` or all equal: unit weights. Otherwise the float weights are turned into
    exact integers (floats are dyadic rationals) divided by their gcd; integer counts stay counts.
    Atoms of weight 0 take no part.

    Memory. Two float64 copies of the points (the classes split, and scaled and centred for l2:
    ``2 * n * d * 8`` bytes), about ``4 * chunk * n_B * 8`` bytes for one block (at most
    ``4 * 2**21 * 8`` = 64 MiB with the default chunk), 24 bytes per kept pair (two indices and the
    radius index, int64) and, while a radius is solved, its residual network (about 100 bytes per
    kept pair, with scipy's copy), plus ``K * n`` bytes for the covers. The kept pairs number at
    most ``n_A * n_B``, fewer the smaller ``max(eps)`` is. Measured (tracemalloc): 18 MiB for 1,000
    MNIST images (l2, 4,483 pairs kept), 562 MiB for 12,000 points in R^784 with 3.56 million pairs
    kept (``benchmarks/sample_floor.py``).

    Parameters
    ----------
    points : array_like (n, d), finite
    labels : array_like (n,) of int, at most two distinct values among atoms of positive weight
    eps : float >= 0 or 1-D array_like of them, in any order, repeats allowed
    norm : 1, 2 or inf, keyword-only (default 2)
    weights : array_like (n,), finite, >= 0, not all zero, or None (uniform), keyword-only
    chunk : int >= 1 or None, keyword-only; rows of the first class per block (None: about
        ``2**21 / n_B``, so one block holds 2**21 distances)
    rtol : float >= 0, keyword-only; the tolerance of :func:`theory.hardness.conflict_graph`

    Returns
    -------
    RobustFloorCurve, one entry per radius in the order given

    Raises
    ------
    ValueError for bad shapes, NaN or infinite points, non-integer labels, more than two labels among
    atoms of positive weight, negative, NaN or infinite eps, an empty or 2-D eps, a norm other than
    1, 2, inf, bad weights (negative, infinite, all zero), chunk < 1 or rtol < 0.

    Examples
    --------
    Atoms at 0, 1, 3, 6 with labels 0, 1, 0, 1: cross-class distances 1 (atoms 0, 1), 2 (1, 2), 3 (2, 3), 6 (0, 3).
    At eps = 1 the edges 0-1 and 2-1 share atom 1 (matching 1, error 1/4); at eps = 2 the matching {0-1, 2-3}:

    >>> c = robust_floor_curve([[0.0], [1.0], [3.0], [6.0]], [0, 1, 0, 1], [1.0, 0.0, 0.5, 2.0])
    >>> c.eps.tolist(), c.errors.tolist(), c.pairs.tolist()  # eps given unsorted; 0 at eps = 0
    ([1.0, 0.0, 0.5, 2.0], [0.25, 0.0, 0.25, 0.5], [2, 0, 1, 3])
    >>> robust_floor_curve([[0.0], [1.0]], [0, 1], 0.5, weights=[1, 3]).errors.tolist()  # touching: keep the heavier
    [0.25]
    """
    x, lab, _ = _check_distribution(points, labels, weights)
    p = _check_p(norm)
    e = _check_eps_list(eps)
    rtol = _scalar_eps(rtol, "rtol")
    if chunk is not None:
        chunk = positive_int(chunk, "chunk")
    n = x.shape[0]
    wint = _integer_weights(weights, n)
    live = np.flatnonzero(wint > 0)
    classes = np.unique(lab[live])
    if len(classes) > 2:
        raise ValueError(f"labels must take at most two values among atoms of positive weight, got {len(classes)} "
                         f"({classes[:5].tolist()}...); theory.hardness.optimal_robust_error solves more classes")
    total = int(sum(wint[live]))
    radii = 2.0 * e * (1.0 + rtol)  # the radius of theory.hardness.conflict_graph, rounded the same way
    R, level_of = np.unique(radii, return_inverse=True)
    L = len(R)
    matching = np.zeros(L, dtype=np.int64 if total < 2**62 else object)  # exact integers beyond int64
    pairs = np.zeros(L, dtype=np.int64)
    covers = np.zeros((L, n), dtype=bool)
    if len(classes) == 2:
        ia = live[lab[live] == classes[0]]
        ib = live[lab[live] == classes[1]]
        XA, XB = x[ia], x[ib]
        step = chunk if chunk is not None else max(1, BLOCK_ENTRIES // len(ib))
        step = min(step, len(ia))
        if p == 2.0:
            rr, cc, ll = _pairs_l2(XA, XB, R, step)
        else:
            rr, cc, ll = _pairs_screened(XA, XB, R, p, step)
        ea = np.concatenate(rr) if rr else np.zeros(0, np.int64)
        eb = np.concatenate(cc) if cc else np.zeros(0, np.int64)
        lev = np.concatenate(ll) if ll else np.zeros(0, np.int64)
        order = np.argsort(lev, kind="stable")
        ea, eb, lev = ea[order].astype(np.int64), eb[order].astype(np.int64), lev[order]
        ends = np.searchsorted(lev, np.arange(L), side="right")  # edges of level <= k: the first ends[k]
        exact = total >= INT32_TOTAL
        wa, wb = wint[ia], wint[ib]
        flow = _Flow(wa if exact else wa.astype(np.int64), wb if exact else wb.astype(np.int64), ea, eb, exact)
        for k in range(L):
            m = int(ends[k])
            pairs[k] = m
            if m:
                flow.augment(m)
            matching[k] = flow.value
            cov_a, cov_b = flow.cover(m)
            covers[k, ia[cov_a]] = True
            covers[k, ib[cov_b]] = True
    errors = np.array([float(Fraction(int(v), total)) for v in matching])
    return RobustFloorCurve(eps=e, errors=errors[level_of], matching=matching[level_of], total=total,
                            pairs=pairs[level_of], cover=covers[level_of], norm=p)


def optimal_robust_errors(points, labels, eps, *, norm=2, weights=None, rtol: float = 1e-12) -> np.ndarray:
    """The optimal robust 0-1 errors of a two-class finite distribution at the radii ``eps``: an array.

    ``robust_floor_curve(points, labels, eps, norm=norm, weights=weights, rtol=rtol).errors``; see
    :func:`robust_floor_curve` for the definition, the sources (Bhagoji, Cullina and Mittal 2019,
    arXiv:1909.12272; Pydi and Jog 2020, arXiv:1912.02794), the algorithm and the memory bound.
    At each radius it equals :func:`theory.hardness.optimal_robust_error` (to rounding of the last bit).

    Parameters
    ----------
    points : array_like (n, d); labels : array_like (n,) of int, at most two values
    eps : float >= 0 or 1-D array_like of them
    norm : 1, 2 or inf, keyword-only; weights : array_like (n,) or None, keyword-only
    rtol : float >= 0, keyword-only

    Returns
    -------
    ndarray (K,) of floats in [0, 1], one per radius in the order given

    Raises
    ------
    ValueError as :func:`robust_floor_curve`.

    Examples
    --------
    Corners of the unit square, opposite corners of one class: l-inf distance 1 between classes.

    >>> sq = [[0, 0], [1, 1], [0, 1], [1, 0]]
    >>> optimal_robust_errors(sq, [0, 0, 1, 1], [0.49, 0.5], norm=np.inf).tolist()
    [0.0, 0.5]
    >>> optimal_robust_errors(sq, [0, 0, 1, 1], [0.5, 0.7], norm=2).tolist()  # l2: 1 and sqrt(2) = 2 * 0.7071
    [0.5, 0.5]
    """
    return robust_floor_curve(points, labels, eps, norm=norm, weights=weights, rtol=rtol).errors
