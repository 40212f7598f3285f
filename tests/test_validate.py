"""Tests of theory._validate: every check raises ValueError naming the parameter and the value.

The expected behaviour is the one DESIGN.md states ("Bad input gets a ValueError that
names the parameter and the value (`eps must be >= 0, got -0.1`), never a NaN, never a
silent clip"); values that are fine must come back unchanged as float64.
"""

from __future__ import annotations

import re
import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from theory._validate import (
    as_array,
    as_vector,
    broadcast,
    check_norm,
    in_open_interval,
    matching_last_axis,
    nonnegative,
    positive,
    positive_int,
)

names = st.from_regex(r"[a-z][a-z_]{0,11}", fullmatch=True)
finite = st.floats(allow_nan=False, allow_infinity=False)
shapes = hnp.array_shapes(min_dims=1, max_dims=3, max_side=4)


# ------------------------------------------------------------------------------------------
# as_array / as_vector
# ------------------------------------------------------------------------------------------


@given(hnp.arrays(np.float64, shapes, elements=finite), names)
def test_as_array_returns_float64_unchanged(x, name):
    out = as_array(x, name)
    assert out.dtype == np.float64
    np.testing.assert_array_equal(out, x)
    np.testing.assert_array_equal(as_vector(x, name), x)


@pytest.mark.parametrize("x, expected", [(3, [3.0]), ([1, 2], [1.0, 2.0]), ((0.5,), [0.5]),
                                         (np.array([1, 2], dtype=np.int32), [1.0, 2.0]),
                                         (np.float32(0.25), 0.25), (True, 1.0)])
def test_as_array_converts(x, expected):
    out = as_array(x, "x")
    assert out.dtype == np.float64
    np.testing.assert_array_equal(out, expected)


@given(hnp.arrays(np.float64, shapes, elements=finite), st.data(), names,
       st.sampled_from([np.nan, np.inf, -np.inf]))
def test_as_array_refuses_nan_and_infinities_naming_the_index(x, data, name, bad):
    idx = tuple(data.draw(st.integers(0, s - 1)) for s in x.shape)
    x = x.copy()
    x[idx] = bad
    with pytest.raises(ValueError) as info:
        as_array(x, name)
    msg = str(info.value)
    assert msg.startswith(f"{name} must ")
    assert str(idx) in msg
    if np.isnan(bad):
        assert "must not contain NaN, got nan" in msg
    else:
        assert f"must be finite, got {bad!r}" in msg
        np.testing.assert_array_equal(as_array(x, name, allow_inf=True), x)  # allowed on request


def test_as_array_messages():
    with pytest.raises(ValueError, match=r"^eps must not contain NaN, got nan$"):
        as_array(np.nan, "eps")
    with pytest.raises(ValueError, match=r"^w must be finite, got inf at index \(1,\)$"):
        as_array([0.0, np.inf], "w")
    with pytest.raises(ValueError, match=r"must not contain NaN, got nan at index \(0, 1\)"):
        as_array([[0.0, np.nan], [np.inf, 1.0]], "m")


def test_as_array_huge_finite_values_are_accepted():
    """A sum that overflows is not a non-finite entry."""
    x = np.array([1e308, 1e308, -1e308, 1e308])
    np.testing.assert_array_equal(as_array(x, "x"), x)
    with pytest.raises(ValueError, match="finite"):
        as_array([np.inf, -np.inf], "x")  # sum NaN, but the entries are infinities


def test_as_array_does_not_warn_on_valid_huge_input():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        as_array([1e308, 1e308], "x")


@pytest.mark.parametrize("bad", ["abc", None, object(), [[1.0, 2.0], [3.0]], {"a": 1}, "1,2", 1 + 2j])
def test_as_array_refuses_non_numbers(bad):
    with pytest.raises(ValueError, match="^theta "):
        with np.errstate(all="ignore"):
            as_vector(bad, "theta")


def test_as_vector_needs_a_nonempty_axis():
    with pytest.raises(ValueError, match=r"w must have at least 1 dimension\(s\), got shape \(\)"):
        as_vector(1.0, "w")
    with pytest.raises(ValueError, match="w must not be empty"):
        as_vector([], "w")
    with pytest.raises(ValueError, match="w must not be empty"):
        as_vector(np.zeros((3, 0)), "w")
    assert as_vector(np.zeros((0, 3)), "w").shape == (0, 3)  # an empty batch of vectors is fine
    assert as_array([], "x").shape == (0,)  # plain arrays may be empty


# ------------------------------------------------------------------------------------------
# nonnegative / positive / in_open_interval
# ------------------------------------------------------------------------------------------


def test_design_example_message():
    with pytest.raises(ValueError) as info:
        nonnegative(-0.1, "eps")
    assert str(info.value) == "eps must be >= 0, got -0.1"


@given(st.floats(max_value=-5e-324, allow_infinity=False), names)
def test_nonnegative_refuses_negative(x, name):
    with pytest.raises(ValueError, match=f"^{name} must be >= 0, got {re.escape(repr(x))}$"):
        nonnegative(x, name)


@given(hnp.arrays(np.float64, shapes, elements=st.floats(0.0, 1e300)), names)
def test_nonnegative_accepts(x, name):
    np.testing.assert_array_equal(nonnegative(x, name), x)


def test_nonnegative_details():
    assert nonnegative(-0.0, "eps") == 0.0  # -0.0 is not negative
    with pytest.raises(ValueError, match=r"got -1.0 at index \(2,\)"):
        nonnegative([0.0, 1.0, -1.0, -2.0], "eps")  # the first offending entry
    with pytest.raises(ValueError, match="finite"):
        nonnegative(np.inf, "eps")
    assert nonnegative(np.inf, "eps", allow_inf=True) == np.inf
    with pytest.raises(ValueError, match="eps must be >= 0"):
        nonnegative(-np.inf, "eps", allow_inf=True)
    with pytest.raises(ValueError, match="NaN"):
        nonnegative(np.nan, "eps", allow_inf=True)


@given(st.floats(max_value=0.0, allow_infinity=False), names)
def test_positive_refuses_nonpositive(x, name):
    with pytest.raises(ValueError, match=f"^{name} must be > 0"):
        positive(x, name)


def test_positive_details():
    assert positive(5e-324, "sigma") == 5e-324
    np.testing.assert_array_equal(positive([1.0, 2.0], "sigma"), [1.0, 2.0])
    with pytest.raises(ValueError, match=r"sigma must be > 0, got 0.0 at index \(1,\)"):
        positive([1.0, 0.0], "sigma")
    for bad in (np.inf, np.nan, "x"):
        with pytest.raises(ValueError, match="^sigma "):
            positive(bad, "sigma")


@given(st.floats(-10, 10), st.floats(-10, 10), st.floats(allow_nan=False), names)
def test_in_open_interval(lo, hi, x, name):
    lo, hi = min(lo, hi), max(lo, hi)
    if lo < x < hi:
        assert in_open_interval(x, name, lo, hi) == x
    else:
        with pytest.raises(ValueError, match=f"^{name} must lie in"):
            in_open_interval(x, name, lo, hi)


def test_in_open_interval_endpoints_and_nan():
    for bad in (0.0, 1.0, np.nan, -np.inf, np.inf):
        with pytest.raises(ValueError, match="confidence"):
            in_open_interval(bad, "confidence", 0.0, 1.0)
    assert in_open_interval(1e300, "t", 0.0, np.inf) == 1e300
    assert in_open_interval(0.5, "confidence", 0.0, 1.0) == 0.5


# ------------------------------------------------------------------------------------------
# positive_int
# ------------------------------------------------------------------------------------------


@given(st.integers(1, 10**12))
def test_positive_int_accepts_integers(n):
    for v in (n, np.int64(n), float(n)):
        out = positive_int(v, "n")
        assert out == n and type(out) is int


@pytest.mark.parametrize("bad", [0, -3, 2.5, True, False, "3", None, np.nan, np.inf, 1e-9, [3]])
def test_positive_int_refuses(bad):
    with pytest.raises(ValueError, match=r"^n must be an integer >= 1, got "):
        positive_int(bad, "n")


def test_positive_int_minimum():
    assert positive_int(2, "k", minimum=2) == 2
    assert positive_int(0, "k", minimum=0) == 0
    with pytest.raises(ValueError, match="k must be an integer >= 2, got 1"):
        positive_int(1, "k", minimum=2)


# ------------------------------------------------------------------------------------------
# check_norm
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("norm, p", [
    (1, 1.0), (2, 2.0), (np.inf, np.inf), (2.5, 2.5), (np.int64(3), 3.0), ("inf", np.inf), ("linf", np.inf),
    ("Infinity", np.inf), ("INF", np.inf), ("l1", 1.0), ("L2", 2.0), ("2", 2.0), ("3.5", 3.5), (float("inf"), np.inf),
])
def test_check_norm_accepts(norm, p):
    assert check_norm(norm) == p
    assert isinstance(check_norm(norm), float)


@given(st.one_of(st.floats(max_value=1.0, exclude_max=True), st.just(np.nan),
                 st.sampled_from(["abc", "", "l", "-inf", "0.5", "lnan", "nan", "two"]),
                 st.sampled_from([None, [1, 2], object(), {}])), names)
def test_check_norm_refuses(bad, name):
    with pytest.raises(ValueError, match=f"^{name} must be a number p with 1 <= p <= inf, got "):
        check_norm(bad, name)


# ------------------------------------------------------------------------------------------
# broadcast / matching_last_axis
# ------------------------------------------------------------------------------------------


def test_broadcast():
    a, b = broadcast(theta=np.ones((3, 1)), eps=np.arange(4.0))
    assert a.shape == b.shape == (3, 4)
    np.testing.assert_array_equal(b[2], np.arange(4.0))
    with pytest.raises(ValueError, match=r"shapes do not broadcast: theta \(3, 2\), eps \(4,\)"):
        broadcast(theta=np.ones((3, 2)), eps=np.ones(4))


@given(st.integers(1, 6), st.integers(1, 6), names, names)
def test_matching_last_axis(da, db, na, nb):
    a, b = np.ones((2, da)), np.ones(db)
    if da == db:
        assert matching_last_axis(a, na, b, nb) is None
    else:
        with pytest.raises(ValueError) as info:
            matching_last_axis(a, na, b, nb)
        msg = str(info.value)
        assert na in msg and nb in msg and str(a.shape) in msg and str(b.shape) in msg
