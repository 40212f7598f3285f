"""Experiments end to end in reduced configurations, and the advrisk command through its module entry point."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from empirical import experiments as X
from empirical.experiments import gaussian_linear
from empirical.report import Report
from theory.montecarlo import proportion

ROOT = Path(__file__).resolve().parents[2]
NAMES = sorted(X.load_all())


def _cli(*args, cwd=ROOT):
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", "empirical", *args], capture_output=True, text=True, env=env,
                          cwd=cwd, timeout=600)


def test_every_experiment_declares_predictions_and_both_configurations():
    registry = X.load_all()
    assert "gaussian-linear" in registry
    for exp in registry.values():
        assert exp.predictions and all(pid.startswith(f"experiments.{exp.name}.") for pid in exp.predictions)
        assert set(exp.quick) == set(exp.full) and exp.tiny and set(exp.tiny) <= set(exp.quick)
        assert exp.plot is not None, f"{exp.name} draws no figure"


@pytest.mark.parametrize("name", NAMES)
def test_experiment_runs_and_its_verdicts_come_from_the_measurement(name, tmp_path):
    report = X.run(name, out=tmp_path, tiny=True, progress=False)
    saved = json.loads((tmp_path / name / "report.json").read_text())
    assert saved["verdict"] == report.verdict and {p["id"] for p in saved["predictions"]} == set(
        X.EXPERIMENTS[name].predictions)
    assert saved["figures"] and all((tmp_path / name / f).stat().st_size > 10_000 for f in saved["figures"])
    from theory.montecarlo import Estimate, compare

    for p in saved["predictions"]:
        est = Estimate(p["measured"], p["interval"][0], p["interval"][1], p["n"])
        assert p["verdict"] == compare(p["predicted"], est, relation=p["relation"])


def test_a_deliberately_wrong_prediction_turns_the_verdict(tmp_path, monkeypatch):
    right = X.run("gaussian-linear", out=tmp_path / "right", tiny=True, progress=False)
    assert right.verdict == "held"
    real = gaussian_linear.gaussian.adversarial_risk

    import theory.gaussian as G

    wrong_module = type(sys)("wrong_gaussian")
    wrong_module.__dict__.update(G.__dict__)
    wrong_module.adversarial_risk = lambda *a, **k: real(*a, **k) + 0.1  # a closed form off by 0.1
    monkeypatch.setattr(gaussian_linear, "gaussian", wrong_module)
    wrong = X.run("gaussian-linear", out=tmp_path / "wrong", tiny=True, progress=False)
    verdicts = {p.id: p.verdict for p in wrong.predictions}
    assert wrong.verdict == "did not hold"
    changed = [f"experiments.gaussian-linear.{n}.risk-at-learned-weights" for n in gaussian_linear.NORMS]
    assert all(verdicts[k] == "did not hold" for k in changed)
    # the predictions that do not use adversarial_risk keep the verdicts of the right run
    kept = {p.id: p.verdict for p in right.predictions if p.id not in changed}
    assert {k: verdicts[k] for k in kept} == kept


def test_advrisk_list_run_report_and_resume(tmp_path):
    out = _cli("list")
    assert out.returncode == 0 and "experiments.gaussian-linear.linf.risk-at-learned-weights" in out.stdout
    run = _cli("run", "gaussian-linear", "--out", str(tmp_path), "--seed", "3")
    assert run.returncode == 0, run.stderr[-2000:]
    assert "gaussian-linear: held" in run.stdout
    metrics = (tmp_path / "gaussian-linear" / "train-linf" / "metrics.jsonl").read_text()
    first = json.loads((tmp_path / "gaussian-linear" / "report.json").read_text())
    again = _cli("run", "gaussian-linear", "--out", str(tmp_path), "--seed", "3")  # resumes: nothing to train
    assert again.returncode == 0
    assert (tmp_path / "gaussian-linear" / "train-linf" / "metrics.jsonl").read_text() == metrics
    second = json.loads((tmp_path / "gaussian-linear" / "report.json").read_text())
    assert [p["measured"] for p in second["predictions"]] == [p["measured"] for p in first["predictions"]]
    rep = _cli("report", str(tmp_path / "gaussian-linear"))
    assert rep.returncode == 0 and "gaussian-linear: held" in rep.stdout
    bad = _cli("run", "no-such-experiment")
    assert bad.returncode == 2 and "unknown experiments" in bad.stderr


def test_robust_error_floor_records_the_exact_floors(tmp_path):
    import numpy as np

    from empirical import data
    from theory import hardness

    report = X.run("robust-error-floor", out=tmp_path, tiny=True, progress=False)
    train = data.digits("train", classes=(1, 3))
    x, lab = train.flat().x.double().numpy(), (train.y.numpy() > 0).astype(int)
    assert report.results["floors"]["1v3"]["0.45"] == hardness.optimal_robust_error(x, lab, None, 0.45, norm=np.inf)
    floors = [report.results["floors"]["5v7"][k] for k in ("0.1", "0.3", "0.4", "0.45", "0.5")]
    assert floors == sorted(floors) and floors[0] == 0.0  # monotone in eps, 0 for distinct images at small eps
    # the 10-class digits: exact up to 0.4, then the hypergraph LP's lower bound, below a feasible classifier's error
    ten = data.digits("train")
    x10, y10 = ten.flat().x.double().numpy(), ten.y.numpy()
    f10, kind = report.results["floors"]["10class"], report.results["floor_kind"]["10class"]
    assert kind == {"0.1": "exact", "0.3": "exact", "0.4": "exact", "0.45": "lp-lower-bound", "0.5": "lp-lower-bound"}
    assert f10["0.4"] == hardness.optimal_robust_error(x10, y10, None, 0.4, norm=np.inf)
    greedy = hardness.multiclass_robust_error_bounds(x10, y10, None, 0.45, norm=np.inf, exact=False).upper
    assert f10["0.4"] <= f10["0.45"] <= f10["0.5"] <= 0.5 and f10["0.45"] <= greedy


def test_advrisk_report_reprints_a_run_and_exits_1_when_a_prediction_did_not_hold(tmp_path):
    r = Report("demo", config={}, seeds=[0])
    r.predict("demo.rate", "the rate is 0.5", 0.5, proportion(480, 1000))
    r.finish().write(tmp_path / "ok")
    out = _cli("report", str(tmp_path / "ok"))
    assert out.returncode == 0 and "demo.rate" in out.stdout and "demo: held" in out.stdout
    md = _cli("report", "--markdown", str(tmp_path / "ok"))
    assert md.returncode == 0 and "| `rate` | 0.5 | 0.48 [" in md.stdout and "**demo: held**" in md.stdout
    r.predict("demo.wrong", "the rate is 0.6", 0.6, proportion(480, 1000))
    r.write(tmp_path / "bad")
    out = _cli("report", str(tmp_path / "bad"))
    assert out.returncode == 1 and "demo: did not hold" in out.stdout
    missing = _cli("report", str(tmp_path / "none"))
    assert missing.returncode == 2 and "report.json" in missing.stderr


def test_advrisk_verify_is_theory_verify():
    out = _cli("verify", "--list")
    assert out.returncode == 0 and "suggala2019.thm1.1" in out.stdout
