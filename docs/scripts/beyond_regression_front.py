"""Draw docs/figures/beyond_regression_front.png: the (standard risk, adversarial risk) Pareto front of linear
regression (javanmard2020, population version), l2 and l-inf threats, with finite-sample adversarial training.

Setting: d = 3, theta0 = (1, -0.5, 0.2), sigma = 0.7, an anisotropic Sigma (theory.claims.beyond_regression.COV3),
evaluation radius eps = 0.3. Per panel: the Pareto front (theory.regression.pareto_front, 41 weights), the
population adversarial-training estimators at radii eps' in [0, 2 eps] evaluated at eps (on the front for
eps' <= eps, dominated beyond), and four estimators trained by full-batch subgradient descent on 2000 samples
of adversarial training at eps' in {0, 0.1, 0.2, 0.3}, each evaluated by Monte Carlo on 40000 fresh samples
(the inner maximum by brute force; bars: 99.9% t-intervals).

Drawn by: python docs/make_figures.py --only beyond_regression_front   (a few seconds, no network)
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from theory import regression as RR
from theory.claims.beyond_regression import COV3, THETA0, _inner_max_brute, _sample
from theory.figures import figure, label, save, title
from theory.montecarlo import mean

NAME = "beyond_regression_front.png"
SIGMA, EPS = 0.7, 0.3


def train(x, y, eps, q, steps=3000, lr=0.05):
    """Full-batch subgradient descent on (1/n) sum (|y - x.theta| + eps ||theta||_q)^2, step lr / sqrt(k)."""
    theta = np.zeros(x.shape[1])
    for k in range(1, steps + 1):
        r = y - x @ theta
        a = np.linalg.norm(theta, q)
        g_a = theta / a if (q == 2 and a > 0) else (np.sign(theta) if q == 1 else np.zeros_like(theta))
        m = np.abs(r) + eps * a
        grad = 2 * np.mean(m[:, None] * (-np.sign(r)[:, None] * x + eps * g_a[None, :]), axis=0)
        theta = theta - lr / np.sqrt(k) * grad
    return theta


def draw(out: Path) -> list[Path]:
    """Draw the figure into the folder ``out``; return its path."""
    fig, axes = figure(2, width=11, height=4.4)
    rng = np.random.default_rng(20200224)
    x_tr, y_tr = _sample(rng, 2000, THETA0, SIGMA, COV3)
    x_te, y_te = _sample(rng, 40000, THETA0, SIGMA, COV3)
    for ax, norm in zip(axes, (2, np.inf), strict=True):
        q = 2 if norm == 2 else 1
        name = r"$\ell_2$" if norm == 2 else r"$\ell_\infty$"
        f = RR.pareto_front(THETA0, EPS, SIGMA, norm=norm, cov=COV3, n=41)
        ax.plot(f.standard, f.adversarial, color="C0", lw=2.5, label="Pareto front (min (1-w) SR + w AR)")
        radii = np.linspace(0, 2 * EPS, 41)
        at = np.array([RR.adversarial_training_estimator(THETA0, e, SIGMA, norm=norm, cov=COV3) for e in radii])
        sr_at = RR.standard_risk(at, THETA0, SIGMA, COV3)
        ar_at = RR.regression_adversarial_risk(at, THETA0, EPS, SIGMA, norm=norm, cov=COV3)
        on = radii <= EPS + 1e-12
        ax.plot(sr_at[on], ar_at[on], "o", ms=3, color="C1", label=r"population AT at $\varepsilon' \leq \varepsilon$")
        ax.plot(sr_at[~on], ar_at[~on], "x", ms=4, color="C3",
                label=r"population AT at $\varepsilon' \in (\varepsilon, 2\varepsilon]$ (dominated)")
        for i, e in enumerate((0.0, 0.1, 0.2, 0.3)):
            th = train(x_tr, y_tr, e, q)
            r = y_te - x_te @ th
            sr = mean(r ** 2)
            ar = mean(_inner_max_brute(r, th, EPS, norm, rng))
            ax.errorbar(sr.value, ar.value, xerr=sr.halfwidth, yerr=ar.halfwidth, fmt="s", ms=5, color="k",
                        capsize=2, label="trained on 2000 samples (GD), Monte Carlo on 40000" if i == 0 else None)
            ax.annotate(f"{e:g}", (sr.value, ar.value), textcoords="offset points", xytext=(6, 4), fontsize=8)
            print(f"{name} eps'={e}: trained theta {np.round(th, 4)}, SR {sr} AR {ar} (population SR "
                  f"{float(RR.standard_risk(th, THETA0, SIGMA, COV3)):.5f}, AR "
                  f"{float(RR.regression_adversarial_risk(th, THETA0, EPS, SIGMA, norm=norm, cov=COV3)):.5f})")
        print(f"{name}: front SR {f.standard[0]:.4f}..{f.standard[-1]:.4f}, AR {f.adversarial[0]:.4f}.."
              f"{f.adversarial[-1]:.4f}")
        label(ax, r"standard risk $E(y - x\cdot\theta)^2$ (squared units of y)",
              rf"adversarial risk at $\varepsilon = {EPS}$ (squared units of y)",
              f"{name} threat: front against adversarial training (labels: training radius)")
    title(fig, r"Linear regression, $x \sim N(0, \Sigma)$ anisotropic, $d = 3$, $\sigma = 0.7$: the Pareto front "
               r"of (standard, adversarial) risk against adversarial training")
    path = save(fig, out / NAME)
    print(f"wrote {path}")
    return [path]
