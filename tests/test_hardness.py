"""Tests of theory.hardness: the shaeiri2020 reduction, exact optimal robust errors, graph quantities.

Independent references: brute force over all subsets of atoms with the pairwise midpoint
test; brute force over every labeling of the cells of the interval arrangement in one
dimension (no conflict graph); an explicit classifier whose robust error is evaluated
directly, with witnesses found by linear programming (p = 1, inf) or projection (p = 2);
graph distances by breadth-first search (networkx shortest paths); the Bayes rule at
eps = 0; constant classifiers and a certified bound for 1-NN; the matrices of the paper
written out by hand for a small graph.
"""

from __future__ import annotations

import itertools

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import optimize

from theory import hardness as H
from theory.norms import project_onto_lp_ball

NORMS = [1.0, 2.0, np.inf]
ATLAS = [g for g in nx.graph_atlas_g() if 3 <= g.number_of_nodes() <= 7]


def budget(n: int) -> settings:
    return settings(deadline=None, max_examples=max(1, round(n * settings.default.max_examples / 30)))


def npdist(a, b, p):
    return float(np.linalg.norm(np.asarray(a, float) - np.asarray(b, float), ord=p))


# ------------------------------------------------------------------------------------------
# independent references
# ------------------------------------------------------------------------------------------


def brute_subsets(x, y, w, p, eps):
    """1 - max weight of a subset with no differently-labelled pair whose midpoint is within eps of both."""
    n = len(w)
    best = 0.0
    for mask in range(1 << n):
        S = [i for i in range(n) if mask >> i & 1]
        if all(y[a] == y[b] or npdist(0.5 * (x[a] + x[b]), x[a], p) > eps or npdist(0.5 * (x[a] + x[b]), x[b], p) > eps
               for a, b in itertools.combinations(S, 2)):
            best = max(best, float(sum(w[S])))
    return 1.0 - best / float(np.sum(w))


def brute_labelings_1d(x, y, w, eps):
    """Optimal robust error in 1-D: every labeling of the cells of the arrangement of [x_i - eps, x_i + eps]."""
    classes = sorted(set(y.tolist()))
    ends = np.unique(np.concatenate([x - eps, x + eps]))
    probes = np.concatenate([ends, 0.5 * (ends[1:] + ends[:-1])])
    member = np.abs(probes[:, None] - x[None, :]) <= eps
    pattern, inv = np.unique(member, axis=0, return_inverse=True)
    inv = inv.ravel()
    cells = np.flatnonzero(pattern.any(axis=1))
    cell_sets = [np.unique(inv[member[:, i]]) for i in range(len(x))]
    best = 0.0
    for lab in itertools.product(classes, repeat=len(cells)):
        h = np.full(len(pattern), -10**9)
        h[cells] = lab
        ok = np.array([np.all(h[c] == y[i]) for i, c in enumerate(cell_sets)])
        best = max(best, float(w[ok].sum()))
    return 1.0 - best / float(w.sum())


def balls_meet(a, b, eps, p):
    """A point of B_p(a, eps) ∩ B_p(b, eps), or None: linear programming (p = 1, inf), projection (p = 2)."""
    d = len(a)
    if p == 2:
        z = a + project_onto_lp_ball(b - a, eps, 2)
        return z if np.linalg.norm(z - b) <= eps * (1 + 1e-9) else None
    # variables z (d), t (d), s (d): |z - a| <= t, |z - b| <= s
    I, Z = np.eye(d), np.zeros((d, d))
    A = np.block([[I, -I, Z], [-I, -I, Z], [I, Z, -I], [-I, Z, -I]])
    ub = np.concatenate([a, -a, b, -b])
    if p == 1:
        A = np.vstack([A, np.concatenate([np.zeros(d), np.ones(d), np.zeros(d)]),
                       np.concatenate([np.zeros(2 * d), np.ones(d)])])
        ub = np.concatenate([ub, [eps, eps]])
        bounds = [(None, None)] * d + [(0, None)] * 2 * d
    else:
        bounds = [(None, None)] * d + [(0, eps)] * 2 * d
    res = optimize.linprog(np.zeros(3 * d), A_ub=A, b_ub=ub, bounds=bounds, method="highs")
    return res.x[:d] if res.status == 0 else None


def tiny_instance(draw, max_n=7, dim=None):
    n = draw(st.integers(1, max_n))
    d = dim or draw(st.integers(1, 3))
    x = np.array(draw(st.lists(st.lists(st.integers(-2, 2), min_size=d, max_size=d), min_size=n, max_size=n)),
                 dtype=float)
    y = np.array(draw(st.lists(st.integers(0, 2), min_size=n, max_size=n)))
    w = np.array(draw(st.lists(st.integers(1, 9), min_size=n, max_size=n)), dtype=float)
    return x, y, w


@st.composite
def tiny(draw, max_n=7, dim=None):
    x, y, w = tiny_instance(draw, max_n, dim)
    p = draw(st.sampled_from(NORMS))
    eps = draw(st.sampled_from([0.0, 0.25, 0.5, 1.0, 1.5, 2.0]))
    return x, y, w, p, eps


# ------------------------------------------------------------------------------------------
# the printed reduction
# ------------------------------------------------------------------------------------------


def test_reduction_matches_hand_written_matrix():
    # path 0 - 1 - 2; pairs (0,1), (0,2), (1,2); p = inf, lambda = eps = 1 (eq. 16)
    G = nx.path_graph(3)
    x, y, w = H.shaeiri_reduction(G, np.inf, 1.0)
    # M  = [[-1, -1, 0], [1, 0, -1], [0, 1, 1]]; edges (0,1), (1,2) take absolute values in their columns
    expected = np.array([[1.0, -1.0, 0.0], [1.0, 0.0, 1.0], [0.0, 1.0, 1.0]])
    np.testing.assert_array_equal(x, expected)
    np.testing.assert_array_equal(y, [0, 1, 2])
    np.testing.assert_allclose(w, [1 / 3] * 3)
    # p = 2, k = 3: lambda = eps / sqrt(2)
    x2, _, _ = H.shaeiri_reduction(G, 2, 1.0)
    np.testing.assert_allclose(x2, expected / np.sqrt(2), rtol=1e-15)


@pytest.mark.parametrize("p", [1.0, 1.5, 2.0, 3.0, np.inf])
def test_reduction_distances_as_printed(p):
    """Adjacent rows exactly eps apart, others eps ((2^p + 2k - 4)/(2k - 4))^(1/p) apart (derived by hand)."""
    eps = 0.7
    for g in ATLAS[::7]:
        k = g.number_of_nodes()
        x, _, _ = H.shaeiri_reduction(g, p, eps)
        assert x.shape == (k, k * (k - 1) // 2)
        nodes = list(g.nodes())
        far = eps * 2.0 if np.isinf(p) else eps * ((2**p + 2 * k - 4) / (2 * k - 4)) ** (1 / p)
        for a, b in itertools.combinations(range(k), 2):
            want = eps if g.has_edge(nodes[a], nodes[b]) else far
            assert npdist(x[a], x[b], p) == pytest.approx(want, rel=1e-12)
            assert npdist(x[a], x[b], p) <= 2 * eps * (1 + 1e-12)  # the balls always meet


@pytest.mark.parametrize("p", [2.0, np.inf])
def test_printed_reduction_full_atlas(p):
    """Whole atlas, 3-7 vertices: optimal error is 1 - 1/k, and 1 - alpha_3/k exactly when alpha_3 = 1."""
    n_fail = 0
    for g in ATLAS:
        k = g.number_of_nodes()
        err = H.optimal_robust_error(*H.shaeiri_reduction(g, p, 0.5), p, 0.5)
        assert err == pytest.approx(1 - 1 / k, abs=1e-12)
        a3 = H.distance3_independence_number(g)
        n_fail += abs(err - (1 - a3 / k)) > 1e-12
        assert (abs(err - (1 - a3 / k)) < 1e-12) == (a3 == 1)
    assert n_fail > 0


@pytest.mark.parametrize("p", [2.0, np.inf])
def test_corrected_reduction_full_atlas(p):
    for g in ATLAS:
        k = g.number_of_nodes()
        a, a3 = H.independence_number(g), H.distance3_independence_number(g)
        assert H.optimal_robust_error(*H.corrected_reduction(g, p, 0.5), p, 0.5) == pytest.approx(1 - a / k, abs=1e-12)
        e3 = H.optimal_robust_error(*H.corrected_reduction(g, p, 0.5, distance=3), p, 0.5)
        assert e3 == pytest.approx(1 - a3 / k, abs=1e-12)


def test_corrected_reduction_with_few_labels():
    """Labels from a proper colouring (few classes) leave the optimal robust error at 1 - alpha/k."""
    graphs = ATLAS[::5] + [nx.petersen_graph(), nx.cubical_graph(), nx.random_regular_graph(3, 12, seed=1)]
    for g in graphs:
        k = g.number_of_nodes()
        for dist, alpha in ((2, brute_alpha(g, 2)), (3, brute_alpha(g, 3))):
            Hg = g if dist == 2 else nx.power(g, 2)
            col = nx.greedy_color(Hg, strategy="largest_first")
            x, y, w = H.corrected_reduction(g, 2, 0.5, distance=dist, coloring=col)
            assert len(set(y.tolist())) == max(col.values()) + 1
            assert H.optimal_robust_error(x, y, w, 2, 0.5) == pytest.approx(1 - alpha / k, abs=1e-12)
    # cubic graphs (other than K4) are 3-colourable (Brooks): three classes suffice
    g = nx.petersen_graph()
    col = nx.coloring.greedy_color(g, strategy="DSATUR")
    assert max(col.values()) + 1 == 3
    x, y, w = H.corrected_reduction(g, np.inf, 1.0, coloring=col)
    assert H.optimal_robust_error(x, y, w, np.inf, 1.0) == pytest.approx(1 - 4 / 10, abs=1e-12)  # alpha = 4


@pytest.mark.parametrize("p", [1.0, 1.5, 2.0, 4.0, 60.0, np.inf])
def test_corrected_reduction_geometry(p):
    """The closed eps-balls of two rows meet iff the vertices are adjacent (distances by numpy)."""
    eps = 0.3
    for g in ATLAS[::11] + [nx.petersen_graph(), nx.cycle_graph(9)]:
        x, y, w = H.corrected_reduction(g, p, eps)
        nodes = list(g.nodes())
        for a, b in itertools.combinations(range(len(nodes)), 2):
            mid = 0.5 * (x[a] + x[b])
            meet = npdist(mid, x[a], p) <= eps
            assert meet == g.has_edge(nodes[a], nodes[b])


def test_corrected_lambda_interval():
    for p in [1.0, 2.0, 3.0, np.inf]:
        for k in [3, 4, 10]:
            lam = H.reduction_lambda(k, p, 1.0, corrected=True)
            if np.isinf(p):
                assert 1.0 < lam <= 2.0
            else:
                assert 2 / (2**p + 2 * k - 4) ** (1 / p) < lam <= 2 / (2 * k - 4) ** (1 / p)
            assert H.reduction_lambda(k, p, 1.0) == pytest.approx(1.0 if np.isinf(p) else (2 * k - 4) ** (-1 / p))


# ------------------------------------------------------------------------------------------
# graph quantities
# ------------------------------------------------------------------------------------------


def brute_alpha(g, d):
    nodes = list(g.nodes())
    dist = dict(nx.all_pairs_shortest_path_length(g))
    best = 0
    for r in range(1, len(nodes) + 1):
        for S in itertools.combinations(nodes, r):
            if all(dist[u].get(v, np.inf) >= d for u, v in itertools.combinations(S, 2)):
                best = r
    return best


def test_distance_independence_numbers_against_bfs():
    graphs = [g for g in ATLAS if g.number_of_nodes() <= 6][::2]
    rng = np.random.default_rng(5)
    graphs += [nx.gnp_random_graph(9, 0.3, seed=int(s)) for s in rng.integers(0, 10**6, 4)]
    for g in graphs:
        assert H.independence_number(g) == brute_alpha(g, 2)
        assert H.distance3_independence_number(g) == brute_alpha(g, 3)
        assert H.distance_independence_number(g, 4) == brute_alpha(g, 4)
        S = H.maximum_distance_independent_set(g, 3)
        dist = dict(nx.all_pairs_shortest_path_length(g))
        assert all(dist[u].get(v, np.inf) >= 3 for u, v in itertools.combinations(S, 2))
    assert H.distance3_independence_number(nx.path_graph(7)) == 3  # 0, 3, 6
    assert H.distance3_independence_number(nx.cycle_graph(6)) == 2
    assert H.distance_independence_number(nx.path_graph(4), 1) == 4


# ------------------------------------------------------------------------------------------
# optimal_robust_error against brute force
# ------------------------------------------------------------------------------------------


@given(tiny())
@budget(60)
def test_optimal_robust_error_matches_subset_brute_force(inst):
    x, y, w, p, eps = inst
    want = brute_subsets(x, y, w, p, eps)
    for method in ["auto", "branch_and_bound", "milp"]:
        assert H.optimal_robust_error(x, y, w, p, eps, method=method) == pytest.approx(want, abs=1e-12)
    if len(set(y.tolist())) <= 2:
        assert H.optimal_robust_error(x, y, w, p, eps, method="mincut") == pytest.approx(want, abs=1e-12)


@given(st.data())
@budget(40)
def test_optimal_robust_error_matches_all_labelings_1d(data):
    n = data.draw(st.integers(1, 4))
    x = np.array(data.draw(st.lists(st.integers(0, 6), min_size=n, max_size=n)), float) * 0.5
    y = np.array(data.draw(st.lists(st.integers(0, 2 if n <= 3 else 1), min_size=n, max_size=n)))
    w = np.array(data.draw(st.lists(st.integers(1, 5), min_size=n, max_size=n)), float)
    eps = data.draw(st.sampled_from([0.0, 0.25, 0.5, 0.75, 1.0]))
    want = brute_labelings_1d(x, y, w, eps)
    for p in NORMS:  # every lp norm is |.| in one dimension
        assert H.optimal_robust_error(x[:, None], y, w, p, eps) == pytest.approx(want, abs=1e-12)


@given(tiny(max_n=8))
@budget(30)
def test_explicit_classifier_attains_the_optimum(inst):
    """The classifier built from S has robust error 1 - w(S)/W, evaluated directly with LP/projection witnesses."""
    x, y, w, p, eps = inst
    h, S = H.robust_classifier(x, y, w, p, eps)
    inS = np.zeros(len(w), bool)
    inS[S] = True
    robust = np.zeros(len(w), bool)
    rng = np.random.default_rng(0)
    for i in range(len(w)):
        # attack points: a witness in B(x_i) ∩ B(x_j) (LP / projection) and the midpoint for every other atom j,
        # and random points of B(x_i); only points that lie in the closed ball B(x_i) are kept
        wit = [z for j in range(len(w)) if j != i and (z := balls_meet(x[i], x[j], eps, p)) is not None]
        mids = [0.5 * (x[i] + x[j]) for j in range(len(w))]
        rand = x[i] + project_onto_lp_ball(rng.uniform(-eps, eps, (20, x.shape[1])), eps, p)
        cands = np.vstack([x[i][None], rand] + [np.asarray(z)[None] for z in wit + mids])
        cands = cands[np.linalg.norm(cands - x[i], ord=p, axis=1) <= eps * (1 + 1e-12)]
        robust[i] = np.all(h(cands) == y[i])
        if inS[i]:
            assert robust[i], f"atom {i} of S is attacked"
    direct = 1.0 - w[robust].sum() / w.sum()
    opt = H.optimal_robust_error(x, y, w, p, eps)
    assert direct == pytest.approx(opt, abs=1e-12)
    assert opt == pytest.approx(brute_subsets(x, y, w, p, eps), abs=1e-12)


# ------------------------------------------------------------------------------------------
# properties
# ------------------------------------------------------------------------------------------


@given(tiny(max_n=9), st.sampled_from([0.1, 0.5, 1.0]))
@budget(40)
def test_properties(inst, step):
    x, y, w, p, eps = inst
    e0 = H.optimal_robust_error(x, y, w, p, eps)
    e1 = H.optimal_robust_error(x, y, w, p, eps + step)
    assert 0.0 <= e0 <= e1 <= 1.0
    W = w.sum()
    # constant classifiers
    for c in set(y.tolist()):
        assert e0 <= 1.0 - w[y == c].sum() / W + 1e-12
    # 1-NN is certified robust at x_i when every other-label point is more than 2 eps away
    D = np.linalg.norm(x[:, None] - x[None], ord=p, axis=-1)
    other = y[:, None] != y[None, :]
    certified = ~np.any(other & (D <= 2 * eps), axis=1)
    assert e0 <= 1.0 - w[certified].sum() / W + 1e-12
    # eps = 0: the Bayes error (the heaviest label at every distinct point)
    bayes = 0.0
    groups: dict[tuple, dict[int, float]] = {}
    for xi, yi, wi in zip(map(tuple, x), y.tolist(), w.tolist(), strict=True):
        groups.setdefault(xi, {}).setdefault(yi, 0.0)
        groups[xi][yi] += wi
    bayes = sum(sum(g.values()) - max(g.values()) for g in groups.values()) / W
    assert H.optimal_robust_error(x, y, w, p, 0.0) == pytest.approx(bayes, abs=1e-12)


def test_distinct_points_eps_zero_and_huge_eps():
    rng = np.random.default_rng(3)
    x, y, w = rng.normal(size=(30, 4)), rng.integers(0, 4, 30), rng.random(30)
    assert H.optimal_robust_error(x, y, w, 2, 0.0) == 0.0
    # eps beyond the diameter: every cross-label pair conflicts; the best is the heaviest class
    big = H.optimal_robust_error(x, y, w, 2, 100.0)
    assert big == pytest.approx(1 - max(w[y == c].sum() for c in range(4)) / w.sum(), abs=1e-12)


def test_two_classes_bipartite_and_solvers_agree():
    rng = np.random.default_rng(11)
    for p in NORMS:
        x, y, w = rng.normal(size=(60, 5)), rng.integers(0, 2, 60), rng.random(60)
        D = np.linalg.norm(x[:, None] - x[None], ord=p, axis=-1)
        eps = 0.5 * np.quantile(D[np.triu_indices(60, 1)], 0.1)
        g = H.conflict_graph(x, y, p, eps)
        assert nx.is_bipartite(g) and g.number_of_edges() > 30
        vals = [H.optimal_robust_error(x, y, w, p, eps, method=m) for m in ["mincut", "milp", "branch_and_bound"]]
        assert vals[0] == pytest.approx(vals[1], abs=1e-9) and vals[0] == pytest.approx(vals[2], abs=1e-12)
        # maximum weight independent set = maximum weight clique of the complement (networkx, integer weights)
        wi = rng.integers(1, 100, 60)
        comp = nx.complement(g)
        nx.set_node_attributes(comp, {v: int(wi[v]) for v in comp}, "wt")
        _, best = nx.max_weight_clique(comp, weight="wt")
        want = 1 - best / wi.sum()
        assert H.optimal_robust_error(x, y, wi, p, eps, method="mincut") == pytest.approx(want, abs=1e-12)


def test_three_classes_bnb_vs_milp_vs_networkx():
    rng = np.random.default_rng(12)
    for p in NORMS:
        n = 26
        x, y = rng.normal(size=(n, 3)), rng.integers(0, 3, n)
        w = rng.integers(1, 50, n).astype(float)
        D = np.linalg.norm(x[:, None] - x[None], ord=p, axis=-1)
        eps = 0.5 * np.quantile(D[np.triu_indices(n, 1)], 0.3)
        g = H.conflict_graph(x, y, p, eps)
        comp = nx.complement(g)
        nx.set_node_attributes(comp, {v: int(w[v]) for v in comp}, "wt")
        _, best = nx.max_weight_clique(comp, weight="wt")
        want = 1 - best / w.sum()
        for m in ["auto", "branch_and_bound", "milp"]:
            assert H.optimal_robust_error(x, y, w, p, eps, method=m) == pytest.approx(want, abs=1e-12)


def test_conflict_graph_and_distance_graph():
    x = np.array([[0.0, 0.0], [1.0, 0.0], [3.0, 0.0], [0.0, 0.0]])
    y = np.array([0, 1, 1, 1])
    g = H.conflict_graph(x, y, 2, 0.5)
    assert set(map(frozenset, g.edges())) == {frozenset((0, 1)), frozenset((0, 3))}
    assert set(map(frozenset, H.distance_graph(x, 2, 1.0).edges())) == {
        frozenset(e) for e in [(0, 1), (0, 3), (1, 3)]}
    # touching balls conflict (closed balls); rtol absorbs rounding of an exact touch
    x2 = np.array([[0.0], [0.1 + 0.2]])
    assert H.conflict_graph(x2, [0, 1], 1, 0.15).number_of_edges() == 1
    assert H.conflict_graph(x2, [0, 1], 1, 0.15, rtol=0.0).number_of_edges() == 0  # 0.30000000000000004 > 0.3


def test_zero_weight_atoms_are_ignored():
    x = np.array([[0.0], [0.5], [5.0]])
    y = np.array([0, 1, 1])
    S, wt = H.max_weight_robust_set(x, y, [1.0, 0.0, 2.0], 2, 0.5)
    assert list(S) == [0, 2] and wt == 3.0


# ------------------------------------------------------------------------------------------
# bad input
# ------------------------------------------------------------------------------------------

GOOD = (np.zeros((3, 2)) + np.arange(3)[:, None], np.array([0, 1, 1]), np.ones(3))


def bad_calls():
    x, y, w = GOOD
    return [
        ("G", lambda: H.shaeiri_reduction(nx.Graph(), 2, 1.0)),
        ("G", lambda: H.shaeiri_reduction(nx.path_graph(2), 2, 1.0)),
        ("G", lambda: H.shaeiri_reduction(nx.DiGraph([(0, 1), (1, 2)]), 2, 1.0)),
        ("G", lambda: H.shaeiri_reduction(nx.MultiGraph([(0, 1), (1, 2)]), 2, 1.0)),
        ("G", lambda: H.shaeiri_reduction(nx.Graph([(0, 0), (1, 2)]), 2, 1.0)),
        ("G", lambda: H.independence_number(nx.Graph())),
        ("G", lambda: H.distance3_independence_number("not a graph")),
        ("eps", lambda: H.shaeiri_reduction(nx.path_graph(3), 2, -0.1)),
        ("eps", lambda: H.corrected_reduction(nx.path_graph(3), 2, 0.0)),
        ("distance", lambda: H.corrected_reduction(nx.path_graph(3), 2, 1.0, distance=1)),
        ("distance", lambda: H.distance_independence_number(nx.path_graph(3), 0)),
        ("coloring", lambda: H.corrected_reduction(nx.path_graph(3), 2, 1.0, coloring={0: 0, 1: 0, 2: 1})),
        ("coloring", lambda: H.corrected_reduction(nx.path_graph(3), 2, 1.0, coloring={0: 0, 1: 1})),
        ("norm", lambda: H.shaeiri_reduction(nx.path_graph(3), 0.5, 1.0)),
        ("k", lambda: H.reduction_lambda(2, 2, 1.0)),
        ("points", lambda: H.optimal_robust_error(np.zeros(3), y, w, 2, 1.0)),
        ("points", lambda: H.optimal_robust_error(np.zeros((0, 2)), [], [], 2, 1.0)),
        ("points", lambda: H.optimal_robust_error([[0.0, np.nan]] * 3, y, w, 2, 1.0)),
        ("labels", lambda: H.optimal_robust_error(x, y[:2], w, 2, 1.0)),
        ("labels", lambda: H.optimal_robust_error(x, [0.5, 1, 1], w, 2, 1.0)),
        ("weights", lambda: H.optimal_robust_error(x, y, w[:2], 2, 1.0)),
        ("weights", lambda: H.optimal_robust_error(x, y, [1.0, -1.0, 1.0], 2, 1.0)),
        ("weights", lambda: H.optimal_robust_error(x, y, [0.0, 0.0, 0.0], 2, 1.0)),
        ("norm", lambda: H.optimal_robust_error(x, y, w, 0.9, 1.0)),
        ("norm", lambda: H.optimal_robust_error(x, y, w, "l-two", 1.0)),
        ("eps", lambda: H.optimal_robust_error(x, y, w, 2, -1.0)),
        ("eps", lambda: H.optimal_robust_error(x, y, w, 2, np.inf)),
        ("eps", lambda: H.optimal_robust_error(x, y, w, 2, [1.0, 2.0])),
        ("method", lambda: H.optimal_robust_error(x, y, w, 2, 1.0, method="greedy")),
        ("mincut", lambda: H.optimal_robust_error(x, [0, 1, 2], w, 2, 1.0, method="mincut")),
        ("rtol", lambda: H.conflict_graph(x, y, 2, 1.0, rtol=-1.0)),
        ("radius", lambda: H.distance_graph(x, 2, -1.0)),
    ]


@given(st.sampled_from(range(len(bad_calls()))))
@settings(deadline=None, max_examples=60)
def test_bad_input_raises_value_error_naming_the_parameter(i):
    name, call = bad_calls()[i]
    with pytest.raises(ValueError, match=name):
        call()


@given(st.floats(allow_nan=True, allow_infinity=True), st.floats(allow_nan=True, allow_infinity=True))
@budget(40)
def test_bad_eps_and_norm_fuzzed(eps, norm):
    x, y, w = GOOD
    bad_eps = not (np.isfinite(eps) and eps >= 0)
    bad_norm = np.isnan(norm) or norm < 1
    if bad_eps or bad_norm:
        with pytest.raises(ValueError, match="eps|norm"):
            H.optimal_robust_error(x, y, w, norm, eps)
    else:
        assert 0.0 <= H.optimal_robust_error(x, y, w, norm, eps) <= 1.0
