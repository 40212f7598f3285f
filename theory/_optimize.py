"""One home for the small optimization kernels the closed forms share.

- :func:`golden_section`: vectorized golden-section search of unimodal functions, one
  bracket per entry (used by :mod:`theory.tradeoff`, :mod:`theory.calibration` and
  :func:`flip_cost`).
- :func:`flip_cost`: F(v) = inf_{t >= 0} eps ||w - t theta||_q + t v, the price of flipping
  sign(w.x) while keeping sign(theta.x), which is the inner problem of suggala2019's
  base-relative adversarial risk (Definition 2), used by
  :func:`theory.gaussian.base_relative_adversarial_risk` and the base-relative losses of
  :mod:`theory.regularization`.
"""

from __future__ import annotations

import numpy as np

from theory.norms import dual_exponent, lp_norm, ray_breakpoints

__all__ = ["golden_section", "flip_cost", "flip_function", "flip_lines", "INVPHI"]

INVPHI = (np.sqrt(5.0) - 1.0) / 2.0
"""1/phi = 0.618...: the fraction of a golden-section bracket kept per step."""


def golden_section(f, lo, hi, iters: int = 64):
    """Vectorized golden-section search: a local minimizer of f in each bracket [lo_k, hi_k].

    ``f`` maps an array of points of the brackets' shape to the values there (one call per
    step, one new point per bracket: the other interior point is reused). After ``iters``
    steps each bracket has shrunk by 0.618**iters (64 steps: 4e-14).

    Returns
    -------
    (x, fx) : the better of the two final interior points and its value, per bracket.

    Examples
    --------
    >>> x, fx = golden_section(lambda t: (t - np.array([0.3, 2.0])) ** 2, [0.0, 0.0], [1.0, 5.0])
    >>> np.round(x, 10).tolist()
    [0.3, 2.0]
    """
    a = np.array(lo, dtype=np.float64)
    b = np.array(hi, dtype=np.float64)
    c = b - INVPHI * (b - a)
    e = a + INVPHI * (b - a)
    fc, fe = f(c), f(e)
    for _ in range(iters):
        left = fc <= fe  # the minimum lies in [a, e]
        a, b = np.where(left, a, c), np.where(left, e, b)
        # the kept interior point moves into its new role; one new point per bracket
        new = np.where(left, b - INVPHI * (b - a), a + INVPHI * (b - a))
        fnew = f(new)
        c, e, fc, fe = (np.where(left, new, e), np.where(left, c, new),
                        np.where(left, fnew, fe), np.where(left, fc, fnew))
    better = fc <= fe
    return np.where(better, c, e), np.where(better, fc, fe)


def flip_lines(w, theta, eps, q):
    """For a polyhedral dual norm (q = 1 or inf): F(v) = min_j (intercept_j + slope_j v).

    t -> eps ||w - t theta||_q + t v is convex and piecewise linear, so its infimum over
    t >= 0 is attained at t = 0 or at a kink (:func:`theory.norms.ray_breakpoints`); each
    candidate t_j is a line in v with slope t_j. Batched over the leading axes of ``w``.

    Returns
    -------
    (slopes, intercepts) : arrays of shape (..., k + 1); the first column is t = 0.
    """
    w = np.asarray(w, dtype=np.float64)
    theta = np.asarray(theta, dtype=np.float64)
    cand = ray_breakpoints(w, theta, q)
    slopes = np.concatenate([np.zeros(cand.shape[:-1] + (1,)), cand], axis=-1)
    moved = w[..., None, :] - slopes[..., None] * theta[..., None, :]
    return slopes, np.asarray(eps, dtype=np.float64)[..., None] * lp_norm(moved, q)


def _l2_parts(w, theta):
    """beta = w.theta / ||theta||^2, a = ||w - beta theta||, n = ||theta|| (batched; beta = 0 when theta = 0)."""
    n = np.linalg.norm(theta, axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        beta = np.where(n > 0, np.einsum("...i,...i->...", w, theta) / np.where(n > 0, n * n, 1.0), 0.0)
    a = np.linalg.norm(w - beta[..., None] * theta, axis=-1)
    return beta, a, n


def _l2_value(beta, a, n, at_zero, v, eps):
    """The p = 2 closed form of :func:`flip_cost`, written in r = v / (eps n) so that no square overflows."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        r = v / (eps * n)
        root = np.sqrt(np.maximum(1.0 - r * r, 0.0))
        t_star = beta - r * a / (n * root)
        curved = beta * v + a * eps * root
        interior = (n > 0) & (eps > 0) & (r < 1) & (t_star >= 0)
    return np.where(interior, np.minimum(curved, at_zero), at_zero)


def flip_function(w, theta, eps, p):
    """F of :func:`flip_cost` for one classifier, precomputed: a callable ``v -> F(v)`` (p = 1, 2, inf).

    For repeated evaluation (quadrature over v): the lines of :func:`flip_lines` or the p = 2
    closed form's constants are computed once.
    """
    w = np.asarray(w, dtype=np.float64)
    theta = np.asarray(theta, dtype=np.float64)
    q = dual_exponent(p)
    if q == 2:
        beta, a, n = _l2_parts(w, theta)
        at_zero = eps * lp_norm(w, 2.0)
        return lambda v: _l2_value(beta, a, n, at_zero, np.asarray(v, dtype=np.float64), eps)
    if q == 1 or np.isinf(q):
        slopes, intercepts = flip_lines(w, theta, eps, q)
        return lambda v: np.min(intercepts[:, None] + slopes[:, None] * np.atleast_1d(v)[None, :], axis=0)
    raise ValueError(f"flip_function is precomputed for p = 1, 2 and inf only, got p = {p}; use flip_cost")


def flip_cost(w, theta, v, eps, p) -> np.ndarray:
    """F(v) = inf_{t >= 0} eps ||w - t theta||_q + t v for v >= 0, q the dual exponent of p.

    Batched: ``w`` and ``theta`` of shape (..., d), ``v`` and ``eps`` broadcasting against the
    batch shape. Exact for p = 2 (closed form below), p = 1 and p = inf (the function of t is
    convex and piecewise linear, so its minimum is at t = 0 or at a kink,
    :func:`theory.norms.ray_breakpoints`); for other p a golden-section search on [0, T],
    T = 2 eps ||w||_q / (eps ||theta||_q + v) (beyond T the convex function exceeds its value at
    0), together with t = 0.

    p = 2: with beta = w.theta / ||theta||^2, a = ||w - beta theta|| and n = ||theta||,
    F(v) = beta v + a sqrt(eps^2 - (v/n)^2) when v < eps n and the minimizer
    t = beta - v a / (n sqrt(eps^2 n^2 - v^2)) is >= 0, and F(v) = eps ||w|| (t = 0) otherwise.

    Source: suggala2019 Definition 2 and appendix C (the dual of the inner problem).
    """
    w = np.asarray(w, dtype=np.float64)
    theta = np.asarray(theta, dtype=np.float64)
    v = np.asarray(v, dtype=np.float64)
    eps = np.asarray(eps, dtype=np.float64)
    q = dual_exponent(p)
    at_zero = eps * lp_norm(w, q)
    if q == 2:
        beta, a, n = _l2_parts(w, theta)
        return _l2_value(beta, a, n, at_zero, v, eps)
    if q == 1 or np.isinf(q):
        slopes, intercepts = flip_lines(w, theta, eps, q)
        return (intercepts + slopes * v[..., None]).min(axis=-1)

    def phi(t):
        return eps * lp_norm(w - t[..., None] * theta, q) + t * v

    den = eps * lp_norm(theta, q) + v
    with np.errstate(divide="ignore", invalid="ignore"):
        hi = np.where(den > 0, 2.0 * eps * lp_norm(w, q) / np.where(den > 0, den, 1.0), 0.0)
    hi = np.broadcast_to(hi, np.broadcast_shapes(hi.shape, v.shape, eps.shape)).copy()
    _, best = golden_section(phi, np.zeros_like(hi), hi, iters=90)
    return np.minimum(best, at_zero)
