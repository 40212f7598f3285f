"""Draw docs/figures/beyond_unequal_priors.png: unequal priors and the adversarial cross-entropy (Gaussian mixtures).

Left: the optimal robust threshold t* = sigma^2 log((1-pi)/pi) / (2 (mu - eps)) of x | y ~ N(y mu, 1),
mu = 1 (theory.gaussian_beyond.robust_threshold_1d), for three priors pi; it diverges at eps = mu.
Middle: the optimal robust error over all classifiers (lines) against the dynamic program over all
labelings of a 600-cell grid (markers: the DP's upper bound, a real classifier; the claim
beyond.gaussian.threshold-1d uses 1500 cells), and the constant majority classifier min(pi, 1-pi) (dotted).
Right: the minimum adversarial cross-entropy of N(+-mu, 1), ||mu|| = 1, equal priors
(theory.gaussian_beyond.min_adversarial_cross_entropy) against the best non-monotone piecewise-linear logit
found by L-BFGS with its exact worst case (17 knots, 600 cells, seed 0), and log 2.

Drawn by: python docs/make_figures.py --only beyond_unequal_priors   (a few seconds, no network)
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from theory import gaussian_beyond as GB
from theory.claims.beyond_gaussian import best_piecewise_linear_ce, dp_bracket_priors
from theory.figures import figure, label, save, title

NAME = "beyond_unequal_priors.png"


def draw(out: Path) -> list[Path]:
    """Draw the figure into the folder ``out``; return its path."""
    fig, (ax, bx, cx) = figure(3, width=15, height=4.4)
    eps = np.linspace(0, 1.5, 301)
    e_dp = np.array([0.0, 0.3, 0.6, 0.9, 1.2])
    for i, prior in enumerate((0.5, 0.7, 0.9)):
        t, err = GB.robust_threshold_1d(1.0, eps, 1.0, prior)
        inside = eps < 1.0
        ax.plot(eps[inside], t[inside], color=f"C{i}", lw=1.8, label=f"pi = {prior}")
        bx.plot(eps, err, color=f"C{i}", lw=1.8, label=f"optimal, pi = {prior}")
        bx.axhline(min(prior, 1 - prior), color=f"C{i}", lw=0.9, ls=":")
        dp = [dp_bracket_priors(1.0, float(e), 1.0, prior, 600)[1] for e in e_dp]
        bx.plot(e_dp, dp, "o", color=f"C{i}", ms=5, mfc="none", label=f"DP over all labelings, pi = {prior}")
        ts = GB.robust_threshold_1d(1.0, np.array([0, 0.5, 0.9]), 1.0, prior)[0]
        print(f"pi={prior}: t* at eps 0, 0.5, 0.9: {np.round(ts, 4).tolist()}; "
              f"DP upper bounds at eps {e_dp.tolist()}: {np.round(dp, 5).tolist()}")
    ax.axvline(1.0, color="0.5", lw=0.9, ls="--")
    ax.set_ylim(-12, 2)
    label(ax, r"$\ell_2$ radius $\varepsilon$ ($\mu = \sigma = 1$)", "optimal threshold t* (predict +1 iff x > t*)",
          "the robust threshold moves into the minority class and diverges at eps = mu")
    bx.set_ylim(0.0, 0.78)
    label(bx, r"$\ell_2$ radius $\varepsilon$ ($\mu = \sigma = 1$)", "robust error",
          "optimal robust error vs the DP over all labelings; dotted: constant classifier min(pi, 1-pi)",
          legend=False)
    bx.legend(loc="upper left", ncol=2, frameon=False, fontsize=8)  # above every curve (they stay <= 1/2)

    e_ce = np.linspace(0, 1.5, 301)
    cx.plot(e_ce, GB.min_adversarial_cross_entropy([1.0], e_ce), color="C0", lw=1.8, label="closed form")
    rng = np.random.default_rng(0)
    pts = np.array([0.0, 0.3, 0.6, 0.9, 1.2])
    best = [min(best_piecewise_linear_ce(1.0, float(e), 1.0, 17, 600, rng)) for e in pts]
    cx.plot(pts, best, "s", color="C3", ms=5, mfc="none", label="best piecewise-linear logit (L-BFGS)")
    cx.axhline(np.log(2), color="0.5", lw=0.9, ls=":", label="log 2 (h = 1/2)")
    print(f"cross-entropy at eps {pts.tolist()}: closed form "
          f"{np.round(GB.min_adversarial_cross_entropy([1.0], pts), 5).tolist()}, best PL {np.round(best, 5).tolist()}")
    label(cx, r"$\ell_2$ radius $\varepsilon$ ($\|\mu\| = \sigma = 1$)", "adversarial cross-entropy (nats)",
          "minimum adversarial cross-entropy of N(+-mu, I) vs an optimized rich soft classifier")
    title(fig, "Gaussian mixtures: unequal priors (left, middle) and the adversarial cross-entropy (right)")
    path = save(fig, out / NAME)
    print(f"wrote {path}")
    return [path]
