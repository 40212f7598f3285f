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
from theory import reference
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
    return reference.brute_force_robust_error(x, y, w, eps, norm=p)


def brute_labelings_1d(x, y, w, eps):
    """Optimal robust error in 1-D: every labeling of the cells of the arrangement of [x_i - eps, x_i + eps]."""
    return reference.brute_force_robust_error_1d(x, y, w, eps)


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
    x, y, w = H.shaeiri_reduction(G, 1.0, norm=np.inf)
    # M  = [[-1, -1, 0], [1, 0, -1], [0, 1, 1]]; edges (0,1), (1,2) take absolute values in their columns
    expected = np.array([[1.0, -1.0, 0.0], [1.0, 0.0, 1.0], [0.0, 1.0, 1.0]])
    np.testing.assert_array_equal(x, expected)
    np.testing.assert_array_equal(y, [0, 1, 2])
    np.testing.assert_allclose(w, [1 / 3] * 3)
    # p = 2, k = 3: lambda = eps / sqrt(2)
    x2, _, _ = H.shaeiri_reduction(G, 1.0, norm=2)
    np.testing.assert_allclose(x2, expected / np.sqrt(2), rtol=1e-15)


@pytest.mark.parametrize("p", [1.0, 1.5, 2.0, 3.0, np.inf])
def test_reduction_distances_as_printed(p):
    """Adjacent rows exactly eps apart, others eps ((2^p + 2k - 4)/(2k - 4))^(1/p) apart (derived by hand)."""
    eps = 0.7
    for g in ATLAS[::7]:
        k = g.number_of_nodes()
        x, _, _ = H.shaeiri_reduction(g, eps, norm=p)
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
        err = H.optimal_robust_error(*H.shaeiri_reduction(g, 0.5, norm=p), 0.5, norm=p)
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
        e2 = H.optimal_robust_error(*H.corrected_reduction(g, 0.5, norm=p), 0.5, norm=p)
        assert e2 == pytest.approx(1 - a / k, abs=1e-12)
        e3 = H.optimal_robust_error(*H.corrected_reduction(g, 0.5, norm=p, distance=3), 0.5, norm=p)
        assert e3 == pytest.approx(1 - a3 / k, abs=1e-12)


def test_corrected_reduction_with_few_labels():
    """Labels from a proper colouring (few classes) leave the optimal robust error at 1 - alpha/k."""
    graphs = ATLAS[::5] + [nx.petersen_graph(), nx.cubical_graph(), nx.random_regular_graph(3, 12, seed=1)]
    for g in graphs:
        k = g.number_of_nodes()
        for dist, alpha in ((2, brute_alpha(g, 2)), (3, brute_alpha(g, 3))):
            Hg = g if dist == 2 else nx.power(g, 2)
            col = nx.greedy_color(Hg, strategy="largest_first")
            x, y, w = H.corrected_reduction(g, 0.5, norm=2, distance=dist, coloring=col)
            assert len(set(y.tolist())) == max(col.values()) + 1
            assert H.optimal_robust_error(x, y, w, 0.5, norm=2) == pytest.approx(1 - alpha / k, abs=1e-12)
    # cubic graphs (other than K4) are 3-colourable (Brooks): three classes suffice
    g = nx.petersen_graph()
    col = nx.coloring.greedy_color(g, strategy="DSATUR")
    assert max(col.values()) + 1 == 3
    x, y, w = H.corrected_reduction(g, 1.0, norm=np.inf, coloring=col)
    assert H.optimal_robust_error(x, y, w, 1.0, norm=np.inf) == pytest.approx(1 - 4 / 10, abs=1e-12)  # alpha = 4


@pytest.mark.parametrize("p", [1.0, 1.5, 2.0, 4.0, 60.0, np.inf])
def test_corrected_reduction_geometry(p):
    """The closed eps-balls of two rows meet iff the vertices are adjacent (distances by numpy)."""
    eps = 0.3
    for g in ATLAS[::11] + [nx.petersen_graph(), nx.cycle_graph(9)]:
        x, y, w = H.corrected_reduction(g, eps, norm=p)
        nodes = list(g.nodes())
        for a, b in itertools.combinations(range(len(nodes)), 2):
            mid = 0.5 * (x[a] + x[b])
            meet = npdist(mid, x[a], p) <= eps
            assert meet == g.has_edge(nodes[a], nodes[b])


def test_corrected_lambda_interval():
    for p in [1.0, 2.0, 3.0, np.inf]:
        for k in [3, 4, 10]:
            lam = H.reduction_lambda(k, 1.0, norm=p, corrected=True)
            if np.isinf(p):
                assert 1.0 < lam <= 2.0
            else:
                assert 2 / (2**p + 2 * k - 4) ** (1 / p) < lam <= 2 / (2 * k - 4) ** (1 / p)
            assert H.reduction_lambda(k, 1.0, norm=p) == pytest.approx(1.0 if np.isinf(p) else (2 * k - 4) ** (-1 / p))


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
        assert H.optimal_robust_error(x, y, w, eps, norm=p, method=method) == pytest.approx(want, abs=1e-12)
    if len(set(y.tolist())) <= 2:
        assert H.optimal_robust_error(x, y, w, eps, norm=p, method="mincut") == pytest.approx(want, abs=1e-12)


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
        assert H.optimal_robust_error(x[:, None], y, w, eps, norm=p) == pytest.approx(want, abs=1e-12)


@given(tiny(max_n=8))
@budget(30)
def test_explicit_classifier_attains_the_optimum(inst):
    """The classifier built from S has robust error 1 - w(S)/W, evaluated directly with LP/projection witnesses."""
    x, y, w, p, eps = inst
    h, S = H.robust_classifier(x, y, w, eps, norm=p)
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
    opt = H.optimal_robust_error(x, y, w, eps, norm=p)
    assert direct == pytest.approx(opt, abs=1e-12)
    assert opt == pytest.approx(brute_subsets(x, y, w, p, eps), abs=1e-12)


# ------------------------------------------------------------------------------------------
# properties
# ------------------------------------------------------------------------------------------


@given(tiny(max_n=9), st.sampled_from([0.1, 0.5, 1.0]))
@budget(40)
def test_properties(inst, step):
    x, y, w, p, eps = inst
    e0 = H.optimal_robust_error(x, y, w, eps, norm=p)
    e1 = H.optimal_robust_error(x, y, w, eps + step, norm=p)
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
    assert H.optimal_robust_error(x, y, w, 0.0, norm=p) == pytest.approx(bayes, abs=1e-12)


def test_distinct_points_eps_zero_and_huge_eps():
    rng = np.random.default_rng(3)
    x, y, w = rng.normal(size=(30, 4)), rng.integers(0, 4, 30), rng.random(30)
    assert H.optimal_robust_error(x, y, w, 0.0, norm=2) == 0.0
    # eps beyond the diameter: every cross-label pair conflicts; the best is the heaviest class
    big = H.optimal_robust_error(x, y, w, 100.0, norm=2)
    assert big == pytest.approx(1 - max(w[y == c].sum() for c in range(4)) / w.sum(), abs=1e-12)


def test_two_classes_bipartite_and_solvers_agree():
    rng = np.random.default_rng(11)
    for p in NORMS:
        x, y, w = rng.normal(size=(60, 5)), rng.integers(0, 2, 60), rng.random(60)
        D = np.linalg.norm(x[:, None] - x[None], ord=p, axis=-1)
        eps = 0.5 * np.quantile(D[np.triu_indices(60, 1)], 0.1)
        g = H.conflict_graph(x, y, eps, norm=p)
        assert nx.is_bipartite(g) and g.number_of_edges() > 30
        vals = [H.optimal_robust_error(x, y, w, eps, norm=p, method=m) for m in ["mincut", "milp", "branch_and_bound"]]
        assert vals[0] == pytest.approx(vals[1], abs=1e-9) and vals[0] == pytest.approx(vals[2], abs=1e-12)
        # maximum weight independent set = maximum weight clique of the complement (networkx, integer weights)
        wi = rng.integers(1, 100, 60)
        comp = nx.complement(g)
        nx.set_node_attributes(comp, {v: int(wi[v]) for v in comp}, "wt")
        _, best = nx.max_weight_clique(comp, weight="wt")
        want = 1 - best / wi.sum()
        assert H.optimal_robust_error(x, y, wi, eps, norm=p, method="mincut") == pytest.approx(want, abs=1e-12)


def test_three_classes_bnb_vs_milp_vs_networkx():
    rng = np.random.default_rng(12)
    for p in NORMS:
        n = 26
        x, y = rng.normal(size=(n, 3)), rng.integers(0, 3, n)
        w = rng.integers(1, 50, n).astype(float)
        D = np.linalg.norm(x[:, None] - x[None], ord=p, axis=-1)
        eps = 0.5 * np.quantile(D[np.triu_indices(n, 1)], 0.3)
        g = H.conflict_graph(x, y, eps, norm=p)
        comp = nx.complement(g)
        nx.set_node_attributes(comp, {v: int(w[v]) for v in comp}, "wt")
        _, best = nx.max_weight_clique(comp, weight="wt")
        want = 1 - best / w.sum()
        for m in ["auto", "branch_and_bound", "milp"]:
            assert H.optimal_robust_error(x, y, w, eps, norm=p, method=m) == pytest.approx(want, abs=1e-12)


def test_conflict_graph_and_distance_graph():
    x = np.array([[0.0, 0.0], [1.0, 0.0], [3.0, 0.0], [0.0, 0.0]])
    y = np.array([0, 1, 1, 1])
    g = H.conflict_graph(x, y, 0.5, norm=2)
    assert set(map(frozenset, g.edges())) == {frozenset((0, 1)), frozenset((0, 3))}
    assert set(map(frozenset, H.distance_graph(x, 1.0, norm=2).edges())) == {
        frozenset(e) for e in [(0, 1), (0, 3), (1, 3)]}
    # touching balls conflict (closed balls); rtol absorbs rounding of an exact touch
    x2 = np.array([[0.0], [0.1 + 0.2]])
    assert H.conflict_graph(x2, [0, 1], 0.15, norm=1).number_of_edges() == 1
    assert H.conflict_graph(x2, [0, 1], 0.15, norm=1, rtol=0.0).number_of_edges() == 0  # 0.30000000000000004 > 0.3


def test_zero_weight_atoms_are_ignored():
    x = np.array([[0.0], [0.5], [5.0]])
    y = np.array([0, 1, 1])
    S, wt = H.max_weight_robust_set(x, y, [1.0, 0.0, 2.0], 0.5, norm=2)
    assert list(S) == [0, 2] and wt == 3.0


# Regression test. Former defect: the total weight was summed before normalizing, so weights near the
# float maximum overflowed to inf and the optimal robust error came out 1 instead of 1/2.
@pytest.mark.parametrize("scale", [1e308, 1.7e308, 1.0, 5e-324])
def test_weights_near_the_float_limits_are_normalized_first(scale):
    """Two atoms at one point with different labels: every classifier errs on exactly one, so the optimal
    robust error is the lighter atom's share of the mass, 1/2 for equal weights (at every eps)."""
    x, y = np.zeros((2, 1)), np.array([0, 1])
    for eps in (0.0, 1.0):
        assert H.optimal_robust_error(x, y, np.array([scale, scale]), eps, norm=2) == 0.5
    assert H.optimal_robust_error(x, y, np.array([1e308, 1.5e308]), 0.0, norm=2) == pytest.approx(0.4, rel=1e-15)
    with pytest.raises(ValueError, match="weights"):
        H.optimal_robust_error(x, y, np.array([np.inf, 1.0]), 0.0, norm=2)


def test_threat_model_equals_eps_and_norm():
    """Every hardness function gives the same result for ThreatModel(p, eps) and for (eps, norm=p);
    norm=None is np.inf; a ThreatModel with a contradicting norm= is refused."""
    from theory.threat import ThreatModel

    x, y, w = GOOD[0] * 0.7, np.array([0, 1, 2]), np.array([1.0, 2.0, 3.0])
    g = nx.cycle_graph(5)
    for p in NORMS:
        tm = ThreatModel(p, 0.4)
        assert H.optimal_robust_error(x, y, w, tm) == H.optimal_robust_error(x, y, w, 0.4, norm=p)
        S1, w1 = H.max_weight_robust_set(x, y, w, tm)
        S2, w2 = H.max_weight_robust_set(x, y, w, 0.4, norm=p)
        assert list(S1) == list(S2) and w1 == w2
        assert list(H.robust_classifier(x, y, w, tm)[1]) == list(H.robust_classifier(x, y, w, 0.4, norm=p)[1])
        assert set(H.conflict_graph(x, y, tm).edges()) == set(H.conflict_graph(x, y, 0.4, norm=p).edges())
        assert set(H.distance_graph(x, tm).edges()) == set(H.distance_graph(x, 0.4, norm=p).edges())
        assert H.reduction_lambda(5, tm, corrected=True) == H.reduction_lambda(5, 0.4, norm=p, corrected=True)
        np.testing.assert_array_equal(H.shaeiri_reduction(g, tm)[0], H.shaeiri_reduction(g, 0.4, norm=p)[0])
        np.testing.assert_array_equal(H.corrected_reduction(g, tm)[0], H.corrected_reduction(g, 0.4, norm=p)[0])
    assert H.optimal_robust_error(x, y, w, 0.4) == H.optimal_robust_error(x, y, w, 0.4, norm=np.inf)
    assert H.reduction_lambda(5, 0.4) == H.reduction_lambda(5, 0.4, norm=np.inf) == 0.4  # eq. (16), p = inf
    for call in (lambda: H.optimal_robust_error(x, y, w, ThreatModel.l2(0.4), norm=1),
                 lambda: H.conflict_graph(x, y, ThreatModel.linf(0.4), norm=2),
                 lambda: H.distance_graph(x, ThreatModel.l1(0.4), norm=np.inf),
                 lambda: H.shaeiri_reduction(g, ThreatModel.l2(0.4), norm=2.5),
                 lambda: H.optimal_robust_error(x, y, w, ThreatModel.l0(1))):
        with pytest.raises(ValueError, match="norm|l0"):
            call()


# ------------------------------------------------------------------------------------------
# bad input
# ------------------------------------------------------------------------------------------

GOOD = (np.zeros((3, 2)) + np.arange(3)[:, None], np.array([0, 1, 1]), np.ones(3))


def bad_calls():
    x, y, w = GOOD
    return [
        ("G", lambda: H.shaeiri_reduction(nx.Graph(), 1.0, norm=2)),
        ("G", lambda: H.shaeiri_reduction(nx.path_graph(2), 1.0, norm=2)),
        ("G", lambda: H.shaeiri_reduction(nx.DiGraph([(0, 1), (1, 2)]), 1.0, norm=2)),
        ("G", lambda: H.shaeiri_reduction(nx.MultiGraph([(0, 1), (1, 2)]), 1.0, norm=2)),
        ("G", lambda: H.shaeiri_reduction(nx.Graph([(0, 0), (1, 2)]), 1.0, norm=2)),
        ("G", lambda: H.independence_number(nx.Graph())),
        ("G", lambda: H.distance3_independence_number("not a graph")),
        ("eps", lambda: H.shaeiri_reduction(nx.path_graph(3), -0.1, norm=2)),
        ("eps", lambda: H.corrected_reduction(nx.path_graph(3), 0.0, norm=2)),
        ("distance", lambda: H.corrected_reduction(nx.path_graph(3), 1.0, norm=2, distance=1)),
        ("distance", lambda: H.distance_independence_number(nx.path_graph(3), 0)),
        ("coloring", lambda: H.corrected_reduction(nx.path_graph(3), 1.0, norm=2, coloring={0: 0, 1: 0, 2: 1})),
        ("coloring", lambda: H.corrected_reduction(nx.path_graph(3), 1.0, norm=2, coloring={0: 0, 1: 1})),
        ("norm", lambda: H.shaeiri_reduction(nx.path_graph(3), 1.0, norm=0.5)),
        ("k", lambda: H.reduction_lambda(2, 1.0, norm=2)),
        ("points", lambda: H.optimal_robust_error(np.zeros(3), y, w, 1.0, norm=2)),
        ("points", lambda: H.optimal_robust_error(np.zeros((0, 2)), [], [], 1.0, norm=2)),
        ("points", lambda: H.optimal_robust_error([[0.0, np.nan]] * 3, y, w, 1.0, norm=2)),
        ("labels", lambda: H.optimal_robust_error(x, y[:2], w, 1.0, norm=2)),
        ("labels", lambda: H.optimal_robust_error(x, [0.5, 1, 1], w, 1.0, norm=2)),
        ("weights", lambda: H.optimal_robust_error(x, y, w[:2], 1.0, norm=2)),
        ("weights", lambda: H.optimal_robust_error(x, y, [1.0, -1.0, 1.0], 1.0, norm=2)),
        ("weights", lambda: H.optimal_robust_error(x, y, [0.0, 0.0, 0.0], 1.0, norm=2)),
        ("norm", lambda: H.optimal_robust_error(x, y, w, 1.0, norm=0.9)),
        ("norm", lambda: H.optimal_robust_error(x, y, w, 1.0, norm="l-two")),
        ("eps", lambda: H.optimal_robust_error(x, y, w, -1.0, norm=2)),
        ("eps", lambda: H.optimal_robust_error(x, y, w, np.inf, norm=2)),
        ("eps", lambda: H.optimal_robust_error(x, y, w, [1.0, 2.0], norm=2)),
        ("method", lambda: H.optimal_robust_error(x, y, w, 1.0, norm=2, method="greedy")),
        ("mincut", lambda: H.optimal_robust_error(x, [0, 1, 2], w, 1.0, norm=2, method="mincut")),
        ("rtol", lambda: H.conflict_graph(x, y, 1.0, norm=2, rtol=-1.0)),
        ("radius", lambda: H.distance_graph(x, -1.0, norm=2)),
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
            H.optimal_robust_error(x, y, w, eps, norm=norm)
    else:
        assert 0.0 <= H.optimal_robust_error(x, y, w, eps, norm=norm) <= 1.0
