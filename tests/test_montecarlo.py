"""Tests of theory.montecarlo: estimates, exact binomial intervals, CLT intervals, the mixture sampler.

References: the binomial distribution itself (scipy.stats.binom: exact coverage sums and
the defining tail equations of the Clopper-Pearson bounds), scipy.stats.binomtest's
exact interval, simulated coverage, and sample moments with their standard errors.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

from theory.montecarlo import (
    Estimate,
    as_generator,
    estimate_probability,
    mean,
    proportion,
    sample_gaussian_mixture,
)

# ------------------------------------------------------------------------------------------
# Estimate and as_generator
# ------------------------------------------------------------------------------------------


def test_estimate_contains_halfwidth_and_str():
    e = Estimate(0.3, 0.25, 0.4, 100, 0.95)
    assert e.contains(0.25) and e.contains(0.4) and e.contains(0.3)
    assert not e.contains(0.2) and not e.contains(0.41)
    assert e.contains(0.2, slack=0.05) and not e.contains(0.19, slack=0.05)
    assert e.halfwidth == pytest.approx(0.075, rel=1e-15)
    assert str(e) == "0.3 [0.25, 0.4]"
    assert Estimate(0.5, 0.4, 0.6, 10).confidence == 0.999
    with pytest.raises(dataclasses.FrozenInstanceError):
        e.value = 1.0


def test_as_generator():
    g = np.random.default_rng(3)
    assert as_generator(g) is g
    a, b = as_generator(42), as_generator(np.int64(42))
    np.testing.assert_array_equal(a.random(5), b.random(5))
    np.testing.assert_array_equal(as_generator(7).random(3), np.random.default_rng(7).random(3))
    assert isinstance(as_generator(None), np.random.Generator)
    for bad in ("seed", 1.5, np.random.RandomState(0), [1, 2]):
        with pytest.raises(ValueError, match="rng"):
            as_generator(bad)


# ------------------------------------------------------------------------------------------
# proportion: exact Clopper-Pearson intervals
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("n", [1, 7, 30, 200, 1000])
def test_clopper_pearson_exact_coverage(n):
    """P(p in interval) = sum over k of binom.pmf(k) [p in CI(k)] is at least the confidence."""
    ks = np.arange(n + 1)
    for conf in (0.9, 0.95, 0.999):
        intervals = [proportion(int(k), n, conf) for k in ks]
        for p in (0.001, 0.03, 0.2, 0.5, 0.77, 0.99, 0.5 + 0.5 / np.sqrt(n + 1)):
            inside = np.array([e.contains(p) for e in intervals])
            coverage = float(stats.binom.pmf(ks, n, p)[inside].sum())
            assert coverage >= conf - 1e-12


def test_clopper_pearson_simulated_coverage():
    """Simulated: 4000 binomial draws per (n, p), the 0.95 interval covers p at least 95% of the time
    (minus 3 standard errors of the simulation)."""
    rng = np.random.default_rng(11)
    draws = 4000
    for n, p in ((50, 0.1), (400, 0.5), (2000, 0.01)):
        ks = rng.binomial(n, p, size=draws)
        cache = {}
        hits = 0
        for k in ks:
            if k not in cache:
                cache[k] = proportion(int(k), n, 0.95).contains(p)
            hits += cache[k]
        tol = 3 * np.sqrt(0.95 * 0.05 / draws)
        assert hits / draws >= 0.95 - tol


@given(st.integers(1, 10_000).flatmap(lambda n: st.tuples(st.just(n), st.integers(0, n))),
       st.floats(0.5, 0.99999))
def test_clopper_pearson_defining_equations(nk, conf):
    """low solves P(X >= k | low) = alpha / 2 and high solves P(X <= k | high) = alpha / 2."""
    n, k = nk
    e = proportion(k, n, conf)
    alpha = 1 - conf
    assert e.value == k / n and e.n == n and e.confidence == conf
    assert 0.0 <= e.low <= e.value <= e.high <= 1.0
    if k == 0:
        assert e.low == 0.0
    else:
        assert stats.binom.sf(k - 1, n, e.low) == pytest.approx(alpha / 2, rel=1e-6, abs=0)
    if k == n:
        assert e.high == 1.0
    else:
        assert stats.binom.cdf(k, n, e.high) == pytest.approx(alpha / 2, rel=1e-6, abs=0)


@pytest.mark.parametrize("k, n", [(0, 10), (3, 10), (10, 10), (517, 1000), (5, 1_000_000)])
def test_clopper_pearson_matches_scipy_binomtest(k, n):
    """scipy finds the bounds by root finding to a looser tolerance (~1e-7 relative at n = 1e6; the
    defining equations above are the precise check)."""
    ci = stats.binomtest(k, n).proportion_ci(confidence_level=0.99, method="exact")
    e = proportion(k, n, 0.99)
    assert e.low == pytest.approx(ci.low, rel=1e-6, abs=1e-300)
    assert e.high == pytest.approx(ci.high, rel=1e-6, abs=0)


def test_proportion_interval_narrows_with_n():
    widths = [proportion(n // 4, n, 0.999).halfwidth for n in (100, 10_000, 1_000_000)]
    assert widths[0] > 5 * widths[1] > 25 * widths[2]
    # and widens with the confidence
    assert proportion(30, 100, 0.9999).halfwidth > proportion(30, 100, 0.9).halfwidth


@pytest.mark.parametrize("kwargs, name", [
    (dict(successes=11, n=10), "successes"),
    (dict(successes=-1, n=10), "successes"),
    (dict(successes=0, n=0), "n"),
    (dict(successes=1, n=2.5), "n"),
    (dict(successes=1, n=-3), "n"),
    (dict(successes=1, n=10, confidence=1.0), "confidence"),
    (dict(successes=1, n=10, confidence=0.0), "confidence"),
    (dict(successes=1, n=10, confidence=np.nan), "confidence"),
    (dict(successes=1, n=10, confidence=95), "confidence"),
])
def test_proportion_bad_input(kwargs, name):
    with pytest.raises(ValueError, match=name):
        proportion(**kwargs)


# Regression test. Former defect (found by these tests, since fixed): proportion truncates a non-integral success
# count with int() (2.7 of 5 becomes 0.4) instead of refusing it (DESIGN.md: never a silent clip)
def test_proportion_refuses_fractional_successes():
    with pytest.raises(ValueError, match="successes"):
        proportion(2.7, 5)


# ------------------------------------------------------------------------------------------
# mean: Student-t intervals
# ------------------------------------------------------------------------------------------


@given(st.lists(st.floats(-1e3, 1e3), min_size=2, max_size=50), st.floats(0.5, 0.9999))
def test_mean_interval_formula(xs, conf):
    e = mean(xs, conf)
    x = np.array(xs)
    z = stats.t.ppf(0.5 + conf / 2, df=x.size - 1)
    se = x.std(ddof=1) / np.sqrt(x.size)
    assert e.value == pytest.approx(x.mean(), rel=1e-12, abs=1e-12)
    assert e.high - e.low == pytest.approx(2 * z * se, rel=1e-9, abs=1e-12)
    assert e.n == x.size and e.confidence == conf


def test_mean_covers_at_its_confidence_for_a_few_normal_samples():
    # four seeds of an experiment: the t interval is exact for normal samples (a z interval covers ~0.86 here)
    rng = np.random.default_rng(5)
    samples = rng.normal(1.0, 3.0, size=(4000, 4))
    hits = sum(mean(row, 0.95).contains(1.0) for row in samples)
    assert abs(hits / 4000 - 0.95) <= 0.015  # binomial sd 0.0034: 4.4 sd


def test_mean_simulated_coverage():
    rng = np.random.default_rng(12)
    draws, m = 3000, 200
    samples = rng.exponential(2.0, size=(draws, m))  # skewed: the CLT interval is approximate
    hits = sum(mean(row, 0.95).contains(2.0) for row in samples)
    assert abs(hits / draws - 0.95) <= 0.02


def test_mean_flattens_and_validates():
    assert mean(np.ones((3, 4)) * 2.0).value == 2.0
    assert mean(np.ones((3, 4))).n == 12
    with pytest.raises(ValueError, match="samples"):
        mean([1.0])
    with pytest.raises(ValueError, match="confidence"):
        mean([1.0, 2.0], confidence=1.5)


# Regression test. Former defect (found by these tests, since fixed): mean() does not validate its samples: a NaN or
# an infinity gives a NaN interval instead of a ValueError (DESIGN.md: never a NaN)
@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_mean_refuses_nonfinite_samples(bad):
    with pytest.raises(ValueError, match="samples"):
        mean([1.0, bad, 2.0])


# ------------------------------------------------------------------------------------------
# sample_gaussian_mixture
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("mu_neg", [None, [0.5, 0.5, -2.0]])
@pytest.mark.parametrize("sigma", [1.0, 0.3, 2.5])
def test_mixture_moments(mu_neg, sigma):
    theta = np.array([1.0, -0.5, 0.0])
    n = 200_000
    x, y = sample_gaussian_mixture(theta, n, rng=5, sigma=sigma, mu_neg=mu_neg)
    assert x.shape == (n, 3) and y.shape == (n,) and x.dtype == np.float64
    assert set(np.unique(y)) == {-1.0, 1.0}
    balance = proportion(int(np.count_nonzero(y > 0)), n, 0.9999)
    assert balance.contains(0.5)
    neg = -theta if mu_neg is None else np.array(mu_neg)
    for label, mu in ((1.0, theta), (-1.0, neg)):
        xc = x[y == label]
        m = xc.shape[0]
        se = sigma / np.sqrt(m)
        assert np.all(np.abs(xc.mean(axis=0) - mu) <= 5 * se)
        cov = np.cov(xc, rowvar=False)
        se_var = sigma**2 * np.sqrt(2.0 / m)
        np.testing.assert_allclose(np.diag(cov), sigma**2, atol=5 * se_var)
        off = cov[~np.eye(3, dtype=bool)]
        assert np.all(np.abs(off) <= 5 * sigma**2 / np.sqrt(m))


def test_mixture_reproducible():
    theta = np.array([0.3, 0.1])
    a = sample_gaussian_mixture(theta, 1000, rng=9)
    b = sample_gaussian_mixture(theta, 1000, rng=9)
    c = sample_gaussian_mixture(theta, 1000, rng=np.random.default_rng(9))
    for u, v, w in zip(a, b, c, strict=True):
        np.testing.assert_array_equal(u, v)
        np.testing.assert_array_equal(u, w)
    g = np.random.default_rng(9)
    first = sample_gaussian_mixture(theta, 1000, rng=g)
    second = sample_gaussian_mixture(theta, 1000, rng=g)  # the generator advanced
    assert not np.array_equal(first[0], second[0])
    assert not np.array_equal(sample_gaussian_mixture(theta, 1000, rng=10)[0], a[0])
    x, y = sample_gaussian_mixture(theta, 10)  # fresh entropy
    assert x.shape == (10, 2)


@pytest.mark.parametrize("kwargs, name", [
    (dict(theta=[[1.0, 2.0]], n=10), "theta"),
    (dict(theta=[1.0, np.nan], n=10), "theta"),
    (dict(theta=1.0, n=10), "theta"),
    (dict(theta=[1.0, 2.0], n=10, mu_neg=[1.0]), "mu_neg"),
    (dict(theta=[1.0, 2.0], n=10, mu_neg=[1.0, np.inf]), "mu_neg"),
    (dict(theta=[1.0, 2.0], n=10, sigma=0.0), "sigma"),
    (dict(theta=[1.0, 2.0], n=10, sigma=-1.0), "sigma"),
    (dict(theta=[1.0, 2.0], n=0), "n"),
    (dict(theta=[1.0, 2.0], n=2.5), "n"),
    (dict(theta=[1.0, 2.0], n=10, rng="seed"), "rng"),
])
def test_mixture_bad_input(kwargs, name):
    with pytest.raises(ValueError, match=name):
        sample_gaussian_mixture(**kwargs)


# ------------------------------------------------------------------------------------------
# estimate_probability
# ------------------------------------------------------------------------------------------


def test_estimate_probability_against_known_probability():
    sizes = []

    def sampler(m, g):
        sizes.append(m)
        return (g.standard_normal(m),)

    est = estimate_probability(lambda z: z > 1.0, sampler, 250_001, rng=4, batch=100_000, confidence=0.9999)
    assert sizes == [100_000, 100_000, 50_001]
    assert est.n == 250_001 and est.confidence == 0.9999
    assert est.contains(float(stats.norm.sf(1.0)))
    assert not est.contains(float(stats.norm.sf(0.95)))
    again = estimate_probability(lambda z: z > 1.0, lambda m, g: (g.standard_normal(m),), 250_001, rng=4,
                                 batch=100_000, confidence=0.9999)
    assert again == est


def test_estimate_probability_with_the_mixture_sampler():
    theta = np.array([0.8, -0.2])
    est = estimate_probability(lambda x, y: np.where(x @ theta > 0, 1.0, -1.0) != y,
                               lambda m, g: sample_gaussian_mixture(theta, m, g), 200_000, rng=1)
    assert est.contains(float(stats.norm.cdf(-np.linalg.norm(theta))))


# Regression test. Former defect (found by these tests, since fixed): estimate_probability does not validate batch:
# batch = 0 loops forever (min(0, n - done) = 0 samples per round), a negative batch asks the sampler for negative
# sizes
@pytest.mark.parametrize("batch", [0, -5])
def test_estimate_probability_refuses_bad_batch(batch):
    calls = []

    def sampler(m, g):
        calls.append(m)
        if len(calls) > 3 or m <= 0:
            raise RuntimeError(f"sampler asked for {m} samples (call {len(calls)})")
        return (g.standard_normal(m),)

    with pytest.raises(ValueError, match="batch"):
        estimate_probability(lambda z: z > 0, sampler, 10, rng=0, batch=batch)
