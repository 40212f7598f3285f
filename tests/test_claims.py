"""The claim registry: every claim's check returns the verdict registered for it.

The registry runs once, through ``python -m theory.verify --json`` in a subprocess (a
module-scoped fixture): that checks the command-line entry point, its JSON and its exit
status, and the per-claim tests below are parametrized over its rows. The exit status
for an unexpected verdict, the corrected-check verdicts, the run settings and the
discovery of claim packages are checked in-process with temporary fake claims and
packages that fixtures register and remove.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from theory import claims as registry
from theory import verify
from theory.claims import (
    CORRECTED,
    CORRECTED_FAILS,
    CORRECTED_HOLDS,
    FAILS,
    HOLDS,
    REGISTRY,
    VERDICTS,
    CheckResult,
    Run,
    claim,
    combine,
    corrected_check,
    from_estimate,
    load_all,
    register_package,
    run,
    run_settings,
)
from theory.montecarlo import proportion

ROOT = Path(__file__).resolve().parents[1]
CLAIMS = load_all()
IDS = sorted(CLAIMS)
FAKE = "zz-pytest-fake"  # prefix of the temporary claims; no real claim id starts with it
PAPERS = {"suggala2019", "tsipras2019", "shaeiri2020", "wen2020", "zhang2019"}  # DESIGN.md
BEYOND = "beyond"
"""The prefix of the results beyond the five papers (docs/beyond/): their sources cite other works."""
SHOWN = {HOLDS: HOLDS, FAILS: CORRECTED_HOLDS}
"""The verdict line a claim shows when its check returns the expected verdict."""


@pytest.fixture(scope="module")
def verify_run():
    """Run the whole registry once: ``python -m theory.verify --json``."""
    proc = subprocess.run([sys.executable, "-m", "theory.verify", "--json"], cwd=ROOT, capture_output=True,
                          text=True, timeout=900)
    return proc


@pytest.fixture(scope="module")
def rows(verify_run):
    report = json.loads(verify_run.stdout)
    return {r["id"]: r for r in report["claims"]}


def test_registry_is_not_empty_and_ids_are_unique_per_paper():
    assert len(IDS) >= 10
    for cid in IDS:
        assert not cid.startswith(FAKE)
        assert cid.split(".")[0] in PAPERS | {BEYOND}, cid  # ids start with the paper's short id, or "beyond"


def test_every_module_of_the_claim_package_is_discovered():
    """Each theory/claims/<module>.py registers claims, found without a list of modules."""
    modules = {p.stem for p in (ROOT / "theory" / "claims").glob("*.py") if not p.stem.startswith("_")}
    found = {c.check.__module__.rpartition(".")[2] for c in CLAIMS.values()}
    assert modules == found


def test_verify_json_ok_and_exit_code(verify_run):
    assert verify_run.returncode == 0, verify_run.stdout[-3000:] + verify_run.stderr[-3000:]
    report = json.loads(verify_run.stdout)
    assert set(report) >= {"claims", "ok", "thorough"}
    assert report["ok"] is True
    assert report["thorough"] is False
    assert sorted(r["id"] for r in report["claims"]) == IDS  # every registered claim ran, once
    for r in report["claims"]:
        assert set(r) >= {"id", "source", "statement", "expected", "corrected", "verdict", "printed_verdict",
                          "corrected_verdict", "corrected_detail", "value", "check", "interval", "detail",
                          "error", "ok", "seconds"}
        assert r["seconds"] >= 0


@pytest.mark.parametrize("cid", IDS)
def test_claim_verdict_equals_expected(cid, rows):
    row = rows[cid]
    c = CLAIMS[cid]
    assert row["error"] is None, row["error"]
    assert row["expected"] == c.expected
    assert row["printed_verdict"] == c.expected, f"{cid}: {row['detail']}"
    assert row["verdict"] == SHOWN[c.expected], f"{cid}: {row['corrected_detail']}"
    if c.expected == FAILS:  # the printed check found the counterexample, the corrected check held
        assert row["corrected_verdict"] == HOLDS and row["corrected_detail"], cid
    else:
        assert row["corrected_verdict"] is None
    assert row["ok"] is True
    assert row["detail"], f"{cid}: a check explains what it compared"
    if row["interval"] is not None:
        lo, hi = row["interval"]
        assert lo <= hi


@pytest.mark.parametrize("cid", IDS)
def test_claim_metadata(cid):
    c = CLAIMS[cid]
    assert c.id == cid
    assert isinstance(c.source, str) and c.source.strip()
    assert isinstance(c.statement, str) and c.statement.strip()
    if cid.startswith(BEYOND + "."):  # the source names a work with its year, or this package's own result
        assert re.search(r"(19|20)\d\d", c.source) or "this package" in c.source, c.source
    else:
        assert any(paper in c.source for paper in PAPERS), c.source  # the source names the paper
    assert c.expected in VERDICTS
    assert callable(c.check)
    # the sizes are declared once: (quick, thorough) pairs, or exact (nothing to grow)
    assert c.exact != (c.samples is not None or bool(c.settings)), cid
    if c.samples is not None:
        assert 1 <= c.samples[0] <= c.samples[1]
    if c.expected == FAILS:
        assert isinstance(c.corrected, str) and c.corrected.strip()
        assert c.corrected.strip() != c.statement.strip()
        assert callable(c.corrected_check) and c.corrected_check is not c.check
    else:
        assert c.corrected_check is None


def test_some_claims_fail_as_printed():
    """The registry records errata: at least one printed statement is expected to fail."""
    assert any(c.expected == FAILS for c in CLAIMS.values())
    assert any(c.expected == HOLDS for c in CLAIMS.values())


# ------------------------------------------------------------------------------------------
# the verify entry point with temporary fake claims
# ------------------------------------------------------------------------------------------


def _forget(prefix: str) -> None:
    """Remove every registered claim and corrected check whose id starts with ``prefix``."""
    for cid in [c for c in REGISTRY if c.startswith(prefix)]:
        REGISTRY.pop(cid)
    for cid in [c for c in CORRECTED if c.startswith(prefix)]:
        CORRECTED.pop(cid)


@pytest.fixture
def fake_claims():
    """Register temporary claims under the FAKE prefix; remove them (and their corrected checks) afterwards.

    ``add`` registers a check returning ``returns``; a claim expected to fail as printed gets a
    corrected check returning ``corrected_returns`` unless ``corrected_returns`` is None. The
    checks record the Run they were handed in ``seen``.
    """
    seen = {}

    def add(suffix, returns=HOLDS, expected=HOLDS, corrected=None, raises=False, corrected_returns=HOLDS,
            samples=None, settings=None, exact=None):
        cid = f"{FAKE}.{suffix}"
        if expected == FAILS and corrected is None:
            corrected = "A corrected statement."
        if exact is None:
            exact = samples is None and not settings

        def check(run: Run) -> CheckResult:
            seen[cid] = run
            if raises:
                raise RuntimeError("boom")
            return CheckResult(returns, 0.25, 0.3, (0.2, 0.4), f"fake check returning {returns}")

        claim(cid, source="pytest", statement="A fake claim.", expected=expected, corrected=corrected,
              samples=samples, settings=settings, exact=exact)(check)
        if expected == FAILS and corrected_returns is not None:
            def fixed(run: Run) -> CheckResult:
                seen[cid + ":corrected"] = run
                return CheckResult(corrected_returns, detail=f"fake corrected check returning {corrected_returns}")

            corrected_check(cid)(fixed)
        return cid

    add.seen = seen
    yield add
    _forget(FAKE)
    assert not any(cid.startswith(FAKE) for cid in REGISTRY)


def test_unexpected_verdict_makes_verify_exit_1(fake_claims, capsys):
    cid = fake_claims("wrong", returns=FAILS, expected=HOLDS)
    assert verify.main([cid]) == 1
    out = capsys.readouterr().out
    assert f"UNEXPECTED {cid}" in out
    assert "1 claims, 0 as expected, 1 unexpected" in out


def test_unexpected_verdict_json(fake_claims, capsys):
    cid = fake_claims("wrong-json", returns=HOLDS, expected=FAILS, corrected="The corrected statement.")
    assert verify.main(["--json", cid]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] is False
    (row,) = report["claims"]
    assert row["id"] == cid and row["verdict"] == HOLDS and row["expected"] == FAILS and row["ok"] is False
    assert row["printed_verdict"] == HOLDS and row["corrected_verdict"] is None  # no correction without a failure


def test_expected_verdicts_make_verify_exit_0(fake_claims, capsys):
    a = fake_claims("right", returns=HOLDS)
    b = fake_claims("right-fails", returns=FAILS, expected=FAILS, corrected="Corrected.")
    assert verify.main([FAKE]) == 0  # a prefix selects both
    out = capsys.readouterr().out
    assert a in out and b in out
    assert "fails; corr. holds" in out
    assert "2 claims, 2 as expected, 0 unexpected; 1 fail as printed" in out


def test_crashing_check_is_reported_and_exits_1(fake_claims, capsys):
    cid = fake_claims("crash", raises=True)
    assert verify.main([cid]) == 1
    out = capsys.readouterr().out
    assert "RuntimeError: boom" in out
    (outcome,) = run([cid])
    assert outcome.result is None and outcome.error == "RuntimeError: boom" and not outcome.ok


def test_run_selects_by_prefix_and_reports_outcomes(fake_claims):
    a = fake_claims("sel.one", returns=HOLDS)
    b = fake_claims("sel.two", returns=FAILS)
    seen = []
    outs = run([f"{FAKE}.sel"], progress=seen.append)
    assert [o.claim.id for o in outs] == [a, b] == [o.claim.id for o in seen]
    assert outs[0].ok and not outs[1].ok
    assert all(o.seconds >= 0 for o in outs)
    assert run([f"{FAKE}.nothing-matches"]) == []


def test_list_shows_every_claim_and_corrections(capsys):
    assert verify.main(["--list"]) == 0
    out = capsys.readouterr().out
    for cid, c in CLAIMS.items():
        assert cid in out
        if c.corrected:
            assert c.corrected in out


# ------------------------------------------------------------------------------------------
# registration rules and helpers
# ------------------------------------------------------------------------------------------


def test_registration_rules(fake_claims):
    with pytest.raises(ValueError, match="corrected"):
        claim(f"{FAKE}.no-correction", source="s", statement="t", expected=FAILS)
    with pytest.raises(ValueError, match="expected"):
        claim(f"{FAKE}.bad-expected", source="s", statement="t", expected="maybe")
    cid = fake_claims("dup")
    with pytest.raises(ValueError, match="registered twice"):
        claim(cid, source="s", statement="t", exact=True)(lambda run: CheckResult(HOLDS))
    with pytest.raises(ValueError, match="verdict"):
        CheckResult("probably")
    with pytest.raises(ValueError, match="quick, thorough"):
        claim(f"{FAKE}.bad-pair", source="s", statement="t", samples=(10, 20, 30))
    with pytest.raises(ValueError, match="integers"):
        claim(f"{FAKE}.bad-samples", source="s", statement="t", samples=(0, 10))
    with pytest.raises(ValueError, match="Run attribute"):
        claim(f"{FAKE}.bad-setting", source="s", statement="t", settings={"n": (1, 2)})
    with pytest.raises(ValueError, match="exact=True"):
        claim(f"{FAKE}.exact-and-sized", source="s", statement="t", samples=(1, 2), exact=True)
    with pytest.raises(ValueError, match="register the claim itself first"):
        corrected_check(f"{FAKE}.nobody")(lambda run: CheckResult(HOLDS))
    with pytest.raises(ValueError, match="only a claim expected to fail"):
        corrected_check(cid)(lambda run: CheckResult(HOLDS))
    fails = fake_claims("dup-fix", returns=FAILS, expected=FAILS)
    with pytest.raises(ValueError, match="registered twice"):
        corrected_check(fails)(lambda run: CheckResult(HOLDS))


def test_a_claim_without_sizes_is_refused():
    """(f) neither samples, settings nor exact=True: refused when the check is registered."""
    with pytest.raises(ValueError, match=r"declare samples=\(quick, thorough\), settings=..., or exact=True"):
        claim(f"{FAKE}.sizeless", source="s", statement="t")(lambda run: CheckResult(HOLDS))
    assert f"{FAKE}.sizeless" not in REGISTRY


def test_load_all_refuses_a_failing_claim_without_corrected_check(fake_claims):
    """(e) a claim expected to fail as printed needs its corrected check."""
    cid = fake_claims("uncorrected", returns=FAILS, expected=FAILS, corrected_returns=None)
    with pytest.raises(ValueError, match="without a corrected_check") as info:
        load_all()
    assert cid in str(info.value)
    with pytest.raises(ValueError, match="without a corrected_check"):
        run([cid])


def test_run_settings_follow_quick_and_thorough(fake_claims):
    """(c) run.n and named settings come from the declared (quick, thorough) pairs."""
    cid = fake_claims("sized", samples=(10, 20), settings={"cells": (3, 5), "grid": ((1, 2), (1, 2, 3))})
    c = REGISTRY[cid]
    quick, thorough = run_settings(c, False), run_settings(c, True)
    assert (quick.n, quick.cells, quick.grid, quick.thorough) == (10, 3, (1, 2), False)
    assert (thorough.n, thorough.cells, thorough.grid, thorough.thorough) == (20, 5, (1, 2, 3), True)
    with pytest.raises(AttributeError, match="declares no setting 'other'"):
        _ = quick.other
    # the registry hands the check exactly these settings
    (out,) = run([cid], thorough=True)
    assert out.ok and fake_claims.seen[cid] == thorough
    exact = REGISTRY[fake_claims("exact")]
    assert run_settings(exact, True).n is None and run_settings(exact, True).settings == {}


def test_run_rng_is_reproducible_and_differs_between_ids_and_streams():
    """(c) run.rng(k) depends on the claim id and the stream only (not on thorough)."""
    a = Run("paper.claim").rng(3).random(5)
    assert np.array_equal(a, Run("paper.claim").rng(3).random(5))
    assert np.array_equal(a, Run("paper.claim", thorough=True, n=7).rng(3).random(5))
    assert not np.array_equal(a, Run("paper.claim").rng(4).random(5))
    assert not np.array_equal(a, Run("paper.claim2").rng(3).random(5))
    assert not np.array_equal(Run("paper.claim").rng().random(5), Run("paper.claim").rng(1).random(5))


def test_verdicts_of_claims_that_fail_as_printed(fake_claims):
    """(d) printed check and corrected check together give the verdict and ok."""
    normal = fake_claims("fix.normal", returns=FAILS, expected=FAILS, corrected_returns=HOLDS)
    broken = fake_claims("fix.broken", returns=FAILS, expected=FAILS, corrected_returns=FAILS)
    holds = fake_claims("fix.holds", returns=HOLDS, expected=FAILS, corrected_returns=HOLDS)
    outs = {o.claim.id: o for o in run([f"{FAKE}.fix"])}
    assert outs[normal].verdict == CORRECTED_HOLDS == "fails as printed; corrected: holds"
    assert outs[normal].ok and outs[normal].corrected.verdict == HOLDS
    assert outs[broken].verdict == CORRECTED_FAILS == "fails as printed; corrected: fails"
    assert not outs[broken].ok
    assert outs[holds].verdict == HOLDS and not outs[holds].ok
    assert outs[holds].corrected is None and holds + ":corrected" not in fake_claims.seen
    # the corrected check runs with the same Run as the printed one
    assert fake_claims.seen[normal + ":corrected"] == fake_claims.seen[normal]


# ------------------------------------------------------------------------------------------
# claim packages: discovery and id prefixes
# ------------------------------------------------------------------------------------------

CLAIM_MODULE = '''
from theory.claims import HOLDS, CheckResult, claim


@claim({cid!r}, source="pytest", statement="A claim of a temporary package.", exact=True)
def check(run):
    return CheckResult(HOLDS, detail="a discovered claim")
'''


@pytest.fixture
def claim_package(tmp_path, monkeypatch):
    """Write a temporary claim package ``name`` (modules: {module name: claim id}) on sys.path; register it
    with prefix "demo"; afterwards forget its package, modules and claims."""
    made = []

    def make(name, modules):
        pkg = tmp_path / name
        pkg.mkdir()
        (pkg / "__init__.py").write_text('"""A temporary claim package."""\n')
        for mod, cid in modules.items():
            (pkg / f"{mod}.py").write_text(textwrap.dedent(CLAIM_MODULE.format(cid=cid)))
        made.append(name)
        register_package(name, "demo")
        return name

    monkeypatch.syspath_prepend(str(tmp_path))
    yield make
    for name in made:
        registry.CLAIM_PACKAGES.pop(name, None)
        for mod in [m for m in sys.modules if m == name or m.startswith(name + ".")]:
            sys.modules.pop(mod)
    _forget("demo.")
    _forget("undemo")


def test_a_module_dropped_into_a_claim_package_is_discovered(claim_package):
    """(a) no list of modules: every module of a registered package is imported by load_all."""
    claim_package("zz_pytest_demo_claims", {"first": "demo.first", "second": "demo.second",
                                            "_private": "demo.private"})
    found = load_all()
    assert {"demo.first", "demo.second"} <= set(found)
    assert "demo.private" not in found  # modules starting with "_" are not claim modules
    assert found["demo.first"].package == "zz_pytest_demo_claims"
    (out,) = run(["demo.first"])
    assert out.ok and out.verdict == HOLDS
    assert set(IDS) <= set(found)  # the theory's own claims are still there


def test_a_claim_without_the_package_prefix_is_refused(claim_package):
    """(b) in a package registered with prefix "demo", every id starts with "demo."."""
    claim_package("zz_pytest_demo_bad_claims", {"bad": "undemo.bad"})
    with pytest.raises(ValueError, match="must have an id starting with 'demo.'"):
        load_all()
    assert "undemo.bad" not in REGISTRY


def test_register_package_rules():
    with pytest.raises(ValueError, match="prefix"):
        register_package("zz_pytest_nothing", "")
    with pytest.raises(ValueError, match="prefix"):
        register_package("zz_pytest_nothing", ".demo")
    with pytest.raises(ValueError, match="already registered"):
        register_package("theory.claims", "other")
    assert "zz_pytest_nothing" not in registry.CLAIM_PACKAGES


def test_from_estimate_and_combine():
    est = proportion(300, 1000, 0.999)
    inside = from_estimate(0.3, est, "d")
    assert inside.verdict == HOLDS and inside.value == 0.3 and inside.interval == (est.low, est.high)
    outside = from_estimate(0.5, est, "d")
    assert outside.verdict == FAILS and "outside the interval" in outside.detail
    assert from_estimate(est.high + 0.01, est, slack=0.02).verdict == HOLDS
    both = combine([inside, outside], detail="combined")
    assert both.verdict == FAILS and outside.detail in both.detail
    assert combine([inside, inside]).verdict == HOLDS
