"""Experiments that put the theory's predictions to the test: a registry, discovered like the claims.

An experiment is a module of this package that registers a function ``run(ctx) -> Report`` with
:func:`experiment`, declaring its predictions (ids under ``experiments.<name>.``, statements) and
its two configurations: ``quick`` (the default; minutes on a 2-core CPU) and ``full`` (for a
GPU), the overrides ``tiny`` that shrink ``quick`` to the seconds the test suite runs, and a
``plot(report, folder)`` function that draws the figures from a report's JSON (so that
``advrisk report`` re-draws a finished run). :func:`run` builds the :class:`Context`
(configuration, seed, device, output folder), calls the experiment, writes its report and draws
its figures; the report's verdicts come from :func:`theory.montecarlo.compare` (see
:mod:`empirical.report`).
"""

from __future__ import annotations

import importlib
import pkgutil
import time
from dataclasses import dataclass, field
from pathlib import Path

import torch

from empirical._core import default_device
from empirical.report import Report

__all__ = ["Experiment", "Context", "EXPERIMENTS", "experiment", "load_all", "plot", "run"]


@dataclass(frozen=True)
class Experiment:
    """A registered experiment: its name, what it tests, its predictions and configurations.

    Examples
    --------
    >>> exp = load_all()["gaussian-linear"]
    >>> exp.name, "experiments.gaussian-linear.l2.above-optimum" in exp.predictions, set(exp.tiny) <= set(exp.quick)
    ('gaussian-linear', True, True)
    """

    name: str
    description: str
    predictions: dict[str, str]
    quick: dict
    full: dict
    fn: object = field(repr=False)
    quick_cost: str = ""
    full_cost: str = ""
    tiny: dict = field(default_factory=dict)
    plot: object = field(default=None, repr=False)


@dataclass
class Context:
    """What an experiment's run receives: its configuration, seed, device and output folder.

    Examples
    --------
    >>> import tempfile
    >>> exp = load_all()["gaussian-linear"]
    >>> ctx = Context(exp, dict(exp.quick), 0, torch.device("cpu"), Path(tempfile.mkdtemp()), progress=False)
    >>> r = ctx.report()
    >>> r.experiment, r.seeds, r.device
    ('gaussian-linear', [0], 'cpu')
    """

    experiment: Experiment
    config: dict
    seed: int
    device: torch.device
    out: Path
    progress: bool = True

    def report(self) -> Report:
        """A fresh report of this run (config, seeds and device filled in)."""
        return Report(self.experiment.name, config=dict(self.config), seeds=[self.seed], device=str(self.device))

    def predict(self, report: Report, key: str, predicted, measured, **kw):
        """``report.predict`` for the declared prediction ``key`` (its id and statement from the registry)."""
        pid = f"experiments.{self.experiment.name}.{key}"
        if pid not in self.experiment.predictions:
            raise ValueError(f"{pid} is not a declared prediction of {self.experiment.name}: "
                             f"{sorted(self.experiment.predictions)}")
        return report.predict(pid, self.experiment.predictions[pid], predicted, measured, **kw)


EXPERIMENTS: dict[str, Experiment] = {}


def experiment(name: str, *, description: str, predictions: dict[str, str], quick: dict, full: dict,
               tiny: dict, quick_cost: str = "", full_cost: str = "", plot=None):
    """Decorator registering ``run(ctx: Context) -> Report`` as the experiment ``name``.

    ``predictions`` maps short keys to statements; their ids are ``experiments.<name>.<key>``.
    ``tiny`` overrides entries of ``quick`` for the test suite's end-to-end run; ``plot(report,
    folder) -> list[Path]`` draws the figures from the report's JSON form into ``folder``.

    Examples
    --------
    >>> from theory.montecarlo import proportion
    >>> @experiment("coin-demo", description="a fair coin", predictions={"rate": "heads come up half the time"},
    ...             quick=dict(n=1000), full=dict(n=10**6), tiny=dict(n=100))
    ... def coin(ctx):
    ...     report = ctx.report()
    ...     heads = int(np.random.default_rng(ctx.seed).binomial(ctx.config["n"], 0.5))
    ...     ctx.predict(report, "rate", 0.5, proportion(heads, ctx.config["n"]))
    ...     return report
    >>> import numpy as np, tempfile
    >>> run("coin-demo", tiny=True, out=tempfile.mkdtemp(), progress=False).verdict
    'held'
    >>> del EXPERIMENTS["coin-demo"]
    """
    if name in EXPERIMENTS:
        raise ValueError(f"experiment {name!r} is registered twice")
    if set(quick) != set(full):
        raise ValueError(f"experiment {name}: quick and full configurations must have the same keys")
    if not set(tiny) <= set(quick):
        raise ValueError(f"experiment {name}: tiny overrides unknown settings {sorted(set(tiny) - set(quick))}")
    preds = {f"experiments.{name}.{k}": v for k, v in predictions.items()}

    def register(fn):
        EXPERIMENTS[name] = Experiment(name, description, preds, dict(quick), dict(full), fn, quick_cost, full_cost,
                                       dict(tiny), plot)
        return fn

    return register


def load_all() -> dict[str, Experiment]:
    """Import every experiment module of this package and return the registry.

    Examples
    --------
    >>> {"gaussian-linear", "tsipras-tradeoff", "robust-error-floor"} <= set(load_all())
    True
    """
    for info in pkgutil.iter_modules(__path__, __name__ + "."):
        if not info.name.rpartition(".")[2].startswith("_"):
            importlib.import_module(info.name)
    return EXPERIMENTS


def plot(report: dict, folder) -> list[Path]:
    """Draw the figures of a report (its JSON form) into ``folder`` with its experiment's ``plot``;
    returns their paths (none when the experiment draws none).

    Examples
    --------
    >>> import tempfile
    >>> from empirical.report import Report
    >>> empty = Report("gaussian-linear", config=load_all()["gaussian-linear"].quick, seeds=[0])  # no predictions
    >>> plot(empty.to_json(), tempfile.mkdtemp())[0].name
    'gaussian-linear.png'
    """
    exp = load_all().get(report["experiment"])
    if exp is None:
        raise ValueError(f"unknown experiment {report['experiment']!r}; known: {sorted(EXPERIMENTS)}")
    if exp.plot is None:
        return []
    return [Path(p) for p in exp.plot(report, Path(folder))]


def run(name: str, *, full: bool = False, tiny: bool = False, seed: int = 0, device=None, out="runs",
        overrides: dict | None = None, progress: bool = True) -> Report:
    """Run one experiment, write its report and figures into ``out/<name>``; returns the report.

    ``tiny`` applies the experiment's test-suite overrides to the quick configuration;
    ``overrides`` then replaces further entries. Training inside an experiment checkpoints into
    the run folder, so a run that is interrupted and started again resumes.

    Examples
    --------
    >>> import tempfile
    >>> r = run("gaussian-linear", tiny=True, out=tempfile.mkdtemp(), progress=False)  # seconds
    >>> r.verdict in ("held", "did not hold", "inconclusive"), r.figures
    (True, ['gaussian-linear.png'])
    """
    registry = load_all()
    if name not in registry:
        raise ValueError(f"unknown experiment {name!r}; known: {sorted(registry)}")
    exp = registry[name]
    if full and tiny:
        raise ValueError("full and tiny exclude each other (tiny shrinks the quick configuration)")
    config = dict(exp.full if full else exp.quick)
    config.update(exp.tiny if tiny else {})
    for k, v in (overrides or {}).items():
        if k not in config:
            raise ValueError(f"{name} has no setting {k!r}; its settings: {sorted(config)}")
        config[k] = v
    folder = Path(out) / name
    ctx = Context(exp, config, int(seed), torch.device(device) if device else default_device(), folder, progress)
    started = time.time()
    report = exp.fn(ctx)
    report.started = started  # the duration covers the whole run (data, exact floors), not only from ctx.report()
    report.finish().write(folder)
    report.figures = [p.name for p in plot(report.to_json(), folder)]
    report.write(folder)
    return report
