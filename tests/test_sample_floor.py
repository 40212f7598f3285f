"""Tests of theory.sample_floor: the multi-radius exact optimal robust error of two-class samples.

Independent computations: theory.hardness (the conflict graph and the networkx minimum cut, one
radius at a time), a brute force over all subsets of atoms with its own distances (no networkx), and
properties (monotone in eps, permutation and label-swap invariance, scale covariance, the cover).
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from theory import hardness as H
from theory.sample_floor import optimal_robust_errors, robust_floor_curve

NORMS = [1, 2, np.inf]


def _dist(a, b, p):
    """Own distance (no theory code): sum, max or sqrt of the sum of squares of |a - b|."""
    diff = np.abs(np.asarray(a, float) - np.asarray(b, float))
    if p == 1:
        return float(sum(diff.tolist()))
    if np.isinf(p):
        return float(max(diff.tolist()))
    return float(np.sqrt(sum((diff * diff).tolist())))


def brute_force(x, y, w, eps, p, rtol=1e-12):
    """max over subsets S with no cross-label pair within 2 eps (1 + rtol) of w(S); the error is 1 minus it / total."""
    n = len(x)
    w = np.ones(n) if w is None else np.asarray(w, float)
    conflict = [[y[i] != y[j] and _dist(x[i], x[j], p) <= 2.0 * eps * (1.0 + rtol) for j in range(n)]
                for i in range(n)]
    best = 0.0
    for mask in range(1 << n):
        S = [i for i in range(n) if mask >> i & 1]
        if all(not conflict[i][j] for i, j in itertools.combinations(S, 2)):
            best = max(best, sum(w[S]))
    return 1.0 - best / w.sum()


def _sample(rng, n, d, grid):
    x = rng.integers(-2, 3, size=(n, d)).astype(float) if grid else rng.normal(size=(n, d))
    return x, rng.integers(0, 2, size=n)


@pytest.mark.parametrize("p", NORMS)
def test_equals_hardness_solver_and_conflict_graph(p):
    rng = np.random.default_rng(1)
    for trial in range(40):
        grid = trial % 2 == 0  # integer grid: duplicates and distances of exactly 2 eps
        x, y = _sample(rng, int(rng.integers(2, 40)), int(rng.integers(1, 4)), grid)
        w = None if trial % 3 else rng.integers(0, 4, size=len(x)).astype(float)
        if w is not None and w.sum() == 0:
            w = None
        eps = rng.permutation([0.0, 0.5, 1.0, 1.5, 1.0, float(rng.random() * 2)])  # unsorted, a repeat
        c = robust_floor_curve(x, y, eps, norm=p, weights=w)
        for k, e in enumerate(eps):
            assert abs(c.errors[k] - H.optimal_robust_error(x, y, w, e, norm=p)) <= 1e-12
            g = H.conflict_graph(x, y, e, norm=p)
            live = np.ones(len(x), bool) if w is None else w > 0
            assert c.pairs[k] == sum(1 for u, v in g.edges() if live[u] and live[v])


@pytest.mark.parametrize("p", NORMS)
def test_brute_force_tiny(p):
    rng = np.random.default_rng(2)
    for trial in range(25):
        n = int(rng.integers(1, 11))
        x, y = _sample(rng, n, 2, trial % 2 == 0)
        w = None if trial % 2 else rng.random(n)
        eps = [0.0, 0.5, 1.0, 2.0, 0.3]
        c = robust_floor_curve(x, y, eps, norm=p, weights=w)
        expected = [brute_force(x, y, w, e, p) for e in eps]
        np.testing.assert_allclose(c.errors, expected, rtol=0, atol=1e-12)


def test_ties_at_exactly_two_eps_count_as_conflicts():
    # distances 1 (l2: 3-4-5 triangle scaled, l1: 0.5 + 0.5, l-inf: 1) exactly equal to 2 eps
    x = np.array([[0.0, 0.0], [0.6, 0.8], [0.5, 0.5], [1.0, 0.0]])
    assert optimal_robust_errors(x[:2], [0, 1], 0.5, norm=2).tolist() == [0.5]
    assert optimal_robust_errors(x[[0, 2]], [0, 1], 0.5, norm=1).tolist() == [0.5]
    assert optimal_robust_errors(x[[0, 3]], [0, 1], 0.5, norm=np.inf).tolist() == [0.5]
    # just below the tie: no conflict
    assert optimal_robust_errors(x[:2], [0, 1], 0.5 * (1 - 1e-9), norm=2).tolist() == [0.0]


def test_rounding_near_threshold_matches_conflict_graph(monkeypatch):
    # non-dyadic coordinates whose float distance sits on the threshold: the exact recheck must decide
    import theory.sample_floor as SF

    rechecked = []
    exact = SF._exact_levels
    monkeypatch.setattr(SF, "_exact_levels", lambda *a: rechecked.append(len(a[2])) or exact(*a))
    rng = np.random.default_rng(3)
    a = rng.normal(size=(30, 50))
    b = a + rng.normal(size=(30, 50)) * 1e-3
    x = np.concatenate([a, b])
    y = np.repeat([0, 1], 30)
    dist = np.linalg.norm(a - b, axis=1)
    for rtol in (0.0, 1e-12):
        eps = dist / 2.0  # each eps puts one pair (about) exactly on its threshold
        c = robust_floor_curve(x, y, eps, norm=2, rtol=rtol)
        for k in range(0, 30, 3):
            g = H.conflict_graph(x, y, eps[k], norm=2, rtol=rtol)
            assert c.pairs[k] == g.number_of_edges()
    assert sum(rechecked) >= 30  # the pairs on their thresholds went through the exact recheck


def test_zero_at_eps_zero_for_distinct_points_and_duplicates_conflict():
    rng = np.random.default_rng(4)
    x = rng.normal(size=(50, 3))
    y = rng.integers(0, 2, size=50)
    assert robust_floor_curve(x, y, 0.0).errors.tolist() == [0.0]
    # the same point with both labels: half of the mass is lost already at eps = 0
    assert optimal_robust_errors([[1.0, 2.0], [1.0, 2.0]], [0, 1], 0.0, norm=1).tolist() == [0.5]


def test_cover_is_a_minimum_cover():
    rng = np.random.default_rng(5)
    x, y = _sample(rng, 60, 2, False)
    w = rng.random(60)
    eps = [0.1, 0.3, 0.6]
    c = robust_floor_curve(x, y, eps, norm=2, weights=w)
    for k, e in enumerate(eps):
        cov = c.cover[k]
        for i, j in itertools.combinations(range(60), 2):
            if y[i] != y[j] and _dist(x[i], x[j], 2) <= 2 * e * (1 + 1e-12):
                assert cov[i] or cov[j]
        assert abs(w[cov].sum() / w.sum() - c.errors[k]) <= 1e-12


def test_chunk_and_large_weights_paths_agree():
    rng = np.random.default_rng(6)
    x, y = _sample(rng, 80, 5, False)
    eps = np.linspace(0, 1.5, 7)
    ref = robust_floor_curve(x, y, eps)
    for chunk in (1, 7, 1000):
        assert robust_floor_curve(x, y, eps, chunk=chunk).errors.tolist() == ref.errors.tolist()
    w = rng.random(80) * 1e-7  # exact integer weights beyond int32: the networkx path
    big = robust_floor_curve(x, y, eps, weights=w)
    assert big.total >= 2**30
    np.testing.assert_allclose(big.errors, [H.optimal_robust_error(x, y, w, e, norm=2) for e in eps], atol=1e-12)
    counts = rng.integers(1, 5, size=80)  # integer counts stay counts
    assert robust_floor_curve(x, y, eps, weights=counts).total == counts.sum()


def test_scale_covariance_huge_and_tiny_points():
    rng = np.random.default_rng(7)
    x, y = _sample(rng, 40, 3, False)
    eps = [0.2, 0.5, 1.0]
    ref = robust_floor_curve(x, y, eps).errors
    for s in (2.0**-1000, 2.0**1000):  # powers of two: exact scaling
        assert robust_floor_curve(x * s, y, np.array(eps) * s).errors.tolist() == ref.tolist()


def test_bad_input():
    x, y = [[0.0], [1.0]], [0, 1]
    for kwargs, name in [(dict(eps=-0.1), "eps"), (dict(eps=[]), "eps"), (dict(eps=[[0.1]]), "eps"),
                         (dict(eps=np.nan), "eps"), (dict(eps=0.1, norm=3), "norm"),
                         (dict(eps=0.1, chunk=0), "chunk"), (dict(eps=0.1, rtol=-1.0), "rtol"),
                         (dict(eps=0.1, weights=[0.0, 0.0]), "weights")]:
        with pytest.raises(ValueError, match=name):
            robust_floor_curve(x, y, **kwargs)
    with pytest.raises(ValueError, match="labels"):
        robust_floor_curve([[0.0], [1.0], [2.0]], [0, 1, 2], 0.1)
    # a third label on an atom of weight 0 takes no part
    assert robust_floor_curve([[0.0], [1.0], [2.0]], [0, 1, 2], 0.5, weights=[1, 1, 0]).errors.tolist() == [0.5]


pts = st.integers(2, 9).flatmap(lambda n: st.tuples(
    st.lists(st.lists(st.integers(-3, 3), min_size=2, max_size=2), min_size=n, max_size=n),
    st.lists(st.integers(0, 1), min_size=n, max_size=n)))


@settings(max_examples=40, deadline=None)
@given(pts, st.lists(st.floats(0, 4, allow_nan=False), min_size=1, max_size=6), st.sampled_from(NORMS),
       st.randoms(use_true_random=False))
def test_properties(data, eps, p, rnd):
    x, y = np.array(data[0], float), np.array(data[1])
    c = robust_floor_curve(x, y, eps, norm=p)
    order = np.argsort(eps, kind="stable")
    assert np.all(np.diff(c.errors[order]) >= 0)  # monotone in eps
    assert np.all(np.diff(c.pairs[order]) >= 0)
    perm = list(range(len(x)))
    rnd.shuffle(perm)
    assert robust_floor_curve(x[perm], y[perm], eps, norm=p).errors.tolist() == c.errors.tolist()
    assert robust_floor_curve(x, 1 - y, eps, norm=p).errors.tolist() == c.errors.tolist()
    assert np.all(c.errors <= 0.5 + 1e-15)  # the majority label alone is never worse than 1/2 off
    assert c.errors.tolist() == pytest.approx([brute_force(x, y, None, e, p) for e in eps], abs=1e-12)
