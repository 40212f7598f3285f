"""Double-double arithmetic on numpy arrays (about 32 significant digits).

Used where a rounding error of one ulp matters: the far tail of the normal
distribution multiplies the relative error of its argument by roughly the square of
the argument (about 1400 at a margin of 37), so margins that end up there are
recomputed here. A value is a pair ``(hi, lo)`` with ``hi = fl(hi + lo)``.

The algorithms are the classical error-free transformations (Knuth's TwoSum,
Dekker's Split/TwoProduct, no FMA) and the compensated dot product and sum of Ogita,
Rump and Oishi (2005, "Accurate sum and dot product", SIAM J. Sci. Comput. 26(6),
Dot2 and Sum2). They are vectorized over whole row blocks: TwoProduct on every entry
at once, then the products of a row are added by a pairwise tree of TwoSums whose
rounding errors are kept in place and summed at the end (:func:`_tree_sum`). Any
order of the n - 1 TwoSums leaves the error-free identity sum = s + sum(errors) intact,
and the tree's errors are smaller than the sequential ones (each is at most u times a
partial sum, and a tree of depth L has partial sums adding up to at most L sum |p_i|),
so Dot2's bound holds as stated there:

    |hi + lo - x.y| <= gamma_n^2 sum |x_i y_i|    (gamma_n = n u / (1 - n u), u = 2**-53)

(plus u^2 |x.y| for the final rounding of (hi, lo)); :func:`sum_` likewise with
gamma_{n-1}^2 sum |x_i|. Inputs are assumed to stay below about 1e300 in magnitude so that
the splitting constant does not overflow, and products above the underflow threshold.
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


_BLOCK_ROWS = 512  # rows per block of the vectorized sums: a transposed block of d x 512 stays in cache


def _halving_sum(x):
    """Sum of ``x`` (2-D) along axis 0 by explicit pairwise halving, in place (x is overwritten).

    The order of the additions depends on the number of terms only, not on the layout or the
    number of columns, so every column gets the same result as it would alone.
    """
    width = x.shape[0]
    if width == 0:
        return np.zeros(x.shape[1])
    while width > 1:
        h = width // 2
        np.add(x[:h], x[width - h:width], out=x[:h])  # an odd middle term stays for the next level
        width -= h
    return x[0].copy()


def _tree_sum(x, buf=None, bb=None):
    """Error-free pairwise summation of the columns of the 2-D array ``x`` (overwritten): Sum2 in tree order.

    Each level adds the top half of the live rows to the bottom half with :func:`two_sum` and
    stores the rounding errors in the bottom half (an odd last row first joins row 0). At the end
    row 0 holds s, the floating-point sum along the tree, and rows 1: hold every error q, so that
    the exact sum is s + sum(q). Returns s and the (floating-point) sum of the q. ``buf`` and
    ``bb``: optional scratch arrays of shape (rows // 2 + 1, columns).
    """
    width, k = x.shape
    if width == 0:
        return np.zeros(k), np.zeros(k)
    if buf is None:
        buf, bb = np.empty((width // 2 + 1, k)), np.empty((width // 2 + 1, k))
    while width > 1:
        if width % 2:
            s, q = two_sum(x[0], x[width - 1])
            x[0], x[width - 1] = s, q
            width -= 1
        h = width // 2
        lo, hi = x[:h], x[h:width]
        s, b = buf[:h], bb[:h]
        np.add(lo, hi, out=s)
        np.subtract(s, lo, out=b)      # bb = s - a
        np.subtract(hi, b, out=hi)     # b - bb
        np.subtract(s, b, out=b)       # s - bb
        np.subtract(lo, b, out=b)      # a - (s - bb)
        np.add(hi, b, out=hi)          # q = (a - (s - bb)) + (b - bb)
        lo[...] = s
        width = h
    return x[0].copy(), _halving_sum(x[1:])


class _Work:
    """Scratch arrays for (d, k) row blocks, reused across the blocks of one call (no allocation per block)."""

    def __init__(self, d: int, k: int):
        self.k = k
        self.arrays = [np.empty((d, k)) for _ in range(6)]
        self.tree = (np.empty((d // 2 + 1, k)), np.empty((d // 2 + 1, k)))

    def get(self, k: int):
        if k != self.k:  # the last, shorter block
            return [np.empty_like(a[:, :k]) for a in self.arrays], ()
        return self.arrays, self.tree


def _split_into(a, hi, lo):
    """Dekker's split of ``a`` written into ``hi`` and ``lo`` (the operations of :func:`split`)."""
    np.multiply(a, _SPLITTER, out=hi)
    np.subtract(hi, a, out=lo)
    np.subtract(hi, lo, out=hi)
    np.subtract(a, hi, out=lo)


def _prod_errors_into(a, b, ah, al, bh, bl, p, e, tmp):
    """p = fl(a * b) and e = a * b - p exactly (Dekker's TwoProduct), entrywise into p and e."""
    np.multiply(a, b, out=p)
    np.multiply(ah, bh, out=e)
    e -= p
    np.multiply(ah, bl, out=tmp)
    e += tmp
    np.multiply(al, bh, out=tmp)
    e += tmp
    np.multiply(al, bl, out=tmp)
    e += tmp


def _transposed_blocks(x):
    """Yield (start, block) with block a C-contiguous copy (d, k) of x[start:start + 512].T (never a view of x)."""
    for i in range(0, x.shape[0], _BLOCK_ROWS):
        yield i, np.array(x[i:i + _BLOCK_ROWS].T, order="C")


def dot(a, b):
    """Compensated dot product along the last axis (Dot2), returned as a double-double (hi, lo)."""
    a, b = np.asarray(a, float), np.asarray(b, float)
    shape = np.broadcast_shapes(a.shape, b.shape)
    if b.ndim == 1:
        d = shape[-1]
        hi, lo = row_dots(np.broadcast_to(a, shape).reshape(-1, d), b, which=(True, False, False))[0]
        return hi.reshape(shape[:-1]), lo.reshape(shape[:-1])
    d = shape[-1]
    af = np.broadcast_to(a, shape).reshape(-1, d)
    bf = np.broadcast_to(b, shape).reshape(-1, d)
    s, c = np.empty(af.shape[0]), np.empty(af.shape[0])
    work = _Work(d, min(_BLOCK_ROWS, af.shape[0]))
    for i, at in _transposed_blocks(af):
        k = at.shape[1]
        (ah, al, p, e, tmp, bt), tree = work.get(k)
        bt[...] = bf[i:i + k].T
        _split_into(at, ah, al)
        bh, bl = split(bt)
        _prod_errors_into(at, bt, ah, al, bh, bl, p, e, tmp)
        s[i:i + k], qsum = _tree_sum(p, *tree)
        c[i:i + k] = qsum + _halving_sum(e)
    hi, lo = fast_two_sum(s, c)
    return hi.reshape(shape[:-1]), lo.reshape(shape[:-1])


def sum_(a):
    """Compensated sum along the last axis (Sum2), as a double-double."""
    a = np.asarray(a, float)
    af = a.reshape(-1, a.shape[-1])
    s, c = np.empty(af.shape[0]), np.empty(af.shape[0])
    for i, at in _transposed_blocks(af):
        s[i:i + at.shape[1]], c[i:i + at.shape[1]] = _tree_sum(at)
    hi, lo = fast_two_sum(s, c)
    return hi.reshape(a.shape[:-1]), lo.reshape(a.shape[:-1])


def row_dots(w, theta, which=(True, True, False)):
    """w.theta, w.w and sum |w_i| along the last axis of the 2-D ``w``, each as a double-double.

    ``which`` selects the three results (the tuple returned holds the selected ones, in this
    order); ``theta`` is a vector (d,) or an array of the shape of ``w``. One pass over ``w`` in
    transposed row blocks with preallocated scratch: the Dekker split of w is shared by both dot
    products and a vector ``theta`` is split once. Column by column the arithmetic of
    :func:`dot` (Dot2) and :func:`sum_` (Sum2), so the results equal theirs bit for bit.
    """
    w, theta = np.asarray(w, float), np.asarray(theta, float)
    rows, d = w.shape
    flat_t = theta.ndim == 1
    if flat_t:
        th, tl = split(theta[:, None])
    out = np.zeros((6, rows))
    work = _Work(d, min(_BLOCK_ROWS, rows))
    for i, wt in _transposed_blocks(w):
        k = wt.shape[1]
        (wh, wl, p, e, tmp, tt), tree = work.get(k)
        if which[0] or which[1]:
            _split_into(wt, wh, wl)
        if which[0]:
            if flat_t:
                tcol = theta[:, None]
            else:
                tt[...] = theta[i:i + k].T
                tcol = tt
                th, tl = split(tt)
            _prod_errors_into(wt, tcol, wh, wl, th, tl, p, e, tmp)
            out[0, i:i + k], qsum = _tree_sum(p, *tree)
            out[1, i:i + k] = qsum + _halving_sum(e)
        if which[1]:
            _prod_errors_into(wt, wt, wh, wl, wh, wl, p, e, tmp)
            out[2, i:i + k], qsum = _tree_sum(p, *tree)
            out[3, i:i + k] = qsum + _halving_sum(e)
        if which[2]:
            np.abs(wt, out=p)
            out[4, i:i + k], out[5, i:i + k] = _tree_sum(p, *tree)
    return tuple(fast_two_sum(out[2 * j], out[2 * j + 1]) for j in range(3) if which[j])


def _dot_columns(a, b):
    """Dot2 as before the vectorized kernels: one TwoProduct/TwoSum step per column (the benchmark's "before")."""
    a, b = np.broadcast_arrays(np.asarray(a, float), np.asarray(b, float))
    s = np.zeros(a.shape[:-1])
    c = np.zeros(a.shape[:-1])
    for i in range(a.shape[-1]):
        p, e = two_prod(a[..., i], b[..., i])
        s, q = two_sum(s, p)
        c = c + (q + e)
    return fast_two_sum(s, c)


def _sum_columns(a):
    """Sum2 column by column, as before the vectorized kernels (the benchmark's "before")."""
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
