"""Run every registered claim's independent check and print one line per claim.

Usage::

    python -m theory.verify                 # default run (well under a minute)
    python -m theory.verify --thorough      # larger samples and grids
    python -m theory.verify --json          # machine-readable output
    python -m theory.verify suggala2019.cor # only claims whose id starts with this
    python -m theory.verify --list          # ids, sources and statements, without running

Exit status: 0 when every verdict equals the one registered for its claim, 1 otherwise.
"""

from __future__ import annotations

import argparse
import json
import sys
import time

from theory.claims import load_all, run


def _fmt(x) -> str:
    if x is None:
        return "-"
    return f"{x:.6g}"


def _line(out) -> str:
    c, r = out.claim, out.result
    mark = "ok " if out.ok else "BAD"
    if r is None:
        return f"{mark} {c.id:<32} ERROR  {out.error}"
    interval = f"[{_fmt(r.interval[0])}, {_fmt(r.interval[1])}]" if r.interval else ""
    verdict = out.verdict
    if verdict.startswith("fails as printed;"):
        verdict = "fails; corr. " + verdict.rpartition(": ")[2]
    return (f"{mark} {c.id:<32} {verdict:<19} value={_fmt(r.value):<12} "
            f"check={_fmt(r.check):<12} {interval:<26} ({out.seconds:.1f}s)")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m theory.verify", description=__doc__.split("\n")[0])
    ap.add_argument("ids", nargs="*", help="claim ids or id prefixes (default: all)")
    ap.add_argument("--thorough", action="store_true", help="larger samples and finer grids")
    ap.add_argument("--json", action="store_true", help="print JSON instead of a table")
    ap.add_argument("--list", action="store_true", help="list the claims without running them")
    ap.add_argument("-v", "--verbose", action="store_true", help="print each check's detail")
    args = ap.parse_args(argv)

    if args.list:
        for c in load_all().values():
            size = ("exact" if c.exact else ", ".join(
                ([f"n={c.samples[0]}/{c.samples[1]}"] if c.samples else [])
                + [f"{k}={v[0]}/{v[1]}" for k, v in c.settings.items()]))
            print(f"{c.id}  [{c.source}]  expected: {c.expected}  (quick/thorough: {size or '-'})\n    {c.statement}")
            if c.corrected:
                print(f"    corrected: {c.corrected}")
        return 0

    t0 = time.perf_counter()
    if args.json:
        outcomes = run(args.ids, thorough=args.thorough)
    else:
        print(f"{'':4}{'claim':<32} {'verdict':<19} closed form / check / interval")
        outcomes = run(args.ids, thorough=args.thorough,
                       progress=lambda o: (print(_line(o)), args.verbose and o.result and print(
                           f"      {o.result.detail}"), args.verbose and o.corrected and print(
                           f"      corrected: {o.corrected.detail}"), sys.stdout.flush()))
    bad = [o for o in outcomes if not o.ok]
    if args.json:
        rows = []
        for o in outcomes:
            r = o.result
            rows.append({
                "id": o.claim.id, "source": o.claim.source, "statement": o.claim.statement,
                "expected": o.claim.expected, "corrected": o.claim.corrected,
                "verdict": o.verdict if r else None, "printed_verdict": r.verdict if r else None,
                "corrected_verdict": o.corrected.verdict if o.corrected else None,
                "corrected_detail": o.corrected.detail if o.corrected else None,
                "value": r.value if r else None,
                "check": r.check if r else None,
                "interval": list(r.interval) if r and r.interval else None,
                "detail": r.detail if r else None, "error": o.error, "ok": o.ok,
                "seconds": round(o.seconds, 3),
            })
        json.dump({"claims": rows, "ok": not bad, "thorough": args.thorough}, sys.stdout, indent=2)
        print()
    else:
        fails = sum(1 for o in outcomes if o.result and o.result.verdict != "holds")
        print(f"\n{len(outcomes)} claims, {len(outcomes) - len(bad)} as expected, {len(bad)} "
              f"unexpected; {fails} fail as printed (see docs/errata.md); "
              f"{time.perf_counter() - t0:.1f}s")
        for o in bad:
            why = o.error or (o.corrected.detail if o.corrected and o.verdict.endswith("fails")
                              else o.result.detail)
            print(f"UNEXPECTED {o.claim.id}: expected {o.claim.expected!r}, got {o.verdict!r}; {why}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
