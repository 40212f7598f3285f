"""margin-condition: the closed forms the experiment predicts with, checked independently.

The experiment (empirical/experiments/margin_condition.py) derives, for suggala2019's two squares and
objective (6) at lam = 1 with the 0-1 loss: the minimiser's threshold tau* = 0.2 - eps, its risks
R* = (eps - 0.4)_+/8 and G* = (eps - 0.2)_+/4 (the least adversarial risk of ANY classifier), and the
least adversarial risk (eps - 0.3)/2 of a Bayes-optimal classifier for eps > 0.4. Here: the hand
formulas against ``uniform_squares_risks``; a search over linear classifiers; the exact optimum over
all classifiers of a grid version of the squares (a minimum cut, ``theory.hardness``), and the
classification risk of the optimal classifier that construction returns; the learned-threshold
reader on linear models; the engine's PGD (domain None) against the closed form at tau*.
"""

import numpy as np
import pytest
import torch

from empirical import attacks, data, evaluate, models
from empirical.experiments import margin_condition as M
from theory.distributions import UniformSquares
from theory.hardness import optimal_robust_error, robust_classifier
from theory.montecarlo import compare
from theory.regularization import uniform_squares_risks

SQUARES = UniformSquares()
EPS_GRID = np.linspace(0.0, 1.2, 25)


def _pos(v):
    return max(0.0, v)


@pytest.mark.parametrize("eps", EPS_GRID)
def test_theory_curves_are_the_hand_formulas(eps):
    t = M.theory_risks(eps, SQUARES)
    assert M.optimal_threshold(eps, SQUARES) == pytest.approx(0.2 - eps, abs=1e-12)
    assert t["R_opt"] == pytest.approx(_pos(eps - 0.4) / 8, abs=1e-12)
    assert t["G_opt"] == pytest.approx(_pos(eps - 0.2) / 4, abs=1e-12)
    assert t["R_bayes"] == pytest.approx(0.0, abs=1e-12)
    assert t["G_bayes"] == pytest.approx(_pos(eps - 0.2) / 2, abs=1e-12)  # both squares lose a strip eps - 0.2 wide
    best_bayes = t["G_opt"] if eps <= 0.4 else (eps - 0.3) / 2
    assert t["G_best_bayes"] == pytest.approx(best_bayes, abs=1e-12)


@pytest.mark.parametrize("eps", [0.1, 0.3, 0.5, 0.8, 1.1])
def test_no_linear_classifier_beats_the_optimal_threshold(eps):
    angles = np.linspace(-np.pi / 2, np.pi / 2, 121)
    w = np.stack([np.cos(angles), np.sin(angles)], -1)[:, None, :]
    b = np.linspace(-2.5, 2.5, 1001)[None, :]
    r, g = uniform_squares_risks(w, b, eps)
    g_opt = M.theory_risks(eps, SQUARES)["G_opt"]
    assert g.min() >= g_opt - 1e-12
    assert g.min() <= g_opt + 0.004  # the offset grid step is 0.005; the adversarial risk has slope <= 3/8 in b
    if eps > 0.2:  # the minimiser is unique once the margin condition fails: the vertical line x1 = 0.2 - eps
        i, j = np.unravel_index(np.argmin(g), g.shape)
        assert abs(angles[i]) < 1e-9 and -b[0, j] == pytest.approx(0.2 - eps, abs=0.01)
    # among the thresholds in the gap (the Bayes-optimal ones) the best is clip(0.2 - eps, -0.2, 0.2)
    taus = np.linspace(-0.2, 0.2, 401)
    g_gap = np.array([M.threshold_risks(tau, eps, SQUARES)[1] for tau in taus])
    assert g_gap.min() == pytest.approx(M.theory_risks(eps, SQUARES)["G_best_bayes"], abs=4e-4)
    assert g_gap.min() >= M.theory_risks(eps, SQUARES)["G_best_bayes"] - 1e-12


def _grid_squares(columns, rows):
    """The squares as a weighted grid of atoms: cell centres, class masses 3/4 and 1/4 spread evenly."""
    c1 = 0.2 + (np.arange(columns) + 0.5) / columns * 2
    c2 = -1 + (np.arange(rows) + 0.5) / rows * 2
    pos = np.array([(a, b) for a in c1 for b in c2])
    neg = pos * np.array([-1.0, 1.0])
    x = np.vstack([pos, neg])
    lab = np.r_[np.ones(len(pos), int), np.zeros(len(neg), int)]
    w = np.r_[np.full(len(pos), 0.75 / len(pos)), np.full(len(neg), 0.25 / len(neg))]
    return x, lab, w


@pytest.mark.parametrize("eps", [0.1, 0.3, 0.6, 1.0])
def test_the_optimum_over_all_classifiers_is_G_star_and_its_risk_is_R_star(eps):
    # 40 columns of width 0.05: the grid resolves the strips (eps - 0.2) and (eps - 0.4) of the closed forms exactly
    x, lab, w = _grid_squares(40, 5)
    t = M.theory_risks(eps, SQUARES)
    assert optimal_robust_error(x, lab, w, eps, norm=np.inf) == pytest.approx(t["G_opt"], abs=1e-9)
    h, _ = robust_classifier(x, lab, w, eps, norm=np.inf)
    assert float(np.sum(w[h(x) != lab])) == pytest.approx(t["R_opt"], abs=1e-9)


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError):
        M.optimal_threshold(1.3, SQUARES)  # beyond m + side/2 the minimiser is not unique
    with pytest.raises(ValueError):
        M.optimal_threshold(-0.1, SQUARES)
    with pytest.raises(ValueError):
        M.optimal_threshold(0.3, UniformSquares(p_pos=0.5))
    with pytest.raises(ValueError):
        M.optimal_threshold(0.3, UniformSquares(center=0.8))  # overlapping squares


@pytest.mark.parametrize("tau", [-0.61, 0.0, 0.137])
def test_learned_threshold_reads_a_linear_boundary(tau):
    straight = models.Linear.from_theory([2.0, 0.0], b=-2.0 * tau)
    read = M.learned_threshold(straight, SQUARES)
    assert read["tau"] == pytest.approx(tau, abs=0.003) and read["crossings"] == 1
    assert read["tau_max"] - read["tau_min"] < 0.003
    slanted = models.Linear.from_theory([1.0, 0.1], b=-tau)  # x1 > tau - 0.1 x2: from tau + 0.1 to tau - 0.1
    read = M.learned_threshold(slanted, SQUARES)
    assert read["tau"] == pytest.approx(tau, abs=0.003)
    assert read["tau_min"] == pytest.approx(tau - 0.1, abs=0.003) and read["tau_max"] == pytest.approx(tau + 0.1,
                                                                                                       abs=0.003)


@pytest.mark.parametrize("eps", [0.3, 0.7])
def test_pgd_without_a_domain_measures_the_closed_form_of_the_optimal_threshold(eps):
    torch.manual_seed(0)
    tau = M.optimal_threshold(eps, SQUARES)
    model = models.Linear.from_theory([5.0, 0.0], b=-5.0 * tau).eval()
    test = data.from_distribution(SQUARES, 20_000, seed=3)
    attack = attacks.bind(attacks.pgd, eps=eps, steps=10, restarts=1, generator=0, domain=None)
    measured = evaluate.robust_error(model, test.x, test.y, attack)
    r_opt, g_opt = M.threshold_risks(tau, eps, SQUARES)
    assert compare(g_opt, measured) == "held"
    assert compare(r_opt, evaluate.robust_error(model, test.x, test.y)) == "held"
