"""lambda-sweep: its risks, seed summaries and paired differences by hand, the objectives it shares
between the sweeps, the figure from a hand-made report, and one reduced run checked against its own results."""

import json

import numpy as np
import pytest
import torch
from scipy import stats

from empirical import experiments as X
from empirical.experiments import lambda_sweep as L
from empirical.objectives import Madry, Standard, Suggala

T2 = stats.t.ppf(0.5 + 0.999 / 2, df=2)  # theory.montecarlo.mean: Student-t interval, 3 values


def test_risks_by_hand():
    clean = [True, False, False, False, False]
    robust = [True, True, True, False, False]
    r = L.risks(clean, robust, joint_lam=0.5)
    assert r["clean_error"] == pytest.approx(0.2) and r["robust_error"] == pytest.approx(0.6)
    assert r["adversarial_risk"] == pytest.approx(0.4)  # 2 of 5 correct points flipped
    assert r["joint_risk"] == pytest.approx(0.2 + 0.5 * 0.4)
    assert L.risks(clean, robust)["joint_risk"] == pytest.approx(0.6)  # lambda 1: the robust error
    with pytest.raises(ValueError):
        L.risks([True, False], [False, False])  # wrong on clean input but counted robust
    with pytest.raises(ValueError):
        L.risks([True], [True, False])
    with pytest.raises(ValueError):
        L.risks([True], [True], joint_lam=-1.0)


def test_summary_and_paired_difference_by_hand():
    v = [0.1, 0.25, 0.4]
    s = L.summary(v)
    sd = np.std(v, ddof=1)
    assert s["mean"] == pytest.approx(0.25) and s["per_seed"] == v
    half = T2 * sd / np.sqrt(3)
    assert s["low"] == pytest.approx(0.25 - half) and s["high"] == pytest.approx(0.25 + half)
    d = L.paired_difference([0.5, 0.6, 0.7], [0.2, 0.4, 0.3])
    diffs = np.array([-0.3, -0.2, -0.4])
    assert d.value == pytest.approx(diffs.mean())
    assert d.high == pytest.approx(diffs.mean() + T2 * diffs.std(ddof=1) / np.sqrt(3))
    with pytest.raises(ValueError):
        L.paired_difference([0.1, 0.2], [0.1])


def _grads(objective, model, x, y, seed):
    model.zero_grad()
    loss = objective(model, x, y, eps=0.1, generator=torch.Generator().manual_seed(seed))
    loss.backward()
    return loss.detach(), [p.grad.clone() for p in model.parameters()]


def test_lambda_zero_and_one_are_standard_and_madry_training():
    """The sweep trains lambda = 0 with Standard and lambda = 1 with Madry: same loss, same gradient."""
    g = torch.Generator().manual_seed(0)
    x, y = torch.rand(16, 1, 8, 8, generator=g), torch.randint(0, 10, (16,), generator=g)
    model = L.models.DigitsCNN(classes=10, width=2, generator=0)
    for lam, other in ((0.0, Standard()), (1.0, Madry(steps=3))):
        a_loss, a_grad = _grads(Suggala(lam, steps=3), model, x, y, 5)
        b_loss, b_grad = _grads(other, model, x, y, 5)
        assert torch.allclose(a_loss, b_loss, atol=1e-6)
        assert all(torch.allclose(u, v, atol=1e-6) for u, v in zip(a_grad, b_grad, strict=True))
    assert L._suggala(0.0) == ("standard", None) and L._suggala(1.0) == ("madry", None)
    assert L._suggala(2.0) == ("suggala-lam", 2.0)


def _block(grid, metrics, seeds=3):
    rng = np.random.default_rng(0)
    return {"grid": grid, "width": 8, **{m: [L.summary(rng.uniform(0, 1, seeds)) for _ in grid] for m in metrics}}


def test_plot_draws_from_a_hand_made_report(tmp_path):
    metrics = L.METRICS + ("joint_risk",)
    report = {"experiment": "lambda-sweep", "config": dict(X.load_all()["lambda-sweep"].quick), "seeds": [0, 1, 2],
              "predictions": [{"id": "experiments.lambda-sweep.suggala.regularization", "predicted": 0.0,
                               "measured": -0.01, "interval": [-0.03, 0.01], "relation": "<",
                               "verdict": "inconclusive"}],
              "results": {"lambda": _block([0.0, 0.1, 1.0, 2.0], L.METRICS), "beta": _block([0.1, 1.0, 5.0], L.METRICS),
                          "capacity": {"widths": [1, 2, 4], "standard": _block([1, 2, 4], metrics),
                                       "adversarial": _block([1, 2, 4], metrics)}}}
    paths = L.plot(json.loads(json.dumps(report)), tmp_path)
    assert [p.name for p in paths] == ["lambda-sweep.png", "lambda-sweep-predictions.png"]
    assert all(p.stat().st_size > 10_000 for p in paths)


def test_a_grid_without_lambda_one_is_refused(tmp_path):
    with pytest.raises(ValueError, match="lams"):
        X.run("lambda-sweep", out=tmp_path, tiny=True, progress=False, overrides={"lams": [0.0, 2.0]})


@pytest.fixture(scope="module")
def small_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("lambda")
    return X.run("lambda-sweep", out=out, tiny=True, progress=False,
                 overrides={"widths": [1, 2], "sweep_width": 2, "epochs": 1, "betas": [0.5, 2.0]}).to_json()


def test_predictions_are_the_paired_differences_of_the_results(small_run):
    res = small_run["results"]
    preds = {p["id"].removeprefix("experiments.lambda-sweep."): p for p in small_run["predictions"]}
    lam = res["lambda"]

    def diff(block, metric, i, j):
        return float(np.mean(np.subtract(block[metric][j]["per_seed"], block[metric][i]["per_seed"])))

    assert preds["suggala.robust-error-falls"]["measured"] == pytest.approx(diff(lam, "robust_error", 0, 2))
    assert preds["suggala.regularization"]["measured"] == pytest.approx(diff(lam, "clean_error", 0, 1))
    assert preds["trades.clean-error-rises"]["measured"] == pytest.approx(diff(res["beta"], "clean_error", 0, 1))
    cap = res["capacity"]
    assert preds["capacity.standard-joint-risk-falls"]["measured"] == pytest.approx(
        diff(cap["standard"], "joint_risk", 0, 1))
    # lambda = 0 and 1 at the sweep width are the capacity sweep's standard and adversarial models
    assert lam["clean_error"][0]["per_seed"] == cap["standard"]["clean_error"][1]["per_seed"]
    assert lam["robust_error"][1]["per_seed"] == cap["adversarial"]["robust_error"][1]["per_seed"]
    # per model: adversarial risk = robust - clean, joint risk (lambda 1) = robust error, intervals contain values
    for m in res["models"].values():
        assert m["adversarial_risk"][0] == pytest.approx(m["robust_error"][0] - m["clean_error"][0])
        assert all(lo <= v <= hi for v, lo, hi in (m[k] for k in L.METRICS))
    for i in range(2):
        std = cap["standard"]
        assert std["joint_risk"][i]["per_seed"] == pytest.approx(std["robust_error"][i]["per_seed"])
    assert small_run["seeds"] == [0, 1]
