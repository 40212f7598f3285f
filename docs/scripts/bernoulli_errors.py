"""Draw docs/figures/bernoulli_errors.png: the Bernoulli model of shaeiri2020 section 5.4.

Left: optimal l0-robust error against eps (number of coordinates the adversary may change)
for k = 21 effective coordinates and t = 0.15 (theory.bernoulli.optimal_robust_error_l0), the
printed Theorem 4 (min over s in {0..k} of eq. 12, theory.bernoulli.printed_robust_error_l0),
and Monte Carlo points: samples of BernoulliModel (d = 24) attacked by its explicit l0 attack,
classified by the threshold classifier the closed form selects (99.9% Clopper-Pearson bars).
Right: -log10 of the Bayes error (Theorem 3) against k up to 1e7 for several t, from
theory.bernoulli.log_bayes_error; the dotted line marks the smallest normal float64
(about 1e-308): above it the error itself underflows to 0.

Drawn by: python docs/make_figures.py --only bernoulli_errors   (a few seconds, no network)
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from theory import bernoulli as B
from theory.attacks import BernoulliL0
from theory.figures import figure, save
from theory.montecarlo import estimate_error
from theory.threat import ThreatModel

NAME = "bernoulli_errors.png"
K, T, D = 21, 0.15, 24
N_MC = 40_000


def draw(out: Path) -> list[Path]:
    """Draw the figure into the folder ``out``; return its path."""
    fig, (ax1, ax2) = figure(2, width=11, height=4.2)

    eps = np.arange(0, K + 1)
    opt, s_best = B.optimal_robust_error(K, T, eps, norm=0)
    printed = np.array([B.printed_robust_error_l0(K, T, e, np.arange(0, K + 1)).min() for e in eps])
    ax1.plot(eps, printed, "s--", color="tab:red", ms=4, label="printed Theorem 4 (min over s of eq. 12)")
    ax1.plot(eps, opt, "o-", color="tab:blue", ms=4, label="corrected optimum (this package)")
    theta_pos = np.ones(D)
    theta_neg = np.ones(D)
    theta_neg[:K] = -1
    model = B.BernoulliModel(theta_pos, theta_neg, T)
    g = np.random.default_rng(5)
    for e in range(0, 8):
        est = estimate_error(model, lambda x, s=int(s_best[e]): model.threshold_classifier(x, s), N_MC, g,
                             attack=BernoulliL0(model), threat=ThreatModel(0, e))
        ax1.errorbar([e], [est.value], yerr=[[est.value - est.low], [est.high - est.value]], fmt="k.",
                     capsize=3, label="Monte Carlo, sampled and attacked" if e == 0 else None)
    ax1.axhline(0.5, color="gray", lw=0.8, ls=":")
    ax1.axvline(K * T, color="gray", lw=0.8, ls="-.")
    ax1.text(K * T + 0.2, 0.08, "eps = k t", color="gray")
    ax1.set_xlabel("eps (coordinates the l0 adversary may change)")
    ax1.set_ylabel("robust error")
    ax1.set_title(f"l0 adversary, k = {K}, t = {T}")
    ax1.set_ylim(0, 1.02)
    ax1.legend(fontsize=8, loc="lower right")

    k = np.unique(np.round(np.logspace(0, 7, 200)).astype(np.int64))
    for t in (0.01, 0.05, 0.2, 0.4):
        ax2.plot(k, -B.log_bayes_error(k, t) / np.log(10), label=f"t = {t}")
    under = -np.log10(np.finfo(float).tiny)
    ax2.axhline(under, color="gray", ls=":", lw=1)
    ax2.text(1.5, under * 1.6, "above: the error underflows float64;\nonly the log_ variants see it",
             color="gray", fontsize=8)
    ax2.set_xscale("log")
    ax2.set_yscale("log")
    ax2.set_xlabel("k (effective dimension)")
    ax2.set_ylabel("-log10 Bayes error  (decimal digits)")
    ax2.set_title("Theorem 3: Bayes error, k up to 1e7")
    ax2.legend(fontsize=8, loc="lower right")
    path = save(fig, out / NAME)
    print(f"wrote {path}")
    return [path]
