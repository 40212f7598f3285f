"""One figure style for the whole project: the docs' theory figures and the experiments' figures.

Every figure is a :class:`matplotlib.figure.Figure` made by :func:`figure` (no pyplot state, no
GUI backend, so drawing is the same in a test, a headless CI job and a notebook) and written by
:func:`save` at the one resolution :data:`DPI`, without a timestamp in the PNG, so that the same
data give the same file.

Example
-------
>>> import tempfile, pathlib
>>> fig, ax = figure()
>>> _ = ax.plot([0, 1], [0, 1], label="identity")
>>> label(ax, "x", "y", "a line")
>>> path = save(fig, pathlib.Path(tempfile.mkdtemp()) / "line.png")
>>> path.suffix, path.stat().st_size > 0
('.png', True)
"""

from __future__ import annotations

from pathlib import Path

from matplotlib.figure import Figure

__all__ = ["DPI", "figure", "label", "save", "title"]

DPI = 120
"""The resolution of every saved figure (dots per inch)."""

_STYLE = {"axes.grid": True, "grid.alpha": 0.3, "axes.spines.top": False, "axes.spines.right": False,
          "legend.frameon": False, "font.size": 9.5, "axes.titlesize": 10, "legend.fontsize": 8.5}


def figure(ncols: int = 1, nrows: int = 1, *, width: float | None = None, height: float = 4.2, **subplots):
    """A new figure and its axes (``ncols`` x ``nrows``; one ``Axes`` when both are 1).

    ``width`` defaults to 5.6 inches per column; ``subplots`` goes to ``Figure.subplots``
    (``sharey=True``, ...). The figure uses constrained layout so that labels and legends fit.

    Examples
    --------
    >>> fig, axes = figure(2, sharey=True)
    >>> len(axes), float(fig.get_figwidth()), fig.dpi == DPI
    (2, 11.2, True)
    """
    from matplotlib import rc_context

    width = 5.6 * ncols if width is None else width
    with rc_context(_STYLE):
        fig = Figure(figsize=(width, height * nrows), dpi=DPI, layout="constrained")
        axes = fig.subplots(nrows, ncols, squeeze=True, **subplots)
    axes_list = list(getattr(axes, "flat", [axes]))
    for ax in axes_list:
        ax.grid(True, alpha=_STYLE["grid.alpha"])
        ax.spines[["top", "right"]].set_visible(False)
    return fig, axes


def label(ax, xlabel: str, ylabel: str, title: str | None = None, *, legend: bool = True) -> None:
    """Axis labels (say the units), an optional title (say what is compared) and a legend placed where
    it covers the least data (``loc="best"``), drawn only when some artist has a label.

    Examples
    --------
    >>> fig, ax = figure()
    >>> _ = ax.plot([0, 1], [1, 0], label="falling")
    >>> label(ax, "eps", "risk", "a title")
    >>> ax.get_xlabel(), ax.get_legend() is not None
    ('eps', True)
    """
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title:
        width = ax.get_position().width * ax.figure.get_figwidth()
        ax.set_title(_wrap(title, width))
    if legend and any(not h.startswith("_") for h in ax.get_legend_handles_labels()[1]):
        ax.legend(loc="best", frameon=False, fontsize=_STYLE["legend.fontsize"])


def _wrap(text: str, width_in: float, fontsize: float = 10.0) -> str:
    """``text`` broken into lines that fit ``width_in`` inches at ``fontsize`` points (about 0.55 em a character)."""
    import textwrap

    chars = max(20, int(width_in * 72 / (0.55 * fontsize)))
    return "\n".join(textwrap.fill(part, chars) for part in text.split("\n"))


def title(fig: Figure, text: str) -> None:
    """A figure-wide title, wrapped to the figure's width (constrained layout makes room for it).

    Examples
    --------
    >>> fig, ax = figure(width=3.0)
    >>> title(fig, "a long title that does not fit on one line of a figure three inches wide")
    >>> fig.get_suptitle().count("\\n") >= 1
    True
    """
    fig.suptitle(_wrap(text, fig.get_figwidth() * 0.95), fontsize=_STYLE["axes.titlesize"])


def save(fig: Figure, path) -> Path:
    """Write ``fig`` to ``path`` (parent folders created) at :data:`DPI`, reproducibly; returns the path.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> fig, ax = figure()
    >>> a = save(fig, pathlib.Path(tempfile.mkdtemp()) / "a.png").read_bytes()
    >>> b = save(fig, pathlib.Path(tempfile.mkdtemp()) / "b.png").read_bytes()
    >>> a == b  # no timestamp: the same figure gives the same file
    True
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    metadata = {"Software": None} if path.suffix.lower() == ".png" else {}
    fig.savefig(path, dpi=DPI, metadata=metadata)
    return path
