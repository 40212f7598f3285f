"""Gaussian mixtures: classification, robust and base-relative adversarial risks of linear classifiers.

The model (suggala2019 section 5): y = +-1 with probability 1/2 each and
x | y ~ N(y theta, sigma^2 I). A linear classifier is f(x) = w.x and predicts
sign(f(x)) with **sign(0) = -1**, as in the paper. With that convention w = 0 is the
constant classifier -1: its classification and adversarial risks are 1/2 and its
base-relative adversarial risk is 0 (it never changes its mind). Every function
accepts w = 0 and follows this convention.

Threat models are closed lp balls {||delta||_p <= eps}, 1 <= p <= inf. Every function
with one takes it through ``eps``: a :class:`theory.threat.ThreatModel`, or a radius
(number or array) with the keyword-only ``norm=`` (default ``np.inf``), e.g.
``adversarial_risk(w, theta, ThreatModel.l2(0.1))`` or
``adversarial_risk(w, theta, 0.1, norm=2)``.

Arrays: ``w`` is one vector (d,) or a batch (..., d); ``theta`` a vector (d,) (or a
batch broadcasting against ``w``); ``eps`` and ``sigma`` broadcast against the batch
shape ``w.shape[:-1]``. Everything is float64.

Numerics: risks are Phi(-margin) evaluated by :func:`theory.normal.normal_cdf`, and
margins beyond 4 (risks below 3e-5) are recomputed in double-double arithmetic,
because the tail multiplies a margin's relative rounding error by about margin**2.
The result is accurate to about 1e-15 relative down to 1e-300; the ``log_``
variants stay finite and accurate where the risk underflows.
"""

from __future__ import annotations

import numpy as np
from scipy import integrate, optimize
from scipy.special import ndtr

from theory import _dd
from theory._optimize import flip_function, flip_lines
from theory._validate import (
    as_vector,
    broadcast,
    matching_last_axis,
    positive,
)
from theory.normal import log_normal_cdf, normal_cdf, normal_pdf
from theory.norms import distance_to_lp_ball, dual_exponent, lp_norm, project_onto_lp_ball
from theory.threat import resolve

__all__ = [
    "classification_risk",
    "log_classification_risk",
    "adversarial_risk",
    "log_adversarial_risk",
    "robust_margin",
    "bayes_risk",
    "log_bayes_risk",
    "base_relative_adversarial_risk",
    "base_relative_adversarial_risk_bound",
    "optimal_robust_risk",
    "optimal_linear_robust_classifier",
]

_REFINE_ABOVE = 4.0  # margins above this are recomputed in double-double
_REFINE_BELOW = 1e100  # ... and below this (double-double splitting needs operands far from overflow)
_HUGE = 1e100  # theta, eps or sigma above this: the row is rescaled before forming w.theta
_TINY_DEN = 1e-250  # sigma ||w||_2 below this: the margin is formed as (num / ||w||_2) / sigma
_SHIFT_ABOVE = 8.0  # base-relative risk: ||theta|| / sigma above this integrates around the class mean
_MU_EXP = 170  # base-relative risk: ||theta|| / sigma is clamped to [2**-170, 2**170] (see _normalized)


# --------------------------------------------------------------------------- margins


def _inputs(w, theta, eps, sigma, norm):
    """Validate (w, theta, eps, sigma, norm); return w, theta, eps and sigma broadcast to the batch shape, and p.

    w keeps its own shape (..., d); theta is (d,) or a batch broadcasting against w;
    ``eps`` is a ThreatModel or a radius with ``norm`` (:func:`theory.threat.resolve`).
    """
    w = as_vector(w, "w")
    theta = as_vector(theta, "theta")
    matching_last_axis(w, "w", theta, "theta")
    p, eps = resolve(eps, norm)
    sigma = positive(sigma, "sigma")
    try:
        batch = np.broadcast_shapes(w.shape[:-1], theta.shape[:-1], eps.shape, sigma.shape)
    except ValueError as exc:
        raise ValueError(
            "shapes do not broadcast: w batch "
            f"{w.shape[:-1]}, theta batch {theta.shape[:-1]}, eps {eps.shape}, sigma {sigma.shape}"
        ) from exc
    d = w.shape[-1]
    if w.shape[:-1] != batch:
        w = np.broadcast_to(w, batch + (d,))
    return w, theta, np.broadcast_to(eps, batch), np.broadcast_to(sigma, batch), p


_CHUNK_ROWS = 8192  # rows per block: keeps the |w| temporary in cache


def _row_stats(w, theta, q, need_dual: bool):
    """w.theta, ||w||_2 and ||w||_q along the last axis, in row blocks (one pass over w).

    Returns arrays of shape w.shape[:-1].
    """
    d = w.shape[-1]
    batch = w.shape[:-1]
    wf = w.reshape(-1, d)
    flat_theta = theta.ndim == 1
    tf = theta if flat_theta else np.broadcast_to(theta, batch + (d,)).reshape(-1, d)
    n = wf.shape[0]
    dot, sq = np.empty(n), np.empty(n)
    dual = np.empty(n) if need_dual else None
    buf = np.empty((min(n, _CHUNK_ROWS), d))
    for i in range(0, n, _CHUNK_ROWS):
        blk = wf[i:i + _CHUNK_ROWS]
        dot[i:i + len(blk)] = blk @ theta if flat_theta else np.einsum(
            "ij,ij->i", blk, tf[i:i + _CHUNK_ROWS])
        sq[i:i + len(blk)] = np.einsum("ij,ij->i", blk, blk)
        if need_dual:
            if q == 1:
                b = buf[:len(blk)]
                np.abs(blk, out=b)
                np.add.reduce(b, axis=-1, out=dual[i:i + len(blk)])
            elif q == 2:
                pass
            else:
                dual[i:i + len(blk)] = lp_norm(blk, q)
    n2 = np.sqrt(sq)
    if need_dual and q == 2:
        dual = n2
    shape = batch
    return dot.reshape(shape), n2.reshape(shape), None if dual is None else dual.reshape(shape)


def _dd_row_stats(w, theta, q, need_dual: bool):
    """w.theta, ||w||_2 and ||w||_q of the rows of the 2-D ``w`` as double-doubles, in one compensated pass.

    Ogita-Rump-Oishi Dot2 / Sum2 vectorized over row blocks (:func:`theory._dd.row_dots`);
    ||w||_q is exact to double-double for q in {1, 2, inf} and to double precision for other q
    (zero when ``need_dual`` is false: eps = 0 on every row).
    """
    l1 = need_dual and q == 1
    res = _dd.row_dots(w, theta, (True, True, l1))
    dot, sq = res[0], res[1]
    n2 = _dd.sqrt(*sq)
    zeros = np.zeros(w.shape[0])
    if not need_dual:
        dual = (zeros, zeros)
    elif l1:
        dual = res[2]
    elif q == 2:
        dual = n2
    elif np.isinf(q):
        dual = (np.abs(w).max(axis=-1), zeros)
    else:
        dual = (lp_norm(w, q), zeros)
    return dot, n2, dual


def _margin(w, theta, eps, sigma, norm):
    """(w.theta - eps ||w||_*) / (sigma ||w||_2) as (hi, lo, zero), zero marking w = 0.

    ``lo`` is a low-order correction, nonzero only where the margin exceeds
    ``_REFINE_ABOVE`` and was recomputed in double-double.
    """
    q = dual_exponent(norm)
    # The margin is also invariant under (theta, eps, sigma) -> c (theta, eps, sigma), c > 0: rows
    # where one of them is huge are divided by a power of two (exact), so that neither w.theta nor
    # eps ||w||_* can overflow (their difference would be inf - inf = NaN).
    s_row = np.maximum(np.maximum(np.abs(theta).max(axis=-1), eps), sigma)
    huge = s_row > _HUGE
    if huge.any():
        _, e = np.frexp(s_row)
        c = np.where(huge, np.ldexp(1.0, -e), 1.0)
        theta = np.broadcast_to(theta, w.shape) * c[..., None]
        eps, sigma = eps * c, sigma * c
    need_dual = bool(np.any(eps))
    wt, n2, dual = _row_stats(w, theta, q, need_dual)
    extreme = ~((n2 > 1e-150) & (n2 < 1e150))  # ||w||_2 may have under- or overflowed
    if extreme.any():
        # The margin is invariant under w -> c w (c > 0): rescale those rows by a power of two.
        w = np.array(w)
        rows = w[extreme]
        big = np.abs(rows).max(axis=-1)
        _, e = np.frexp(np.where(big > 0, big, 1.0))
        w[extreme] = np.ldexp(rows, -e[:, None])
        s_wt, s_n2, s_dual = _row_stats(w[extreme], np.broadcast_to(theta, w.shape)[extreme], q, need_dual)
        wt, n2 = wt.copy(), n2.copy()
        wt[extreme], n2[extreme] = s_wt, s_n2
        if need_dual:
            dual = dual.copy()
            dual[extreme] = s_dual
    zero = n2 == 0
    num = wt - eps * dual if need_dual else wt
    n2_safe = np.where(zero, 1.0, n2)
    den = sigma * n2_safe
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        m = np.where(zero | (num == 0), 0.0, num / den)
        tiny = (den < _TINY_DEN) & ~zero
        if tiny.any():  # sigma ||w||_2 underflows: divide in the order that keeps the ratio finite
            m = np.where(tiny & (num != 0), (num / n2_safe) / sigma, m)
    # A margin of +-inf (sigma tiny against the means) is exact in the limit: risk 0 or 1.
    lo = np.zeros_like(m)
    # Recompute in double-double where the tail amplifies rounding (m > 4) and where the
    # numerator cancels (|w.theta - eps ||w||_*| small against its terms, Cauchy-Schwarz scale).
    # Double-double needs its operands well inside the float range: beyond |m| = 1e100 the risk
    # is 0 or 1 anyway, and its log (about -m**2 / 2) has the relative accuracy of m itself.
    scale = n2 * lp_norm(theta, 2) + (eps * dual if need_dual else 0.0)
    refine = (((m > _REFINE_ABOVE) | (np.abs(num) < 2.0**-10 * scale)) & ~zero
              & (np.abs(m) < _REFINE_BELOW) & (den >= _TINY_DEN))
    if refine.any():
        every = bool(refine.all())  # (the tail benchmark: no gather copy of w)
        wr = w.reshape(-1, w.shape[-1]) if every else w[refine]
        er, sr = eps[refine], sigma[refine]
        tr = theta if theta.ndim == 1 else np.broadcast_to(theta, w.shape)[refine]
        (dh, dl), (sh, sl), (qh, ql) = _dd_row_stats(wr, tr, q, bool(np.any(er)))
        ph, pl = _dd.mul(qh, ql, er, np.zeros_like(er))
        nh, nl = _dd.add(dh, dl, -ph, -pl)
        sh, sl = _dd.mul(sh, sl, sr, np.zeros_like(sr))
        mh, ml = _dd.div(nh, nl, sh, sl)
        m = m.copy()
        m[refine], lo[refine] = mh, ml
    return m, lo, zero


def robust_margin(w, theta, eps=0.0, sigma=1.0, *, norm=None):
    """The normalized robust margin (w.theta - eps ||w||_*) / (sigma ||w||_2).

    Source: suggala2019 Theorem 1 and its proof (appendix A); ||.||_* is the dual of
    the threat model's lp norm (q = p / (p - 1)).

    Parameters
    ----------
    w, theta, sigma : as in :func:`adversarial_risk`
    eps : ThreatModel, or float / array_like >= 0 (the radius, with ``norm``)
    norm : 1 <= p <= inf, keyword-only; None means ``np.inf`` (or the ThreatModel's norm)

    Returns
    -------
    ndarray, shape w.shape[:-1] broadcast with eps and sigma; 0 where w = 0.

    Examples
    --------
    >>> float(robust_margin([3.0, 4.0], [1.0, 1.0], 0.5))  # l-inf: (7 - 0.5 ||w||_1) / ||w||_2 = (7 - 3.5) / 5
    0.7
    >>> float(robust_margin([3.0, 4.0], [1.0, 1.0], 0.5, norm=2))  # (7 - 0.5 * 5) / 5
    0.9
    """
    w, theta, eps, sigma, p = _inputs(w, theta, eps, sigma, norm)
    m, lo, _ = _margin(w, theta, eps, sigma, p)
    return (m + lo)[()]


def _risk_from_margin(m, lo, zero, log: bool):
    f = log_normal_cdf if log else normal_cdf
    out = np.asarray(f(-m, -lo), dtype=float)
    out = np.where(zero, np.log(0.5) if log else 0.5, out)
    return out[()]


# --------------------------------------------------------------------------- risks


def classification_risk(w, theta, sigma=1.0):
    """The 0-1 risk of sign(w.x): Phi(-w.theta / (sigma ||w||_2)).

    Source: suggala2019 Theorem 1.1 (appendix A).

    Parameters
    ----------
    w : array_like, shape (d,) or (..., d)
    theta : array_like, shape (d,)
        Mean of the class y = +1 (the class y = -1 has mean -theta).
    sigma : float or array_like > 0
        Noise standard deviation.

    Returns
    -------
    float or ndarray of shape ``w.shape[:-1]``: the risk in [0, 1]; 1/2 where w = 0.

    Raises
    ------
    ValueError
        NaN or infinite entries, sigma <= 0, or mismatched dimensions.

    Examples
    --------
    >>> import math
    >>> r = classification_risk([1.0, 0.0], [1.0, 0.5])  # Phi(-1)
    >>> bool(np.isclose(r, 0.5 * math.erfc(1 / math.sqrt(2)))), float(classification_risk([0.0, 0.0], [1.0, 0.5]))
    (True, 0.5)
    """
    return adversarial_risk(w, theta, 0.0, sigma)


def log_classification_risk(w, theta, sigma=1.0):
    """log of :func:`classification_risk`, finite where the risk underflows (margins up to 1e150).

    Examples
    --------
    Phi(-40) ~ 4e-350 underflows; its log is close to the Mills-ratio asymptote -40^2/2 - log(40 sqrt(2 pi)):

    >>> import math
    >>> float(classification_risk([1.0, 0.0], [40.0, 0.0]))
    0.0
    >>> bool(np.isclose(log_classification_risk([1.0, 0.0], [40.0, 0.0]), -800 - math.log(40 * math.sqrt(2 * math.pi)),
    ...                 atol=1e-3))
    True
    """
    return log_adversarial_risk(w, theta, 0.0, sigma)


def adversarial_risk(w, theta, eps, sigma=1.0, *, norm=None):
    """The robust 0-1 risk G_adv = P(exists ||delta||_p <= eps: sign(w.(x + delta)) != y).

    Equals Phi((eps ||w||_* - w.theta) / (sigma ||w||_2)), ||.||_* the dual norm.

    Source: suggala2019 Theorem 1.2 (stated for l-inf, where ||w||_* = ||w||_1; the
    proof's step ``inf_delta w.delta = -eps ||w||_*`` gives every lp norm).

    Parameters
    ----------
    w : array_like, shape (d,) or (..., d)
    theta : array_like, shape (d,)
    eps : ThreatModel, or float / array_like >= 0 (the radius), broadcasting against ``w.shape[:-1]``
    sigma : float or array_like > 0
    norm : 1 <= p <= inf, keyword-only: the threat model's lp norm when ``eps`` is a radius
        (None means ``np.inf``)

    Returns
    -------
    float or ndarray: the risk in [0, 1]; 1/2 where w = 0 (sign(0) = -1).

    Raises
    ------
    ValueError
        NaN/inf entries, eps < 0, sigma <= 0, norm < 1, a ThreatModel with a different
        ``norm``, or shapes that do not match.

    Examples
    --------
    >>> from theory.threat import ThreatModel
    >>> a = adversarial_risk([1.0, 0.0], [1.0, 0.5], 0.2, norm=2)
    >>> bool(a == adversarial_risk([1.0, 0.0], [1.0, 0.5], ThreatModel.l2(0.2)))
    True
    """
    w, theta, eps, sigma, p = _inputs(w, theta, eps, sigma, norm)
    return _risk_from_margin(*_margin(w, theta, eps, sigma, p), log=False)


def log_adversarial_risk(w, theta, eps, sigma=1.0, *, norm=None):
    """log of :func:`adversarial_risk`; finite and accurate (relative error of the log ~1e-16)
    where the risk itself underflows float64. ``eps`` and ``norm`` as there.

    Examples
    --------
    >>> import math
    >>> v = log_adversarial_risk([1.0, 0.0], [1.0, 0.5], 0.5)  # margin (1 - 0.5 * 1) / 1: log Phi(-0.5)
    >>> bool(np.isclose(v, math.log(0.5 * math.erfc(0.5 / math.sqrt(2)))))
    True
    """
    w, theta, eps, sigma, p = _inputs(w, theta, eps, sigma, norm)
    return _risk_from_margin(*_margin(w, theta, eps, sigma, p), log=True)


def bayes_risk(theta, sigma=1.0):
    """The Bayes risk of the symmetric mixture, Phi(-||theta||_2 / sigma).

    Source: suggala2019 section 5 (the Bayes rule is sign(theta.x)); shaeiri2020
    Theorem 2 with ||mu_1 - mu_-1|| = 2 ||theta||.

    Parameters
    ----------
    theta : array_like, shape (d,) or (..., d)
    sigma : float or array_like > 0

    Returns
    -------
    float or ndarray in [0, 1/2].

    Examples
    --------
    >>> import math
    >>> bool(np.isclose(bayes_risk([3.0, 4.0]), 0.5 * math.erfc(5 / math.sqrt(2))))  # Phi(-||theta||_2) = Phi(-5)
    True
    >>> bool(np.isclose(bayes_risk([3.0, 4.0], sigma=5.0), classification_risk([1.0, 0.0], [1.0, 0.0])))  # Phi(-1)
    True
    """
    theta = as_vector(theta, "theta")
    return classification_risk(theta, theta, sigma)


def log_bayes_risk(theta, sigma=1.0):
    """log of :func:`bayes_risk`, finite where the risk underflows.

    Examples
    --------
    >>> float(bayes_risk([40.0, 0.0])), bool(np.isfinite(log_bayes_risk([40.0, 0.0])))
    (0.0, True)
    """
    theta = as_vector(theta, "theta")
    return log_classification_risk(theta, theta, sigma)


# --------------------------------------------------------------------------- base-relative risk


def _lower_envelope(a, b):
    """Kinks of F(v) = min_j (a_j + b_j v) on v > 0 (slopes b_j >= 0).

    Returns the kink abscissae (increasing) and the line index active after each
    kink, starting with the line active at v = 0.
    """
    order = np.lexsort((b, a))  # smallest a, then smallest slope
    cur = order[0]
    v = 0.0
    kinks, active = [], [cur]
    while True:
        lower = b < b[cur]
        if not lower.any():
            break
        with np.errstate(divide="ignore", invalid="ignore"):
            cross = (a[lower] - a[cur]) / (b[cur] - b[lower])
        idx = np.flatnonzero(lower)
        ok = cross > v
        if not ok.any():
            break
        c = cross[ok].min()
        cand = idx[ok][cross[ok] <= c * (1 + 1e-15)]
        cur = cand[np.argmin(b[cand])]
        v = c
        kinks.append(c)
        active.append(cur)
    return np.array(kinks), active


def _flip_function(w, theta, eps, q, p, beta, s_perp, nw, nt):
    """F(v) = inf_{t >= 0} eps ||w - t theta||_q + t v (:func:`theory._optimize.flip_function`) and its kinks in v.

    The kinks split the quadrature of :func:`base_relative_adversarial_risk`: for p = 2 the
    one point where the minimizer t reaches 0; for polyhedral norms the corners of the lower
    envelope of the lines of :func:`theory._optimize.flip_lines`.
    """
    F = flip_function(w, theta, eps, p)
    if p == 2:
        cos_a = beta * nt / nw
        v_switch = eps * nt * cos_a if cos_a > 0 else 0.0
        return F, ([v_switch] if v_switch > 0 else [])
    slopes, intercepts = flip_lines(w, theta, eps, q)
    kinks, _ = _lower_envelope(intercepts, slopes)
    return F, list(kinks)


def _base_relative_one(w, theta, eps, sigma, q, p, support):
    """Exact base-relative risk for one classifier (see base_relative_adversarial_risk)."""
    nw = np.linalg.norm(w)
    nt = np.linalg.norm(theta)
    if nw == 0 or eps == 0:
        return 0.0
    if nt == 0:
        if support is not None:
            raise ValueError("theta must be nonzero when a noise support is given")
        # g = sign(0) = -1 everywhere: only points with w.x in (-eps ||w||_*, 0] can be flipped.
        return float(0.5 - normal_cdf(-eps * lp_norm(w, q) / (sigma * nw)))
    beta = float(w @ theta) / nt**2
    noisy = w if support is None else np.where(support, w, 0.0)
    s_perp = np.linalg.norm(noisy - beta * theta)
    if support is None and s_perp <= 1e-12 * nw:
        return 0.0  # w parallel to theta: f agrees with g everywhere or nowhere
    # v = theta.x, u = w.x; given v, u ~ N(beta v, sigma^2 s_perp^2) under both classes.
    # Flip region (g = +1 side): 0 < u <= F(v).
    F, kinks = _flip_function(w, theta, eps, q, p, beta, s_perp, nw, nt)
    scale = sigma * nt  # v = scale * z, z ~ N(+-mu, 1)
    mu = nt / sigma
    if s_perp <= 1e-12 * nw:
        # u = beta v exactly (noise only along theta): flip iff 0 < beta v <= F(v), v > 0.
        # F(v) - beta v is concave with F(0) >= 0, so the set is an interval (0, v*].
        if beta <= 0:
            return 0.0
        gap = lambda v: float(F(v)[0] if np.ndim(F(v)) else F(v)) - beta * v  # noqa: E731
        hi = scale * (mu + 40.0)
        if gap(hi) >= 0:
            v_star = np.inf
        else:
            v_star = optimize.brentq(gap, 0.0, hi, xtol=1e-14, rtol=1e-15)
        z_star = v_star / scale
        pos = normal_cdf(z_star - mu) - normal_cdf(-mu) if np.isfinite(z_star) else normal_cdf(mu)
        neg = (normal_cdf(z_star + mu) if np.isfinite(z_star) else 1.0) - normal_cdf(mu)
        return float(min(max(pos + neg, 0.0), 1.0))
    sd = sigma * s_perp

    def inside(v):
        p_flip = np.asarray(normal_cdf((F(v) - beta * v) / sd) - normal_cdf(-beta * v / sd))
        return max(float(p_flip.ravel()[0]), 0.0)

    def quad(f, lo_, hi_, breaks):
        pts = sorted({min(max(b, lo_), hi_) for b in breaks} - {lo_, hi_})
        edges = [lo_, *pts, hi_]
        return sum(integrate.quad(f, a, b, epsabs=1e-13, epsrel=1e-11, limit=200)[0]
                   for a, b in zip(edges[:-1], edges[1:], strict=True))

    if mu <= _SHIFT_ABOVE:
        z_hi = mu + 40.0
        total = quad(lambda z: inside(scale * z) * (normal_pdf(z - mu) + normal_pdf(z + mu)),
                     0.0, z_hi, [k / scale for k in kinks] + [mu])
    else:
        # Far-apart classes: the mass of the class y = +1 sits in a window of a few units around
        # z = mu, which a quadrature over [0, mu + 40] in z misses (and z = mu + u loses the digits
        # of u). Integrate over u = z - mu instead, with v = theta.x = ||theta||^2 + scale u.
        nt2 = nt * nt  # = scale * mu
        u_lo = max(-mu, -40.0)
        total = quad(lambda u: inside(max(nt2 + scale * u, 0.0)) * normal_pdf(u),
                     u_lo, 40.0, [(k - nt2) / scale for k in kinks] + [0.0])
        if mu < 40.0:  # the class y = -1 on the side g = +1: z = u - mu >= 0
            total += quad(lambda u: inside(scale * u - nt2) * normal_pdf(u),
                          mu, 40.0, [(k + nt2) / scale for k in kinks])
    return float(min(max(total, 0.0), 1.0))


def _check_support(support, w, theta, p):
    """Validate the norm and the ``support`` mask of :func:`base_relative_adversarial_risk`; returns the mask."""
    if p not in (1.0, 2.0, np.inf):
        raise ValueError(f"norm must be 1, 2 or inf for the exact base-relative risk, got {p!r}")
    if support is not None:
        support = np.asarray(support)
        if support.shape != (w.shape[-1],) or support.dtype != bool:
            raise ValueError(f"support must be a boolean mask of shape ({w.shape[-1]},), got "
                             f"{support.dtype} array of shape {support.shape}")
        off = np.abs(theta[..., ~support])
        if off.size and off.max() > 0:
            raise ValueError("theta must vanish off the support, got a nonzero entry off it")
    return support


# ---- batched base-relative risk: a fixed Gauss-Legendre rule over all rows, adaptive fallback

_BR_SPAN = 9.0  # the quadrature window: |x - class mean| <= 9 (the weight beyond is below 1e-18)
_BR_TOL = 1e-11  # rows whose error estimate exceeds this are recomputed by the adaptive quadrature
_BR_PIECE = 1.0  # largest change of a normal CDF's argument (or of the weight's) over one rule piece
_BR_MAX_PIECES = 400  # rows that would need more pieces go to the adaptive quadrature
_BR_CHUNK = 4096  # rows per call of the batched rule
_BR_ORDER = 7  # Gauss-Legendre orders m and m + 1 per piece: the value is G_{m+1}, |G_{m+1} - G_m| its estimate
_GL = {m: np.polynomial.legendre.leggauss(m) for m in (_BR_ORDER, _BR_ORDER + 1)}


def _normalized_rows(w, theta, eps, sigma):
    """:func:`_normalized` for the rows of 2-D ``w`` and ``theta`` (rows with theta = 0 are left as they are)."""
    wmax = np.abs(w).max(axis=-1)
    _, ew = np.frexp(np.where(wmax > 0, wmax, 1.0))
    w = np.ldexp(w, -ew[:, None])
    tmax = np.abs(theta).max(axis=-1)
    _, e_ref = np.frexp(np.where(tmax > 0, tmax, 1.0))
    theta = np.ldexp(theta, -e_ref[:, None])

    def rescaled(x, lo, hi):
        f, e = np.frexp(x)
        return np.where(x == 0, 0.0, np.ldexp(f, np.clip(e - e_ref, lo, hi)))

    sigma = rescaled(sigma, -_MU_EXP, _MU_EXP)
    eps = np.minimum(rescaled(eps, -1000, 400),
                     2.0 * (np.abs(theta).sum(axis=-1) + 50.0 * sigma * theta.shape[-1]))
    return w, theta, eps, sigma


def _linf_vertices(w, theta, eps):
    """Vertices of F(v) = min_{t >= 0} eps ||w - t theta||_1 + t v (the l-inf threat), batched over rows.

    h(t) = eps ||w - t theta||_1 = eps (sum_i |theta_i| |t - t_i| + sum_{theta_i = 0} |w_i|), t_i = w_i / theta_i,
    is convex and piecewise linear; F is its concave conjugate: F(v) = h(T_k) + T_k v on the v-range where
    the vertex T_k (0 or a positive t_i) is optimal, [c_k, c_{k-1}] with c_k = max(0, -h'(T_k+)) and
    c_{-1} = inf. The slopes come from cumulative sums over the sorted t_i: h'(T+) = eps (2 C(T) - A),
    C(T) = sum_{t_i <= T} |theta_i|, A = ||theta||_1. Returns T, H = h(T), c of shape (n, K + 1).
    """
    a = np.abs(theta)
    nz = a > 0
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        t = np.where(nz, w / np.where(nz, theta, 1.0), 0.0)
    at = np.where(nz, np.sign(theta) * w, 0.0)  # |theta_i| t_i
    pos = nz & (t > 0)
    A = a.sum(axis=-1)
    D = at.sum(axis=-1)
    C0 = np.where(pos, 0.0, a).sum(axis=-1)
    D0 = np.where(pos, 0.0, at).sum(axis=-1)
    Z = np.where(nz, 0.0, np.abs(w)).sum(axis=-1)
    order = np.argsort(np.where(pos, t, np.inf), axis=-1)
    P = int(pos.sum(axis=-1).max()) if w.shape[0] else 0
    order = order[:, :P]
    ps = np.take_along_axis(pos, order, -1)
    ts = np.where(ps, np.take_along_axis(t, order, -1), 0.0)
    a_s = np.where(ps, np.take_along_axis(a, order, -1), 0.0)
    at_s = np.where(ps, np.take_along_axis(at, order, -1), 0.0)
    C = C0[:, None] + np.cumsum(a_s, axis=-1)
    Dk = D0[:, None] + np.cumsum(at_s, axis=-1)
    e = eps[:, None]
    H = e * (ts * (2 * C - A[:, None]) - (2 * Dk - D[:, None]) + Z[:, None])
    H0 = eps * np.abs(w).sum(axis=-1)
    T = np.concatenate([np.zeros((w.shape[0], 1)), ts], axis=-1)
    H = np.concatenate([H0[:, None], np.where(ps, H, H0[:, None])], axis=-1)
    C = np.concatenate([C0[:, None], C], axis=-1)
    c = e * np.maximum(A[:, None] - 2 * C, 0.0)
    c[:, 1:] = np.where(ps, c[:, 1:], 0.0)
    c = np.minimum.accumulate(c, axis=-1)  # padding: zero-length ranges
    return T, H, c


def _l1_vertices(w, theta, eps):
    """As :func:`_linf_vertices` for the l1 threat (dual norm l-inf), batched over rows.

    h(t) = eps max_i |w_i - t theta_i| is the upper envelope of the 2d lines +-(w_i - t theta_i). Walk it
    from t = 0, where the highest line (the steepest among ties) is active, to each next crossing
    by a steeper line, until h stops decreasing (only vertices with h'(T+) < 0 make kinks of F at
    v = -h'(T+) > 0). All rows advance together; a row stops when its slope turns >= 0.
    """
    n, d = w.shape
    alpha = np.concatenate([w, -w], axis=-1)
    gamma = np.concatenate([-theta, theta], axis=-1)
    top = alpha.max(axis=-1)
    cur = np.argmax(np.where(alpha == top[:, None], gamma, -np.inf), axis=-1)
    t = np.zeros(n)
    Ts, Hs, Ss = [t.copy()], [top.copy()], [gamma[np.arange(n), cur]]
    active = Ss[0] < 0
    for _ in range(2 * d):
        idx = np.flatnonzero(active)
        if idx.size == 0:
            break
        a, g = alpha[idx], gamma[idx]
        ac, gc = a[np.arange(idx.size), cur[idx]], g[np.arange(idx.size), cur[idx]]
        steeper = g > gc[:, None]
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            cross = np.where(steeper, (ac[:, None] - a) / np.where(steeper, g - gc[:, None], 1.0), np.inf)
        cross = np.maximum(cross, t[idx][:, None])
        t_next = cross.min(axis=-1)
        near = cross <= t_next[:, None] * (1 + 1e-15)
        nxt = np.argmax(np.where(near, g, -np.inf), axis=-1)
        done = ~np.isfinite(t_next)
        t_new, s_new = t.copy(), Ss[-1].copy()
        cur_new = cur.copy()
        ok = idx[~done]
        t_new[ok] = t_next[~done]
        cur_new[ok] = nxt[~done]
        s_new[ok] = g[~done, nxt[~done]]
        h_new = Hs[-1].copy()
        h_new[ok] = a[~done, nxt[~done]] + s_new[ok] * t_new[ok]
        t, cur = t_new, cur_new
        Ts.append(t.copy())
        Hs.append(h_new)
        Ss.append(s_new)
        active[idx[done]] = False
        active &= s_new < 0
    T, H, S = (np.stack(x, axis=-1) for x in (Ts, Hs, Ss))
    c = eps[:, None] * np.maximum(-S, 0.0)
    c = np.minimum.accumulate(c, axis=-1)
    return T, eps[:, None] * H, c


def _base_relative_batched(w, theta, eps, sigma, p, support):
    """The base-relative risk of every row of 2-D ``w`` (theta, eps, sigma broadcast to the rows) by a fixed rule.

    Returns (value, estimate, fallback): ``fallback`` marks rows that the fixed rule does not serve
    (degenerate geometry, too many pieces, or an error estimate above ``_BR_TOL``); their value is
    to be recomputed by :func:`_base_relative_one`.
    """
    n, d = w.shape
    q = dual_exponent(p)
    out = np.zeros(n)
    est = np.zeros(n)
    fallback = np.zeros(n, dtype=bool)
    if n == 0:
        return out, est, fallback
    w, theta, eps, sigma = _normalized_rows(w, theta, eps, sigma)
    nw = np.linalg.norm(w, axis=-1)
    nt = np.linalg.norm(theta, axis=-1)
    live = (nw > 0) & (eps > 0)
    special = live & (nt == 0)  # g is the constant -1: a closed form (the adaptive routine has it)
    fallback |= special
    live &= nt > 0
    nt_safe = np.where(nt > 0, nt, 1.0)
    beta = np.einsum("ij,ij->i", w, theta) / nt_safe**2
    noisy = w if support is None else np.where(support, w, 0.0)
    s_perp = np.linalg.norm(noisy - beta[:, None] * theta, axis=-1)
    thin = s_perp <= 1e-12 * nw
    if support is None:
        live &= ~thin  # parallel: 0
    else:
        fallback |= live & thin  # noise along theta only: the adaptive routine's closed form
        live &= ~thin
    rows = np.flatnonzero(live)
    if rows.size == 0:
        return out, est, fallback
    w, theta, eps, sigma = w[rows], theta[rows], eps[rows], sigma[rows]
    nw, nt, beta, s_perp = nw[rows], nt[rows], beta[rows], s_perp[rows]
    scale = sigma * nt
    mu = nt / sigma
    sd = sigma * s_perp
    far = mu > _SHIFT_ABOVE
    v0 = np.where(far, nt * nt, 0.0)
    L = np.where(far, np.maximum(-mu, -_BR_SPAN), 0.0)
    R = np.where(far, _BR_SPAN, mu + _BR_SPAN)
    # segments in v on which F is one line H + T v (or, for p = 2, the curved piece)
    curved = None
    if q == 2:
        cos_a = beta * nt / nw
        v_sw = np.where(cos_a > 0, eps * nt * cos_a, 0.0)
        T = np.zeros((rows.size, 2))
        H = np.stack([eps * nw, eps * nw], axis=-1)
        c = np.stack([v_sw, np.zeros(rows.size)], axis=-1)
        curved = np.array([False, True])
        a_perp = np.linalg.norm(w - beta[:, None] * theta, axis=-1)
    elif q == 1:
        T, H, c = _linf_vertices(w, theta, eps)
    else:
        T, H, c = _l1_vertices(w, theta, eps)
    v_hi = np.concatenate([np.full((rows.size, 1), np.inf), c[:, :-1]], axis=-1)
    v_lo = c
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        x_lo = np.clip((v_lo - v0[:, None]) / scale[:, None], L[:, None], R[:, None])
        x_hi = np.clip((v_hi - v0[:, None]) / scale[:, None], L[:, None], R[:, None])
        slope = np.abs(T - beta[:, None]) * (scale / sd)[:, None]
    grow = np.maximum(1.0, np.maximum(slope, 2.0 * (np.abs(beta) * scale / sd)[:, None]))
    length = x_hi - x_lo
    with np.errstate(invalid="ignore", over="ignore"):
        count = np.where(length > 0, np.ceil(length * grow / _BR_PIECE), 0.0)
    total = count.sum(axis=-1)
    bad = ~np.isfinite(total) | (total > _BR_MAX_PIECES) | ~np.isfinite(H).all(axis=-1) | ~np.isfinite(T).all(axis=-1)
    count[bad] = 0
    count = count.astype(np.int64)
    seg_row, seg_k = np.nonzero(count)
    reps = count[seg_row, seg_k]
    piece_row = np.repeat(seg_row, reps)
    piece_k = np.repeat(seg_k, reps)
    first = np.repeat(np.cumsum(reps) - reps, reps)
    j = np.arange(piece_row.size) - first  # index of the piece within its segment
    width = length[piece_row, piece_k] / reps.repeat(reps)
    a0 = x_lo[piece_row, piece_k] + j * width
    results = []
    for m in (_BR_ORDER, _BR_ORDER + 1):
        nodes, weights = _GL[m]
        x = a0[:, None] + (0.5 * width)[:, None] * (nodes + 1.0)
        r = piece_row[:, None]
        v = np.maximum(v0[r] + scale[r] * x, 0.0)
        Tk, Hk = T[piece_row, piece_k][:, None], H[piece_row, piece_k][:, None]
        b, s = beta[r], sd[r]
        gap = Hk + (Tk - b) * v  # F(v) - beta v
        if curved is not None:
            rr = v / (eps[r] * nt[r])
            root = np.sqrt(np.maximum(1.0 - rr * rr, 0.0))
            curve = a_perp[r] * eps[r] * root
            gap = np.where(curved[piece_k][:, None], np.minimum(curve, gap), gap)
        inside = np.maximum(ndtr(gap / s) - ndtr(-b * v / s), 0.0)
        wt = np.exp(-0.5 * (x - np.where(far[r], 0.0, mu[r])) ** 2)
        wt = wt + np.where(far[r], 0.0, np.exp(-0.5 * (x + mu[r]) ** 2))
        f = inside * wt * (1.0 / np.sqrt(2.0 * np.pi))
        results.append((f @ weights) * (0.5 * width))
    lo_r, hi_r = results
    val = np.bincount(piece_row, weights=hi_r, minlength=rows.size)
    e_r = np.bincount(piece_row, weights=np.abs(hi_r - lo_r), minlength=rows.size)
    val = np.clip(val, 0.0, 1.0)
    flag = bad | (e_r > _BR_TOL) | ~np.isfinite(val)
    out[rows], est[rows] = val, e_r
    est[rows[bad]] = np.inf
    fallback[rows[flag]] = True
    return out, est, fallback


def base_relative_adversarial_risk(w, theta, eps, sigma=1.0, *, norm=None, support=None):
    """The exact adversarial 0-1 risk R_adv of sign(w.x) relative to the Bayes rule g(x) = sign(theta.x).

    R_adv = E[sup_{||delta|| <= eps, g(x + delta) = g(x)} l01(f(x + delta), g(x)) - l01(f(x), g(x))]:
    the probability that f agrees with g at x and some delta in the ball keeps g's
    label and makes f disagree.

    Source: suggala2019 Definition 2; the paper bounds it (Theorem 1.3), this
    computes it. Derivation (docs/suggala2019.md): for g(x) = +1 the point flips iff
    its distance to the cone {theta.z >= 0, w.z <= 0} is at most eps, which by
    duality is w.x <= F(theta.x) with F(v) = inf_{t >= 0} eps ||w - t theta||_* + t v.
    Given v = theta.x, w.x is normal with mean (w.theta / ||theta||^2) v and
    variance sigma^2 ||w_perp||^2 under both classes, so R_adv is a one-dimensional
    integral over v. F is the lower envelope of finitely many lines for norm = inf and
    norm = 1 and has a closed form for norm = 2.

    Evaluation (batched over all rows at once): the integration window of each row
    (|theta.x / (sigma ||theta||) - mean| <= 9) is cut at the kinks of F (for norm = inf
    found for all rows together by sorting w_i / theta_i) and into pieces over which no
    normal CDF argument moves by more than 1; each piece gets Gauss-Legendre rules of
    orders 7 and 8, the value is the order-8 sum and the sum over pieces of
    |G_8 - G_7| the row's error estimate. Rows whose estimate exceeds 1e-11, that would
    need more than 400 pieces (w nearly parallel to theta, where the integrand has
    sharp steps) or whose geometry is degenerate are recomputed by adaptive quadrature
    (scipy ``quad`` between the kinks, absolute error below 1e-10; about 10 ms a row). A
    batch of 10^4 classifiers in d = 100 takes about 100 times the time of
    :func:`adversarial_risk` on it (l-inf; ``benchmarks/adversarial_risk_speed.py``).
    Absolute error below 1e-10 either way.

    Parameters
    ----------
    w : array_like, shape (d,) or (..., d)
    theta : array_like, shape (d,)
    eps : ThreatModel (l1, l2 or l-inf), or float / array_like >= 0 (the radius, with ``norm``)
    sigma : float or array_like > 0
    norm : 1, 2 or inf, keyword-only (None means ``np.inf``)
    support : array_like of bool, shape (d,), optional, keyword-only
        Coordinates that carry noise. By default all do (x | y ~ N(y theta, sigma^2 I)).
        With a support S, x | y ~ N(y theta, sigma^2 I_S) has no noise off S: the
        low-dimensional mixture of suggala2019 section 5 (Corollary 4). theta must
        vanish off S.

    Returns
    -------
    float or ndarray in [0, 1]. Conventions: 0 where w = 0 (the constant -1 never
    flips) and where w is parallel to theta (angle below 1e-12 rad: f agrees with g
    everywhere or nowhere). The function is discontinuous there: a classifier at a
    tiny angle to theta can be flipped near the decision boundary.

    Raises
    ------
    ValueError
        Bad input as in :func:`adversarial_risk`, or a norm other than 1, 2, inf.

    Examples
    --------
    >>> float(base_relative_adversarial_risk([1.0, 0.0], [1.0, 0.0], 0.5))  # f = g: nothing to flip
    0.0
    >>> r = base_relative_adversarial_risk([1.0, 1.0], [1.0, 0.0], 0.1, norm=2)
    >>> round(float(r), 4), bool(r <= base_relative_adversarial_risk_bound([1.0, 1.0], [1.0, 0.0], 0.1, norm=2))
    (0.0324, True)
    >>> bool(np.isclose(base_relative_adversarial_risk([3.0, 3.0], [2.0, 0.0], 0.2, 2.0, norm=2), r))  # invariance
    True
    """
    w, theta, eps, sigma, p = _inputs(w, theta, eps, sigma, norm)
    support = _check_support(support, w, theta, p)
    theta = np.broadcast_to(theta, w.shape)
    batch, d = w.shape[:-1], w.shape[-1]
    wf, tf = w.reshape(-1, d), theta.reshape(-1, d)
    ef, sf = np.broadcast_to(eps, batch).reshape(-1), np.broadcast_to(sigma, batch).reshape(-1)
    out, fallback = np.empty(wf.shape[0]), np.empty(wf.shape[0], dtype=bool)
    for i in range(0, wf.shape[0], _BR_CHUNK):  # row chunks bound the memory of the node arrays
        blk = slice(i, i + _BR_CHUNK)
        out[blk], _, fallback[blk] = _base_relative_batched(wf[blk], tf[blk], ef[blk], sf[blk], p, support)
    for i in np.flatnonzero(fallback):
        out[i] = _base_relative_adaptive_row(wf[i], tf[i], float(ef[i]), float(sf[i]), p, support)
    return out.reshape(batch)[()]


def _base_relative_adaptive_row(w, theta, eps: float, sigma: float, p, support):
    """One row by the adaptive quadrature (the implementation before the batched rule; its fallback)."""
    wi, ti, ei, si = _normalized(w, theta, eps, sigma)
    return _base_relative_one(wi, ti, ei, si, dual_exponent(p), p, support)


def _base_relative_adaptive(w, theta, eps, sigma=1.0, *, norm=None, support=None):
    """:func:`base_relative_adversarial_risk` by one adaptive quadrature per row (scipy ``quad``, about 10 ms a row).

    The reference the batched rule is tested and benchmarked against; same inputs and validation.
    """
    w, theta, eps, sigma, p = _inputs(w, theta, eps, sigma, norm)
    support = _check_support(support, w, theta, p)
    theta = np.broadcast_to(theta, w.shape)
    out = np.empty(w.shape[:-1])
    for idx in np.ndindex(out.shape):
        out[idx] = _base_relative_adaptive_row(w[idx], theta[idx], float(eps[idx]), float(sigma[idx]), p, support)
    return out[()]


def _rescaled(x: float, e_ref: int, lo: int, hi: int) -> float:
    """x / 2**e_ref with the binary exponent of the result clamped to [lo, hi] (0 stays 0)."""
    if x == 0:
        return 0.0
    f, e = np.frexp(x)
    return float(np.ldexp(f, int(np.clip(int(e) - e_ref, lo, hi))))


def _normalized(w, theta, eps: float, sigma: float):
    """(w, theta, eps, sigma) of one base-relative problem rescaled to moderate magnitudes, same R_adv.

    R_adv is invariant under w -> c w and under (theta, eps, sigma) -> c (theta, eps, sigma)
    (c > 0, x -> c x), so w and theta are divided by powers of two (exact) to a largest
    magnitude in [1/2, 1), and eps, sigma by theta's power. Two limits keep the rest in range:
    ||theta|| / sigma is clamped to [2**-170, 2**170] (beyond, every Phi of the computation is
    saturated at 0, 1/2 or 1 to double precision, or the classes coincide to 1e-51), and eps to
    2 (||theta||_1 + 50 sigma d) (every point of non-negligible mass, ||x||_1 <= ||theta||_1 +
    50 sigma d, lies within that distance of the flip cone, which contains 0, so larger radii give
    the same risk).
    """
    w = np.ldexp(w, -int(np.frexp(float(np.abs(w).max()))[1])) if np.any(w) else w
    tmax = float(np.abs(theta).max())
    if tmax == 0:  # g is the constant -1; only eps / sigma matters
        e_ref = int(np.frexp(max(eps, sigma))[1])
        return w, theta, _rescaled(eps, e_ref, -1074, 0), _rescaled(sigma, e_ref, -1074, 0)
    e_ref = int(np.frexp(tmax)[1])
    theta = np.ldexp(theta, -e_ref)
    sigma = _rescaled(sigma, e_ref, -_MU_EXP, _MU_EXP)
    eps = min(_rescaled(eps, e_ref, -1000, 400), 2.0 * (float(np.abs(theta).sum()) + 50.0 * sigma * theta.size))
    return w, theta, eps, sigma


def base_relative_adversarial_risk_bound(w, theta, eps, sigma=1.0, *, norm=None):
    """The upper bound of suggala2019 Theorem 1.3, as printed (dual norm for general lp):

    Phi((||w - theta||_* eps - (w - theta).theta) / (sigma ||w - theta||_2)).

    Source: suggala2019 Theorem 1.3 and appendix A. The proof covers only points of
    the class y = +1 on the Bayes rule's positive side (a gap recorded in
    docs/errata.md); the bound itself held in every instance the claim
    ``suggala2019.thm1.3`` tried. :func:`base_relative_adversarial_risk` gives the exact value.
    ``eps`` (ThreatModel or radius) and the keyword-only ``norm`` as in :func:`adversarial_risk`.

    Returns
    -------
    float or ndarray in [0, 1]; 0 where w = theta (the printed formula is 0/0 there and
    the exact risk is 0).

    Examples
    --------
    >>> import math
    >>> v = base_relative_adversarial_risk_bound([2.0, 0.0], [1.0, 0.0], 0.5)  # w - theta = (1, 0): Phi(0.5 - 1)
    >>> bool(np.isclose(v, 0.5 * math.erfc(0.5 / math.sqrt(2)))), float(base_relative_adversarial_risk_bound(
    ...     [1.0, 0.0], [1.0, 0.0], 0.5))
    (True, 0.0)
    """
    w, theta, eps, sigma, p = _inputs(w, theta, eps, sigma, norm)
    # The bound is invariant under (w, theta, eps, sigma) -> c (w, theta, eps, sigma), c > 0: divide
    # rows with a huge entry by a power of two (exact) so that w - theta cannot overflow.
    top = np.maximum(np.abs(w).max(axis=-1), np.abs(theta).max(axis=-1))
    top = np.maximum(np.maximum(top, eps), sigma)
    huge = top > _HUGE
    if huge.any():
        c = np.where(huge, np.ldexp(1.0, -np.frexp(top)[1]), 1.0)
        w, theta = w * c[..., None], np.broadcast_to(theta, w.shape) * c[..., None]
        eps, sigma = eps * c, sigma * c
    diff = w - theta
    m, lo, zero = _margin(diff, theta, eps, sigma, p)
    out = np.where(zero, 0.0, normal_cdf(-m, -lo))
    return out[()]


# --------------------------------------------------------------------------- optimal robust risks


def optimal_robust_risk(mu_pos, mu_neg, eps, sigma=1.0, *, norm=None):
    """The smallest robust 0-1 risk over ALL classifiers for x | y ~ N(mu_y, sigma^2 I), P(y = +-1) = 1/2.

    Equals Phi(-dist_2(theta, B_p(eps)) / sigma) with theta = (mu_pos - mu_neg) / 2:
    for l2 that is Phi((eps - ||mu_pos - mu_neg||_2 / 2) / sigma) while
    eps < ||mu_pos - mu_neg||_2 / 2 and exactly 1/2 from then on; for l-inf
    Phi(-||(|theta| - eps)_+||_2 / sigma).

    Source: shaeiri2020 Theorem 2 (l2; printed without the restriction
    eps < ||mu_1 - mu_-1|| / 2, beyond which its formula exceeds 1/2 although the
    constant classifier has risk 1/2: see docs/errata.md). Every lp norm follows from
    the same argument (docs/suggala2019.md, "optimal robust risk"): shifting the two
    safe regions by +-z with ||z||_p <= eps keeps them disjoint, which bounds the
    risk below by Phi(-||theta - z||_2 / sigma) for every such z, and the linear
    classifier w = theta - proj(theta) attains the best of these bounds.

    Parameters
    ----------
    mu_pos, mu_neg : array_like, shape (d,) or (..., d)
    eps : ThreatModel, or float / array_like >= 0 (the radius, with ``norm``)
    sigma : float > 0
    norm : 1 <= p <= inf, keyword-only; None means ``np.inf`` (before this release the
        default was 2: Theorem 2 itself is the l2 case, ``norm=2``)

    Returns
    -------
    float or ndarray in [0, 1/2].

    Examples
    --------
    >>> import math
    >>> r = optimal_robust_risk([1.0, 0.0], [-1.0, 0.0], 0.25, norm=2)  # Theorem 2: Phi(eps - ||mu_1 - mu_-1||/2)
    >>> bool(np.isclose(r, 0.5 * math.erfc(0.75 / math.sqrt(2))))
    True
    >>> float(optimal_robust_risk([1.0, 0.0], [-1.0, 0.0], 1.5, norm=2))  # eps beyond half the distance: 1/2
    0.5
    """
    mu_pos = as_vector(mu_pos, "mu_pos")
    mu_neg = as_vector(mu_neg, "mu_neg")
    matching_last_axis(mu_pos, "mu_pos", mu_neg, "mu_neg")
    theta = 0.5 * mu_pos - 0.5 * mu_neg  # halve first: mu_pos - mu_neg may overflow
    p, eps = resolve(eps, norm)
    sigma = positive(sigma, "sigma")
    theta, eps_b = broadcast(theta=theta, eps=eps[..., None])
    dist = distance_to_lp_ball(theta, eps_b[..., 0], p)
    dist, sigma = broadcast(dist=dist, sigma=sigma)
    return np.asarray(normal_cdf(-dist / sigma))[()]


def optimal_linear_robust_classifier(theta, eps, sigma=1.0, *, norm=None):
    """The linear classifier w minimizing :func:`adversarial_risk`, and its risk.

    Maximizing the robust margin (w.theta - eps ||w||_*) / ||w||_2 over w is, by the
    minimax theorem, min over ||z||_p <= eps of ||theta - z||_2, so
    w* = theta - proj_{B_p(eps)}(theta) and risk* = Phi(-||w*||_2 / sigma):

    - l2:    w* = theta (1 - eps / ||theta||_2)_+        risk Phi((eps - ||theta||_2) / sigma)
    - l-inf: w* = sign(theta) (|theta| - eps)_+ (soft thresholding)
    - l1:    w* = theta minus its projection on the l1 ball (clips the largest |theta_i| to a common level)

    When theta lies in the ball (l2: eps >= ||theta||_2; l-inf: eps >= max |theta_i|)
    no linear classifier beats 1/2 and w* = 0, the constant classifier (sign(0) = -1).
    The risk equals :func:`optimal_robust_risk`: for this model the best linear
    classifier is the best classifier.

    Source: suggala2019 Theorem 1.2 minimized over w (derivation in docs/suggala2019.md);
    checked against numerical minimization in the claim ``suggala2019.optimal-linear``.

    Parameters
    ----------
    theta : array_like, shape (d,) or (..., d)
    eps : ThreatModel, or float / array_like >= 0 (the radius, with ``norm``)
    sigma : float > 0
    norm : 1 <= p <= inf, keyword-only (None means ``np.inf``)

    Returns
    -------
    w : ndarray, shape of theta broadcast with eps: unit l2 norm, or 0
    risk : float or ndarray

    Examples
    --------
    >>> w, risk = optimal_linear_robust_classifier([1.0, 0.2], 0.5)  # l-inf: soft thresholding (0.5, 0), normalized
    >>> w.tolist(), bool(risk == adversarial_risk(w, [1.0, 0.2], 0.5))
    ([1.0, 0.0], True)
    >>> w, risk = optimal_linear_robust_classifier([1.0, 0.2], 2.0)  # theta inside the ball: the constant classifier
    >>> w.tolist(), float(risk)
    ([0.0, 0.0], 0.5)
    """
    theta = as_vector(theta, "theta")
    p, eps = resolve(eps, norm)
    sigma = positive(sigma, "sigma")
    theta, eps_b = broadcast(theta=theta, eps=eps[..., None])
    resid = theta - project_onto_lp_ball(theta, eps_b[..., 0], p)
    n = lp_norm(resid, 2)
    w = np.where(n[..., None] > 0, resid / np.where(n > 0, n, 1.0)[..., None], 0.0)
    n, sigma = broadcast(n=n, sigma=sigma)
    return w, np.asarray(normal_cdf(-n / sigma))[()]
