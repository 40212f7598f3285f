"""Draw docs/figures/suggala2019_cor2.png: suggala2019 Corollary 2 holds only beyond a threshold.

theta* = (1, 1/sqrt(p-1), ..., 1/sqrt(p-1)) (the Bayes direction, ||theta*||_2^2 = 2) and
theta~ = e_1; G_adv of each, l-inf, sigma = 1, from theory.gaussian.adversarial_risk. The
corollary claims G_adv(theta~) < G_adv(theta*) with no condition; it holds iff
eps > (2 - sqrt 2) / (1 + sqrt(p-1) - sqrt 2). The dotted curve is G_adv(theta*) as printed
in appendix B (with "- 1" where theta*.theta* = 2 belongs), under which the corollary would
hold for every eps >= 0.

Drawn by: python docs/make_figures.py --only suggala2019_cor2   (about 2 s, no network)
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from scipy.special import ndtr

from theory import gaussian as G
from theory.figures import figure, save

NAME = "suggala2019_cor2.png"


def threshold(p: int) -> float:
    return (2 - np.sqrt(2)) / (1 + np.sqrt(p - 1) - np.sqrt(2))


def draw(out: Path) -> list[Path]:
    """Draw the figure into the folder ``out``; return its path."""
    sigma = 1.0
    fig, axes = figure(2, width=10, height=4.2, sharey=True)
    for ax, p, emax in zip(axes, (10, 100), (0.6, 0.2), strict=True):
        star = np.full(p, 1 / np.sqrt(p - 1))
        star[0] = 1.0
        tilde = np.eye(p)[0]
        eps = np.linspace(0.0, emax, 401)
        g_star = G.adversarial_risk(star, star, eps, sigma)
        g_tilde = G.adversarial_risk(tilde, star, eps, sigma)
        printed = ndtr(((1 + np.sqrt(p - 1)) * eps - 1) / (np.sqrt(2) * sigma))
        t = threshold(p)
        ax.plot(eps, g_star, color="C0", lw=2, label=r"$G_{adv}(f_{\theta^*})$ (Bayes direction)")
        ax.plot(eps, g_tilde, color="C1", lw=2, label=r"$G_{adv}(f_{\tilde\theta})$, $\tilde\theta = e_1$")
        ax.plot(eps, printed, color="C0", lw=1.2, ls=":",
                label=r"$G_{adv}(f_{\theta^*})$ as printed in app. B")
        ax.axvline(t, color="k", lw=1, ls="--")
        ax.fill_between(eps, 0, 1, where=eps < t, color="C0", alpha=0.07, lw=0)
        ax.text(t, 0.93, f"  threshold {t:.4f}", fontsize=8, va="top")
        ax.text(0.02 * emax, 0.8, "corollary\nfalse here", fontsize=8, color="C0")
        ax.set_title(f"p = {p}, sigma = 1", fontsize=10)
        ax.set_xlabel(r"$\ell_\infty$ radius $\varepsilon$")
        ax.set_xlim(0, emax)
        ax.set_ylim(0, 1)
        ax.grid(alpha=0.3)
        print(f"p={p}: threshold {t:.6f}; at eps=0: G(star) {g_star[0]:.6f}, "
              f"G(tilde) {g_tilde[0]:.6f}")
    axes[0].set_ylabel("robust risk")
    axes[0].legend(fontsize=8, loc="lower right", framealpha=0.95)
    fig.suptitle("suggala2019 Corollary 2: $e_1$ beats the Bayes direction only for "
                 r"$\varepsilon > (2-\sqrt{2})/(1+\sqrt{p-1}-\sqrt{2})$", fontsize=10)
    path = save(fig, out / NAME)
    print(f"wrote {path}")
    return [path]
