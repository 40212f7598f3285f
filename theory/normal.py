"""The standard normal CDF and its logarithm, accurate to a few ulp far into the lower tail.

``scipy.special.ndtr(-37)`` is off by about 1e-13 relative, because the rounding of
``x / sqrt(2)`` inside ``erfc`` is amplified by ``x**2``. Here the lower tail is
written as ``Phi(x) = exp(-x**2 / 2) * erfcx(-x / sqrt(2)) / 2`` with ``x**2`` taken
exactly (double-double), and ``erfcx``, whose relative condition number is about one,
carries the rest. An optional low part ``x_lo`` lets callers pass an argument known
to more than double precision (see :mod:`theory._dd`).

Source: the identity ``erfc(t) = exp(-t**2) erfcx(t)``; accuracy measured against
mpmath at 50 digits in ``tests/test_normal.py`` and ``benchmarks/precision.py``.

Domain and NaN. These are low-level numerical kernels, and they follow the numpy ufunc
rule: a NaN entry gives a NaN entry of the result (nothing is raised), and the infinities
are in the domain (``normal_cdf(-inf) = 0``, ``normal_cdf(inf) = 1``, ``normal_pdf(+-inf) = 0``,
``log_normal_cdf(-inf) = -inf``). Arguments outside the domain are refused with a
``ValueError`` naming the parameter: anything that is not a real number (None, strings,
integers beyond the float64 range), and a low part ``x_lo`` that is infinite or not small
against ``x``, i.e. ``|x_lo| > 2**-20 * max(1, |x|)`` (a double-double's low part is below
``2**-53 |x|``; a larger "correction" would make the first-order formula meaningless and
could push Phi above 1). The public risk functions of the package differ: they refuse NaN
input with a ``ValueError`` (through :mod:`theory._validate`), so a NaN never comes out of
them.

Examples
--------
>>> import numpy as np
>>> float(normal_cdf(0.0)), bool(np.isnan(normal_cdf(np.nan)))
(0.5, True)
"""

from __future__ import annotations

import numpy as np
from scipy.special import erfcx, log_ndtr, ndtr

from theory import _dd
from theory._validate import real_array

__all__ = ["normal_cdf", "log_normal_cdf", "normal_pdf"]

_SQRT1_2 = np.sqrt(0.5)
_LOG_SQRT_2PI = 0.5 * np.log(2.0 * np.pi)
_TAIL = -1.0  # below this the erfcx form is used


def _half_square(x, x_lo):
    """x**2 / 2 for x = x + x_lo, as a double-double (hi, lo)."""
    p, e = _dd.two_prod(x, x)
    return 0.5 * p, 0.5 * e + x * x_lo


_LO_MAX = 2.0**-20  # |x_lo| <= _LO_MAX * max(1, |x|): the domain of the low part


def _args(x, x_lo):
    """(x, x_lo) as broadcast float64 arrays; NaN passes, an out-of-domain x_lo raises ValueError."""
    x = real_array(x, "x")
    x_lo = real_array(x_lo, "x_lo")
    try:
        x, x_lo = np.broadcast_arrays(x, x_lo)
    except ValueError as exc:
        raise ValueError(f"x_lo must broadcast against x, got shapes {x.shape} and {x_lo.shape}") from exc
    with np.errstate(invalid="ignore"):
        bad = np.isinf(x_lo) | (np.abs(x_lo) > _LO_MAX * np.maximum(1.0, np.abs(x)))
    if bad.any():
        i = tuple(int(k) for k in np.argwhere(bad)[0])
        raise ValueError(f"x_lo must be a finite low-order part, |x_lo| <= 2**-20 * max(1, |x|), got "
                         f"x_lo = {x_lo[i]!r} for x = {x[i]!r}")
    return x, x_lo


def normal_pdf(x):
    """Standard normal density phi(x); NaN gives NaN, +-inf gives 0 (see the module docstring).

    Examples
    --------
    >>> bool(np.isclose(normal_pdf(0.0), 1 / np.sqrt(2 * np.pi))), float(normal_pdf(np.inf))
    (True, 0.0)
    """
    x = real_array(x, "x")
    return np.exp(-0.5 * x * x - _LOG_SQRT_2PI)


def normal_cdf(x, x_lo=0.0):
    """Phi(x + x_lo), the standard normal CDF, with relative error of a few ulp for all x.

    Parameters
    ----------
    x : array_like
        The argument (its leading double).
    x_lo : array_like, optional
        A low-order correction for arguments known beyond double precision: finite, with
        |x_lo| <= 2**-20 max(1, |x|) (a double-double's low part is below 2**-53 |x|).

    Notes
    -----
    NaN entries of x or x_lo give NaN (ufunc rule); +-inf in x give 1 and 0.

    Returns
    -------
    ndarray (or float)
        Phi(x + x_lo); underflows to 0 (through subnormals) below about x = -38.5.

    Raises
    ------
    ValueError
        For an argument that is not a real number, or an infinite or too large ``x_lo``.

    Examples
    --------
    >>> float(normal_cdf(0.0)), float(normal_cdf(np.inf)), float(normal_cdf(1.5) + normal_cdf(-1.5))
    (0.5, 1.0, 1.0)

    Deep in the lower tail, against mpmath at 30 digits:

    >>> import mpmath
    >>> with mpmath.workdps(30):
    ...     exact = mpmath.ncdf(-37)
    >>> bool(abs(normal_cdf(-37.0) / float(exact) - 1) < 1e-14)
    True
    """
    x, x_lo = _args(x, x_lo)
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
    out[np.isnan(x_lo)] = np.nan
    return out[()] if out.ndim == 0 else out


def log_normal_cdf(x, x_lo=0.0):
    """log Phi(x + x_lo), finite and accurate (relative error ~1e-16) down to x = -1e150 (-inf below).

    Parameters and returns as in :func:`normal_cdf`, on the log scale.

    Examples
    --------
    >>> bool(np.isclose(log_normal_cdf(0.0), np.log(0.5)))
    True
    >>> float(normal_cdf(-1e10)), float(log_normal_cdf(-1e10))  # Phi underflows; log Phi ~ -x^2/2
    (0.0, -5e+19)
    """
    x, x_lo = _args(x, x_lo)
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
    out[np.isnan(x_lo)] = np.nan
    return out[()] if out.ndim == 0 else out
