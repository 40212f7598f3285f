"""The helpers of the large-eps experiment against hand computations, and its report against its own files."""

import json
import math

import numpy as np
import pytest
import torch

from empirical import data, evaluate
from empirical import experiments as X
from empirical.evaluate import Check, SanityReport
from empirical.experiments import large_eps as L
from empirical.models import Linear
from theory import hardness
from theory.montecarlo import compare, proportion


def test_label_entropy_is_the_loss_of_the_best_constant_predictor():
    assert L.label_entropy(np.repeat(np.arange(10), 7), 10) == pytest.approx(math.log(10), abs=1e-12)
    # labels 0, 0, 1: H(2/3, 1/3) = log 3 - (2/3) log 2
    assert L.label_entropy([0, 0, 1], 10) == pytest.approx(math.log(3) - 2 / 3 * math.log(2), abs=1e-12)
    assert L.label_entropy([4, 4, 4], 10) == 0.0
    # it is the mean cross-entropy of the constant prediction of the label frequencies
    y = torch.tensor([0, 0, 1, 2, 2, 2])
    logits = torch.log(torch.bincount(y, minlength=3).double() / len(y)).expand(len(y), 3)
    ce = torch.nn.functional.cross_entropy(logits, y).item()
    assert L.label_entropy(y.numpy(), 3) == pytest.approx(ce, abs=1e-12)
    with pytest.raises(ValueError):
        L.label_entropy([], 10)


def test_adversarial_losses_of_a_linear_model_are_the_closed_form_worst_case():
    # single logit z = w.x + b; l-inf PGD with 10 steps of 0.25 eps from a random start reaches the corner
    # x - eps y sign(w) (the gradient sign never changes), inside [0, 1] for x = 0.5, eps = 0.1
    w, b, eps = np.array([1.0, -2.0, 0.5]), 0.3, 0.1
    model = Linear.from_theory(w, b).eval()
    x = torch.full((4, 3), 0.5)
    y = torch.tensor([1.0, -1.0, 1.0, -1.0])
    got = L.adversarial_losses(model, x, y, eps=eps, steps=10, generator=torch.Generator().manual_seed(0),
                               batch_size=3)
    margin = y.double().numpy() * (x.double().numpy() @ w + b) - eps * np.abs(w).sum()
    np.testing.assert_allclose(got.numpy(), np.log1p(np.exp(-margin)), rtol=1e-5)
    assert got.dtype == torch.float64 and got.shape == (4,)


def test_stitch_curves_numbers_the_continued_run_after_the_first():
    first = [{"epoch": e, "eps": 0.3, "train_loss": 2.0 - e / 10, "train_adv_acc": 0.1 * e, "seconds": 1.0}
             for e in (1, 2, 3)]
    second = [{"epoch": e, "eps": 0.4, "train_loss": 2.2, "train_adv_acc": 0.2, "seconds": 1.0} for e in (1, 2)]
    cv = L.stitch_curves(first, second)
    assert cv["epoch"] == [1, 2, 3, 4, 5] and cv["eps"] == [0.3, 0.3, 0.3, 0.4, 0.4]
    assert cv["train_loss"] == [1.9, 1.8, 1.7, 2.2, 2.2] and set(cv) == {"epoch", "eps", "train_loss", "train_adv_acc"}
    assert L.stitch_curves(first)["epoch"] == [1, 2, 3]


def _report(*passed, discordant=(1, 2)):
    checks = tuple(Check(name, "d", "r", p, {"accuracy": proportion(3, 10), "discordant": discordant})
                   for name, p in zip(("c0", "more_restarts", "c2"), passed, strict=False))
    return SanityReport(checks, proportion(9, 10), ("skipped thing",))


def test_the_sanity_prediction_fails_iff_a_check_fails_as_the_paper_words_it():
    assert compare(0.0, L.failed_share(_report(True, True, True)), relation="<=") == "held"
    one = L.failed_share(_report(True, False, True))
    assert one.value == pytest.approx(1 / 3) and one.n == 3
    assert compare(0.0, one, relation="<=") == "did not hold"
    # more restarts that break 30 more examples than they save (3 vs 33) pass the one-sided checklist ...
    drop = _report(True, True, True, discordant=(3, 33))
    assert drop.passed
    two = L.two_sided_changes(drop)
    assert set(two) == {"more_restarts"} and two["more_restarts"]["changed"] and two["more_restarts"]["lower"]
    # ... but change the accuracy significantly: Clopper-Pearson 99.9% of 3/36 lies below 1/2
    assert two["more_restarts"]["share_b"]["high"] == pytest.approx(proportion(3, 36).high)
    assert proportion(3, 36).high < 0.5
    assert L.failed_share(drop).value == pytest.approx(1 / 3)
    # an even split is no change; no discordant pair is none either
    assert not L.two_sided_changes(_report(True, True, True, discordant=(20, 20)))["more_restarts"]["changed"]
    assert L.two_sided_changes(_report(True, True, True, discordant=(0, 0)))["more_restarts"] == \
        {"discordant": [0, 0], "changed": False, "lower": False}


def test_sanity_json_is_plain_json_and_keeps_every_verdict():
    out = L.sanity_json(_report(True, False))
    assert json.loads(json.dumps(out)) == out
    assert out["passed"] is False and [c["passed"] for c in out["checks"].values()] == [True, False]
    assert out["checks"]["c0"]["measured"] == {"accuracy": {"value": 0.3, "low": proportion(3, 10).low,
                                                            "high": proportion(3, 10).high, "n": 10},
                                               "discordant": [1, 2]}
    # on a real checklist
    model = Linear.from_theory([1.0, -1.0], 0.0).eval()
    g = torch.Generator().manual_seed(0)
    x = torch.rand(40, 2, generator=g)
    y = torch.where(x[:, 0] > x[:, 1], 1.0, -1.0)
    real = evaluate.sanity_checklist(model, x, y, eps=0.05, generator=0, steps=(2, 4), unbounded_steps=50)
    js = L.sanity_json(real)
    assert json.loads(json.dumps(js)) == js
    assert js["passed"] == real.passed and set(js["checks"]) == {c.name for c in real.checks}


def test_the_tiny_run_reports_what_its_training_files_and_the_theory_say(tmp_path):
    report = X.run("large-eps", out=tmp_path, tiny=True, progress=False)
    res, folder = report.results, tmp_path / "large-eps"

    def metrics(name):
        return [json.loads(line) for line in (folder / f"train-{name}" / "metrics.jsonl").read_text().splitlines()]

    c = report.config
    base, ext = metrics("base"), metrics("extended")
    assert len(base) == c["epochs"] and len(ext) == c["extend_epochs"]
    assert res["curves"]["extended"]["train_loss"] == [r["train_loss"] for r in base + ext]
    assert res["curves"]["extended"]["eps"] == [c["eps_small"]] * c["epochs"] + [c["eps"]] * c["extend_epochs"]
    assert res["curves"]["scratch"]["eps"] == [c["eps"]] * (c["epochs"] + c["extend_epochs"])
    it = res["curves"]["iterative"]["eps"]
    assert it[-1] == c["eps"] and it[0] == pytest.approx(c["eps"] / c["epochs"]) and it == sorted(it)
    train = data.digits("train")
    assert res["chance_loss"] == pytest.approx(L.label_entropy(train.y.numpy(), 10), abs=1e-12)
    assert res["chance_loss"] == pytest.approx(math.log(10), abs=2e-3)
    flat = train.flat().x.double().numpy()
    assert res["floor"] == hardness.optimal_robust_error(flat, train.y.numpy(), None, c["eps"], norm=np.inf)
    # the paired mean difference is the difference of the two robust accuracies
    acc = res["accuracy"]
    for m in ("extended", "iterative"):
        d = res["robust_test_differences"][f"{m}-minus-scratch"]["value"]
        assert d == pytest.approx(acc[m]["robust_test"]["value"] - acc["scratch"]["robust_test"]["value"], abs=1e-12)
    preds = {p.id.removeprefix("experiments.large-eps."): p for p in report.predictions}
    for m in L.MODELS:
        assert preds[f"{m}.floor"].measured == pytest.approx(1 - acc[m]["robust_train"]["value"], abs=1e-12)
        assert acc[m]["robust_test"]["value"] <= acc[m]["clean_test"]["value"]
        assert res["sanity_failed"][m] == [k for k, v in res["sanity"][m]["checks"].items() if not v["passed"]]
        assert set(res["sanity_two_sided"][m]) == {"more_steps", "more_restarts"}
    assert "transfer" in res["sanity"]["extended"]["checks"] and "transfer" not in res["sanity"]["base"]["checks"]
