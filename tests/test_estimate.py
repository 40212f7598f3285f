"""Tests of predicted-against-measured: theory.montecarlo.estimate_error and compare.

References: the binomial distribution (the count of errors of a classifier with a known
error rate), the definition of each relation, and a coverage simulation: a true
prediction is held at about the interval's confidence level.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from theory.distributions import GaussianMixture, predict
from theory.gaussian import classification_risk
from theory.montecarlo import (
    DID_NOT_HOLD,
    HELD,
    INCONCLUSIVE,
    VERDICTS,
    Estimate,
    compare,
    estimate_error,
    proportion,
)


class Coin:
    """A 'distribution' whose classifier errs with probability q, independent of x."""

    dim = 1

    def __init__(self, q):
        self.q = q

    def sample(self, n, rng):
        y = np.ones(n)
        x = (rng.random(n) < self.q).astype(float)[:, None]  # x = 1 marks an error
        return x, y


def test_estimate_error_counts_errors_in_batches():
    dist = Coin(0.3)
    est = estimate_error(dist, lambda x: np.where(x[:, 0] > 0, -1.0, 1.0), 10_001, rng=5, batch=997)
    assert est.n == 10_001
    # the same stream in one batch gives the same count only if batches draw in order; compare to the binomial
    assert est.contains(0.3)
    assert compare(0.3, est) == HELD and compare(0.4, est) == DID_NOT_HOLD


def test_estimate_error_matches_a_closed_form_and_the_same_seed_repeats():
    theta, w = np.array([0.7, 0.2]), np.array([1.0, -0.5])
    dist = GaussianMixture(theta)
    clf = lambda x: predict(x @ w)  # noqa: E731
    a = estimate_error(dist, clf, 50_000, rng=9)
    b = estimate_error(dist, clf, 50_000, rng=np.random.default_rng(9))
    assert a == b
    assert compare(float(classification_risk(w, theta)), a) == HELD


def test_coverage_of_a_true_prediction():
    # 400 independent estimates of a true error rate 0.2 at confidence 0.9: held about 90% of the time
    rng = np.random.default_rng(1)
    dist = Coin(0.2)
    held = sum(compare(0.2, estimate_error(dist, lambda x: np.where(x[:, 0] > 0, -1.0, 1.0), 500, rng=rng,
                                           confidence=0.9)) == HELD for _ in range(400))
    # Clopper-Pearson is conservative: coverage >= 0.9; binomial(400, 0.9) is >= 340 with overwhelming probability
    assert held >= 340


@given(st.integers(0, 1000), st.floats(0, 1), st.sampled_from(["==", "<=", ">="]), st.floats(0, 0.1))
def test_compare_follows_its_definition(k, predicted, relation, slack):
    est = proportion(k, 1000)
    v = compare(predicted, est, relation=relation, slack=slack)
    assert v in VERDICTS
    if relation == "==":
        inside = est.low - slack <= predicted <= est.high + slack
    elif relation == "<=":
        inside = est.low <= predicted + slack
    else:
        inside = est.high >= predicted - slack
    assert (v == HELD) == inside and (v == DID_NOT_HOLD) == (not inside)


@given(st.floats(0, 1), st.floats(0, 1), st.floats(0, 1), st.sampled_from([">", "<"]), st.floats(0, 0.1))
def test_strict_directions_are_held_only_when_the_whole_interval_is_on_their_side(a, b, predicted, relation, slack):
    lo, hi = min(a, b), max(a, b)
    est = Estimate((lo + hi) / 2, lo, hi, 100)
    v = compare(predicted, est, relation=relation, slack=slack)
    if relation == ">":
        held, failed = lo > predicted + slack, hi <= predicted - slack
    else:
        held, failed = hi < predicted - slack, lo >= predicted + slack
    assert (v == HELD) == held and (v == DID_NOT_HOLD) == failed and (v == INCONCLUSIVE) == (not held and not failed)


def test_resolution_makes_wide_intervals_inconclusive_never_held():
    wide = Estimate(0.5, 0.3, 0.7, 50)
    assert compare(0.5, wide, resolution=0.05) == INCONCLUSIVE
    assert compare(0.5, wide, resolution=0.25) == HELD
    assert compare(0.9, wide, resolution=0.05) == DID_NOT_HOLD  # a contradiction is not inconclusive


@pytest.mark.parametrize("call, match", [
    (lambda: compare(0.5, 0.5), "Estimate"),
    (lambda: compare(np.nan, proportion(1, 2)), "predicted"),
    (lambda: compare(0.5, proportion(1, 2), relation="!="), "relation"),
    (lambda: compare(0.5, proportion(1, 2), slack=-1), "slack"),
    (lambda: compare(0.5, proportion(1, 2), resolution=0), "resolution"),
    (lambda: estimate_error(Coin(0.1), lambda x: np.ones(len(x)), 10**13), "n"),
    (lambda: estimate_error(Coin(0.1), lambda x: np.ones(len(x)), 10, attack=lambda x, y, t: x), "threat"),
    (lambda: estimate_error(Coin(0.1), lambda x: np.zeros(len(x)), 10, rng=0), "labels"),
    (lambda: estimate_error(Coin(0.1), lambda x: np.ones(3), 10, rng=0), "one label per point"),
    (lambda: estimate_error(Coin(0.1), None, 10), "callable"),
])
def test_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()
