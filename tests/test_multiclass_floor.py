"""Tests of theory.hardness.multiclass_robust_error_bounds (dai2023's hypergraph LP) and the exact MILP solver."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import optimize

from theory import hardness as H
from theory import reference as R
from theory._multiclass import chebyshev_radius
from theory.claims.beyond_multiclass_floor import classifier_lp_linf

NORMS = (1.0, 2.0, np.inf)


def instances(max_n=8, classes=3, d=2):
    return st.tuples(
        st.lists(st.tuples(*[st.integers(0, 5)] * d), min_size=2, max_size=max_n),
        st.randoms(use_true_random=False), st.sampled_from([0.1, 0.125, 0.2, 0.25, 0.3, 0.4]),
        st.sampled_from(NORMS)).map(lambda t: _build(*t, classes))


def _build(pts, rnd, eps, p, classes):
    x = np.array(pts, float) * 0.25
    y = np.array([rnd.randrange(classes) for _ in pts])
    w = np.array([rnd.randint(1, 4) for _ in pts], float)
    return x, y, w, eps, p


@settings(max_examples=40, deadline=None)
@given(instances())
def test_chain_and_brute_force(inst):
    x, y, w, eps, p = inst
    b = H.multiclass_robust_error_bounds(x, y, w, eps, norm=p)
    seq = [b.truncated[2], b.truncated.get(3, b.truncated[2]), b.randomized, b.deterministic]
    assert all(a <= c + 1e-9 for a, c in zip(seq, seq[1:], strict=False))
    assert b.deterministic == pytest.approx(R.brute_force_robust_error(x, y, w, eps, norm=p), abs=1e-12)
    assert b.lower == b.upper == b.deterministic


@settings(max_examples=25, deadline=None)
@given(instances(max_n=6, classes=4))
def test_randomized_is_the_classifier_lp(inst):
    x, y, w, eps, _ = inst
    b = H.multiclass_robust_error_bounds(x, y, w, eps, norm=np.inf)
    assert b.randomized == pytest.approx(classifier_lp_linf(x, y, w, eps), abs=1e-8)


@settings(max_examples=25, deadline=None)
@given(instances(max_n=9))
def test_bracket_without_exact_solver(inst):
    x, y, w, eps, p = inst
    b = H.multiclass_robust_error_bounds(x, y, w, eps, norm=p, exact=False)
    det = H.optimal_robust_error(x, y, w, eps, norm=p)
    assert b.deterministic is None
    assert b.lower - 1e-9 <= det <= b.upper + 1e-12


def test_one_dimensional_brute_force_over_labelings():
    rng = np.random.default_rng(7)
    for _ in range(30):
        n = int(rng.integers(2, 8))
        x = np.sort(rng.integers(0, 12, n)).astype(float) / 4
        y, w = rng.integers(0, 3, n), rng.integers(1, 5, n).astype(float)
        eps = float(rng.choice([0.125, 0.25, 0.5]))
        b = H.multiclass_robust_error_bounds(x[:, None], y, w, eps, norm=2)
        assert b.deterministic == pytest.approx(R.brute_force_robust_error_1d(x, y, w, eps), abs=1e-12)
        # on the line intervals that meet pairwise meet (Helly in R^1): the hyperedges are the cliques
        assert b.randomized == pytest.approx(_clique_lp(x[:, None], y, w, eps), abs=1e-9)


def _clique_lp(x, y, w, eps):
    import networkx as nx

    g = H.conflict_graph(x, y, eps, norm=2)
    cliques = [c for c in nx.find_cliques(g) if len(c) > 1]
    if not cliques:
        return 0.0
    A = np.zeros((len(cliques), len(w)))
    for r, c in enumerate(cliques):
        A[r, c] = 1.0
    res = optimize.linprog(-w / w.sum(), A_ub=A, b_ub=np.ones(len(cliques)), bounds=(0, 1), method="highs")
    return 1.0 + res.fun


def test_triangle_gap_between_soft_and_deterministic():
    tri = np.array([[0.0, 0.0], [1.0, 0.0], [0.5, np.sqrt(3) / 2]])
    b = H.multiclass_robust_error_bounds(tri, [0, 1, 2], None, 0.56, norm=2)  # circumradius 1/sqrt(3) = 0.577
    assert (b.randomized, b.deterministic) == (pytest.approx(0.5), pytest.approx(2 / 3))
    b = H.multiclass_robust_error_bounds(tri, [0, 1, 2], None, 0.58, norm=2)
    assert b.randomized == pytest.approx(2 / 3) and b.max_degree == 3
    b = H.multiclass_robust_error_bounds(tri, [0, 1, 2], None, 0.58, norm=2, max_degree=2, exact=False)
    assert b.randomized is None and b.lower == pytest.approx(0.5) and b.upper == pytest.approx(2 / 3)


@settings(max_examples=20, deadline=None)
@given(instances(max_n=7), st.floats(0.0, 0.3))
def test_monotone_in_eps(inst, extra):
    x, y, w, eps, p = inst
    a = H.multiclass_robust_error_bounds(x, y, w, eps, norm=p)
    b = H.multiclass_robust_error_bounds(x, y, w, eps + extra, norm=p)
    assert a.randomized <= b.randomized + 1e-9 and a.truncated[2] <= b.truncated[2] + 1e-9
    assert a.deterministic <= b.deterministic + 1e-12


def test_zero_at_eps_zero_for_distinct_points():
    x = np.random.default_rng(1).normal(size=(12, 3))
    b = H.multiclass_robust_error_bounds(x, np.arange(12) % 4, None, 0.0, norm=2)
    assert b.truncated[2] == b.randomized == b.deterministic == 0.0


def test_two_classes_all_equal_min_cut():
    rng = np.random.default_rng(2)
    for _ in range(10):
        x, y, w = rng.normal(size=(25, 3)), rng.integers(0, 2, 25), rng.random(25)
        b = H.multiclass_robust_error_bounds(x, y, w, 0.6, norm=1)
        cut = H.optimal_robust_error(x, y, w, 0.6, norm=1, method="mincut")
        assert b.truncated[2] == pytest.approx(cut, abs=1e-9) and b.randomized == pytest.approx(cut, abs=1e-9)


def test_chebyshev_radius_l2_against_slsqp():
    rng = np.random.default_rng(3)
    for k in (2, 3, 4, 5):
        for _ in range(5):
            P = rng.normal(size=(k, 4))
            cons = [{"type": "ineq", "fun": lambda v, i=i: v[-1] ** 2 - np.sum((v[:-1] - P[i]) ** 2)} for i in range(k)]
            v0 = np.append(P.mean(0), np.linalg.norm(P - P.mean(0), axis=1).max())
            res = optimize.minimize(lambda v: v[-1], v0, constraints=cons, method="SLSQP",
                                    options={"ftol": 1e-12, "maxiter": 500})
            assert chebyshev_radius(P, 2.0) == pytest.approx(res.x[-1], rel=1e-6)


def test_chebyshev_radius_l1_in_the_plane_is_pairwise():
    # l1 in R^2 is l-inf after a rotation, so balls meet iff they meet pairwise: radius = max pair distance / 2
    rng = np.random.default_rng(4)
    for _ in range(20):
        P = rng.normal(size=(int(rng.integers(2, 6)), 2))
        pair = max(np.abs(a - b).sum() for a in P for b in P) / 2
        assert chebyshev_radius(P, 1.0) == pytest.approx(pair, rel=1e-9)


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 10**6), st.integers(3, 10), st.sampled_from(NORMS))
def test_milp_equals_branch_and_bound(seed, classes, p):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(5, 35))
    x, y, w = rng.normal(size=(n, 3)), rng.integers(0, classes, n), rng.random(n)
    eps = float(rng.uniform(0.2, 0.9))
    a = H.optimal_robust_error(x, y, w, eps, norm=p, method="milp")
    b = H.optimal_robust_error(x, y, w, eps, norm=p, method="branch_and_bound")
    assert a == pytest.approx(b, abs=1e-6)


@pytest.mark.parametrize("kwargs, match", [
    ({"max_degree": 1}, "max_degree"), ({"max_hyperedges": 0}, "max_hyperedges"), ({"exact": "yes"}, "exact"),
    ({"norm": 3, "max_degree": 3}, "norm"), ({"rtol": -1.0}, "rtol")])
def test_bad_input(kwargs, match):
    with pytest.raises(ValueError, match=match):
        H.multiclass_robust_error_bounds([[0.0], [1.0]], [0, 1], None, 0.5, **kwargs)


def test_other_p_with_pairs_only():
    b = H.multiclass_robust_error_bounds([[0.0], [1.0], [5.0]], [0, 1, 2], None, 0.5, norm=3, max_degree=2)
    assert b.truncated[2] == pytest.approx(1 / 3) and b.deterministic == pytest.approx(1 / 3)


def test_hyperedge_limit_gives_a_valid_bracket():
    rng = np.random.default_rng(5)
    x, y = rng.normal(size=(30, 2)) * 0.3, rng.integers(0, 5, 30)
    full = H.multiclass_robust_error_bounds(x, y, None, 0.5, norm=np.inf)
    cut = H.multiclass_robust_error_bounds(x, y, None, 0.5, norm=np.inf, max_hyperedges=5)
    assert cut.randomized is None and cut.lower <= full.randomized + 1e-9 and cut.upper == full.deterministic
