"""An experiment's report: predicted against measured, with the verdict from the measurement.

Every experiment writes one JSON report with its full ``config``, ``seeds``, ``device``, library
versions, ``duration_s`` and ``predictions``: entries ``{id, statement, predicted, measured,
interval: [lo, hi], verdict}`` whose ``verdict`` (``held`` / ``did not hold`` /
``inconclusive``) is computed by :func:`theory.montecarlo.compare` from the measurement and its
interval, never set by hand; the overall ``verdict`` is ``did not hold`` when any prediction did
not hold, else ``inconclusive`` when any was inconclusive, else ``held``.

Example
-------
>>> from theory.montecarlo import proportion
>>> r = Report("demo", config={"n": 1000}, seeds=[0])
>>> r.predict("demo.rate", "the error rate is 0.5", 0.5, proportion(480, 1000)).verdict
'held'
>>> r.predict("demo.wrong", "the error rate is 0.6", 0.6, proportion(480, 1000)).verdict
'did not hold'
>>> r.verdict
'did not hold'
"""

from __future__ import annotations

import json
import platform
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from theory.montecarlo import DID_NOT_HOLD, HELD, INCONCLUSIVE, Estimate, compare

__all__ = ["Prediction", "Report", "load_report", "summary_table", "markdown_table", "plot_predictions", "REPORT_NAME"]

REPORT_NAME = "report.json"
"""The file name of a report inside a run's folder."""


@dataclass(frozen=True)
class Prediction:
    """One prediction of an experiment, with its measurement and the verdict computed from them.

    Examples
    --------
    >>> from theory.montecarlo import proportion
    >>> r = Report("demo", config={}, seeds=[0])
    >>> p = r.predict("demo.floor", "the error is >= 0.4", 0.4, proportion(480, 1000), relation=">=")
    >>> p.verdict, p.relation, p.to_json()["interval"] == list(p.interval)
    ('held', '>=', True)
    """

    id: str
    statement: str
    predicted: float
    measured: float
    interval: tuple[float, float]
    n: int
    relation: str
    verdict: str

    def to_json(self) -> dict:
        d = asdict(self)
        d["interval"] = list(self.interval)
        return d


def _versions() -> dict:
    import numpy
    import scipy

    out = {"python": sys.version.split()[0], "numpy": numpy.__version__, "scipy": scipy.__version__}
    try:
        import torch

        out["torch"] = torch.__version__
    except ImportError:  # pragma: no cover - the engine needs torch
        pass
    return out


@dataclass
class Report:
    """The report of one experiment run (see the module docstring).

    Parameters
    ----------
    experiment : the experiment's name
    config : the full configuration (plain JSON types)
    seeds : the seeds the run used
    device : where it ran (e.g. "cpu", "cuda: NVIDIA H200")

    Notes
    -----
    ``results`` holds the measured curves and tables that are not predictions (what the figures
    are drawn from, in plain JSON types); ``figures`` the file names of the figures drawn from it.

    Examples
    --------
    >>> import tempfile
    >>> from theory.montecarlo import proportion
    >>> r = Report("demo", config={"n": 1000}, seeds=[0])
    >>> _ = r.predict("demo.rate", "the error rate is 0.5", 0.5, proportion(480, 1000))
    >>> folder = tempfile.mkdtemp()
    >>> load_report(r.finish().write(folder))["verdict"]
    'held'
    """

    experiment: str
    config: dict
    seeds: list
    device: str = "cpu"
    predictions: list[Prediction] = field(default_factory=list)
    results: dict = field(default_factory=dict)
    figures: list[str] = field(default_factory=list)
    versions: dict = field(default_factory=_versions)
    started: float = field(default_factory=time.time)
    duration_s: float | None = None

    def predict(self, id: str, statement: str, predicted: float, measured: Estimate, *,
                relation: str = "==", slack: float = 0.0, resolution: float | None = None) -> Prediction:
        """Record a prediction against its measurement; the verdict is :func:`theory.montecarlo.compare`'s.

        ``relation``, ``slack`` and ``resolution`` are passed to ``compare`` ("<=": the prediction is
        an upper bound on the measured quantity, ">=": a lower bound, ">" / "<": the measurement
        must lie strictly above / below, e.g. a difference against 0).
        """
        if not isinstance(measured, Estimate):
            raise ValueError(f"measured must be a theory.montecarlo.Estimate (a value with its interval), "
                             f"got {measured!r}")
        if any(p.id == id for p in self.predictions):
            raise ValueError(f"prediction {id!r} is recorded twice in this report")
        verdict = compare(predicted, measured, relation=relation, slack=slack, resolution=resolution)
        p = Prediction(id, statement, float(predicted), float(measured.value),
                       (float(measured.low), float(measured.high)), int(measured.n), relation, verdict)
        self.predictions.append(p)
        return p

    @property
    def verdict(self) -> str:
        """``did not hold`` if any prediction did not hold, else ``inconclusive`` if any was, else ``held``."""
        verdicts = {p.verdict for p in self.predictions}
        if DID_NOT_HOLD in verdicts:
            return DID_NOT_HOLD
        if INCONCLUSIVE in verdicts or not verdicts:
            return INCONCLUSIVE
        return HELD

    def finish(self) -> Report:
        """Set ``duration_s`` from the start time."""
        self.duration_s = time.time() - self.started
        return self

    def to_json(self) -> dict:
        return {"experiment": self.experiment, "config": self.config, "seeds": list(self.seeds),
                "device": self.device, "platform": platform.platform(), "versions": self.versions,
                "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(self.started)),
                "duration_s": self.duration_s, "predictions": [p.to_json() for p in self.predictions],
                "results": self.results, "figures": list(self.figures), "verdict": self.verdict}

    def write(self, folder) -> Path:
        """Write ``report.json`` into ``folder`` (created) and return its path."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / REPORT_NAME
        tmp = path.with_suffix(".json.tmp")
        tmp.write_text(json.dumps(self.to_json(), indent=2) + "\n")
        tmp.replace(path)
        return path

    def table(self) -> str:
        """The summary table: prediction, predicted, measured [interval], verdict (:func:`summary_table`)."""
        return summary_table(self.to_json())


def summary_table(report: dict) -> str:
    """The summary table of a report in its JSON form: one row per prediction, then the overall verdict.

    Examples
    --------
    >>> from theory.montecarlo import proportion
    >>> r = Report("demo", config={}, seeds=[0])
    >>> _ = r.predict("demo.rate", "the rate is 0.5", 0.5, proportion(480, 1000, confidence=0.95))
    >>> print(summary_table(r.to_json()))
    prediction  predicted  measured [interval]    verdict
    demo.rate   0.5        0.48 [0.4486, 0.5115]  held
    demo: held
    """
    rows = [("prediction", "predicted", "measured [interval]", "verdict")]
    for p in report["predictions"]:
        rel = "" if p.get("relation", "==") == "==" else p["relation"] + " "
        lo, hi = p["interval"]
        rows.append((p["id"], f"{rel}{p['predicted']:.4g}", f"{p['measured']:.4g} [{lo:.4g}, {hi:.4g}]",
                     p["verdict"]))
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    return "\n".join(lines + [f"{report['experiment']}: {report['verdict']}"])


def markdown_table(report: dict) -> str:
    """The summary table of a report as a Markdown table (for the docs' results page), then its verdict line.

    Examples
    --------
    >>> from theory.montecarlo import proportion
    >>> r = Report("demo", config={}, seeds=[0])
    >>> _ = r.predict("demo.rate", "the rate is 0.5", 0.5, proportion(480, 1000, confidence=0.95))
    >>> print(markdown_table(r.to_json()))
    | prediction | predicted | measured [interval] | verdict |
    | --- | --- | --- | --- |
    | `rate` | 0.5 | 0.48 [0.4486, 0.5115] | held |
    <BLANKLINE>
    **demo: held** (1 predictions: 1 held)
    """
    cut = f"{report['experiment']}."
    rows = ["| prediction | predicted | measured [interval] | verdict |", "| --- | --- | --- | --- |"]
    for p in report["predictions"]:
        rel = {"==": "", "<=": "≤ ", ">=": "≥ ", "<": "&lt; ", ">": "&gt; "}[p.get("relation", "==")]
        lo, hi = p["interval"]
        pid = p["id"].removeprefix("experiments.").removeprefix(cut)
        rows.append(f"| `{pid}` | {rel}{p['predicted']:.4g} | {p['measured']:.4g} [{lo:.4g}, {hi:.4g}] | "
                    f"{p['verdict']} |")
    counts = {}
    for p in report["predictions"]:
        counts[p["verdict"]] = counts.get(p["verdict"], 0) + 1
    tally = ", ".join(f"{n} {v}" for v, n in sorted(counts.items(), key=lambda kv: -kv[1]))
    return "\n".join(rows) + f"\n\n**{report['experiment']}: {report['verdict']}** " \
        f"({len(report['predictions'])} predictions: {tally})"


def load_report(path) -> dict:
    """Read a report (a ``report.json`` file or a run folder holding one) as a dict.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = Report("demo", config={"n": 3}, seeds=[1]).finish().write(folder)
    >>> load_report(folder)["config"], load_report(folder / REPORT_NAME)["seeds"]
    ({'n': 3}, [1])
    """
    path = Path(path)
    if path.is_dir():
        path = path / REPORT_NAME
    if not path.is_file():
        raise FileNotFoundError(f"no report at {path}: a finished run's folder holds {REPORT_NAME}")
    return json.loads(path.read_text())


_VERDICT_STYLE = {HELD: ("tab:green", "o"), DID_NOT_HOLD: ("tab:red", "X"), INCONCLUSIVE: ("tab:orange", "s")}


def plot_predictions(report: dict, ax, *, prefix: str | None = None, label_prefix: str | None = None) -> None:
    """Draw a report's predictions on ``ax``: one row each, the predicted value (a black bar; a
    bound as a bar with a triangle pointing to the side where the measurement must lie) and the
    measured value with its interval, coloured by verdict (green held, red did not hold, orange
    inconclusive). ``prefix`` keeps the predictions whose id starts with it; ``label_prefix`` is
    cut from the row labels (default: ``experiments.<name>.``).

    Example
    -------
    >>> from theory.figures import figure
    >>> from theory.montecarlo import proportion
    >>> r = Report("demo", config={}, seeds=[0])
    >>> _ = r.predict("demo.rate", "the rate is 0.5", 0.5, proportion(480, 1000))
    >>> fig, ax = figure()
    >>> plot_predictions(r.to_json(), ax)
    >>> print(*(t.get_text() for t in ax.get_yticklabels()))
    demo.rate
    """
    preds = [p for p in report["predictions"] if prefix is None or p["id"].startswith(prefix)]
    cut = f"experiments.{report['experiment']}." if label_prefix is None else label_prefix
    for i, p in enumerate(preds):
        color, marker = _VERDICT_STYLE.get(p["verdict"], ("grey", "o"))
        lo, hi = p["interval"]
        ax.errorbar([p["measured"]], [i], xerr=[[p["measured"] - lo], [hi - p["measured"]]], fmt=marker,
                    color=color, capsize=3, ms=6, zorder=3)
        rel = p.get("relation", "==")
        marker = {"==": "|", "<=": "<", ">=": ">", "<": "<", ">": ">"}.get(rel, "|")
        ax.plot([p["predicted"]], [i], marker=marker, color="black", ms=12 if rel == "==" else 7, mew=2, zorder=4)
    ax.set_yticks(range(len(preds)))
    ax.set_yticklabels([p["id"].removeprefix(cut) for p in preds])
    ax.invert_yaxis()
    relations = {p.get("relation", "==") for p in preds}
    handles = [ax.plot([], [], m, color="black", ms=10 if r == "==" else 7, mew=2, label=t)[0] for r, m, t in
               (("==", "|", "predicted value"), (">=", ">", "predicted lower bound"),
                ("<=", "<", "predicted upper bound"), (">", ">", "predicted: measured exceeds"),
                ("<", "<", "predicted: measured is below")) if r in relations]
    handles += [ax.errorbar([], [], xerr=[], fmt=m, color=c, label=f"measured, {v}") for v, (c, m) in
                _VERDICT_STYLE.items() if any(p["verdict"] == v for p in preds)]
    ax.legend(handles=handles, loc="best", fontsize=7.5)
