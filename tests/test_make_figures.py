"""docs/make_figures.py draws every theory figure, reproducibly, and refuses unknown names."""

import json
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "docs" / "make_figures.py"


def _run(*args):
    return subprocess.run([sys.executable, str(SCRIPT), *args], capture_output=True, text=True, timeout=600,
                          env={"OMP_NUM_THREADS": "1", "PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)})


def test_every_theory_figure_is_drawn_and_a_second_run_gives_the_same_bytes(tmp_path):
    names = sorted(p.stem for p in (ROOT / "docs" / "scripts").glob("*.py"))
    first = _run("--only", *names, "--out", str(tmp_path / "a"))
    assert first.returncode == 0, first.stderr[-2000:]
    second = _run("--only", *names, "--out", str(tmp_path / "b"))
    assert second.returncode == 0, second.stderr[-2000:]
    pngs = sorted((tmp_path / "a").glob("*.png"))
    assert [p.stem for p in pngs] == names  # each module draws the figure it is named after
    for p in pngs:
        data = p.read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000
        assert data == (tmp_path / "b" / p.name).read_bytes(), f"{p.name} differs between two runs"
    # every figure the docs pages embed from docs/figures/ is drawn by some module (or is an experiment figure)
    embedded = {m for page in (ROOT / "docs").rglob("*.md")
                for m in re.findall(r"\]\((?:\.\./)*figures/([^)\s]+)\)", page.read_text())}
    experiments = {f"experiments/{f}" for r in (ROOT / "docs" / "results").glob("*/report.json")
                   for f in json.loads(r.read_text()).get("figures", [])}
    assert {f for f in embedded if f.startswith("experiments/")} <= experiments  # drawn from the saved reports
    assert {f for f in embedded if not f.startswith("experiments/")} <= {p.name for p in pngs}


def test_unknown_names_fail_with_the_known_ones():
    out = _run("--only", "no-such-figure")
    assert out.returncode == 2 and "no-such-figure" in out.stderr and "zhang2019_psi" in out.stderr
