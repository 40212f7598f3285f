"""Slow, literal reference computations used as independent checks.

Nothing here shares code with the closed forms it checks:

- mpmath evaluations of the risk formulas at 50 digits from the exact float inputs;
- per-sample adversaries for the base-relative risk of suggala2019 Definition 2
  that solve the primal problem directly (a greedy fractional knapsack for l-inf,
  vertex enumeration for l1, planar geometry for l2), where the closed form uses
  the dual;
- a dynamic program over ALL labelings of a one-dimensional grid for the optimal
  robust risk of shaeiri2020 Theorem 2.

Conventions, as in the rest of the package: a threat model is passed through ``eps``, either
a :class:`theory.threat.ThreatModel` or a radius with the keyword-only ``norm=`` (None means
``np.inf``); a score s predicts +1 iff s > 0 (sign(0) = -1, :func:`predict`).
"""

from __future__ import annotations

import numbers

import mpmath
import numpy as np

from theory._validate import (
    _short,
    as_array,
    as_vector,
    nonnegative,
    positive,
    positive_int,
    probability_weights,
)
from theory.threat import resolve

__all__ = [
    "worst_case_perturbation",
    "predict",
    "mp_adversarial_risk",
    "mp_log_adversarial_risk",
    "flippable",
    "optimal_robust_risk_1d_dp",
    "lp_worst_margin",
    "mp_binomial_upper_tail",
    "brute_force_robust_error",
    "brute_force_robust_error_1d",
]


def worst_case_perturbation(w, eps, *, norm=None):
    """The delta in the ball that minimizes w.delta (Hoelder's equality case): w.delta = -eps ||w||_*.

    A thin alias of :func:`theory.attacks.worst_case_delta`, the one home of this computation.
    ``eps``: a ThreatModel, or a scalar radius with the keyword-only ``norm`` (default inf).

    Examples
    --------
    >>> worst_case_perturbation([1.0, -2.0], 0.5).tolist()  # l-inf: -eps sign(w); w.delta = -0.5 * 3
    [-0.5, 0.5]
    >>> np.round(worst_case_perturbation([3.0, 4.0], 0.5, norm=2), 12).tolist()  # l2: -eps w / ||w||_2
    [-0.3, -0.4]
    """
    from theory.attacks import worst_case_delta
    from theory.threat import ThreatModel

    p, e = resolve(eps, norm)
    return worst_case_delta(w, ThreatModel(p, float(e)))


def predict(scores):
    """sign(scores) with sign(0) = -1: an alias of :func:`theory.distributions.predict`.

    Examples
    --------
    >>> predict([-1.0, 0.0, 2.0]).tolist()  # sign(0) = -1
    [-1.0, -1.0, 1.0]
    """
    from theory.distributions import predict as _predict

    return _predict(scores)


def _mp_margin(w, theta, eps, sigma, norm):
    w = [mpmath.mpf(float(v)) for v in np.ravel(w)]
    t = [mpmath.mpf(float(v)) for v in np.ravel(theta)]
    eps = mpmath.mpf(float(eps))
    sigma = mpmath.mpf(float(sigma))
    dot = mpmath.fsum(a * b for a, b in zip(w, t, strict=True))
    n2 = mpmath.sqrt(mpmath.fsum(a * a for a in w))
    if norm == np.inf:
        dual = mpmath.fsum(abs(a) for a in w)
    elif norm == 1:
        dual = max(abs(a) for a in w)
    else:
        q = mpmath.mpf(norm) / (mpmath.mpf(norm) - 1)
        dual = mpmath.fsum(abs(a) ** q for a in w) ** (1 / q)
    return (dot - eps * dual) / (sigma * n2)


_DPS_RANGE = (15, 10_000)
"""The working precisions (decimal digits) the mpmath references accept."""


def _mp_inputs(w, theta, eps, sigma, norm, dps):
    """(w, theta, eps, sigma, p, dps) validated for the mpmath risks (ValueError naming the parameter)."""
    norm, eps = resolve(eps, norm)
    w = as_vector(w, "w")
    theta = as_vector(theta, "theta")
    if w.ndim != 1 or theta.shape != w.shape:
        raise ValueError(f"w and theta must be vectors of one shape (d,), got w shape {w.shape} and theta "
                         f"shape {theta.shape}")
    sigma = positive(sigma, "sigma")
    for name, v in (("eps", eps), ("sigma", sigma)):
        if v.ndim != 0:
            raise ValueError(f"{name} must be a single number here, got shape {v.shape}")
    dps = positive_int(dps, "dps", minimum=_DPS_RANGE[0], maximum=_DPS_RANGE[1])
    return w, theta, float(eps), float(sigma), norm, dps


def _mp_log_tail(m):
    """log Phi(-m) for huge m (|m| > ~2**512, where mpmath's ncdf overflows), by the asymptotic series.

    log Phi(-m) = -m^2/2 - log(m sqrt(2 pi)) + log(1 - 1/m^2 + 1*3/m^4 - ...), summed until the
    terms fall below the working precision (each is below the last by a factor 1/m^2 < 1e-300).
    """
    inv = 1 / (m * m)
    total, term, k = mpmath.mpf(1), mpmath.mpf(1), 1
    tol = mpmath.mpf(2) ** -(mpmath.mp.prec + 10)
    while abs(term) > tol:
        term *= -(2 * k - 1) * inv
        total += term
        k += 1
    return -m * m / 2 - mpmath.log(m) - mpmath.log(2 * mpmath.pi) / 2 + mpmath.log(total)


def _mp_risk(w, theta, eps, sigma, norm, dps, log: bool):
    """Phi(-margin), or its log, at dps digits; 1/2 for w = 0 (sign(0 . x) = -1 predicts -1 always)."""
    with mpmath.workdps(dps):
        if not w.any():  # as theory.gaussian.adversarial_risk: the zero classifier errs on class +1
            half = mpmath.mpf(1) / 2
            return mpmath.log(half) if log else half
        m = _mp_margin(w, theta, eps, sigma, norm)
        try:
            r = mpmath.ncdf(-m)
            return mpmath.log(r) if log else r
        except OverflowError:  # mpmath squares a margin |m| > ~2**512 in float: use the asymptotic tail
            pass
        # exp(-m^2/2) needs m^2/2 to within 10**-dps absolutely: recompute the margin with the
        # digits of m^2 added, from the same exact float inputs
        extra = int(2 * mpmath.mag(m) * 0.30103) + 20
    with mpmath.workdps(dps + extra):
        m = _mp_margin(w, theta, eps, sigma, norm)
        lt = _mp_log_tail(abs(m))
        if m > 0:
            out = lt if log else mpmath.exp(lt)
        else:  # Phi(|m|) = 1 - Phi(-|m|)
            out = mpmath.log1p(-mpmath.exp(lt)) if log else 1 - mpmath.exp(lt)
    with mpmath.workdps(dps):
        return +out


def mp_adversarial_risk(w, theta, eps=0.0, sigma=1.0, *, norm=None, dps: int = 50):
    """Phi((eps ||w||_* - w.theta) / (sigma ||w||_2)) at ``dps`` digits, from the exact float inputs.

    ``eps``: a ThreatModel, or a scalar radius with the keyword-only ``norm`` (default inf).
    For w = 0 the risk is 1/2, as in :func:`theory.gaussian.adversarial_risk` (sign(0) = -1: the
    zero classifier predicts -1 everywhere). Margins of any size are handled (finite float
    inputs near 1e308 or sigma near 1e-308 included): beyond mpmath's ``ncdf`` range the tail
    is summed by its asymptotic series at raised precision.

    Raises
    ------
    ValueError
        For NaN, infinite or non-numeric w / theta / eps / sigma (integers beyond the float range
        included), w and theta of different shapes or not 1-D, eps < 0, sigma <= 0, a non-scalar
        eps or sigma, a bad norm, or dps not an integer in [15, 10000].

    Examples
    --------
    >>> r = mp_adversarial_risk([1.0, 0.0], [1.0, 0.0])  # Phi(-1) = erfc(1/sqrt 2)/2, at 50 digits
    >>> with mpmath.workdps(50):
    ...     bool(abs(r - mpmath.erfc(1 / mpmath.sqrt(2)) / 2) < mpmath.mpf(10) ** -45)
    True
    >>> mp_adversarial_risk([0.0, 0.0], [1.0, 0.0], 0.5)  # the zero classifier
    mpf('0.5')
    """
    return _mp_risk(*_mp_inputs(w, theta, eps, sigma, norm, dps), log=False)


def mp_log_adversarial_risk(w, theta, eps=0.0, sigma=1.0, *, norm=None, dps: int = 50):
    """log of :func:`mp_adversarial_risk` at ``dps`` digits (mpmath has no underflow).

    log(1/2) for w = 0; raises as :func:`mp_adversarial_risk`.

    Examples
    --------
    The reference for :func:`theory.gaussian.log_adversarial_risk` where the risk underflows float64:

    >>> from theory.gaussian import log_adversarial_risk
    >>> v = mp_log_adversarial_risk([1.0, 0.0], [40.0, 0.0])  # log Phi(-40)
    >>> bool(np.isclose(float(v), log_adversarial_risk([1.0, 0.0], [40.0, 0.0], 0.0), rtol=1e-14))
    True
    """
    return _mp_risk(*_mp_inputs(w, theta, eps, sigma, norm, dps), log=True)


def _min_w_linf(x, w, theta, eps):
    """min w.(x + d) s.t. theta.(x + d) >= 0, ||d||_inf <= eps, per row of x (inf if infeasible).

    Primal greedy: start every coordinate where it lowers w.d most, then buy the
    missing theta.d at the cheapest rate |w_i| / |theta_i| (a fractional knapsack).
    """
    n, d = x.shape
    delta0 = -eps * np.sign(w)
    delta0 = np.where(w == 0, eps * np.sign(theta), delta0)
    base_w = x @ w + delta0 @ w
    deficit = -(x @ theta + delta0 @ theta)  # how much theta.(x + d) is short of 0
    # coordinates that can still move in the direction of sign(theta_i): room 2 eps
    movable = (np.sign(theta) != 0) & (np.sign(delta0) != np.sign(theta))
    gain = np.where(movable, 2 * eps * np.abs(theta), 0.0)
    cost_rate = np.where(movable, np.abs(w) / np.where(theta != 0, np.abs(theta), 1.0), np.inf)
    order = np.argsort(cost_rate)
    g = gain[order]
    c = (np.where(movable, np.abs(w), 0.0) * 2 * eps)[order]  # cost of a full move
    cg = np.concatenate([[0.0], np.cumsum(g)])
    cc = np.concatenate([[0.0], np.cumsum(c)])
    need = np.maximum(deficit, 0.0)
    k = np.searchsorted(cg, need, side="left")  # first prefix covering the need
    feasible = need <= cg[-1]
    k = np.clip(k, 1, d)
    rate = np.where(np.isfinite(cost_rate[order]), cost_rate[order], 0.0)
    extra = cc[k - 1] + (need - cg[k - 1]) * rate[k - 1]
    extra = np.where(need > 0, extra, 0.0)
    return np.where(feasible, base_w + extra, np.inf)


def _min_w_l1(x, w, theta, eps):
    """min w.(x + d) s.t. theta.(x + d) >= 0, ||d||_1 <= eps, by enumerating the polytope's vertices.

    Vertices are +-eps e_i and the points where an edge between two of them meets
    the hyperplane theta.(x + d) = 0.
    """
    n, d = x.shape
    b = -(x @ theta)  # need theta.d >= b
    best = np.full(n, np.inf)
    verts = np.concatenate([eps * np.eye(d), -eps * np.eye(d)])  # (2d, d)
    tv = verts @ theta
    wv = verts @ w
    for i in range(2 * d):
        ok = tv[i] >= b
        best = np.where(ok, np.minimum(best, wv[i]), best)
        for j in range(i + 1, 2 * d):
            if tv[i] == tv[j]:
                continue
            lam = (b - tv[j]) / (tv[i] - tv[j])
            ok = (lam >= 0) & (lam <= 1)
            val = lam * wv[i] + (1 - lam) * wv[j]
            best = np.where(ok, np.minimum(best, val), best)
    return x @ w + best


def _flippable_l2(x, w, theta, eps):
    """Whether x (with theta.x > 0, w.x > 0) lies within l2 distance eps of {theta.z >= 0, w.z <= 0}.

    Planar geometry: in the plane of (theta, w) the cone is a wedge with apex 0; the
    nearest point is the foot on the ray {w.z = 0, theta.z >= 0} when that foot lies
    on the ray, otherwise the apex.
    """
    nw = np.linalg.norm(w)
    u = x @ w
    foot = x - np.outer(u / nw**2, w)  # projection onto the hyperplane w.z = 0
    on_ray = foot @ theta >= 0
    with np.errstate(divide="ignore", invalid="ignore"):  # theta = 0 or w || theta: every foot is on the ray
        e1 = theta / np.linalg.norm(theta)
        w2 = w - (w @ e1) * e1
        e2 = w2 / np.linalg.norm(w2)
        planar = np.hypot(x @ e1, x @ e2)
    dist = np.where(on_ray, u / nw, planar)
    return dist <= eps


def flippable(x, w, theta, eps, *, norm=None):
    """Per row of x: does x count towards the base-relative risk of sign(w.x) w.r.t. sign(theta.x)?

    True iff f and g agree at x and some ||delta||_p <= eps keeps g's label and
    changes f's (suggala2019 Definition 2). Solved in the primal, sample by sample.
    ``eps``: a ThreatModel, or a scalar radius with the keyword-only ``norm`` (1, 2 or inf;
    default inf).

    Raises
    ------
    ValueError
        For NaN/inf or beyond-float entries, w and theta not vectors of one shape (d,), x not
        of shape (n, d) or (d,), eps not a scalar >= 0, or a norm other than 1, 2, inf.

    Examples
    --------
    f = sign(x1 + x2), g = sign(x1), eps = 0.5 (l-inf): points near g's boundary flip, a far one does not:

    >>> flippable([[0.1, 0.0], [5.0, 0.0], [-0.1, 0.0]], [1.0, 1.0], [1.0, 0.0], 0.5).tolist()
    [True, False, True]
    """
    norm, eps = resolve(eps, norm)
    if np.ndim(eps) != 0:
        raise ValueError(f"eps must be a scalar radius, got shape {np.shape(eps)}")
    if norm not in (1.0, 2.0, np.inf):
        raise ValueError(f"flippable supports the l1, l2 and l-inf norms, got norm = {norm}")
    eps = float(eps)
    w, theta = as_vector(w, "w"), as_vector(theta, "theta")
    if w.ndim != 1 or theta.shape != w.shape:
        raise ValueError(f"w and theta must be vectors of one shape (d,), got {w.shape} and {theta.shape}")
    x = np.atleast_2d(as_array(x, "x"))
    if x.ndim != 2 or x.shape[1] != w.size:
        raise ValueError(f"x must have shape (n, {w.size}) or ({w.size},), got {np.shape(x)}")
    out = np.zeros(len(x), bool)
    for sgn in (1.0, -1.0):  # g(x) = +1 side, then the g(x) = -1 side through x -> -x
        z = sgn * x
        side = (z @ theta > 0) & (z @ w > 0) if sgn > 0 else (z @ theta >= 0) & (z @ w >= 0)
        if not side.any():
            continue
        zs = z[side]
        if not w.any():
            continue  # w = 0 is the constant -1: it never changes its mind
        # g = +1 side: f must reach w.(x + d) <= 0; g = -1 side (through x -> -x): f must reach
        # w.(x + d) > 0, i.e. a strictly negative minimum for the reflected point.
        if norm == np.inf:
            hit = _min_w_linf(zs, w, theta, eps) <= 0
        elif norm == 1:
            hit = _min_w_l1(zs, w, theta, eps) <= 0
        elif norm == 2:
            hit = _flippable_l2(zs, w, theta, eps)
        else:
            raise ValueError(f"norm must be 1, 2 or inf, got {norm!r}")
        out[np.flatnonzero(side)[hit]] = True
    return out


def optimal_robust_risk_1d_dp(mu, eps, sigma=1.0, cells: int = 3000, span: float = 10.0):
    """Bracket the optimal robust 0-1 risk over ALL labelings of a grid on R, for x | y ~ N(y mu, sigma^2).

    The line [-L, L] (L = |mu| + span sigma) is cut into ``cells`` cells of width h;
    a classifier is any labeling of the cells (outside the grid: the end cell's
    label). A point in cell c is robustly correct iff every cell its eps-ball meets
    carries its label. The ball of any point of c meets every cell within
    ``ceil(eps / h) - 1`` of c and no cell farther than ``ceil(eps / h)``, so
    charging a cell's mass of class y when a cell within r of it has the other label
    under-charges for r = ceil(eps/h) - 1 and over-charges for r = ceil(eps/h). A
    dynamic program over runs of equal labels minimizes both exactly. The
    over-charged optimum is the true robust risk of a real classifier, so it bounds
    the optimal risk from above; the under-charged one approaches it from below as
    the grid is refined. ``eps`` may be a ThreatModel of any lp norm p >= 1 (on the line
    every lp ball is the same interval).

    A radius of ``cells`` cells or more is the same constraint as any larger one (every cell then
    sees both ends of the grid), so huge finite eps are exact. The cost is O(cells^2).

    Returns
    -------
    (low, high) : the two DP optima.

    Raises
    ------
    ValueError
        For NaN, infinite or non-numeric mu / eps / sigma / span (integers beyond the float range
        included), eps < 0, sigma <= 0, span <= 0, non-scalar arguments, cells not an integer in
        [1, 100000], or a grid half-width |mu| + span sigma too large for float64 (2 L overflows).

    Examples
    --------
    The bracket contains shaeiri2020 Theorem 2's Phi(eps - mu) = Phi(-0.75):

    >>> from theory.gaussian import optimal_robust_risk
    >>> low, high = optimal_robust_risk_1d_dp(1.0, 0.25, cells=200)
    >>> bool(low <= optimal_robust_risk([1.0], [-1.0], 0.25) <= high)
    True
    """
    from scipy.special import ndtr

    _, eps = resolve(eps)  # any lp norm: the norm of a ThreatModel is accepted as is
    mu, sigma, span = as_array(mu, "mu"), positive(sigma, "sigma"), positive(span, "span")
    for name, v in (("mu", mu), ("eps", eps), ("sigma", sigma), ("span", span)):
        if v.ndim != 0:
            raise ValueError(f"{name} must be a single number, got shape {v.shape}")
    cells = positive_int(cells, "cells", maximum=100_000)
    mu, eps, sigma, span = float(mu), float(eps), float(sigma), float(span)
    with np.errstate(over="ignore"):
        L = abs(mu) + span * sigma
        if not np.isfinite(2 * L):
            raise ValueError(f"the grid [-L, L], L = |mu| + span * sigma = {L!r} (mu={mu!r}, span={span!r}, "
                             f"sigma={sigma!r}), is beyond the float64 range")
    edges = np.linspace(-L, L, cells + 1)
    h = edges[1] - edges[0]
    masses = []
    for m in (-mu, mu):  # label index 0 -> class -1, 1 -> class +1
        cell = 0.5 * np.diff(ndtr((edges - m) / sigma))
        cell[0] += 0.5 * ndtr((-L - m) / sigma)
        cell[-1] += 0.5 * ndtr((m - L) / sigma)
        masses.append(cell)
    cum = [np.concatenate([[0.0], np.cumsum(m)]) for m in masses]
    with np.errstate(over="ignore"):  # eps / h may overflow (huge eps, tiny h): k = cells then
        k = int(min(np.ceil(eps / h - 1e-12), cells)) if eps > 0 else 0  # any r >= cells - 1 is the same
    return _dp_runs(cum, cells, max(k - 1, 0)), _dp_runs(cum, cells, k)


def _dp_runs(cum, n: int, r: int) -> float:
    """Min over labelings of the charged risk when a run [s, e] keeps the mass of [s + r, e - r].

    Runs touching an end of the grid keep their cells up to that end (nothing lies
    beyond it with another label).
    """
    best = np.full((n, 2), -np.inf)  # best[e, lbl]: max safe mass of cells [0, e], last run lbl
    for e in range(n):
        b = e if e == n - 1 else e - r
        for lbl in (0, 1):
            c = cum[lbl]
            v = c[b + 1] - c[0] if b >= 0 else 0.0  # one run from the start
            if e >= 1:
                s = np.arange(1, e + 1)
                a = np.minimum(s + r, n)
                gain = np.where(b >= a, c[np.maximum(b, 0) + 1] - c[a], 0.0)
                v = max(v, float(np.max(best[s - 1, 1 - lbl] + gain)))
            best[e, lbl] = v
    return float(1.0 - best[n - 1].max())


def _dist_to_ray(u, c, norm):
    """min over a >= 0 of ||u - a c||_p for 2-vectors u, c (primal, by breakpoints or projection)."""
    if norm == 2:
        a = max(float(u @ c) / float(c @ c), 0.0)
        return float(np.linalg.norm(u - a * c))
    cands = [0.0]
    for i in range(2):
        if c[i] != 0:
            cands.append(u[i] / c[i])
    if norm == np.inf:
        for s in (1.0, -1.0):
            den = c[0] - s * c[1]
            if den != 0:
                cands.append((u[0] - s * u[1]) / den)
    ords = {1: 1, np.inf: np.inf}[norm]
    return min(float(np.linalg.norm(u - a * c, ords)) for a in cands if a >= 0)


def base_relative_risk_polar_2d(w, theta, eps, sigma=1.0, *, norm=None):
    """suggala2019 Definition 2's risk for d = 2 by integration in polar coordinates (primal geometry).

    In the plane the points where f = sign(w.x) and g = sign(theta.x) both say +1 form
    the cone K = {theta.x > 0, w.x > 0}; such a point flips iff its lp distance to the
    cone C = {theta.z >= 0, w.z <= 0} is at most eps. Both are cones, so along the ray
    x = r u (u a unit direction in K) the distance is r dist_p(u, C), computed as the
    distance to C's two edge rays; the flip set on the ray is r <= eps / dist_p(u, C).
    The radial integral of each class's density has a closed form and the angular one
    is done by adaptive quadrature. The g = -1 side contributes the same by the
    symmetry x -> -x of the mixture, so R = sum over classes of the K-side mass.
    ``eps``: a ThreatModel, or a scalar radius with the keyword-only ``norm`` (1, 2 or inf;
    default inf).
    """
    from scipy import integrate
    from scipy.special import ndtr

    norm, eps = resolve(eps, norm)
    eps = float(eps)
    w = np.asarray(w, float)
    theta = np.asarray(theta, float)
    rot = np.array([[0.0, -1.0], [1.0, 0.0]])
    c1 = rot @ theta
    c1 = c1 if w @ c1 <= 0 else -c1  # edge of C on theta.z = 0
    c2 = rot @ w
    c2 = c2 if theta @ c2 >= 0 else -c2  # edge of C on w.z = 0
    # angular range of K: directions with theta.u > 0 and w.u > 0
    ang_t = np.arctan2(theta[1], theta[0])
    ang_w = np.arctan2(w[1], w[0])
    diff = (ang_w - ang_t + np.pi) % (2 * np.pi) - np.pi  # signed angle from theta to w
    lo = max(ang_t, ang_t + diff) - np.pi / 2
    hi = min(ang_t, ang_t + diff) + np.pi / 2

    def radial(phi):
        u = np.array([np.cos(phi), np.sin(phi)])
        dist = min(_dist_to_ray(u, c1, norm), _dist_to_ray(u, c2, norm))
        R = eps / dist if dist > 0 else np.inf
        total = 0.0
        for m in (theta, -theta):
            a = float(u @ m)
            pre = np.exp(-(m @ m - a * a) / (2 * sigma**2)) / (2 * np.pi * sigma**2)
            tail = 0.0 if not np.isfinite(R) else np.exp(-((R - a) ** 2) / (2 * sigma**2))
            part = sigma**2 * (np.exp(-(a * a) / (2 * sigma**2)) - tail)
            upper = 1.0 if not np.isfinite(R) else ndtr((R - a) / sigma)
            part += a * sigma * np.sqrt(2 * np.pi) * (upper - ndtr(-a / sigma))
            total += pre * part
        return total

    val, _ = integrate.quad(radial, lo, hi, epsabs=1e-14, epsrel=1e-12, limit=1000)
    return float(val)


def lp_worst_margin(w, x, theta, eps, *, norm=None, b=0.0, c=0.0, constrained=True):
    """min of s (w.(x + d) + b) over ||d||_p <= eps (and s (theta.(x + d) + c) >= 0 if constrained), by LP.

    s = sign(theta.x + c) (sign(0) = -1); ``eps`` a ThreatModel or a scalar radius with the
    keyword-only ``norm`` p in {1, inf} (default inf). Used as the independent check of
    :func:`theory.regularization.base_relative_worst_margin` and of Hoelder's closed form.

    Raises
    ------
    ValueError
        For NaN, infinite or non-numeric w / x / theta / eps / b / c (integers beyond the float
        range included), w, x, theta not vectors of one shape (d,), a non-scalar eps, b or c, a
        norm other than 1 and inf, theta.x + c or w.x + b overflowing float64, or LP data out of
        the solver's range: HiGHS takes |w|, eps and |theta| (when constrained) up to
        1e15 and the right-hand side |theta.x + c| up to 1e15 where the constraint can bind.

    Examples
    --------
    >>> round(float(lp_worst_margin([1.0, 1.0], [0.1, 0.0], [1.0, 0.0], 1.0)), 9)  # g(x + d) = g(x) binds: not 0.1 - 2
    -1.0
    >>> round(float(lp_worst_margin([1.0, 1.0], [0.1, 0.0], [1.0, 0.0], 1.0, constrained=False)), 9)  # Hoelder
    -1.9
    """
    from scipy.optimize import linprog

    p, eps = resolve(eps, norm)
    w, x, theta = (as_vector(a, name) for a, name in ((w, "w"), (x, "x"), (theta, "theta")))
    if w.ndim != 1 or x.shape != w.shape or theta.shape != w.shape:
        raise ValueError(f"w, x and theta must be vectors of one shape (d,), got shapes {w.shape}, {x.shape} "
                         f"and {theta.shape}")
    b, c = as_array(b, "b"), as_array(c, "c")
    for name, v in (("eps", eps), ("b", b), ("c", c)):
        if v.ndim != 0:
            raise ValueError(f"{name} must be a single number, got shape {v.shape}")
    eps, b, c = float(eps), float(b), float(c)
    d = len(w)
    with np.errstate(over="ignore", invalid="ignore"):
        tx, wx = theta @ x + c, w @ x + b
    for name, v in (("theta.x + c", tx), ("w.x + b", wx)):
        if not np.isfinite(v):
            raise ValueError(f"{name} overflows float64 (w={_short(w)}, x={_short(x)}, theta={_short(theta)}, "
                             f"b={b!r}, c={c!r})")
    # HiGHS refuses matrix entries above 1e15 and reads bounds and costs from 1e20 on as infinite
    limit = 1e15
    with np.errstate(over="ignore"):
        dual = float(np.abs(theta).sum() if np.isinf(p) else np.abs(theta).max())  # |theta.d| <= eps * dual
        can_bind = constrained and eps * dual >= abs(tx)
    for name, v, used in (("w", np.abs(w).max(), True), ("eps", eps, True),
                          ("theta", np.abs(theta).max(), constrained), ("|theta.x + c|", abs(tx), can_bind)):
        if used and v > limit:
            raise ValueError(f"{name} = {float(v)!r} is out of the LP solver's range (HiGHS takes magnitudes up to "
                             f"{limit:g}): rescale the problem")
    s = 1.0 if tx > 0 else -1.0
    a_g, b_g = [-s * theta], [s * tx]
    if np.isinf(p):
        res = linprog(s * w, A_ub=a_g if constrained else None, b_ub=b_g if constrained else None,
                      bounds=[(-eps, eps)] * d, method="highs")
    elif p == 1:
        cost = np.concatenate([s * w, -s * w])
        a_ub = [np.ones(2 * d)] + ([np.concatenate([a_g[0], -a_g[0]])] if constrained else [])
        b_ub = [eps] + (b_g if constrained else [])
        res = linprog(cost, A_ub=a_ub, b_ub=b_ub, bounds=[(0, None)] * (2 * d), method="highs")
    else:
        raise ValueError(f"norm must be 1 or inf for the LP reference, got {p!r}")
    if res.status != 0:
        raise RuntimeError(f"linprog failed: {res.message}")
    return s * wx + res.fun


def mp_binomial_upper_tail(m: int, k: int, t: float) -> mpmath.mpf:
    """P(Bin(k, 1/2 - t) >= m) at 50 digits, summing terms by their exact ratio away from m.

    ``m`` any integer (1 for m <= 0, 0 for m > k); ``k`` an integer in [0, 2**52]; ``t`` a number
    with 1/2 - t a probability, -1/2 <= t <= 1/2 (the Bernoulli model uses 0 < t <= 1/2).

    Raises
    ------
    ValueError
        For a non-integral, NaN, infinite or boolean m or k, k outside [0, 2**52], or t NaN,
        infinite, not a number or outside [-1/2, 1/2].

    Examples
    --------
    >>> mp_binomial_upper_tail(1, 2, 0.25)  # 1 - (3/4)^2
    mpf('0.4375')
    """
    if isinstance(m, bool) or not isinstance(m, numbers.Integral):
        if not (isinstance(m, float | np.floating) and np.isfinite(m) and float(m).is_integer()):
            raise ValueError(f"m must be an integer, got {_short(m)}")
    m = int(m)
    k = positive_int(k, "k", minimum=0, maximum=2**52)
    t_arr = as_array(t, "t")
    if t_arr.ndim != 0 or not -0.5 <= float(t_arr) <= 0.5:
        raise ValueError(f"t must be a number in [-1/2, 1/2] (1/2 - t is the success probability), got {_short(t)}")
    with mpmath.workdps(50):
        p = mpmath.mpf(1) / 2 - mpmath.mpf(float(t_arr))
        q = 1 - p
        if m <= 0:
            return mpmath.mpf(1)
        if m > k:
            return mpmath.mpf(0)
        if p == 0 or q == 0:  # B = 0 or B = k surely (the sums below would add zeros k times)
            return mpmath.mpf(0) if p == 0 else mpmath.mpf(1)
        if m > k * p:
            term = mpmath.binomial(k, m) * p**m * q ** (k - m)
            total, i = term, m
            while i < k:
                term *= mpmath.mpf(k - i) / (i + 1) * p / q
                i += 1
                total += term
                if term < total * mpmath.mpf(10) ** -55:
                    break
            return +total
        j = m - 1
        term = mpmath.binomial(k, j) * p**j * q ** (k - j)
        total = term
        while j > 0:
            term *= mpmath.mpf(j) / (k - j + 1) * q / p
            j -= 1
            total += term
            if term < total * mpmath.mpf(10) ** -55:
                break
        return 1 - total


def _finite_distribution(x, y, w, ndim: int):
    """(x, y, w) checked; w as given where its sum is finite, else normalized (sums near 1e308 overflow)."""
    x = as_array(x, "x")
    y = np.asarray(y)
    w_raw = as_array(w, "w")
    if x.ndim != ndim:
        raise ValueError(f"x must have {ndim} dimension(s), got shape {x.shape}")
    if y.shape != x.shape[:1] or w_raw.shape != x.shape[:1]:
        raise ValueError(f"y and w must have shape ({x.shape[0]},) to match x, got {y.shape} and {w_raw.shape}")
    w = probability_weights(w_raw, x.shape[0], "w")  # finite, >= 0, not all zero; normalized overflow-safely
    with np.errstate(over="ignore"):
        raw_total = w_raw.sum()
    return x, y, (w_raw if np.isfinite(raw_total) else w)  # the ratios best / total are the same


def brute_force_robust_error(x, y, w, eps, *, norm=None) -> float:
    """The optimal robust error of a finite distribution, by enumerating every subset of atoms.

    A set of atoms is robustly correct under one classifier iff no two of them with different
    labels have a common point in their closed eps-balls; for two lp balls of one radius that
    is iff their midpoint lies in both (tested here directly, by ``numpy.linalg.norm``). The
    result is 1 - (largest weight of such a set) / (total weight). No conflict graph, no solver:
    the independent check of :func:`theory.hardness.optimal_robust_error` (shaeiri2020 appendix A,
    eqs. (18)-(21)), exponential in the number of atoms (at most 20).

    Parameters
    ----------
    x : array_like, shape (n, d), the atoms
    y : array_like, shape (n,), their labels (any hashable values)
    w : array_like, shape (n,), their weights (>= 0, not all zero)
    eps : float >= 0 or a ThreatModel; ``norm`` (keyword, default inf) the lp norm p >= 1

    Notes
    -----
    The weights are normalized overflow-safely (:func:`theory._validate.probability_weights`)
    where their sum overflows: weights [1e308, 1e308] give the result of [1, 1].

    Raises
    ------
    ValueError
        For NaN, infinite or non-numeric x / w / eps (integers beyond the float range included),
        w < 0 or all zero, mismatched shapes, a bad norm, or more than 20 atoms.

    Examples
    --------
    >>> brute_force_robust_error([[0.0], [1.0]], [0, 1], [1.0, 3.0], 0.5, norm=2)   # balls touch at 0.5
    0.25
    >>> brute_force_robust_error([[0.0], [1.0]], [0, 1], [1.0, 3.0], 0.4, norm=2)
    0.0
    """
    from theory.threat import resolve

    p, e = resolve(eps, norm)
    eps = float(e)
    x, y, w = _finite_distribution(x, y, w, 2)
    n = len(w)
    if n > 20:
        raise ValueError(f"brute force enumerates 2^n subsets: n must be at most 20, got n={n}")
    conflict = np.zeros((n, n), dtype=bool)
    for a in range(n):
        for b in range(a + 1, n):
            mid = 0.5 * (x[a] + x[b])
            conflict[a, b] = conflict[b, a] = bool(
                y[a] != y[b] and np.linalg.norm(mid - x[a], ord=p) <= eps and np.linalg.norm(mid - x[b], ord=p) <= eps)
    best = 0.0
    for mask in range(1 << n):
        members = [i for i in range(n) if mask >> i & 1]
        if not conflict[np.ix_(members, members)].any():
            best = max(best, float(w[members].sum()))
    return 1.0 - best / float(w.sum())


def brute_force_robust_error_1d(x, y, w, eps) -> float:
    """The optimal robust error of a finite distribution on the line, by trying every labeling of the cells.

    The intervals [x_i - eps, x_i + eps] cut the line into cells (end points and open pieces;
    cells met by the same intervals merge); a classifier matters only through its label on each
    cell met by some interval, and atom i is robustly correct iff every cell its interval meets
    has label y_i. Every labeling of those cells is tried, with no conflict graph: the independent
    one-dimensional check of :func:`theory.hardness.optimal_robust_error` (every lp norm is |.| on
    the line). At most 10^6 labelings.

    Parameters
    ----------
    x : array_like, shape (n,), the atoms on the line
    y : array_like, shape (n,), their labels
    w : array_like, shape (n,), their weights (>= 0, not all zero)
    eps : float >= 0

    Notes
    -----
    Weights are read as in :func:`brute_force_robust_error`.

    Raises
    ------
    ValueError
        For NaN, infinite or non-numeric x / w / eps (integers beyond the float range included),
        w < 0 or all zero, mismatched shapes, a non-scalar eps, or more than 10^6 labelings.

    Examples
    --------
    >>> brute_force_robust_error_1d([0.0, 1.0], [0, 1], [1.0, 3.0], 0.5)
    0.25
    """
    import itertools

    x, y, w = _finite_distribution(x, y, w, 1)
    eps = nonnegative(eps, "eps")  # finite: NaN, inf and integers beyond the float range are refused
    if eps.ndim != 0:
        raise ValueError(f"eps must be a single number, got shape {eps.shape}")
    eps = float(eps)
    classes = sorted(set(y.tolist()))
    ends = np.unique(np.concatenate([x - eps, x + eps]))
    probes = np.concatenate([ends, 0.5 * (ends[1:] + ends[:-1])])  # one point of every cell
    member = np.abs(probes[:, None] - x[None, :]) <= eps * (1 + 1e-12)  # (cells, atoms); closed balls
    pattern, inv = np.unique(member, axis=0, return_inverse=True)  # cells with equal membership merge
    inv = inv.ravel()
    cells = np.flatnonzero(pattern.any(axis=1))
    if len(classes) ** len(cells) > 10**6:
        raise ValueError(f"{len(classes)}^{len(cells)} labelings to try: at most 10^6 (fewer atoms or labels)")
    cell_sets = [np.unique(inv[member[:, i]]) for i in range(len(x))]
    label = np.array([classes.index(v) for v in y.tolist()])  # labels as indices into classes
    best = 0.0
    for lab in itertools.product(range(len(classes)), repeat=len(cells)):
        h = np.full(len(pattern), -1)
        h[cells] = lab
        robust = np.array([np.all(h[c] == label[i]) for i, c in enumerate(cell_sets)])
        best = max(best, float(w[robust].sum()))
    return 1.0 - best / float(w.sum())
