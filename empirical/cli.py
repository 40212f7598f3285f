"""The ``advrisk`` command (also ``python -m empirical``).

- ``advrisk verify [ARGS]``: the theory's claims, exactly as ``python -m theory.verify [ARGS]``
  (``--thorough``, ``--json``, ``-v``, ``--list``, id prefixes).
- ``advrisk list``: the experiments, what each predicts, and the cost of its quick and full
  configurations.
- ``advrisk run NAME... | --all [--full | --tiny] [--device D] [--seed S] [--out DIR]``: run
  experiments (quick configuration by default; ``--tiny`` is the seconds-long one of the test
  suite) and print each one's summary table; reports and figures go to ``DIR/NAME``, and a run
  interrupted and started again resumes from its checkpoints there.
- ``advrisk report DIR``: re-print the summary table of a finished run (its ``report.json``:
  prediction, predicted, measured with interval, verdict) and re-draw its figures into ``DIR``;
  ``--markdown`` prints the table in Markdown instead (the docs' results page is made of these).

The exit status is non-zero when a claim's verdict differs from the registered one (``verify``)
or when a prediction did not hold (``run``, ``report``).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

__all__ = ["main"]


def _report(folder: str, markdown: bool = False) -> int:
    from empirical.report import load_report, markdown_table, summary_table

    r = load_report(folder)
    if markdown:
        print(markdown_table(r))
        return 1 if r["verdict"] == "did not hold" else 0
    print(summary_table(r))
    duration = r.get("duration_s")
    print(f"device {r.get('device', '?')}" + ("" if duration is None else f", {duration:.1f} s"))
    from empirical.experiments import load_all, plot

    if r["experiment"] in load_all():
        home = Path(folder) if Path(folder).is_dir() else Path(folder).parent
        for path in plot(r, home):
            print(f"figure {path}")
    return 1 if r["verdict"] == "did not hold" else 0


def _list() -> int:
    from empirical.experiments import load_all

    for exp in sorted(load_all().values(), key=lambda e: e.name):
        print(f"{exp.name}: {exp.description}")
        print(f"  quick: {exp.quick_cost or '-'}; full: {exp.full_cost or '-'}")
        for pid, statement in exp.predictions.items():
            print(f"  {pid}: {statement}")
    return 0


def _run(args) -> int:
    from empirical.experiments import load_all, run

    registry = load_all()
    names = list(registry) if args.all else args.names
    if not names:
        print("advrisk run: name one or more experiments (advrisk list) or pass --all", file=sys.stderr)
        return 2
    unknown = [n for n in names if n not in registry]
    if unknown:
        print(f"advrisk run: unknown experiments {unknown}; known: {sorted(registry)}", file=sys.stderr)
        return 2
    from empirical.report import summary_table

    failed = False
    rows = []
    for name in names:
        report = run(name, full=args.full, tiny=args.tiny, seed=args.seed, device=args.device, out=args.out)
        print(summary_table(report.to_json()))
        figures = "".join(f", {args.out}/{name}/{f}" for f in report.figures)
        print(f"device {report.device}, {report.duration_s:.1f} s; report in {args.out}/{name}/report.json{figures}\n")
        failed |= report.verdict == "did not hold"
        counts = [sum(p.verdict == v for p in report.predictions) for v in ("held", "did not hold", "inconclusive")]
        rows.append((name, *map(str, counts), f"{report.duration_s:.1f}", report.verdict))
    if len(rows) > 1:
        rows.insert(0, ("experiment", "held", "did not hold", "inconclusive", "seconds", "verdict"))
        widths = [max(len(r[i]) for r in rows) for i in range(6)]
        print("\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows))
        total = sum(float(r[4]) for r in rows[1:])
        print(f"{len(rows) - 1} experiments in {total:.1f} s")
    return 1 if failed else 0


def main(argv=None) -> int:
    """The ``advrisk`` entry point: parse ``argv`` (default ``sys.argv[1:]``), run the command, return its exit status.

    Examples
    --------
    >>> main(["list"])  # doctest: +ELLIPSIS
    bernoulli-limits: ...
    0
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    ap = argparse.ArgumentParser(prog="advrisk", description="adversarial-risk: the theory's claims and the "
                                 "experiments that test them")
    sub = ap.add_subparsers(dest="command", required=True)
    sub.add_parser("verify", help="check the theory's claims (python -m theory.verify)", add_help=False)
    sub.add_parser("list", help="the experiments and their predictions")
    runp = sub.add_parser("run", help="run experiments")
    runp.add_argument("names", nargs="*", help="experiment names (see advrisk list)")
    runp.add_argument("--all", action="store_true", help="every experiment")
    size = runp.add_mutually_exclusive_group()
    size.add_argument("--full", action="store_true", help="the full configuration (for a GPU)")
    size.add_argument("--tiny", action="store_true", help="the test suite's seconds-long configuration")
    runp.add_argument("--device", default=None, help="torch device (default: CUDA when present, else CPU)")
    runp.add_argument("--seed", type=int, default=0)
    runp.add_argument("--out", default="runs", help="output folder (default: runs)")
    rep = sub.add_parser("report", help="re-print a finished run's report and re-draw its figures")
    rep.add_argument("folder", help="the run's folder (or its report.json)")
    rep.add_argument("--markdown", action="store_true", help="print the table as Markdown; draw no figures")
    if argv[:1] == ["verify"]:
        from theory.verify import main as verify

        return verify(argv[1:])
    args = ap.parse_args(argv)
    if args.command == "list":
        return _list()
    if args.command == "run":
        return _run(args)
    if args.command == "report":
        try:
            return _report(args.folder, args.markdown)
        except FileNotFoundError as exc:
            print(f"advrisk report: {exc}", file=sys.stderr)
            return 2
    return 2  # pragma: no cover - argparse requires a command


if __name__ == "__main__":
    sys.exit(main())
