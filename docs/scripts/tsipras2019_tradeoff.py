"""Draw docs/figures/tsipras2019_tradeoff.png: tsipras2019 Theorem 2.1 and linear classifiers.

x-axis: standard accuracy A; y-axis: accuracy against an l-inf adversary with eps = 2 eta.
Curves: the printed bound 7/3 delta = 7/3 (1 - A) (p = 0.7), the tight bound
min(A, p (1 - A)/(1 - p)) (theory.tradeoff.robust_accuracy_upper_bound), and the exact
(standard, adversarial) pairs of the unbiased linear classifiers w = (cos t, sin t/sqrt(d), ...)
(theory.tradeoff.linear_tradeoff_pairs), t in [0, pi/2], for several eta sqrt(d) at d = 10^4.
Markers: sign(x1) (70 % / 70 %) and the population SVMs of Theorem 2.2 at eta = 4/sqrt(d)
(theory.tradeoff.population_svm), standard and adversarially trained, d = 1000.

Drawn by: python docs/make_figures.py --only tsipras2019_tradeoff   (about 2 s, no network)
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from theory.figures import figure, save
from theory.tradeoff import (
    linear_accuracy,
    linear_tradeoff_pairs,
    population_svm,
    printed_tradeoff_bound,
    robust_accuracy_upper_bound,
)

NAME = "tsipras2019_tradeoff.png"
P = 0.7
D = 10_000


def draw(out: Path) -> list[Path]:
    """Draw the figure into the folder ``out``; return its path."""
    A = np.linspace(0.0, 1.0, 1001)
    fig, ax = figure(1, width=7.5, height=5.2)
    ax.plot(A, printed_tradeoff_bound(1 - A, P), color="C1", lw=1.6, ls="--",
            label=r"printed bound $\frac{7}{3}\delta$, $\delta = 1 - A$")
    ax.plot(A, robust_accuracy_upper_bound(A, P), color="k", lw=2,
            label=r"tight bound $\min(A,\ p(1-A)/(1-p))$")
    for s, c in zip((1, 2, 4, 8), ("C0", "C2", "C4", "C9"), strict=True):
        eta = s / np.sqrt(D)
        n = 20000
        std, rob = linear_tradeoff_pairs(D, eta, p_robust=P, n_angles=n)
        t = np.linspace(-np.pi, np.pi, n, endpoint=False)  # the angles linear_tradeoff_pairs uses
        first = (t >= 0) & (t <= np.pi / 2)  # w1, v >= 0; the other quadrants are dominated
        ax.plot(std[first], rob[first], "-", lw=1.6, color=c,
                label=rf"linear $(\cos t, \sin t/\sqrt{{d}}\,\mathbf{{1}})$, $\eta\sqrt{{d}} = {s}$")
        gap = float(np.max(rob - robust_accuracy_upper_bound(std, P)))
        print(f"eta sqrt(d) = {s}: {std.size} classifiers, max(robust - bound) = {gap:.2e}, "
              f"best standard {std.max():.6f}")
    ax.plot([P], [P], "*", ms=12, color="C3", label=r"$\mathrm{sign}(x_1)$: 70% / 70%")
    d = 1000
    eta = 4 / np.sqrt(d)
    std_svm = population_svm(d, eta)
    adv_svm = population_svm(d, eta, 2 * eta)
    ax.plot([std_svm.standard_accuracy], [std_svm.adversarial_accuracy], "v", ms=8, color="C3",
            mfc="white", label=r"standard SVM, $\eta = 4/\sqrt{d}$")
    ax.plot([adv_svm.standard_accuracy],
            [float(linear_accuracy(adv_svm.w, 0.0, eta, P, 2 * eta))], "^", ms=8, color="C3",
            mfc="white", label=r"adversarial SVM ($\varepsilon = 2\eta$), $d = 1000$")
    ax.annotate(f"standard SVM\n{std_svm.standard_accuracy:.4%} / {std_svm.adversarial_accuracy:.4%}",
                (std_svm.standard_accuracy, std_svm.adversarial_accuracy), (0.875, 0.36),
                fontsize=8, arrowprops=dict(arrowstyle="->", color="0.3"))
    ax.annotate("adversarial SVM = sign(x1)\n70% / 70%", (P, P), (0.56, 0.82), fontsize=8,
                arrowprops=dict(arrowstyle="->", color="0.3"))
    print(f"standard SVM d={d}: {std_svm.standard_accuracy:.6f} / {std_svm.adversarial_accuracy:.3g}")
    print(f"adversarial SVM d={d}: w1={adv_svm.w1}, {adv_svm.standard_accuracy:.4f} / "
          f"{adv_svm.adversarial_accuracy:.4f}")
    ax.set_xlim(0.5, 1.0)
    ax.set_ylim(0.0, 1.0)
    ax.set_xlabel("standard accuracy A")
    ax.set_ylabel(r"adversarial accuracy ($\ell_\infty$, $\varepsilon = 2\eta$)")
    ax.set_title(r"tsipras2019 Theorem 2.1, $p = 0.7$; linear classifiers at $d = 10^4$",
                 fontsize=10)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="upper right")
    path = save(fig, out / NAME)
    print(f"wrote {path}")
    return [path]
