"""trades-tightness: its measurement of both sides of zhang2019 Theorem 3.1 against closed forms.

For a linear score f(x) = w.x + b and an l-inf ball inside the box, the worst score over the ball
is f(x) -+ ||w||_1 eps, so every term of the theorem is a closed form: the robust error, the
boundary term (correct and |f(x)| <= ||w||_1 eps) and the TRADES regularizer
phi(f(x) (f(x) - sign f(x) ||w||_1 eps) / lambda). The tests compute them by hand and compare
with what the experiment's code returns with the engine's attacks.
"""

import numpy as np
import pytest
import torch

from empirical import attacks, models
from empirical.experiments import trades_tightness as T
from theory import hardness
from theory.montecarlo import mean

EPS = 0.1
W, B = np.array([2.0, -1.0]), -0.5


def _problem():
    rng = np.random.default_rng(3)
    x = rng.uniform(0.15, 0.85, size=(400, 2))
    z = x @ W + B
    keep = (np.abs(np.abs(z) - np.abs(W).sum() * EPS) > 0.02) & (np.abs(z) > 0.02)  # no ties with the ball
    x, z = x[keep][:60], z[keep][:60]
    y = np.where(z > 0, 1.0, -1.0)
    y[[1, 7, 20]] *= -1  # three misclassified points
    return x, z, y


def _hinge(a):
    return np.maximum(1.0 - a, 0.0)


def _closed_form(z, y, lam):
    r = np.abs(W).sum() * EPS
    s = np.where(z > 0, 1.0, -1.0)
    wrong = s != y
    robust_error = wrong | (y * z - r <= 0)
    boundary = ~wrong & (np.abs(z) <= r)
    reg = _hinge(z * (z - s * r) / lam)
    phi = _hinge(y * z)
    return {"A": robust_error.mean(), "B1": phi.mean() + boundary.mean(), "B2": phi.mean() + reg.mean(),
            "boundary": boundary.mean(), "regularizer": reg.mean(), "R_phi": phi.mean()}


@pytest.mark.parametrize("lam", [0.5, 2.0])
def test_both_sides_match_the_closed_form_of_a_linear_classifier(lam):
    x, z, y = _problem()
    model = models.Linear.from_theory(W, B, dtype=torch.float64).eval()
    xt, yt = torch.tensor(x), torch.tensor(y)
    rob = attacks.auto_attack(EPS, steps=30, generator=0)
    bdy = attacks.auto_attack(EPS, steps=30, generator=1)
    terms = T.per_example(model, xt, yt, rob, bdy, lams=(lam,))
    est = T.sides(terms, 0.0, 0.0, lam)
    exact = _closed_form(z, y, lam)
    assert 0 < exact["boundary"] < 0.5 and exact["A"] > exact["boundary"]  # a non-trivial instance
    for key, value in exact.items():
        assert est[key].value == pytest.approx(value, abs=1e-9), key
    assert terms["identity_violations"] == 0
    assert est["B2-A"].value == pytest.approx(exact["B2"] - exact["A"], abs=1e-9)
    assert est["B1-A"].value == pytest.approx(exact["B1"] - exact["A"], abs=1e-9) and est["B1-A"].value >= 0
    # with exact attacks B1 - A is attack-free: R_phi - P(sign f != Y) (BJM06's slack)
    assert est["bjm_gap"].value == pytest.approx(exact["R_phi"] - np.mean(np.sign(z) != y), abs=1e-9)


def test_a_weak_boundary_attack_breaks_the_identity_and_can_fail_the_first_inequality():
    x, z, y = _problem()
    model = models.Linear.from_theory(W, B, dtype=torch.float64).eval()
    xt, yt = torch.tensor(x), torch.tensor(y)
    no_attack = attacks.bind(attacks.pgd, eps=0.0)
    terms = T.per_example(model, xt, yt, attacks.auto_attack(EPS, steps=30, generator=0), no_attack, lams=(1.0,))
    est = T.sides(terms, 0.0, 0.0, 1.0)
    assert terms["identity_violations"] == int(round(_closed_form(z, y, 1.0)["boundary"] * len(y))) > 0
    assert est["boundary"].value == 0.0
    assert est["B1-A"].value < est["bjm_gap"].value  # the measured gap shrinks by the missed boundary mass
    zero_margin = T.sides({**terms, "phi": np.zeros_like(terms["phi"])}, 0.0, 0.0, 1.0)
    assert zero_margin["B1-A"].high < 0  # the check "B1 - A >= 0" would report "did not hold"


def test_sample_optimum_pools_identical_points():
    x = np.array([[0.0], [0.0], [0.0], [1.0], [2.0], [2.0]])
    y = np.array([1.0, -1.0, 1.0, 1.0, -1.0, -1.0])
    r_nat, r_phi = T.sample_optimum(x, y)
    assert r_nat == pytest.approx(1 / 6) and r_phi == pytest.approx(2 / 6)  # hinge: H(eta) = 2 min(eta, 1 - eta)
    assert r_nat == pytest.approx(hardness.optimal_robust_error(x, (y > 0).astype(int), None, 0.0, norm=np.inf))
    assert T.sample_optimum(x[3:], y[3:]) == (0.0, 0.0)


def test_saturated_psi_inverse_gives_the_trades_upper_bound():
    terms = {"phi": np.array([2.0, 1.5, 0.5, 3.0]), "sign_error": np.array([1.0, 1.0, 0.0, 1.0]),
             "robust_error": np.array([1.0, 1.0, 1.0, 1.0]), "boundary": np.array([0.0, 0.0, 1.0, 0.0]),
             "regularizer": {}}
    est = T.sides(terms, 0.0, 0.0)
    assert est["B1"].value == pytest.approx(1.0 + 0.25)  # psi^-1 = 1 beyond psi(1) = 1
    # saturated: psi^-1 is flat there, so the phi terms carry no sampling error into B1 - A
    assert est["B1-A"].value == pytest.approx(0.25)
    assert est["B1-A"].halfwidth == pytest.approx(mean(terms["boundary"]).halfwidth, rel=1e-9)


def test_hinge_trades_objective_is_problem_3_at_the_exact_worst_case():
    x, z, y = _problem()
    lam = 2.0
    model = models.Linear.from_theory(W, B, dtype=torch.float64)
    obj = T.HingeTrades(lam, steps=20)
    out = obj.compute(model, torch.tensor(x), torch.tensor(y), eps=EPS, generator=0)
    s, r = np.where(z > 0, 1.0, -1.0), np.abs(W).sum() * EPS
    expected = np.mean(_hinge(y * z) + _hinge(z * (z - s * r) / lam))
    assert out.loss.item() == pytest.approx(expected, abs=1e-9)
    out.loss.backward()
    assert model.linear.weight.grad is not None and torch.isfinite(model.linear.weight.grad).all()
    assert obj.config() == {"name": "trades-hinge", "lam": 2.0, "steps": 20, "alpha": None, "domain": [0.0, 1.0]}
    with pytest.raises(ValueError):
        T.HingeTrades(0.0)
