"""lp norms, dual exponents, and Euclidean projections onto lp balls.

The one home of every norm computation in :mod:`theory`. Vectors lie along the last
axis; leading axes broadcast. ``p`` is always an lp exponent, 1 <= p <= inf, read by
:func:`theory._validate.check_norm` (1, 2, ``np.inf``, the strings "l1", "l2", "linf";
an integer beyond the float range, e.g. ``10**400``, is the max norm rather than an
OverflowError). These are norms, not threat models: the radius of a ball is ``radius``.

Source: standard convex analysis. The dual norm of lp is lq with 1/p + 1/q = 1, and
``sup_{||d||_p <= eps} w.d = eps ||w||_q`` (Hoelder) is the step behind suggala2019
Theorem 1.2. The l1-ball projection is the sort-and-threshold algorithm of Duchi et
al. (2008).

Domain and NaN. :func:`lp_norm`, :func:`dual_norm` and :func:`ray_breakpoints` are
numerical kernels: like numpy ufuncs they propagate NaN (a vector with a NaN entry has a
NaN norm) and accept infinities (``||(inf, 1)||_p = inf``); they refuse what is outside
their domain with a ``ValueError`` (a non-real x, an exponent p < 1 or NaN, a scalar where a
vector is needed). :func:`dual_exponent`, :func:`project_onto_lp_ball` and
:func:`distance_to_lp_ball` validate like the public risk functions: NaN or infinite input
raises ``ValueError``.
"""

from __future__ import annotations

import numpy as np
from scipy.special import logsumexp

from theory._validate import _short, as_vector, check_norm, nonnegative, real_array

__all__ = [
    "dual_exponent",
    "lp_norm",
    "dual_norm",
    "project_onto_lp_ball",
    "distance_to_lp_ball",
    "ray_breakpoints",
]


def dual_exponent(p) -> float:
    """The exponent q of the dual norm: 1/p + 1/q = 1 (1 <-> inf).

    Raises ValueError unless 1 <= p <= inf.

    Examples
    --------
    >>> dual_exponent(1), dual_exponent(2), dual_exponent(np.inf), dual_exponent(3)  # 1/3 + 2/3 = 1
    (inf, 2.0, 1.0, 1.5)
    """
    p = check_norm(p)
    if p == 1:
        return np.inf
    if np.isinf(p):
        return 1.0
    return p / (p - 1.0)


def lp_norm(x, p, axis: int = -1) -> np.ndarray:
    """||x||_p along ``axis`` for 1 <= p <= inf, without overflow for general p.

    Parameters
    ----------
    x : array_like, shape (..., d)
    p : float or np.inf

    Returns
    -------
    ndarray, shape (...)

    Raises
    ------
    ValueError
        For p outside [1, inf], a non-real or scalar x, or an ``axis`` that is not an axis of x
        (out of range for x's ndim, however large, or not an integer).

    Examples
    --------
    >>> float(lp_norm([3.0, -4.0], 1)), float(lp_norm([3.0, -4.0], 2)), float(lp_norm([3.0, -4.0], np.inf))
    (7.0, 5.0, 4.0)
    >>> bool(np.isclose(lp_norm([1e200, 1e200], 2), np.sqrt(2) * 1e200))  # the squares would overflow
    True
    >>> lp_norm([[3.0, 4.0], [1.0, 0.0]], 2).tolist()  # one norm per row
    [5.0, 1.0]
    """
    p = check_norm(p)
    x = real_array(x, "x")
    if x.ndim == 0:
        raise ValueError(f"x must have at least one axis (the vector lies along axis={axis!r}), got a scalar")
    try:
        xs = np.moveaxis(x, axis, -1)
    except (np.exceptions.AxisError, TypeError, OverflowError) as exc:  # OverflowError: axis=10**13
        raise ValueError(f"axis must be an axis of x, an integer in [-{x.ndim}, {x.ndim - 1}] for x with "
                         f"ndim {x.ndim} (shape {x.shape}), got {_short(axis)}") from exc
    if xs.shape[-1] == 0:  # the empty sum and the empty maximum of |x_i| >= 0 are both 0
        return np.zeros(xs.shape[:-1])[()]
    a = np.abs(xs)
    if np.isinf(p):
        return a.max(axis=-1)
    if p == 1:
        return a.sum(axis=-1)
    if p == 2:
        out = np.sqrt(np.einsum("...i,...i->...", xs, xs))
        extreme = ~((out > 1e-150) & (out < 1e150))  # also NaN and inf
        if extreme.any():  # under- or overflow of the squares: rescale those rows by their max
            rows = a[extreme]
            big = rows.max(axis=-1)  # NaN if the row has a NaN (propagated), inf if it has an inf
            safe = np.where((big > 0) & np.isfinite(big), big, 1.0)
            with np.errstate(invalid="ignore", over="ignore"):
                scaled = safe * np.sqrt(np.einsum("...i,...i->...", rows / safe[:, None], rows / safe[:, None]))
            out = np.array(out, dtype=float)
            out[extreme] = np.where(np.isnan(big), np.nan, np.where(np.isinf(big), np.inf,
                                                                      np.where(big > 0, scaled, 0.0)))
        return out[()] if np.ndim(out) == 0 else out
    scale = a.max(axis=-1, keepdims=True)
    safe = np.where((scale > 0) & np.isfinite(scale), scale, 1.0)
    with np.errstate(invalid="ignore", over="ignore"):
        out = np.squeeze(safe, axis=-1) * np.sum((a / safe) ** p, axis=-1) ** (1.0 / p)
    top = np.squeeze(scale, axis=-1)
    return np.where(np.isnan(top), np.nan, np.where(np.isinf(top), np.inf, out))[()]


def dual_norm(x, p, axis: int = -1) -> np.ndarray:
    """||x||_* for the lp norm: the lq norm with 1/p + 1/q = 1. Raises as :func:`lp_norm`.

    Examples
    --------
    >>> float(dual_norm([3.0, -4.0], np.inf)), float(dual_norm([3.0, -4.0], 1))  # l1 and l-inf
    (7.0, 4.0)
    """
    return lp_norm(x, dual_exponent(p), axis=axis)


def _project_l1(v: np.ndarray, r: np.ndarray) -> np.ndarray:
    """Euclidean projection of v onto {||z||_1 <= r} along the last axis (Duchi et al. 2008)."""
    a = np.abs(v)
    inside = a.sum(axis=-1) <= r
    u = -np.sort(-a, axis=-1)
    css = np.cumsum(u, axis=-1)
    j = np.arange(1, v.shape[-1] + 1)
    cond = u - (css - r[..., None]) / j > 0
    rho = v.shape[-1] - np.argmax(cond[..., ::-1], axis=-1)  # last index where cond holds, 1-based
    rho = np.where(cond.any(axis=-1), rho, 1)  # r below rounding of u_1: only the top entry survives
    tau = (np.take_along_axis(css, (rho - 1)[..., None], axis=-1)[..., 0] - r) / rho
    tau = np.where(inside, 0.0, np.maximum(tau, 0.0))
    out = np.sign(v) * np.maximum(a - tau[..., None], 0.0)
    return np.where((r == 0)[..., None], 0.0, out)


def _project_lp_general(v: np.ndarray, r: np.ndarray, p: float, iters: int = 200) -> np.ndarray:
    """Euclidean projection onto {||z||_p <= r}, 1 < p < inf, by nested bisection on the KKT system.

    The minimizer has z_i = sign(v_i) g_i with g_i + lam * g_i**(p-1) = |v_i| for one
    multiplier lam >= 0 chosen so that ||g||_p = r (when v lies outside the ball).
    Since g_i <= (|v_i| / lam)**(1/(p-1)), lam_hi = (|| |v|**(1/(p-1)) ||_p / r)**(p-1)
    already puts g inside the ball; lam is bisected geometrically below that, and each
    g_i by plain bisection on [0, |v_i|].
    """
    a = np.abs(v)
    inside = lp_norm(a, p) <= r
    safe_r = np.where(r > 0, r, 1.0)

    def g_of(lam):
        lo = np.zeros_like(a)
        hi = a.copy()
        for _ in range(iters):
            mid = 0.5 * (lo + hi)
            with np.errstate(over="ignore"):
                too_big = mid + lam[..., None] * mid ** (p - 1.0) > a
            hi = np.where(too_big, mid, hi)
            lo = np.where(too_big, lo, mid)
        return lo  # lo + lam lo**(p-1) <= |v_i|: never outside the ball once lam is large enough

    with np.errstate(divide="ignore"):
        # log || |v|**(1/(p-1)) ||_p in log space: the powers overflow for p near 1
        log_norm = logsumexp(p / (p - 1.0) * np.log(a), axis=-1) / p
    log_hi = (p - 1.0) * (np.maximum(log_norm, -690.0) - np.log(safe_r))
    log_hi = np.maximum(log_hi, 0.0) + 1.0
    log_lo = log_hi - 1500.0  # lam spans many orders of magnitude: bisect log(lam)
    for _ in range(iters // 2):
        mid = 0.5 * (log_lo + log_hi)
        over = lp_norm(g_of(np.exp(mid)), p) > safe_r
        log_lo = np.where(over, mid, log_lo)
        log_hi = np.where(over, log_hi, mid)
    g = g_of(np.exp(log_hi))
    return np.where(inside[..., None], v, np.where((r == 0)[..., None], 0.0, np.sign(v) * g))


def project_onto_lp_ball(v, radius, p) -> np.ndarray:
    """The point of the lp ball {z : ||z||_p <= radius} closest to v in the l2 norm.

    Exact closed forms for p = 1 (sort and threshold), 2 (scaling) and inf
    (clipping); nested bisection on the optimality conditions for other p
    (accurate to about 1e-12 relative).

    Parameters
    ----------
    v : array_like, shape (..., d)
    radius : array_like, broadcasting against v's leading axes; >= 0
    p : 1 <= p <= inf

    Returns
    -------
    ndarray, shape (..., d)

    Examples
    --------
    >>> np.round(project_onto_lp_ball([3.0, 4.0], 1.0, 2), 12).tolist()  # l2: scaling to the sphere
    [0.6, 0.8]
    >>> project_onto_lp_ball([3.0, 0.5], 1.0, np.inf).tolist()  # l-inf: clipping
    [1.0, 0.5]
    >>> project_onto_lp_ball([3.0, 1.0], 1.0, 1).tolist()  # l1: soft threshold at tau = 1.5
    [1.0, 0.0]
    >>> round(float(lp_norm(project_onto_lp_ball([3.0, 4.0], 1.0, 3), 3)), 9)  # general p: on the sphere
    1.0
    """
    p = check_norm(p)
    v = as_vector(v, "v")
    r = nonnegative(radius, "radius")
    r = np.broadcast_to(r, v.shape[:-1]).astype(float)
    if np.isinf(p):
        return np.clip(v, -r[..., None], r[..., None])
    if p == 2:
        n = lp_norm(v, 2)
        scale = np.where(n > r, r / np.where(n > 0, n, 1.0), 1.0)
        return v * scale[..., None]
    # The projection is homogeneous, proj(c v, c r) = c proj(v, r) for c > 0: rows with entries
    # near the float maximum are divided by a power of two (exact) so that sums of |v_i| (l1) and
    # the bisection's powers cannot overflow, and the result is scaled back.
    top = np.maximum(np.abs(v).max(axis=-1) if v.shape[-1] else 0.0, r)
    huge = top > 2.0**900
    if huge.any():
        c = np.where(huge, np.ldexp(1.0, -np.frexp(np.where(huge, top, 1.0))[1]), 1.0)
        return project_onto_lp_ball(v * c[..., None], r * c, p) / c[..., None]
    if p == 1:
        return _project_l1(v, r)
    return _project_lp_general(v, r, p)


def distance_to_lp_ball(v, radius, p) -> np.ndarray:
    """The l2 distance from v to the lp ball of the given radius: ||v - proj(v)||_2.

    Source: for the Gaussian mixture this is the largest achievable robust margin,
    ``max_{||w||_2 = 1} (w.theta - eps ||w||_*) = dist_2(theta, B_p(eps))`` (minimax
    theorem); see :func:`theory.gaussian.optimal_linear_robust_classifier`.

    Examples
    --------
    >>> float(distance_to_lp_ball([3.0, 4.0], 1.0, 2)), float(distance_to_lp_ball([0.2, 0.1], 1.0, 1))  # 5 - 1; inside
    (4.0, 0.0)
    >>> round(float(distance_to_lp_ball([1.0, 0.2], 0.5, np.inf)), 12)  # ||(1 - 0.5, 0)||_2
    0.5
    """
    v = as_vector(v, "v")
    return lp_norm(v - project_onto_lp_ball(v, radius, p), 2)


def ray_breakpoints(w, theta, q) -> np.ndarray:
    """The t >= 0 where t -> ||w - t theta||_q can have a kink, for the polyhedral norms q = 1 and inf.

    For q = 1 the kinks are the zeros t = w_i / theta_i of the terms; for q = inf also the
    crossings of +-(w_i - t theta_i) = +-(w_j - t theta_j). The function is convex and
    piecewise linear, so its minimum over t >= 0 (plus any linear term t v) is attained at
    t = 0 or at one of these points. Undefined or negative candidates are returned as 0
    (itself a candidate), so the shape is fixed.

    Source: used for F(v) = inf_t eps ||w - t theta||_* + t v, the dual description of the
    base-relative flip region (suggala2019 Definition 2; docs/suggala2019.md).

    Parameters
    ----------
    w, theta : ndarray, shape (..., d), broadcasting
    q : 1 or inf

    Returns
    -------
    ndarray, shape (..., K) with K = d (q = 1) or d + d (d - 1) (q = inf); a row of w or theta
    with a NaN gives a row of NaN (kernel rule, see the module docstring).

    Raises
    ------
    ValueError
        For q other than 1 and inf, non-real or scalar w / theta, or shapes that do not broadcast.

    Examples
    --------
    >>> ray_breakpoints([1.0, 2.0], [1.0, 1.0], 1).tolist()  # |1 - t| + |2 - t| kinks at 1 and 2
    [1.0, 2.0]
    >>> ray_breakpoints([1.0, 2.0], [1.0, 1.0], np.inf).tolist()  # max(|1 - t|, |2 - t|) also at 1.5; 0: none
    [1.0, 2.0, 0.0, 1.5]
    """
    q = check_norm(q, "q")
    if q != 1 and not np.isinf(q):
        raise ValueError(f"q must be 1 or inf (the polyhedral norms), got {q!r}")
    w, theta = real_array(w, "w"), real_array(theta, "theta")
    if w.ndim == 0 or theta.ndim == 0:
        raise ValueError(f"w and theta must be vectors along the last axis, got shapes {w.shape} and {theta.shape}")
    try:
        w, theta = np.broadcast_arrays(w, theta)
    except ValueError as exc:
        raise ValueError(f"shapes do not broadcast: w {w.shape}, theta {theta.shape}") from exc
    nan_rows = np.isnan(w).any(axis=-1) | np.isnan(theta).any(axis=-1)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):  # overflowing ratios are dropped below
        t = [w / theta]
        if np.isinf(q):
            i, j = np.triu_indices(w.shape[-1], 1)
            for s in (1.0, -1.0):
                t.append((w[..., i] - s * w[..., j]) / (theta[..., i] - s * theta[..., j]))
    t = np.concatenate(t, axis=-1)
    return np.where(nan_rows[..., None], np.nan, np.where(np.isfinite(t) & (t > 0), t, 0.0))
