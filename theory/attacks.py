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
:class:`BaseRelative`    per sample, a point of the ball where the base rule keeps its  suggala2019 Definition 2
                         label and sign(w.x) changes its own, if one exists
=======================  =============================================================  =====================


Examples
--------
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
    "BaseRelative",
]


def as_threat(threat, *, allow_zero: bool = False) -> ThreatModel:
    """A ThreatModel from a ThreatModel or a bare radius (read with the default l-inf norm).

    Examples
    --------
    >>> as_threat(0.5)
    ThreatModel(norm=inf, eps=0.5)
    >>> as_threat(ThreatModel.l0(2))
    Traceback (most recent call last):
    ...
    ValueError: this attack needs an lp threat model with p >= 1, got l0 ball of radius 2
    """
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
    """Base class of the attacks that are objects: ``attack(x, y, threat) -> x_adv``.

    Examples
    --------
    >>> class Identity(Attack):
    ...     def __call__(self, x, y, threat):
    ...         return np.array(x, dtype=float)
    >>> Identity()(np.zeros((2, 3)), np.ones(2), ThreatModel.linf(0.1)).shape
    (2, 3)
    """

    def __call__(self, x, y, threat) -> np.ndarray:  # pragma: no cover - interface
        raise NotImplementedError


def worst_case_delta(w, threat) -> np.ndarray:
    """The delta in the ball that minimizes w.delta: w.delta* = -eps ||w||_* (Hoelder's equality case).

    delta_i = -eps sign(w_i) |w_i|^(q-1) / ||w||_q^(q-1) with q the dual exponent; for p = inf
    that is -eps sign(w) (and 0 where w_i = 0), for p = 1 all of eps on one largest |w_i|.
    ``w`` of shape (d,); returns shape (d,). w = 0 gives delta = 0.

    Examples
    --------
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
    return _into_ball(-eps * np.sign(w) * a / np.linalg.norm(a, p), eps, p)


class LinearWorstCase(Attack):
    """The exact worst case of the linear classifier sign(w.x + b) in any lp ball.

    x_adv = x + y delta*, with delta* = :func:`worst_case_delta`: it lowers the margin
    y (w.x + b) by exactly eps ||w||_*, the most any perturbation in the ball can, so the
    classifier errs on x_adv iff some point of the ball fools it (suggala2019 Theorem 1.2,
    tsipras2019 appendix C for l-inf). ``b`` does not change the worst direction.

    Parameters
    ----------
    w : array_like, shape (d,)

    Examples
    --------
    >>> w, x, y = np.array([3.0, -4.0]), np.array([[1.0, 1.0]]), np.array([1.0])
    >>> x_adv = LinearWorstCase(w)(x, y, ThreatModel.l2(1.0))
    >>> np.round(x_adv, 12).tolist(), round(float((x - x_adv)[0] @ w), 12)  # the margin drops by eps ||w||_2 = 5
    ([[0.4, 1.8]], 5.0)
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

    Examples
    --------
    >>> tsipras_shift([[1.0, 2.0], [1.0, 2.0]], [1.0, -1.0], 0.5).tolist()  # against the label
    [[0.5, 1.5], [1.5, 2.5]]
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

    Examples
    --------
    >>> from theory.bernoulli import BernoulliModel
    >>> model = BernoulliModel([1, 1, 1], [-1, -1, -1], 0.25)
    >>> BernoulliL0(model)(np.array([[1.0, 1.0, 1.0]]), np.array([1.0]), ThreatModel.l0(2)).tolist()  # 2 flips
    [[-1.0, -1.0, 1.0]]
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

    Examples
    --------
    >>> bernoulli_linf([[1.0, -1.0]], [1.0], 0.5).tolist(), bernoulli_linf([[1.0, -1.0]], [1.0], 2.0).tolist()
    ([[0.5, -0.5]], [[0.0, -0.0]])
    """
    t = as_threat(threat)
    if not np.isinf(t.norm):
        raise ValueError(f"bernoulli_linf is an l-inf attack, got {t}")
    x, _ = _inputs(x, y)
    return x * (1.0 - min(t.eps, 1.0))


def _min_linear_linf(w, theta, c, eps):
    """argmin w.delta s.t. theta.delta >= c (per row), ||delta||_inf <= eps: a fractional knapsack.

    Start every coordinate where it lowers w.delta most (-eps sign w; +eps sign theta where
    w_i = 0), then buy the missing theta.delta at the cheapest rate |w_i| / |theta_i|.
    Returns (delta (n, d), feasible (n,)).
    """
    d0 = np.where(w == 0, eps * np.sign(theta), -eps * np.sign(w))
    need = c - d0 @ theta
    movable = (theta != 0) & (np.sign(d0) != np.sign(theta))
    gain = np.where(movable, 2 * eps * np.abs(theta), 0.0)
    with np.errstate(divide="ignore"):
        rate = np.where(movable, np.abs(w) / np.abs(np.where(theta != 0, theta, 1.0)), np.inf)
    order = np.argsort(rate, kind="stable")
    g = gain[order]
    before = np.concatenate([[0.0], np.cumsum(g)[:-1]])
    with np.errstate(divide="ignore", invalid="ignore"):
        frac = np.where(g > 0, np.clip((need[:, None] - before[None, :]) / np.where(g > 0, g, 1.0), 0.0, 1.0), 0.0)
    move = np.empty_like(frac)
    move[:, order] = frac
    delta = d0[None, :] + move * 2 * eps * np.sign(theta)[None, :]
    return delta, need <= g.sum() * (1 + 1e-12)


def _min_linear_l1(w, theta, c, eps):
    """argmin w.delta s.t. theta.delta >= c, ||delta||_1 <= eps: the best vertex of the cross-polytope
    or point of a segment between two vertices where theta.delta = c (the optimum of an LP over the
    intersection is one of these). Returns (delta, feasible)."""
    n, d = c.shape[0], w.size
    verts = np.concatenate([eps * np.eye(d), -eps * np.eye(d)])
    tv, wv = verts @ theta, verts @ w
    best = np.full(n, np.inf)
    delta = np.zeros((n, d))
    for i in range(2 * d):
        ok = (tv[i] >= c) & (wv[i] < best)
        best = np.where(ok, wv[i], best)
        delta[ok] = verts[i]
        for j in range(i + 1, 2 * d):
            if tv[i] == tv[j]:
                continue
            lam = (c - tv[j]) / (tv[i] - tv[j])
            val = lam * wv[i] + (1 - lam) * wv[j]
            ok = (lam >= 0) & (lam <= 1) & (val < best)
            best = np.where(ok, val, best)
            delta[ok] = lam[ok, None] * verts[i] + (1 - lam[ok, None]) * verts[j]
    return delta, np.isfinite(best)


def _min_linear_l2(w, theta, c, eps):
    """argmin w.delta s.t. theta.delta >= c, ||delta||_2 <= eps, in closed form.

    The free minimizer -eps w / ||w|| when it satisfies the constraint; otherwise the constraint
    is active: delta = c theta / ||theta||^2 - r w_perp / ||w_perp||, r = sqrt(eps^2 - c^2/||theta||^2).
    Returns (delta, feasible)."""
    nt = np.linalg.norm(theta)
    free = -eps * w / np.linalg.norm(w)
    w_perp = w - (w @ theta) / nt**2 * theta
    npp = np.linalg.norm(w_perp)
    u = -w_perp / npp if npp > 0 else np.zeros_like(w)
    r = np.sqrt(np.maximum(eps**2 - (c / nt) ** 2, 0.0))
    active = (c / nt**2)[:, None] * theta[None, :] + r[:, None] * u[None, :]
    use_free = (free @ theta) >= c
    delta = np.where(use_free[:, None], free[None, :], active)
    return delta, use_free | (c <= eps * nt)


_SOLVERS = {1.0: _min_linear_l1, 2.0: _min_linear_l2, np.inf: _min_linear_linf}


class BaseRelative(Attack):
    """suggala2019 Definition 2's adversary against f = sign(w.x) relative to the base rule g = sign(theta.x).

    Per sample where f and g agree: a point x' of the ball at which g keeps its label and f
    changes its own, when one exists; x itself otherwise (and where f and g disagree). It solves
    the primal problem sample by sample, min (or max) w.x' over the ball intersected with g's
    side (a fractional knapsack for l-inf, vertex enumeration for l1, a closed form for l2), so
    ``sign(w.x') != sign(theta.x')`` marks exactly the points that count towards the base-relative
    risk of :func:`theory.gaussian.base_relative_adversarial_risk` (up to a set of probability
    about 1e-9: x' is kept a relative 1e-9 inside g's half-space, so that rounding and
    sign(0) = -1 do not turn g). Labels are not used: the risk is relative to g. Norms 1, 2 and inf.

    :func:`theory.reference.flippable` decides the same event independently (without a point).

    Parameters
    ----------
    w, theta : array_like, shape (d,)

    Examples
    --------
    f = sign(x1 + x2), g = sign(x1), eps = 0.5 (l-inf): the attack changes f without changing g exactly where
    :func:`theory.reference.flippable` says it can:

    >>> from theory.distributions import predict
    >>> from theory.reference import flippable
    >>> x = np.array([[0.1, 0.0], [5.0, 0.0], [-0.1, 0.0]])
    >>> x_adv = BaseRelative([1.0, 1.0], [1.0, 0.0])(x, np.ones(3), 0.5)
    >>> (predict(x_adv @ [1.0, 1.0]) != predict(x_adv @ [1.0, 0.0])).tolist()
    [True, False, True]
    >>> flippable(x, [1.0, 1.0], [1.0, 0.0], 0.5).tolist()
    [True, False, True]
    """

    def __init__(self, w, theta):
        self.w, self.theta = as_vector(w, "w"), as_vector(theta, "theta")
        if self.w.ndim != 1 or self.theta.shape != self.w.shape:
            raise ValueError(f"w and theta must have the same shape (d,), got {self.w.shape} and {self.theta.shape}")

    def __call__(self, x, y, threat) -> np.ndarray:
        t = as_threat(threat)
        if t.norm not in _SOLVERS:
            raise ValueError(f"BaseRelative supports the l1, l2 and l-inf threat models, got {t}")
        x, _ = _inputs(x, y)
        w, theta, eps = self.w, self.theta, t.eps
        if x.shape[1] != w.size:
            raise ValueError(f"x must have {w.size} columns to match w, got shape {x.shape}")
        out = x.copy()
        if eps == 0 or not w.any() or not theta.any():
            return out
        from theory.distributions import predict

        g, f = predict(x @ theta), predict(x @ w)
        solve = _SOLVERS[t.norm]
        scale = np.abs(theta) @ np.maximum(np.abs(x), 1.0).T if x.size else np.zeros(0)
        for side in (1.0, -1.0):
            rows = np.flatnonzero((g == side) & (f == side))
            if rows.size == 0:
                continue
            z = side * x[rows]  # g = -1 side through x -> -x: theta.z >= 0, push w.z below 0
            tau = 1e-9 * scale[rows]  # keep x' strictly on g's side despite rounding
            delta, feasible = solve(w, theta, tau - z @ theta, eps)
            cand = x[rows] + _into_ball(side * delta, eps, t.norm)
            ok = feasible & (predict(cand @ theta) == side) & (predict(cand @ w) != side)
            out[rows[ok]] = cand[ok]
        return out


def _norm_rows(d, p):
    return np.max(np.abs(d), axis=-1) if np.isinf(p) else np.linalg.norm(d, ord=p, axis=-1)


def _into_ball(delta, eps, p):
    """delta (rows along the last axis) shrunk by the rounding that put it outside the eps-ball, if any."""
    for _ in range(4):
        nrm = _norm_rows(delta, p)
        over = nrm > eps
        if not np.any(over):
            break
        factor = np.where(over, eps / np.where(over, nrm, 1.0) * (1 - 2.0**-52), 1.0)
        delta = delta * factor[..., None]
    return delta
