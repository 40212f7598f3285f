"""Adversarially robust linear regression, population version: risks, adversarial training, the Pareto front.

Source: A. Javanmard, M. Soltanolkotabi, H. Hassani, "Precise tradeoffs in adversarial training for
linear regression", COLT 2020, arXiv:2002.10477 (the population quantities of sections 2-3: the
standard and adversarial risks of a linear estimator and their Pareto-optimal tradeoff).

Model: ``x ~ N(0, Sigma)`` in R^d (``cov=None`` is Sigma = I), ``y = x.theta0 + w`` with
``w ~ N(0, sigma^2)`` independent of x. For a linear estimator theta, with residual
``r = y - x.theta ~ N(0, s^2)``:

- standard risk ``SR(theta) = E r^2 = s^2 = sigma^2 + (theta - theta0)' Sigma (theta - theta0)``;
- adversarial risk ``AR(theta) = E max_{||delta||_p <= eps} (y - (x + delta).theta)^2``. Since
  ``delta.theta`` ranges over ``[-eps ||theta||_q, eps ||theta||_q]`` (Hoelder, q the dual exponent),
  the inner maximum of ``(r - delta.theta)^2`` is ``(|r| + eps ||theta||_q)^2``, and with
  ``E|r| = s sqrt(2/pi)``:
  ``AR(theta) = s^2 + 2 sqrt(2/pi) eps ||theta||_q s + eps^2 ||theta||_q^2``.

AR is convex in theta (the expectation of the square of the non-negative convex function
``|y - x.theta| + eps ||theta||_q``) and strictly convex when Sigma is positive definite. The
estimators of this module minimize ``(1 - weight) SR + weight AR`` (``weight = 1``: adversarial
training at radius eps, the population minimizer of the adversarial-training objective).

Threat norms: ``norm = 2`` and ``norm = inf`` for the estimators (the risks take any p >= 1).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import brentq, minimize

from theory._validate import (
    as_vector,
    broadcast,
    check_norm,
    covariance,
    matching_last_axis,
    nonnegative,
    positive,
    positive_int,
    probability,
)
from theory.norms import dual_exponent, dual_norm, lp_norm

__all__ = [
    "standard_risk",
    "regression_adversarial_risk",
    "adversarial_training_estimator",
    "tradeoff_estimator",
    "optimality_residual",
    "ParetoFront",
    "pareto_front",
]

K = float(np.sqrt(2.0 / np.pi))  # E|Z| for Z ~ N(0, 1)
MAX_DIM = 2000  # the estimators solve a d-dimensional convex problem: d is capped


def _cov(cov, d: int, *, definite: bool = False):
    """(cov / C, C): a symmetric positive semi-definite (definite) (d, d) matrix scaled to max |entry| 1."""
    if cov is None:
        return None, 1.0
    return covariance(cov, d, definite=definite)


def _residual_sd(theta, theta0, sigma, cov):
    """s = sqrt(sigma^2 + (theta - theta0)' Sigma (theta - theta0)) without overflow of the squares."""
    th = as_vector(theta, "theta")
    t0 = as_vector(theta0, "theta0")
    matching_last_axis(th, "theta", t0, "theta0")
    th, t0 = broadcast(theta=th, theta0=t0)
    sg = nonnegative(sigma, "sigma")
    cs, scale = _cov(cov, th.shape[-1])
    big = np.maximum(np.abs(th).max(axis=-1), np.abs(t0).max(axis=-1))
    S = np.where(big > 0, big, 1.0)[..., None]
    diff = th / S - t0 / S  # entries in [-2, 2]
    quad = np.einsum("...i,...i->...", diff, diff) if cs is None else np.einsum("...i,ij,...j->...", diff, cs, diff)
    root = np.sqrt(np.maximum(quad, 0.0))
    with np.errstate(over="ignore"):
        dist = np.where(root == 0, 0.0, S[..., 0] * np.sqrt(scale) * root)
    with np.errstate(over="ignore", invalid="ignore"):
        dist2 = np.where(quad <= 0, 0.0, (S[..., 0] ** 2 * scale) * quad)
    sg, dist, dist2 = broadcast(sigma=sg, theta=dist, theta0=dist2)
    with np.errstate(over="ignore"):
        s2 = sg * sg + dist2
    big = ~np.isfinite(s2)
    s = np.where(big, np.hypot(sg, dist), np.sqrt(s2))
    return s, s2, th


def standard_risk(theta, theta0, sigma, cov=None):
    """Standard (squared-error) risk of a linear estimator: ``E (y - x.theta)^2``.

    ``SR(theta) = sigma^2 + (theta - theta0)' Sigma (theta - theta0)`` for ``x ~ N(0, Sigma)``,
    ``y = x.theta0 + N(0, sigma^2)`` (Javanmard, Soltanolkotabi and Hassani, "Precise tradeoffs in
    adversarial training for linear regression", COLT 2020, arXiv:2002.10477, section 2).

    Parameters
    ----------
    theta : array_like, shape (..., d), the estimators (leading axes broadcast)
    theta0 : array_like, shape (..., d), the true coefficients
    sigma : float or array >= 0, the noise standard deviation
    cov : array_like (d, d) or None, the feature covariance Sigma (symmetric PSD; None: identity)

    Returns
    -------
    ndarray, shape (...): the risks (inf only where the true value exceeds the float range)

    Raises
    ------
    ValueError
        NaN or infinite input, sigma < 0, mismatched dimensions, a cov that is not a symmetric PSD (d, d) matrix.

    Examples
    --------
    >>> float(standard_risk([1.0, 0.0], [1.0, 1.0], 0.5))  # 0.25 + 1
    1.25
    >>> float(standard_risk([0.0, 0.0], [1.0, 1.0], 0.0, cov=[[2.0, 0.5], [0.5, 1.0]]))  # 2 + 1 + 2 * 0.5
    4.0
    """
    _, s2, _ = _residual_sd(theta, theta0, sigma, cov)
    return s2[()]


def regression_adversarial_risk(theta, theta0, eps, sigma, *, norm=2, cov=None):
    """Adversarial risk ``E max_{||delta||_p <= eps} (y - (x + delta).theta)^2`` of a linear estimator, exactly.

    With ``s^2`` the standard risk and ``a = ||theta||_q`` (q the dual exponent of p):
    ``AR = s^2 + 2 sqrt(2/pi) eps a s + eps^2 a^2`` (the inner maximum is ``(|r| + eps a)^2`` and
    ``E|r| = s sqrt(2/pi)`` for the Gaussian residual r). Javanmard, Soltanolkotabi and Hassani,
    COLT 2020, arXiv:2002.10477, section 2 (re-derived here; checked by Monte Carlo with the inner
    maximum found by brute force, claim ``beyond.regression.ar``).

    Parameters
    ----------
    theta, theta0 : array_like, shape (..., d)
    eps : float or array >= 0, the radius of the lp ball
    sigma : float or array >= 0
    norm : the threat norm p, 1 <= p <= inf
    cov : array_like (d, d) or None (identity)

    Returns
    -------
    ndarray, shape (...)

    Raises
    ------
    ValueError
        As :func:`standard_risk`, and for eps < 0 or a norm outside [1, inf].

    Examples
    --------
    >>> float(regression_adversarial_risk([1.0, 1.0], [1.0, 1.0], 0.0, 1.0))  # eps = 0: sigma^2
    1.0
    >>> ar = regression_adversarial_risk([1.0, 0.0], [1.0, 0.0], 0.1, 1.0)  # s = 1, a = 1
    >>> bool(np.isclose(ar, 1 + 2 * np.sqrt(2 / np.pi) * 0.1 + 0.01))
    True
    >>> float(regression_adversarial_risk([0.5, -0.5], [0.5, -0.5], 0.1, 0.0, norm=np.inf))  # (eps ||theta||_1)^2
    0.010000000000000002
    """
    p = check_norm(norm)
    s, s2, th = _residual_sd(theta, theta0, sigma, cov)
    e = nonnegative(eps, "eps")
    a = dual_norm(th, p)
    s, s2, e, a = broadcast(risk=s, risk_squared=s2, eps=e, theta=a)
    with np.errstate(over="ignore", invalid="ignore"):
        b = e * a
        cross = np.where(b == 0, 0.0, b * (2 * K * s + b))
        return (s2 + cross)[()]


# --------------------------------------------------------------------------------------------
# the convex problem min (1 - w) SR + w AR
# --------------------------------------------------------------------------------------------


def _parts(theta, t0, rho, e, w, cs, q):
    """Objective value, smooth gradient G = d/dtheta at fixed a, and h_a = d/da, on the scaled problem."""
    diff = theta - t0
    sd = diff if cs is None else cs @ diff
    s = max(float(np.sqrt(rho * rho + diff @ sd)), 1e-300)
    a = float(lp_norm(theta, q))
    f = s * s + w * (2 * K * e * a * s + e * e * a * a)
    G = (2.0 + w * 2 * K * e * a / s) * sd
    h_a = w * (2 * K * e * s + 2 * e * e * a)
    return f, G, h_a, a


def _residual(theta, t0, rho, e, w, cs, q):
    """Distance of 0 from the subdifferential of the scaled objective at theta, relative to its gradient scale."""
    _, G, h_a, a = _parts(theta, t0, rho, e, w, cs, q)
    ref = max(float(np.linalg.norm(G)), h_a, 1e-300)
    if q == 2:
        if a == 0:
            r = max(float(np.linalg.norm(G)) - h_a, 0.0)
        else:
            r = float(np.linalg.norm(G + h_a * theta / a))
    else:  # q = 1
        nz = theta != 0
        part = np.where(nz, np.abs(G + h_a * np.sign(theta)), np.maximum(np.abs(G) - h_a, 0.0))
        r = float(np.linalg.norm(part))
    return r / ref


def _setup(theta0, eps, sigma, weight, norm, cov):
    t0 = as_vector(theta0, "theta0")
    if t0.ndim != 1:
        raise ValueError(f"theta0 must be one vector (shape (d,)), got shape {t0.shape}")
    d = positive_int(t0.size, "the dimension d of theta0", maximum=MAX_DIM)
    e = float(nonnegative(eps, "eps"))
    sg = float(positive(sigma, "sigma"))
    w = float(probability(weight, "weight"))
    p = check_norm(norm)
    if p not in (2.0, np.inf):
        raise ValueError(f"norm must be 2 or inf for the estimators, got {norm!r}")
    cs, C = _cov(cov, d, definite=True)
    m = float(np.max(np.abs(t0)))
    return t0, d, e, sg, w, p, dual_exponent(p), cs, C, m


def _ridge_path(phi0, rho, es, w, cs):
    """l2 threat, theta != 0 optimal: theta = (Sigma + gamma I)^-1 Sigma theta0 with gamma > 0 the root of
    gamma alpha(theta) = beta(theta), alpha = 2 + 2 K w eps a / s, beta = w (2 K eps s + 2 eps^2 a) / a."""
    lam, U = np.linalg.eigh(cs)
    lam = np.maximum(lam, 0.0)
    b = U.T @ phi0  # theta0 in the eigenbasis

    def theta(log_g):
        return U @ (lam / (lam + np.exp(log_g)) * b)

    def phi(log_g):
        g = np.exp(log_g)
        x = theta(log_g)
        diff = x - phi0
        s = np.sqrt(rho * rho + diff @ (cs @ diff))
        a = float(np.linalg.norm(x))
        if a == 0:
            return 1.0
        if s == 0:
            return -1.0
        alpha = 2.0 + 2 * K * w * es * a / s
        beta = w * (2 * K * es * s + 2 * es * es * a) / a
        return (g * alpha - beta) / (g * alpha + beta)  # the sign of gamma alpha - beta, scaled to [-1, 1]

    lo, hi = -1.0, 1.0
    while phi(lo) > 0 and lo > -700:
        lo -= 4.0
    while phi(hi) < 0 and hi < 700:
        hi += 4.0
    if phi(lo) > 0 or phi(hi) < 0:  # no sign change within the float range of gamma: the nearer end
        return theta(lo) if phi(lo) > 0 else theta(hi)
    return theta(brentq(phi, lo, hi, xtol=1e-14, rtol=4 * np.finfo(float).eps, maxiter=500))


def _solve(t0, e, sg, w, q, cs, C, m):
    """Minimizer of (1 - w) SR + w AR: reduced to max|theta0| = 1 and max|cov| = 1, returned rescaled."""
    if m == 0:
        return np.zeros_like(t0)
    if w == 0 or e == 0:
        return t0.copy()
    phi0 = t0 / m
    rho = sg / (np.sqrt(C) * m)  # the scaled noise level
    es = e / np.sqrt(C)  # the scaled radius
    with np.errstate(over="ignore"):
        if not np.isfinite(rho) or not np.isfinite(es):
            return np.zeros_like(t0)
    if cs is None and q == 2:  # closed form: theta = c theta0, c solving a 1-D equation
        n0 = float(np.linalg.norm(phi0))
        r = rho / n0

        def g(c):  # d/dc of the objective along c theta0, divided by 2 ||theta0||^2
            sbar = np.hypot(r, 1 - c)
            return -(1 - c) + w * es * (K * (sbar - c * (1 - c) / sbar) + es * c)

        if g(0.0) >= 0:
            return np.zeros_like(t0)
        c = brentq(g, 0.0, 1.0, xtol=1e-15, rtol=4 * np.finfo(float).eps, maxiter=200)
        return c * t0
    # zero is optimal iff the smooth gradient at 0 lies in h_a(0) times the unit ball of the threat norm
    z = np.zeros_like(phi0)
    _, G0, h0, _ = _parts(z, phi0, rho, es, w, cs, q)
    if float(lp_norm(G0, dual_exponent(q))) <= h0:
        return z
    if q == 2:  # stationarity is (alpha Sigma + beta I) theta = alpha Sigma theta0: a ridge estimator
        return m * _ridge_path(phi0, rho, es, w, cs)
    # l-inf threat, q = 1: theta = u - v with u, v >= 0 and ||theta||_1 replaced by sum(u + v)
    d = phi0.size

    def fun(uv):
        x = uv[:d] - uv[d:]
        diff = x - phi0
        sd = diff if cs is None else cs @ diff
        s = max(float(np.sqrt(rho * rho + diff @ sd)), 1e-300)
        a = float(uv.sum())
        f = s * s + w * (2 * K * es * a * s + es * es * a * a)
        G = (2.0 + w * 2 * K * es * a / s) * sd
        h_a = w * (2 * K * es * s + 2 * es * es * a)
        return f, np.concatenate([G + h_a, -G + h_a])

    start = np.concatenate([np.maximum(phi0, 0), np.maximum(-phi0, 0)])
    res = minimize(fun, start, jac=True, method="L-BFGS-B", bounds=[(0, None)] * (2 * d),
                   options={"maxiter": 20000, "ftol": 0.0, "gtol": 1e-14})
    phi = res.x[:d] - res.x[d:]
    return m * _polish_l1(phi, phi0, rho, es, w, cs)


def _polish_l1(phi, phi0, rho, es, w, cs):
    """Refine an l-inf (q = 1) solution on its support S and signs: there the stationarity condition is
    Sigma_SS theta_S = (Sigma theta0)_S - gamma sign_S with the scalar gamma = h_a / alpha, a root in gamma.
    The refined point is kept only if its support, signs and residual are at least as good."""
    top = float(np.max(np.abs(phi)))
    S = np.abs(phi) > 1e-9 * top
    if not S.any():
        return phi
    sgn = np.sign(phi[S])
    Sig = np.eye(phi.size) if cs is None else cs
    rhs0 = (Sig @ phi0)[S]
    M = Sig[np.ix_(S, S)]

    def theta(g):
        x = np.zeros_like(phi)
        x[S] = np.linalg.solve(M, rhs0 - g * sgn)
        return x

    def eq(g):
        x = theta(g)
        diff = x - phi0
        s = max(float(np.sqrt(rho * rho + diff @ (Sig @ diff))), 1e-300)
        a = float(sgn @ x[S])
        alpha = 2.0 + 2 * K * w * es * a / s
        h_a = w * (2 * K * es * s + 2 * es * es * a)
        return g - h_a / alpha

    try:
        g0 = -eq(0.0)  # h_a / alpha at theta(0); the root lies between 0 and a few times the current ratio
        g0 = g0 if g0 > 0 else 1.0
        lo, hi = 0.0, g0
        while eq(hi) < 0 and hi < 1e300:
            hi *= 4.0
        if not (eq(lo) <= 0 <= eq(hi)):
            return phi
        g = brentq(eq, lo, hi, xtol=1e-16, rtol=4 * np.finfo(float).eps, maxiter=200)
        x = theta(g)
    except (ValueError, np.linalg.LinAlgError):
        return phi
    if not np.all(np.isfinite(x)) or not np.array_equal(np.sign(x[S]), sgn):
        return phi
    if _residual(x, phi0, rho, es, w, cs, 1.0) <= _residual(phi, phi0, rho, es, w, cs, 1.0):
        return x
    return phi


def tradeoff_estimator(theta0, eps, sigma, weight, *, norm=2, cov=None):
    """The minimizer of ``(1 - weight) SR(theta) + weight AR_eps(theta)`` over all theta in R^d.

    Every Pareto-optimal pair (SR, AR) is attained by one of these (both risks are convex, so
    every Pareto point is supported), and for 0 <= weight < 1 each is Pareto optimal (the
    objective is strictly convex for a positive definite Sigma). The tradeoff of Javanmard,
    Soltanolkotabi and Hassani, COLT 2020, arXiv:2002.10477, section 2, re-derived here.

    Method. Identity covariance with the l2 threat: theta = c theta0 (for fixed ||theta||_2 the
    closest point to theta0 lies on its ray), c in [0, 1] the root of the derivative along the
    ray (``brentq``), or 0 when the derivative at c = 0 is >= 0. Otherwise: theta = 0 when the
    subgradient condition holds there (``||Sigma theta0||_p <= weight sqrt(2/pi) eps s(0)``); else, for
    l2, the stationarity condition ``(alpha Sigma + beta I) theta = alpha Sigma theta0`` (alpha, beta > 0
    scalars depending on theta) makes theta the ridge estimator ``(Sigma + gamma I)^-1 Sigma theta0``
    with gamma > 0 the root of one scalar equation (``brentq`` in log gamma on the eigenbasis of Sigma);
    for l-inf, L-BFGS-B on theta = u - v, u, v >= 0, with ``||theta||_1`` replaced by ``sum(u + v)``
    (which only increases the objective off the optimal split), then polished on the support found, where
    ``Sigma_SS theta_S = (Sigma theta0)_S - gamma sign(theta_S)`` with one scalar gamma (a root again).
    :func:`optimality_residual` certifies the result (about 1e-12 or smaller in tests up to d = 300).

    Parameters
    ----------
    theta0 : array_like, shape (d,), d <= 2000
    eps : float >= 0
    sigma : float > 0
    weight : float in [0, 1]
    norm : 2 or np.inf, the threat norm
    cov : array_like (d, d), symmetric positive definite, or None (identity)

    Returns
    -------
    ndarray, shape (d,)

    Raises
    ------
    ValueError
        NaN or infinite input, eps < 0, sigma <= 0, weight outside [0, 1], another norm, a cov that is
        not symmetric positive definite of shape (d, d), d > 2000.

    Examples
    --------
    >>> tradeoff_estimator([1.0, 2.0], 0.3, 1.0, 0.0).tolist()  # weight 0: the standard risk alone
    [1.0, 2.0]
    >>> th = tradeoff_estimator([1.0, 2.0], 0.3, 1.0, 0.5)
    >>> bool(np.isclose(th[1] / th[0], 2.0)), bool(0 < th[0] < 1)  # l2, identity: shrinks along theta0
    (True, True)
    """
    t0, d, e, sg, w, p, q, cs, C, m = _setup(theta0, eps, sigma, weight, norm, cov)
    return _solve(t0, e, sg, w, q, cs, C, m)


def adversarial_training_estimator(theta0, eps, sigma, *, norm=2, cov=None):
    """Population adversarial training: ``argmin_theta E max_{||delta||_p <= eps} (y - (x + delta).theta)^2``.

    The minimizer of the adversarial risk of :func:`regression_adversarial_risk` (convex, strictly
    for a positive definite Sigma, so unique); :func:`tradeoff_estimator` with weight 1. For Sigma = I
    and the l2 threat it is ``c theta0`` with ``c = 0`` when ``sqrt(2/pi) eps sqrt(sigma^2 + ||theta0||^2)
    >= ||theta0||`` and otherwise c in (0, 1) the root of
    ``-(1 - c) ||theta0|| + eps sqrt(2/pi) (s - c (1 - c) ||theta0||^2 / s) + eps^2 c ||theta0|| = 0``,
    ``s = sqrt(sigma^2 + (1 - c)^2 ||theta0||^2)``. Javanmard, Soltanolkotabi and Hassani, COLT 2020,
    arXiv:2002.10477, section 2 (adversarial training with infinite data; re-derived here).

    Parameters
    ----------
    theta0 : array_like, shape (d,)
    eps : float >= 0, the training radius
    sigma : float > 0
    norm : 2 or np.inf
    cov : array_like (d, d) positive definite, or None (identity)

    Returns
    -------
    ndarray, shape (d,)

    Raises
    ------
    ValueError
        As :func:`tradeoff_estimator`.

    Examples
    --------
    >>> adversarial_training_estimator([1.0, 0.0], 0.0, 1.0).tolist()  # eps = 0: theta0
    [1.0, 0.0]
    >>> adversarial_training_estimator([1.0, 0.0], 2.0, 1.0).tolist()  # large eps: the zero estimator
    [0.0, 0.0]
    >>> th = adversarial_training_estimator([1.0, 0.2], 0.2, 0.5, norm=np.inf)
    >>> bool(optimality_residual(th, [1.0, 0.2], 0.2, 0.5, norm=np.inf) < 1e-6)
    True
    """
    t0, d, e, sg, w, p, q, cs, C, m = _setup(theta0, eps, sigma, 1.0, norm, cov)
    return _solve(t0, e, sg, w, q, cs, C, m)


def optimality_residual(theta, theta0, eps, sigma, *, norm=2, cov=None, weight=1.0):
    """How far theta is from minimizing ``(1 - weight) SR + weight AR_eps``: the subgradient condition's residual.

    With ``h(theta, a) = SR + weight (2 sqrt(2/pi) eps a s + eps^2 a^2)``, ``a = ||theta||_q``, theta is
    optimal iff ``-grad_theta h in (dh/da) d||theta||_q`` (convexity). The returned number is the
    Euclidean distance of ``-grad_theta h`` from that set divided by ``max(||grad_theta h||, dh/da)``,
    computed on the problem scaled to ``max |theta0| = 1`` (0 at an exact optimum). Source of the
    problem: Javanmard, Soltanolkotabi and Hassani, COLT 2020, arXiv:2002.10477, section 2.

    Parameters
    ----------
    theta, theta0 : array_like, shape (d,)
    eps : float >= 0
    sigma : float > 0
    norm : 2 or np.inf
    cov : array_like (d, d) positive definite, or None
    weight : float in [0, 1]

    Returns
    -------
    float >= 0

    Raises
    ------
    ValueError
        As :func:`tradeoff_estimator`, and for a theta of another shape.

    Examples
    --------
    >>> optimality_residual([1.0, 0.0], [1.0, 0.0], 0.0, 1.0)  # eps = 0: theta0 is optimal
    0.0
    >>> optimality_residual([1.0, 0.0], [1.0, 0.0], 0.5, 1.0) > 0.1  # not optimal at eps = 0.5
    True
    """
    t0, d, e, sg, w, p, q, cs, C, m = _setup(theta0, eps, sigma, weight, norm, cov)
    th = as_vector(theta, "theta")
    if th.shape != t0.shape:
        raise ValueError(f"theta must have the shape of theta0 {t0.shape}, got shape {th.shape}")
    if m == 0:
        m = max(float(np.max(np.abs(th))), 1.0)
    with np.errstate(over="ignore"):
        rho = sg / (np.sqrt(C) * m)
        es = e / np.sqrt(C)
    if not (np.isfinite(rho) and np.isfinite(es)):
        raise ValueError(f"sigma / max|theta0| or eps is beyond the float range (sigma {sg!r}, eps {e!r})")
    with np.errstate(all="ignore"):
        r = _residual(th / m, t0 / m, rho, es, w, cs, q)
    if not np.isfinite(r):
        raise ValueError("the residual is not finite for these inputs (theta far beyond theta0's scale)")
    return float(r)


@dataclass(frozen=True)
class ParetoFront:
    """Points of the Pareto front of (standard risk, adversarial risk) from :func:`pareto_front`.

    weights : (n,), the tradeoff weights w in [0, 1], increasing
    thetas : (n, d), the minimizers of (1 - w) SR + w AR
    standard : (n,), their standard risks (non-decreasing)
    adversarial : (n,), their adversarial risks at eps (non-increasing)

    Examples
    --------
    >>> f = ParetoFront(np.array([0.0, 1.0]), np.zeros((2, 1)), np.array([1.0, 1.5]), np.array([2.0, 1.6]))
    >>> f.standard.tolist()
    [1.0, 1.5]
    """

    weights: np.ndarray
    thetas: np.ndarray
    standard: np.ndarray
    adversarial: np.ndarray


def pareto_front(theta0, eps, sigma, *, norm=2, cov=None, n=41):
    """The Pareto front of (SR, AR_eps) over all linear estimators, as n points along the tradeoff.

    Precisely: for weights ``w_k = k / (n - 1)``, k = 0..n-1, the unique minimizer theta_k of
    ``(1 - w_k) SR + w_k AR_eps`` and its two risks. Because SR and AR are convex, every Pareto-optimal
    pair lies on the curve these points sample (it runs from theta0, the minimizer of SR, with
    SR = sigma^2, to the adversarial-training estimator at eps, the minimizer of AR); along it SR is
    non-decreasing, AR non-increasing, and AR is a convex function of SR. Javanmard, Soltanolkotabi and
    Hassani, COLT 2020, arXiv:2002.10477, section 2 (the Pareto-optimal tradeoff; re-derived here).

    Parameters
    ----------
    theta0 : array_like, shape (d,)
    eps : float >= 0
    sigma : float > 0
    norm : 2 or np.inf
    cov : array_like (d, d) positive definite, or None
    n : int, 2 <= n <= 10000, the number of points

    Returns
    -------
    ParetoFront

    Raises
    ------
    ValueError
        As :func:`tradeoff_estimator`, and for n outside [2, 10000].

    Examples
    --------
    >>> f = pareto_front([1.0, 0.5], 0.2, 1.0, n=5)
    >>> float(f.standard[0]), bool(np.all(np.diff(f.standard) >= 0)), bool(np.all(np.diff(f.adversarial) <= 0))
    (1.0, True, True)
    """
    t0, d, e, sg, _, p, q, cs, C, m = _setup(theta0, eps, sigma, 0.0, norm, cov)
    n = positive_int(n, "n", minimum=2, maximum=10000)
    weights = np.linspace(0.0, 1.0, n)
    thetas = np.array([_solve(t0, e, sg, float(w), q, cs, C, m) for w in weights])
    cov_full = None if cs is None else cs * C
    sr = np.asarray(standard_risk(thetas, t0, sg, cov_full), dtype=float)
    ar = np.asarray(regression_adversarial_risk(thetas, t0, e, sg, norm=p, cov=cov_full), dtype=float)
    return ParetoFront(weights, thetas, sr, ar)
