"""Draw docs/figures/zhang2019_psi.png: psi-transforms (zhang2019 Table 2) and Theorem 3.1 on example (2).

Left: psi~ (dashed) and its convex biconjugate psi (solid), computed numerically by
theory.calibration for the four losses of Table 2, the squared loss, and the non-convex
clipped exponential min(1.5, e^-a), whose psi~ has a concave kink at 1/3 and whose psi = theta.
Right: example (2) with eps = 1/10 and the hinge loss; the classifier f_k is the Bayes rule on
the first k of the five pairs of cells and +1 elsewhere (k = 0: all-one, k = 5: Bayes). Exact
R_rob - R_nat^*, the Theorem 3.1 bound psi^{-1}(R_phi - R_phi^*) + P(X in B, f Y > 0), and the
TRADES bound with E max phi(f(X') f(X)/lambda), lambda = 1.

Drawn by: python docs/make_figures.py --only zhang2019_psi   (a few seconds, no network)
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from theory import calibration as C
from theory.claims.zhang2019 import CLIPPED_EXP
from theory.figures import figure, save

NAME = "zhang2019_psi.png"


def draw(out: Path) -> list[Path]:
    """Draw the figure into the folder ``out``; return its path."""
    fig, (ax, bx) = figure(2, width=11, height=4.4)
    t = np.linspace(0, 1, 401)
    for i, loss in enumerate(["hinge", "exponential", "logistic2", "squared", CLIPPED_EXP]):
        name = loss if isinstance(loss, str) else "min(1.5, exp(-a))"
        ax.plot(t, C.psi(loss, t), color=f"C{i}", lw=2, label=name)
        if not isinstance(loss, str):
            ax.plot(t, C.psi_tilde(loss, t), color=f"C{i}", lw=1.2, ls="--", label=r"$\tilde\psi$ of " + name)
    ax.set_xlabel(r"$\theta$")
    ax.set_ylabel(r"$\psi(\theta)$")
    ax.set_title(r"$\psi = \tilde\psi^{**}$ (numerical); hinge, sigmoid, min(1.5, exp(-a)): $\psi = \theta$",
                 fontsize=10)
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)

    eps = 0.1
    posterior = C.toy_example(eps)
    bayes = C.sign_classifier(posterior).values
    ks = np.arange(6)
    lhs, b1, b2, nat, bdy = [], [], [], [], []
    for k in ks:
        vals = np.ones_like(bayes)
        vals[: 2 * k] = bayes[: 2 * k]
        f = C.PiecewiseConstant(posterior.breaks, vals)
        r = C.interval_risks(posterior, f, eps)
        p = C.interval_phi_risks("hinge", posterior, f, eps, 1.0)
        lhs.append(r.robust - r.bayes_natural)
        nat.append(r.natural)
        bdy.append(r.boundary)
        b1.append(float(C.trades_upper_bound("hinge", p.excess, r.boundary)))
        b2.append(float(C.trades_upper_bound("hinge", p.excess, p.regularizer)))
        print(f"k={k}: R_nat {r.natural:.3f} R_bdy {r.boundary:.3f} R_rob-R* {lhs[-1]:.3f} "
              f"bound1 {b1[-1]:.3f} TRADES bound {b2[-1]:.3f}")
    bx.plot(ks, lhs, "o-", lw=2, label=r"$R_{rob}(f_k) - R^*_{nat}$")
    bx.plot(ks, b1, "s--", label=r"$\psi^{-1}(R_\phi - R^*_\phi) + R_{bdy}$ (Thm 3.1)")
    bx.plot(ks, b2, "^:", label=r"$\psi^{-1}(R_\phi - R^*_\phi) + E\max\phi(f f'/\lambda)$, $\lambda=1$")
    bx.plot(ks, nat, color="0.5", lw=1, label=r"$R_{nat}(f_k)$")
    bx.set_xlabel("k (Bayes rule on the first k pairs of cells)")
    bx.set_title(r"example (2), $\varepsilon = 1/10$, hinge loss: exact values", fontsize=10)
    bx.set_ylim(-0.02, 2.1)
    bx.legend(fontsize=8, loc="upper left")
    bx.grid(alpha=0.3)
    path = save(fig, out / NAME)
    print(f"wrote {path}")
    return [path]
