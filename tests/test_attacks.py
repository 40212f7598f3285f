"""Tests of theory.attacks: every attack stays in its ball and is the worst case it claims to be.

References: numpy's norms (the perturbation's size), Hoelder's inequality (no point of the
ball lowers a linear margin by more than eps ||w||_*, checked against random points of the
ball), brute force over the l0 ball on small cubes, and the closed forms of theory.gaussian
(Monte Carlo robust error under the attack against adversarial_risk).
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from theory import attacks as A
from theory import reference as ref
from theory.bernoulli import BernoulliModel
from theory.distributions import GaussianMixture, predict
from theory.gaussian import adversarial_risk, base_relative_adversarial_risk
from theory.montecarlo import DID_NOT_HOLD, HELD, compare, estimate_error, estimate_probability
from theory.threat import ThreatModel

norms = st.sampled_from([1.0, 1.5, 2.0, 4.0, np.inf])
vectors = st.lists(st.floats(-100, 100, allow_nan=False), min_size=1, max_size=6).map(np.array)


def dual(p):
    return 1.0 if np.isinf(p) else (np.inf if p == 1 else p / (p - 1))


@given(vectors, norms, st.floats(0, 10))
def test_worst_case_delta_is_in_the_ball_and_attains_hoelder(w, p, eps):
    d = A.worst_case_delta(w, ThreatModel(p, eps))
    assert np.linalg.norm(d, p) <= eps * (1 + 1e-12) + 1e-300
    target = -eps * np.linalg.norm(w, dual(p))
    assert w @ d == pytest.approx(target, rel=1e-9, abs=1e-9 * (1 + abs(target)))


@given(vectors, norms, st.floats(0.01, 10), st.integers(0, 2**32 - 1))
def test_no_point_of_the_ball_beats_the_linear_worst_case(w, p, eps, seed):
    rng = np.random.default_rng(seed)
    u = rng.normal(size=(200, w.size))
    u *= eps * rng.random((200, 1)) / np.linalg.norm(u, p, axis=1, keepdims=True)  # points of the ball
    best = w @ A.worst_case_delta(w, ThreatModel(p, eps))
    assert np.all(u @ w >= best - 1e-9 * (1 + abs(best)))


def test_linear_worst_case_moves_against_the_label():
    w = np.array([2.0, -1.0, 0.0])
    x = np.array([[0.3, 0.1, 5.0], [0.3, 0.1, 5.0]])
    y = np.array([1.0, -1.0])
    xa = A.LinearWorstCase(w)(x, y, ThreatModel.linf(0.1))
    np.testing.assert_allclose(xa, [[0.2, 0.2, 5.0], [0.4, 0.0, 5.0]], rtol=0, atol=1e-15)
    # a bare radius is read as l-inf
    np.testing.assert_array_equal(A.LinearWorstCase(w)(x, y, 0.1), xa)
    with pytest.raises(ValueError, match="columns"):
        A.LinearWorstCase(w)(x[:, :2], y, 0.1)


@pytest.mark.parametrize("norm", [np.inf, 2.0, 1.0, 3.0])
def test_attacked_monte_carlo_error_matches_the_closed_form(norm):
    theta, w, eps = np.array([0.6, -0.2, 0.3]), np.array([1.0, 0.4, 0.9]), 0.2
    dist = GaussianMixture(theta)
    threat = ThreatModel(norm, eps)
    est = estimate_error(dist, lambda x: predict(x @ w), 100_000, rng=7,
                         attack=A.LinearWorstCase(w), threat=threat)
    exact = float(adversarial_risk(w, theta, eps, norm=norm))
    assert compare(exact, est) == HELD
    assert compare(exact + 0.02, est) == DID_NOT_HOLD  # the test can fail: a wrong number is caught


def test_tsipras_shift():
    x = np.array([[1.0, 0.5, -0.5]])
    np.testing.assert_array_equal(A.tsipras_shift(x, np.array([1.0]), ThreatModel.linf(0.4)), x - 0.4)
    np.testing.assert_array_equal(A.tsipras_shift(x, np.array([-1.0]), 0.4), x + 0.4)
    w = np.array([0.5, 1.0, 2.0])  # nonnegative weights: the shift is the linear worst case
    np.testing.assert_allclose(A.tsipras_shift(x, np.array([1.0]), 0.4),
                               A.LinearWorstCase(w)(x, np.array([1.0]), 0.4), rtol=0, atol=1e-15)
    with pytest.raises(ValueError, match="l-inf"):
        A.tsipras_shift(x, np.array([1.0]), ThreatModel.l2(0.4))


def test_bernoulli_l0_is_the_worst_case_of_the_threshold_rules():
    m = BernoulliModel([1, 1, 1, 1], [-1, -1, -1, 1], 0.2)
    pts = np.array(list(itertools.product([1.0, -1.0], repeat=4)))
    for eps in range(4):
        attack = A.BernoulliL0(m)
        for y in (1.0, -1.0):
            ys = np.full(len(pts), y)
            xa = attack(pts, ys, ThreatModel.l0(eps))
            assert np.all(np.count_nonzero(xa != pts, axis=1) <= eps)
            for s in range(-1, 4):
                # brute force: is some point of the l0 ball misclassified by h_s?
                dist = np.count_nonzero(pts[:, None, :] != pts[None, :, :], axis=-1)
                wrong_at = m.threshold_classifier(pts, s) != y
                brute = (dist <= eps) & wrong_at[None, :]
                assert np.array_equal(brute.any(axis=1), m.threshold_classifier(xa, s) != y)
    with pytest.raises(ValueError, match="l0"):
        A.BernoulliL0(m)(pts, np.ones(len(pts)), ThreatModel.linf(1.0))


def test_bernoulli_linf():
    x = np.array([[1.0, -1.0, 1.0]])
    y = np.array([1.0])
    np.testing.assert_array_equal(A.bernoulli_linf(x, y, ThreatModel.linf(1.5)), np.zeros((1, 3)))
    xa = A.bernoulli_linf(x, y, 0.25)
    assert np.max(np.abs(xa - x)) == pytest.approx(0.25) and np.array_equal(np.sign(xa), x)


@pytest.mark.parametrize("norm", [np.inf, 2.0, 1.0])
def test_base_relative_attack_realizes_exactly_the_flippable_points(norm):
    rng = np.random.default_rng({np.inf: 1, 2.0: 2, 1.0: 3}[norm])
    for _ in range(3):
        w, theta, eps = rng.normal(size=3), 0.7 * rng.normal(size=3), float(rng.uniform(0.2, 0.8))
        x = rng.normal(size=(5000, 3)) + theta
        xa = A.BaseRelative(w, theta)(x, np.ones(len(x)), ThreatModel(norm, eps))
        assert np.all(np.linalg.norm(xa - x, ord=norm, axis=1) <= eps * (1 + 1e-12))
        agree = predict(x @ w) == predict(x @ theta)
        hit = agree & (predict(xa @ w) != predict(xa @ theta))
        assert np.all(predict(xa @ theta) == predict(x @ theta))  # g keeps its label everywhere
        # reference.flippable decides the same event by an independent primal computation
        np.testing.assert_array_equal(hit, ref.flippable(x, w, theta, eps, norm=norm))


def test_base_relative_attack_measures_the_exact_risk():
    theta, w, eps = np.array([0.5, -0.4, 0.3]), np.array([1.0, 0.2, -0.6]), 0.3
    dist = GaussianMixture(theta, sigma=0.8)
    attack = A.BaseRelative(w, theta)

    def event(x, y):
        xa = attack(x, y, ThreatModel.l2(eps))
        return (predict(x @ w) == predict(x @ theta)) & (predict(xa @ w) != predict(xa @ theta))

    est = estimate_probability(event, dist.sample, 100_000, rng=4)
    exact = float(base_relative_adversarial_risk(w, theta, eps, 0.8, norm=2))
    assert compare(exact, est) == HELD and compare(exact * 1.2, est) == DID_NOT_HOLD


@pytest.mark.parametrize("call, match", [
    (lambda: A.BaseRelative([1.0, 2.0], [1.0]), "same shape"),
    (lambda: A.BaseRelative([1.0], [1.0])(np.ones((2, 1)), np.ones(2), ThreatModel(3, 0.1)), "l1, l2"),
    (lambda: A.LinearWorstCase([[1.0]]), "w"),
    (lambda: A.LinearWorstCase([1.0])(np.ones((2, 1)), np.array([1.0, 0.0]), 0.1), "y"),
    (lambda: A.LinearWorstCase([1.0])(np.ones((2, 1)), np.array([1.0]), 0.1), "y"),
    (lambda: A.LinearWorstCase([1.0])(np.ones((2, 1)), np.ones(2), -0.1), "eps"),
    (lambda: A.worst_case_delta([1.0], ThreatModel.l0(1)), "p >= 1"),
    (lambda: A.BernoulliL0(object()), "BernoulliModel"),
])
def test_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()
