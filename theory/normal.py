"""The standard normal CDF and its logarithm, accurate to a few ulp far into the lower tail.

``scipy.special.ndtr(-37)`` is off by about 1e-13 relative, because the rounding of
``x / sqrt(2)`` inside ``erfc`` is amplified by ``x**2``. Here the lower tail is
written as ``Phi(x) = exp(-x**2 / 2) * erfcx(-x / sqrt(2)) / 2`` with ``x**2`` taken
exactly (double-double), and ``erfcx``, whose relative condition number is about one,
carries the rest. An optional low part ``x_lo`` lets callers pass an argument known
to more than double precision (see :mod:`theory._dd`).

Source: the identity ``erfc(t) = exp(-t**2) erfcx(t)``; accuracy measured against
mpmath at 50 digits in ``tests/test_normal.py`` and ``benchmarks/precision.py``.
"""

from __future__ import annotations

import numpy as np
from scipy.special import erfcx, log_ndtr, ndtr

from theory import _dd

__all__ = ["normal_cdf", "log_normal_cdf", "normal_pdf"]

_SQRT1_2 = np.sqrt(0.5)
_LOG_SQRT_2PI = 0.5 * np.log(2.0 * np.pi)
_TAIL = -1.0  # below this the erfcx form is used


def _half_square(x, x_lo):
    """x**2 / 2 for x = x + x_lo, as a double-double (hi, lo)."""
    p, e = _dd.two_prod(x, x)
    return 0.5 * p, 0.5 * e + x * x_lo


def normal_pdf(x):
    """Standard normal density phi(x)."""
    x = np.asarray(x, dtype=float)
    return np.exp(-0.5 * x * x - _LOG_SQRT_2PI)


def normal_cdf(x, x_lo=0.0):
    """Phi(x + x_lo), the standard normal CDF, with relative error of a few ulp for all x.

    Parameters
    ----------
    x : array_like
        The argument (its leading double).
    x_lo : array_like, optional
        A low-order correction, |x_lo| << |x|, for arguments known beyond double precision.

    Returns
    -------
    ndarray (or float)
        Phi(x + x_lo); underflows to 0 (through subnormals) below about x = -38.5.
    """
    x = np.asarray(x, dtype=float)
    x_lo = np.asarray(x_lo, dtype=float)
    x, x_lo = np.broadcast_arrays(x, x_lo)
    out = np.zeros(x.shape)  # Phi(x) < 1e-349 for x < -40: zero in double precision
    tail = (x < _TAIL) & (x >= -40.0)
    body = x >= _TAIL
    if body.any():
        xb, lb = x[body], x_lo[body]
        out[body] = ndtr(xb) + lb * normal_pdf(xb)
    out[np.isnan(x)] = np.nan
    if tail.any():
        xt, lt = x[tail], x_lo[tail]
        hh, hl = _half_square(xt, lt)
        with np.errstate(under="ignore", over="ignore"):
            # Split exp only while exp(-hh) is a normal number; beyond, the result underflows anyway
            # and exp(-hl) could overflow (|hl| grows like ulp(x**2)).
            split = hh < 700.0
            factor = np.where(split, np.exp(-np.where(split, hh, 0.0)) * np.exp(-np.where(split, hl, 0.0)),
                              np.exp(-(hh + hl)))
            out[tail] = 0.5 * erfcx(-xt * _SQRT1_2) * factor
    return out[()] if out.ndim == 0 else out


def log_normal_cdf(x, x_lo=0.0):
    """log Phi(x + x_lo), finite and accurate (relative error ~1e-16) down to x = -1e150 (-inf below).

    Parameters and returns as in :func:`normal_cdf`, on the log scale.
    """
    x = np.asarray(x, dtype=float)
    x_lo = np.asarray(x_lo, dtype=float)
    x, x_lo = np.broadcast_arrays(x, x_lo)
    out = np.empty(x.shape)
    tail = x < _TAIL
    body = ~tail
    if body.any():
        xb, lb = x[body], x_lo[body]
        # Above 0, log Phi(x) = log1p(-Phi(-x)) keeps the tiny value's digits.
        # d/dx log Phi = phi / Phi is bounded for x >= -1, so the x_lo term is first order.
        base = np.where(xb > 0, np.log1p(-normal_cdf(-np.abs(xb))), log_ndtr(xb))
        out[body] = base + lb * normal_pdf(xb) / ndtr(xb)
    if tail.any():
        xt, lt = x[tail], x_lo[tail]
        huge = xt < -1e150  # x**2 / 2 overflows: log Phi is -inf in double precision
        xs, ls = np.where(huge, -1e150, xt), np.where(huge, 0.0, lt)
        hh, hl = _half_square(xs, ls)
        out[tail] = np.where(huge, -np.inf, (np.log(0.5 * erfcx(-xs * _SQRT1_2)) - hl) - hh)
    return out[()] if out.ndim == 0 else out
