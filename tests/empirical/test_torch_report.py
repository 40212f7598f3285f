"""Experiment reports: verdicts from measurement and interval, through theory.montecarlo.compare."""

import json

import numpy as np
import pytest
import torch

from empirical import attacks, data, evaluate, models
from empirical.objectives import Madry
from empirical.report import Report, load_report
from empirical.train import Trainer, constant
from theory import gaussian
from theory.distributions import GaussianMixture
from theory.montecarlo import compare, proportion


@pytest.fixture(scope="module")
def trained_linear():
    """A linear model adversarially trained on a Gaussian mixture, and its measured robust error."""
    theta = np.array([1.0, 0.5, 0.25])
    train = data.from_distribution(GaussianMixture(theta), 2000, seed=0)
    test = data.from_distribution(GaussianMixture(theta), 20000, seed=1)
    model = models.Linear(3, bias=False, generator=0)
    Trainer(model, train, Madry(steps=5, domain=None), constant(0.2), 3, seed=0, progress=False).fit()
    w, _ = model.theory_weights()
    measured = evaluate.robust_error(model.eval(), test.x, test.y, attacks.bind(attacks.linear_worst_case, eps=0.2))
    return theta, w, measured


def test_a_true_prediction_holds_and_a_deliberately_wrong_one_does_not(trained_linear, tmp_path):
    theta, w, measured = trained_linear
    predicted = float(gaussian.adversarial_risk(w, theta, 0.2))
    report = Report("gaussian-linear", config={"n_train": 2000, "eps": 0.2}, seeds=[0, 1])
    right = report.predict("experiments.demo.risk", "robust error = adversarial_risk(w)", predicted, measured)
    assert right.verdict == compare(predicted, measured) == "held"
    assert report.verdict == "held"
    wrong = report.predict("experiments.demo.wrong", "robust error = adversarial_risk(w) + 0.1",
                           predicted + 0.1, measured)
    assert wrong.verdict == "did not hold" and report.verdict == "did not hold"
    saved = load_report(report.finish().write(tmp_path))
    assert saved["verdict"] == "did not hold" and saved["duration_s"] >= 0
    assert [p["verdict"] for p in saved["predictions"]] == ["held", "did not hold"]
    entry = saved["predictions"][0]
    assert entry["interval"] == [measured.low, measured.high] and entry["measured"] == measured.value
    assert set(saved) >= {"experiment", "config", "seeds", "device", "versions", "duration_s", "predictions"}
    assert "torch" in saved["versions"] and saved["versions"]["torch"] == torch.__version__


def test_bounds_and_inconclusive_follow_the_interval():
    est = proportion(300, 1000)  # about [0.25, 0.35]
    r = Report("demo", config={}, seeds=[0])
    assert r.predict("a", "upper bound", 0.4, est, relation="<=").verdict == "held"
    assert r.predict("b", "upper bound too low", 0.2, est, relation="<=").verdict == "did not hold"
    assert r.predict("c", "lower bound", 0.2, est, relation=">=").verdict == "held"
    assert r.predict("d", "needs a finer sample", 0.3, est, resolution=0.01).verdict == "inconclusive"
    assert r.verdict == "did not hold"
    assert Report("empty", config={}, seeds=[]).verdict == "inconclusive"


def test_report_refuses_a_number_without_interval_and_duplicate_ids(tmp_path):
    r = Report("demo", config={}, seeds=[0])
    with pytest.raises(ValueError, match="Estimate"):
        r.predict("a", "s", 0.5, 0.5)
    r.predict("a", "s", 0.5, proportion(5, 10))
    with pytest.raises(ValueError, match="twice"):
        r.predict("a", "s", 0.5, proportion(5, 10))
    table = r.table()
    assert "a" in table and "held" in table and table.splitlines()[-1] == "demo: held"
    with pytest.raises(FileNotFoundError, match="report.json"):
        load_report(tmp_path)
    json.dumps(r.to_json())  # plain JSON types

