"""Attacks on the theory's own classifiers, all with one signature: ``attack(x, y, threat) -> x_adv``.

``x`` has shape ``(n, dim)``, ``y`` labels +-1 of shape ``(n,)``, ``threat`` a
:class:`theory.threat.ThreatModel` (or, for convenience, a radius with the default l-inf
norm); the result has the shape of ``x`` and lies in the threat model's ball around it.
An attack that needs a classifier is an object built from that classifier and then called
the same way. These are the adversaries the closed forms assume, so that
``theory.montecarlo.estimate_error(distribution, classifier, n, attack=..., threat=...)``
measures what a closed form predicts.

=======================  =============================================================  =====================
attack                   what it does                                                   source
=======================  =============================================================  =====================
:class:`LinearWorstCase` x + y delta*, delta* = argmin_{||delta||_p <= eps} w.delta      Hoelder's equality case;
                         (the exact worst case of sign(w.x + b), any lp ball)           suggala2019 Thm 1.2
:func:`tsipras_shift`    x - eps y on every coordinate (l-inf)                          tsipras2019 section 2.1
:class:`BernoulliL0`     flips up to eps coordinates towards the other centre           shaeiri2020 Theorem 4
:func:`bernoulli_linf`   moves every coordinate min(eps, 1) towards 0 (l-inf)           shaeiri2020 Theorem 5
=======================  =============================================================  =====================

suggala2019 Definition 2's base-relative adversary is not an attack of this form: its risk is
relative to the base rule g, not to the label, and its primal per-sample solution
(:func:`theory.reference.flippable`) decides whether a point can be moved rather than returning
a point; it stays an event function there.

Example
-------
>>> import numpy as np
>>> from theory.attacks import LinearWorstCase
>>> from theory.threat import ThreatModel
>>> w = np.array([1.0, -2.0])
>>> x, y = np.array([[1.0, 0.0]]), np.array([1.0])
>>> LinearWorstCase(w)(x, y, ThreatModel.linf(0.1))
array([[0.9, 0.1]])
"""

from __future__ import annotations

import numpy as np

from theory._validate import as_array, as_vector, labels_pm1
from theory.threat import ThreatModel

__all__ = [
    "Attack",
    "as_threat",
    "worst_case_delta",
    "LinearWorstCase",
    "tsipras_shift",
    "BernoulliL0",
    "bernoulli_linf",
]


def as_threat(threat, *, allow_zero: bool = False) -> ThreatModel:
    """A ThreatModel from a ThreatModel or a bare radius (read with the default l-inf norm)."""
    if isinstance(threat, ThreatModel):
        t = threat
    else:
        t = ThreatModel(np.inf, float(as_array(threat, "threat")))
    if t.norm == 0 and not allow_zero:
        raise ValueError(f"this attack needs an lp threat model with p >= 1, got {t}")
    return t


def _inputs(x, y):
    x = as_array(x, "x", min_ndim=2)
    if x.ndim != 2:
        raise ValueError(f"x must have shape (n, dim), got shape {x.shape}")
    y = labels_pm1(y, "y")
    if y.shape != x.shape[:1]:
        raise ValueError(f"y must have shape ({x.shape[0]},) to match x {x.shape}, got shape {y.shape}")
    return x, y


class Attack:
    """Base class of the attacks that are objects: ``attack(x, y, threat) -> x_adv``."""

    def __call__(self, x, y, threat) -> np.ndarray:  # pragma: no cover - interface
        raise NotImplementedError


def worst_case_delta(w, threat) -> np.ndarray:
    """The delta in the ball that minimizes w.delta: w.delta* = -eps ||w||_* (Hoelder's equality case).

    delta_i = -eps sign(w_i) |w_i|^(q-1) / ||w||_q^(q-1) with q the dual exponent; for p = inf
    that is -eps sign(w) (and 0 where w_i = 0), for p = 1 all of eps on one largest |w_i|.
    ``w`` of shape (d,); returns shape (d,). w = 0 gives delta = 0.

    >>> worst_case_delta([3.0, -4.0], ThreatModel.l2(1.0))
    array([-0.6,  0.8])
    """
    t = as_threat(threat)
    w = as_vector(w, "w")
    if w.ndim != 1:
        raise ValueError(f"w must have shape (d,), got shape {w.shape}")
    eps, p = t.eps, t.norm
    top = float(np.max(np.abs(w)))
    if top == 0 or eps == 0:
        return np.zeros_like(w)
    if np.isinf(p):
        return -eps * np.sign(w)
    if p == 1:
        d = np.zeros_like(w)
        i = int(np.argmax(np.abs(w)))
        d[i] = -eps * np.sign(w[i])
        return d
    q = p / (p - 1.0)
    a = (np.abs(w) / top) ** (q - 1.0)  # scaled by the largest entry: no overflow for large q
    return -eps * np.sign(w) * a / np.linalg.norm(a, p)


class LinearWorstCase(Attack):
    """The exact worst case of the linear classifier sign(w.x + b) in any lp ball.

    x_adv = x + y delta*, with delta* = :func:`worst_case_delta`: it lowers the margin
    y (w.x + b) by exactly eps ||w||_*, the most any perturbation in the ball can, so the
    classifier errs on x_adv iff some point of the ball fools it (suggala2019 Theorem 1.2,
    tsipras2019 appendix C for l-inf). ``b`` does not change the worst direction.

    Parameters
    ----------
    w : array_like, shape (d,)
    """

    def __init__(self, w):
        w = as_vector(w, "w")
        if w.ndim != 1:
            raise ValueError(f"w must have shape (d,), got shape {w.shape}")
        self.w = w

    def __call__(self, x, y, threat) -> np.ndarray:
        x, y = _inputs(x, y)
        if x.shape[1] != self.w.size:
            raise ValueError(f"x must have {self.w.size} columns to match w, got shape {x.shape}")
        return x + y[:, None] * worst_case_delta(self.w, threat)[None, :]


def tsipras_shift(x, y, threat) -> np.ndarray:
    """tsipras2019's adversary: every coordinate moved by eps against the label, x - eps y.

    An l-inf perturbation of size eps. With eps = 2 eta it turns each non-robust feature
    N(eta y, 1) into N(-eta y, 1) (tsipras2019 section 2.1); for a linear classifier with
    nonnegative weights it is the worst case (:class:`LinearWorstCase` with w >= 0).
    """
    t = as_threat(threat)
    if not np.isinf(t.norm):
        raise ValueError(f"the Tsipras shift is an l-inf attack, got {t}")
    x, y = _inputs(x, y)
    return x - t.eps * y[:, None]


class BernoulliL0(Attack):
    """The worst-case l0 attack on the Bernoulli model: up to eps coordinates flipped towards the other centre.

    Source: shaeiri2020 Theorem 4 (the adversary of eq. (11)). Calls
    :meth:`theory.bernoulli.BernoulliModel.l0_attack`; worst case for every classifier monotone in
    the distance to the centres (the threshold rules h_s, the Bayes rule).

    Parameters
    ----------
    model : theory.bernoulli.BernoulliModel
    """

    def __init__(self, model):
        if not hasattr(model, "l0_attack"):
            raise ValueError(f"model must be a theory.bernoulli.BernoulliModel, got {model!r}")
        self.model = model

    def __call__(self, x, y, threat) -> np.ndarray:
        t = as_threat(threat, allow_zero=True)
        if t.norm != 0:
            raise ValueError(f"BernoulliL0 is an l0 attack, got {t}")
        return self.model.l0_attack(x, y, int(t.eps))


def bernoulli_linf(x, y, threat) -> np.ndarray:
    """shaeiri2020 Theorem 5's l-inf adversary on the cube: every coordinate moved min(eps, 1) towards 0.

    For eps >= 1 every point goes to the origin, where any classifier has one label, so the
    robust error of every classifier is at least 1/2; for eps < 1 no coordinate changes sign, so
    h* o sign is unchanged (it is the optimal robust classifier).
    """
    t = as_threat(threat)
    if not np.isinf(t.norm):
        raise ValueError(f"bernoulli_linf is an l-inf attack, got {t}")
    x, _ = _inputs(x, y)
    return x * (1.0 - min(t.eps, 1.0))
