"""Draw every figure of the documentation, deterministically, from the package.

- The theory figures: each module of ``docs/scripts/`` has a function ``draw(out) -> [paths]``
  that computes with :mod:`theory` and draws with :mod:`theory.figures` (one style, one dpi, PNGs
  without a timestamp); ``NAME`` is its file name. They take seconds and need no torch.
- The experiment figures: from the saved reports ``docs/results/<experiment>/report.json`` of the
  runs the results page describes, drawn by each experiment's registered ``plot`` (the same
  function ``advrisk report`` uses) into ``docs/figures/experiments/``. They need the
  ``empirical`` extra (torch), not a new run.

Usage::

    python docs/make_figures.py                     # every figure
    python docs/make_figures.py --only zhang2019_psi tsipras-tradeoff
    python docs/make_figures.py --list
    python docs/make_figures.py --out /tmp/figures  # elsewhere (experiment figures in OUT/experiments)
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SCRIPTS = HERE / "scripts"
RESULTS = HERE / "results"


def theory_figures() -> dict:
    """The theory figure modules of ``docs/scripts/``: name -> module."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    out = {}
    for path in sorted(SCRIPTS.glob("*.py")):
        spec = importlib.util.spec_from_file_location(f"docs_figures_{path.stem}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        out[path.stem] = module
    return out


def saved_reports() -> dict:
    """The saved experiment reports: experiment name -> report (its JSON form)."""
    return {p.parent.name: json.loads(p.read_text()) for p in sorted(RESULTS.glob("*/report.json"))}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="make_figures", description=__doc__.split("\n")[0])
    ap.add_argument("--only", nargs="+", metavar="NAME", help="theory figures or experiments to draw")
    ap.add_argument("--list", action="store_true", help="list the figures and exit")
    ap.add_argument("--out", type=Path, default=HERE / "figures", help="output folder (default docs/figures)")
    args = ap.parse_args(argv)
    theory, reports = theory_figures(), saved_reports()
    if args.list:
        for name, module in theory.items():
            print(f"theory      {name}: {module.NAME}")
        for name in reports:
            print(f"experiment  {name}: from docs/results/{name}/report.json")
        return 0
    wanted = set(args.only or [*theory, *reports])
    unknown = wanted - set(theory) - set(reports)
    if unknown:
        print(f"make_figures: unknown figures {sorted(unknown)}; known: {sorted([*theory, *reports])}",
              file=sys.stderr)
        return 2
    for name in [n for n in theory if n in wanted]:
        start = time.perf_counter()
        paths = theory[name].draw(args.out)
        print(f"{name}: {', '.join(str(p) for p in paths)} ({time.perf_counter() - start:.1f} s)")
    todo = [n for n in reports if n in wanted]
    if todo:
        try:
            from empirical.experiments import plot
        except ImportError as exc:  # torch missing
            print(f"make_figures: experiment figures skipped ({exc}); install the empirical extra", file=sys.stderr)
            return 0
        for name in todo:
            paths = plot(reports[name], args.out / "experiments")
            print(f"{name}: {', '.join(str(p) for p in paths)} (from docs/results/{name}/report.json)")
    elif not reports:
        print("make_figures: no saved experiment reports in docs/results/ (advrisk run NAME --out docs/results)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
