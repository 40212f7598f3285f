"""The registry of claims: every implemented result, its source, and its independent check.

A claim is registered with :func:`claim` in the module of its paper
(``theory/claims/<paper id>.py``). Its check function takes ``thorough`` (larger
samples, finer grids) and returns a :class:`CheckResult` with the verdict the check
found: ``"holds"``, or ``"fails as printed"`` with the counterexample and the
corrected statement in ``detail``. The registry stores the verdict we expect; a
check that returns another verdict makes ``python -m theory.verify`` (and the test
suite) fail.
"""

from __future__ import annotations

import importlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field

__all__ = ["CheckResult", "Claim", "REGISTRY", "claim", "load_all", "run", "VERDICTS"]

HOLDS = "holds"
FAILS = "fails as printed"
VERDICTS = (HOLDS, FAILS)

PAPER_MODULES = ("suggala2019", "suggala2019_regularization", "shaeiri2020", "shaeiri2020_bernoulli",
                 "shaeiri2020_hardness", "tsipras2019", "zhang2019", "wen2020")


@dataclass(frozen=True)
class CheckResult:
    """What an independent check found.

    value : the closed-form quantity the package computes (None if not a number)
    check : the independent value it is compared with (Monte Carlo, mpmath, sympy, ...)
    interval : the check's confidence interval or error bracket, if it has one
    detail : one or two sentences: the counterexample, the corrected statement, the method
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
    """A registered claim: id, source, statement, expected verdict and its check."""

    id: str
    source: str
    statement: str
    check: Callable[..., CheckResult]
    expected: str = HOLDS
    corrected: str | None = None
    tags: tuple[str, ...] = field(default_factory=tuple)


REGISTRY: dict[str, Claim] = {}


def claim(id: str, *, source: str, statement: str, expected: str = HOLDS,
          corrected: str | None = None):
    """Decorator registering ``check(thorough: bool) -> CheckResult`` as the check of a claim."""
    if expected not in VERDICTS:
        raise ValueError(f"expected must be one of {VERDICTS}, got {expected!r}")
    if expected == FAILS and not corrected:
        raise ValueError(f"claim {id}: a claim expected to fail as printed needs a corrected statement")

    def register(fn):
        if id in REGISTRY:
            raise ValueError(f"claim id {id!r} is registered twice")
        REGISTRY[id] = Claim(id, source, statement, fn, expected, corrected)
        return fn

    return register


def load_all() -> dict[str, Claim]:
    """Import every paper's claim module and return the registry."""
    for name in PAPER_MODULES:
        importlib.import_module(f"theory.claims.{name}")
    return REGISTRY


@dataclass(frozen=True)
class Outcome:
    claim: Claim
    result: CheckResult | None
    seconds: float
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None and self.result is not None and (
            self.result.verdict == self.claim.expected)


def run(ids=None, thorough: bool = False, progress: Callable[[Outcome], None] | None = None):
    """Run the checks of the selected claims (all by default) and return their outcomes."""
    registry = load_all()
    selected = list(registry) if not ids else [i for i in registry if any(
        i.startswith(s) for s in ids)]
    outcomes = []
    for cid in selected:
        c = registry[cid]
        t0 = time.perf_counter()
        try:
            res, err = c.check(thorough=thorough), None
        except Exception as exc:  # a crashing check is reported, not hidden
            res, err = None, f"{type(exc).__name__}: {exc}"
        out = Outcome(c, res, time.perf_counter() - t0, err)
        outcomes.append(out)
        if progress is not None:
            progress(out)
    return outcomes


def from_estimate(value: float, est, detail: str = "", slack: float = 0.0) -> CheckResult:
    """'holds' when the closed-form ``value`` lies in the Monte Carlo interval of ``est``."""
    ok = est.contains(value, slack)
    return CheckResult(HOLDS if ok else FAILS, float(value), float(est.value),
                       (float(est.low), float(est.high)),
                       detail + ("" if ok else f" Closed form {value:.6g} outside the interval."))


def combine(results: list[CheckResult], value=None, check=None, interval=None,
            detail: str = "") -> CheckResult:
    """'holds' when every sub-check holds; the details of failing sub-checks are kept."""
    bad = [r for r in results if r.verdict != HOLDS]
    d = detail + "".join(f" [{r.detail}]" for r in bad)
    return CheckResult(HOLDS if not bad else FAILS, value, check, interval, d.strip())
