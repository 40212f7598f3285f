"""Tests of theory.normal (Phi, log Phi, phi) against mpmath at 50 digits and scipy, and of the
double-double arithmetic in theory._dd it relies on (exactness checked with fractions.Fraction).

Every reference value is computed by mpmath from the exact float input; the accuracy
claims under test are the module's own: relative error of a few ulp for Phi down to
where it underflows (1e-14 asserted where Phi >= 1e-300) and for log Phi down to
x = -1e5 (and beyond: the module claims -1e150).
"""

from __future__ import annotations

import math
from fractions import Fraction

import mpmath
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from scipy import special

from theory import _dd
from theory.normal import log_normal_cdf, normal_cdf, normal_pdf

DPS = 50


def mp_cdf(x, lo=0.0):
    with mpmath.workdps(DPS):
        return mpmath.ncdf(mpmath.mpf(float(x)) + mpmath.mpf(float(lo)))


def mp_log_cdf(x, lo=0.0):
    with mpmath.workdps(DPS):
        return mpmath.log(mpmath.ncdf(mpmath.mpf(float(x)) + mpmath.mpf(float(lo))))


def rel_err(got, exact):
    with mpmath.workdps(DPS):
        return float(abs((mpmath.mpf(float(got)) - exact) / exact))


GRID = np.linspace(-38.0, 8.0, 2301)  # step 0.02: both sides of the switch at x = -1


def test_normal_cdf_against_mpmath_on_grid():
    got = normal_cdf(GRID)
    worst = 0.0
    checked = 0
    for x, g in zip(GRID, got, strict=True):
        exact = mp_cdf(x)
        if exact >= 1e-300:
            worst = max(worst, rel_err(g, exact))
            checked += 1
    assert checked > 2200
    assert worst <= 1e-14


@given(st.floats(-38.0, 8.0))
def test_normal_cdf_against_mpmath_random_points(x):
    exact = mp_cdf(x)
    if exact >= 1e-300:
        assert rel_err(normal_cdf(x), exact) <= 1e-14


def test_normal_cdf_subnormal_range_and_underflow():
    """Between Phi = 1e-300 and the smallest subnormal the result stays close (1e-12 relative or a few
    subnormal ulps), and it is exactly 0 below."""
    xs = np.linspace(-38.5, -37.0, 301)
    got = normal_cdf(xs)
    tiny = np.nextafter(0.0, 1.0)
    for x, g in zip(xs, got, strict=True):
        exact = mp_cdf(x)
        # below 1e-306 exp(-x^2 / 2) is no longer split in two factors (~1e-13 relative), and
        # subnormal results carry fewer digits: a few subnormal ulps
        assert abs(float(g) - float(exact)) <= 1e-12 * float(exact) + 8 * tiny
    assert normal_cdf(-39.0) == 0.0
    assert normal_cdf(-1000.0) == 0.0


def test_normal_cdf_upper_side_and_symmetry():
    x = np.linspace(-8.0, 8.0, 1601)
    np.testing.assert_allclose(normal_cdf(x) + normal_cdf(-x), 1.0, rtol=0, atol=2.3e-16)
    np.testing.assert_allclose(normal_cdf(x), special.ndtr(x), rtol=0, atol=2.3e-16)
    assert normal_cdf(0.0) == 0.5
    assert normal_cdf(40.0) == 1.0


def test_normal_cdf_is_monotone():
    x = np.linspace(-38.4, 9.0, 200_001)
    assert np.all(np.diff(normal_cdf(x)) >= 0)
    lx = np.concatenate([-np.logspace(5, -3, 20_000), np.linspace(0, 9, 1000)])
    assert np.all(np.diff(log_normal_cdf(lx)) >= 0)


def test_log_normal_cdf_against_mpmath():
    xs = np.concatenate([GRID[::5], -np.logspace(np.log10(38.0), 5.0, 400), -np.logspace(-3, 0, 50)])
    got = log_normal_cdf(xs)
    worst = max(rel_err(g, mp_log_cdf(x)) for x, g in zip(xs, got, strict=True))
    assert np.all(np.isfinite(got))
    assert worst <= 1e-14


@pytest.mark.parametrize("x", [-1e6, -1e10, -3.7e50, -1e100, -1e150])
def test_log_normal_cdf_far_tail(x):
    """The module claims finite, accurate values down to x = -1e150 (log Phi ~ -x^2 / 2)."""
    got = log_normal_cdf(x)
    assert np.isfinite(got)
    assert rel_err(got, mp_log_cdf(x)) <= 1e-14


@given(st.floats(-1e5, 8.0))
def test_log_normal_cdf_random_points(x):
    exact = mp_log_cdf(x)
    got = log_normal_cdf(x)
    if exact == 0:
        assert got == 0.0
    else:
        assert rel_err(got, exact) <= 1e-14


def test_log_normal_cdf_is_log_of_normal_cdf():
    x = np.linspace(-37.0, 8.0, 901)
    np.testing.assert_allclose(np.exp(log_normal_cdf(x)), normal_cdf(x), rtol=1e-13, atol=0)


@pytest.mark.parametrize("x", [-37.0, -20.5, -5.25, -1.5, -0.75, 0.3, 2.0, 6.0])
def test_low_part_of_the_argument(x):
    """normal_cdf(x, x_lo) = Phi(x + x_lo) for a correction x_lo below the resolution of x."""
    for frac in (3e-17, -7e-17, 1.1e-16):
        lo = frac * abs(x)
        exact = mp_cdf(x, lo)
        assert rel_err(normal_cdf(x, lo), exact) <= 1e-14
        assert rel_err(log_normal_cdf(x, lo), mp_log_cdf(x, lo)) <= 1e-14
        if x < -20:  # in the tail the correction is visible: ignoring it would be off by ~|x| * lo
            assert rel_err(normal_cdf(x), exact) > 10 * rel_err(normal_cdf(x, lo), exact)


def test_shapes_and_broadcasting():
    assert np.ndim(normal_cdf(0.3)) == 0 and np.ndim(log_normal_cdf(-50.0)) == 0
    x = np.array([[-40.0, -2.0, 0.0], [1.0, 3.0, -0.5]])
    for f in (normal_cdf, log_normal_cdf):
        out = f(x)
        assert out.shape == (2, 3)
        for idx in np.ndindex(x.shape):
            assert out[idx] == f(float(x[idx]))
        lo = np.array([1e-17, -1e-17, 0.0])
        out = f(x, lo)  # x_lo broadcasts against x
        assert out.shape == (2, 3)
        assert out[1, 1] == f(3.0, -1e-17)
    assert normal_cdf([]).shape == (0,)


def test_normal_pdf_against_mpmath():
    xs = np.linspace(-37.0, 37.0, 741)
    got = normal_pdf(xs)
    with mpmath.workdps(DPS):
        worst = max(float(abs((mpmath.mpf(float(g)) - mpmath.npdf(mpmath.mpf(float(x)))) /
                              mpmath.npdf(mpmath.mpf(float(x))))) for x, g in zip(xs, got, strict=True))
    assert worst <= 2e-13  # exp(-x^2 / 2) amplifies the rounding of x^2 / 2 (~700 ulp at |x| = 37)
    np.testing.assert_array_equal(normal_pdf(xs), normal_pdf(-xs))


@pytest.mark.parametrize("x", [-40.5, -4513895672.023617, -1e15, -1e20, -1e300, -np.inf])
def test_normal_cdf_far_below_underflow_is_zero(x):
    """Regression: the tail used to multiply exp(-hh) = 0 by exp(-hl) = inf (NaN) below about -4.5e9."""
    assert normal_cdf(x) == 0.0
    assert normal_cdf(np.array([x, 0.0]))[0] == 0.0


@pytest.mark.parametrize("x, expected", [(np.inf, 0.0), (-np.inf, -np.inf), (-1e160, -np.inf)])
def test_log_normal_cdf_at_infinity(x, expected):
    """Regression: these were NaN. Below -1e150 the log underflows to -inf in double precision."""
    assert log_normal_cdf(x) == expected
    assert normal_cdf(x) == (1.0 if x > 0 else 0.0)


# Regression test. Former defect (found by these tests, since fixed): normal_cdf(nan) returns 0.0: since the deep-
# tail fix the output starts as zeros and NaN falls in neither the body (x >= -1) nor the tail mask (log_normal_cdf
# gives NaN)
def test_normal_cdf_propagates_nan():
    assert np.isnan(log_normal_cdf(np.nan))
    assert np.isnan(normal_cdf(np.nan))


# ------------------------------------------------------------------------------------------
# theory._dd: the double-double arithmetic behind the tails (exactness checked with Fraction)
# ------------------------------------------------------------------------------------------

U = 2.0**-53  # unit roundoff
moderate = st.one_of(st.just(0.0), st.floats(1e-100, 1e100), st.floats(-1e100, -1e-100))


def F(x) -> Fraction:
    return Fraction(float(x))


@given(st.floats(-1e300, 1e300), st.floats(-1e300, 1e300))
def test_two_sum_is_exact(a, b):
    s, e = _dd.two_sum(np.float64(a), np.float64(b))
    assert s == a + b
    assert F(s) + F(e) == F(a) + F(b)
    if abs(a) >= abs(b):
        s2, e2 = _dd.fast_two_sum(np.float64(a), np.float64(b))
        assert (s2, e2) == (s, e)


@given(st.floats(-1e300, 1e300))
def test_split_halves(a):
    hi, lo = _dd.split(np.float64(a))
    assert F(hi) + F(lo) == F(a)
    for part in (hi, lo):  # each half fits in 27 bits (26 plus the sign trick)
        m, _ = math.frexp(float(part))
        assert (m * 2**27).is_integer()


@given(moderate, moderate)
def test_two_prod_is_exact(a, b):
    p, e = _dd.two_prod(np.float64(a), np.float64(b))
    assert p == a * b
    assert F(p) + F(e) == F(a) * F(b)


dot_elements = st.one_of(st.just(0.0), st.floats(1e-100, 1e50), st.floats(-1e50, -1e-100))  # no underflow


@given(st.integers(1, 40).flatmap(lambda n: st.tuples(hnp.arrays(np.float64, n, elements=dot_elements),
                                                      hnp.arrays(np.float64, n, elements=dot_elements))))
def test_dot_against_fraction_and_fsum(ab):
    a, b = ab
    hi, lo = _dd.dot(a, b)
    exact = sum((F(x) * F(y) for x, y in zip(a, b, strict=True)), Fraction(0))
    scale = sum((abs(F(x) * F(y)) for x, y in zip(a, b, strict=True)), Fraction(0))
    n = a.size
    # Ogita-Rump-Oishi Dot2: |result - exact| <= u |exact| + gamma_n^2 sum |a_i b_i|; the pair (hi, lo)
    # carries the u |exact| part too, so the pair is within gamma_n^2 sum |a_i b_i|.
    gamma = n * U / (1 - n * U)
    assert abs(F(hi) + F(lo) - exact) <= Fraction(2 * gamma**2) * scale + Fraction(4 * U * U) * abs(exact)
    assert abs(F(hi) - exact) <= Fraction(U) * abs(exact) + Fraction(2 * gamma**2) * scale
    assert abs(hi - math.fsum(a * b)) <= 2 * U * float(scale) + 1e-300  # fsum of the rounded products


def test_dot_cancellation_and_batches():
    a = np.array([1e20, 1.0, -1e20, 3.0])
    b = np.array([1.0, 1e-5, 1.0, 1e-17])
    hi, lo = _dd.dot(a, b)
    exact = F(1e-5) + F(3.0) * F(1e-17)  # the large terms cancel exactly
    assert abs(F(hi) - exact) <= Fraction(U) * exact  # as good as a correctly rounded result
    naive = sum(float(x) * float(y) for x, y in zip(a, b, strict=True))
    assert abs(F(naive) - exact) > Fraction(1, 1000) * exact  # the naive left-to-right sum loses it
    rng = np.random.default_rng(0)
    A, B = rng.normal(size=(3, 4, 6)), rng.normal(size=6)
    H, L = _dd.dot(A, B)
    assert H.shape == L.shape == (3, 4)
    for idx in np.ndindex(3, 4):
        assert (H[idx], L[idx]) == _dd.dot(A[idx], B)
    s, c = _dd.sum_(A)
    for idx in np.ndindex(3, 4):
        exact = sum((F(x) for x in A[idx]), Fraction(0))
        assert abs(F(s[idx]) + F(c[idx]) - exact) <= Fraction(2 * (6 * U) ** 2) * sum(
            (abs(F(x)) for x in A[idx]), Fraction(0))
        assert s[idx] == pytest.approx(math.fsum(A[idx]), rel=4 * U, abs=1e-300)


@given(moderate, moderate, moderate, moderate)
def test_double_double_arithmetic(a, b, c, d):
    """add / mul / div / sqrt of double-doubles to ~1e-30 relative, against Fraction and mpmath."""
    ah, al = _dd.two_sum(np.float64(a), np.float64(b * 1e-17))
    bh, bl = _dd.two_sum(np.float64(c), np.float64(d * 1e-17))
    A, B = F(ah) + F(al), F(bh) + F(bl)
    tol = Fraction(1, 2**100)
    sh, sl = _dd.add(ah, al, bh, bl)
    assert abs(F(sh) + F(sl) - (A + B)) <= tol * (abs(A) + abs(B))
    if abs(float(A * B)) > 1e-280 or A * B == 0:
        ph, pl = _dd.mul(ah, al, bh, bl)
        assert abs(F(ph) + F(pl) - A * B) <= tol * abs(A * B)
    if bh != 0 and 1e-280 < abs(float(A / B)) < 1e280:
        qh, ql = _dd.div(ah, al, bh, bl)
        assert abs(F(qh) + F(ql) - A / B) <= tol * abs(A / B)
    if ah > 0:
        rh, rl = _dd.sqrt(ah, al)
        with mpmath.workdps(60):
            exact = mpmath.sqrt(mpmath.mpf(ah) + mpmath.mpf(al))
            assert abs((mpmath.mpf(rh) + mpmath.mpf(rl) - exact) / exact) <= mpmath.mpf(2) ** -100
