"""Classification-calibrated margin losses, psi-transforms, and the TRADES bounds.

Source: zhang2019 sections 2-4 and appendices B-C (definitions of H, H^-, psi; Table 2;
Theorems 3.1 and 3.2; Lemma C.6; the toy example (2) and its Table 1), after Bartlett,
Jordan and McAuliffe (2006), "Convexity, classification, and risk bounds" [BJM06].

Conventions (the package's names for the paper's symbols):

- labels y = +-1, a score function f : X -> R; ``sign(0) = -1`` (a score s predicts +1 iff
  s > 0), the package-wide rule; the paper takes sign(0) = +1, and no result here depends on
  the choice (see :func:`trades_upper_bound`);
- ``posterior`` is the paper's eta(x) = P(Y = 1 | X = x);
- a margin loss phi(alpha) is charged on the margin alpha = y f(x); "logistic" is the
  natural-log loss log(1 + exp(-alpha)), "logistic2" Table 2's base-2 loss
  log2(1 + exp(-alpha)) (psi = psi_log; the natural one's psi is ln(2) psi_log);
- C_eta(alpha) = eta phi(alpha) + (1 - eta) phi(-alpha) (eta = posterior),
  H(eta) = inf_alpha C_eta(alpha), H^-(eta) = inf_{alpha (2 eta - 1) <= 0} C_eta(alpha);
- ``excess`` is psi's argument (an excess 0-1 risk, the paper's theta):
  psi~(excess) = H^-((1 + excess)/2) - H((1 + excess)/2) and psi = (psi~)** (the lower convex
  envelope on [0, 1]);
- natural error R_nat(f) = P(f(X) Y <= 0), robust error R_rob(f) = P(exists X' in B(X, eps):
  f(X') Y <= 0), boundary error R_bdy(f) = P(X in B(DB(f), eps), f(X) Y > 0), where
  B(DB(f), eps) = {x : exists x' in B(x, eps) with f(x) f(x') <= 0}; B(x, eps) is restricted to
  the instance space X. These are definitions (a zero score is an error for either label),
  not a sign convention;
- threat model: in one dimension every lp ball is the interval [x - eps, x + eps], so the
  1-D functions take ``eps`` as a radius (with a keyword-only ``norm=None``, any p >= 1) or a
  :class:`theory.threat.ThreatModel` of any lp norm.

Numerics. Infima over alpha are taken over a grid (801 sinh-spaced points on [-1e6, 1e6]
merged with the multiples of 1/64 in [-4, 4]), followed by a vectorized golden-section refinement in the
bracket of the best grid point; an infimum approached only as |alpha| -> inf is evaluated at
|alpha| = 1e6. psi is the lower convex hull of psi~ tabulated on 1025 points of [0, 1]
(clustered at both ends), combined with the direct value: psi(excess) = min(psi~(excess),
hull(excess)), which is exact wherever psi~ is convex and the hull elsewhere.

The one-dimensional calculus (:class:`PiecewiseConstant`, :func:`interval_risks`,
:func:`interval_phi_risks`) computes the errors exactly for piecewise-constant posterior, score and
density on an interval X = [lo, hi], perturbations restricted to X; a cell
``[breaks[i], breaks[i+1])`` holds ``values[i]`` (the last cell is closed).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from theory._optimize import golden_section
from theory._validate import as_array, as_vector, check_size, nonnegative, positive, probability
from theory.montecarlo import as_generator
from theory.threat import resolve

__all__ = [
    "MarginLoss",
    "LOSSES",
    "get_loss",
    "conditional_risk",
    "constrained_conditional_risk",
    "psi_tilde",
    "psi",
    "psi_closed_form",
    "psi_inverse",
    "psi_hull",
    "trades_upper_bound",
    "PiecewiseConstant",
    "IntervalRisks",
    "PhiRisks",
    "refine",
    "interval_risks",
    "interval_phi_risks",
    "sample_interval",
    "toy_example",
    "sign_classifier",
    "constant_classifier",
    "TightnessConstruction",
    "tightness_construction",
    "MULTICLASS_LOSSES",
    "multiclass_conditional_risk",
    "multiclass_calibration_gap",
    "toy_trades_objective",
    "TradesToySolution",
    "toy_trades_solution",
    "toy_trades_hinge",
]

_ALPHA_MAX = 1e6
_N_ALPHA = 801
_GOLDEN_ITERS = 64
_N_THETA = 1025


# ---------------------------------------------------------------------------------------------
# Losses
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class MarginLoss:
    """A margin loss phi(alpha) of the margin alpha = y f(x), with its psi-transform if known.

    ``phi`` must accept float64 arrays and return arrays of the same shape (values in
    [0, inf]; +inf is allowed for overflow at extreme margins). ``closed_form_psi`` is the
    psi-transform in closed form (zhang2019 Table 2 / BJM06), or None.
    Instances are compared and hashed by identity (their tables are cached).

    Examples
    --------
    >>> hinge = MarginLoss("my_hinge", lambda a: np.maximum(1.0 - a, 0.0))
    >>> hinge([-1.0, 0.0, 2.0]).tolist()  # max(1 - a, 0)
    [2.0, 1.0, 0.0]
    >>> get_loss(hinge) is hinge  # validated once (finite, >= 0, calibrated), then used as given
    True
    """

    name: str
    phi: Callable[[np.ndarray], np.ndarray]
    closed_form_psi: Callable[[np.ndarray], np.ndarray] | None = None
    source: str = ""
    _cache: dict = field(default_factory=dict, repr=False, compare=False)

    def __call__(self, alpha) -> np.ndarray:
        a = np.asarray(alpha, dtype=np.float64)
        with np.errstate(over="ignore", invalid="ignore"):
            return np.asarray(self.phi(a), dtype=np.float64)


_LN2 = math.log(2.0)


def _hinge(a):
    return np.maximum(1.0 - a, 0.0)


def _sigmoid(a):
    return 1.0 - np.tanh(a)


def _exponential(a):
    return np.exp(-a)


def _logistic(a):
    return np.logaddexp(0.0, -a)


def _logistic2(a):
    return np.logaddexp(0.0, -a) / _LN2


def _squared(a):
    return (1.0 - a) ** 2


def _modified_huber(a):
    return np.where(a >= -1.0, np.maximum(1.0 - a, 0.0) ** 2, -4.0 * a)


def _psi_linear(t):
    return np.asarray(t, dtype=float).copy()


def _psi_exponential(t):
    t = np.asarray(t, dtype=float)
    # 1 - sqrt(1 - t^2) without cancellation near t = 0
    return t * t / (1.0 + np.sqrt((1.0 - t) * (1.0 + t)))


def _psi_logistic_nats(t):
    """(1/2)(1 - t) ln(1 - t) + (1/2)(1 + t) ln(1 + t) = ln(2) psi_log(t) (0 ln 0 = 0)."""
    t = np.asarray(t, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        a = np.where(t < 1.0, 0.5 * (1.0 - t) * np.log1p(-np.minimum(t, 1.0)), 0.0)
        b = 0.5 * (1.0 + t) * np.log1p(t)
    return a + b


def _psi_logistic(t):
    # psi is linear in the loss (H, H^- and the convex envelope all scale), so the natural-log
    # loss log(1 + e^-a) = ln(2) log2(1 + e^-a) has psi = ln(2) psi_log.
    return _psi_logistic_nats(t)


def _psi_logistic2(t):
    # zhang2019 Table 2's psi_log(t) = (1/2)(1 - t) log2(1 - t) + (1/2)(1 + t) log2(1 + t)
    return _psi_logistic_nats(t) / _LN2


def _psi_squared(t):
    t = np.asarray(t, dtype=float)
    return t * t


LOSSES: dict[str, MarginLoss] = {
    "hinge": MarginLoss("hinge", _hinge, _psi_linear, "zhang2019 Table 2: max(1 - a, 0), psi = excess"),
    "sigmoid": MarginLoss("sigmoid", _sigmoid, _psi_linear, "zhang2019 Table 2: 1 - tanh(a), psi = excess"),
    "exponential": MarginLoss("exponential", _exponential, _psi_exponential,
                              "zhang2019 Table 2: exp(-a), psi = 1 - sqrt(1 - excess^2)"),
    "logistic": MarginLoss("logistic", _logistic, _psi_logistic,
                           "the natural-log loss log(1 + exp(-a)) (phi(0) = ln 2), psi = ln(2) psi_log "
                           "(zhang2019 Table 2's row scaled by ln 2)"),
    "logistic2": MarginLoss("logistic2", _logistic2, _psi_logistic2,
                            "zhang2019 Table 2: log2(1 + exp(-a)), psi = psi_log"),
    "squared": MarginLoss("squared", _squared, _psi_squared, "BJM06 Example 1: (1 - a)^2, psi = excess^2"),
    "modified_huber": MarginLoss("modified_huber", _modified_huber, _psi_squared,
                                 "BJM06: (max(1 - a, 0))^2 for a >= -1, -4a otherwise, psi = excess^2"),
}

_USER_LOSSES: dict[int, tuple[Callable, MarginLoss]] = {}


def get_loss(loss) -> MarginLoss:
    """The :class:`MarginLoss` named by ``loss`` (a name in :data:`LOSSES`, a MarginLoss, or a callable).

    Source: zhang2019 Assumption 1 (classification calibration, after BJM06).

    A user-supplied callable phi(alpha) is validated once: it must return finite values >= 0
    on [-50, 50] (BJM06 take phi : R -> [0, inf)), and be classification-calibrated, checked
    numerically as psi~(excess) > 1e-9 max(1, phi(0)) on 64 points of excess in [0.01, 1].
    (psi~ > 0 on (0, 1] is BJM06's definition H^-(eta) > H(eta) for a posterior eta > 1/2;
    the halves eta < 1/2 follow by the symmetry C_eta(alpha) = C_{1-eta}(-alpha).)

    Registered names: hinge, sigmoid, exponential, logistic (natural log, log(1 + e^-a)),
    logistic2 (zhang2019 Table 2's log2(1 + e^-a)), squared, modified_huber.

    Raises
    ------
    ValueError
        an unknown name; a loss that is negative, NaN, or not classification-calibrated.

    Examples
    --------
    >>> loss = get_loss("exponential")
    >>> loss.name, np.round(loss([0.0, 1.0]), 4).tolist()  # exp(-a): 1 and 1/e
    ('exponential', [1.0, 0.3679])
    >>> get_loss(lambda a: np.maximum(-a, 0.0))  # the perceptron loss: psi~ = 0
    Traceback (most recent call last):
    ...
    ValueError: loss '<lambda>' is not classification-calibrated: ...
    """
    if isinstance(loss, MarginLoss):
        if loss.name in LOSSES and LOSSES[loss.name] is loss:
            return loss
        _validate_loss(loss)
        return loss
    if isinstance(loss, str):
        key = loss.lower().replace("-", "_").replace(" ", "_")
        if key not in LOSSES:
            raise ValueError(f"loss must be one of {sorted(LOSSES)} or a callable, got {loss!r}")
        return LOSSES[key]
    if callable(loss):
        hit = _USER_LOSSES.get(id(loss))
        if hit is not None and hit[0] is loss:
            return hit[1]
        name = getattr(loss, "__name__", repr(loss))
        ml = MarginLoss(name, loss, None, "user-supplied")
        _validate_loss(ml)
        _USER_LOSSES[id(loss)] = (loss, ml)
        return ml
    raise ValueError(f"loss must be one of {sorted(LOSSES)} or a callable phi(alpha), got {loss!r}")


def _validate_loss(loss: MarginLoss) -> None:
    if loss._cache.get("valid"):
        return
    a = np.linspace(-50.0, 50.0, 2001)
    try:
        v = loss(a)
    except Exception as exc:  # noqa: BLE001 - any failure of a user callable is bad input
        raise ValueError(f"loss {loss.name!r} could not be evaluated on an array of margins: {exc}") from exc
    if v.shape != a.shape:
        raise ValueError(f"loss {loss.name!r} must return an array of the margins' shape {a.shape}, got {v.shape}")
    bad = ~np.isfinite(v) | (v < 0)
    if bad.any():
        i = int(np.argmax(bad))
        raise ValueError(f"loss {loss.name!r} must be finite and >= 0, got phi({a[i]:.6g}) = {v[i]!r}")
    theta = np.linspace(0.01, 1.0, 64)
    pt = _psi_tilde_raw(loss, theta)
    tol = 1e-9 * max(1.0, float(loss(0.0)))
    if np.any(~(pt > tol)):
        i = int(np.argmax(~(pt > tol)))
        raise ValueError(
            f"loss {loss.name!r} is not classification-calibrated: psi_tilde({theta[i]:.4g}) = {pt[i]:.3g} "
            f"(H^-(eta) - H(eta) at eta = {(1 + theta[i]) / 2:.4g} must be > 0)")
    object.__setattr__(loss, "_cache", loss._cache)  # the dict itself is mutable
    loss._cache["valid"] = True


# ---------------------------------------------------------------------------------------------
# Conditional risks
# ---------------------------------------------------------------------------------------------


_T_MAX = math.asinh(_ALPHA_MAX)
# sinh-spaced points out to +-1e6, merged with every multiple of 1/64 in [-4, 4] (so that kinks of
# piecewise losses at such points, e.g. +-1 and 0, are grid points)
_ALPHA_GRID = np.unique(np.concatenate([np.sinh(np.linspace(-_T_MAX, _T_MAX, _N_ALPHA)),
                                        np.arange(-256, 257) / 64.0, [0.0]]))
_ZERO_INDEX = int(np.flatnonzero(_ALPHA_GRID == 0.0)[0])


def _c_eta(loss: MarginLoss, eta: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    """C_eta(alpha) = eta phi(alpha) + (1 - eta) phi(-alpha), with 0 * inf = 0."""
    p, m = loss(alpha), loss(-alpha)
    with np.errstate(invalid="ignore", over="ignore"):
        a = np.where(eta > 0, eta * p, 0.0)
        b = np.where(eta < 1, (1.0 - eta) * m, 0.0)
        return a + b


def _inf_c(loss: MarginLoss, eta: np.ndarray, side: int) -> tuple[np.ndarray, np.ndarray]:
    """(inf C_eta, argmin) over alpha in R (side 0), alpha <= 0 (side -1) or alpha >= 0 (side +1).

    eta is a flat array. Grid search, then golden section in the bracket of the best point.
    """
    if side < 0:
        grid = _ALPHA_GRID[: _ZERO_INDEX + 1]
    elif side > 0:
        grid = _ALPHA_GRID[_ZERO_INDEX:]
    else:
        grid = _ALPHA_GRID
    out_v = np.empty(eta.shape)
    out_a = np.empty(eta.shape)
    chunk = max(1, 400_000 // grid.size)
    for s in range(0, eta.size, chunk):
        e = eta[s: s + chunk, None]
        vals = _c_eta(loss, e, grid[None, :])
        k = np.argmin(vals, axis=1)
        best = vals[np.arange(k.size), k]
        lo = grid[np.maximum(k - 1, 0)]
        hi = grid[np.minimum(k + 1, grid.size - 1)]
        e1 = e[:, 0]
        xm, fm = golden_section(lambda x, e1=e1: _c_eta(loss, e1, x), lo, hi, iters=_GOLDEN_ITERS)
        better = fm < best
        out_v[s: s + chunk] = np.where(better, fm, best)
        out_a[s: s + chunk] = np.where(better, xm, grid[k])
    return out_v, out_a


def conditional_risk(loss, posterior) -> np.ndarray:
    """The optimal conditional phi-risk H(eta) = inf_alpha eta phi(alpha) + (1 - eta) phi(-alpha).

    Source: zhang2019 section 2.5 (definition of H), after BJM06; eta = ``posterior``.

    Parameters
    ----------
    loss : str, MarginLoss or callable phi(alpha)
    posterior : array_like, any shape, entries in [0, 1]  (the paper's eta(x) = P(Y = 1 | X = x))

    Returns
    -------
    ndarray, the shape of posterior

    Raises
    ------
    ValueError : posterior outside [0, 1] or NaN; a loss that is not classification-calibrated.

    Examples
    --------
    >>> float(conditional_risk("hinge", 0.3))  # 2 min(eta, 1 - eta)
    0.6
    """
    loss = get_loss(loss)
    eta = probability(posterior, "posterior")
    v, _ = _inf_c(loss, eta.ravel(), 0)
    return v.reshape(eta.shape)


def constrained_conditional_risk(loss, posterior) -> np.ndarray:
    """H^-(eta): the conditional phi-risk minimized over margins of the wrong sign, alpha (2 eta - 1) <= 0.

    Source: zhang2019 section 2.5 (definition of H^-), after BJM06; eta = ``posterior``. At
    eta = 1/2 the constraint is void and H^-(1/2) = H(1/2).

    Parameters
    ----------
    loss : str, MarginLoss or callable phi(alpha)
    posterior : array_like, entries in [0, 1]  (P(Y = 1 | X = x))

    Returns
    -------
    ndarray, the shape of posterior

    Raises
    ------
    ValueError : posterior outside [0, 1]; a loss that is not classification-calibrated.

    Examples
    --------
    >>> constrained_conditional_risk("hinge", [0.1, 0.5, 0.9]).tolist()  # Table 2: H^- = C_eta(0) = phi(0) = 1
    [1.0, 1.0, 1.0]
    >>> float(constrained_conditional_risk("exponential", 0.5))  # = H(1/2) = 2 sqrt(1/4)
    1.0
    """
    loss = get_loss(loss)
    eta = probability(posterior, "posterior")
    flat = eta.ravel()
    out = np.empty(flat.shape)
    for side, mask in ((-1, flat > 0.5), (1, flat < 0.5), (0, flat == 0.5)):
        if mask.any():
            out[mask] = _inf_c(loss, flat[mask], side)[0]
    return out.reshape(eta.shape)


def _psi_tilde_raw(loss: MarginLoss, theta: np.ndarray) -> np.ndarray:
    eta = 0.5 * (1.0 + theta.ravel())
    hm = np.empty(eta.shape)
    pos = eta > 0.5
    hm[pos] = _inf_c(loss, eta[pos], -1)[0]
    hm[~pos] = _inf_c(loss, eta[~pos], 0)[0]
    h = _inf_c(loss, eta, 0)[0]
    return (hm - h).reshape(theta.shape)


def psi_tilde(loss, excess) -> np.ndarray:
    """psi~(excess) = H^-((1 + excess)/2) - H((1 + excess)/2), before convexification.

    Source: zhang2019 section 2.5 (definition of psi, whose argument the paper calls theta),
    after BJM06 Definition 2.

    Parameters
    ----------
    loss : str, MarginLoss or callable phi(alpha)
    excess : array_like, entries in [0, 1] (an excess 0-1 risk)

    Returns
    -------
    ndarray, the shape of excess (>= 0 up to rounding)

    Raises
    ------
    ValueError : excess outside [0, 1]; a loss that is not classification-calibrated.

    Examples
    --------
    >>> t = 0.6  # exponential loss, Table 2: psi~(t) = 1 - sqrt(1 - t^2) = 0.2
    >>> round(float(psi_tilde("exponential", t)), 10), round(1 - (1 - t**2) ** 0.5, 10)
    (0.2, 0.2)
    """
    loss = get_loss(loss)
    excess = probability(excess, "excess")
    return _psi_tilde_raw(loss, excess)


def _lower_hull(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Indices of the vertices of the lower convex hull of the points (x_i, y_i), x increasing."""
    hull: list[int] = []
    for i in range(x.size):
        while len(hull) >= 2:
            a, b = hull[-2], hull[-1]
            # drop b if it lies on or above the segment a -> i
            if (y[b] - y[a]) * (x[i] - x[a]) >= (y[i] - y[a]) * (x[b] - x[a]):
                hull.pop()
            else:
                break
        hull.append(i)
    return np.asarray(hull)


def psi_hull(loss) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The table behind :func:`psi`: (excess grid, psi~ on it, indices of the lower-hull vertices).

    Source: zhang2019 section 2.5: psi = (psi~)** is the largest convex minorant of psi~.

    The grid has 1025 points excess_k = (1 - cos(pi k / 1024)) / 2. Cached per loss.

    Examples
    --------
    >>> grid, pt, hull = psi_hull("squared")
    >>> grid.shape, float(grid[0]), float(grid[-1])
    ((1025,), 0.0, 1.0)
    >>> bool(np.allclose(pt, grid**2)), hull.size  # psi~(t) = t^2 is strictly convex: every point is a vertex
    (True, 1025)
    """
    loss = get_loss(loss)
    tab = loss._cache.get("hull")
    if tab is None:
        grid = 0.5 * (1.0 - np.cos(np.pi * np.arange(_N_THETA) / (_N_THETA - 1)))
        grid[0], grid[-1] = 0.0, 1.0
        pt = _psi_tilde_raw(loss, grid)
        pt[0] = 0.0  # H^-(1/2) = H(1/2) exactly
        tab = (grid, pt, _lower_hull(grid, pt))
        loss._cache["hull"] = tab
    return tab


def _psi_eval(loss: MarginLoss, theta: np.ndarray) -> np.ndarray:
    grid, pt, hull = psi_hull(loss)
    chord = np.interp(theta, grid[hull], pt[hull])
    direct = _psi_tilde_raw(loss, theta)
    return np.maximum(np.minimum(direct, chord), 0.0)


def psi(loss, excess) -> np.ndarray:
    """The psi-transform psi = (psi~)**, the lower convex envelope of psi~ on [0, 1], computed numerically.

    Source: zhang2019 section 2.5 and Lemma 2.1 (after BJM06): psi is non-decreasing, convex,
    continuous and psi(0) = 0; for a calibrated loss psi(excess) > 0 on (0, 1].

    Works for every registered or user-supplied loss: no closed form is used. The value is
    min(psi~(excess), hull(excess)), hull = piecewise-linear interpolation of the lower convex
    hull of psi~ on a 1025-point grid.

    Parameters
    ----------
    loss : str, MarginLoss or callable phi(alpha)
    excess : array_like, entries in [0, 1] (an excess 0-1 risk; the paper's theta)

    Returns
    -------
    ndarray, the shape of excess

    Raises
    ------
    ValueError : excess outside [0, 1]; a loss that is not classification-calibrated.

    Examples
    --------
    >>> round(float(psi("hinge", 0.25)), 12)  # Table 2: psi(excess) = excess
    0.25
    """
    loss = get_loss(loss)
    excess = probability(excess, "excess")
    return _psi_eval(loss, excess.ravel()).reshape(excess.shape)


def psi_closed_form(loss, excess) -> np.ndarray:
    """The psi-transform in closed form: zhang2019 Table 2 (hinge, sigmoid, exponential, logistic2), BJM06 (squared,
    modified Huber), and the natural-log logistic loss.

    Source: zhang2019 Table 2; BJM06 Examples.

    With t = excess: hinge, sigmoid: t; exponential: 1 - sqrt(1 - t^2); logistic2
    (log2(1 + e^-a), Table 2's row): psi_log(t) = (1/2)(1 - t) log2(1 - t) + (1/2)(1 + t) log2(1 + t);
    logistic (log(1 + e^-a)): ln(2) psi_log(t) (psi scales linearly with the loss);
    squared, modified Huber: t^2.

    Parameters
    ----------
    loss : str or MarginLoss with a closed form
    excess : array_like, entries in [0, 1]

    Raises
    ------
    ValueError : excess outside [0, 1]; a loss without a closed form.

    Examples
    --------
    >>> psi_closed_form("squared", [0.0, 0.5, 1.0]).tolist()  # t^2
    [0.0, 0.25, 1.0]
    >>> round(float(psi_closed_form("logistic2", 1.0)), 12)  # (1/2)(2) log2(2) = 1
    1.0
    """
    loss = get_loss(loss)
    if loss.closed_form_psi is None:
        raise ValueError(f"loss {loss.name!r} has no closed-form psi; use psi(loss, excess)")
    excess = probability(excess, "excess")
    return np.asarray(loss.closed_form_psi(excess), dtype=float)


def psi_inverse(loss, value, closed_form: bool = False) -> np.ndarray:
    """The generalized inverse psi^{-1}(v) = sup{t in [0, 1] : psi(t) <= v} (1 when v >= psi(1)), an excess.

    Source: zhang2019 Theorem 3.1 (psi^{-1} of the excess phi-risk). For a calibrated loss psi
    is strictly increasing, so this is the ordinary inverse on [0, psi(1)]; psi^{-1}(0) = 0.
    Computed by safeguarded regula falsi (Illinois) in the bracket given by the hull table,
    to |psi(t) - v| <= 1e-15 or a bracket of width 1e-13.

    Parameters
    ----------
    loss : str, MarginLoss or callable phi(alpha)
    value : array_like, entries >= 0
    closed_form : invert :func:`psi_closed_form` instead of the numerical :func:`psi`

    Returns
    -------
    ndarray in [0, 1], the shape of value

    Raises
    ------
    ValueError : value negative or NaN; a loss that is not calibrated or (closed_form) has no closed form.

    Examples
    --------
    >>> round(float(psi_inverse("squared", 0.25)), 10)  # psi(t) = t^2 = 0.25 at t = 1/2
    0.5
    >>> float(psi_inverse("hinge", 0.0)), float(psi_inverse("hinge", 5.0))  # 0 at 0; saturates at 1 past psi(1)
    (0.0, 1.0)
    """
    loss = get_loss(loss)
    v = nonnegative(value, "value", allow_inf=True)
    flat = v.ravel()
    if closed_form:
        if loss.closed_form_psi is None:
            raise ValueError(f"loss {loss.name!r} has no closed-form psi; use closed_form=False")

        def f(t):
            return np.asarray(loss.closed_form_psi(t), dtype=float)

        lo, hi = np.zeros(flat.shape), np.ones(flat.shape)
        top = float(f(np.array(1.0)))
    else:
        grid, pt, hull = psi_hull(loss)
        table = np.interp(grid, grid[hull], pt[hull])

        def f(t):
            return _psi_eval(loss, t)

        k = np.clip(np.searchsorted(table, np.minimum(flat, table[-1]), side="right") - 1, 0, grid.size - 2)
        lo, hi = grid[k], grid[k + 1]
        top = float(f(np.array([1.0]))[0])
    out = np.ones(flat.shape)
    todo = flat < top
    if todo.any():
        out[todo] = _illinois(f, lo[todo], hi[todo], flat[todo])
    out[flat == 0] = 0.0
    return out.reshape(v.shape)


def _illinois(f, a: np.ndarray, b: np.ndarray, target: np.ndarray) -> np.ndarray:
    """The largest theta in [a, b] with f(theta) <= target (f non-decreasing), by the Illinois method.

    Keeps f(a) <= target < f(b); falls back to bisection when a step makes too little progress.
    """
    a, b = a.copy(), b.copy()
    fa, fb = f(a) - target, f(b) - target
    # make the bracket valid: if f(a) > target the answer is a; if f(b) <= target it is b
    res = np.where(fb <= 0, b, a)
    act = (fa <= 0) & (fb > 0)
    side = np.zeros(a.shape)
    for it in range(200):
        if not act.any():
            break
        i = np.flatnonzero(act)
        ai, bi, fai, fbi = a[i], b[i], fa[i], fb[i]
        x = ai - fai * (bi - ai) / (fbi - fai)
        if it % 4 == 3:  # guaranteed halving every fourth step
            x = 0.5 * (ai + bi)
        x = np.clip(x, ai, bi)
        fx = f(x) - target[i]
        below = fx <= 0
        a[i] = np.where(below, x, ai)
        fa[i] = np.where(below, fx, fai)
        b[i] = np.where(below, bi, x)
        fb[i] = np.where(below, fbi, fx)
        # Illinois: halve the retained end's value when the same end moves twice
        s_new = np.where(below, -1.0, 1.0)
        fb[i] = np.where(below & (side[i] == -1), fb[i] * 0.5, fb[i])
        fa[i] = np.where(~below & (side[i] == 1), fa[i] * 0.5, fa[i])
        side[i] = s_new
        done = (b[i] - a[i] <= 1e-13) | (np.abs(fx) <= 1e-15)
        res[i] = np.where(np.abs(fx) <= 1e-15, x, a[i])
        act[i[done]] = False
    res[act] = a[act]
    return res


def trades_upper_bound(loss, excess_phi_risk, boundary_term, closed_form: bool = False) -> np.ndarray:
    """The right-hand side of zhang2019 Theorem 3.1: psi^{-1}(R_phi(f) - R_phi^*) + boundary_term.

    Source: zhang2019 Theorem 3.1 (appendix B.1); see the erratum ``zhang2019.thm3.1``.

    Which ``boundary_term`` to pass:

    - ``P(X in B(DB(f), eps), sign(f(X)) = Y)`` (sign(0) = -1, the package's rule; with
      sign(0) = +1 it is equally valid): a valid bound on R_rob(f) - R_nat^* for every
      measurable f (the corrected first inequality). Why either tie rule works: a zero score
      puts X in B(DB(f), eps), and outside that set f != 0, so for any fixed sign convention
      R_rob(f) = P(sign f(X) != Y) + P(X in B(DB(f), eps), sign f(X) = Y) exactly; BJM06
      bounds P(sign f(X) != Y) - R_nat^* by psi^{-1}(R_phi(f) - R_phi^*) whichever label a zero
      score gets, since alpha = 0 satisfies alpha (2 eta - 1) <= 0 and so C_eta(0) >= H^-(eta);
    - ``P(X in B(DB(f), eps), f(X) Y > 0)`` (the printed first inequality): equal to the above,
      hence valid, when P(f(X) = 0) = 0; as printed it fails for scores vanishing on a set of
      positive probability;
    - ``E max_{X' in B(X, eps)} phi(f(X') f(X) / lambda)`` (the TRADES regularizer, second
      inequality; needs phi >= 0, phi(0) >= 1 and phi(a) >= 1 for a <= 0 -- true for every
      registered loss except the natural-log "logistic", phi(0) = ln 2; use "logistic2"):
      valid for every f.

    :func:`interval_risks` and :func:`interval_phi_risks` compute all three for 1-D problems
    (``IntervalRisks.boundary_sign``, ``.boundary`` and ``PhiRisks.regularizer``).

    Parameters
    ----------
    loss : str, MarginLoss or callable
    excess_phi_risk : array_like >= 0, R_phi(f) - R_phi^*
    boundary_term : array_like >= 0, broadcasting with excess_phi_risk
    closed_form : invert the closed-form psi instead of the numerical one

    Returns
    -------
    ndarray, the broadcast shape

    Raises
    ------
    ValueError : negative inputs, a loss that is not calibrated.

    Examples
    --------
    >>> round(float(trades_upper_bound("hinge", 0.1, 0.2)), 10)  # psi^-1(0.1) + 0.2 = 0.1 + 0.2
    0.3
    >>> round(float(trades_upper_bound("squared", 0.04, 0.1, closed_form=True)), 10)  # sqrt(0.04) + 0.1
    0.3
    """
    e = nonnegative(excess_phi_risk, "excess_phi_risk")
    b = nonnegative(boundary_term, "boundary_term")
    return psi_inverse(loss, e, closed_form=closed_form) + b


# ---------------------------------------------------------------------------------------------
# Exact one-dimensional calculus
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PiecewiseConstant:
    """A piecewise-constant function on [breaks[0], breaks[-1]]: values[i] on [breaks[i], breaks[i+1]).

    The last cell is closed on the right. breaks strictly increasing, shape (n + 1,); values
    shape (n,).

    Examples
    --------
    >>> f = PiecewiseConstant([0.0, 0.5, 1.0], [0.2, 0.9])
    >>> f([0.0, 0.25, 0.5, 1.0]).tolist()  # a break belongs to the cell on its right; 1.0 to the last
    [0.2, 0.2, 0.9, 0.9]
    """

    breaks: np.ndarray
    values: np.ndarray

    def __post_init__(self):
        b = as_vector(self.breaks, "breaks")
        v = as_vector(self.values, "values")
        if b.ndim != 1 or v.ndim != 1:
            raise ValueError(f"breaks and values must be 1-D, got shapes {b.shape} and {v.shape}")
        if b.size != v.size + 1:
            raise ValueError(f"breaks must have len(values) + 1 = {v.size + 1} entries, got {b.size}")
        if np.any(b[1:] <= b[:-1]):
            raise ValueError(f"breaks must be strictly increasing, got {b!r}")
        object.__setattr__(self, "breaks", b)
        object.__setattr__(self, "values", v)

    def __call__(self, x) -> np.ndarray:
        """Evaluate at x (which must lie in [breaks[0], breaks[-1]])."""
        x = as_array(x, "x")
        if np.any((x < self.breaks[0]) | (x > self.breaks[-1])):
            raise ValueError(f"x must lie in [{self.breaks[0]}, {self.breaks[-1]}], got values outside")
        i = np.clip(np.searchsorted(self.breaks, x, side="right") - 1, 0, self.values.size - 1)
        return self.values[i]


def refine(*functions: PiecewiseConstant) -> tuple[np.ndarray, list[np.ndarray]]:
    """The common refinement of piecewise-constant functions on one interval: (breaks, [values per function]).

    Raises
    ------
    ValueError : no function given, an argument that is not a PiecewiseConstant, different intervals.

    Examples
    --------
    >>> f = PiecewiseConstant([0.0, 0.5, 1.0], [0.2, 0.9])
    >>> g = PiecewiseConstant([0.0, 0.25, 1.0], [-1.0, 1.0])
    >>> breaks, (fv, gv) = refine(f, g)
    >>> breaks.tolist(), fv.tolist(), gv.tolist()
    ([0.0, 0.25, 0.5, 1.0], [0.2, 0.2, 0.9], [-1.0, 1.0, 1.0])
    """
    if not functions:
        raise ValueError("refine needs at least one PiecewiseConstant, got none")
    for i, g in enumerate(functions):
        if not isinstance(g, PiecewiseConstant):
            raise ValueError(f"functions[{i}] must be a PiecewiseConstant, got {type(g).__name__}")
    lo, hi = functions[0].breaks[0], functions[0].breaks[-1]
    for g in functions[1:]:
        if g.breaks[0] != lo or g.breaks[-1] != hi:
            raise ValueError(f"all functions must live on the same interval [{lo}, {hi}], "
                             f"got [{g.breaks[0]}, {g.breaks[-1]}]")
    breaks = np.unique(np.concatenate([g.breaks for g in functions]))
    mids = 0.5 * (breaks[:-1] + breaks[1:])
    return breaks, [g(mids) for g in functions]


@dataclass(frozen=True)
class IntervalRisks:
    """Exact errors of a piecewise-constant score on an interval problem (see :func:`interval_risks`).

    Examples
    --------
    >>> eta = toy_example(0.25)  # example (2): the Bayes rule is right everywhere, but never robust
    >>> r = interval_risks(eta, sign_classifier(eta), 0.25)
    >>> r.natural, r.boundary, r.robust, r.robust == r.natural + r.boundary  # eq. (1)
    (0.0, 1.0, 1.0, True)
    """

    natural: float
    boundary: float
    robust: float
    bayes_natural: float
    boundary_region: float
    boundary_sign: float
    lemma_c6_first: float
    lemma_c6_second: float


def _pieces(breaks: np.ndarray, scores: np.ndarray, eps: float):
    """Split [lo, hi] at c_j and c_j +- eps; per piece: (length, cell index, min and max score reachable)."""
    lo, hi = breaks[0], breaks[-1]
    pts = np.concatenate([breaks, breaks - eps, breaks + eps])
    pts = np.unique(np.clip(pts, lo, hi))
    length = np.diff(pts)
    keep = length > 0
    mids = (0.5 * (pts[:-1] + pts[1:]))[keep]
    length = length[keep]
    n = scores.size
    cell = np.clip(np.searchsorted(breaks, mids, side="right") - 1, 0, n - 1)
    # cell j is reachable from x iff breaks[j] - eps <= x < breaks[j+1] + eps (up to endpoints)
    first = np.clip(np.searchsorted(breaks[1:], mids - eps, side="right"), 0, n - 1)
    last = np.clip(np.searchsorted(breaks[:-1], mids + eps, side="left") - 1, 0, n - 1)
    first = np.minimum(first, cell)
    last = np.maximum(last, cell)
    padded = np.concatenate([scores, [0.0]])
    idx = np.stack([first, last + 1], axis=1).ravel()
    smin = np.minimum.reduceat(padded, idx)[::2]
    smax = np.maximum.reduceat(padded, idx)[::2]
    return length, cell, first, last, smin, smax


def _radius_1d(eps, norm) -> float:
    """The radius of a threat model in one dimension, where every lp ball is [x - eps, x + eps]."""
    _, radius = resolve(eps, norm)
    if radius.ndim:
        raise ValueError(f"eps must be a single number, got shape {radius.shape}")
    return float(radius)


def _problem(posterior: PiecewiseConstant, score: PiecewiseConstant, density: PiecewiseConstant | None, eps,
             norm=None):
    if not isinstance(posterior, PiecewiseConstant):
        raise ValueError(f"posterior must be a PiecewiseConstant, got {type(posterior).__name__}")
    if not isinstance(score, PiecewiseConstant):
        raise ValueError(f"score must be a PiecewiseConstant, got {type(score).__name__}")
    if density is None:
        density = PiecewiseConstant(posterior.breaks[[0, -1]], np.ones(1))
    if not isinstance(density, PiecewiseConstant):
        raise ValueError(f"density must be a PiecewiseConstant or None, got {type(density).__name__}")
    probability(posterior.values, "posterior")
    nonnegative(density.values, "density")
    eps = _radius_1d(eps, norm)
    breaks, (e, s, d) = refine(posterior, score, density)
    # The errors are invariant under x -> c x (with eps -> c eps) and under scaling the density:
    # both are divided by powers of two (exact) so that lengths and masses cannot overflow (an
    # interval of width 2e308 has an infinite length in float64). The breaks returned are scaled.
    c = _length_scale(breaks)
    breaks, eps = breaks * c, eps * c
    top = float(d.max())
    if top > 2.0**900:
        d = np.ldexp(d, -int(np.frexp(top)[1]))
    mass = d * np.diff(breaks)
    total = mass.sum()
    if not total > 0:
        raise ValueError("density must have positive total mass")
    return breaks, e, s, d / total, eps


def _length_scale(breaks: np.ndarray) -> float:
    """A power of two c (1 unless the interval reaches beyond 2**1000) with c * |breaks| <= 1."""
    top = float(np.abs(breaks).max())
    return float(np.ldexp(1.0, -int(np.frexp(top)[1]))) if top > 2.0**1000 else 1.0


def interval_risks(posterior: PiecewiseConstant, score: PiecewiseConstant, eps,
                   density: PiecewiseConstant | None = None, *, norm=None) -> IntervalRisks:
    """Exact natural, boundary and robust errors of a piecewise-constant score f on X = [lo, hi].

    Source: zhang2019 section 2.2-2.3 (R_nat, R_rob, R_bdy, eq. (1)) and Lemma C.6.

    X has the piecewise-constant density ``density`` (uniform if None; normalized here),
    P(Y = 1 | X = x) = eta(x) = ``posterior(x)``, perturbations x' in [x - eps, x + eps]
    intersected with X. Returns, with B = B(DB(f), eps) = {x : exists x' in B(x, eps),
    f(x) f(x') <= 0}, and sign(0) = -1 (sign s = +1 iff s > 0):

    - natural = P(f(X) Y <= 0); robust = P(exists X': f(X') Y <= 0);
      boundary = P(X in B, f(X) Y > 0); bayes_natural = R_nat^* = E min(eta, 1 - eta);
    - boundary_region = P(X in B); boundary_sign = P(X in B, sign f(X) = Y), the boundary term
      of the corrected Theorem 3.1 (robust = P(sign f(X) != Y) + boundary_sign exactly; on
      f = 0, which lies in B, it counts P(Y = -1));
    - lemma_c6_first = E[1{sign f != sign f*, X not in B} |2 eta - 1|] and
      lemma_c6_second = P(X in B, sign f*(X) = Y), f* = 2 eta - 1 (Lemma C.6 says
      robust - bayes_natural = first + second; the tie rule is immaterial there, since
      |2 eta - 1| = 0 and P(sign f* = Y | x) = 1/2 where f* = 0).

    Exact: [lo, hi] is cut at every break and break +- eps; on each piece the set of reachable
    cells is a fixed index range, whose smallest and largest score decide every event.

    Parameters
    ----------
    posterior : PiecewiseConstant with values in [0, 1]
    score : PiecewiseConstant (any real values; 0 lies on the decision boundary)
    eps : float >= 0, or a ThreatModel (any lp norm: in 1-D each is the interval of radius eps)
    density : PiecewiseConstant with values >= 0 and positive mass, or None
    norm : None or any p >= 1 (keyword-only; immaterial in one dimension)

    Raises
    ------
    ValueError : posterior outside [0, 1], negative eps or density, different intervals.

    Examples
    --------
    >>> post = PiecewiseConstant([0.0, 1.0], [0.5])
    >>> interval_risks(post, constant_classifier(post, 0.0), 0.1).boundary_sign  # f = 0: P(Y = -1)
    0.5
    """
    breaks, e, s, d, eps = _problem(posterior, score, density, eps, norm)
    length, cell, _, _, smin, smax = _pieces(breaks, s, eps)
    w = length * d[cell]
    ec, sc = e[cell], s[cell]
    in_b = np.minimum(sc * smin, sc * smax) <= 0
    natural = ec * (sc <= 0) + (1 - ec) * (sc >= 0)
    robust = ec * (smin <= 0) + (1 - ec) * (smax >= 0)
    boundary = in_b * (ec * (sc > 0) + (1 - ec) * (sc < 0))
    bayes = np.minimum(ec, 1 - ec)
    sign_f = np.where(sc > 0, 1.0, -1.0)  # sign(0) = -1
    sign_star = np.where(2 * ec - 1 > 0, 1.0, -1.0)
    p_sign_f = np.where(sign_f > 0, ec, 1 - ec)
    p_sign_star = np.where(sign_star > 0, ec, 1 - ec)
    first = (~in_b) * (sign_f != sign_star) * np.abs(2 * ec - 1)
    return IntervalRisks(
        natural=float(w @ natural), boundary=float(w @ boundary), robust=float(w @ robust),
        bayes_natural=float(w @ bayes), boundary_region=float(w @ in_b),
        boundary_sign=float(w @ (in_b * p_sign_f)), lemma_c6_first=float(w @ first),
        lemma_c6_second=float(w @ (in_b * p_sign_star)))


@dataclass(frozen=True)
class PhiRisks:
    """Exact phi-risks of a piecewise-constant score (see :func:`interval_phi_risks`).

    Examples
    --------
    >>> r = PhiRisks(phi_risk=1.0, bayes_phi_risk=0.25, regularizer=0.5)
    >>> r.excess, r.trades_objective  # 1 - 0.25 and 1 + 0.5
    (0.75, 1.5)
    """

    phi_risk: float
    bayes_phi_risk: float
    regularizer: float

    @property
    def excess(self) -> float:
        return max(self.phi_risk - self.bayes_phi_risk, 0.0)

    @property
    def trades_objective(self) -> float:
        """E[phi(f(X) Y) + max_{X'} phi(f(X) f(X') / lambda)], zhang2019 eq. (3)."""
        return self.phi_risk + self.regularizer


def interval_phi_risks(loss, posterior: PiecewiseConstant, score: PiecewiseConstant, eps, lam,
                       density: PiecewiseConstant | None = None, *, norm=None) -> PhiRisks:
    """Exact R_phi(f), R_phi^* and the TRADES regularizer E max_{X' in B(X, eps)} phi(f(X') f(X)/lambda) in 1-D.

    Source: zhang2019 Theorem 3.1 (R_phi, R_phi^* = E H(eta(X)), the second right-hand side)
    and eq. (3); eta = ``posterior``.

    Same problem as :func:`interval_risks`. R_phi^* = inf_f R_phi(f) = E H(eta(X)) (pointwise
    infimum), computed with :func:`conditional_risk`. The regularizer is exact: per piece the
    maximum of phi(s_i s_j / lambda) over the reachable cells j.

    Parameters
    ----------
    loss : str, MarginLoss or callable
    posterior, score, density : PiecewiseConstant (density None = uniform)
    eps : float >= 0, or a ThreatModel (any lp norm: an interval in 1-D)
    lam : float > 0
    norm : None or any p >= 1 (keyword-only; immaterial in one dimension)

    Raises
    ------
    ValueError : as :func:`interval_risks`; lam <= 0; a loss that is not calibrated.

    Examples
    --------
    The zero score with the hinge loss: phi(0) = 1 everywhere, and H(1/2) = 1 (no score beats 0 at eta = 1/2):

    >>> post = PiecewiseConstant([0.0, 1.0], [0.5])
    >>> interval_phi_risks("hinge", post, constant_classifier(post, 0.0), 0.1, lam=1.0)
    PhiRisks(phi_risk=1.0, bayes_phi_risk=1.0, regularizer=1.0)
    """
    loss = get_loss(loss)
    lam = float(positive(lam, "lam"))
    breaks, e, s, d, eps = _problem(posterior, score, density, eps, norm)
    mass = d * np.diff(breaks)
    phi_risk = float(mass @ _c_eta(loss, e, s))
    bayes = float(mass @ conditional_risk(loss, e))
    return PhiRisks(phi_risk, bayes, _regularizer(loss, breaks, s, d, eps, lam))


def _regularizer(loss: MarginLoss, breaks, s, d, eps: float, lam: float) -> float:
    """E max_{X' in B(X, eps)} phi(f(X') f(X) / lambda) on refined cells (s scores, d normalized density)."""
    length, cell, first, last, _, _ = _pieces(breaks, s, eps)
    reg = np.empty(cell.size)
    for k in range(cell.size):
        reg[k] = np.max(loss(s[cell[k]] * s[first[k]: last[k] + 1] / lam))
    return float((length * d[cell]) @ reg)


def sample_interval(posterior: PiecewiseConstant, n: int, rng=None, density: PiecewiseConstant | None = None):
    """Draw n pairs (x, y) with x from the piecewise-constant density on [lo, hi] and P(y = 1 | x) = posterior(x).

    Source: the 1-D problems of zhang2019 section 2.4 (example (2)) and appendix B.2.

    Returns
    -------
    x : ndarray (n,), y : ndarray of +-1 (n,)

    Examples
    --------
    >>> x, y = sample_interval(toy_example(0.5), 1000, rng=0)  # eta = 0 on [0, 1/2), 1 on [1/2, 1]
    >>> x.shape, bool(np.all(y == np.where(x < 0.5, -1.0, 1.0))), bool(0 <= x.min() and x.max() <= 1)
    ((1000,), True, True)
    """
    from theory._validate import check_size

    n = check_size(n, "n", factor=3)  # three arrays of n draws
    g = as_generator(rng)
    if not isinstance(posterior, PiecewiseConstant):
        raise ValueError(f"posterior must be a PiecewiseConstant, got {type(posterior).__name__}")
    dummy = PiecewiseConstant(posterior.breaks[[0, -1]], np.zeros(1))
    breaks, e, _, d, _ = _problem(posterior, dummy, density, 0.0)
    mass = d * np.diff(breaks)
    cdf = np.cumsum(mass)
    cdf /= cdf[-1]
    cell = np.minimum(np.searchsorted(cdf, g.random(n), side="right"), e.size - 1)
    x = breaks[cell] + g.random(n) * (breaks[cell + 1] - breaks[cell])
    x = x / _length_scale(posterior.breaks)  # _problem scaled the breaks of a huge interval
    y = np.where(g.random(n) < e[cell], 1.0, -1.0)
    return x, y


def toy_example(eps, *, norm=None) -> PiecewiseConstant:
    """The posterior eta of zhang2019 example (2): X ~ U[0, 1], eta = 0 on [2k eps, (2k+1) eps), 1 on
    ((2k+1) eps, (2k+2) eps].

    Source: zhang2019 section 2.4, eq. (2), k = 0, ..., ceil(1/(2 eps) - 1).

    Parameters
    ----------
    eps : float in (0, 1], or a ThreatModel (any lp norm); at most 10^5 cells (eps >= 1e-5)
    norm : None or any p >= 1 (keyword-only; immaterial in one dimension)

    Returns
    -------
    PiecewiseConstant on [0, 1] (the density is uniform: pass density=None)

    Examples
    --------
    >>> eta = toy_example(0.25)
    >>> eta.breaks.tolist(), eta.values.tolist()  # alternating cells of width eps
    ([0.0, 0.25, 0.5, 0.75, 1.0], [0.0, 1.0, 0.0, 1.0])
    """
    eps = float(positive(_radius_1d(eps, norm), "eps"))
    if eps > 1 or eps < 1e-5:
        raise ValueError(f"eps must lie in [1e-5, 1] for the toy example, got {eps!r}")
    m = int(math.ceil(1.0 / eps - 1e-12))
    b = np.minimum(eps * np.arange(m + 1), 1.0)
    b[-1] = 1.0
    b = np.unique(b)
    vals = (np.arange(b.size - 1) % 2).astype(float)
    return PiecewiseConstant(b, vals)


def sign_classifier(posterior: PiecewiseConstant) -> PiecewiseConstant:
    """The Bayes classifier sign(2 eta(x) - 1) as a score with values +-1: +1 iff 2 posterior - 1 > 0.

    Source: zhang2019 section 2.4 (Table 1) and appendix C.3 (f* = 2 eta - 1). sign(0) = -1:
    where the posterior is exactly 1/2 it predicts -1 (either label is Bayes optimal there).

    Examples
    --------
    >>> sign_classifier(PiecewiseConstant([0.0, 0.5, 0.75, 1.0], [0.2, 0.5, 0.9])).values.tolist()
    [-1.0, -1.0, 1.0]
    """
    if not isinstance(posterior, PiecewiseConstant):
        raise ValueError(f"posterior must be a PiecewiseConstant, got {type(posterior).__name__}")
    return PiecewiseConstant(posterior.breaks, np.where(2 * posterior.values - 1 > 0, 1.0, -1.0))


def constant_classifier(posterior: PiecewiseConstant, value: float = 1.0) -> PiecewiseConstant:
    """The constant score ``value`` on the posterior's interval (value = 1: the all-one classifier of Table 1).

    Examples
    --------
    >>> eta = toy_example(0.25)
    >>> f = constant_classifier(eta)
    >>> f.breaks.tolist(), f.values.tolist()
    ([0.0, 1.0], [1.0])
    >>> r = interval_risks(eta, f, 0.25)  # Table 1: never near a sign change; wrong where eta = 0
    >>> r.natural, r.boundary, r.robust
    (0.5, 0.0, 0.5)
    """
    if not isinstance(posterior, PiecewiseConstant):
        raise ValueError(f"posterior must be a PiecewiseConstant, got {type(posterior).__name__}")
    return PiecewiseConstant(posterior.breaks[[0, -1]], np.array([float(as_array(value, "value"))]))


# ---------------------------------------------------------------------------------------------
# Theorem 3.2: the two-point construction
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TightnessConstruction:
    """The distribution, score and lambda of zhang2019 Theorem 3.2 and the quantities of both sides.

    X = [0, 1] uniform, posterior eta = (1 + alpha1)/2 on [0, gamma), (1 + alpha2)/2 on
    [gamma, 1]; the score is f1 < 0 on the first cell and f2 < 0 on the second. ``excess`` is
    the target R_rob(f) - R_nat^* (the paper's theta), ``posterior`` the PiecewiseConstant eta.

    Examples
    --------
    >>> c = tightness_construction("hinge", 0.3, xi=0.01)
    >>> isinstance(c, TightnessConstruction), c.posterior.values.tolist()  # eta = (1 + 0.3)/2 on both cells
    (True, [0.65, 0.65])
    """

    excess: float
    xi: float
    eps: float
    gamma: float
    alpha1: float
    alpha2: float
    f1: float
    f2: float
    lam: float
    posterior: PiecewiseConstant
    score: PiecewiseConstant
    excess_robust: float
    excess_phi: float
    regularizer: float
    lower: float
    upper: float


def tightness_construction(loss, excess, xi, eps=0.1, *, norm=None) -> TightnessConstruction:
    """Build the instance of zhang2019 Theorem 3.2 for which the Theorem 3.1 bound is tight within xi.

    Source: zhang2019 Theorem 3.2 and its proof (appendix B.2), with t = ``excess`` (the
    paper's theta).

    Following the proof: choose t = gamma alpha1 + (1 - gamma) alpha2 with
    gamma psi~(alpha1) + (1 - gamma) psi~(alpha2) = psi(t) (two vertices of the lower hull of
    psi~; alpha1 = alpha2 = t where psi = psi~), put the posterior eta = (1 + alpha_i)/2 on two
    cells of probability gamma and 1 - gamma, take negative scores f_i with
    C_eta(f_i) <= H^-(eta) + xi/3, and shrink lambda until the regularizer
    r = E max phi(f(X') f(X)/lambda) is so small that psi(t) - psi(t - r) <= xi/3. Then
    R_rob(f) - R_nat^* = t and psi(t - r) <= R_phi(f) - R_phi^* <= psi(t - r) + xi, with
    psi(s) = 0 for s < 0. All returned quantities are computed exactly with
    :func:`interval_risks`, :func:`interval_phi_risks` and the numerical :func:`psi`.

    Parameters
    ----------
    loss : str, MarginLoss or callable, with phi(a) -> 0 as a -> +inf
    excess : float in [0, 1], the target R_rob(f) - R_nat^*
    xi : float > 0
    eps : float >= 0 or a ThreatModel (any lp norm), the perturbation radius (irrelevant to the
        construction, kept for the record)
    norm : None or any p >= 1 (keyword-only; immaterial in one dimension)

    Raises
    ------
    ValueError : excess outside [0, 1], xi <= 0, eps < 0, a loss with phi(+inf) > 0 or not calibrated.

    Examples
    --------
    >>> c = tightness_construction("exponential", 0.3, xi=0.01)
    >>> round(c.excess_robust, 10), bool(c.lower <= c.excess_phi <= c.upper), round(c.upper - c.lower, 10)
    (0.3, True, 0.01)
    """
    loss = get_loss(loss)
    theta = float(probability(excess, "excess"))  # the paper's theta
    xi = float(positive(xi, "xi"))
    eps = _radius_1d(eps, norm)
    if not float(loss(np.array(_ALPHA_MAX))) < 1e-3 * xi:
        raise ValueError(f"loss {loss.name!r} must satisfy phi(a) -> 0 as a -> +inf (Theorem 3.2), "
                         f"got phi(1e6) = {float(loss(np.array(_ALPHA_MAX))):.3g}")
    grid, pt, hull = psi_hull(loss)
    j = int(np.clip(np.searchsorted(grid[hull], theta, side="right") - 1, 0, hull.size - 2))
    a_idx, b_idx = hull[j], hull[j + 1]
    if float(psi_tilde(loss, theta)) - float(psi(loss, theta)) <= xi / 3:
        gamma, a1, a2 = 0.5, theta, theta  # psi~(theta) is within xi/3 of psi(theta): one value suffices
    else:
        a1, a2 = float(grid[a_idx]), float(grid[b_idx])
        gamma = (a2 - theta) / (a2 - a1)
    etas = np.array([(1 + a1) / 2, (1 + a2) / 2])
    hminus = constrained_conditional_risk(loss, etas)
    scores = np.empty(2)
    for i in range(2):
        side = -1 if etas[i] > 0.5 else 0
        _, arg = _inf_c(loss, etas[i:i + 1], side)
        f = min(float(arg[0]), -1e-3)
        for _ in range(200):
            if _c_eta(loss, etas[i], np.array(f)) <= hminus[i] + xi / 3:
                break
            f *= 0.5
        else:
            raise ValueError(f"could not find a negative score with C_eta(f) <= H^-(eta) + xi/3 for loss {loss.name!r}")
        scores[i] = f
    # continuity of psi at theta: psi(theta) - psi(theta - e) <= xi/3 for all e < e_prime
    steps = 0.5 ** np.arange(60)
    drop = float(psi(loss, theta)) - psi(loss, np.maximum(theta - steps, 0.0))
    ok = np.flatnonzero(drop <= xi / 3)  # psi is non-decreasing: every smaller step is fine too
    e_prime = float(steps[ok[0]]) if ok.size else 0.0
    if gamma in (0.0, 1.0):
        gamma = 0.5
    breaks = np.array([0.0, gamma, 1.0])
    eta = PiecewiseConstant(breaks, etas)
    score = PiecewiseConstant(breaks, scores)
    lam = 1.0
    d = np.ones(2)
    for _ in range(2000):
        if _regularizer(loss, breaks, scores, d, eps, lam) < e_prime:
            break
        lam *= 0.5
    else:
        raise ValueError(f"loss {loss.name!r}: the regularizer does not vanish as lambda -> 0")
    pr = interval_phi_risks(loss, eta, score, eps, lam)
    rr = interval_risks(eta, score, eps)
    shifted = max(theta - pr.regularizer, 0.0)
    low = float(psi(loss, shifted))
    return TightnessConstruction(theta, xi, eps, gamma, a1, a2, float(scores[0]), float(scores[1]), lam,
                                 eta, score, rr.robust - rr.bayes_natural, pr.excess, pr.regularizer,
                                 low, low + xi)


# ---------------------------------------------------------------------------------------------
# Section 4: multi-class calibration, and problem (3) on example (2) as a function of lambda
# ---------------------------------------------------------------------------------------------

MULTICLASS_LOSSES = ("cross_entropy", "brier")
"""Multi-class surrogate losses L(q, y) of a probability vector q: ``cross_entropy`` -log q_y (the loss of
zhang2019 problem (5)), ``brier`` ||q - e_y||_2^2."""

_MAX_CLASSES = 512


def _simplex(x, name: str) -> np.ndarray:
    """Probability vectors along the last axis: entries >= 0 summing to 1 (to 1e-9), at least 2 classes."""
    arr = nonnegative(as_vector(x, name), name)
    k = arr.shape[-1]
    if k < 2 or k > _MAX_CLASSES:
        raise ValueError(f"{name} must have between 2 and {_MAX_CLASSES} classes along its last axis, got {k}")
    tot = arr.sum(axis=-1)
    bad = np.abs(tot - 1.0) > 1e-9
    if bad.any():
        raise ValueError(f"{name} must sum to 1 along its last axis, got a sum of {float(tot[bad].ravel()[0])!r}")
    return arr / tot[..., None]


def _check_multiclass_loss(loss) -> str:
    if not isinstance(loss, str) or loss not in MULTICLASS_LOSSES:
        raise ValueError(f"loss must be one of {MULTICLASS_LOSSES}, got {loss!r}")
    return loss


def multiclass_conditional_risk(posterior, scores, loss: str = "cross_entropy") -> np.ndarray:
    """The conditional surrogate risk C_p(q) = sum_y p_y L(q, y) of a predicted probability vector q.

    Source: zhang2019 (TRADES), section 4, problem (5): the multi-class extension replaces the
    margin loss by a multi-class calibrated loss L(f(X), Y), f(X) a probability vector
    (softmax output), Y the label indicator. For ``cross_entropy``
    C_p(q) = -sum_y p_y log q_y = H(p) + KL(p || q); for ``brier``
    C_p(q) = ||q - p||^2 + 1 - ||p||^2. Both are minimized exactly at q = p.

    Parameters
    ----------
    posterior : array (..., K), probability vectors p (entries >= 0, sum 1), 2 <= K <= 512
    scores : array (..., K), probability vectors q (broadcast against ``posterior``)
    loss : "cross_entropy" or "brier"

    Returns
    -------
    ndarray of shape broadcast(...), values in [0, inf] (+inf where q_y = 0 < p_y for cross-entropy)

    Raises
    ------
    ValueError : for a vector off the simplex, a class count outside [2, 512], or an unknown loss

    Examples
    --------
    >>> p = [0.5, 0.3, 0.2]
    >>> bool(np.isclose(multiclass_conditional_risk(p, p), -(0.5*np.log(.5) + .3*np.log(.3) + .2*np.log(.2))))
    True
    >>> round(float(multiclass_conditional_risk(p, [1.0, 0.0, 0.0], "brier")), 12)  # 0.5*0.5 + 0.3*1.5 + 0.2*1.5
    1.0
    """
    loss = _check_multiclass_loss(loss)
    p = _simplex(posterior, "posterior")
    q = _simplex(scores, "scores")
    if p.shape[-1] != q.shape[-1]:
        raise ValueError(f"scores must have as many classes as posterior ({p.shape[-1]}), got {q.shape[-1]}")
    try:
        shape = np.broadcast_shapes(p.shape, q.shape)
    except ValueError as exc:
        raise ValueError(f"scores of shape {q.shape} do not broadcast against posterior of shape {p.shape}") from exc
    check_size(int(np.prod(shape)), "posterior.size")
    if loss == "brier":
        return np.sum((q - p) ** 2, axis=-1) + 1.0 - np.sum(p * p, axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.where(p > 0, -p * np.log(q), 0.0)
    return np.sum(t, axis=-1)


def _pool_cost(ps: np.ndarray, members: np.ndarray, loss: str) -> tuple[np.ndarray, np.ndarray]:
    """(divergence of pooling the classes in ``members`` to their mean, the mean) for sorted rows ps."""
    cnt = members.sum(axis=-1)
    t = np.where(members, ps, 0.0).sum(axis=-1) / cnt
    if loss == "brier":
        c = np.where(members, (ps - t[..., None]) ** 2, 0.0).sum(axis=-1)
    else:
        with np.errstate(divide="ignore", invalid="ignore"):
            c = np.where(members & (ps > 0), ps * np.log(ps / t[..., None]), 0.0).sum(axis=-1)
    return np.maximum(c, 0.0), t


def multiclass_calibration_gap(posterior, loss: str = "cross_entropy") -> np.ndarray:
    """The calibration gap inf{C_p(q) : q predicts a non-Bayes class} - inf_q C_p(q) of a multi-class loss.

    A multi-class surrogate is calibrated (zhang2019 section 4, after Pires and Szepesvari
    [PS16] and Tewari and Bartlett 2007) when every minimizer of the conditional surrogate risk
    predicts a Bayes class, uniformly: the gap is > 0 for every posterior p that has a non-Bayes
    class. q "predicts" class j when q_j = max_i q_i (ties count against the loss).

    Derivation. inf_q C_p(q) is attained at q = p and the excess C_p(q) - C_p(p) is KL(p || q)
    (cross-entropy) or ||q - p||^2 (Brier). For a non-Bayes class j (p_j < max p) the smallest
    excess subject to q_j >= q_i for all i pools j with the m largest other classes, setting them
    to their mean t and leaving the rest at p_i; the pooling is feasible when t is at least the
    largest class left out. The gap is the minimum over j and feasible m of
    sum_{i in pool} p_i log(p_i / t) (cross-entropy) or sum_{i in pool} (p_i - t)^2 (Brier).
    Both are > 0 whenever p_j < max p, so both losses are calibrated; the gap tends to 0 as
    the largest two posteriors approach each other (no uniform margin).

    Parameters
    ----------
    posterior : array (..., K), probability vectors (entries >= 0, sum 1), 2 <= K <= 512
    loss : "cross_entropy" or "brier"

    Returns
    -------
    ndarray of shape (...): the gap, >= 0; +inf where every class is a Bayes class (no
    prediction is wrong: the infimum over an empty set)

    Raises
    ------
    ValueError : for a vector off the simplex, a class count outside [2, 512], or an unknown loss

    Examples
    --------
    Two classes: the gap of cross-entropy is the Jensen-Shannon-type pooling p log(2p) + (1-p) log(2(1-p)):

    >>> g = multiclass_calibration_gap([0.7, 0.3])
    >>> bool(np.isclose(g, 0.7 * np.log(1.4) + 0.3 * np.log(0.6)))
    True
    >>> round(float(multiclass_calibration_gap([0.6, 0.3, 0.1], "brier")), 12)  # pool 0.6 and 0.3 at 0.45
    0.045
    >>> float(multiclass_calibration_gap([0.5, 0.5]))  # both classes are Bayes: nothing can go wrong
    inf
    """
    loss = _check_multiclass_loss(loss)
    p = _simplex(posterior, "posterior")
    check_size(int(p.size) * p.shape[-1], "posterior.size")
    ps = -np.sort(-p, axis=-1)  # descending
    k = ps.shape[-1]
    top = ps[..., :1]
    best = np.full(ps.shape[:-1], np.inf)
    idx = np.arange(k)
    tol = 1e-15
    for r in range(1, k):  # the non-Bayes class sits at sorted position r
        wrong = ps[..., r] < top[..., 0] - tol
        for m in range(1, r + 1):  # pool position r with positions 0..m-1
            members = (idx < m) | (idx == r)
            members = np.broadcast_to(members, ps.shape)
            c, t = _pool_cost(ps, members, loss)
            left = ps[..., m] if m < r else (ps[..., r + 1] if r + 1 < k else np.zeros(ps.shape[:-1]))
            feasible = t >= left - 1e-15
            best = np.where(wrong & feasible, np.minimum(best, c), best)
    return best


def toy_trades_objective(a, b, lam, loss="hinge") -> np.ndarray:
    """The TRADES objective (3) of the two-level score (a on the eta = 1 cells, b on the eta = 0 cells) of example (2).

    Source: zhang2019 eq. (3) and example (2) (section 2.4), with 1/(2 eps) an integer. Every ball
    B(x, eps) meets cells of both kinds, so
    J(a, b) = phi(a)/2 + phi(-b)/2 + max(phi(a^2/lam), phi(ab/lam))/2 + max(phi(b^2/lam), phi(ab/lam))/2.
    This is also the infimum of (3) over ALL measurable scores: pairing x (an eta = 0 point) with
    x + eps (its eta = 1 partner, in both balls) bounds the objective below by the mean of
    J(f(x + eps), f(x)) >= inf J. (It does not depend on eps.)

    Parameters
    ----------
    a, b : float arrays (broadcast), the scores on the eta = 1 and eta = 0 cells
    lam : float > 0, the TRADES lambda (the regularizer's weight is 1/lam inside phi)
    loss : a margin loss (name in :data:`LOSSES`, a MarginLoss or a callable)

    Returns
    -------
    ndarray, the objective value (>= 0)

    Raises
    ------
    ValueError : for non-finite a, b, lam <= 0, or an invalid loss

    Examples
    --------
    >>> float(toy_trades_objective(1.0, -1.0, 4.0))  # Bayes: natural 0, regularizer phi(-1/4) = 1.25
    1.25
    >>> float(toy_trades_objective(1.0, 1.0, 0.5))  # all-one: natural 1, regularizer phi(2) = 0
    1.0
    """
    a = as_array(a, "a")
    b = as_array(b, "b")
    lam = float(positive(lam, "lam"))
    loss = get_loss(loss)
    try:
        shape = np.broadcast_shapes(a.shape, b.shape)
    except ValueError as exc:
        raise ValueError(f"a of shape {a.shape} and b of shape {b.shape} do not broadcast") from exc
    check_size(max(int(np.prod(shape)), 1), "a.size")
    with np.errstate(over="ignore", invalid="ignore"):
        ab, aa, bb = a * b / lam, a * a / lam, b * b / lam
        pab = loss(ab)
        v = 0.5 * (loss(a) + loss(-b) + np.maximum(loss(aa), pab) + np.maximum(loss(bb), pab))
    return np.where(np.isnan(v), np.inf, v)


@dataclass(frozen=True)
class TradesToySolution:
    """Problem (3) on example (2) at one lambda (see :func:`toy_trades_solution`).

    Examples
    --------
    >>> s = TradesToySolution(1.0, 1.0, 10.0, 0.1, 1.5, 1.0, 1.5)
    >>> s.pattern
    'same-sign'
    """

    lam: float
    infimum: float
    a: float
    b: float
    bayes: float
    same_sign: float
    opposite: float

    @property
    def pattern(self) -> str:
        """The sign pattern of the best (a, b): "bayes" (a > 0 > b), "same-sign" (ab > 0), "anti-bayes" or "zero"."""
        if self.a > 0 > self.b:
            return "bayes"
        if self.a * self.b > 0:
            return "same-sign"
        if self.a < 0 < self.b:
            return "anti-bayes"
        return "zero"


_TOY_GRID = np.concatenate([-np.logspace(-6, 8, 561)[::-1], [0.0], np.logspace(-6, 8, 561)])


def toy_trades_solution(lam, loss="hinge") -> TradesToySolution:
    """The solution of TRADES problem (3) over all measurable scores on example (2), at one lambda.

    Source: zhang2019 section 3 ("To see how lambda affects the solution in the example of Section
    2.4, problem (3) tends to the Bayes optimal classifier when lambda -> +inf, and tends to the
    all-one classifier when lambda -> 0") and eq. (2). By :func:`toy_trades_objective` the infimum
    over all scores is inf_{a, b} J(a, b), found here numerically: a grid of 1123 signed values
    (|a|, |b| from 1e-6 to 1e8, log-spaced, and 0), the infimum over each sign region (Bayes a > 0 > b,
    same sign ab > 0, anti-Bayes a < 0 < b) read off the grid. Infima approached only as
    |a| -> inf or b -> 0 are reported at the grid's end (to about 1e-5 for the hinge loss).

    Parameters
    ----------
    lam : float in [1e-4, 1e4], the TRADES lambda
    loss : a margin loss (name in :data:`LOSSES`, a MarginLoss or a callable)

    Returns
    -------
    TradesToySolution : infimum, the best (a, b), and the infimum over each sign region
    (``bayes``, ``same_sign``, ``opposite``)

    Raises
    ------
    ValueError : for lam outside [1e-4, 1e4] or an invalid loss

    Examples
    --------
    >>> s = toy_trades_solution(100.0)  # hinge: the Bayes classifier costs 1 + 1/lam, same-sign scores 1
    >>> round(s.bayes, 4), round(s.infimum, 4), s.pattern
    (1.01, 1.0, 'same-sign')
    >>> round(toy_trades_solution(0.01).infimum, 4)  # (1 + sqrt(lam)) / 2: the all-one classifier as lam -> 0
    0.55
    """
    lam = float(positive(lam, "lam"))
    if not 1e-4 <= lam <= 1e4:
        raise ValueError(f"lam must lie in [1e-4, 1e4], got {lam!r}")
    loss = get_loss(loss)
    g = _TOY_GRID
    best = {}
    arg = None
    inf_all = np.inf
    for sa in (1, -1):
        A = g[g * sa > 0][:, None]
        for sb in (1, -1):
            B = g[g * sb > 0][None, :]
            v = toy_trades_objective(A, B, lam, loss)
            i = np.unravel_index(int(np.argmin(v)), v.shape)
            best[(sa, sb)] = float(v[i])
            if v[i] < inf_all:
                inf_all, arg = float(v[i]), (float(A[i[0], 0]), float(B[0, i[1]]))
    v1 = toy_trades_objective(0.0, g, lam, loss)  # the axes a = 0 and b = 0
    v2 = toy_trades_objective(g, 0.0, lam, loss)
    j1, j2 = int(np.argmin(v1)), int(np.argmin(v2))
    if v1[j1] < inf_all:
        inf_all, arg = float(v1[j1]), (0.0, float(g[j1]))
    if v2[j2] < inf_all:
        inf_all, arg = float(v2[j2]), (float(g[j2]), 0.0)
    same = min(best[(1, 1)], best[(-1, -1)])
    return TradesToySolution(lam, inf_all, arg[0], arg[1], best[(1, -1)], same, best[(-1, 1)])


def toy_trades_hinge(lam) -> tuple[float, float]:
    """Closed form, hinge loss: (infimum of problem (3) on example (2), infimum over Bayes-signed scores).

    Source: zhang2019 eq. (3) on example (2), derived here (docs/zhang2019.md, "Problem (3) on
    example (2)"). With J of :func:`toy_trades_objective` and phi(t) = max(1 - t, 0):
    inf J = (1 + sqrt(lam))/2 for lam <= 1 (a -> inf, b = sqrt(lam): all-one) and 1 for lam >= 1
    (a -> inf, b -> 0+, ab >= lam: still all-one, not attained); Bayes-signed scores (a > 0 > b)
    give J = (1 - a)_+/2 + (1 - |b|)_+/2 + 1 + a|b|/lam, whose infimum is min(1 + 1/lam, 3/2).

    Parameters
    ----------
    lam : float > 0

    Returns
    -------
    (infimum, bayes_infimum) : tuple of floats

    Raises
    ------
    ValueError : for lam <= 0 or not finite

    Examples
    --------
    >>> toy_trades_hinge(0.25), toy_trades_hinge(4.0)
    ((0.75, 1.5), (1.0, 1.25))
    """
    lam = float(positive(lam, "lam"))
    inf = 0.5 * (1.0 + math.sqrt(lam)) if lam <= 1 else 1.0
    return inf, min(1.0 + 1.0 / lam, 1.5)
