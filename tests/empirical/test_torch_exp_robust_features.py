"""The helpers of the robust-features experiment against hand and closed-form computations."""

import math

import numpy as np
import pytest
import torch
from scipy import stats

from empirical import attacks, models
from empirical.experiments import robust_features as RF
from theory.montecarlo import compare


def test_pixel_correlation_is_pearson_and_zero_for_constant_pixels():
    rng = np.random.default_rng(0)
    y = rng.choice([-1.0, 1.0], 200)
    x = np.stack([y + rng.normal(size=200), rng.normal(size=200), np.full(200, 0.3), -2 * y], axis=1)
    r = RF.pixel_correlation(x, y)
    assert r[0] == pytest.approx(np.corrcoef(x[:, 0], y)[0, 1], abs=1e-12)
    assert r[1] == pytest.approx(np.corrcoef(x[:, 1], y)[0, 1], abs=1e-12)
    assert r[2] == 0.0 and r[3] == pytest.approx(-1.0)


def test_weight_spread_bounds_and_scale_invariance():
    assert RF.weight_spread(np.ones(64)) == pytest.approx(1.0)
    assert RF.weight_spread(np.eye(64)[3]) == pytest.approx(1 / 8)
    w = np.array([3.0, -4.0, 0.0, 0.0])  # ||w||_1 = 7, ||w||_2 = 5, sqrt(d) = 2
    assert RF.weight_spread(w) == pytest.approx(0.7)
    assert RF.weight_spread(-5.5 * w) == pytest.approx(0.7)


def test_weight_on_correlated_is_the_abs_weighted_mean_of_abs_rho():
    w = np.array([1.0, -3.0, 0.0])
    rho = np.array([0.2, -0.6, 0.9])
    assert RF.weight_on_correlated(w, rho) == pytest.approx((0.2 + 3 * 0.6) / 4)
    assert RF.weight_on_correlated(10 * w, rho) == pytest.approx(RF.weight_on_correlated(w, rho))


def test_bootstrap_estimate_is_value_plus_minus_z_sd_and_its_verdicts():
    reps = [0.1, 0.3, 0.2, 0.4]
    e = RF.bootstrap_estimate(0.25, reps, confidence=0.95)
    half = stats.norm.ppf(0.975) * np.std(reps, ddof=1)
    assert (e.value, e.n) == (0.25, 4) and e.low == pytest.approx(0.25 - half) and e.high == pytest.approx(0.25 + half)
    assert compare(0.0, RF.bootstrap_estimate(1.0, [0.9, 1.1, 1.0]), relation=">") == "held"
    assert compare(0.0, RF.bootstrap_estimate(0.01, [-1.0, 1.0, 0.0]), relation=">") == "inconclusive"
    with pytest.raises(ValueError):
        RF.bootstrap_estimate(0.0, [1.0])


def test_alignment_is_the_cosine_per_row():
    d = np.array([[1.0, 0.0], [1.0, 1.0], [0.0, 0.0], [-2.0, 0.0]])
    u = np.array([[3.0, 0.0], [1.0, 0.0], [1.0, 1.0], [1.0, 0.0]])
    np.testing.assert_allclose(RF.alignment(d, u), [1.0, 1 / math.sqrt(2), 0.0, -1.0])


def test_choose_threshold_takes_the_best_and_breaks_ties_to_the_smaller():
    assert RF.choose_threshold([0.1, 0.2, 0.3], [0.5, 0.7, 0.6]) == 1
    assert RF.choose_threshold([0.1, 0.2, 0.3], [0.7, 0.5, 0.7]) == 0


def test_kept_pixels_never_empty():
    rho = np.array([0.1, -0.5, 0.3])
    assert RF.kept_pixels(rho, 0.3).tolist() == [False, True, True]
    assert RF.kept_pixels(rho, 0.9).tolist() == [False, True, False]


def test_embedded_restricted_model_ignores_the_dropped_pixels_and_its_worst_case_is_exact():
    keep = np.array([True, False, True, False])
    small = models.Linear.from_theory([2.0, -1.0], b=0.5)
    full = RF.embed(small, keep)
    x = torch.rand(5, 4, generator=torch.Generator().manual_seed(0))
    torch.testing.assert_close(full(x), small(x[:, torch.from_numpy(keep)]))
    x2 = x.clone()
    x2[:, ~torch.from_numpy(keep)] = 0.9  # changing a dropped pixel changes nothing
    torch.testing.assert_close(full(x2), full(x))
    y = torch.tensor([1.0, -1.0, 1.0, 1.0, -1.0])
    eps = 0.1
    xa = attacks.linear_worst_case(full, x, y, eps=eps, norm="linf", domain=(0.0, 1.0))
    # Hoelder with the box: each kept pixel moves by eps against y sign(w), clipped to [0, 1]
    w = torch.tensor([2.0, 0.0, -1.0, 0.0])
    expect = (x - eps * y[:, None] * torch.sign(w)).clamp(0.0, 1.0)
    torch.testing.assert_close(full(xa), full(expect))


def test_interpolation_endpoints_and_midpoint():
    x, xa = torch.zeros(1, 2, 2), torch.ones(1, 2, 2)
    path = RF.interpolation(x, xa, [0.0, 0.25, 1.0])
    assert path.shape == (3, 1, 2, 2)
    torch.testing.assert_close(path[0], x)
    torch.testing.assert_close(path[1], torch.full_like(x, 0.25))
    torch.testing.assert_close(path[2], xa)


def test_plot_draws_every_figure_from_a_synthetic_report(tmp_path):
    img = np.linspace(0, 1, 64).reshape(8, 8).tolist()
    est = {"value": 0.5, "low": 0.4, "high": 0.6, "n": 10}
    w = {"w": img, "b": 0.0, "l1": 1.0, "l2": 1.0, "spread": 0.5, "on_correlated": 0.5}
    methods = {m: est for m in RF.METHODS}
    ex = {"label": 1, "image": img, "p7_clean": {"standard": 0.9, "adversarial": 0.8},
          "adv": {"standard": img, "adversarial": img}, "p7": {"standard": 0.1, "adversarial": 0.2}}
    report = {
        "experiment": RF.NAME, "config": {"eps": 0.2}, "predictions": [],
        "results": {
            "linear": {"rho": img, "weights": {"standard": w, "adversarial": w}},
            "crossfit": {"n": 10, "folds": 2, "chosen_thresholds": [0.3], "standard": {"clean": est, "robust": est},
                         "adversarial": {"clean": est, "robust": est}, "selected": {"clean": est, "robust": est}},
            "threshold_curve": {"thresholds": [0.0, 0.5], "pixels": [64, 10], "clean": [est, est],
                                "robust": [est, est]},
            "saliency": {"mask_threshold": 0.5, "mask_fraction": 0.3, "concentration": methods,
                         "examples": [{"label": -1, "image": img, "maps": {m: img for m in RF.METHODS},
                                       "concentration": {m: 0.5 for m in RF.METHODS}}] * 2},
            "large_eps": {"eps": 2.0, "class_mean_distance": 2.0,
                          "alignment": {"standard": est, "adversarial": est}, "examples": [ex, ex],
                          "interpolation": {"t": [0.0, 1.0], "examples": [
                              {"label": -1, "images": {"standard": [img, img], "adversarial": [img, img]},
                               "p7": {"standard": [0.1, 0.9], "adversarial": [0.2, 0.8]}}]}},
        },
    }
    paths = RF.plot(report, tmp_path)
    assert len(paths) == 6 and all(p.stat().st_size > 5_000 for p in paths)
