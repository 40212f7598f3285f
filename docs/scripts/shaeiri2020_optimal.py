"""Draw docs/figures/shaeiri2020_optimal.png: optimal robust error over ALL classifiers vs eps.

Left: l2, x | y ~ N(y mu, sigma^2) with ||mu_1 - mu_-1|| = 2, sigma = 1 (only the distance
of the means matters). shaeiri2020 Theorem 2 as printed, Phi((2 eps - ||mu_1 - mu_-1||) /
(2 sigma)), against the corrected value theory.gaussian.optimal_robust_risk (capped at 1/2
from eps = ||mu_1 - mu_-1|| / 2 on), and the bracket [low, high] of the dynamic program
over all labelings of a 1-D grid (theory.reference.optimal_robust_risk_1d_dp), which
shares no code with the closed form.
Right: l-inf, theta = (mu_1 - mu_-1)/2 = (1, 0.5, 0.2), sigma = 1: the optimal error
Phi(-||(|theta| - eps)_+||_2 / sigma) with Monte Carlo points for the soft-threshold linear
classifier that attains it (worst-case perturbation, 99.9% Clopper-Pearson bars).

Drawn by: python docs/make_figures.py --only shaeiri2020_optimal   (about 10 s, no network)
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from scipy.special import ndtr

from theory import gaussian as G
from theory import reference as ref
from theory.attacks import LinearWorstCase
from theory.distributions import GaussianMixture, predict
from theory.figures import figure, save
from theory.montecarlo import estimate_error
from theory.threat import ThreatModel

NAME = "shaeiri2020_optimal.png"
CELLS = 2000
N_MC = 200_000


def draw(out: Path) -> list[Path]:
    """Draw the figure into the folder ``out``; return its path."""
    fig, (ax, bx) = figure(2, width=11, height=4.4)

    # ---- l2 (any dimension; the DP runs in one dimension)
    mu, sigma = 1.0, 1.0
    eps = np.linspace(0.0, 2.0, 401)
    printed = ndtr((2 * eps - 2 * mu) / (2 * sigma))
    corrected = G.optimal_robust_risk([mu], [-mu], eps, sigma, norm=2)
    ax.plot(eps, printed, color="C1", lw=1.6, ls="--", label="Theorem 2 as printed")
    ax.plot(eps, corrected, color="C0", lw=2, label="corrected: capped at 1/2")
    eps_dp = np.arange(0.0, 2.01, 0.2)
    rows = []
    for e in eps_dp:
        lo, hi = ref.optimal_robust_risk_1d_dp(mu, float(e), sigma, cells=CELLS)
        rows.append((e, lo, hi))
    e_, lo_, hi_ = (np.array(c) for c in zip(*rows, strict=True))
    mid = 0.5 * (lo_ + hi_)
    ax.errorbar(e_, mid, yerr=[mid - lo_, hi_ - mid], fmt="s", ms=3.5, color="k", capsize=3,
                label=f"DP over all labelings ({CELLS} cells): bracket")
    ax.axvline(mu, color="0.5", lw=0.8, ls=":")
    ax.text(mu, 0.05, r"  $\varepsilon = \|\mu_1-\mu_{-1}\|/2$", fontsize=8)
    ax.set_xlabel(r"$\ell_2$ radius $\varepsilon$")
    ax.set_ylabel("optimal robust error")
    ax.set_title(r"$\ell_2$: $\|\mu_1-\mu_{-1}\|_2 = 2$, $\sigma = 1$", fontsize=10)
    ax.set_xlim(0, 2)
    ax.set_ylim(0, 0.9)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="upper left")

    # ---- l-inf, d = 3
    theta = np.array([1.0, 0.5, 0.2])
    eps = np.linspace(0.0, 1.2, 481)
    opt = G.optimal_robust_risk(theta, -theta, eps, sigma, norm=np.inf)
    l2_style = np.minimum(ndtr((eps - np.linalg.norm(theta)) / sigma), 0.5)
    bx.plot(eps, opt, color="C0", lw=2, label=r"optimal: $\Phi(-\|(|\theta|-\varepsilon)_+\|_2/\sigma)$")
    bx.plot(eps, l2_style, color="0.5", lw=1.2, ls=":",
            label=r"for comparison: $\ell_2$ value $\Phi((\varepsilon-\|\theta\|_2)/\sigma)$")
    rng = np.random.default_rng(2020)
    eps_mc = np.array([0.1, 0.3, 0.45, 0.6, 0.8, 0.95])
    ests = []
    for e in eps_mc:
        w, _ = G.optimal_linear_robust_classifier(theta, e, sigma, norm=np.inf)
        ests.append(estimate_error(GaussianMixture(theta, sigma=sigma), lambda x, w=w: predict(x @ w), N_MC, rng,
                                   attack=LinearWorstCase(w), threat=ThreatModel.linf(e)))
    v = np.array([s.value for s in ests])
    bx.errorbar(eps_mc, v, yerr=[v - [s.low for s in ests], [s.high for s in ests] - v], fmt="o",
                ms=4, mfc="white", color="C3", capsize=3,
                label=f"Monte Carlo, soft-threshold classifier (n = {N_MC:,})")
    for t in theta:
        bx.axvline(t, color="0.6", lw=0.7, ls="--")
    bx.text(0.2, 0.02, r" kinks at $\varepsilon = |\theta_i|$", fontsize=8)
    bx.set_xlabel(r"$\ell_\infty$ radius $\varepsilon$")
    bx.set_title(r"$\ell_\infty$: $\theta = (1, 0.5, 0.2)$, $\sigma = 1$", fontsize=10)
    bx.set_xlim(0, 1.2)
    bx.set_ylim(0, 0.6)
    bx.grid(alpha=0.3)
    bx.legend(fontsize=8, loc="upper left")

    fig.suptitle("shaeiri2020 Theorem 2: optimal robust error of a two-Gaussian mixture over all "
                 "classifiers", fontsize=10)
    path = save(fig, out / NAME)
    print(f"wrote {path}")
    for e, lo, hi in rows:
        val = float(G.optimal_robust_risk([mu], [-mu], e, sigma, norm=2))
        pr = float(ndtr(e - mu))
        print(f"l2 eps={e:.1f}: DP [{lo:.5f}, {hi:.5f}]  corrected {val:.5f}  printed {pr:.5f}")
    for e, s in zip(eps_mc, ests, strict=True):
        print(f"linf eps={e:.2f}: optimal {float(G.optimal_robust_risk(theta, -theta, e, sigma, norm=np.inf)):.5f}"
              f"  MC {s}")
    return [path]
