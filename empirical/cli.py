"""The ``advrisk`` command (also ``python -m empirical``).

- ``advrisk verify [ARGS]``: the theory's claims, exactly as ``python -m theory.verify [ARGS]``
  (``--thorough``, ``--json``, ``-v``, ``--list``, id prefixes).
- ``advrisk report DIR``: re-print the summary table of a finished run (its ``report.json``:
  prediction, predicted, measured with interval, verdict).

The exit status is non-zero when a claim's verdict differs from the registered one (``verify``)
or when a report holds a prediction that did not hold (``report``).
"""

from __future__ import annotations

import argparse
import sys

__all__ = ["main"]


def _report(folder: str) -> int:
    from empirical.report import load_report, summary_table

    r = load_report(folder)
    print(summary_table(r))
    duration = r.get("duration_s")
    print(f"device {r.get('device', '?')}" + ("" if duration is None else f", {duration:.1f} s"))
    return 1 if r["verdict"] == "did not hold" else 0


def main(argv=None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    ap = argparse.ArgumentParser(prog="advrisk", description="adversarial-risk: the theory's claims and the "
                                 "experiments that test them")
    sub = ap.add_subparsers(dest="command", required=True)
    sub.add_parser("verify", help="check the theory's claims (python -m theory.verify)", add_help=False)
    rep = sub.add_parser("report", help="re-print a finished run's report")
    rep.add_argument("folder", help="the run's folder (or its report.json)")
    if argv[:1] == ["verify"]:
        from theory.verify import main as verify

        return verify(argv[1:])
    args = ap.parse_args(argv)
    if args.command == "report":
        try:
            return _report(args.folder)
        except FileNotFoundError as exc:
            print(f"advrisk report: {exc}", file=sys.stderr)
            return 2
    return 2  # pragma: no cover - argparse requires a command


if __name__ == "__main__":
    sys.exit(main())
