"""Draw docs/figures/beyond_isoperimetry.png: the Gaussian isoperimetric bound against measured sets and classifiers.

Left: x ~ N(0, I_3); four error sets of the same measure p = 0.05 (a half-space, a ball centred at
(2, 0, 0), a slab |x_1| <= a, the complement of a centred ball). Lines: the exact measure of each
set's eps-expansion (scipy: normal CDF, non-central chi-square); black: the isoperimetric bound
Phi(Phi^{-1}(p) + eps) (theory.gaussian_beyond.isoperimetric_robust_error_bound); markers: Monte
Carlo (20 000 draws, seed 0, 99.9% Clopper-Pearson bars) of the distance to each set.
Right: the mixture N(+-theta, I_2), ||theta|| = 1: the optimal robust error over all classifiers
(theory.gaussian.optimal_robust_risk) and the least robust error of classifiers with standard error
s (theory.gaussian_beyond.mixture_robust_error_bound) for four s; markers: Monte Carlo (20 000 draws)
of the non-linear classifier "x_1 > 0 or x_2 > 0.8" (its standard error computed exactly), which lies
above the dotted curve of its own standard error.

Drawn by: python docs/make_figures.py --only beyond_isoperimetry   (a few seconds, no network)
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from scipy import optimize, stats

from theory import gaussian as G
from theory import gaussian_beyond as GB
from theory.figures import figure, label, save, title
from theory.montecarlo import proportion

NAME = "beyond_isoperimetry.png"
P = 0.05
D = 3


def _sets():
    """(name, distance function, exact expansion measure) for four error sets of measure P under N(0, I_3)."""
    h = stats.norm.isf(P)
    c = 2.0
    rad = optimize.brentq(lambda r: stats.ncx2.cdf(r * r, D, c * c) - P, 1e-3, 5.0)
    a = stats.norm.ppf(0.5 + P / 2)
    big = np.sqrt(stats.chi2.isf(P, D))
    return [
        ("half-space", lambda x: np.maximum(h - x[:, 0], 0.0), lambda e: stats.norm.sf(h - e)),
        (f"ball, centre 2 e_1, radius {rad:.2f}", lambda x: np.maximum(np.linalg.norm(x - [c, 0, 0], axis=1) - rad, 0),
         lambda e: stats.ncx2.cdf((rad + e) ** 2, D, c * c)),
        (f"slab |x_1| <= {a:.3f}", lambda x: np.maximum(np.abs(x[:, 0]) - a, 0.0),
         lambda e: 2 * stats.norm.cdf(a + e) - 1),
        (f"outside the ball of radius {big:.2f}", lambda x: np.maximum(big - np.linalg.norm(x, axis=1), 0.0),
         lambda e: stats.chi2.sf(np.maximum(big - e, 0.0) ** 2, D)),
    ]


def draw(out: Path) -> list[Path]:
    """Draw the figure into the folder ``out``; return its path."""
    fig, (ax, bx) = figure(2, width=11.5, height=4.6)
    eps = np.linspace(0, 2.0, 201)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(20_000, D))
    e_mc = np.array([0.25, 0.75, 1.25, 1.75])
    for i, (name, dist, exact) in enumerate(_sets()):
        ax.plot(eps, exact(eps), color=f"C{i}", lw=1.6, label=f"{name}: exact")
        dd = dist(x)
        ests = [proportion(int(np.sum(dd <= e)), x.shape[0]) for e in e_mc]
        v = np.array([q.value for q in ests])
        err = np.array([[q.value - q.low for q in ests], [q.high - q.value for q in ests]])
        ax.errorbar(e_mc + 0.02 * (i - 1.5), v, yerr=err, fmt="o", ms=3.5, color=f"C{i}", capsize=2)
        print(f"{name}: MC at eps {e_mc.tolist()}: " + ", ".join(str(q) for q in ests))
    bound = GB.isoperimetric_robust_error_bound(P, eps)
    ax.plot(eps, bound, color="k", lw=2.4, ls="--", label=r"bound $\Phi(\Phi^{-1}(p) + \varepsilon/\sigma)$")
    print(f"isoperimetric bound at eps = 0.5, 1, 2: {GB.isoperimetric_robust_error_bound(P, [0.5, 1.0, 2.0])}")
    label(ax, r"$\ell_2$ radius $\varepsilon$ (units of $\sigma$)", "robust error = P(dist(x, error set) <= eps)",
          f"N(0, I_3), error sets of measure p = {P}: exact (lines), Monte Carlo (dots), the bound (dashed)")

    theta = np.array([1.0, 0.0])
    bayes = float(stats.norm.cdf(-1.0))
    bx.plot(eps, G.optimal_robust_risk(theta, -theta, eps, norm=2), color="k", lw=2.4,
            label="optimal robust error (all classifiers)")
    for i, s in enumerate([bayes, 0.2, 0.3, 0.4]):
        txt = f"Bayes error {bayes:.3f}" if i == 0 else f"{s}"
        bx.plot(eps, GB.mixture_robust_error_bound(s, theta, eps), color=f"C{i}", lw=1.4, ls="--",
                label=f"least robust error at standard error {txt}")
    c = 0.8
    std = 0.5 * (stats.norm.cdf(-1.0) * stats.norm.cdf(c) + 1 - stats.norm.cdf(1.0) * stats.norm.cdf(c))
    y = np.where(rng.random(20_000) < 0.5, 1.0, -1.0)
    xm = y[:, None] * theta + rng.normal(size=(20_000, 2))
    d_pos = np.hypot(np.maximum(xm[:, 0], 0.0), np.maximum(xm[:, 1] - c, 0.0))
    d_neg = np.minimum(np.maximum(-xm[:, 0], 0.0), np.maximum(c - xm[:, 1], 0.0))
    ests = [proportion(int(np.sum(np.where(y > 0, d_pos <= e, d_neg <= e))), y.size) for e in e_mc]
    v = np.array([q.value for q in ests])
    err = np.array([[q.value - q.low for q in ests], [q.high - q.value for q in ests]])
    bx.errorbar(e_mc, v, yerr=err, fmt="s", ms=4, color="C5", capsize=2,
                label=f"measured: 'x_1 > 0 or x_2 > {c}' (standard error {std:.3f})")
    bx.plot(eps, GB.mixture_robust_error_bound(std, theta, eps), color="C5", lw=1.0, ls=":",
            label=f"least robust error at standard error {std:.3f}")
    print(f"union classifier (standard error {std:.4f}): MC at eps {e_mc.tolist()}: "
          + ", ".join(str(q) for q in ests) + f"; bound {GB.mixture_robust_error_bound(std, theta, e_mc)}")
    bx.set_ylim(0, 1.0)
    label(bx, r"$\ell_2$ radius $\varepsilon$ (units of $\sigma$)", "robust error",
          "N(+-theta, I_2), ||theta|| = 1: optimum, least robust error at fixed standard error, a measured classifier",
          legend=False)
    bx.legend(loc="lower right", frameon=False, fontsize=8)  # the only corner without curves
    title(fig, "Gaussian isoperimetry: no error set of measure p, and no classifier of given standard error, "
               "is more robust than a half-space")
    path = save(fig, out / NAME)
    print(f"wrote {path}")
    return [path]
