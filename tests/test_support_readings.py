"""The support readings of suggala2019.thm6.margin, tsipras2019.thm2.2.adversarial and tsipras2019.lemmaC5.

Each check is run with its quick settings; the helpers are tested against independent small cases
(hand-computed losses, an enumeration of labelings of a few atoms).
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from theory.claims import FAILS, HOLDS, REGISTRY, Run, load_all
from theory.claims import support_readings as S

IDS = ["suggala2019.thm6.margin.support", "tsipras2019.thm2.2.adversarial.support", "tsipras2019.lemmaC5.support"]


def _quick_run(cid):
    c = REGISTRY[cid]
    return Run(cid, n=c.samples[0] if c.samples else None, settings={k: v[0] for k, v in c.settings.items()})


@pytest.fixture(scope="module", autouse=True)
def _registry():
    load_all()


@pytest.mark.parametrize("cid", IDS)
def test_registered_on_the_support(cid):
    c = REGISTRY[cid]
    assert c.domain == "support"
    assert c.id.removesuffix(".support") in REGISTRY
    assert "support" in c.source and "support" in c.statement


def test_squares_printed_fails_and_corrected_holds():
    c = REGISTRY["suggala2019.thm6.margin.support"]
    assert c.expected == FAILS and c.corrected
    run = _quick_run(c.id)
    assert c.check(run).verdict == FAILS
    assert c.corrected_check(run).verdict == HOLDS


@pytest.mark.parametrize("cid", IDS[1:])
def test_tsipras_support_readings_hold(cid):
    c = REGISTRY[cid]
    assert c.expected == HOLDS
    assert c.check(_quick_run(cid)).verdict == HOLDS


def test_support_hinge_hand_values():
    # e1: x1 = y w.p. p (margin 0), -y otherwise (margin 2): 0.3 * 2; no eps term on the support
    assert S._support_hinge(np.array([1.0, 0.0, 0.0]), 0.5, 1.5) == pytest.approx(0.6, abs=1e-15)
    # w = e2, eta = 0.2, eps = 0.5: the margin term is 1 - 0.2 + 0.5 - Z = 1.3 - Z; its hinge by quadrature
    from scipy import integrate, stats
    want = integrate.quad(lambda z: max(0.0, 1.0 + 0.5 - 0.2 - z) * stats.norm.pdf(z), -10, 10, points=[1.3])[0]
    assert S._support_hinge(np.array([0.0, 1.0]), 0.2, 0.5) == pytest.approx(want, rel=1e-9)


def test_mwis_small_enumeration():
    # four atoms on a line, labels +, +, -, -; compare the LP with an enumeration of all 2^4 labelings
    pts = np.array([0.2, 0.5, -0.2, -0.5])
    lab = np.array([1.0, 1.0, -1.0, -1.0])
    mass = np.array([0.3, 0.2, 0.1, 0.4])
    for eps in (0.1, 0.3, 0.45, 0.8):
        reach = np.abs(pts[:, None] - pts[None, :]) <= eps + 1e-9
        shared = (reach.astype(int) @ reach.astype(int).T) > 0
        edges = np.argwhere(np.triu(shared & (lab[:, None] != lab[None, :])))
        lp = S._mwis_weight(mass, edges, np.ones(4, dtype=bool))
        best = 0.0
        for f in itertools.product([-1.0, 1.0], repeat=4):
            f = np.array(f)
            safe = np.all(np.where(reach, f[None, :] == lab[:, None], True), axis=1)
            best = max(best, float(mass[safe].sum()))
        assert lp == pytest.approx(best, abs=1e-12)


def test_squares_closed_form_switches_at_0_6():
    b, s = S._squares_closed_form(0.6)
    assert b == pytest.approx(s)
    assert np.less(*S._squares_closed_form(0.5)) and np.greater(*S._squares_closed_form(0.7))


def test_wrong_on_support_geometry():
    x1 = np.array([0.25, 0.5, -0.25, -1.0])
    y = np.array([1.0, 1.0, -1.0, -1.0])
    # Bayes labeling at eps = 0.5: 0.25 reaches -0.2 (wrong), 0.5 does not; -0.25 reaches 0.2, -1.0 does not
    assert S._wrong_on_support(x1, y, 0.5, 0.0).tolist() == [True, False, True, False]
    # eps = 0.3 < 0.4: no point reaches the other square
    assert not S._wrong_on_support(x1, y, 0.3, 0.0).any()
