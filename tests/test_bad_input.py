"""Regression tests for the bad-input defects that fuzzing found (issue 6, "Bad input").

Each call below once returned NaN, a wrong number, a probability above 1, raised an unnamed
error (OverflowError, IndexError, AttributeError, MemoryError) or did not end. The expected
values are computed independently: by a limit that the closed form must reach, or by the
same question asked at a harmless scale (the 0-1 risks are invariant under positive scaling).
"""

import networkx as nx
import numpy as np
import pytest

from theory import bernoulli, calibration, gaussian, hardness, montecarlo, normal, norms, regularization, tradeoff
from theory.distributions import GaussianMixture

pytestmark = pytest.mark.filterwarnings("error::RuntimeWarning")  # an overflow warning is a defect too


# --- overflowing margins give the limit, not NaN -------------------------------------------

def test_gaussian_risks_at_overflowing_margins_are_their_limits():
    # w.theta = 3 > 0 and sigma -> 0: the classifier never errs.
    assert gaussian.classification_risk([1.0, 2.0], [1.0, 1.0], sigma=1e-300) == 0.0
    # a margin of 2e308 (beyond the float range) at eps = 0
    assert gaussian.adversarial_risk([1.0, 1.0], [1e308, 1e308], 0.0) == 0.0
    # theta = (1e300, 1): x1 is +-1e300 away from the Bayes boundary, nothing can be flipped
    assert gaussian.base_relative_adversarial_risk([1.0, 2.0], [1e300, 1.0], 0.1) == pytest.approx(0.0, abs=1e-12)


def test_scale_invariant_risks_agree_with_the_same_question_at_unit_scale():
    assert tradeoff.linear_accuracy([1e308] * 3, 0.0, 1.0, 0.7, 1.0) == tradeoff.linear_accuracy(
        [1.0] * 3, 0.0, 1.0, 0.7, 1.0)
    for w in ([1e308, 1e308], [6e299, -3e299]):
        big = regularization.uniform_squares_risks(w, 0.0, 0.1, norm=2)
        unit = regularization.uniform_squares_risks(np.sign(w) * [1.0, abs(w[1] / w[0])], 0.0, 0.1, norm=2)
        np.testing.assert_allclose(big, unit, rtol=1e-12, atol=1e-15)
    # a square of side 1e308 around centres +-1.2: both classes are (almost) the same uniform
    # square, so any halfspace through 0 errs on half the mass of each class
    r, g = regularization.uniform_squares_risks([0.6, -0.3], 0.0, 0.1, norm=2, side=1e308)
    assert r == pytest.approx(0.5, abs=1e-12) and g == pytest.approx(0.5, abs=1e-12)


def test_robust_risk_is_a_probability_at_every_eps():
    _, g = regularization.uniform_squares_risks([0.6, -0.3], 0.1, [1.0, 2.0, 3.0, 4.0, 5.0], norm=2)
    assert np.all((g >= 0) & (g <= 1)) and g[-1] == 1.0


def test_base_relative_margins_at_huge_eps_are_the_dual_limit():
    # For eps -> inf, min over the ball on g's side of g(x) f(x + delta) is -eps * ||w_perp||_2 + O(1)
    # with w_perp the part of w orthogonal to theta (p = 2): the cone's dual norm.
    w, theta, x = np.array([0.6, -0.3]), np.array([1.0, 0.5]), np.array([[0.5, -1.0], [1.5, 0.2]])
    w_perp = w - (w @ theta) / (theta @ theta) * theta
    for eps in (1e300, 1e308):
        m = regularization.base_relative_worst_margin(w, x, theta, eps, norm=2)
        np.testing.assert_allclose(m, -eps * np.linalg.norm(w_perp), rtol=1e-12)
    assert np.isfinite(regularization.base_relative_logistic_excess(w, x, theta, 1e308, norm=2)).all()


def test_interval_risks_on_an_interval_of_width_2e308():
    pc = calibration.PiecewiseConstant
    r = calibration.interval_risks(pc([-1e308, 1e308], [0.3]), pc([-1e308, 0.0, 1e308], [-1.0, 1.0]), 1.0)
    # eta = 0.3 everywhere; f = -1 on the left half (errs w.p. 0.3), +1 on the right (0.7)
    assert r.natural == 0.5 and r.bayes_natural == 0.3
    assert 0.5 <= r.robust <= 0.5 + 1e-300


def test_optimal_robust_error_with_weights_whose_sum_overflows():
    # two points at the same place with opposite labels: the optimum errs on the lighter one
    args = (np.zeros((2, 1)), np.array([0, 1]))
    assert hardness.optimal_robust_error(*args, np.array([1e308, 1e308]), 0.0, norm=2) == 0.5
    assert hardness.optimal_robust_error(*args, np.array([1.0, 1.0]), 0.0, norm=2) == 0.5


def test_labelling_robust_errors_never_exceed_one():
    errs = bernoulli.labelling_robust_errors_l0(3, 2, 0.3909829466440617, 4)
    assert errs.max() == 1.0 and errs.min() >= 0.0


# --- integers beyond the float range: a named ValueError ---------------------------------

@pytest.mark.parametrize("call", [
    lambda: gaussian.adversarial_risk(10**400, [1.0, 1.0], 0.1),
    lambda: tradeoff.population_svm(10**400, 0.5),
    lambda: regularization.theorem31_bound(0.3, 0.5, 10**400, 0.05, 2.0, 3, 0.1),
    lambda: norms.lp_norm([1.0, 2.0], 2.0, axis=10**400),
], ids=["adversarial_risk", "population_svm", "theorem31_bound", "lp_norm axis"])
def test_huge_python_integers_raise_value_error(call):
    with pytest.raises(ValueError):
        call()


def test_dual_exponent_of_a_huge_integer_is_that_of_inf():
    assert norms.dual_exponent(10**400) == norms.dual_exponent(np.inf) == 1.0


# --- wrong arguments: a ValueError that names the problem --------------------------------

@pytest.mark.parametrize("call, match", [
    (lambda: calibration.refine(), "at least one PiecewiseConstant"),
    (lambda: calibration.refine(5), "PiecewiseConstant"),
    (lambda: calibration.sign_classifier(0), "PiecewiseConstant"),
    (lambda: calibration.sample_interval(0, 10), "PiecewiseConstant"),
    (lambda: hardness.corrected_reduction(nx.path_graph(4), 0.1, coloring=[]), "coloring"),
])
def test_wrong_argument_types_name_the_parameter(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_normal_kernels_check_their_domain():
    with pytest.raises(ValueError, match="x_lo"):
        normal.normal_cdf(0.5, x_lo=np.inf)
    # NaN follows the ufunc rule in the low-level kernels (docs/architecture.md, conventions) ...
    assert np.isnan(normal.normal_cdf(np.nan))
    # ... and is refused by the public risk functions
    with pytest.raises(ValueError, match="NaN"):
        gaussian.classification_risk([np.nan, 1.0], [1.0, 1.0])


# --- sizes that cannot be run or stored are refused up front ----------------------------

def test_sizes_beyond_memory_are_refused_with_the_size():
    with pytest.raises(ValueError, match="GiB"):
        tradeoff.averaging_weights(10**12)
    with pytest.raises(ValueError, match="n must be"):
        montecarlo.estimate_probability(lambda x, y: x[:, 0] > 0, GaussianMixture([1.0]).sample, 1e300, 0)


def test_bisection_with_a_tolerance_below_the_float_spacing_ends_at_the_same_threshold():
    # xtol = 1e-300 once never ended: the bracket stops shrinking at one float step
    fine = tradeoff.zero_weight_threshold(4, 0.3, xtol=1e-300)
    assert fine == pytest.approx(tradeoff.zero_weight_threshold(4, 0.3), abs=2e-9)


# --- Monte Carlo intervals stay finite ----------------------------------------------------

def test_mean_interval_near_the_float_limit_contains_the_mean():
    values = np.full(10, 1e300) + np.arange(10) * 1e290
    est = montecarlo.mean(values)
    assert np.isfinite(est.low) and np.isfinite(est.high)
    assert est.low <= 1e300 + 4.5e290 <= est.high


def test_mean_at_a_tiny_confidence_is_a_point_not_nan():
    x = np.random.default_rng(0).random(10)
    est = montecarlo.mean(x, confidence=5e-324)
    assert est.low == pytest.approx(x.mean(), rel=1e-12) and est.high == pytest.approx(x.mean(), rel=1e-12)
