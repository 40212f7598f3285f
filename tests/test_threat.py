"""Tests of theory.threat: the threat-model value and the one reader of (eps, norm).

References: the definition 1/p + 1/q = 1 of the dual exponent, Hoelder's equality case
checked numerically with numpy's norms, and the documented refusals.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from theory.threat import DEFAULT_NORM, ThreatModel, resolve

norms = st.sampled_from([1.0, 1.5, 2.0, 3.0, 7.0, np.inf])
radii = st.floats(0.0, 1e6, allow_nan=False)


@given(norms, radii)
def test_dual_exponent_is_the_hoelder_conjugate(p, eps):
    t = ThreatModel(p, eps)
    q = t.dual
    # 1/p + 1/q = 1, with 1/inf = 0
    assert (0.0 if np.isinf(p) else 1.0 / p) + (0.0 if np.isinf(q) else 1.0 / q) == pytest.approx(1.0, abs=1e-15)
    # Hoelder's equality case: max over the unit p-ball of w.delta is ||w||_q (random w, numpy norms)
    w = np.random.default_rng(0).normal(size=5)
    if np.isfinite(p) and p > 1:
        delta = np.sign(w) * np.abs(w) ** (q - 1)
        delta /= np.linalg.norm(delta, p)
        assert w @ delta == pytest.approx(np.linalg.norm(w, q), rel=1e-12)


def test_spellings_and_constructors_agree():
    assert ThreatModel("linf", 0.1) == ThreatModel(np.inf, 0.1) == ThreatModel.linf(0.1)
    assert ThreatModel("l2", 0.5) == ThreatModel(2, 0.5) == ThreatModel.l2(0.5)
    assert ThreatModel("l1", 1) == ThreatModel.l1(1.0)
    assert ThreatModel("l0", 3) == ThreatModel.l0(3) == ThreatModel(0, 3.0)
    assert ThreatModel(10**400, 1.0).norm == np.inf  # beyond the float range: the max norm
    assert ThreatModel.linf(0.1).name == "linf" and ThreatModel.l2(1).name == "l2"
    assert str(ThreatModel.linf(0.25)) == "linf ball of radius 0.25"
    assert ThreatModel.l2(1.0).with_eps(3.0) == ThreatModel.l2(3.0)
    assert isinstance(ThreatModel(2, 1).norm, float) and isinstance(ThreatModel(2, 1).eps, float)


def test_threat_model_is_immutable_and_hashable():
    t = ThreatModel.l2(0.3)
    with pytest.raises(dataclasses.FrozenInstanceError):
        t.eps = 0.4
    assert len({t, ThreatModel(2.0, 0.3), ThreatModel.linf(0.3)}) == 2


@pytest.mark.parametrize("norm, eps, match", [
    (0.5, 0.1, "norm"), (-1, 0.1, "norm"), (np.nan, 0.1, "norm"), ("l-two", 0.1, "norm"), (True, 0.1, "norm"),
    (2, -0.1, "eps"), (2, np.nan, "eps"), (2, np.inf, "eps"), (2, [0.1, 0.2], "single number"),
    (0, 1.5, "integer"), (None, 0.1, "norm"),
])
def test_bad_threat_models_are_refused(norm, eps, match):
    with pytest.raises(ValueError, match=match):
        ThreatModel(norm, eps)


def test_l0_has_no_dual():
    with pytest.raises(ValueError, match="l0"):
        ThreatModel.l0(2).dual


def test_resolve_reads_both_forms_alike():
    assert DEFAULT_NORM == np.inf
    p, e = resolve(0.1)
    assert p == np.inf and e == 0.1
    p, e = resolve(ThreatModel.l2(0.3))
    assert p == 2.0 and e == 0.3
    p, e = resolve([0.1, 0.2], norm=1)
    assert p == 1.0 and e.tolist() == [0.1, 0.2]
    p, e = resolve(ThreatModel.l2(0.3), norm=2.0)  # a matching norm is accepted
    assert p == 2.0
    with pytest.raises(ValueError, match="contradicts"):
        resolve(ThreatModel.l2(0.3), norm=np.inf)
    with pytest.raises(ValueError, match="p >= 1"):
        resolve(ThreatModel.l0(2))
    assert resolve(ThreatModel.l0(2), allow_zero=True)[0] == 0.0
    with pytest.raises(ValueError, match="integer"):
        resolve(1.5, norm=0, allow_zero=True)
    with pytest.raises(ValueError, match="eps"):
        resolve(-0.1)
