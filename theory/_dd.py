"""Double-double arithmetic on numpy arrays (about 32 significant digits).

Used where a rounding error of one ulp matters: the far tail of the normal
distribution multiplies the relative error of its argument by roughly the square of
the argument (about 1400 at a margin of 37), so margins that end up there are
recomputed here. A value is a pair ``(hi, lo)`` with ``hi = fl(hi + lo)``.

The algorithms are the classical error-free transformations (Knuth's TwoSum,
Dekker's Split/TwoProduct) and the compensated dot product of Ogita, Rump and
Oishi (2005). Inputs are assumed to stay below about 1e300 in magnitude so that the
splitting constant does not overflow.
"""

from __future__ import annotations

import numpy as np

_SPLITTER = 134217729.0  # 2**27 + 1


def two_sum(a, b):
    """s, e with s = fl(a + b) and a + b = s + e exactly."""
    s = a + b
    bb = s - a
    e = (a - (s - bb)) + (b - bb)
    return s, e


def fast_two_sum(a, b):
    """As :func:`two_sum`, assuming |a| >= |b|."""
    s = a + b
    return s, b - (s - a)


def split(a):
    """hi, lo with a = hi + lo and each half holding at most 26 significant bits."""
    c = _SPLITTER * a
    hi = c - (c - a)
    return hi, a - hi


def two_prod(a, b):
    """p, e with p = fl(a * b) and a * b = p + e exactly."""
    p = a * b
    ah, al = split(a)
    bh, bl = split(b)
    e = ((ah * bh - p) + ah * bl + al * bh) + al * bl
    return p, e


def dot(a, b):
    """Compensated dot product along the last axis, returned as a double-double (hi, lo)."""
    a, b = np.broadcast_arrays(np.asarray(a, float), np.asarray(b, float))
    s = np.zeros(a.shape[:-1])
    c = np.zeros(a.shape[:-1])
    for i in range(a.shape[-1]):
        p, e = two_prod(a[..., i], b[..., i])
        s, q = two_sum(s, p)
        c = c + (q + e)
    return fast_two_sum(s, c)


def sum_(a):
    """Compensated sum along the last axis, as a double-double."""
    a = np.asarray(a, float)
    s = np.zeros(a.shape[:-1])
    c = np.zeros(a.shape[:-1])
    for i in range(a.shape[-1]):
        s, q = two_sum(s, a[..., i])
        c = c + q
    return fast_two_sum(s, c)


def add(ah, al, bh, bl):
    """(ah + al) + (bh + bl) as a double-double."""
    s, e = two_sum(ah, bh)
    e = e + (al + bl)
    return fast_two_sum(s, e)


def mul(ah, al, bh, bl):
    """(ah + al) * (bh + bl) as a double-double."""
    p, e = two_prod(ah, bh)
    e = e + (ah * bl + al * bh)
    return fast_two_sum(p, e)


def div(ah, al, bh, bl):
    """(ah + al) / (bh + bl) as a double-double (bh must be nonzero)."""
    q1 = ah / bh
    p, e = mul(q1, 0.0, bh, bl)
    rh, rl = add(ah, al, -p, -e)
    q2 = (rh + rl) / bh
    return fast_two_sum(q1, q2)


def sqrt(ah, al):
    """sqrt(ah + al) for ah > 0, as a double-double."""
    s = np.sqrt(ah)
    p, e = two_prod(s, s)
    r = ((ah - p) - e + al) / (2.0 * s)
    return fast_two_sum(s, r)
