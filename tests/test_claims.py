"""The claim registry: every claim's check returns the verdict registered for it.

The registry runs once, through ``python -m theory.verify --json`` in a subprocess (a
module-scoped fixture): that checks the command-line entry point, its JSON and its exit
status, and the per-claim tests below are parametrized over its rows. The exit status
for an unexpected verdict is checked in-process with temporary fake claims that a
fixture registers and removes.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from theory import verify
from theory.claims import (
    FAILS,
    HOLDS,
    PAPER_MODULES,
    REGISTRY,
    VERDICTS,
    CheckResult,
    claim,
    combine,
    from_estimate,
    load_all,
    run,
)
from theory.montecarlo import proportion

ROOT = Path(__file__).resolve().parents[1]
CLAIMS = load_all()
IDS = sorted(CLAIMS)
FAKE = "zz-pytest-fake"  # prefix of the temporary claims; no real claim id starts with it
PAPERS = {"suggala2019", "tsipras2019", "shaeiri2020", "wen2020", "zhang2019"} | set(PAPER_MODULES)  # DESIGN.md


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
        assert cid.split(".")[0] in PAPERS, cid  # ids start with the paper's short id


def test_verify_json_ok_and_exit_code(verify_run):
    assert verify_run.returncode == 0, verify_run.stdout[-3000:] + verify_run.stderr[-3000:]
    report = json.loads(verify_run.stdout)
    assert set(report) >= {"claims", "ok", "thorough"}
    assert report["ok"] is True
    assert report["thorough"] is False
    assert sorted(r["id"] for r in report["claims"]) == IDS  # every registered claim ran, once
    for r in report["claims"]:
        assert set(r) >= {"id", "source", "statement", "expected", "corrected", "verdict", "value", "check",
                          "interval", "detail", "error", "ok", "seconds"}
        assert r["seconds"] >= 0


@pytest.mark.parametrize("cid", IDS)
def test_claim_verdict_equals_expected(cid, rows):
    row = rows[cid]
    c = CLAIMS[cid]
    assert row["error"] is None, row["error"]
    assert row["expected"] == c.expected
    assert row["verdict"] == c.expected, f"{cid}: {row['detail']}"
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
    assert any(paper in c.source for paper in PAPERS), c.source  # the source names the paper
    assert c.expected in VERDICTS
    assert callable(c.check)
    if c.expected == FAILS:
        assert isinstance(c.corrected, str) and c.corrected.strip()
        assert c.corrected.strip() != c.statement.strip()


def test_some_claims_fail_as_printed():
    """The registry records errata: at least one printed statement is expected to fail."""
    assert any(c.expected == FAILS for c in CLAIMS.values())
    assert any(c.expected == HOLDS for c in CLAIMS.values())


# ------------------------------------------------------------------------------------------
# the verify entry point with temporary fake claims
# ------------------------------------------------------------------------------------------


@pytest.fixture
def fake_claims():
    """Register temporary claims under the FAKE prefix; remove them afterwards."""
    added = []

    def add(suffix, returns=HOLDS, expected=HOLDS, corrected=None, raises=False):
        cid = f"{FAKE}.{suffix}"

        def check(thorough: bool = False) -> CheckResult:
            if raises:
                raise RuntimeError("boom")
            return CheckResult(returns, 0.25, 0.3, (0.2, 0.4), f"fake check returning {returns}")

        claim(cid, source="pytest", statement="A fake claim.", expected=expected, corrected=corrected)(check)
        added.append(cid)
        return cid

    yield add
    for cid in added:
        REGISTRY.pop(cid, None)
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


def test_expected_verdicts_make_verify_exit_0(fake_claims, capsys):
    a = fake_claims("right", returns=HOLDS)
    b = fake_claims("right-fails", returns=FAILS, expected=FAILS, corrected="Corrected.")
    assert verify.main([FAKE]) == 0  # a prefix selects both
    out = capsys.readouterr().out
    assert a in out and b in out
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
        claim(cid, source="s", statement="t")(lambda thorough=False: CheckResult(HOLDS))
    with pytest.raises(ValueError, match="verdict"):
        CheckResult("probably")


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
