"""wen-regularization: the helpers it computes itself, checked against hand computations and the engine."""

import math

import numpy as np
import pytest
import torch
from scipy import stats

from empirical import data, evaluate, models
from empirical import experiments as X
from empirical.experiments import wen_regularization as W
from theory import regularization
from theory.montecarlo import mean

torch.set_num_threads(1)


def test_gap_estimate_adds_standard_errors_in_quadrature():
    rng = np.random.default_rng(0)
    train, test = rng.exponential(0.1, 300), rng.exponential(0.3, 120)
    e = W.gap_estimate(train, test, confidence=0.99)
    h_train = stats.t.ppf(0.995, 299) * train.std(ddof=1) / math.sqrt(300)
    h_test = stats.t.ppf(0.995, 119) * test.std(ddof=1) / math.sqrt(120)
    assert e.value == pytest.approx(test.mean() - train.mean())
    assert e.halfwidth == pytest.approx(math.sqrt(h_train**2 + h_test**2), rel=1e-9)
    z_se = stats.norm.ppf(0.995) * math.sqrt(train.var(ddof=1) / 300 + test.var(ddof=1) / 120)
    assert z_se < e.halfwidth < 1.02 * z_se  # close to the normal-theory interval of the difference
    assert e.low < 0.2 < e.high  # the true gap 0.3 - 0.1


def test_circular_padding_makes_the_fft_spectra_exact():
    model = W.circular(models.DigitsCNN(classes=10, width=2, hidden=4, generator=0)).eval()
    fft = evaluate.layer_singular_values(model, model.input_shape, method="fft")
    dense = evaluate.layer_singular_values(model, model.input_shape, method="dense")
    for name in fft:
        np.testing.assert_allclose(fft[name], dense[name], rtol=1e-6, atol=1e-9)
    zero = models.DigitsCNN(classes=10, width=2, hidden=4, generator=0).eval()
    z = evaluate.layer_singular_values(zero, zero.input_shape, method="dense")["features.0"]
    assert not np.allclose(z, dense["features.0"])  # the zero-padded layer has another spectrum
    conv = model.features[0]
    x = torch.rand(3, 1, 8, 8)
    by_hand = torch.nn.functional.conv2d(torch.nn.functional.pad(x, (1, 1, 1, 1), mode="circular"), conv.weight,
                                         conv.bias)
    torch.testing.assert_close(conv(x), by_hand)
    with pytest.raises(ValueError):
        W.circular(torch.nn.Sequential(torch.nn.Conv2d(1, 2, 3, stride=2, padding=1)))


def test_per_example_quantities_agree_with_the_engine_and_theory():
    train, test = data.digits("train"), data.digits("test")
    model = W.circular(models.DigitsCNN(classes=10, width=2, hidden=4, generator=1)).eval()
    tr, te = W.per_example(model, train), W.per_example(model, test)
    gap = evaluate.loss_gap(model, train, test)
    assert tr["loss"].mean() == pytest.approx(gap.train_loss, rel=1e-5)
    assert te["loss"].mean() == pytest.approx(gap.test_loss, rel=1e-5)
    assert 1 - te["correct"].mean() == pytest.approx(gap.test_error.value)
    np.testing.assert_allclose(te["margin"], regularization.margin(te["logits"], test.y.numpy()), atol=1e-5)
    soft = torch.softmax(torch.as_tensor(te["logits"]), dim=1)[torch.arange(len(test)), test.y].numpy()
    np.testing.assert_allclose(te["prob"], soft, rtol=1e-9)
    assert W.layer_labels(model) == {"features.0": "conv1 1->2, 3x3", "features.2": "conv2 2->4, 3x3",
                                     "classifier.1": "fc1 64->4", "classifier.3": "fc2 4->10"}


@pytest.fixture(scope="module")
def tiny_report(tmp_path_factory):
    return X.run("wen-regularization", out=tmp_path_factory.mktemp("wen"), tiny=True, progress=False).to_json()


def test_predictions_are_recomputed_from_the_recorded_results(tiny_report):
    r = tiny_report
    res = r["results"]
    preds = {p["id"].removeprefix("experiments.wen-regularization."): p for p in r["predictions"]}
    eps = [f"{float(e):g}" for e in r["config"]["eps"]]
    lo, hi = res["by_eps"][eps[0]], res["by_eps"][eps[-1]]
    # the gap of differences is the difference of the (seed-averaged) gaps; paired means are differences of means
    assert preds["loss-gap"]["measured"] == pytest.approx(hi["loss_gap"][0] - lo["loss_gap"][0], abs=1e-12)
    assert preds["train-loss"]["measured"] == pytest.approx(hi["train_loss"][0] - lo["train_loss"][0], abs=1e-12)
    assert preds["clean-accuracy"]["measured"] == pytest.approx(
        hi["clean_accuracy"][0] - lo["clean_accuracy"][0], abs=1e-12)
    assert preds["robust-accuracy"]["measured"] == pytest.approx(
        hi["robust_accuracy"][0] - lo["robust_accuracy"][0], abs=1e-12)
    assert preds["margin.test"]["measured"] == pytest.approx(
        hi["margin_test_mean_abs"][0] - lo["margin_test_mean_abs"][0], abs=1e-9)
    # the spectral prediction: B.2's accumulated STD difference per seed, from the per-model spectra
    seeds = [str(s) for s in res["seeds"]]
    totals = [sum(res["models"][eps[-1]][s]["spectra"][ly]["std"] - res["models"][eps[0]][s]["spectra"][ly]["std"]
                  for ly in res["layers"]) for s in seeds]
    np.testing.assert_allclose(res["comparison"]["spread_std_total_per_seed"], totals, rtol=1e-12)
    e = mean(totals)
    assert preds["spread.total"]["measured"] == pytest.approx(e.value)
    assert preds["spread.total"]["interval"] == pytest.approx([e.low, e.high])
    assert preds["spread.total"]["n"] == len(seeds) >= 2
    # a model's spread really is spectral_spread of its singular values: the std of conv1's is positive
    assert all(res["models"][k][s]["spectra"]["features.0"]["std"] > 0 for k in eps for s in seeds)
    assert res["layers"] == ["features.0", "features.2", "classifier.1", "classifier.3"]
    for k in eps:
        q = res["by_eps"][k]["margin_test_quantiles"]
        assert len(q) == len(W.QUANTILE_GRID) and q == sorted(q)


def test_the_experiment_refuses_a_single_seed(tmp_path):
    with pytest.raises(ValueError, match="seeds"):
        X.run("wen-regularization", out=tmp_path, tiny=True, progress=False, overrides={"seeds": 1})
