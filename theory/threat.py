"""Threat models: the one value that says which perturbations an adversary may make.

A threat model is an lp ball of radius ``eps`` around each input, ``{x' : ||x' - x||_p <= eps}``.
:class:`ThreatModel` is that pair, immutable and validated; every function of the package
that takes a threat model accepts one in place of its ``eps`` argument, or ``eps`` with the
keyword ``norm=`` (the same spelling everywhere: 1, 2, any p >= 1, ``np.inf``, and 0 for the
l0 "norm", the number of changed coordinates, where a result needs it). When neither says,
the norm is ``np.inf``.

Examples
--------
>>> import numpy as np
>>> from theory.threat import ThreatModel
>>> t = ThreatModel(np.inf, 0.1)
>>> t
ThreatModel(norm=inf, eps=0.1)
>>> t.dual
1.0
>>> ThreatModel.l2(0.5).norm
2.0
>>> str(ThreatModel(0, 3))
'l0 ball of radius 3'

The empirical package (torch) reads the same value: ``ThreatModel.parse("linf")`` and
``ThreatModel(np.inf, 8 / 255)`` name the same ball.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from theory._validate import as_array, check_norm, nonnegative

__all__ = ["ThreatModel", "resolve", "DEFAULT_NORM"]

DEFAULT_NORM = np.inf
"""The norm of a threat model when a call names none: l-infinity."""


def _dual(p: float) -> float:
    if p == 1:
        return np.inf
    if np.isinf(p):
        return 1.0
    return p / (p - 1.0)


@dataclass(frozen=True)
class ThreatModel:
    """The ball ``{x' : ||x' - x||_norm <= eps}`` an adversary may move each input within.

    Parameters
    ----------
    norm : 0, or a number p with 1 <= p <= inf (``np.inf`` for the max norm); the strings
        "l0", "l1", "l2", "linf" are read as 0, 1, 2, inf.
    eps : float >= 0, the radius; for norm 0 an integer (the number of coordinates changed).

    Raises
    ------
    ValueError
        For a norm outside {0} U [1, inf], a negative, NaN or infinite radius, or a
        non-integral l0 radius.

    Examples
    --------
    >>> t = ThreatModel("l2", 0.5)
    >>> t, t.name, t.dual, str(t.with_eps(1.0))
    (ThreatModel(norm=2.0, eps=0.5), 'l2', 2.0, 'l2 ball of radius 1')
    >>> ThreatModel(3, 1.0).dual  # 1/3 + 2/3 = 1
    1.5
    >>> ThreatModel(0, 1.5)
    Traceback (most recent call last):
    ...
    ValueError: eps of an l0 threat model must be an integer count, got 1.5
    """

    norm: float
    eps: float

    def __post_init__(self):
        p = check_norm(self.norm, "norm", allow_zero=True)
        e = nonnegative(self.eps, "eps")
        if e.ndim != 0:
            raise ValueError(f"eps of a ThreatModel must be a single number, got shape {e.shape}")
        eps = float(e)
        if p == 0 and not eps.is_integer():
            raise ValueError(f"eps of an l0 threat model must be an integer count, got {self.eps!r}")
        object.__setattr__(self, "norm", p)
        object.__setattr__(self, "eps", eps)

    @classmethod
    def linf(cls, eps: float) -> ThreatModel:
        """The l-infinity ball of radius eps."""
        return cls(np.inf, eps)

    @classmethod
    def l2(cls, eps: float) -> ThreatModel:
        """The l2 ball of radius eps."""
        return cls(2.0, eps)

    @classmethod
    def l1(cls, eps: float) -> ThreatModel:
        """The l1 ball of radius eps."""
        return cls(1.0, eps)

    @classmethod
    def l0(cls, k: int) -> ThreatModel:
        """At most k coordinates changed (shaeiri2020 section 5's l0 adversary)."""
        return cls(0.0, k)

    @classmethod
    def parse(cls, norm, eps: float = 0.0) -> ThreatModel:
        """A threat model from a norm in any accepted spelling (``"linf"``, ``2``, ``np.inf``)."""
        return cls(norm, eps)

    @property
    def dual(self) -> float:
        """The dual exponent q, 1/p + 1/q = 1: the norm of w that the worst case of w.x costs."""
        if self.norm == 0:
            raise ValueError("the l0 threat model has no dual norm")
        return _dual(self.norm)

    @property
    def name(self) -> str:
        """'linf', 'l2', 'l1', 'l0' or 'l<p>': the spelling the empirical package uses."""
        if np.isinf(self.norm):
            return "linf"
        return f"l{self.norm:g}"

    def with_eps(self, eps: float) -> ThreatModel:
        """The same norm at another radius."""
        return ThreatModel(self.norm, eps)

    def __str__(self) -> str:
        p = "inf" if np.isinf(self.norm) else f"{self.norm:g}"
        return f"l{p} ball of radius {self.eps:g}"


def resolve(eps, norm=None, *, default=DEFAULT_NORM, allow_zero: bool = False, name: str = "eps"):
    """``(p, eps)`` from either a :class:`ThreatModel` or an ``eps`` with an optional ``norm``.

    The one place every function with a threat model reads it. ``eps`` may be a ThreatModel
    (then ``norm`` must be None or the same norm) or a radius, a number or an array that
    broadcasts over a batch; ``norm`` defaults to ``default`` (``np.inf``).

    Returns
    -------
    p : float, the norm's exponent (0 only where ``allow_zero``)
    eps : ndarray of float64 >= 0 (0-d for a scalar)

    Raises
    ------
    ValueError
        For a negative or NaN radius, a bad norm, or a ThreatModel together with a
        different ``norm``.

    Examples
    --------
    >>> p, eps = resolve(0.1)  # a bare radius: l-inf
    >>> p, float(eps)
    (inf, 0.1)
    >>> p, eps = resolve(ThreatModel.l2(0.5))
    >>> p, float(eps)
    (2.0, 0.5)
    >>> p, eps = resolve([0.1, 0.2], norm=1)  # a batch of radii
    >>> p, eps.tolist()
    (1.0, [0.1, 0.2])
    >>> resolve(ThreatModel.l2(0.5), norm=1)
    Traceback (most recent call last):
    ...
    ValueError: norm=1 contradicts the threat model l2 ball of radius 0.5
    """
    if isinstance(eps, ThreatModel):
        if norm is not None and check_norm(norm, "norm", allow_zero=True) != eps.norm:
            raise ValueError(f"norm={norm!r} contradicts the threat model {eps}")
        if eps.norm == 0 and not allow_zero:
            raise ValueError(f"this function takes an lp threat model with p >= 1, got {eps}")
        return eps.norm, as_array(eps.eps, name)
    p = check_norm(default if norm is None else norm, "norm", allow_zero=allow_zero)
    e = nonnegative(eps, name)
    if p == 0:
        bad = e != np.floor(e)
        if bad.any():
            raise ValueError(f"{name} of an l0 threat model must be integer counts, got {e[bad].ravel()[0]!r}")
    return p, e
