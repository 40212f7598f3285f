"""Tests of theory.distributions: one protocol, samplers that match their definitions, Bayes rules.

References: the defining parameters of each distribution (class frequencies and moments
against Clopper-Pearson / CLT intervals), Monte Carlo error of each Bayes classifier
against its stated Bayes error, and the closed forms of the other modules
(theory.bernoulli.bayes_error, theory.calibration's toy example) for the re-exported ones.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from theory import distributions as D
from theory.calibration import PiecewiseConstant, toy_example
from theory.montecarlo import HELD, compare, estimate_error, mean, proportion


def all_distributions():
    return [
        D.GaussianMixture([0.8, -0.3, 0.1]),
        D.GaussianMixture([1.0, 0.0], mu_neg=[-0.5, 1.0], sigma=1.3),
        D.TsiprasDistribution(d=9, eta=0.6),
        D.BernoulliModel([1, -1, 1, 1], [-1, 1, -1, 1], 0.2),
        D.UniformSquares(),
        D.UniformSquares(p_pos=0.3, center=0.5, side=2.0),  # overlapping squares
        D.IntervalDistribution(toy_example(0.25)),
        D.IntervalDistribution(PiecewiseConstant([0.0, 0.3, 1.0], [0.9, 0.2]),
                               density=PiecewiseConstant([0.0, 0.5, 1.0], [3.0, 1.0])),
    ]


@pytest.mark.parametrize("dist", all_distributions(), ids=repr)
def test_protocol_shapes_labels_and_reproducibility(dist):
    assert isinstance(dist, D.Distribution)
    x, y = dist.sample(257, rng=3)
    assert x.shape == (257, dist.dim) and y.shape == (257,)
    assert x.dtype == np.float64 and y.dtype == np.float64
    assert set(np.unique(y)) <= {-1.0, 1.0}
    x2, y2 = dist.sample(257, rng=np.random.default_rng(3))
    np.testing.assert_array_equal(x, x2)
    np.testing.assert_array_equal(y, y2)
    assert not np.array_equal(dist.sample(257, rng=4)[0], x)


@pytest.mark.parametrize("dist", all_distributions(), ids=repr)
def test_bayes_error_is_the_error_of_the_bayes_classifier(dist):
    if not hasattr(dist, "bayes_error"):
        pytest.skip("no Bayes error known")
    est = estimate_error(dist, dist.bayes_classifier, 200_000, rng=11)
    assert compare(dist.bayes_error(), est) == HELD, (dist, dist.bayes_error(), est)


def test_gaussian_mixture_moments():
    mu_pos, mu_neg, sigma = np.array([1.0, -2.0]), np.array([0.5, 0.5]), 0.7
    x, y = D.GaussianMixture(mu_pos, mu_neg, sigma).sample(100_000, rng=5)
    assert proportion(int((y > 0).sum()), y.size).contains(0.5)
    for cls, mu in ((1.0, mu_pos), (-1.0, mu_neg)):
        xs = x[y == cls]
        for j in range(2):
            assert mean(xs[:, j]).contains(mu[j])
        # chi-square interval for the variance of one coordinate
        v, m = xs[:, 0].var(ddof=1), xs.shape[0] - 1
        lo, hi = m * v / stats.chi2.ppf(0.9995, m), m * v / stats.chi2.ppf(0.0005, m)
        assert lo <= sigma**2 <= hi


def test_gaussian_mixture_theta_and_bayes_rule_direction():
    g = D.GaussianMixture([1.0, 2.0])
    assert g.symmetric and np.array_equal(g.theta, [1.0, 2.0])
    a = D.GaussianMixture([1.0, 2.0], [3.0, 0.0])
    assert not a.symmetric and np.array_equal(a.theta, [-1.0, 1.0]) and np.array_equal(a.center, [2.0, 1.0])
    # the rule puts each mean on its own side
    assert a.bayes_classifier([[1.0, 2.0], [3.0, 0.0]]).tolist() == [1.0, -1.0]


def test_uniform_squares_support_and_prior():
    s = D.UniformSquares(p_pos=0.75, center=1.2, side=2.0)
    x, y = s.sample(50_000, rng=2)
    assert proportion(int((y > 0).sum()), y.size).contains(0.75)
    assert np.all(np.abs(x[:, 1]) <= 1.0)
    assert np.all(np.abs(x[:, 0] - 1.2 * y) <= 1.0)
    assert s.bayes_error() == 0.0
    # overlap of width side - 2 center = 1 out of 2, taken by the likelier class (prior 0.7 of -1)
    assert D.UniformSquares(p_pos=0.3, center=0.5, side=2.0).bayes_error() == pytest.approx(0.3 * 0.5)


def test_interval_distribution_bayes_error_by_integration():
    post = PiecewiseConstant([0.0, 0.3, 1.0], [0.9, 0.2])
    dens = PiecewiseConstant([0.0, 0.5, 1.0], [3.0, 1.0])
    # normalized density 1.5 on [0, 0.5), 0.5 on [0.5, 1]; E min(eta, 1 - eta) by midpoint quadrature
    grid = (np.arange(200_000) + 0.5) / 200_000
    f = np.where(grid < 0.5, 1.5, 0.5)
    eta = np.where(grid < 0.3, 0.9, 0.2)
    expected = float(np.mean(f * np.minimum(eta, 1 - eta)))
    assert D.IntervalDistribution(post, dens).bayes_error() == pytest.approx(expected, abs=1e-9)
    assert D.IntervalDistribution(toy_example(0.25)).bayes_error() == 0.0


def test_predict_sign_convention():
    assert D.predict([1e-300, 0.0, -0.0, -5.0]).tolist() == [1.0, -1.0, -1.0, -1.0]


@pytest.mark.parametrize("make, match", [
    (lambda: D.GaussianMixture([[1.0, 2.0]]), "mu_pos"),
    (lambda: D.GaussianMixture([1.0, 2.0], [1.0]), "mu_neg"),
    (lambda: D.GaussianMixture([1.0], sigma=0.0), "sigma"),
    (lambda: D.UniformSquares(p_pos=1.0), "p_pos"),
    (lambda: D.UniformSquares(side=-1), "side"),
    (lambda: D.IntervalDistribution([0.5]), "posterior"),
    (lambda: D.IntervalDistribution(PiecewiseConstant([0.0, 1.0], [1.5])), "posterior"),
    (lambda: D.GaussianMixture([1.0]).sample(0), "n"),
    (lambda: D.GaussianMixture([1.0]).bayes_classifier([[1.0, 2.0]]), "x"),
])
def test_bad_input(make, match):
    with pytest.raises(ValueError, match=match):
        make()
