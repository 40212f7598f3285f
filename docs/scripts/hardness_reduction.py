"""Draw docs/figures/hardness_reduction.png: why shaeiri2020's reduction (Lemma 1) fails and the corrected one works.

Left: distances between rows of M' in units of eps, for k = 3..16 vertices and p = 1, 2, inf,
measured on the constructions (theory.hardness.shaeiri_reduction / corrected_reduction of
the path graph, distances by numpy.linalg.norm). Closed eps-balls meet iff the distance is
<= 2 eps. In the printed construction both adjacent (= eps) and non-adjacent rows lie below
2 eps, so every two balls meet; the corrected lambda puts adjacent rows below and
non-adjacent rows above 2 eps.
Right: every graph of networkx's atlas with 3-7 vertices (1249 graphs), l2, eps = 0.5: the
optimal robust accuracy the paper's proof predicts, alpha_3(G)/k, against the exact optimal
robust accuracy (theory.hardness.optimal_robust_error) of the printed and corrected
distributions; marker area = number of graphs.

Drawn by: python docs/make_figures.py --only hardness_reduction   (about 5 s, no network)
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import networkx as nx
import numpy as np

from theory import hardness as H
from theory.figures import figure, save

NAME = "hardness_reduction.png"
EPS = 0.5


def row_distances(build, k: int, p: float) -> tuple[float, float]:
    """(adjacent, non-adjacent) row distances / eps in the construction of the path on k vertices."""
    g = nx.path_graph(k)
    x, _, _ = build(g, EPS, norm=p)
    d = lambda a, b: float(np.linalg.norm(x[a] - x[b], ord=p)) / EPS  # noqa: E731
    return d(0, 1), d(0, 2)


def draw(out: Path) -> list[Path]:
    """Draw the figure into the folder ``out``; return its path."""
    fig, (ax, bx) = figure(2, width=11.5, height=4.6)
    ks = np.arange(3, 17)
    colors = {1.0: "C0", 2.0: "C1", np.inf: "C2"}
    for p, c in colors.items():
        pr = np.array([row_distances(H.shaeiri_reduction, k, p) for k in ks])
        co = np.array([row_distances(H.corrected_reduction, k, p) for k in ks])
        lab = f"p = {p:g}"
        ax.plot(ks, pr[:, 1], "o-", color=c, ms=4, label=f"printed, non-adjacent, {lab}")
        ax.plot(ks, co[:, 0], "v--", color=c, ms=4, mfc="white", label=f"corrected, adjacent, {lab}")
        ax.plot(ks, co[:, 1], "^--", color=c, ms=4, mfc="white", label=f"corrected, non-adjacent, {lab}")
    ax.plot(ks, np.ones_like(ks, dtype=float), "k-", lw=1, label="printed, adjacent (all p)")
    ax.axhline(2.0, color="r", lw=1.5, ls=":")
    ax.text(3.1, 2.04, "balls meet below this line (distance <= 2 eps)", color="r", fontsize=8)
    ax.set_xlabel("number of vertices k")
    ax.set_ylabel(r"distance between rows of $M'$ / $\varepsilon$")
    ax.set_title("Lemma 1 construction: row distances", fontsize=10)
    ax.set_ylim(0.8, 4.3)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=6.5, ncol=2, loc="upper right")

    graphs = [g for g in nx.graph_atlas_g() if 3 <= g.number_of_nodes() <= 7]
    printed, corrected = Counter(), Counter()
    mism = 0
    for g in graphs:
        k = g.number_of_nodes()
        pred = H.distance3_independence_number(g) / k
        a = 1 - H.optimal_robust_error(*H.shaeiri_reduction(g, EPS, norm=2), EPS, norm=2)
        b = 1 - H.optimal_robust_error(*H.corrected_reduction(g, EPS, norm=2, distance=3), EPS, norm=2)
        printed[(round(pred, 6), round(a, 6))] += 1
        corrected[(round(pred, 6), round(b, 6))] += 1
        mism += abs(a - pred) > 1e-12
    for cnt, style, lab in ((printed, dict(color="C3", marker="o", alpha=0.55), "printed construction"),
                            (corrected, dict(color="C0", marker="s", alpha=0.55, facecolors="none"),
                             r"corrected construction (built from $G^2$)")):
        pts = np.array(list(cnt.keys()))
        sizes = 12 * np.sqrt(np.array(list(cnt.values())))
        if "facecolors" in style:
            bx.scatter(pts[:, 0], pts[:, 1], s=sizes * 3, facecolors="none", edgecolors=style["color"],
                       marker=style["marker"], label=lab)
        else:
            bx.scatter(pts[:, 0], pts[:, 1], s=sizes * 3, marker=style["marker"], color=style["color"],
                       alpha=style["alpha"], label=lab)
    lim = np.array([0.1, 1.02])
    bx.plot(lim, lim, "k:", lw=1, label="the proof's claim: accuracy = $\\alpha_3(G)/k$")
    bx.set_xlabel(r"$\alpha_3(G)/k$ (maximum distance-3 independent set / k)")
    bx.set_ylabel("exact optimal robust accuracy")
    bx.set_title(f"networkx atlas, 3-7 vertices ({len(graphs)} graphs), $\\ell_2$: printed off on {mism}",
                 fontsize=10)
    bx.set_xlim(*lim)
    bx.set_ylim(*lim)
    bx.grid(alpha=0.3)
    from matplotlib.lines import Line2D

    handles = [Line2D([], [], ls="", marker="o", color="C3", alpha=0.55, ms=7, label="printed construction"),
               Line2D([], [], ls="", marker="s", mfc="none", mec="C0", ms=7,
                      label=r"corrected construction (built from $G^2$)"),
               Line2D([], [], ls=":", color="k", label=r"the proof's claim: accuracy $= \alpha_3(G)/k$"),
               Line2D([], [], ls="", label="marker area ~ number of graphs")]
    bx.legend(handles=handles, fontsize=8, loc="upper left")

    fig.suptitle("shaeiri2020 Lemma 1: the printed reduction gives 1/k for every graph; the corrected one "
                 "gives $\\alpha_3(G)/k$", fontsize=10)
    path = save(fig, out / NAME)
    print(f"wrote {path}; printed reduction off on {mism} of {len(graphs)} atlas graphs (l2)")
    for p in colors:
        print(f"p={p:g}: printed non-adjacent/eps for k=3..6:",
              [f"{row_distances(H.shaeiri_reduction, k, p)[1]:.4f}" for k in range(3, 7)])
    return [path]
