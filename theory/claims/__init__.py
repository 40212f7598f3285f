"""The registry of claims: every implemented result, its source, and its independent check.

A claim is registered with :func:`claim` in a module of a *claim package*. The theory's
own claims live in ``theory/claims/<paper id>.py``; every module there is discovered (no
list to keep by hand). Another package (the experiments, later) joins the registry with
:func:`register_package` or through the entry-point group ``adversarial_risk.claims``
(``name = prefix``, ``value = package``), and its claim ids must start with its prefix.

A check is a function ``check(run: Run) -> CheckResult``. The registry hands it its run
settings: ``run.rng(k)`` (random generators derived from the claim id, so no module keeps
a seed), ``run.n`` (the claim's sample size for this run: quick or thorough, declared
once in :func:`claim` as ``samples=(quick, thorough)``), other named settings declared as
``settings={"cells": (1500, 4000)}`` and read as ``run.cells``, and ``run.thorough``. A
check with no sample size or setting is declared ``exact=True``: it does the same work in
both runs, and says so.

A claim registered as failing as printed (``expected=FAILS``) carries the check of its
corrected statement as a required part, registered with :func:`corrected_check`. Its
verdict reads ``"fails as printed; corrected: holds"`` when the counterexample is
confirmed and the corrected statement holds, and ``"fails as printed; corrected: fails"``
when the correction is broken (a failure of the run, as is a printed statement that
unexpectedly holds).
"""

from __future__ import annotations

import hashlib
import importlib
import pkgutil
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np

__all__ = ["CheckResult", "Claim", "Run", "REGISTRY", "claim", "corrected_check", "load_all", "run",
           "register_package", "VERDICTS", "DOMAINS", "HOLDS", "FAILS", "verdict_text", "from_estimate", "combine"]

DOMAINS: dict[str, str] = {
    "R^d": "all measurable classifiers (scores) on the input space; perturbed points may leave the support",
    "support": "classifiers defined on the support only; perturbations must stay in the support",
    "linear": "linear classifiers sign(w.x + b) (a parametric family)",
    "networks": "score functions of a parametric family (ReLU networks, smooth scores)",
    "given": "the named classifiers of the statement only (no quantification over a class)",
    "none": "no classifier is quantified (a loss, an identity, a bound's arithmetic, numerics)",
}
"""The values of ``claim(domain=...)``: which classifiers a statement quantifies over."""

HOLDS = "holds"
FAILS = "fails as printed"
VERDICTS = (HOLDS, FAILS)

CORRECTED_HOLDS = "fails as printed; corrected: holds"
CORRECTED_FAILS = "fails as printed; corrected: fails"

CLAIM_PACKAGES: dict[str, str] = {"theory.claims": ""}
"""Claim packages and their id prefixes ("" for the theory's own paper ids)."""

ENTRY_POINT_GROUP = "adversarial_risk.claims"


@dataclass(frozen=True)
class CheckResult:
    """What an independent check found.

    value : the closed-form quantity the package computes (None if not a number)
    check : the independent value it is compared with (Monte Carlo, mpmath, sympy, ...)
    interval : the check's confidence interval or error bracket, if it has one
    detail : one or two sentences: the counterexample, the corrected statement, the method

    Examples
    --------
    >>> CheckResult(HOLDS, value=0.5, check=0.49, interval=(0.47, 0.51)).verdict
    'holds'
    >>> CheckResult("maybe")
    Traceback (most recent call last):
    ...
    ValueError: verdict must be one of ('holds', 'fails as printed'), got 'maybe'
    """

    verdict: str
    value: float | None = None
    check: float | None = None
    interval: tuple[float, float] | None = None
    detail: str = ""

    def __post_init__(self):
        if self.verdict not in VERDICTS:
            raise ValueError(f"verdict must be one of {VERDICTS}, got {self.verdict!r}")


@dataclass(frozen=True)
class Claim:
    """A registered claim: id, source, statement, expected verdict and its check.

    Examples
    --------
    >>> c = Claim("demo.sum", source="none", statement="1 + 1 = 2", check=lambda run: CheckResult(HOLDS))
    >>> c.expected, c.check(Run(c.id)).verdict
    ('holds', 'holds')
    """

    id: str
    source: str
    statement: str
    check: Callable[..., CheckResult]
    expected: str = HOLDS
    corrected: str | None = None
    tags: tuple[str, ...] = field(default_factory=tuple)
    samples: tuple[int, int] | None = None
    settings: Mapping[str, tuple] = field(default_factory=dict)
    exact: bool = False
    package: str = "theory.claims"
    domain: str | None = None

    @property
    def corrected_check(self) -> Callable[..., CheckResult] | None:
        """The check of the corrected statement (claims expected to fail as printed)."""
        return CORRECTED.get(self.id)


REGISTRY: dict[str, Claim] = {}
CORRECTED: dict[str, Callable[..., CheckResult]] = {}


def _seed_of(claim_id: str) -> int:
    """A 64-bit seed from the claim id (stable across runs, machines and Python versions)."""
    return int.from_bytes(hashlib.sha256(claim_id.encode()).digest()[:8], "little")


@dataclass(frozen=True)
class Run:
    """The settings a check runs with, handed to it by the registry.

    Attributes
    ----------
    claim_id : str
    thorough : bool, the larger run (``python -m theory.verify --thorough``)
    n : int or None, the claim's sample size for this run (``samples=(quick, thorough)``)
    settings : the claim's named settings resolved for this run; ``run.<name>`` reads one

    Examples
    --------
    >>> r = Run("demo.sum", n=1000, settings={"cells": 64})
    >>> r.n, r.cells  # a declared setting reads as an attribute
    (1000, 64)
    >>> bool(r.rng(1).random() == Run("demo.sum").rng(1).random())  # generators depend on the id and stream only
    True
    """

    claim_id: str
    thorough: bool = False
    n: int | None = None
    settings: Mapping[str, object] = field(default_factory=dict)

    def rng(self, stream: int = 0) -> np.random.Generator:
        """A Generator derived from the claim id and ``stream`` (one per independent sample)."""
        return np.random.default_rng([_seed_of(self.claim_id), int(stream)])

    def __getattr__(self, name: str):
        settings = object.__getattribute__(self, "settings")
        if name in settings:
            return settings[name]
        raise AttributeError(f"claim {object.__getattribute__(self, 'claim_id')!r} declares no setting {name!r}")


def _check_pair(name: str, pair) -> tuple:
    if not (isinstance(pair, tuple) and len(pair) == 2):
        raise ValueError(f"{name} must be a (quick, thorough) pair, got {pair!r}")
    return pair


_RUN_NAMES = frozenset(name for name in dir(Run) if not name.startswith("_")) | {"claim_id", "thorough", "n",
                                                                                "settings"}
"""Names a setting may not take: ``run.<name>`` would read the Run's own attribute."""


def _package_of(module: str) -> str:
    for pkg in sorted(CLAIM_PACKAGES, key=len, reverse=True):
        if module == pkg or module.startswith(pkg + "."):
            return pkg
    return module.rpartition(".")[0] or module


def claim(id: str, *, source: str, statement: str, expected: str = HOLDS,
          corrected: str | None = None, samples: tuple[int, int] | None = None,
          settings: Mapping[str, tuple] | None = None, exact: bool = False, domain: str | None = None):
    """Decorator registering ``check(run: Run) -> CheckResult`` as the check of a claim.

    Parameters
    ----------
    id : the claim id; in a package registered with a prefix it must start with ``prefix + "."``
    source : where the statement is (paper id, section, equation)
    statement : the statement as the source prints it (or as this package states it)
    expected : ``HOLDS``, or ``FAILS`` for a statement false as printed; then ``corrected`` (the
        corrected statement) is required, and so is a :func:`corrected_check` for the same id
    samples : (quick, thorough) Monte Carlo sample sizes, read as ``run.n``
    settings : other (quick, thorough) pairs, read as ``run.<name>``
    exact : the check has no size to grow (an exact or symbolic check): it runs the same in
        both modes. A claim must declare ``samples``, ``settings`` or ``exact=True``.
    domain : the classifiers the statement quantifies over (None: not stated), one of
        :data:`DOMAINS`' keys: all measurable classifiers on R^d ("R^d"), classifiers defined on the
        support of the distribution only ("support"), a parametric family ("linear", "networks"),
        given classifiers ("given"), or no classifier at all ("none"); see docs/beyond/domains.md

    Examples
    --------
    A throw-away claim (removed again: examples leave the registry as they found it):

    >>> @claim("zz-doctest.sum", source="none", statement="1 + 1 = 2", exact=True)
    ... def check(run):
    ...     return CheckResult(HOLDS if 1 + 1 == 2 else FAILS, value=2.0)
    >>> REGISTRY["zz-doctest.sum"].statement
    '1 + 1 = 2'
    >>> del REGISTRY["zz-doctest.sum"]
    """
    if expected not in VERDICTS:
        raise ValueError(f"expected must be one of {VERDICTS}, got {expected!r}")
    if expected == FAILS and not corrected:
        raise ValueError(f"claim {id}: a claim expected to fail as printed needs a corrected statement")
    settings = dict(settings or {})
    if samples is not None:
        _check_pair("samples", samples)
        if not all(isinstance(m, int) and not isinstance(m, bool) and m >= 1 for m in samples):
            raise ValueError(f"claim {id}: samples must be two integers >= 1, got {samples!r}")
    for k, v in settings.items():
        if not (isinstance(k, str) and k.isidentifier()) or k in _RUN_NAMES:
            raise ValueError(f"claim {id}: a setting needs an identifier that is not a Run attribute "
                             f"({sorted(_RUN_NAMES)}), got {k!r}")
        _check_pair(f"setting {k}", v)
    if exact and (samples is not None or settings):
        raise ValueError(f"claim {id}: exact=True means nothing to grow; it takes no samples or settings")

    def register(fn):
        if samples is None and not settings and not exact:
            raise ValueError(f"claim {id}: declare samples=(quick, thorough), settings=..., or exact=True")
        pkg = _package_of(fn.__module__)
        prefix = CLAIM_PACKAGES.get(pkg, "")
        if prefix and not id.startswith(prefix + "."):
            raise ValueError(f"claim {id!r} of package {pkg} must have an id starting with {prefix + '.'!r}")
        if id in REGISTRY:
            raise ValueError(f"claim id {id!r} is registered twice")
        if domain is not None and domain not in DOMAINS:
            raise ValueError(f"claim {id}: domain must be None or one of {sorted(DOMAINS)}, got {domain!r}")
        REGISTRY[id] = Claim(id, source, statement, fn, expected, corrected, (), samples, settings, exact, pkg, domain)
        return fn

    return register


def corrected_check(id: str):
    """Decorator registering ``check(run: Run) -> CheckResult`` as the check of a claim's corrected statement.

    The claim must be registered (earlier in the module) with ``expected=FAILS``. The corrected
    check runs with the same :class:`Run` as the printed one.

    Examples
    --------
    >>> @claim("zz-doctest.odd", source="none", statement="every prime is odd", expected=FAILS,
    ...        corrected="every prime > 2 is odd", exact=True)
    ... def printed(run):
    ...     return CheckResult(FAILS, detail="2 is prime and even")
    >>> @corrected_check("zz-doctest.odd")
    ... def fixed(run):
    ...     return CheckResult(HOLDS if all(p % 2 for p in (3, 5, 7, 11)) else FAILS)
    >>> REGISTRY["zz-doctest.odd"].corrected_check is fixed
    True
    >>> del REGISTRY["zz-doctest.odd"], CORRECTED["zz-doctest.odd"]
    """

    def register(fn):
        c = REGISTRY.get(id)
        if c is None:
            raise ValueError(f"corrected_check({id!r}): register the claim itself first")
        if c.expected != FAILS:
            raise ValueError(f"corrected_check({id!r}): only a claim expected to fail as printed has a correction")
        if id in CORRECTED:
            raise ValueError(f"corrected_check({id!r}) is registered twice")
        CORRECTED[id] = fn
        return fn

    return register


def register_package(package: str, prefix: str) -> None:
    """Let ``package``'s modules register claims under ids ``prefix + "." + ...``; discovered by :func:`load_all`.

    Examples
    --------
    >>> register_package("zz_doctest_pkg", "zzdoc")
    >>> CLAIM_PACKAGES.pop("zz_doctest_pkg")  # (the package does not exist: unregister it again)
    'zzdoc'
    >>> register_package("zz_doctest_pkg", ".zzdoc")
    Traceback (most recent call last):
    ...
    ValueError: prefix must be a non-empty string without leading or trailing dots, got '.zzdoc'
    """
    if not isinstance(prefix, str) or not prefix or prefix != prefix.strip("."):
        raise ValueError(f"prefix must be a non-empty string without leading or trailing dots, got {prefix!r}")
    old = CLAIM_PACKAGES.get(package)
    if old is not None and old != prefix:
        raise ValueError(f"package {package} is already registered with prefix {old!r}")
    CLAIM_PACKAGES[package] = prefix


def _entry_point_packages() -> None:
    from importlib import metadata

    try:
        eps = metadata.entry_points(group=ENTRY_POINT_GROUP)
    except TypeError:  # Python < 3.10 API
        eps = metadata.entry_points().get(ENTRY_POINT_GROUP, [])
    for ep in eps:
        register_package(ep.value, ep.name)


def _import_package(package: str) -> None:
    pkg = importlib.import_module(package)
    for info in pkgutil.iter_modules(getattr(pkg, "__path__", []), package + "."):
        if not info.name.rpartition(".")[2].startswith("_"):
            importlib.import_module(info.name)


def load_all() -> dict[str, Claim]:
    """Import every module of every claim package and return the registry.

    Raises ValueError when a claim expected to fail as printed has no corrected check.

    Examples
    --------
    >>> registry = load_all()
    >>> registry is REGISTRY, "zhang2019.eq1" in registry, registry["shaeiri2020.thm4.2"].expected
    (True, True, 'fails as printed')
    """
    _entry_point_packages()
    for package in list(CLAIM_PACKAGES):
        _import_package(package)
    missing = [c.id for c in REGISTRY.values() if c.expected == FAILS and c.id not in CORRECTED]
    if missing:
        raise ValueError(f"claims expected to fail as printed without a corrected_check: {missing}")
    return REGISTRY


def run_settings(c: Claim, thorough: bool) -> Run:
    """The :class:`Run` the registry hands to the checks of claim ``c``."""
    k = 1 if thorough else 0
    n = None if c.samples is None else int(c.samples[k])
    return Run(c.id, thorough, n, {name: pair[k] for name, pair in c.settings.items()})


def _call(fn, r: Run) -> CheckResult:
    result = fn(r)
    if not isinstance(result, CheckResult):
        raise TypeError(f"a check must return a CheckResult, got {type(result).__name__}")
    return result


def verdict_text(c: Claim, printed: CheckResult | None, corrected: CheckResult | None) -> str:
    """The verdict line: "holds", "fails as printed", or for a corrected claim its two parts.

    Examples
    --------
    >>> c = Claim("demo.odd", "none", "every prime is odd", lambda run: None, expected=FAILS, corrected="p > 2")
    >>> verdict_text(c, CheckResult(FAILS), CheckResult(HOLDS))
    'fails as printed; corrected: holds'
    >>> verdict_text(c, None, None)  # the check crashed
    'error'
    """
    if printed is None:
        return "error"
    if c.expected == FAILS and printed.verdict == FAILS:
        if corrected is None:
            return FAILS
        return CORRECTED_HOLDS if corrected.verdict == HOLDS else CORRECTED_FAILS
    return printed.verdict


@dataclass(frozen=True)
class Outcome:
    """The result of running one claim: the printed check, the corrected check, the time."""

    claim: Claim
    result: CheckResult | None
    seconds: float
    error: str | None = None
    corrected: CheckResult | None = None

    @property
    def verdict(self) -> str:
        return verdict_text(self.claim, self.result, self.corrected)

    @property
    def ok(self) -> bool:
        if self.error is not None or self.result is None:
            return False
        if self.claim.expected == HOLDS:
            return self.result.verdict == HOLDS
        return self.verdict == CORRECTED_HOLDS


def run(ids=None, thorough: bool = False, progress: Callable[[Outcome], None] | None = None):
    """Run the checks of the selected claims (all by default; ids or id prefixes) and return their outcomes.

    Examples
    --------
    >>> @claim("zz-doctest.run", source="none", statement="2 > 1", exact=True)
    ... def check(run):
    ...     return CheckResult(HOLDS if 2 > 1 else FAILS)
    >>> [(o.claim.id, o.verdict, o.ok) for o in run(["zz-doctest.run"])]
    [('zz-doctest.run', 'holds', True)]
    >>> del REGISTRY["zz-doctest.run"]
    """
    registry = load_all()
    selected = list(registry) if not ids else [i for i in registry if any(
        i.startswith(s) for s in ids)]
    outcomes = []
    for cid in selected:
        c = registry[cid]
        r = run_settings(c, thorough)
        t0 = time.perf_counter()
        res = cor = err = None
        try:
            res = _call(c.check, r)
            if c.expected == FAILS and res.verdict == FAILS:
                cor = _call(c.corrected_check, r)
        except Exception as exc:  # a crashing check is reported, not hidden
            err = f"{type(exc).__name__}: {exc}"
        out = Outcome(c, res, time.perf_counter() - t0, err, cor)
        outcomes.append(out)
        if progress is not None:
            progress(out)
    return outcomes


def from_estimate(value: float, est, detail: str = "", slack: float = 0.0) -> CheckResult:
    """'holds' when the closed-form ``value`` lies in the Monte Carlo interval of ``est``.

    The verdict is :func:`theory.montecarlo.compare`'s (the one rule for predicted against
    measured): "held" maps to ``HOLDS``, "did not hold" to ``FAILS``.

    Examples
    --------
    >>> from theory.montecarlo import proportion
    >>> est = proportion(500, 1000)  # 500 successes in 1000 draws, 99.9% Clopper-Pearson interval
    >>> from_estimate(0.5, est).verdict, from_estimate(0.9, est).verdict
    ('holds', 'fails as printed')
    """
    from theory.montecarlo import HELD, compare

    ok = compare(value, est, slack=slack) == HELD
    return CheckResult(HOLDS if ok else FAILS, float(value), float(est.value),
                       (float(est.low), float(est.high)),
                       detail + ("" if ok else f" Closed form {value:.6g} outside the interval."))


def combine(results: list[CheckResult], value=None, check=None, interval=None,
            detail: str = "") -> CheckResult:
    """'holds' when every sub-check holds; the details of failing sub-checks are kept.

    Examples
    --------
    >>> r = combine([CheckResult(HOLDS), CheckResult(FAILS, detail="b > 1")], detail="two parts.")
    >>> r.verdict, r.detail
    ('fails as printed', 'two parts. [b > 1]')
    """
    bad = [r for r in results if r.verdict != HOLDS]
    d = detail + "".join(f" [{r.detail}]" for r in bad)
    return CheckResult(HOLDS if not bad else FAILS, value, check, interval, d.strip())
