"""Draw docs/figures/regularization_thm7.png: suggala2019 Theorem 7 and the uniform-squares example.

Left: on a finite distribution (25 random points in R^3, random weights, linear f, base classifier
g = sign(theta.x), l-inf), the exact base-relative logistic R_adv(eps) (theory.regularization), the
Theorem 7 upper bound eps ||w||_1, and the first-order term eps E[h] ||w||_1.
Right: the uniform-squares example of section 6 (P(y=1) = 3/4, squares of side 2 at (+-1.2, 0));
0-1 classification risk of the best vertical threshold for objective (6) as eps grows, for several lam.

Drawn by: python docs/make_figures.py --only regularization_thm7   (a few seconds, no network)
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from theory import regularization as RG
from theory.figures import figure, save

NAME = "regularization_thm7.png"


def draw(out: Path) -> list[Path]:
    """Draw the figure into the folder ``out``; return its path."""
    rng = np.random.default_rng([20190607, 99])
    d, n = 3, 25
    theta = rng.normal(size=d)
    x = 1.2 * rng.normal(size=(n, d))
    y = np.where(rng.random(n) < 1 / (1 + np.exp(-2 * x @ theta)), 1.0, -1.0)
    p = rng.dirichlet(np.ones(n))
    w = theta + 0.8 * rng.normal(size=d)
    eps = np.linspace(0, 1.5, 151)
    risk = p @ np.logaddexp(0, -y * (x @ w))
    radv = np.array([RG.joint_logistic_objective(w, x, y, theta, e, 1.0, norm=np.inf, weights=p) - risk
                     for e in eps])
    bound = np.array([RG.theorem7_upper_bound(w, x, y, e, 1.0, norm=np.inf, weights=p) - risk for e in eps])
    first = np.array([RG.theorem7_first_order(w, x, y, theta, e, 1.0, norm=np.inf, weights=p) - risk
                      for e in eps])

    fig, axes = figure(2, width=10.5, height=4.2)
    ax = axes[0]
    ax.plot(eps, bound, color="C3", lw=2, label=r"bound $\varepsilon\|w\|_1$ (Theorem 7)")
    ax.plot(eps, first, color="C1", lw=1.5, ls="--", label=r"first order $\varepsilon E[h]\,\|w\|_1$")
    ax.plot(eps, radv, color="C0", lw=2, label=r"exact $R_{adv}$ (logistic, base-relative)")
    ax.set_xlabel(r"$\ell_\infty$ radius $\varepsilon$")
    ax.set_ylabel(r"$R_{adv}(f)$")
    ax.set_title("Theorem 7: linear f, 25-point distribution", fontsize=10)
    ax.legend(fontsize=8)
    ax.set_xlim(0, eps[-1])
    ax.set_ylim(0, None)

    ax = axes[1]
    eg = np.linspace(0, 1.2, 121)
    b = np.linspace(-2.6, 2.6, 5201)
    for lam, col, ls in ((1.0, "C0", "-"), (2.0, "C4", "-"), (0.5, "C2", "--")):
        rr = []
        for e in eg:
            r, g = RG.uniform_squares_risks(np.array([1.0, 0.0]), b, e)
            obj = (1 - lam) * r + lam * g
            rr.append(r[np.flatnonzero(obj <= obj.min() + 1e-12)].min())
        ax.plot(eg, rr, color=col, lw=2, ls=ls, label=rf"$\lambda = {lam}$")
    ax.axvline(0.2, color="k", lw=0.8, ls=":")
    ax.text(0.21, 0.072, "margin condition\nfails beyond 0.2", fontsize=7)
    ax.set_xlabel(r"$\ell_\infty$ radius $\varepsilon$")
    ax.set_ylabel("0-1 risk of the minimizer of (6)")
    ax.set_title("Uniform squares (section 6), threshold classifiers", fontsize=10)
    ax.legend(fontsize=8)
    ax.set_xlim(0, eg[-1])
    ax.set_ylim(0, None)
    path = save(fig, out / NAME)
    print(f"wrote {path}")
    return [path]
