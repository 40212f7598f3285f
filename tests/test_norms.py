"""Tests of theory.norms: dual exponents, lp norms, projections onto lp balls, distances.

References: numpy.linalg.norm (with exact power-of-two rescaling for huge and tiny
magnitudes), scipy.optimize for the projection problem itself, the variational
inequality that characterizes a Euclidean projection onto a convex set, and random
feasible points.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from scipy import optimize

from theory.norms import distance_to_lp_ball, dual_exponent, dual_norm, lp_norm, project_onto_lp_ball

FAST_P = [1.0, 2.0, np.inf]
ALL_P = [1.0, 1.5, 2.0, 3.0, np.inf]


def budget(n: int) -> settings:
    """``max_examples`` scaled with the active hypothesis profile (n examples in the ci profile)."""
    return settings(max_examples=max(1, round(n * settings.default.max_examples / 30)))


def np_norm(v, p, axis=-1):
    """numpy's norm, scaled by the largest entry first so that large p does not overflow (4**513)."""
    v = np.asarray(v, float)
    if p in (1, 2, np.inf):
        return np.linalg.norm(v, ord=p, axis=axis)
    big = np.max(np.abs(v), axis=axis, keepdims=True)
    safe = np.where(big > 0, big, 1.0)
    return np.squeeze(safe, axis=axis) * np.linalg.norm(v / safe, ord=p, axis=axis)


def q_of(p):
    return np.inf if p == 1 else (1.0 if np.isinf(p) else p / (p - 1.0))


# no subnormal or near-underflow entries: numpy's own norms underflow there (see the magnitude tests)
coord = st.one_of(st.just(0.0), st.floats(1e-3, 10.0), st.floats(-10.0, -1e-3))
p_st = st.one_of(st.sampled_from(ALL_P), st.floats(1.0, 50.0))


def vectors(max_d=6, elements=coord):
    return st.integers(1, max_d).flatmap(lambda d: hnp.arrays(np.float64, d, elements=elements))


# ------------------------------------------------------------------------------------------
# dual_exponent, lp_norm, dual_norm
# ------------------------------------------------------------------------------------------


def test_dual_exponent_special_values():
    assert dual_exponent(1) == np.inf
    assert dual_exponent(np.inf) == 1.0
    assert dual_exponent(2) == 2.0
    assert dual_exponent(3) == 1.5
    assert dual_exponent(1.5) == pytest.approx(3.0, rel=1e-15)
    assert dual_exponent("inf") == 1.0 and dual_exponent("l2") == 2.0 and dual_exponent("L1") == np.inf


@given(st.floats(1.0, 1e6))
def test_dual_exponent_conjugate(p):
    q = dual_exponent(p)
    assert q >= 1.0
    if np.isfinite(q):
        assert 1 / p + 1 / q == pytest.approx(1.0, rel=1e-12, abs=0)
        assert dual_exponent(q) == pytest.approx(p, rel=1e-6, abs=0)  # 1 - 1/p loses digits as p -> 1 or p -> inf


@pytest.mark.parametrize("bad", [0.5, 0.0, -1.0, -np.inf, np.nan, "abc", None, [1, 2], "-inf"])
def test_dual_exponent_bad_input(bad):
    with pytest.raises(ValueError, match="1 <= p <= inf"):
        dual_exponent(bad)


@given(vectors(), p_st)
def test_lp_norm_matches_numpy(v, p):
    assert lp_norm(v, p) == pytest.approx(np_norm(v, p), rel=1e-13, abs=0)


@given(hnp.arrays(np.float64, st.tuples(st.integers(1, 4), st.integers(1, 5), st.integers(1, 3)), elements=coord),
       p_st, st.sampled_from([0, 1, 2, -1, -2]))
def test_lp_norm_batch_and_axis(x, p, axis):
    np.testing.assert_allclose(lp_norm(x, p, axis=axis), np_norm(x, p, axis=axis), rtol=1e-13, atol=0)


@pytest.mark.parametrize("p", [1.0, 3.0, np.inf, 1.7, 12.5])
@pytest.mark.parametrize("k", [-1070, -900, -500, 500, 900, 1000])
def test_lp_norm_huge_and_tiny_magnitudes(p, k):
    """No overflow or underflow: ||2^k x||_p = 2^k ||x||_p (numpy evaluated on x, then scaled exactly)."""
    rng = np.random.default_rng(abs(k))
    x = rng.normal(size=7)
    big = np.ldexp(x, k)
    expected = np.ldexp(np_norm(x, p), k)
    got = lp_norm(big, p)
    assert np.isfinite(got) and got > 0
    if k > -1000:  # normal range: relative accuracy
        assert got == pytest.approx(expected, rel=1e-13, abs=0)
    else:  # subnormal inputs carry fewer digits
        assert got == pytest.approx(expected, rel=1e-6, abs=0)


# Regression test. Former defect (found by these tests, since fixed): lp_norm(x, 2) is sqrt(sum x_i^2): it overflows
# to inf for |x| > ~1e154 and underflows to 0 for |x| < ~1e-154 (the docstring promises no overflow; p = 1, 3, inf
# are fine). theory.gaussian then treats a tiny w as w = 0 and returns NaN for a huge one
@pytest.mark.parametrize("scale", [1e-200, 1e200])
def test_lp_norm_two_at_extreme_magnitudes(scale):
    assert lp_norm(np.array([3.0, 4.0]) * scale, 2) == pytest.approx(5.0 * scale, rel=1e-15, abs=0)


def test_lp_norm_zero_and_signs():
    for p in ALL_P + [7.0]:
        assert lp_norm(np.zeros(4), p) == 0.0
        v = np.array([1.0, -2.0, 3.0])
        assert lp_norm(v, p) == lp_norm(-v, p)
        assert lp_norm(v[::-1], p) == pytest.approx(lp_norm(v, p), rel=1e-15, abs=0)
    assert lp_norm(np.array([3.0, -4.0]), 2) == 5.0
    assert lp_norm(np.array([3.0, -4.0]), 1) == 7.0
    assert lp_norm(np.array([3.0, -4.0]), np.inf) == 4.0


@given(vectors(), p_st)
def test_dual_norm_is_the_lq_norm_and_hoelder(v, p):
    q = q_of(p)
    assert dual_norm(v, p) == pytest.approx(np_norm(v, q), rel=1e-12, abs=0)
    # Hoelder's equality: sup_{||d||_p <= 1} v.d = ||v||_q, attained at d_i ~ sign(v_i) |v_i|^(q-1)
    if np.any(v != 0) and np.isfinite(q) and q < 20:
        a = np.abs(v) ** (q - 1)
        d = np.sign(v) * a / np_norm(a, p)
        assert v @ d == pytest.approx(dual_norm(v, p), rel=1e-9, abs=0)


@pytest.mark.parametrize("bad, name", [(0.5, "norm"), (np.nan, "norm"), ("x", "norm")])
def test_lp_norm_bad_p(bad, name):
    with pytest.raises(ValueError, match=name):
        lp_norm(np.ones(3), bad)


# ------------------------------------------------------------------------------------------
# projection onto lp balls
# ------------------------------------------------------------------------------------------


def inside(v, r, p):
    """The ball's radius plus rounding: the entries of the projection carry errors ~ulp(|v_i|)."""
    return r * (1 + 1e-12) + 1e-14 * float(np_norm(v, p))


def scipy_projection(v, r, p):
    """argmin ||z - v||_2 s.t. ||z||_p <= r with scipy.optimize (smooth reformulations)."""
    d = v.size
    if np.isinf(p):
        res = optimize.minimize(lambda z: np.sum((z - v) ** 2), np.zeros(d), jac=lambda z: 2 * (z - v),
                                bounds=[(-r, r)] * d, method="L-BFGS-B", options={"ftol": 1e-15, "gtol": 1e-12})
        return res.x
    if p == 1:  # z = a - b, a, b >= 0, sum(a + b) <= r
        def f(ab):
            return np.sum((ab[:d] - ab[d:] - v) ** 2)

        def jac(ab):
            g = 2 * (ab[:d] - ab[d:] - v)
            return np.concatenate([g, -g])

        cons = [{"type": "ineq", "fun": lambda ab: r - ab.sum(), "jac": lambda ab: -np.ones(2 * d)}]
        res = optimize.minimize(f, np.zeros(2 * d), jac=jac, bounds=[(0, None)] * (2 * d), constraints=cons,
                                method="SLSQP", options={"ftol": 1e-15, "maxiter": 500})
        return res.x[:d] - res.x[d:]
    cons = [{"type": "ineq", "fun": lambda z: 1.0 - np.sum(np.abs(z / r) ** p),
             "jac": lambda z: -p * np.sign(z) * np.abs(z / r) ** (p - 1) / r}]
    z0 = 0.5 * v * r / max(np_norm(v, p), 1e-300)
    res = optimize.minimize(lambda z: np.sum((z - v) ** 2), z0, jac=lambda z: 2 * (z - v), constraints=cons,
                            method="SLSQP", options={"ftol": 1e-15, "maxiter": 500})
    return res.x


def random_ball_points(rng, d, r, p, n):
    """n random points of the lp ball of radius r: random directions, radii U^(1/d) r."""
    g = rng.normal(size=(n, d)) * rng.choice([1.0, 0.01], size=(n, d))  # some near the axes
    g /= np_norm(g, p)[:, None]
    return g * (r * rng.uniform(size=n) ** (1.0 / d))[:, None]


@budget(12)
@given(vectors(max_d=5), st.floats(1e-2, 10.0), st.sampled_from(ALL_P))
def test_projection_is_optimal_against_scipy(v, r, p):
    z = project_onto_lp_ball(v, r, p)
    zs = scipy_projection(v, r, p)
    assert np_norm(zs, p) <= r * (1 + 1e-6)  # scipy found a feasible point
    assert np_norm(z, p) <= inside(v, r, p)
    assert np.linalg.norm(v - z) <= np.linalg.norm(v - zs) + 1e-7
    np.testing.assert_allclose(z, zs, atol=1e-4 * max(1.0, r))  # unique minimizer


@given(vectors(), st.floats(1e-3, 10.0), p_st, st.integers(0, 2**32 - 1))
@budget(20)
def test_projection_variational_inequality_and_random_feasible_points(v, r, p, seed):
    """z = proj(v) iff z is in the ball and (v - z).(y - z) <= 0 for every y in the ball,
    i.e. (v - z).z = r ||v - z||_q (the support function of the ball)."""
    z = project_onto_lp_ball(v, r, p)
    assert z.shape == v.shape
    assert np_norm(z, p) <= inside(v, r, p)
    resid = v - z
    scale = max(1.0, float(np.abs(v).max()))
    assert resid @ z >= r * np_norm(resid, q_of(p)) - 1e-9 * scale * max(r, 1.0)
    rng = np.random.default_rng(seed)
    ys = random_ball_points(rng, v.size, r, p, 500)
    near = z + 1e-3 * r * rng.normal(size=(200, v.size))
    near *= np.minimum(1.0, r / np.maximum(np_norm(near, p), 1e-300))[:, None]  # pulled back into the ball
    ys = np.concatenate([ys, near])
    assert np.all(ys @ resid - z @ resid <= 1e-9 * scale * max(r, 1.0))
    dist = np.linalg.norm(resid)
    assert np.all(np.linalg.norm(v - ys, axis=1) >= dist - 1e-9 * scale)


@given(vectors(), p_st)
@budget(12)
def test_projection_of_an_inside_point_is_itself(v, p):
    r = float(np_norm(v, p)) * 1.5 + 0.1
    np.testing.assert_array_equal(project_onto_lp_ball(v, r, p), v)
    z = project_onto_lp_ball(v, 0.3 * r, p)
    np.testing.assert_allclose(project_onto_lp_ball(z, 0.3 * r, p), z, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("p", ALL_P)
def test_projection_closed_forms(p):
    v = np.array([3.0, -1.0, 0.5])
    z = project_onto_lp_ball(v, 1.0, p)
    if p == 2:
        np.testing.assert_allclose(z, v / np.linalg.norm(v), rtol=1e-15)
    elif np.isinf(p):
        np.testing.assert_array_equal(z, [1.0, -1.0, 0.5])
    elif p == 1:  # the largest coordinate alone exceeds the threshold tau = 2
        np.testing.assert_allclose(z, [1.0, 0.0, 0.0], atol=1e-15)
    else:  # z_i = sign(v_i) g_i with g_i + lam g_i^(p-1) = |v_i| for one lam, and ||z||_p = 1
        g = np.abs(z)
        lam = (np.abs(v) - g) / g ** (p - 1)
        np.testing.assert_allclose(lam, lam[0], rtol=1e-8)
        assert np_norm(z, p) == pytest.approx(1.0, rel=1e-12, abs=0)
        np.testing.assert_array_equal(np.sign(z), np.sign(v))


@pytest.mark.parametrize("p", FAST_P + [3.0])
def test_projection_batch_and_radius_broadcast(p):
    rng = np.random.default_rng(5)
    v = rng.normal(size=(4, 3, 5))
    r = np.array([0.2, 1.0, 5.0])  # broadcasts against the batch shape (4, 3)
    z = project_onto_lp_ball(v, r, p)
    assert z.shape == v.shape
    for i in range(4):
        for j in range(3):
            np.testing.assert_allclose(z[i, j], project_onto_lp_ball(v[i, j], r[j], p), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(distance_to_lp_ball(v, r, p), np.linalg.norm(v - z, axis=-1), rtol=1e-12)


# Regression test. Former defect (found by these tests, since fixed): project_onto_lp_ball(v, r, 1) for r = 0 or r
# below ~ulp(max|v|): the threshold test of the sort-and-threshold algorithm never holds, rho falls back to d and
# the result keeps l1 mass (e.g. [3, 1] -> [1, 0] for r = 0)
@pytest.mark.parametrize("r", [0.0, 1e-17])
def test_l1_projection_with_radius_zero(r):
    v = np.array([3.0, 1.0])
    z = project_onto_lp_ball(v, r, 1)
    assert np_norm(z, 1) <= r
    assert distance_to_lp_ball(v, r, 1) == pytest.approx(np.linalg.norm(v), rel=1e-12, abs=0)


# Regression test. Former defect (found by these tests, since fixed): for 1 < p < inf the multiplier lam is doubled
# at most 200 times from 1 (the KKT solution needs lam ~ |v| / r^(p-1)) and g_i is bisected only to |v_i| 2^-120:
# for r = 0, small r or large p the result lies outside the ball (p = 50, r = 0.01: ||z||_50 = 0.059; p = 20, r =
# 1e-4: 6.9e-4; p = 3, r = 0: ~1e-30)
@pytest.mark.parametrize("p, scale, r", [(3.0, 1.0, 0.0), (1.5, 1.0, 0.0), (3.0, 1e20, 1e-20), (50.0, 1.0, 0.01),
                                         (20.0, 1.0, 1e-4)])
def test_general_p_projection_tiny_radius(p, scale, r):
    z = project_onto_lp_ball(np.array([3.0, -1.0, 0.5]) * scale, r, p)
    assert np_norm(z, p) <= r * (1 + 1e-9)


# Regression test. Former defect (found by these tests, since fixed): for 1 < p < inf the multiplier is bisected on
# a fixed interval [0, lam_hi] to absolute precision ~2^-120 lam_hi; when r^(p-1) is large lam is tiny and g_i =
# |v_i| - lam g_i^(p-1) is off by ~2^-120 r^(p-1): [-7] onto the l41 ball of radius 6 gives -5.99999912, [-21] onto
# the l30 ball of radius 20 gives -18.23
@pytest.mark.parametrize("p, r", [(41.0, 6.0), (30.0, 20.0)])
def test_general_p_projection_accuracy_large_radius(p, r):
    """In one dimension every lp ball is [-r, r]: the projection of -(r + 1) is -r (claimed: ~1e-12 relative)."""
    z = project_onto_lp_ball(np.array([-(r + 1.0)]), r, p)
    assert z[0] == pytest.approx(-r, rel=1e-12, abs=0)


@pytest.mark.parametrize("p", ALL_P + [50.0])
def test_projection_radius_zero(p):
    v = np.array([3.0, -1.0, 0.5])
    np.testing.assert_array_equal(project_onto_lp_ball(v, 0.0, p), 0.0)


@pytest.mark.parametrize("kwargs, name", [
    (dict(v=[1.0, np.nan], radius=1.0, p=2), "v"),
    (dict(v=[1.0, np.inf], radius=1.0, p=2), "v"),
    (dict(v=1.0, radius=1.0, p=2), "v"),
    (dict(v=[1.0, 2.0], radius=-0.5, p=2), "radius"),
    (dict(v=[1.0, 2.0], radius=np.nan, p=2), "radius"),
    (dict(v=[1.0, 2.0], radius=np.inf, p=2), "radius"),
    (dict(v=[1.0, 2.0], radius=1.0, p=0.9), "norm"),
    (dict(v=[1.0, 2.0], radius=1.0, p="lx"), "norm"),
])
@pytest.mark.parametrize("f", [project_onto_lp_ball, distance_to_lp_ball])
def test_projection_bad_input(f, kwargs, name):
    with pytest.raises(ValueError, match=name):
        f(**kwargs)


def test_projection_radius_shape_mismatch():
    with pytest.raises(ValueError):
        project_onto_lp_ball(np.ones((3, 2)), np.ones(4), 2)


# ------------------------------------------------------------------------------------------
# distance to lp balls
# ------------------------------------------------------------------------------------------


@given(vectors(), st.floats(0.0, 10.0), st.sampled_from(FAST_P))
def test_distance_closed_forms(v, r, p):
    d = distance_to_lp_ball(v, r, p)
    if p == 2:
        expected = max(float(np.linalg.norm(v)) - r, 0.0)
    elif np.isinf(p):
        expected = float(np.linalg.norm(np.maximum(np.abs(v) - r, 0.0)))
    else:  # l1: soft threshold at tau with sum (|v| - tau)_+ = r
        a = np.abs(v)
        if a.sum() <= r:
            expected = 0.0
        else:
            tau = optimize.brentq(lambda t: np.maximum(a - t, 0).sum() - r, 0.0, a.max(), xtol=1e-15)
            expected = float(np.linalg.norm(np.minimum(a, tau)))
    assert d == pytest.approx(expected, rel=1e-9, abs=1e-9)


@given(vectors(max_d=4), st.floats(1e-3, 5.0), p_st, st.integers(0, 2**32 - 1))
@budget(15)
def test_distance_duality(v, r, p, seed):
    """dist_2(v, B_p(r)) = max over ||w||_2 <= 1 of w.v - r ||w||_q: every w is a lower bound and
    w = (v - proj) / ||v - proj|| attains it."""
    d = distance_to_lp_ball(v, r, p)
    q = q_of(p)
    rng = np.random.default_rng(seed)
    w = rng.normal(size=(300, v.size))
    w /= np.linalg.norm(w, axis=1)[:, None]
    assert np.all(w @ v - r * np_norm(w, q) <= d + 1e-9)
    z = project_onto_lp_ball(v, r, p)
    if d > 1e-9:
        wstar = (v - z) / np.linalg.norm(v - z)
        assert wstar @ v - r * np_norm(wstar, q) == pytest.approx(d, rel=1e-7, abs=1e-9)
    else:
        assert np_norm(v, p) <= r * (1 + 1e-9)


def test_distance_zero_inside_and_monotone():
    v = np.array([0.3, -0.4, 1.2])
    for p in ALL_P:
        radii = np.linspace(0.01, 3.0, 30)
        dists = distance_to_lp_ball(np.broadcast_to(v, (30, 3)), radii, p)  # one batched call
        assert np.all(np.diff(dists) <= 1e-12)
        assert distance_to_lp_ball(v, np_norm(v, p) * 1.01, p) == 0.0
        assert dists[0] > 0


@pytest.mark.parametrize("p", [10**400, 2**1100, "linf"])
def test_exponent_beyond_float_range_is_the_max_norm(p):
    """An integer exponent beyond the float range (float(p) would raise OverflowError) is the max norm:
    ||v||_p -> ||v||_inf as p -> inf, and to double precision already for p = 2**1100."""
    v = np.array([0.3, -2.5, 1.2])
    assert dual_exponent(p) == 1.0
    assert lp_norm(v, p) == np.max(np.abs(v))
    assert dual_norm(v, p) == np.sum(np.abs(v))
    np.testing.assert_array_equal(project_onto_lp_ball(v, 1.0, p), np.clip(v, -1.0, 1.0))
    assert distance_to_lp_ball(v, 1.0, p) == pytest.approx(np.hypot(1.5, 0.2), rel=1e-15)
