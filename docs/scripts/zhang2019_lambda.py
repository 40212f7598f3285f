"""Draw docs/figures/zhang2019_lambda.png: TRADES problem (3) on example (2) as lambda varies (hinge loss).

The infimum of (3) over all measurable scores, read off a grid minimization of the two-level
objective J(a, b) (theory.calibration.toy_trades_solution), against the derived closed form
(theory.calibration.toy_trades_hinge) and the infimum over Bayes-signed scores (a > 0 > b). The
optimal robust error 1/2 of example (2) is the floor the infimum reaches as lambda -> 0.

Drawn by: python docs/make_figures.py --only zhang2019_lambda   (a few seconds, no network)
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from theory import calibration as C
from theory.figures import figure, label, save

NAME = "zhang2019_lambda.png"


def draw(out: Path) -> list[Path]:
    """Draw the figure into the folder ``out``; return its path."""
    fig, ax = figure(1, width=7.5, height=4.4)
    lams = np.logspace(-3, 3, 25)
    sols = [C.toy_trades_solution(lam) for lam in lams]
    closed = np.array([C.toy_trades_hinge(lam) for lam in lams])
    ax.plot(lams, [s.infimum for s in sols], "o", ms=4, color="C0", label="infimum of (3), grid minimization of J")
    ax.plot(lams, closed[:, 0], "-", color="C0", lw=1.2,
            label=r"derived: $(1+\sqrt{\lambda})/2$, then 1 (all-one scores)")
    ax.plot(lams, [s.bayes for s in sols], "s", ms=4, color="C3", label="best Bayes-signed score, grid")
    ax.plot(lams, closed[:, 1], "--", color="C3", lw=1.2, label=r"derived: $\min(1 + 1/\lambda, 3/2)$")
    ax.axhline(0.5, color="0.5", lw=1, ls=":", label="optimal robust error 1/2")
    ax.set_xscale("log")
    ax.set_ylim(0.4, 1.75)
    label(ax, r"$\lambda$ (regularizer $\phi(f(X')f(X)/\lambda)$)", "objective (3), population value",
          "zhang2019 example (2), hinge: infimum of (3) vs Bayes-signed scores")
    path = save(fig, out / NAME)
    print(f"wrote {path}")
    return [path]
