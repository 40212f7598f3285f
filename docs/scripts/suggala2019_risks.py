"""Draw docs/figures/suggala2019_risks.png: the four risks of one linear classifier vs eps.

suggala2019 Theorem 1 for the mixture x | y ~ N(y theta, I) in d = 10, l-inf threat model:
classification risk (Thm 1.1), G_adv (Thm 1.2), the exact base-relative risk R_adv of
Definition 2 (theory.gaussian.base_relative_adversarial_risk) and the printed upper bound
of Thm 1.3. Monte Carlo points (99.9% Clopper-Pearson error bars) come from
theory.montecarlo with the worst-case perturbation (G_adv) and the per-sample primal
adversary theory.reference.flippable (R_adv), which share no code with the closed forms.

Drawn by: python docs/make_figures.py --only suggala2019_risks   (about 5 s, no network)
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from theory import gaussian as G
from theory import reference as ref
from theory.attacks import LinearWorstCase
from theory.distributions import GaussianMixture, predict
from theory.figures import figure, save
from theory.montecarlo import estimate_error, estimate_probability
from theory.threat import ThreatModel

NAME = "suggala2019_risks.png"
SEED = 2019
N_MC = 100_000


def instance():
    """theta (||theta||_2 = 1.69) and a classifier w = theta + noise, d = 10."""
    d = 10
    theta = np.full(d, 0.4)
    theta[:3] = [1.0, 0.7, 0.5]
    w = theta + 0.2 * np.random.default_rng(SEED).normal(size=d)
    return w, theta


def draw(out: Path) -> list[Path]:
    """Draw the figure into the folder ``out``; return its path."""
    w, theta = instance()
    sigma, norm = 1.0, np.inf
    eps = np.linspace(0.0, 0.8, 81)
    risk = np.full_like(eps, float(G.classification_risk(w, theta, sigma)))
    gadv = G.adversarial_risk(w, theta, eps, sigma, norm=norm)
    radv = G.base_relative_adversarial_risk(w, theta, eps, sigma, norm=norm)
    bound = G.base_relative_adversarial_risk_bound(w, theta, eps, sigma, norm=norm)

    rng = np.random.default_rng(SEED + 1)
    eps_mc = np.linspace(0.1, 0.8, 8)
    mc_g, mc_r = [], []
    mixture = GaussianMixture(theta, sigma=sigma)
    for e in eps_mc:
        # G_adv: the exact worst case of the linear classifier (lowers w.x by e ||w||_1)
        mc_g.append(estimate_error(mixture, lambda x: predict(x @ w), N_MC, rng,
                                   attack=LinearWorstCase(w), threat=ThreatModel(norm, e)))
        # R_adv: the per-sample primal decision of Definition 2
        mc_r.append(estimate_probability(lambda x, y, e=e: ref.flippable(x, w, theta, e, norm=norm),
                                         mixture.sample, N_MC, rng))

    fig, ax = figure(1, width=7.5, height=4.8)
    ax.plot(eps, risk, color="0.3", lw=1.8, label=r"classification risk $R_{0-1}$ (Thm 1.1)")
    ax.plot(eps, gadv, color="C0", lw=1.8, label=r"$G_{adv}$ (Thm 1.2)")
    ax.plot(eps, radv, color="C3", lw=1.8, label=r"exact $R_{adv}$ (Def. 2)")
    ax.plot(eps, bound, color="C3", lw=1.5, ls="--", label=r"Thm 1.3 upper bound on $R_{adv}$")
    for ests, color, lab in ((mc_g, "C0", r"Monte Carlo $G_{adv}$"),
                             (mc_r, "C3", r"Monte Carlo $R_{adv}$")):
        v = np.array([e.value for e in ests])
        lo = v - np.array([e.low for e in ests])
        hi = np.array([e.high for e in ests]) - v
        ax.errorbar(eps_mc, v, yerr=[lo, hi], fmt="o", ms=4, color=color, mfc="white",
                    capsize=3, label=f"{lab} (n = {N_MC:,}, 99.9% CI)")
    ax.set_xlabel(r"$\ell_\infty$ radius $\varepsilon$")
    ax.set_ylabel("risk")
    ax.set_ylim(0, 1)
    ax.set_xlim(0, 0.8)
    ax.grid(alpha=0.3)
    ax.set_title(r"suggala2019, $x\,|\,y \sim N(y\theta, I_{10})$, one linear classifier $w$",
                 fontsize=10)
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(0.0, 0.63), framealpha=0.9)
    path = save(fig, out / NAME)
    print(f"wrote {path}")
    print("w =", np.array2string(w, precision=4))
    print(f"classification risk {risk[0]:.6f}")
    for e, g, r in zip(eps_mc, mc_g, mc_r, strict=True):
        i = int(np.argmin(np.abs(eps - e)))
        print(f"eps={e:.1f}: G_adv {gadv[i]:.5f} MC {g} | R_adv {radv[i]:.5f} MC {r} | "
              f"bound {bound[i]:.5f}")
    return [path]
