"""Argument checks shared by every module of :mod:`theory`.

Every check raises ``ValueError`` whose message names the parameter and shows the
offending value, e.g. ``eps must be >= 0, got -0.1``. Nothing here clips silently
or lets a NaN through.
"""

from __future__ import annotations

import numbers

import numpy as np

__all__ = [
    "MAX_ELEMENTS",
    "as_array",
    "as_vector",
    "real_array",
    "broadcast",
    "check_norm",
    "nonnegative",
    "positive",
    "in_open_interval",
    "positive_int",
    "probability",
    "labels_pm1",
    "probability_weights",
    "check_size",
    "scalar",
    "covariance",
]

MAX_ELEMENTS = 2**31  # arrays larger than this (16 GiB of float64) are refused with a ValueError


def _first_bad(arr: np.ndarray, bad: np.ndarray) -> str:
    """Describe the first offending entry of ``arr`` (its value, and its index if an array)."""
    if arr.ndim == 0:
        return f"{arr.item()!r}"
    idx = tuple(int(i) for i in np.argwhere(bad)[0])
    return f"{arr[idx].item()!r} at index {idx}"


def _short(x) -> str:
    """repr of x, cut to 80 characters (huge integers and arrays stay readable)."""
    r = repr(x)
    return r if len(r) <= 80 else r[:60] + "..." + r[-12:]


def as_array(x, name: str, *, allow_inf: bool = False, min_ndim: int = 0) -> np.ndarray:
    """Convert ``x`` to a float64 array, refusing NaN, infinities (unless allowed) and non-numbers."""
    if x is None or isinstance(x, str | bytes):
        raise ValueError(f"{name} must be a real number or array of real numbers, got {_short(x)}")
    try:
        arr = np.asarray(x, dtype=np.float64)
    except OverflowError as exc:
        raise ValueError(f"{name} must be finite, got an integer beyond the float64 range") from exc
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be a real number or array of real numbers, got {_short(x)}") from exc
    if arr.ndim < min_ndim:
        raise ValueError(f"{name} must have at least {min_ndim} dimension(s), got shape {arr.shape}")
    if arr.ndim >= 1 and arr.shape[-1] == 0 and min_ndim >= 1:
        raise ValueError(f"{name} must not be empty, got shape {arr.shape}")
    with np.errstate(over="ignore", invalid="ignore"):
        total = np.add.reduce(arr, axis=None) if arr.size else 0.0
    if arr.size and np.isfinite(total):
        return arr  # a finite sum rules out NaN and infinities in one pass
    nan = np.isnan(arr)
    if nan.any():
        raise ValueError(f"{name} must not contain NaN, got {_first_bad(arr, nan)}")
    if not allow_inf:
        inf = np.isinf(arr)
        if inf.any():
            raise ValueError(f"{name} must be finite, got {_first_bad(arr, inf)}")
    return arr


def real_array(x, name: str) -> np.ndarray:
    """``x`` as a float64 array for a NaN-propagating numerical kernel (:mod:`theory.normal`, the
    :mod:`theory.norms` kernels): NaN and infinities pass through unchanged, like a numpy ufunc,
    but anything that is not a real number (None, strings, objects, complex numbers, integers
    beyond the float64 range) is refused with a ValueError naming ``name``.
    """
    bad = f"{name} must be a real number or array of real numbers"
    if x is None or isinstance(x, str | bytes):
        raise ValueError(f"{bad}, got {_short(x)}")
    try:
        raw = np.asarray(x)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{bad}, got {_short(x)}") from exc
    if raw.dtype.kind in "biuf":
        return raw.astype(np.float64, copy=False)
    if raw.dtype.kind == "O" and all(isinstance(v, numbers.Real) for v in raw.ravel()):
        try:
            return raw.astype(np.float64)
        except OverflowError as exc:
            raise ValueError(f"{name} must be finite, got an integer beyond the float64 range") from exc
    raise ValueError(f"{bad}, got {_short(x)}")


def as_vector(x, name: str) -> np.ndarray:
    """A finite float64 array with at least one axis; vectors lie along the last axis."""
    return as_array(x, name, min_ndim=1)


def nonnegative(x, name: str, *, allow_inf: bool = False) -> np.ndarray:
    """A float64 array whose entries are all >= 0."""
    arr = as_array(x, name, allow_inf=allow_inf)
    bad = arr < 0
    if bad.any():
        raise ValueError(f"{name} must be >= 0, got {_first_bad(arr, bad)}")
    return arr


def positive(x, name: str) -> np.ndarray:
    """A finite float64 array whose entries are all > 0."""
    arr = as_array(x, name)
    bad = arr <= 0
    if bad.any():
        raise ValueError(f"{name} must be > 0, got {_first_bad(arr, bad)}")
    return arr


def in_open_interval(x, name: str, lo: float, hi: float) -> np.ndarray:
    """A float64 array whose entries all lie in the open interval (lo, hi)."""
    arr = as_array(x, name, allow_inf=True)
    bad = ~((arr > lo) & (arr < hi))
    if bad.any():
        raise ValueError(f"{name} must lie in ({lo}, {hi}), got {_first_bad(arr, bad)}")
    return arr


def positive_int(x, name: str, *, minimum: int = 1, maximum: int | None = None) -> int:
    """A Python int in [``minimum``, ``maximum``] (bools and non-integral floats are refused)."""
    if isinstance(x, bool) or not isinstance(x, numbers.Integral | np.integer):
        if isinstance(x, float | np.floating) and np.isfinite(x) and float(x).is_integer():
            x = int(x)
        else:
            raise ValueError(f"{name} must be an integer >= {minimum}, got {_short(x)}")
    if x < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {_short(x)}")
    if maximum is not None and x > maximum:
        top = f"{maximum:.3g}" if maximum > 10**15 else str(maximum)
        raise ValueError(f"{name} must be an integer <= {top}, got {_short(x)}")
    return int(x)


def check_norm(norm, name: str = "norm", *, allow_zero: bool = False) -> float:
    """The exponent p of an lp norm, 1 <= p <= inf, as a float (``np.inf`` for the max norm).

    The one spelling is a number: 1, 2, any p >= 1, ``np.inf``, and 0 (the l0 "norm", the
    number of changed coordinates) where ``allow_zero``. The strings "l1", "l2", "linf",
    "inf" and "l0" are read as the same numbers. A threat-model value (anything with a
    ``norm`` attribute, see :class:`theory.threat.ThreatModel`) gives its norm.
    """
    what = "a number p with 1 <= p <= inf" + (" or 0" if allow_zero else "")
    if hasattr(norm, "norm") and hasattr(norm, "eps"):
        norm = norm.norm
    if isinstance(norm, str):
        low = norm.strip().lower()
        if low in {"inf", "linf", "l-inf", "infinity"}:
            return np.inf
        try:
            norm = float(low[1:] if low.startswith("l") else low)
        except ValueError as exc:
            raise ValueError(f"{name} must be {what}, got {norm!r}") from exc
    if isinstance(norm, bool):
        raise ValueError(f"{name} must be {what}, got {norm!r}")
    try:
        p = float(norm)
    except OverflowError:
        p = np.inf  # an integer beyond the float range: the lp norm is the max norm to double precision
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be {what}, got {_short(norm)}") from exc
    if allow_zero and p == 0:
        return 0.0
    if np.isnan(p) or p < 1:
        raise ValueError(f"{name} must be {what}, got {_short(norm)}")
    return p


def broadcast(**arrays: np.ndarray) -> tuple[np.ndarray, ...]:
    """Broadcast named arrays together; a shape mismatch names the parameters involved."""
    try:
        return tuple(np.broadcast_arrays(*arrays.values()))
    except ValueError as exc:
        shapes = ", ".join(f"{k} {np.shape(v)}" for k, v in arrays.items())
        raise ValueError(f"shapes do not broadcast: {shapes}") from exc


def matching_last_axis(a: np.ndarray, a_name: str, b: np.ndarray, b_name: str) -> None:
    """Refuse two vector arguments whose last axes (the coordinates) differ in length."""
    if a.shape[-1] != b.shape[-1]:
        raise ValueError(
            f"{a_name} and {b_name} must have the same dimension along the last axis, "
            f"got {a_name} shape {a.shape} and {b_name} shape {b.shape}"
        )


def probability(x, name: str, *, open_interval: bool = False) -> np.ndarray:
    """A float64 array of probabilities: entries in [0, 1] (in (0, 1) with ``open_interval``)."""
    arr = as_array(x, name)
    bad = ~((arr > 0) & (arr < 1)) if open_interval else ~((arr >= 0) & (arr <= 1))
    if bad.any():
        where = "(0, 1)" if open_interval else "[0, 1]"
        raise ValueError(f"{name} must lie in {where}, got {_first_bad(arr, bad)}")
    return arr


def labels_pm1(y, name: str = "y") -> np.ndarray:
    """A float64 array of labels, every entry +1 or -1 (the binary labels of the whole package)."""
    arr = as_array(y, name)
    bad = (arr != 1) & (arr != -1)
    if bad.any():
        raise ValueError(f"{name} must contain only +1 and -1, got {_first_bad(arr, bad)}")
    return arr


def probability_weights(weights, n: int, name: str = "weights") -> np.ndarray:
    """The probabilities of n atoms, shape (n,), summing to 1 (uniform when ``weights`` is None).

    The one rule of the package: weights are finite, >= 0 and not all zero, and are
    normalized to sum to 1 (so counts or unnormalized masses are accepted). The sum is
    taken after dividing by the largest weight, so weights near the float maximum do not
    overflow.
    """
    n = positive_int(n, "n")
    if weights is None:
        return np.full(n, 1.0 / n)
    w = nonnegative(weights, name)
    if w.shape != (n,):
        raise ValueError(f"{name} must have shape ({n},), got shape {w.shape}")
    top = float(w.max())
    if top == 0:
        raise ValueError(f"{name} must not all be zero")
    scaled = w / top
    return scaled / scaled.sum()


def check_size(n, name: str, *, itemsize: int = 8, factor: int = 1) -> int:
    """Refuse an allocation of ``n * factor`` items that cannot fit in memory, naming the size.

    Returns n as an int. The limit is :data:`MAX_ELEMENTS` items (16 GiB of float64).
    """
    n = positive_int(n, name)
    if n * factor > MAX_ELEMENTS:
        entries = n * factor
        gib = f"{entries * itemsize / 2**30:.3g}" if entries < 2**900 else "more than 1e260"  # no float overflow
        raise ValueError(
            f"{name} = {_short(n)} needs {_short(entries)} array entries ({gib} GiB); "
            f"the most this package allocates is {MAX_ELEMENTS} entries")
    return n


def scalar(x: np.ndarray, name: str) -> float:
    """A validated array that must hold one number, as a float; ValueError naming ``name`` otherwise."""
    if x.ndim != 0:
        raise ValueError(f"{name} must be a single number, got shape {x.shape}")
    return float(x)


def covariance(cov, d: int, name: str = "cov", *, definite: bool = False) -> tuple[np.ndarray, float]:
    """A symmetric positive semi-definite (``definite``: definite) (d, d) matrix, scaled to max |entry| 1.

    Returns (cov / scale, scale), the scaled matrix symmetrized. Symmetry is checked to 1e-12 and the
    smallest eigenvalue against -1e-12 (definite: > 1e-12) on the scaled matrix.
    """
    c = as_array(cov, name)
    if c.shape != (d, d):
        raise ValueError(f"{name} must have shape ({d}, {d}), got shape {c.shape}")
    scale = float(np.abs(c).max())
    if scale == 0:
        raise ValueError(f"{name} must not be the zero matrix")
    cs = c / scale
    if not np.allclose(cs, cs.T, rtol=0, atol=1e-12):
        raise ValueError(f"{name} must be symmetric")
    cs = 0.5 * (cs + cs.T)
    lo = float(np.linalg.eigvalsh(cs).min())
    if definite and lo <= 1e-12:
        raise ValueError(f"{name} must be positive definite, got smallest eigenvalue {lo * scale!r}")
    if lo < -1e-12:
        raise ValueError(f"{name} must be positive semi-definite, got eigenvalue {lo * scale!r}")
    return cs, scale
