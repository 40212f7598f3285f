"""Argument checks shared by every module of :mod:`theory`.

Every check raises ``ValueError`` whose message names the parameter and shows the
offending value, e.g. ``eps must be >= 0, got -0.1``. Nothing here clips silently
or lets a NaN through.
"""

from __future__ import annotations

import numbers

import numpy as np

__all__ = [
    "as_array",
    "as_vector",
    "broadcast",
    "check_norm",
    "nonnegative",
    "positive",
    "in_open_interval",
    "positive_int",
]


def _first_bad(arr: np.ndarray, bad: np.ndarray) -> str:
    """Describe the first offending entry of ``arr`` (its value, and its index if an array)."""
    if arr.ndim == 0:
        return f"{arr.item()!r}"
    idx = tuple(int(i) for i in np.argwhere(bad)[0])
    return f"{arr[idx].item()!r} at index {idx}"


def as_array(x, name: str, *, allow_inf: bool = False, min_ndim: int = 0) -> np.ndarray:
    """Convert ``x`` to a float64 array, refusing NaN, infinities (unless allowed) and non-numbers."""
    try:
        arr = np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be a real number or array of real numbers, got {x!r}") from exc
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


def positive_int(x, name: str, *, minimum: int = 1) -> int:
    """A Python int >= ``minimum`` (bools and non-integral floats are refused)."""
    if isinstance(x, bool) or not isinstance(x, numbers.Integral | np.integer):
        if isinstance(x, float | np.floating) and float(x).is_integer():
            x = int(x)
        else:
            raise ValueError(f"{name} must be an integer >= {minimum}, got {x!r}")
    if x < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {x!r}")
    return int(x)


def check_norm(norm, name: str = "norm") -> float:
    """The exponent p of an lp norm, 1 <= p <= inf, as a float (``np.inf`` for the max norm)."""
    if isinstance(norm, str):
        if norm.lower() in {"inf", "linf", "infinity"}:
            return np.inf
        try:
            norm = float(norm.lower().lstrip("l"))
        except ValueError as exc:
            raise ValueError(f"{name} must be a number p with 1 <= p <= inf, got {norm!r}") from exc
    try:
        p = float(norm)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be a number p with 1 <= p <= inf, got {norm!r}") from exc
    if np.isnan(p) or p < 1:
        raise ValueError(f"{name} must be a number p with 1 <= p <= inf, got {norm!r}")
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
