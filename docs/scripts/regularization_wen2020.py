"""Draw docs/figures/regularization_wen2020.png: wen2020 eq. (5) is not a lower bound on margins.

The ReLU network with W^1 = W^2 = I (scores relu(x1), relu(x2)); points x = (t, -1), class 0. The
margin M(Tx, 0) = t, the instance-space margin v(x) (distance to the nearest tie or other-class point,
found by a radial search, theory.claims.wen2020.instance_margin) and the printed bound
u_min = ||w_0 - w_1|| sigma_min(W^1) v(x) = sqrt(2) v(x), which lies above the margin.

Drawn by: python docs/make_figures.py --only regularization_wen2020   (a few seconds, no network)
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from theory import regularization as RG
from theory.claims.wen2020 import instance_margin, relu_net
from theory.figures import figure, save

NAME = "regularization_wen2020.png"


def draw(out: Path) -> list[Path]:
    """Draw the figure into the folder ``out``; return its path."""
    W = [np.eye(2), np.eye(2)]

    def net(z):
        return relu_net(W, z)

    ts = np.linspace(0.1, 3.0, 30)
    marg, v, bound = [], [], []
    for t in ts:
        x = np.array([t, -1.0])
        marg.append(float(RG.margin(net(x), 0)))
        v.append(instance_margin(net, x, n_dir=720, t_max=6.0))
        bound.append(float(RG.u_min(W, v[-1])))
    fig, ax = figure(1, width=6, height=4.2)
    ax.plot(ts, bound, color="C3", lw=2, label=r"eq. (5): $\|w_0 - w_1\|_2\,\sigma_{min}(W^1)\,v(x)$")
    ax.plot(ts, marg, color="C0", lw=2, label=r"margin $M(Tx, 0)$")
    ax.plot(ts, v, color="C2", lw=1.5, ls="--", label=r"instance-space margin $v(x)$")
    ax.set_xlabel(r"$t$, with $x = (t, -1)$")
    ax.set_title(r"ReLU net $W^1 = W^2 = I$: the printed 'lower bound' exceeds the margin", fontsize=9)
    ax.legend(fontsize=8)
    ax.set_xlim(0, 3)
    ax.set_ylim(0, None)
    path = save(fig, out / NAME)
    print(f"wrote {path}")
    return [path]
