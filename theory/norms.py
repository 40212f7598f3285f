"""lp norms, dual exponents, and Euclidean projections onto lp balls.

The one home of every norm computation in :mod:`theory`. Vectors lie along the last
axis; leading axes broadcast.

Source: standard convex analysis. The dual norm of lp is lq with 1/p + 1/q = 1, and
``sup_{||d||_p <= eps} w.d = eps ||w||_q`` (Hoelder) is the step behind suggala2019
Theorem 1.2. The l1-ball projection is the sort-and-threshold algorithm of Duchi et
al. (2008).
"""

from __future__ import annotations

import numpy as np

from theory._validate import as_vector, check_norm, nonnegative

__all__ = [
    "dual_exponent",
    "lp_norm",
    "dual_norm",
    "project_onto_lp_ball",
    "distance_to_lp_ball",
]


def dual_exponent(p) -> float:
    """The exponent q of the dual norm: 1/p + 1/q = 1 (1 <-> inf).

    Raises ValueError unless 1 <= p <= inf.
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
    """
    p = check_norm(p)
    x = np.asarray(x, dtype=float)
    a = np.abs(x)
    if np.isinf(p):
        return a.max(axis=axis)
    if p == 1:
        return a.sum(axis=axis)
    if p == 2:
        return np.sqrt(np.einsum("...i,...i->...", x, x)) if axis in (-1, x.ndim - 1) else (
            np.linalg.norm(x, axis=axis)
        )
    scale = a.max(axis=axis, keepdims=True)
    safe = np.where(scale > 0, scale, 1.0)
    return np.squeeze(safe, axis=axis) * np.sum((a / safe) ** p, axis=axis) ** (1.0 / p)


def dual_norm(x, p, axis: int = -1) -> np.ndarray:
    """||x||_* for the lp norm: the lq norm with 1/p + 1/q = 1."""
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
    tau = (np.take_along_axis(css, (rho - 1)[..., None], axis=-1)[..., 0] - r) / rho
    tau = np.where(inside, 0.0, np.maximum(tau, 0.0))
    return np.sign(v) * np.maximum(a - tau[..., None], 0.0)


def _project_lp_general(v: np.ndarray, r: np.ndarray, p: float, iters: int = 120) -> np.ndarray:
    """Euclidean projection onto {||z||_p <= r}, 1 < p < inf, by nested bisection on the KKT system.

    The minimizer has z_i = sign(v_i) g_i with g_i + lam * g_i**(p-1) = |v_i| for one
    multiplier lam >= 0 chosen so that ||g||_p = r (when v lies outside the ball).
    """
    a = np.abs(v)
    inside = lp_norm(a, p) <= r

    def g_of(lam):
        lo = np.zeros_like(a)
        hi = a.copy()
        for _ in range(iters):
            mid = 0.5 * (lo + hi)
            too_big = mid + lam[..., None] * mid ** (p - 1.0) > a
            hi = np.where(too_big, mid, hi)
            lo = np.where(too_big, lo, mid)
        return 0.5 * (lo + hi)

    lam_hi = np.ones(a.shape[:-1])
    for _ in range(200):
        over = lp_norm(g_of(lam_hi), p) > r
        if not over.any():
            break
        lam_hi = np.where(over, 2.0 * lam_hi, lam_hi)
    lam_lo = np.zeros_like(lam_hi)
    for _ in range(iters):
        mid = 0.5 * (lam_lo + lam_hi)
        over = lp_norm(g_of(mid), p) > r
        lam_lo = np.where(over, mid, lam_lo)
        lam_hi = np.where(over, lam_hi, mid)
    g = g_of(lam_hi)
    return np.where(inside[..., None], v, np.sign(v) * g)


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
    if p == 1:
        return _project_l1(v, r)
    return _project_lp_general(v, r, p)


def distance_to_lp_ball(v, radius, p) -> np.ndarray:
    """The l2 distance from v to the lp ball of the given radius: ||v - proj(v)||_2.

    Source: for the Gaussian mixture this is the largest achievable robust margin,
    ``max_{||w||_2 = 1} (w.theta - eps ||w||_*) = dist_2(theta, B_p(eps))`` (minimax
    theorem); see :func:`theory.gaussian.optimal_linear_robust_classifier`.
    """
    v = as_vector(v, "v")
    return lp_norm(v - project_onto_lp_ball(v, radius, p), 2)
