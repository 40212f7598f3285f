"""Tests of the seed-gaps additions: zhang2019 section 4 (multi-class calibration), problem (3) on example (2)
as lambda varies, shaeiri2020 Remark 1 (l0) and the classifier domain of every claim.

Expected numbers are derived by hand in the comments or computed by an independent method
(scipy's constrained minimizer, exhaustive enumeration, the exact 1-D calculus); never copied
from the implementation's output.
"""

from __future__ import annotations

import itertools
import math

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from theory import _l0 as L
from theory import calibration as C
from theory.claims import DOMAINS, FAILS, load_all

# ---------------------------------------------------------------------------------------------
# multi-class calibration
# ---------------------------------------------------------------------------------------------


def _simplex_points(k: int):
    return st.lists(st.floats(0.01, 1.0), min_size=k, max_size=k).map(lambda v: np.array(v) / np.sum(v))


@settings(max_examples=40, deadline=None)
@given(p=st.integers(2, 5).flatmap(_simplex_points))
def test_gap_positive_iff_wrong_class_exists(p):
    for loss in C.MULTICLASS_LOSSES:
        g = float(C.multiclass_calibration_gap(p, loss))
        if np.all(p >= p.max() - 1e-15):
            assert g == math.inf
        else:
            assert g > 0


@settings(max_examples=25, deadline=None)
@given(p=_simplex_points(3), q=_simplex_points(3))
def test_gap_is_a_lower_bound_on_wrong_predictions(p, q):
    # any q predicting a non-Bayes class costs at least the gap (definition of the infimum)
    for loss in C.MULTICLASS_LOSSES:
        if np.argmax(q) in np.flatnonzero(p >= p.max() - 1e-12):
            continue
        excess = float(C.multiclass_conditional_risk(p, q, loss) - C.multiclass_conditional_risk(p, p, loss))
        assert excess >= float(C.multiclass_calibration_gap(p, loss)) - 1e-12


def test_gap_two_classes_by_hand():
    # p = (0.8, 0.2): pool both at 1/2. KL: 0.8 ln 1.6 + 0.2 ln 0.4; Brier: 2 * 0.3^2
    assert np.isclose(C.multiclass_calibration_gap([0.8, 0.2]), 0.8 * math.log(1.6) + 0.2 * math.log(0.4))
    assert np.isclose(C.multiclass_calibration_gap([0.8, 0.2], "brier"), 0.18)


def test_gap_pools_more_than_two_classes():
    # p = (0.5, 0.45, 0.05), wrong class 3 (p = 0.05): pooling with class 1 only gives t = 0.275 < 0.45, infeasible;
    # pooling all three gives t = 1/3. Wrong class 2: pool (0.5, 0.45) at 0.475 >= 0.05. The gap is the latter.
    p = np.array([0.5, 0.45, 0.05])
    want = 0.5 * math.log(0.5 / 0.475) + 0.45 * math.log(0.45 / 0.475)
    assert np.isclose(C.multiclass_calibration_gap(p), want)
    # class-3 only gap, by scipy (independent): larger than the class-2 one
    from scipy.optimize import minimize

    cons = [{"type": "eq", "fun": lambda q: q.sum() - 1}, {"type": "ineq", "fun": lambda q: q[2] - q[0]},
            {"type": "ineq", "fun": lambda q: q[2] - q[1]}]
    r = minimize(lambda q: float(np.sum(p * np.log(p / np.clip(q, 1e-300, 1)))), np.array([0.3, 0.3, 0.4]),
                 method="SLSQP", bounds=[(1e-9, 1)] * 3, constraints=cons, options={"ftol": 1e-14})
    third = float(np.sum(p * np.log(p / (1 / 3))))
    assert np.isclose(r.fun, third, atol=1e-7) and third > want


def test_multiclass_bad_input():
    with pytest.raises(ValueError, match="posterior must sum to 1"):
        C.multiclass_calibration_gap([0.2, 0.7])
    with pytest.raises(ValueError, match="loss must be one of"):
        C.multiclass_calibration_gap([0.5, 0.5], "hinge")
    with pytest.raises(ValueError, match="scores must have as many classes"):
        C.multiclass_conditional_risk([0.5, 0.5], [0.2, 0.3, 0.5])


# ---------------------------------------------------------------------------------------------
# problem (3) on example (2)
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("lam", [0.05, 0.3, 1.0, 3.0, 50.0])
@pytest.mark.parametrize("a,b", [(1.0, -1.0), (2.0, 0.5), (-0.3, 0.7), (0.0, 1.5), (5.0, 5.0)])
def test_objective_matches_exact_1d_calculus(lam, a, b):
    eta = C.toy_example(0.1)
    f = C.PiecewiseConstant(eta.breaks, np.where(eta.values > 0, a, b))
    for loss in ("hinge", "exponential", "logistic2"):
        exact = C.interval_phi_risks(loss, eta, f, 0.1, lam).trades_objective
        assert np.isclose(float(C.toy_trades_objective(a, b, lam, loss)), exact, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("lam", [0.01, 0.25, 1.0, 4.0, 100.0])
def test_hinge_closed_form_against_scipy(lam):
    # independent: Nelder-Mead from many starts on J, per sign region, with a = A (large) allowed
    from scipy.optimize import minimize

    inf, bayes = C.toy_trades_hinge(lam)
    rng = np.random.default_rng(1)
    best_b = np.inf
    for _ in range(20):
        x0 = np.array([rng.uniform(0.01, 3), -rng.uniform(0.01, 3)])
        r = minimize(lambda v: float(C.toy_trades_objective(abs(v[0]), -abs(v[1]), lam)), x0, method="Nelder-Mead",
                     options={"xatol": 1e-10, "fatol": 1e-12})
        best_b = min(best_b, r.fun)
    assert best_b >= bayes - 1e-9 and best_b <= bayes + 1e-3
    # the same-sign witness a = 2 lam / b, b small (b = sqrt(lam) for lam <= 1) reaches the infimum
    b = math.sqrt(lam) if lam <= 1 else 1e-6
    assert float(C.toy_trades_objective(max(1.0, 2 * lam / b), b, lam)) <= inf + 1e-6
    # nothing on a grid beats it
    g = np.concatenate([-np.logspace(-3, 3, 121), [0.0], np.logspace(-3, 3, 121)])
    assert float(np.min(C.toy_trades_objective(g[:, None], g[None, :], lam))) >= inf - 1e-12


def test_solution_limits():
    small, large = C.toy_trades_solution(1e-3), C.toy_trades_solution(1e3)
    assert small.pattern == "same-sign" and abs(small.infimum - 0.5) < 0.02
    assert large.pattern == "same-sign" and large.bayes > large.infimum
    assert abs(large.bayes - (1 + 1e-3)) < 1e-4  # 1 + 1/lam


# ---------------------------------------------------------------------------------------------
# l0: Remark 1 and the support reading
# ---------------------------------------------------------------------------------------------


@settings(max_examples=40, deadline=None)
@given(a=st.lists(st.integers(0, 2), min_size=4, max_size=4), b=st.lists(st.integers(0, 2), min_size=4, max_size=4),
       eps=st.integers(0, 4))
def test_l0_balls_meet_exhaustive(a, b, eps):
    a, b = np.array(a, float), np.array(b, float)
    # every z with coordinates in {0, 1, 2, 3} (3 is a fresh value for every coordinate)
    Z = np.array(list(itertools.product(range(4), repeat=4)), float)
    brute = bool(np.any((np.sum(Z != a, 1) <= eps) & (np.sum(Z != b, 1) <= eps)))
    assert L.l0_balls_meet(a, b, eps) == brute
    z = L.l0_common_point(a, b, eps)
    assert (z is not None) == brute
    if z is not None:
        assert np.sum(z != a) <= eps and np.sum(z != b) <= eps


@pytest.mark.parametrize("g", [nx.path_graph(4), nx.cycle_graph(5), nx.star_graph(3), nx.petersen_graph()])
def test_remark1_readings(g):
    k = g.number_of_nodes()
    x, y, w, eps = L.remark1_reduction(g)
    alpha3 = len(max(nx.find_cliques(nx.complement(nx.power(g, 2))), key=len))
    alpha = len(max(nx.find_cliques(nx.complement(g)), key=len))
    # R^d: every two balls meet
    assert L.mwis_error(L.l0_conflict_graph(x, y, eps), w) == pytest.approx(1 - 1 / k)
    # support: the proof's 1 - alpha_3 / k
    assert L.mwis_error(L.support_conflict_graph(x, y, eps, 0), w) == pytest.approx(1 - alpha3 / k)
    if k <= 5:
        assert L.brute_force_support_error(x, y, w, eps, 0) == pytest.approx(1 - alpha3 / k)
    xc, yc, wc, ec = L.remark1_corrected_reduction(g)
    assert xc.shape[1] % 2 == 1
    assert L.mwis_error(L.l0_conflict_graph(xc, yc, ec), wc) == pytest.approx(1 - alpha / k)


def test_petersen_numbers():
    # Petersen: alpha = 4; diameter 2 so alpha_3 = 1
    g = nx.petersen_graph()
    x, y, w, eps = L.remark1_reduction(g)
    assert L.mwis_error(L.support_conflict_graph(x, y, eps, 0), w) == pytest.approx(0.9)
    xc, yc, wc, ec = L.remark1_corrected_reduction(g)
    assert L.mwis_error(L.l0_conflict_graph(xc, yc, ec), wc) == pytest.approx(0.6)


# ---------------------------------------------------------------------------------------------
# domains
# ---------------------------------------------------------------------------------------------


def test_every_paper_claim_states_its_domain():
    reg = load_all()
    missing = [c.id for c in reg.values() if not c.id.startswith("beyond.") and c.domain is None]
    assert not missing
    assert all(c.domain in DOMAINS for c in reg.values() if c.domain is not None)


def test_domains_page_lists_every_paper_claim():
    from pathlib import Path

    text = (Path(__file__).resolve().parents[1] / "docs" / "beyond" / "domains.md").read_text()
    reg = load_all()
    for c in reg.values():
        if not c.id.startswith("beyond."):
            assert f"`{c.id}`" in text, c.id


def test_bad_domain_refused():
    from theory.claims import claim

    with pytest.raises(ValueError, match="domain must be None or one of"):
        claim("zz-test.domain", source="none", statement="none", exact=True, domain="everything")(lambda run: None)


def test_new_fails_claims_have_corrections():
    reg = load_all()
    for cid in ("shaeiri2020.remark1", "zhang2019.sec3.lambda"):
        assert reg[cid].expected == FAILS and reg[cid].corrected_check is not None
