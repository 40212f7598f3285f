"""Adversarial training as regularization: logistic losses of linear models, joint objectives, margins.

Two papers meet here.

suggala2019 (sections 6-7, appendices E-G):

- :func:`adversarial_logistic_loss` — the usual (label-relative) adversarial logistic loss of a
  linear model, ``sup_{||delta|| <= eps} l(f(x + delta), y)``, in closed form;
- :func:`base_relative_logistic_excess` — the per-point term of the paper's own adversarial
  risk R_adv (Definition 2 with the logistic loss), relative to a linear base classifier
  ``g(x) = sign(theta.x + c)``: ``sup_{||delta|| <= eps, g(x+delta) = g(x)} l(f(x+delta), g(x))
  - l(f(x), g(x))``, computed exactly through a one-dimensional dual;
- :func:`joint_logistic_objective`, :func:`theorem7_upper_bound`, :func:`theorem7_first_order` —
  the two sides of Theorem 7 on a finite (e.g. empirical) distribution;
- :func:`joint_objective_01`, :func:`robust_objective_01` — the 0-1 objectives (4) and (6)
  minimized over all measurable extensions of a labeling of a finite support (Theorems 5-6);
- :func:`uniform_squares_risks` — the classification and robust risks of a linear classifier
  in the 2-D uniform-squares example of section 6, exactly.

wen2020 (sections 2-3): :func:`margin` (Definition 3), :func:`ramp_loss` (Definition 4),
:func:`ramp_risk` (Definition 5), :func:`u_min` (eq. 5) and :func:`theorem31_bound` (eq. 4).

Conventions: ``sign(0) = -1`` (a score s predicts +1 iff s > 0); labels are +-1 for the binary
results (checked by :func:`theory._validate.labels_pm1`); "logistic" is the natural-log loss
log(1 + exp(-z)). The threat model is the closed lp ball of radius ``eps``: every function with
one takes ``eps`` as a :class:`theory.threat.ThreatModel` or as a radius with the keyword-only
``norm=None`` (None means ``np.inf``, the package default); ``||.||_*`` is the dual norm.
Probability weights of a finite distribution (``weights``, and ``p_pos``/``p_neg`` together) follow
the package's one rule (:func:`theory._validate.probability_weights`): finite, >= 0, not all zero,
normalized to sum 1. wen2020's failure probability is ``failure_prob``.
"""

from __future__ import annotations

import itertools

import numpy as np

from theory._optimize import flip_cost
from theory._validate import (
    as_array,
    as_vector,
    in_open_interval,
    labels_pm1,
    matching_last_axis,
    nonnegative,
    positive,
    positive_int,
    probability_weights,
)
from theory.norms import dual_norm, lp_norm
from theory.threat import resolve

__all__ = [
    "logistic_loss",
    "adversarial_logistic_loss",
    "base_relative_worst_margin",
    "base_relative_logistic_excess",
    "joint_logistic_objective",
    "theorem7_upper_bound",
    "theorem7_first_order",
    "bayes_labels",
    "all_labelings",
    "joint_objective_01",
    "robust_objective_01",
    "uniform_squares_risks",
    "margin",
    "ramp_loss",
    "ramp_risk",
    "u_min",
    "theorem31_bound",
]



# ------------------------------------------------------------------------------------------
# validation helpers
# ------------------------------------------------------------------------------------------

def _batch(**arrays):
    try:
        return np.broadcast_shapes(*(np.shape(a) for a in arrays.values()))
    except ValueError as exc:
        shapes = ", ".join(f"{k} {np.shape(v)}" for k, v in arrays.items())
        raise ValueError(f"shapes do not broadcast: {shapes}") from exc


# ------------------------------------------------------------------------------------------
# suggala2019 section 7: logistic losses of linear models
# ------------------------------------------------------------------------------------------

def logistic_loss(z):
    """The logistic loss l(z) = log(1 + exp(-z)) of a margin z = y f(x), without overflow.

    Source: suggala2019 Definition 2 ("logistic loss"), section 7.2.

    Parameters
    ----------
    z : array_like, any shape (may contain +-inf)

    Returns
    -------
    ndarray of the same shape, >= 0.

    Examples
    --------
    >>> bool(np.isclose(logistic_loss(0.0), np.log(2.0)))  # log(1 + e^0)
    True
    >>> logistic_loss([-1000.0, 1000.0]).tolist()  # no overflow: about -z, and 0
    [1000.0, 0.0]
    """
    z = as_array(z, "z", allow_inf=True)
    return np.logaddexp(0.0, -z)[()]


def adversarial_logistic_loss(w, x, y, eps, *, norm=None, b=0.0):
    """sup over ||delta||_p <= eps of log(1 + exp(-y (w.(x + delta) + b))), in closed form.

    This is the label-relative adversarial loss of objective (6)/(7) (Madry et al.), not the
    base-relative R_adv of suggala2019 Definition 2 (see :func:`base_relative_logistic_excess`).
    Since the loss decreases in the margin and min_delta y w.delta = -eps ||w||_* (Hoelder),
    the value is ``log(1 + exp(-y (w.x + b) + eps ||w||_*))``.

    Source: suggala2019 section 7 (eq. (7) and the linear case of section 7.2).

    Parameters
    ----------
    w : array_like, shape (..., d)
    x : array_like, shape (..., d), same d
    y : array_like of +-1, broadcasting against the batch shape
    eps : array_like >= 0, broadcasting against the batch shape, or a ThreatModel
    norm : keyword-only, the threat model's p, 1 <= p <= inf (None: inf)
    b : keyword-only, array_like, the bias, broadcasting

    Returns
    -------
    ndarray, the broadcast batch shape.

    Raises
    ------
    ValueError on negative eps, labels other than +-1, mismatched dimensions, NaN.

    Examples
    --------
    >>> round(float(adversarial_logistic_loss([1.0, -1.0], [2.0, 0.0], 1, 0.5)), 6)  # log(1 + e^{-2 + 1})
    0.313262
    """
    w, x = as_vector(w, "w"), as_vector(x, "x")
    matching_last_axis(w, "w", x, "x")
    y = labels_pm1(y)
    p, eps = resolve(eps, norm)
    b = as_array(b, "b")
    _batch(w=w[..., 0], x=x[..., 0], y=y, eps=eps, b=b)
    m = y * (np.einsum("...i,...i->...", w, x) + b) - eps * dual_norm(w, p)
    return np.logaddexp(0.0, -m)[()]


def _base_relative_inputs(w, x, theta, eps, norm, b, c):
    w, x, theta = as_vector(w, "w"), as_vector(x, "x"), as_vector(theta, "theta")
    matching_last_axis(w, "w", x, "x")
    matching_last_axis(w, "w", theta, "theta")
    p, eps = resolve(eps, norm)
    b, c = as_array(b, "b"), as_array(c, "c")
    batch = _batch(w=w[..., 0], x=x[..., 0], theta=theta[..., 0], eps=eps, b=b, c=c)
    d = w.shape[-1]
    w, x, theta = (np.broadcast_to(a, batch + (d,)) for a in (w, x, theta))
    eps, b, c = (np.broadcast_to(a, batch).astype(float) for a in (eps, b, c))
    s = np.where(np.einsum("...i,...i->...", theta, x) + c > 0, 1.0, -1.0)
    return w, x, theta, eps, b, c, p, s


def base_relative_worst_margin(w, x, theta, eps, *, norm=None, b=0.0, c=0.0):
    """min of g(x) f(x + delta) over ||delta||_p <= eps with g(x + delta) = g(x), f linear, g a halfspace.

    f(x) = w.x + b and g(x) = sign(theta.x + c) (sign(0) = -1). With s = g(x) and
    v = s (theta.x + c) >= 0, Lagrangian duality on the single constraint
    s (theta.(x + delta) + c) >= 0 (Slater holds for eps > 0, theta != 0) and Hoelder give

        min = s (w.x + b) - F(v),   F(v) = inf_{t >= 0} eps ||w - t theta||_* + t v,

    a one-dimensional convex minimization (golden section, plus the exact breakpoints for
    p = 1 and p = inf). The constraint g(x + delta) = g(x) is open for s = +1; its supremum
    equals the value on the closure, which is what is returned. F(v) <= eps ||w||_*, with
    equality when the constraint is inactive (far from g's boundary: the margin condition).

    Source: suggala2019 Definition 1-2 (the constraint g(x + delta) = g(x)), section 7.2.

    Parameters
    ----------
    w, x, theta : array_like, shape (..., d), same d, leading axes broadcast
    eps : array_like >= 0, or a ThreatModel
    norm : keyword-only, p, 1 <= p <= inf (None: inf)
    b, c : keyword-only, array_like, biases of f and g

    Returns
    -------
    ndarray, the broadcast batch shape.

    Examples
    --------
    >>> round(float(base_relative_worst_margin([1.0, 1.0], [0.1, 0.0], [1.0, 0.0], 1.0)), 9)  # not 0.1 - 2
    -1.0
    """
    w, x, theta, eps, b, c, p, s = _base_relative_inputs(w, x, theta, eps, norm, b, c)
    v = np.maximum(s * (np.einsum("...i,...i->...", theta, x) + c), 0.0)
    return (s * (np.einsum("...i,...i->...", w, x) + b) - flip_cost(w, theta, v, eps, p))[()]


def base_relative_logistic_excess(w, x, theta, eps, *, norm=None, b=0.0, c=0.0):
    """The summand of suggala2019's R_adv with the logistic loss, for linear f and a halfspace g.

    sup_{||d|| <= eps, g(x+d) = g(x)} l(f(x+d), g(x)) - l(f(x), g(x)).

    f(x) = w.x + b, g(x) = sign(theta.x + c); l(f, y) = log(1 + exp(-y f)). Because l decreases
    in the margin, the supremum is l at :func:`base_relative_worst_margin`. The value is >= 0
    (delta = 0 is allowed) and <= eps ||w||_* (the unconstrained supremum).

    Source: suggala2019 Definition 2 (R_adv with the logistic loss), Theorem 7.

    Parameters and raises as in :func:`base_relative_worst_margin`.

    Returns
    -------
    ndarray, the broadcast batch shape.

    Examples
    --------
    Far from g's boundary the constraint is inactive: log(1 + e^{-m + eps ||w||_1}) - log(1 + e^{-m}), m = 5:

    >>> v = base_relative_logistic_excess([1.0, 0.0], [5.0, 0.0], [1.0, 0.0], 0.5)
    >>> bool(np.isclose(v, np.log1p(np.exp(-4.5)) - np.log1p(np.exp(-5.0))))
    True

    Near it the worst margin is -1 (:func:`base_relative_worst_margin`), not 0.1 - 2:

    >>> v = base_relative_logistic_excess([1.0, 1.0], [0.1, 0.0], [1.0, 0.0], 1.0)
    >>> bool(np.isclose(v, logistic_loss(-1.0) - logistic_loss(0.1)))
    True
    """
    w, x, theta, eps, b, c, p, s = _base_relative_inputs(w, x, theta, eps, norm, b, c)
    v = np.maximum(s * (np.einsum("...i,...i->...", theta, x) + c), 0.0)
    m0 = s * (np.einsum("...i,...i->...", w, x) + b)
    drop = flip_cost(w, theta, v, eps, p)  # m0 - worst margin, >= 0
    # l(m0 - drop) - l(m0) = log((1 + e^{drop - m0}) / (1 + e^{-m0})), written without cancellation
    out = np.logaddexp(0.0, drop - m0) - np.logaddexp(0.0, -m0)
    return np.maximum(out, 0.0)[()]


def _finite_dist(x, y, weights):
    x = as_vector(x, "x")
    if x.ndim != 2:
        raise ValueError(f"x must have shape (n, d), got {x.shape}")
    y = labels_pm1(y)
    if y.shape != (x.shape[0],):
        raise ValueError(f"y must have shape ({x.shape[0]},), got {y.shape}")
    return x, y, probability_weights(weights, x.shape[0])


def _scalar_threat(eps, norm):
    """(p, eps as a float) of a threat model with a single radius."""
    p, e = resolve(eps, norm)
    if e.ndim:
        raise ValueError(f"eps must be a single number, got shape {e.shape}")
    return p, float(e)


def _linear_f(w, b, d):
    w = as_vector(w, "w")
    if w.shape != (d,):
        raise ValueError(f"w must have shape ({d},), got {w.shape}")
    return w, float(as_array(b, "b"))


def joint_logistic_objective(w, x, y, theta, eps, lam, *, norm=None, b=0.0, c=0.0, weights=None):
    """R(f) + lam R_adv(f) with the logistic loss (objective (4)) on a finite distribution, exactly.

    R(f) = E l(f(x), y) and R_adv(f) = E[sup_{||d|| <= eps, g(x+d) = g(x)} l(f(x+d), g(x)) - l(f(x), g(x))]
    for f(x) = w.x + b and the base classifier g(x) = sign(theta.x + c).

    Source: suggala2019 Definition 2 and objective (4), Theorem 7.

    Parameters
    ----------
    w : array_like, shape (d,)
    x : array_like, shape (n, d); y : +-1, shape (n,)
    theta : array_like, shape (d,); eps >= 0 (a float or a ThreatModel); lam >= 0 : float
    norm : keyword-only, p (None: inf); b, c : keyword-only floats
    weights : keyword-only, shape (n,), >= 0, normalized to sum 1 (uniform if None)

    Returns
    -------
    float

    Examples
    --------
    >>> x, y = np.array([[1.0, 0.0], [-1.0, 0.0], [2.0, 1.0]]), np.array([1.0, -1.0, 1.0])
    >>> bool(np.isclose(joint_logistic_objective([0.0, 0.0], x, y, [1.0, 0.0], 0.5, 2.0), np.log(2)))  # f = 0
    True
    >>> v = joint_logistic_objective([1.0, 0.0], x, y, [1.0, 0.0], 0.1, 1.0)
    >>> bool(v <= theorem7_upper_bound([1.0, 0.0], x, y, 0.1, 1.0))  # Theorem 7
    True
    """
    x, y, p = _finite_dist(x, y, weights)
    w, b = _linear_f(w, b, x.shape[1])
    q, eps = _scalar_threat(eps, norm)
    lam = float(nonnegative(lam, "lam"))
    risk = p @ logistic_loss(y * (x @ w + b))
    radv = p @ base_relative_logistic_excess(w, x, theta, eps, norm=q, b=b, c=c)
    return float(risk + lam * radv)


def theorem7_upper_bound(w, x, y, eps, lam, *, norm=None, b=0.0, weights=None):
    """The right side of suggala2019 Theorem 7 for a linear f: E l(f(x), y) + eps lam ||w||_*.

    For f(x) = w.x + b the gradient is w everywhere, so E sup_{||d|| <= eps} ||grad f(x + d)||_* = ||w||_*.

    Source: suggala2019 Theorem 7 (first display), appendix G ("General eps").

    Parameters and returns as in :func:`joint_logistic_objective` (no base classifier needed).

    Examples
    --------
    >>> x, y = np.array([[1.0, 0.0], [-1.0, 0.0], [2.0, 1.0]]), np.array([1.0, -1.0, 1.0])
    >>> gap = theorem7_upper_bound([1.0, -2.0], x, y, 0.1, 1.0) - theorem7_upper_bound([1.0, -2.0], x, y, 0.0, 1.0)
    >>> round(gap, 12)  # eps lam ||w||_1 = 0.1 * 3 (l-inf threat model)
    0.3
    """
    x, y, p = _finite_dist(x, y, weights)
    w, b = _linear_f(w, b, x.shape[1])
    q, eps = _scalar_threat(eps, norm)
    lam = float(nonnegative(lam, "lam"))
    return float(p @ logistic_loss(y * (x @ w + b)) + eps * lam * dual_norm(w, q))


def theorem7_first_order(w, x, y, theta, eps, lam, *, norm=None, b=0.0, c=0.0, weights=None):
    """The small-eps expansion of suggala2019 Theorem 7 without its o(eps): R(f) + eps lam E[h(x)] ||w||_*.

    h(x) = 1 / (1 + exp(g(x) f(x))) with g(x) = sign(theta.x + c), f(x) = w.x + b (so grad f = w).

    Source: suggala2019 Theorem 7 (second display), appendix G ("Small eps").

    Parameters and returns as in :func:`joint_logistic_objective`.

    Examples
    --------
    The expansion is exact to first order in eps (the error, divided by eps^2, stays bounded):

    >>> x, y = np.array([[1.0, 0.0], [-1.0, 0.0], [2.0, 1.0]]), np.array([1.0, -1.0, 1.0])
    >>> def err(eps):
    ...     exact = joint_logistic_objective([1.0, 0.0], x, y, [1.0, 0.0], eps, 1.0)
    ...     return (exact - theorem7_first_order([1.0, 0.0], x, y, [1.0, 0.0], eps, 1.0)) / eps**2
    >>> round(err(0.01), 2), round(err(0.001), 2)
    (0.08, 0.08)
    """
    x, y, p = _finite_dist(x, y, weights)
    w, b = _linear_f(w, b, x.shape[1])
    theta = as_vector(theta, "theta")
    matching_last_axis(x, "x", theta, "theta")
    q, eps = _scalar_threat(eps, norm)
    lam = float(nonnegative(lam, "lam"))
    c = float(as_array(c, "c"))
    f = x @ w + b
    g = np.where(x @ theta + c > 0, 1.0, -1.0)
    h = np.exp(-np.logaddexp(0.0, g * f))
    return float(p @ logistic_loss(y * f) + eps * lam * (p @ h) * dual_norm(w, q))


# ------------------------------------------------------------------------------------------
# suggala2019 section 6: 0-1 objectives (4) and (6) on a finite support
# ------------------------------------------------------------------------------------------

def bayes_labels(p_pos, p_neg):
    """The Bayes rule on a finite support: +1 where P(x, y=+1) > P(x, y=-1), else -1 (ties -> -1).

    Source: suggala2019 section 6 (the base classifier g is Bayes optimal).

    Parameters
    ----------
    p_pos, p_neg : array_like >= 0, shape (n,)

    Returns
    -------
    ndarray of +-1, shape (n,)

    Examples
    --------
    >>> bayes_labels([0.3, 0.1, 0.2], [0.1, 0.1, 0.2]).tolist()  # ties go to -1
    [1.0, -1.0, -1.0]
    """
    p_pos, p_neg = nonnegative(p_pos, "p_pos"), nonnegative(p_neg, "p_neg")
    if p_pos.shape != p_neg.shape:
        raise ValueError(f"p_pos and p_neg must have the same shape, got {p_pos.shape} and {p_neg.shape}")
    return np.where(p_pos > p_neg, 1.0, -1.0)


def all_labelings(n: int) -> np.ndarray:
    """Every labeling of n points: shape (2**n, n) with entries +-1 (n <= 20).

    Examples
    --------
    >>> all_labelings(2).tolist()  # row L: point i is +1 iff bit i of L is set
    [[-1.0, -1.0], [1.0, -1.0], [-1.0, 1.0], [1.0, 1.0]]
    """
    n = positive_int(n, "n")
    if n > 20:
        raise ValueError(f"n must be <= 20 (2**n labelings), got {n}")
    bits = (np.arange(2 ** n)[:, None] >> np.arange(n)[None, :]) & 1
    return np.where(bits == 1, 1.0, -1.0)


def _support(points, p_pos, p_neg, eps, norm):
    pts = as_vector(points, "points")
    if pts.ndim == 1:
        pts = pts[:, None]
    if pts.ndim != 2:
        raise ValueError(f"points must have shape (n, d), got {pts.shape}")
    n = pts.shape[0]
    p_pos, p_neg = nonnegative(p_pos, "p_pos"), nonnegative(p_neg, "p_neg")
    for name, arr in (("p_pos", p_pos), ("p_neg", p_neg)):
        if arr.shape != (n,):
            raise ValueError(f"{name} must have shape ({n},), got {arr.shape}")
    # the package's one weight rule: the 2n masses are normalized together to sum 1
    masses = probability_weights(np.concatenate([p_pos, p_neg]), 2 * n, "p_pos and p_neg")
    p_pos, p_neg = masses[:n], masses[n:]
    q, eps = _scalar_threat(eps, norm)
    dist = lp_norm(pts[:, None, :] - pts[None, :, :], q)
    return pts, p_pos, p_neg, eps, dist


def _risk01(s, p_pos, p_neg):
    return np.where(s > 0, p_neg, p_pos).sum(axis=-1)


def joint_objective_01(labels, points, p_pos, p_neg, base, eps, lam, *, norm=None):
    """Objective (4), 0-1 loss (R + lam R_adv,0-1), minimized over measurable f with sign f = labels on the support.

    On a finite support S, the minimizing extension is f = g off S (an off-support point z with
    f(z) = g(z) never makes a point x with g(z) = g(x) vulnerable), so a support point x counts
    in R_adv iff labels(x) = g(x) and some support point z with ||z - x|| <= eps and
    g(z) = g(x) has labels(z) != g(x). Minimizing this over all 2**n labelings gives the
    minimum of (4) over all measurable functions (suggala2019 Theorem 5's class).

    Source: suggala2019 Definition 2, objective (4), Theorem 5 (appendix E).

    Parameters
    ----------
    labels : array_like of +-1, shape (..., n): sign f on the support (a batch of labelings)
    points : array_like, shape (n, d) (or (n,) for d = 1)
    p_pos, p_neg : array_like >= 0, shape (n,): P(x_i, y = +1), P(x_i, y = -1), normalized together
        to sum 1
    base : array_like of +-1, shape (n,): the base classifier g on the support
    eps : float >= 0 or a ThreatModel; lam : float >= 0; norm : keyword-only, p (None: inf)

    Returns
    -------
    ndarray, shape (...): the objective of each labeling.

    Examples
    --------
    The counterexample of claim ``suggala2019.thm5.agree``: support {0, 1}, P(0, +) = P(0, -) = 1/4,
    P(1, +) = 1/2, g = (-1, +1); the labelings (-,-), (+,-), (-,+), (+,+) (no point is within eps of the
    other: R_adv = 0, only the 0-1 risk counts):

    >>> joint_objective_01(all_labelings(2), [0.0, 1.0], [0.25, 0.5], [0.25, 0.0], [-1.0, 1.0], 0.3, 1.0).tolist()
    [0.75, 0.75, 0.25, 0.25]
    """
    pts, p_pos, p_neg, eps, dist = _support(points, p_pos, p_neg, eps, norm)
    s = labels_pm1(labels, "labels")
    g = labels_pm1(base, "base")
    n = pts.shape[0]
    if s.shape[-1:] != (n,) or g.shape != (n,):
        raise ValueError(f"labels and base must have last axis {n}, got {s.shape} and {g.shape}")
    lam = float(nonnegative(lam, "lam"))
    near_same = (dist <= eps) & (g[:, None] == g[None, :])  # [x, z]
    wrong_z = s != g  # (..., n): z is labeled against g(z) = g(x)
    vulnerable = (s == g) & np.any(near_same & wrong_z[..., None, :], axis=-1)
    mass = p_pos + p_neg
    return (_risk01(s, p_pos, p_neg) + lam * (vulnerable * mass).sum(axis=-1))[()]


def robust_objective_01(labels, points, p_pos, p_neg, eps, lam, *, norm=None):
    """Objective (6) with the 0-1 loss, minimized over measurable f with sign f = labels on the support.

    Objective (6) is R(f) + lam E[sup_{||d|| <= eps} l(f(x+d), y) - l(f(x), y)].

    A point (x, y) with labels(x) = y costs lam P(x, y) unless f is constant on the ball
    B(x, eps). A set N of support points can all be made safe iff (i) two points of N with
    different labels are more than 2 eps apart (their closed balls are disjoint) and (ii) every
    support point within eps of a point of N carries its label. The minimum over extensions
    keeps the heaviest such N; it is found by enumerating subsets (n <= 16).

    Source: suggala2019 objective (6), Theorem 6 (appendix F).

    Parameters
    ----------
    labels : array_like of +-1, shape (..., n)
    points, p_pos, p_neg, eps, lam, norm : as in :func:`joint_objective_01`

    Returns
    -------
    ndarray, shape (...)

    Examples
    --------
    Same support as in :func:`joint_objective_01`; at eps = 0.6 the balls of 0 and 1 overlap, so the labeling (-, +)
    must leave one of its correct points attackable (the lighter one, P(0, -) = 1/4):

    >>> robust_objective_01(all_labelings(2), [0.0, 1.0], [0.25, 0.5], [0.25, 0.0], 0.6, 1.0).tolist()
    [0.75, 0.75, 0.5, 0.25]
    """
    pts, p_pos, p_neg, eps, dist = _support(points, p_pos, p_neg, eps, norm)
    n = pts.shape[0]
    if n > 16:
        raise ValueError(f"points must have at most 16 rows for the exhaustive search, got {n}")
    s = labels_pm1(labels, "labels")
    if s.shape[-1:] != (n,):
        raise ValueError(f"labels must have last axis {n}, got {s.shape}")
    lam = float(nonnegative(lam, "lam"))
    batch = s.shape[:-1]
    sf = s.reshape(-1, n)
    subsets = all_labelings(n) > 0  # (2^n, n) membership masks
    within, conflict = dist <= eps, dist <= 2 * eps
    out = np.empty(len(sf))
    for k, lab in enumerate(sf):
        cost = np.where(lab > 0, p_pos, p_neg)  # P(x, y = labels(x)): the mass that can be attacked
        ok_ii = ~np.any(within & (lab[:, None] != lab[None, :]), axis=1)
        bad_pair = conflict & (lab[:, None] != lab[None, :])
        feas = ~np.any(subsets & ~ok_ii, axis=1)
        feas &= ~np.einsum("ki,ij,kj->k", subsets.astype(float), bad_pair.astype(float),
                           subsets.astype(float)).astype(bool)
        saved = np.max(np.where(feas, subsets @ cost, -np.inf))
        out[k] = _risk01(lab, p_pos, p_neg) + lam * (cost.sum() - saved)
    return out.reshape(batch)[()]


def _uniform_sum_cdf(s, alpha, beta):
    """P(A + B <= s) for independent A ~ U[0, alpha], B ~ U[0, beta], alpha, beta >= 0 (s may be +-inf)."""
    a, bb = np.minimum(alpha, beta), np.maximum(alpha, beta)
    s = np.clip(s, 0.0, a + bb)  # P = 0 below 0 and 1 above a + bb: the formulas below stay finite
    safe_b = np.where(bb > 0, bb, 1.0)

    def G(u):  # CDF of U[0, bb]
        return np.where(bb > 0, np.clip(u / safe_b, 0.0, 1.0), (u >= 0).astype(float))

    def H(u):  # antiderivative of G
        u = np.asarray(u, float)
        return np.where(u <= 0, 0.0, np.where(u <= bb, u * u / (2 * safe_b), u - bb / 2))

    small = a <= 1e-7 * np.maximum(bb, 1e-300)
    safe_a = np.where(small, 1.0, a)
    return np.clip(np.where(small, G(s - a / 2), (H(s) - H(s - a)) / safe_a), 0.0, 1.0)


def uniform_squares_risks(w, b, eps, *, norm=None, p_pos=0.75, center=1.2, side=2.0):
    """Classification and robust 0-1 risks of f(x) = w.x + b in suggala2019's uniform-squares example, exactly.

    y = +1 with probability p_pos, x | y uniform on the axis-aligned square of side ``side``
    centred at (y center, 0). Returns R = P(y f(x) <= 0) and G = P(y f(x) <= eps ||w||_*),
    the probability that some ||delta||_p <= eps makes sign f(x + delta) != y. The value of
    objective (6) with weight lam is then (1 - lam) R + lam G (the per-point excess is
    1{robustly wrong} - 1{wrong}). Each probability is the CDF of a sum of two independent
    uniforms (a piecewise-quadratic closed form).

    Source: suggala2019 section 6, discussion after Theorem 6 (P(y = 1) = 3/4, squares of side 2
    at (+-1.2, 0), separation 0.4, l-inf perturbations).

    Parameters
    ----------
    w : array_like, shape (..., 2)
    b, eps : array_like, broadcasting against w's leading axes; eps >= 0 (or a ThreatModel)
    norm : keyword-only, p (None: inf, the paper's l-inf); p_pos in (0, 1); center > 0; side > 0
        (all keyword-only)

    Returns
    -------
    (R, G) : two ndarrays of the broadcast batch shape.

    Examples
    --------
    The threshold x_1 = -0.4 at eps = 0.6 (docs: the optimum of (6) at lam = 1): it errs on the part (-0.4, -0.2] of the
    negative square (R = (0.2/2)(1/4)) and is attackable on [-1, -0.2] (G = (0.8/2)(1/4)):

    >>> r, g = uniform_squares_risks([1.0, 0.0], 0.4, 0.6)
    >>> round(float(r), 12), round(float(g), 12)
    (0.025, 0.1)
    """
    w = as_vector(w, "w")
    if w.shape[-1] != 2:
        raise ValueError(f"w must have last axis 2, got shape {w.shape}")
    b = as_array(b, "b")
    q, eps = resolve(eps, norm)
    p_pos = float(in_open_interval(p_pos, "p_pos", 0.0, 1.0))
    center, side = float(positive(center, "center")), float(positive(side, "side"))
    _batch(w=w[..., 0], b=b, eps=eps)
    # P(y (w.x + b) <= t) is unchanged when x is measured in units of L = max(side, center) and
    # (w, b, t) are divided by m = max(|w_1|, |w_2|, |b| / L): every quantity below is then O(1).
    size = max(side, center)
    h, c = side / size / 2, center / size
    b = b / size
    m = np.maximum(np.max(np.abs(w), axis=-1), np.abs(b))
    safe_m = np.where(m > 0, m, 1.0)
    w, b = w / safe_m[..., None], b / safe_m
    budget = (eps / size) * dual_norm(w, q)
    a1, a2 = np.abs(w[..., 0]) * 2 * h, np.abs(w[..., 1]) * 2 * h

    def p_le(y, t):
        # P(y (w.x + b) <= t | y): y w.x = y w1 x1 + y w2 x2, x1 ~ U[y c - h, y c + h], x2 ~ U[-h, h].
        # y w_i x_i = (min value) + U[0, |w_i| side].
        lo = y * w[..., 0] * (y * c) - np.abs(w[..., 0]) * h - np.abs(w[..., 1]) * h
        return _uniform_sum_cdf(t - y * b - lo, a1, a2)

    risk = p_pos * p_le(1.0, 0.0) + (1 - p_pos) * p_le(-1.0, 0.0)
    rob = p_pos * p_le(1.0, budget) + (1 - p_pos) * p_le(-1.0, budget)
    return np.minimum(risk, 1.0)[()], np.minimum(rob, 1.0)[()]


# ------------------------------------------------------------------------------------------
# wen2020: margins, ramp loss, the generalization bound
# ------------------------------------------------------------------------------------------

def _scores_labels(scores, y):
    scores = as_vector(scores, "scores")
    if scores.shape[-1] < 2:
        raise ValueError(f"scores must have at least 2 classes along the last axis, got shape {scores.shape}")
    y = np.asarray(y)
    if not np.issubdtype(y.dtype, np.integer):
        raise ValueError(f"y must hold integer class indices, got dtype {y.dtype}")
    if np.any((y < 0) | (y >= scores.shape[-1])):
        bad = y[(y < 0) | (y >= scores.shape[-1])].ravel()[0]
        raise ValueError(f"y must lie in [0, {scores.shape[-1] - 1}], got {bad}")
    _batch(scores=scores[..., 0], y=y)
    return scores, y


def margin(scores, y):
    """The margin operator M(s, y) = s_y - max_{i != y} s_i.

    M > 0 iff class y has the strictly largest score (a correct prediction with no tie).

    Source: wen2020 Definition 3.

    Parameters
    ----------
    scores : array_like, shape (..., L), L >= 2
    y : integer array_like of class indices in [0, L), broadcasting against scores.shape[:-1]

    Returns
    -------
    ndarray, the broadcast batch shape.

    Examples
    --------
    >>> margin([[2.0, 1.0, 0.0], [1.0, 3.0, 2.0]], [0, 0]).tolist()  # 2 - 1; 1 - 3
    [1.0, -2.0]
    """
    scores, y = _scores_labels(scores, y)
    batch = np.broadcast_shapes(scores.shape[:-1], y.shape)
    s = np.broadcast_to(scores, batch + scores.shape[-1:])
    yy = np.broadcast_to(y, batch)[..., None]
    sy = np.take_along_axis(s, yy, axis=-1)[..., 0]
    others = np.where(np.arange(s.shape[-1]) == yy, -np.inf, s)
    return (sy - others.max(axis=-1))[()]


def ramp_loss(r, gamma):
    """The ramp loss l_gamma(r): 0 for r < -gamma, 1 + r / gamma on [-gamma, 0], 1 for r > 0.

    Applied to r = -M (minus the margin) it is 1 for a wrong prediction, 1 - M/gamma for
    0 <= M <= gamma and 0 beyond.

    Source: wen2020 Definition 4.

    Parameters
    ----------
    r : array_like (may contain +-inf)
    gamma : array_like > 0, broadcasting

    Returns
    -------
    ndarray in [0, 1].

    Examples
    --------
    >>> ramp_loss([-2.0, -0.5, 0.0, 1.0], 1.0).tolist()
    [0.0, 0.5, 1.0, 1.0]
    """
    r = as_array(r, "r", allow_inf=True)
    gamma = positive(gamma, "gamma")
    _batch(r=r, gamma=gamma)
    return np.clip(1.0 + r / gamma, 0.0, 1.0)[()]


def ramp_risk(scores, y, gamma, weights=None):
    """The ramp risk R_gamma = E l_gamma(-M(scores, y)) over a finite (e.g. empirical) sample.

    Source: wen2020 Definition 5.

    Parameters
    ----------
    scores : array_like, shape (n, L); y : integers, shape (n,)
    gamma : float > 0; weights : shape (n,), >= 0, normalized to sum 1 (uniform if None)

    Returns
    -------
    float in [0, 1].

    Examples
    --------
    >>> ramp_risk([[2.0, 0.0], [0.5, 0.0], [0.0, 1.0]], [0, 0, 0], 1.0)  # margins 2, 0.5, -1: losses 0, 0.5, 1
    0.5
    """
    scores = as_vector(scores, "scores")
    if scores.ndim != 2:
        raise ValueError(f"scores must have shape (n, L), got {scores.shape}")
    y = np.asarray(y)
    if y.shape != (scores.shape[0],):
        raise ValueError(f"y must have shape ({scores.shape[0]},), got {y.shape}")
    gamma = float(positive(gamma, "gamma"))
    p = probability_weights(weights, scores.shape[0])
    return float(p @ ramp_loss(-margin(scores, y), gamma))


def u_min(weights, v_min):
    """wen2020's lower bound on margins, min_{y != y'} ||w_y - w_y'||_2 * prod_{i < L} sigma_min(W^i) * v_min.

    As printed this is NOT a valid lower bound for ReLU networks: see the claim
    ``wen2020.eq5`` (a 2-2-2 network with W^1 = I has margin 2 at instance-space margin 2,
    below 2 sqrt 2). It is valid for networks that act linearly on the segment to the
    nearest boundary point and whose hidden matrices W^i have full row rank (h_i <= h_{i-1}).

    Source: wen2020 eq. (5), Theorem 3.1.

    Parameters
    ----------
    weights : sequence of L >= 1 matrices; W^i has shape (h_i, h_{i-1}) (x_i = relu(W^i x_{i-1}));
        the rows w_y of the last matrix W^L are the class score vectors (at least 2 rows).
    v_min : array_like >= 0, the smallest instance-space margin (Definition 6).

    Returns
    -------
    ndarray, the shape of v_min.

    Examples
    --------
    >>> round(float(u_min([np.eye(2), np.eye(2)], 2.0)), 6)  # ||w_1 - w_2|| sigma_min(I) v_min = 2 sqrt 2
    2.828427
    """
    if isinstance(weights, np.ndarray) and weights.ndim == 2:
        weights = [weights]
    try:
        mats = [as_array(W, f"weights[{i}]") for i, W in enumerate(weights)]
    except TypeError as exc:
        raise ValueError(f"weights must be a sequence of 2-D arrays, got {weights!r}") from exc
    if not mats:
        raise ValueError("weights must contain at least one matrix, got an empty sequence")
    for i, W in enumerate(mats):
        if W.ndim != 2 or W.size == 0:
            raise ValueError(f"weights[{i}] must be a non-empty 2-D matrix, got shape {W.shape}")
        if i and W.shape[1] != mats[i - 1].shape[0]:
            raise ValueError(f"weights[{i}] must have {mats[i - 1].shape[0]} columns, got shape {W.shape}")
    last = mats[-1]
    if last.shape[0] < 2:
        raise ValueError(f"the last weight matrix must have at least 2 rows (classes), got shape {last.shape}")
    v_min = nonnegative(v_min, "v_min")
    diff = min(float(np.linalg.norm(last[i] - last[j])) for i, j in itertools.combinations(range(last.shape[0]), 2))
    sig = np.prod([np.linalg.svd(W, compute_uv=False).min() for W in mats[:-1]]) if len(mats) > 1 else 1.0
    return (diff * sig * v_min)[()]


def theorem31_bound(u_min_value, gamma, m, failure_prob, c_x, k, eps, split=True):
    """The generalization-error bound of wen2020 Theorem 3.1 (eq. 4) for the ramp loss.

    With delta = ``failure_prob`` (the paper's eta),

    GE(l_gamma o T) <= max{0, 1 - u_min/gamma} + sqrt(2 log(2) C_X^k / (eps^k m)) + sqrt(2 log(1/delta) / m),

    with probability at least 1 - delta over an i.i.d. sample of size m. With ``split=False`` the
    two square roots are kept together as in Xu & Mannor's Theorem C.1 (appendix C, eq. (6) with
    M = 1 and K = (C_X/eps)^k partitions): sqrt((2 K log 2 + 2 log(1/delta)) / m), which is smaller;
    eq. (4) follows from it by sqrt(a + b) <= sqrt(a) + sqrt(b).

    Source: wen2020 Theorem 3.1, eq. (4); appendix C, Theorem C.1.

    Parameters
    ----------
    u_min_value : array_like >= 0: the margin lower bound of eq. (5) (see :func:`u_min`)
    gamma : > 0, the ramp width
    m : int >= 1, the sample size
    failure_prob : in (0, 1), the failure probability (the paper's eta)
    c_x : > 0, the covering constant C_X of the k-dimensional data manifold
    k : int >= 1, its dimension
    eps : > 0, the covering radius (at most the adversarial-robustness radius eps_0); a radius
        of a covering of the data manifold, not a threat model
    split : bool, eq. (4) as printed (True) or the single square root of Theorem C.1 (False)

    Returns
    -------
    ndarray (broadcast shape of the array arguments).

    Examples
    --------
    >>> round(float(theorem31_bound(2.0, 1.0, 10**6, 0.05, 1.0, 1, 0.5)), 6)  # 0 + sqrt(4 ln2/m) + sqrt(2 ln20/m)
    0.004113
    """
    u = nonnegative(u_min_value, "u_min_value")
    gamma = positive(gamma, "gamma")
    m = float(positive_int(m, "m", maximum=10**300))
    delta = in_open_interval(failure_prob, "failure_prob", 0.0, 1.0)
    c_x, eps = positive(c_x, "c_x"), positive(eps, "eps")
    k = float(positive_int(k, "k", maximum=10**300))
    _batch(u=u, gamma=gamma, failure_prob=delta, c_x=c_x, eps=eps)
    first = np.maximum(0.0, 1.0 - u / gamma)
    log_k = k * (np.log(c_x) - np.log(eps))  # log K, K = (C_X / eps)^k
    with np.errstate(over="ignore"):  # K beyond the float range: the bound is vacuous (+inf)
        a = 2.0 * np.log(2.0) * np.exp(log_k) / m
    bterm = 2.0 * np.log(1.0 / delta) / m
    rest = np.sqrt(a) + np.sqrt(bterm) if split else np.sqrt(a + bterm)
    return (first + rest)[()]
