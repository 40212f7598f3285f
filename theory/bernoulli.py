"""The multi-dimensional Bernoulli model: Bayes, l0-robust and linf-robust errors.

Source: shaeiri2020 section 5.4 (Definition 7, Assumption 1, Theorems 3, 4, 5) and appendix A
(Fact 1 and the proofs).

The model (Definition 7, eq. 6). Two centres ``theta_pos`` = theta^(1) and ``theta_neg`` =
theta^(-1) in {-1, 1}^d and a bias 0 < t <= 1/2. Draw y = +-1 with probability 1/2 each; then,
independently for every coordinate, x_i = theta^(y)_i with probability 1/2 + t and
x_i = -theta^(y)_i with probability 1/2 - t. The k = ||theta^(1) - theta^(-1)||_0 coordinates
where the centres differ are the *effective* coordinates (Fact 1: there theta^(1) = -theta^(-1));
the others carry no information about y.

Everything below reduces to one integer. Let j(x) = number of effective coordinates where x
differs from theta^(1). Given y = +1, j ~ Bin(k, 1/2 - t); given y = -1, k - j ~ Bin(k, 1/2 - t).
All errors are therefore sums of upper tails U(m) = P(B >= m), B ~ Bin(k, 1/2 - t):

- Bayes error (Theorem 3): (U(floor(k/2) + 1) + U(ceil(k/2))) / 2.
- l0 adversary changing at most eps coordinates, threshold classifier h_s(x) = +1 iff j(x) <= s
  (Theorem 4): the adversary moves j by up to eps towards the wrong side, so
  R(s) = ([s >= 0] U(k - s - eps) + [s <= k - 1] U(s - eps + 1)) / 2,  s in {-1, ..., k}.
  The printed eq. (12) is this formula without the two indicators; it is wrong at s = k (and
  s = -1), see :func:`printed_robust_error_l0`.
- linf adversary (Theorem 5): the Bayes error for eps < 1, and 1/2 for eps >= 1.

Threat models. The functions take the adversary through ``eps``: a
:class:`theory.threat.ThreatModel` (``ThreatModel.l0(2)``, ``ThreatModel.linf(0.5)``) or a
radius with the keyword-only ``norm=``: 0 for the l0 adversary (eps an integer count of changed
coordinates), ``np.inf`` (the default, as everywhere in the package) for the linf adversary;
no other norm is treated. :func:`robust_error`, :func:`log_robust_error`,
:func:`optimal_robust_error` and :func:`log_optimal_robust_error` are the threat-model forms;
the names with the norm in them (``robust_error_l0``, ``robust_error_linf``, ...) are aliases
kept for one release.

Sign convention: sign(0) = -1, as in the whole package (a real x is mapped to the cube by
T(x)_i = +1 iff x_i > 0, see :meth:`BernoulliModel.linf_robust_classifier`). The Bayes rule keeps
the paper's own tie rule (eq. 8): +1 iff ||x - theta^(1)||_0 <= ||x - theta^(-1)||_0.

Examples
--------
>>> from theory.threat import ThreatModel
>>> err, s = optimal_robust_error(21, 0.15, ThreatModel.l0(2))
>>> bool(err == optimal_robust_error(21, 0.15, 2, norm=0)[0] == robust_error(21, 0.15, 2, s, norm=0))
True
>>> bool(robust_error(21, 0.15, 0.5) == bayes_error(21, 0.15))  # linf, eps < 1
True

Numerics. U(m) is summed in log space: the first term is the binomial probability in Loader's
saddle-point form (Stirling remainders plus the deviance ``bd0``, evaluated from t directly, so
that 1/2 - t is never rounded), and the later terms follow as exp(log pmf(i) - log pmf(m)), summed
away from the mode until a geometric bound on the remainder falls below 2^-60 of the sum. This
keeps relative errors near 1e-14 for k up to 1e7 (scipy's ``binom.sf`` loses up to 8e-12 there,
measured against mpmath) and gives finite logarithms where the tail underflows float64.
"""

from __future__ import annotations

import itertools
import math
import numbers

import numpy as np

from theory._dd import two_prod
from theory._validate import as_array, as_vector, broadcast, check_norm
from theory.montecarlo import as_generator
from theory.threat import ThreatModel, resolve

__all__ = [
    "BernoulliModel",
    "bayes_error",
    "log_bayes_error",
    "robust_error",
    "log_robust_error",
    "optimal_robust_error",
    "log_optimal_robust_error",
    "robust_error_l0",
    "log_robust_error_l0",
    "printed_robust_error_l0",
    "optimal_robust_error_l0",
    "log_optimal_robust_error_l0",
    "robust_error_linf",
    "log_robust_error_linf",
    "binomial_upper_tail",
    "log_binomial_upper_tail",
    "labelling_robust_errors_l0",
]

_LOG2 = math.log(2.0)
_LOG_2PI = math.log(2.0 * math.pi)
_MAX_K = 2**52  # k/2 and the integer offsets below are exact in float64 up to here

# stirlerr(n) = log(n!) - log(sqrt(2 pi n) (n/e)^n) for n = 1..15 (mpmath, 40 digits, rounded).
_STIRLERR_TABLE = np.array([
    np.nan,
    0.08106146679532725822, 0.041340695955409294094, 0.027677925684998339149,
    0.020790672103765093112, 0.016644691189821192163, 0.013876128823070747999,
    0.011896709945891770095, 0.010411265261972096497, 0.0092554621827127329177,
    0.0083305634333628712565, 0.007573675487951840795, 0.0069428401072095298657,
    0.0064089941880042070684, 0.0059513701127588477356, 0.005554733551962801371,
])


# ---------------------------------------------------------------------------------------------
# validation
# ---------------------------------------------------------------------------------------------


def _int_array(x, name: str, minimum: int | None = None) -> np.ndarray:
    """An int64 array of integral values (floats with integral values accepted, bools refused)."""
    if isinstance(x, bool | np.bool_):
        raise ValueError(f"{name} must be an integer, got {x!r}")
    raw = np.asarray(x)
    if raw.dtype == np.bool_:
        raise ValueError(f"{name} must be an integer, got {x!r}")
    arr = as_array(x, name)
    bad = arr != np.round(arr)
    if bad.any():
        raise ValueError(f"{name} must be an integer, got {arr[bad].ravel()[0]!r}")
    if minimum is not None:
        low = arr < minimum
        if low.any():
            raise ValueError(f"{name} must be an integer >= {minimum}, got {arr[low].ravel()[0]!r}")
    big = np.abs(arr) > _MAX_K
    if big.any():
        raise ValueError(f"{name} must be at most 2**52 in magnitude, got {arr[big].ravel()[0]!r}")
    return arr.astype(np.int64)


def _check_k(k) -> np.ndarray:
    return _int_array(k, "k", minimum=1)


def _check_t(t) -> np.ndarray:
    arr = as_array(t, "t")
    bad = ~((arr > 0) & (arr <= 0.5))
    if bad.any():
        raise ValueError(f"t must lie in (0, 1/2], got {arr[bad].ravel()[0]!r}")
    return arr


def _check_eps_l0(eps) -> np.ndarray:
    return _int_array(eps, "eps", minimum=0)


def _threat(eps, norm) -> tuple[float, np.ndarray]:
    """(p, eps) for the two adversaries of this module: p = 0 (eps int64 counts) or p = inf (eps float).

    ``eps`` is a ThreatModel or a radius with ``norm`` (:func:`theory.threat.resolve`, default inf).
    An l0 radius given as a number is checked by this module (integers only, bools refused).
    """
    if not isinstance(eps, ThreatModel) and check_norm(np.inf if norm is None else norm, "norm",
                                                       allow_zero=True) == 0:
        eps = _check_eps_l0(eps)
    p, e = resolve(eps, norm, allow_zero=True)
    if p == 0:
        return p, _check_eps_l0(e)
    if not np.isinf(p):
        raise ValueError(f"norm must be 0 (the l0 adversary) or inf (the linf adversary) for the Bernoulli "
                         f"model, got {p!r}")
    return p, e


# ---------------------------------------------------------------------------------------------
# the binomial tail in log space
# ---------------------------------------------------------------------------------------------


def _stirlerr(n: np.ndarray) -> np.ndarray:
    """log(n!) - log(sqrt(2 pi n) (n/e)^n) for integers n >= 1 (Loader 2000)."""
    n = np.asarray(n, dtype=np.float64)
    out = np.empty_like(n)
    small = n <= 15
    if small.any():
        out[small] = _STIRLERR_TABLE[n[small].astype(np.int64)]
    big = ~small
    if big.any():
        x = n[big]
        x2 = x * x
        s0, s1, s2, s3, s4 = 1 / 12, 1 / 360, 1 / 1260, 1 / 1680, 1 / 1188
        out[big] = (s0 - (s1 - (s2 - (s3 - s4 / x2) / x2) / x2) / x2) / x
    return out


def _bd0(x: np.ndarray, delta: np.ndarray, mean: np.ndarray) -> np.ndarray:
    """The deviance x log(x/M) + M - x, given x > 0, delta = x - M and M, without cancellation.

    Write u = delta/x < 1; then bd0 = x (-log(1 - u) - u). For |u| < 1/4 the power series
    x sum_{j>=2} u^j / j is used; otherwise x (log(x/M) - u), whose two terms cancel by at most
    a factor of about 10 there, and where log(x/M) is taken from M itself so that M << x (t near
    1/2) keeps its relative accuracy.
    """
    u = delta / x
    out = np.empty_like(u)
    small = np.abs(u) < 0.25
    if small.any():
        v = u[small]
        acc = np.zeros_like(v)
        power = v * v
        for j in range(2, 40):  # |u|^j / j < 2^-80 beyond j = 40
            acc += power / j
            power = power * v
        out[small] = x[small] * acc
    big = ~small
    if big.any():
        out[big] = x[big] * (np.log(x[big] / mean[big]) - u[big])
    return out


def _log_pmf(i: np.ndarray, k: np.ndarray, t: np.ndarray) -> np.ndarray:
    """log P(B = i), B ~ Bin(k, 1/2 - t), for 0 <= i <= k and 0 < t < 1/2 (Loader's form).

    log pmf = stirlerr(k) - stirlerr(i) - stirlerr(k-i) - bd0(i, kp) - bd0(k-i, kq)
              - log(2 pi i (k-i)/k) / 2,
    with bd0(x, M) = x log(x/M) + M - x (see :func:`_bd0`), and
    x - M computed as (i - k/2) + k t with k t split exactly into two doubles (one rounding in
    all), so p = 1/2 - t is never formed.
    """
    i, k, t = np.broadcast_arrays(np.asarray(i, np.float64), np.asarray(k, np.float64),
                                  np.asarray(t, np.float64))
    out = np.empty(i.shape)
    lo = i == 0
    hi = i == k
    mid = ~(lo | hi)
    if lo.any():  # k log q
        out[lo] = k[lo] * (np.log1p(2 * t[lo]) - _LOG2)
    if hi.any():  # k log p
        out[hi] = k[hi] * (np.log1p(-2 * t[hi]) - _LOG2)
    if mid.any():
        x, n, tt = i[mid], k[mid], t[mid]
        y = n - x
        nt_hi, nt_lo = two_prod(n, tt)  # n t exactly: near the mean delta is small and n t is not
        delta = ((x - 0.5 * n) + nt_hi) + nt_lo  # x - n p  (and y - n q = -delta)
        bd = _bd0(x, delta, n * (0.5 - tt)) + _bd0(y, -delta, n * (0.5 + tt))
        out[mid] = (_stirlerr(n) - _stirlerr(x) - _stirlerr(y) - bd
                    - 0.5 * (_LOG_2PI + np.log(x * y / n)))
    return out


def _log_sum_away(start: np.ndarray, k: np.ndarray, t: np.ndarray, step: int) -> tuple:
    """log pmf(start) and log of sum_{j>=0} pmf(start + step j)/pmf(start) along a decreasing run.

    The terms pmf(start + step j) must decrease from the first on (start beyond the mode in the
    direction ``step``); by log-concavity their ratios decrease too, so after the last summed term
    T with next ratio r the remainder is at most T r / (1 - r). Summation stops when that bound is
    below 2^-60 of the partial sum, or at the end of the support.
    """
    start = start.astype(np.float64)
    k = k.astype(np.float64)
    lp0 = _log_pmf(start, k, t)
    total = np.ones(start.shape)
    # ratio pmf(i + step) / pmf(i) at the i reached so far
    rho = (1 - 2 * t) / (1 + 2 * t)  # p / q
    last = start.copy()
    active = (start + step >= 0) & (start + step <= k)
    block = 32
    while active.any():
        idx = np.flatnonzero(active)
        offs = np.arange(1, block + 1, dtype=np.float64) * step
        ii = last[idx, None] + offs[None, :]
        kk = np.broadcast_to(k[idx, None], ii.shape)
        inside = (ii >= 0) & (ii <= kk)
        iic = np.where(inside, ii, last[idx, None])
        lp = _log_pmf(iic, kk, np.broadcast_to(t[idx, None], ii.shape))
        terms = np.where(inside, np.exp(lp - lp0[idx, None]), 0.0)
        total[idx] += np.sum(terms, axis=1)
        new_last = np.where(inside, ii, -np.inf if step > 0 else np.inf)
        new_last = new_last.max(axis=1) if step > 0 else new_last.min(axis=1)
        last[idx] = new_last
        tail_term = terms[np.arange(idx.size), np.sum(inside, axis=1) - 1]
        li = last[idx]
        ki = k[idx]
        if step > 0:
            r = (ki - li) / (li + 1) * rho[idx]
            at_end = li >= ki
        else:
            r = li / (ki - li + 1) / rho[idx]
            at_end = li <= 0
        with np.errstate(divide="ignore", invalid="ignore"):
            bound = np.where(r < 1, tail_term * r / (1 - r), np.inf)
        done = at_end | (bound <= 2.0**-60 * total[idx])
        active[idx[done]] = False
        block = max(32, min(4 * block, 8192, 4_000_000 // max(1, int(active.sum()))))  # memory cap
    return lp0, np.log(total)


def log_binomial_upper_tail(m, k, t) -> np.ndarray:
    """log P(B >= m) for B ~ Bin(k, 1/2 - t), accurate where the tail underflows float64.

    Source: the building block of shaeiri2020 eqs. (36), (37), (50); the evaluation is this
    package's (module docstring).

    Parameters
    ----------
    m : int array_like (any integer; m <= 0 gives 0, m > k gives -inf)
    k : int array_like >= 1
    t : float array_like in (0, 1/2]
        Broadcast together.

    Returns
    -------
    ndarray of float64, log of the tail (0 for m <= 0, -inf for m > k, and for m >= 1 at t = 1/2
    where B = 0 surely).

    Raises
    ------
    ValueError
        If k < 1, t is outside (0, 1/2], or m or k is not an integer.

    Examples
    --------
    >>> round(float(log_binomial_upper_tail(2, 2, 0.25)), 10) == round(2 * math.log(0.25), 10)  # P(B = 2) = (1/4)^2
    True
    >>> float(binomial_upper_tail(10**6, 10**6, 0.25))  # P(B = k) = (1/4)^(10^6) underflows float64 ...
    0.0
    >>> bool(np.isclose(log_binomial_upper_tail(10**6, 10**6, 0.25), 10**6 * math.log(0.25)))  # ... its log does not
    True
    """
    m = _int_array(m, "m")
    k = _check_k(k)
    t = _check_t(t)
    m, k, t = broadcast(m=m, k=k, t=t)
    out = np.zeros(m.shape, dtype=np.float64)
    out[m > k] = -np.inf
    det = (t == 0.5) & (m >= 1)
    out[det] = -np.inf
    todo = (m >= 1) & (m <= k) & ~det
    if not todo.any():
        return out
    mm, kk, tt = m[todo], k[todo], t[todo]
    mean = kk * 0.5 - kk * tt
    upper = mm > mean
    res = np.empty(mm.shape)
    if upper.any():
        lp0, ls = _log_sum_away(mm[upper], kk[upper], tt[upper], +1)
        res[upper] = lp0 + ls
    low = ~upper
    if low.any():  # 1 - P(B <= m - 1), and P(B <= m - 1) <= about 1/2 here
        lp0, ls = _log_sum_away(mm[low] - 1, kk[low], tt[low], -1)
        res[low] = np.log1p(-np.exp(lp0 + ls))
    out[todo] = res
    return out


def binomial_upper_tail(m, k, t) -> np.ndarray:
    """P(B >= m) for B ~ Bin(k, 1/2 - t), with relative error about 1e-14 for k <= 1e7.

    Source: as :func:`log_binomial_upper_tail`. Parameters and raises as there.

    Returns
    -------
    ndarray of float64 in [0, 1].

    Examples
    --------
    >>> np.round(binomial_upper_tail([0, 1, 2, 3], 2, 0.25), 12).tolist()  # B ~ Bin(2, 1/4): 1, 1 - (3/4)^2, 1/16, 0
    [1.0, 0.4375, 0.0625, 0.0]
    """
    return np.exp(log_binomial_upper_tail(m, k, t))


# ---------------------------------------------------------------------------------------------
# Theorem 3: the Bayes error
# ---------------------------------------------------------------------------------------------


def _log_half_sum(la: np.ndarray, lb: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore"):
        return np.logaddexp(la, lb) - _LOG2


def log_bayes_error(k, t) -> np.ndarray:
    """log of the Bayes error of the Bernoulli model, finite where the error underflows.

    Source: shaeiri2020 Theorem 3 (eqs. 36-37, appendix A).

    Parameters
    ----------
    k : int array_like >= 1, the effective dimension ||theta^(1) - theta^(-1)||_0
    t : float array_like in (0, 1/2]
        Broadcast together.

    Returns
    -------
    ndarray, log((U(floor(k/2)+1) + U(ceil(k/2))) / 2) with U the upper tail of Bin(k, 1/2 - t);
    -inf at t = 1/2 (the classes are then separated).

    Raises
    ------
    ValueError
        If k is not an integer >= 1 or t is outside (0, 1/2].

    Examples
    --------
    >>> round(float(log_bayes_error(3, 0.25)), 12) == round(math.log(10 / 64), 12)  # P(Bin(3, 3/4) <= 1) = 10/64
    True
    >>> float(bayes_error(10**6, 0.25)), bool(np.isfinite(log_bayes_error(10**6, 0.25)))
    (0.0, True)
    """
    k = _check_k(k)
    t = _check_t(t)
    k, t = broadcast(k=k, t=t)
    return _log_half_sum(log_binomial_upper_tail(k // 2 + 1, k, t),
                         log_binomial_upper_tail((k + 1) // 2, k, t))


def bayes_error(k, t) -> np.ndarray:
    """The Bayes (optimal standard) error of the Bernoulli model.

    Source: shaeiri2020 Theorem 3 (eqs. 8-10 in section 5.4; eqs. 36-37 in appendix A).
    For odd k this is P(Bin(k, 1/2 + t) <= (k-1)/2); for even k half of the middle term is
    removed. The Bayes rule h(x) = +1 iff ||x - theta^(1)||_0 <= ||x - theta^(-1)||_0.

    Parameters, returns (the error in [0, 1/2]) and raises as :func:`log_bayes_error`.

    Examples
    --------
    >>> round(float(bayes_error(1, 0.2)), 12)  # one effective coordinate: wrong w.p. 1/2 - t
    0.3
    >>> round(float(bayes_error(3, 0.25)), 12)  # P(Bin(3, 3/4) <= 1) = (1 + 9)/64
    0.15625
    """
    return np.exp(log_bayes_error(k, t))


# ---------------------------------------------------------------------------------------------
# Theorem 4: the l0 adversary
# ---------------------------------------------------------------------------------------------


def _l0_args(k, t, eps, s=None):
    k = _check_k(k)
    t = _check_t(t)
    eps = _check_eps_l0(eps)
    if s is None:
        return broadcast(k=k, t=t, eps=eps)
    s = _int_array(s, "s", minimum=-1)
    k, t, eps, s = broadcast(k=k, t=t, eps=eps, s=s)
    bad = s > k
    if bad.any():
        raise ValueError(f"s must lie in {{-1, ..., k}}, got s={s[bad].ravel()[0]} > k={k[bad].ravel()[0]}")
    return k, t, eps, s


def _log_robust_l0(k, t, eps, s):
    """Unvalidated log R(s) (module docstring) on broadcast int64/float64 arrays."""
    la = np.where(s >= 0, log_binomial_upper_tail(k - s - eps, k, t), -np.inf)
    lb = np.where(s <= k - 1, log_binomial_upper_tail(s - eps + 1, k, t), -np.inf)
    return _log_half_sum(la, lb)


def log_robust_error_l0(k, t, eps, s) -> np.ndarray:
    """log of the l0-robust error of h_s: ``log_robust_error(k, t, eps, s, norm=0)``, alias kept for one release.

    Source: shaeiri2020 Theorem 4, eq. (12)/(50), with the boundary cases s = k, s = -1 corrected.
    Parameters, returns and raises as :func:`robust_error` with ``norm=0``.

    Examples
    --------
    >>> bool(np.isclose(log_robust_error_l0(1, 0.25, 0, 0), math.log(0.25)))  # eps = 0, h_0 = Bayes: 1/2 - t
    True
    """
    return log_robust_error(k, t, eps, s, norm=0)


def robust_error_l0(k, t, eps, s) -> np.ndarray:
    """The l0-robust error of h_s: ``robust_error(k, t, eps, s, norm=0)``, alias kept for one release.

    Source: shaeiri2020 Theorem 4, eq. (12) (eq. 50 in appendix A), corrected at s = -1 and s = k;
    see :func:`robust_error`. Parameters, returns and raises as there with ``norm=0``.

    Examples
    --------
    >>> float(robust_error_l0(1, 0.25, 0, 0)), float(robust_error_l0(1, 0.25, 1, 1))  # Bayes rule; constant +1
    (0.25, 0.5)
    """
    return robust_error(k, t, eps, s, norm=0)


def printed_robust_error_l0(k, t, eps, s) -> np.ndarray:
    """The l0-robust error exactly as printed in eq. (12)/(50) (kept to exhibit the erratum).

    Source: shaeiri2020 Theorem 4, eq. (12):
    (sum_{i=0}^{s+eps} + sum_{i=0}^{k-s+eps-1}) C(k, i) (1/2+t)^i (1/2-t)^(k-i) / 2,
    i.e. (U(k - s - eps) + U(s - eps + 1)) / 2 without the boundary indicators. At s = k it gives
    1/2 + P(Bin(k, 1/2+t) <= eps - 1)/2 > 1/2 for eps >= 1, whereas h_k = +1 has error exactly 1/2.

    Parameters and raises as :func:`robust_error` with ``norm=0``, with s in {0, ..., k} as
    printed; ``eps`` is an integer count or an l0 :class:`~theory.threat.ThreatModel`.

    Examples
    --------
    At s = k (the constant classifier +1, true error 1/2) the printed formula exceeds 1/2:

    >>> float(printed_robust_error_l0(1, 0.25, 1, 1)), float(robust_error(1, 0.25, 1, 1, norm=0))
    (0.625, 0.5)
    >>> bool(printed_robust_error_l0(3, 0.25, 1, 1) == robust_error(3, 0.25, 1, 1, norm=0))  # 0 <= s <= k-1: agree
    True
    """
    _, eps = _threat(eps, 0)
    k, t, eps, s = _l0_args(k, t, eps, s)
    if (s < 0).any():
        raise ValueError(f"s must lie in {{0, ..., k}} for the printed formula, got {s.min()}")
    return np.exp(_log_half_sum(log_binomial_upper_tail(k - s - eps, k, t),
                                log_binomial_upper_tail(s - eps + 1, k, t)))


def log_optimal_robust_error_l0(k, t, eps) -> tuple[np.ndarray, np.ndarray]:
    """``log_optimal_robust_error(k, t, eps, norm=0)``: alias kept for one release.

    Source: shaeiri2020 Theorem 4 (corrected; see :func:`optimal_robust_error`).

    Examples
    --------
    >>> log_err, s = log_optimal_robust_error_l0(1, 0.25, 1)  # one flip defeats every non-constant rule
    >>> bool(np.isclose(log_err, -math.log(2))), int(s)
    (True, 1)
    """
    return log_optimal_robust_error(k, t, eps, norm=0)


def optimal_robust_error_l0(k, t, eps) -> tuple[np.ndarray, np.ndarray]:
    """``optimal_robust_error(k, t, eps, norm=0)``: alias kept for one release.

    Source: shaeiri2020 Theorem 4, eq. (51), corrected; see :func:`optimal_robust_error`.

    Examples
    --------
    >>> err, s = optimal_robust_error_l0(1, 0.25, 1)
    >>> float(err), int(s)  # the constant classifier +1 (s = k)
    (0.5, 1)
    """
    return optimal_robust_error(k, t, eps, norm=0)


def _log_optimal_l0(k, t, eps) -> tuple[np.ndarray, np.ndarray]:
    """log of the optimal l0-robust error and the threshold attaining it (see :func:`optimal_robust_error`)."""
    k, t, eps = _l0_args(k, t, eps)
    mid = (k - 1) // 2
    zero = np.zeros_like(k)
    l_mid = _log_robust_l0(k, t, eps, mid)
    l_zero = _log_robust_l0(k, t, eps, zero)
    best = np.minimum(np.minimum(l_mid, l_zero), -_LOG2)
    s = np.where(l_mid <= best, mid, np.where(l_zero <= best, zero, k))
    return best, s.astype(np.int64)


# ---------------------------------------------------------------------------------------------
# Theorem 5: the linf adversary
# ---------------------------------------------------------------------------------------------


def _log_linf(k, t, eps) -> np.ndarray:
    """log of the optimal linf-robust error (Theorem 5); eps already validated (float >= 0)."""
    k = _check_k(k)
    t = _check_t(t)
    k, t, eps = broadcast(k=k, t=t, eps=eps)
    out = np.full(k.shape, -_LOG2)
    small = eps < 1
    if small.any():
        out[small] = log_bayes_error(k[small], t[small])
    return out


def log_robust_error_linf(k, t, eps) -> np.ndarray:
    """``log_robust_error(k, t, eps, norm=np.inf)``: alias kept for one release.

    Source: shaeiri2020 Theorem 5, eq. (14)/(56); see :func:`robust_error`.

    Examples
    --------
    >>> bool(np.isclose(log_robust_error_linf(5, 0.2, 1.0), -math.log(2)))  # eps >= 1: 1/2
    True
    """
    return log_robust_error(k, t, eps, norm=np.inf)


def robust_error_linf(k, t, eps) -> np.ndarray:
    """``robust_error(k, t, eps, norm=np.inf)``, the optimal linf-robust error: alias kept for one release.

    Source: shaeiri2020 Theorem 5, eq. (14)/(56); see :func:`robust_error`.

    Examples
    --------
    >>> bool(robust_error_linf(5, 0.2, 0.5) == bayes_error(5, 0.2)), float(robust_error_linf(5, 0.2, 1.0))
    (True, 0.5)
    """
    return robust_error(k, t, eps, norm=np.inf)


# ---------------------------------------------------------------------------------------------
# the threat-model forms: one function for both adversaries
# ---------------------------------------------------------------------------------------------


def log_robust_error(k, t, eps, s=None, *, norm=None) -> np.ndarray:
    """log of :func:`robust_error`, finite where the error underflows float64.

    Source: shaeiri2020 Theorem 4 (eq. 12/50, corrected at s = -1, k) for ``norm=0``, Theorem 5
    (eq. 14/56) for ``norm=np.inf``. Parameters, returns (as logs) and raises as :func:`robust_error`.

    Examples
    --------
    >>> bool(np.isclose(log_robust_error(3, 0.25, 1, 1, norm=0), np.log(robust_error(3, 0.25, 1, 1, norm=0))))
    True
    >>> bool(np.isfinite(log_robust_error(10**6, 0.25, 1, 10**6 // 2, norm=0)))  # the error itself underflows
    True
    """
    p, eps = _threat(eps, norm)
    if p == 0:
        if s is None:
            raise ValueError("s must be given for the l0 adversary (norm=0): the threshold of h_s, in {-1, ..., k}")
        k, t, eps, s = _l0_args(k, t, eps, s)
        return _log_robust_l0(k, t, eps, s)
    if s is not None:
        raise ValueError(f"s must be None for the linf adversary: Theorem 5 gives the optimum over all "
                         f"classifiers, not the error of h_s (got s={s!r}; pass norm=0 for h_s against l0)")
    return _log_linf(k, t, eps)


def robust_error(k, t, eps, s=None, *, norm=None) -> np.ndarray:
    """The robust error of the Bernoulli model against an l0 or linf adversary.

    - ``norm=0`` (eps coordinates may be changed): the l0-robust error of the threshold classifier
      h_s(x) = +1 iff ||x' - theta'^(1)||_0 <= s (``s`` required). Source: shaeiri2020 Theorem 4,
      eq. (12) (eq. 50 in appendix A), re-derived: the adversary may change up to eps coordinates
      of x in {-1, 1}^d, which moves j = ||x' - theta'^(1)||_0 by up to eps in either direction
      (within [0, k]). Hence
      R(s) = ([s >= 0] P(Bin(k, 1/2+t) <= s + eps) + [s <= k-1] P(Bin(k, 1/2-t) >= s - eps + 1)) / 2.
      The printed formula lacks the two indicators; it agrees with this for 0 <= s <= k-1 only
      (:func:`printed_robust_error_l0`).
    - ``norm=np.inf`` (the default; every coordinate may move by eps): the optimal linf-robust
      error over all classifiers R^d -> {-1, 1} (``s`` must be None). Source: shaeiri2020
      Theorem 5, eq. (14)/(56). For eps < 1 no coordinate of x in {-1, 1}^d can reach 0, so no
      perturbation changes a sign and h* o T (T(x)_i = +1 iff x_i > 0,
      :meth:`BernoulliModel.linf_robust_classifier`) keeps the Bayes error, a lower bound for
      every classifier; the theorem's eps < 1 is what makes the sign convention at 0 irrelevant.
      For eps >= 1 every box [x - eps, x + eps] contains the origin, so every classifier errs on
      one whole class: the optimum is 1/2 (a constant classifier).

    Parameters
    ----------
    k : int array_like >= 1, the effective dimension
    t : float array_like in (0, 1/2]
    eps : ThreatModel (``ThreatModel.l0(m)`` or ``ThreatModel.linf(r)``), or array_like >= 0
        with ``norm``: an integer count for norm 0, a real radius for norm inf
    s : int array_like in {-1, ..., k}, for norm 0 only; s = -1 is the constant classifier -1,
        s = k the constant +1
    norm : 0 or inf, keyword-only; None means ``np.inf`` (or the ThreatModel's norm)
        k, t, eps (and s) broadcast together.

    Returns
    -------
    ndarray of float64 in [0, 1] (in [0, 1/2] for norm inf).

    Raises
    ------
    ValueError
        If k < 1 or not an integer, t outside (0, 1/2], eps negative (or, for norm 0, not an
        integer), s not an integer in [-1, k], s missing for norm 0 or given for norm inf, a norm
        other than 0 and inf, or a ThreatModel with a different ``norm``.

    Examples
    --------
    >>> from theory.threat import ThreatModel
    >>> bool(robust_error(5, 0.2, ThreatModel.l0(1), 2) == robust_error(5, 0.2, 1, 2, norm=0))
    True
    >>> float(robust_error(5, 0.2, 1.0))  # linf, eps >= 1
    0.5
    """
    return np.exp(log_robust_error(k, t, eps, s, norm=norm))


def log_optimal_robust_error(k, t, eps, *, norm=None) -> tuple[np.ndarray, np.ndarray]:
    """log of :func:`optimal_robust_error` and the threshold attaining it; finite where it underflows.

    Source: shaeiri2020 Theorems 4 (corrected) and 5; see :func:`optimal_robust_error`.

    Returns
    -------
    (log_error, s) : ndarrays (float64, int64). Parameters and raises as :func:`optimal_robust_error`.

    Examples
    --------
    >>> log_err, s = log_optimal_robust_error(10**6, 0.25, 1, norm=0)
    >>> bool(np.isfinite(log_err)), int(s)  # the middle threshold floor((k - 1)/2)
    (True, 499999)
    """
    p, eps = _threat(eps, norm)
    if p == 0:
        return _log_optimal_l0(k, t, eps)
    k, t, eps = broadcast(k=_check_k(k), t=_check_t(t), eps=eps)
    return _log_linf(k, t, eps), np.where(eps < 1, k // 2, k).astype(np.int64)


def optimal_robust_error(k, t, eps, *, norm=None) -> tuple[np.ndarray, np.ndarray]:
    """The optimal robust error of the Bernoulli model and a threshold s whose classifier attains it.

    - ``norm=0`` (the l0 adversary changes up to eps coordinates). Source: shaeiri2020 Theorem 4,
      eq. (51), corrected. With R(s) the l0-robust error of h_s (:func:`robust_error`), the
      optimum over thresholds is min(1/2, R(0), R(floor((k-1)/2))): R(s) = R(k-1-s), and on
      0 <= s <= (k-1)/2 the increment R(s+1) - R(s) = (pmf(k-s-eps-1) - pmf(s-eps+1))/2 changes
      sign at most once, from + to -, because log C(k, .) is concave (docs/bernoulli.md). The
      exhaustive enumeration over every classifier {-1, 1}^d -> {-1, 1}, d <= 4 (claim
      ``shaeiri2020.thm4.enumeration``) finds no classifier better than this, with or without
      Assumption 1. The printed min over s in {0, ..., k} of eq. (12) overstates the optimum
      whenever the optimum is the constant classifier (claim ``shaeiri2020.thm4.2``).
      s is floor((k-1)/2) if that attains the minimum, else 0 if that does, else k (the constant
      classifier +1, error 1/2); ``robust_error(k, t, eps, s, norm=0) == error``.
    - ``norm=np.inf`` (the default). Source: shaeiri2020 Theorem 5; the error is
      ``robust_error(k, t, eps)``. The optimal classifier is h_s o T (T(x)_i = +1 iff x_i > 0)
      with s = floor(k/2) for eps < 1 (h_{floor(k/2)} is the Bayes rule h* on the cube, eq. 8's
      tie included), and the constant +1 (s = k) for eps >= 1.

    Parameters
    ----------
    k : int array_like >= 1; t : float array_like in (0, 1/2]
    eps : ThreatModel (l0 or linf), or array_like >= 0 with ``norm`` (an integer count for norm 0)
    norm : 0 or inf, keyword-only; None means ``np.inf``
        k, t and eps broadcast together.

    Returns
    -------
    (error, s) : ndarrays (float64, int64).

    Raises
    ------
    ValueError
        If k < 1, t outside (0, 1/2], eps negative (or, for norm 0, not an integer), a norm other
        than 0 and inf, or a ThreatModel with a different ``norm``.

    Examples
    --------
    >>> err, s = optimal_robust_error(3, 0.25, 0, norm=0)  # no adversary: the Bayes error, at s = 1
    >>> bool(err == bayes_error(3, 0.25)), int(s)
    (True, 1)
    >>> err, s = optimal_robust_error(1, 0.25, 1, norm=0)  # shaeiri2020.thm4.2: eq. (12) would give 0.625
    >>> float(err), int(s)
    (0.5, 1)
    """
    log_err, s = log_optimal_robust_error(k, t, eps, norm=norm)
    return np.exp(log_err), s


# ---------------------------------------------------------------------------------------------
# the model
# ---------------------------------------------------------------------------------------------


def _check_cube(x, name: str) -> np.ndarray:
    arr = as_vector(x, name)
    bad = (arr != 1) & (arr != -1)
    if bad.any():
        raise ValueError(f"{name} must have entries in {{-1, 1}}, got {arr[bad].ravel()[0]!r}")
    return arr


class BernoulliModel:
    """The uniform mixture of two product Bernoulli distributions on {-1, 1}^d.

    Source: shaeiri2020 Definition 7 (eqs. 6-7). y = +-1 with probability 1/2; given y, the
    coordinates are independent with x_i = theta^(y)_i w.p. 1/2 + t and -theta^(y)_i w.p. 1/2 - t,
    so D(x | y) = (1/2 + t)^(d - ||x - theta^(y)||_0) (1/2 - t)^(||x - theta^(y)||_0).

    Parameters
    ----------
    theta_pos : array_like, shape (d,), entries +-1 -- theta^(1), the centre of class +1
    theta_neg : array_like, shape (d,), entries +-1 -- theta^(-1); must differ from theta_pos in
        at least one coordinate
    t : float in (0, 1/2] (the paper writes t in R+; t > 1/2 is not a probability)

    Raises
    ------
    ValueError
        For entries outside {-1, 1}, shapes that differ, equal centres, or t outside (0, 1/2].

    Examples
    --------
    >>> model = BernoulliModel([1, 1, 1, 1], [-1, -1, 1, 1], t=0.25)
    >>> model.dim, model.effective_dimension
    (4, 2)
    >>> x, y = model.sample(5, rng=0)
    >>> x.shape, y.shape, np.unique(x).tolist()
    ((5, 4), (5,), [-1.0, 1.0])
    >>> bool(model.bayes_error() == bayes_error(2, 0.25))
    True
    """

    def __init__(self, theta_pos, theta_neg, t: float):
        self.theta_pos = _check_cube(theta_pos, "theta_pos")
        self.theta_neg = _check_cube(theta_neg, "theta_neg")
        if self.theta_pos.ndim != 1:
            raise ValueError(f"theta_pos must have shape (d,), got {self.theta_pos.shape}")
        if self.theta_neg.shape != self.theta_pos.shape:
            raise ValueError(f"theta_neg must have shape {self.theta_pos.shape}, got {self.theta_neg.shape}")
        self.t = float(_check_t(t))
        self.effective_mask = self.theta_pos != self.theta_neg
        if not self.effective_mask.any():
            raise ValueError("theta_pos and theta_neg must differ in at least one coordinate (k >= 1)")

    @property
    def dim(self) -> int:
        """d, the dimension of the cube."""
        return int(self.theta_pos.size)

    @property
    def dimension(self) -> int:
        """d, the dimension of the cube: :attr:`dim`, alias kept for one release."""
        return self.dim

    @property
    def effective_dimension(self) -> int:
        """k = ||theta^(1) - theta^(-1)||_0, the number of coordinates where the centres differ."""
        return int(np.count_nonzero(self.effective_mask))

    def sample(self, n: int, rng=None) -> tuple[np.ndarray, np.ndarray]:
        """Draw n labelled points.

        Parameters
        ----------
        n : int >= 1
        rng : numpy Generator or int seed

        Returns
        -------
        x : ndarray, shape (n, d), entries +-1 (float64); y : ndarray, shape (n,), +-1 (float64)
        """
        if isinstance(n, bool) or not isinstance(n, numbers.Integral) or n < 1:
            raise ValueError(f"n must be an integer >= 1, got {n!r}")
        g = as_generator(rng)
        y = np.where(g.random(n) < 0.5, 1.0, -1.0)
        centre = np.where(y[:, None] > 0, self.theta_pos, self.theta_neg)
        flip = g.random((n, self.dim)) < 0.5 - self.t
        return np.where(flip, -centre, centre), y

    def distance_to_pos(self, x) -> np.ndarray:
        """j(x) = ||x' - theta'^(1)||_0, disagreements with theta^(1) on the effective coordinates.

        x : array_like, shape (..., d), entries +-1. Returns int64 array of shape (...).
        """
        x = self._points(x)
        return np.count_nonzero((x != self.theta_pos) & self.effective_mask, axis=-1)

    def _points(self, x) -> np.ndarray:
        x = _check_cube(x, "x")
        if x.shape[-1] != self.dim:
            raise ValueError(f"x must have last axis of length d={self.dim}, got shape {x.shape}")
        return x

    def bayes_classifier(self, x) -> np.ndarray:
        """The Bayes rule: +1 iff ||x - theta^(1)||_0 <= ||x - theta^(-1)||_0 (Theorem 3, eq. 8).

        The tie (equal distances) goes to +1: that is the paper's rule (eq. 8), kept as printed; it
        is not a sign of a score, so the package convention sign(0) = -1 does not apply.
        x : array_like, shape (..., d), entries +-1. Returns float64 +-1 of shape (...).
        """
        x = self._points(x)
        d_pos = np.count_nonzero(x != self.theta_pos, axis=-1)
        d_neg = np.count_nonzero(x != self.theta_neg, axis=-1)
        return np.where(d_pos <= d_neg, 1.0, -1.0)

    def bayes_error(self) -> float:
        """The error of :meth:`bayes_classifier`: :func:`bayes_error` at (k, t) (shaeiri2020 Theorem 3).

        Examples
        --------
        >>> round(BernoulliModel([1, 1, 1], [-1, -1, -1], 0.25).bayes_error(), 6)  # P(Bin(3, 3/4) <= 1)
        0.15625
        """
        return float(bayes_error(self.effective_dimension, self.t))

    def threshold_classifier(self, x, s: int) -> np.ndarray:
        """h_s(x) = +1 iff ||x' - theta'^(1)||_0 <= s (Theorem 4, eq. 11); s in {-1, ..., k}.

        Returns float64 +-1 of shape x.shape[:-1].
        """
        s = int(_int_array(s, "s", minimum=-1))
        if s > self.effective_dimension:
            raise ValueError(f"s must lie in {{-1, ..., k={self.effective_dimension}}}, got {s}")
        return np.where(self.distance_to_pos(x) <= s, 1.0, -1.0)

    def linf_robust_classifier(self, x) -> np.ndarray:
        """h*(T(x)) with T(x) = sign(x), sign(0) = -1 (Theorem 5, eq. 13); x real, shape (..., d).

        Source: shaeiri2020 Theorem 5. T(x)_i = +1 iff x_i > 0, the package convention sign(0) = -1;
        h* is the Bayes rule with its eq. (8) tie (:meth:`bayes_classifier`). The theorem needs
        eps < 1: then no coordinate of a point of {-1, 1}^d can reach 0 inside the linf ball, T is
        constant on the ball, and this classifier has the Bayes error, the optimum. For eps >= 1 the
        optimum is 1/2, attained by a constant classifier (every ball contains the origin), not by
        this one; where a coordinate is exactly 0 the convention, not the theorem, decides.
        Returns float64 +-1 of shape x.shape[:-1].
        """
        x = as_vector(x, "x")
        if x.shape[-1] != self.dim:
            raise ValueError(f"x must have last axis of length d={self.dim}, got shape {x.shape}")
        return self.bayes_classifier(np.where(x > 0, 1.0, -1.0))

    def l0_attack(self, x, y, eps: int) -> np.ndarray:
        """Flip up to eps effective coordinates of each x towards the other class.

        For y = +1, coordinates where x agrees with theta^(1) are set to theta^(-1); for y = -1,
        coordinates where x agrees with theta^(-1) are set to theta^(1) (the first ones in index
        order). This moves j(x) as far as eps allows towards the wrong side, so it is a worst-case
        l0 perturbation for every classifier that is monotone in j (h_s, the Bayes rule).

        x : shape (n, d), entries +-1; y : shape (n,), +-1; eps : int >= 0, or an l0
        :class:`~theory.threat.ThreatModel` (``ThreatModel.l0(eps)``).
        Returns the perturbed points, shape (n, d).
        """
        x = self._points(x)
        y = as_array(y, "y")
        if y.shape != x.shape[:-1] or not np.isin(y, (-1.0, 1.0)).all():
            raise ValueError(f"y must be +-1 with shape {x.shape[:-1]}, got shape {y.shape}")
        _, eps = _threat(eps, 0)
        eps = int(eps)
        own = np.where(y[..., None] > 0, self.theta_pos, self.theta_neg)
        movable = (x == own) & self.effective_mask
        rank = np.cumsum(movable, axis=-1)
        flip = movable & (rank <= eps)
        return np.where(flip, -x, x)


# ---------------------------------------------------------------------------------------------
# brute force over every classifier of a small cube
# ---------------------------------------------------------------------------------------------


def labelling_robust_errors_l0(d: int, k: int, t: float, eps: int) -> np.ndarray:
    """The l0-robust error of every classifier h: {-1, 1}^d -> {-1, 1} (all 2^(2^d) labellings).

    Source: the quantity minimized in shaeiri2020 Theorem 4, computed by brute force. Centres
    theta^(1) = (1, ..., 1) and theta^(-1) = (-1 on the first k coordinates, 1 elsewhere) (every
    pair of centres is this one up to a symmetry of the cube). Labelling number L gives point
    number i (in ``itertools.product([1, -1], repeat=d)`` order) the label +1 iff bit i of L is
    set. A point (x, y) is an error iff some x' with ||x' - x||_0 <= eps has h(x') != y; with the
    eps-ball of each point as a bit mask M_x, that is M_x & ~L != 0 for y = +1 and M_x & L != 0
    for y = -1.

    Parameters
    ----------
    d : int, 1 <= d <= 4; k : int, 1 <= k <= d; t : float in (0, 1/2]
    eps : int >= 0, or an l0 :class:`~theory.threat.ThreatModel`

    Returns
    -------
    ndarray, shape (2^(2^d),): the robust error of each labelling.

    Examples
    --------
    One coordinate, 2 points, 4 labellings (constant -1, h_0 = Bayes rule, its flip, constant +1):

    >>> labelling_robust_errors_l0(1, 1, 0.25, 0).tolist()
    [0.5, 0.25, 0.75, 0.5]
    >>> float(labelling_robust_errors_l0(2, 2, 0.25, 1).min()) == float(optimal_robust_error(2, 0.25, 1, norm=0)[0])
    True
    """
    if isinstance(d, bool) or not isinstance(d, numbers.Integral) or not 1 <= d <= 4:
        raise ValueError(f"d must be an integer in [1, 4], got {d!r}")
    k = int(_check_k(k))
    if k > d:
        raise ValueError(f"k must be <= d={d}, got {k}")
    t = float(_check_t(t))
    eps = int(_threat(eps, 0)[1])
    pts = np.array(list(itertools.product([1, -1], repeat=d)))
    n = len(pts)
    dist = np.count_nonzero(pts[:, None, :] != pts[None, :, :], axis=-1)
    masks = ((dist <= eps).astype(np.int64) << np.arange(n, dtype=np.int64)[None, :]).sum(axis=1)
    theta_neg = np.ones(d)
    theta_neg[:k] = -1
    dis_pos = np.count_nonzero(pts != 1, axis=1)
    dis_neg = np.count_nonzero(pts != theta_neg, axis=1)
    w_pos = 0.5 * (0.5 + t) ** (d - dis_pos) * (0.5 - t) ** dis_pos
    w_neg = 0.5 * (0.5 + t) ** (d - dis_neg) * (0.5 - t) ** dis_neg
    labels = np.arange(2**n, dtype=np.int64)[:, None]
    full = (1 << n) - 1
    err_pos = (masks[None, :] & (~labels & full)) != 0
    err_neg = (masks[None, :] & labels) != 0
    # the weights sum to 1 only up to rounding: an all-wrong labelling can read 1 + 2e-16
    return np.minimum(err_pos @ w_pos + err_neg @ w_neg, 1.0)
