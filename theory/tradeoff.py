"""The Tsipras et al. distribution, its accuracy-robustness tradeoff bound, and population SVMs.

The distribution (tsipras2019 eq. (3)): a label ``y = +-1`` with probability 1/2
each, one *robust* feature ``x1 = y`` with probability ``p_robust`` (``-y`` otherwise;
the paper's ``p``) and ``d`` *non-robust* features ``x2, ..., x_{d+1}`` drawn i.i.d. from
``N(eta * y, 1)`` (``eta``: the mean shift). Vectors lie along the last axis and have length
``d + 1`` (:attr:`TsiprasDistribution.dim`); coordinate 0 is ``x1``.

Everything here is exact (closed forms through the normal CDF of
:mod:`theory.normal`), except the one-dimensional minimisation inside
:func:`population_svm`, which is a dense grid over an angle refined by golden-section
search.

Conventions. The threat model is tsipras2019's only one: an l-infinity ball of radius
``eps`` acting on *every* coordinate, ``x1`` included. Every radius argument (``eps``,
``eval_eps``, ``eps_max``) takes a number (or broadcasting array) with the keyword-only
``norm=None`` (None means ``np.inf``), or a :class:`theory.threat.ThreatModel`; a norm
other than inf raises ValueError. For a linear classifier ``sign(w.x + b)`` the worst
case is ``x - eps * y * sign(w)``, which moves the score by ``-eps * ||w||_1 * y``
(Hoelder). Predictions use ``sign(0) = -1``: a score s predicts +1 iff s > 0.

Source: tsipras2019 section 2.1 (eq. (3), eq. (4), Theorem 2.1), section 2.2
(Theorem 2.2) and appendices B and C.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from theory._optimize import golden_section
from theory._validate import (
    as_array,
    as_vector,
    broadcast,
    check_size,
    in_open_interval,
    nonnegative,
    positive,
    positive_int,
)
from theory.montecarlo import as_generator
from theory.normal import normal_cdf, normal_pdf
from theory.norms import lp_norm
from theory.threat import ThreatModel, resolve

__all__ = [
    "DEFAULT_P_ROBUST",
    "TsiprasDistribution",
    "averaging_weights",
    "worst_case_linear_perturbation",
    "linear_accuracy",
    "swap_adversary_accuracies",
    "robust_accuracy_upper_bound",
    "printed_tradeoff_bound",
    "symmetric_linear_accuracy",
    "linear_tradeoff_pairs",
    "hinge_expectation",
    "population_hinge_loss",
    "PopulationSVM",
    "population_svm",
    "zero_weight_threshold",
]

DEFAULT_P_ROBUST = 0.7
"""tsipras2019's probability that the robust feature agrees with the label (section 2.1)."""
_RATIO_CLIP = 1e6  # |margin / sd| beyond this: Phi is exactly 0 or 1 in double precision
_KINK_PREFERENCE = 1e-14  # an interior point must beat a kink by this (relative) to be chosen


def _check_p_robust(p_robust) -> np.ndarray:
    return in_open_interval(p_robust, "p_robust", 0.5, 1.0)


def _linf(eps, norm, name: str = "eps") -> np.ndarray:
    """The radius of an l-inf threat model given as a radius (with ``norm``) or a ThreatModel."""
    p, radius = resolve(eps, norm, name=name)
    if not np.isinf(p):
        raise ValueError(f"norm must be inf (tsipras2019's adversary is l-infinity), got {p:g}")
    return radius


def _check_eta(eta) -> np.ndarray:
    return positive(eta, "eta")


# ---------------------------------------------------------------------------------------------
# The distribution
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TsiprasDistribution:
    """The binary task of tsipras2019 eq. (3): one robust feature and d weakly correlated ones.

    Source: tsipras2019 section 2.1, eq. (3).

    ``y`` is uniform on {-1, +1}; ``x1 = y`` with probability ``p_robust`` and ``-y``
    otherwise; ``x2, ..., x_{d+1}`` are i.i.d. ``N(eta * y, 1)``. This sampler is the single
    source of truth for the distribution (the experiments train on it).

    Parameters
    ----------
    d : int >= 1
        The number of non-robust features; a sample has ``dim = d + 1`` coordinates.
    eta : float > 0
        The mean shift of each non-robust feature (the paper takes eta >= 3/sqrt(d)).
    p_robust : float in (1/2, 1)
        The probability that the robust feature agrees with the label (the paper's p, 0.7).

    Raises
    ------
    ValueError
        If d is not an integer >= 1, eta is not finite and > 0, or p_robust is outside (1/2, 1).

    Examples
    --------
    >>> TsiprasDistribution(10, 0.3).dim
    11
    """

    d: int
    eta: float
    p_robust: float = DEFAULT_P_ROBUST

    def __post_init__(self):
        object.__setattr__(self, "d", positive_int(self.d, "d"))
        object.__setattr__(self, "eta", float(_check_eta(self.eta)))
        object.__setattr__(self, "p_robust", float(_check_p_robust(self.p_robust)))

    @property
    def dim(self) -> int:
        """The input dimension d + 1."""
        return self.d + 1

    @property
    def signal_to_noise(self) -> float:
        """eta * sqrt(d): the separation of the averaged non-robust features (eq. (4))."""
        return self.eta * np.sqrt(self.d)

    def sample(self, n: int, rng=None) -> tuple[np.ndarray, np.ndarray]:
        """Draw n labelled points.

        Parameters
        ----------
        n : int >= 1
        rng : numpy Generator, int seed or None

        Returns
        -------
        x : ndarray, shape (n, d + 1), float64
        y : ndarray of +-1.0, shape (n,)
        """
        n = positive_int(n, "n")
        g = as_generator(rng)
        y = np.where(g.random(n) < 0.5, 1.0, -1.0)
        agree = np.where(g.random(n) < self.p_robust, 1.0, -1.0)
        x = np.empty((n, self.dim))
        x[:, 0] = agree * y
        x[:, 1:] = g.standard_normal((n, self.d))
        x[:, 1:] += (self.eta * y)[:, None]
        return x, y

    @property
    def bayes_weights(self) -> np.ndarray:
        """w_Bayes = (log(p_robust / (1 - p_robust)), 2 eta, ..., 2 eta): the log-likelihood ratio is w_Bayes.x.

        log P(x | +1) - log P(x | -1) = x1 log(p/(1-p)) + sum_i [(x_i + eta)^2 - (x_i - eta)^2] / 2
        = x1 log(p/(1-p)) + 2 eta sum_i x_i (tsipras2019 eq. (3), equal priors).
        """
        w = np.full(self.dim, 2.0 * self.eta)
        w[0] = np.log(self.p_robust / (1.0 - self.p_robust))
        return w

    def bayes_classifier(self, x) -> np.ndarray:
        """sign(w_Bayes.x) (sign(0) = -1; a null set), x of shape (..., d + 1)."""
        x = as_vector(x, "x")
        if x.shape[-1] != self.dim:
            raise ValueError(f"x must have last axis of length dim={self.dim}, got shape {x.shape}")
        return np.where(x @ self.bayes_weights > 0, 1.0, -1.0)

    def bayes_error(self) -> float:
        """1 - the exact accuracy of the Bayes rule, by :func:`linear_accuracy` (no adversary)."""
        return float(1.0 - linear_accuracy(self.bayes_weights, 0.0, self.eta, self.p_robust))


def averaging_weights(d: int) -> np.ndarray:
    """The weights w_unif = (0, 1/d, ..., 1/d) of the averaging classifier f_avg.

    Source: tsipras2019 eq. (4).

    Parameters
    ----------
    d : int >= 1

    Returns
    -------
    ndarray, shape (d + 1,)

    Examples
    --------
    >>> averaging_weights(4).tolist()  # no weight on the robust feature x1
    [0.0, 0.25, 0.25, 0.25, 0.25]
    """
    d = check_size(d, "d")  # d + 1 weights are allocated
    w = np.full(d + 1, 1.0 / d)
    w[0] = 0.0
    return w


def worst_case_linear_perturbation(x, y, w, eps, *, norm=None) -> np.ndarray:
    """The worst l-inf perturbation of x against sign(w.x + b): x - eps * y * sign(w).

    The l-inf case of :class:`theory.attacks.LinearWorstCase`, kept under this name.

    Source: Hoelder's inequality; tsipras2019 appendix C (the eps ||w||_1 term).
    It lowers y * w.x by exactly eps * ||w||_1, the most any ``||delta||_inf <= eps`` can.

    Parameters
    ----------
    x : array_like, shape (n, k)
    y : array_like of +-1, shape (n,)
    w : array_like, shape (k,)
    eps : float >= 0, or a ThreatModel with norm inf
    norm : None or inf (keyword-only; tsipras2019's threat model is l-inf only)

    Returns
    -------
    ndarray, shape (n, k)

    Raises
    ------
    ValueError
        On NaN/inf, negative eps, a norm other than inf, or mismatched shapes.

    Examples
    --------
    >>> x, y, w = np.array([[1.0, 0.5, -0.2]]), np.array([1.0]), np.array([1.0, -2.0, 0.0])
    >>> x_adv = worst_case_linear_perturbation(x, y, w, 0.1)
    >>> np.round(x_adv, 12).tolist(), round(float(((x - x_adv) @ w)[0]), 12)  # y w.x drops by eps ||w||_1 = 0.3
    ([[0.9, 0.6, -0.2]], 0.3)
    """
    x = as_array(x, "x", min_ndim=2)
    y = as_vector(y, "y")
    w = as_vector(w, "w")
    eps = float(_linf(eps, norm))
    if w.ndim != 1 or x.shape[-1] != w.shape[0]:
        raise ValueError(f"w must have shape ({x.shape[-1]},) to match x {x.shape}, got {w.shape}")
    if y.shape != x.shape[:1]:
        raise ValueError(f"y must have shape ({x.shape[0]},) to match x {x.shape}, got {y.shape}")
    from theory.attacks import LinearWorstCase  # the one home of the linear worst case

    return LinearWorstCase(w)(x, y, ThreatModel(np.inf, eps))


# ---------------------------------------------------------------------------------------------
# Exact accuracies of linear classifiers
# ---------------------------------------------------------------------------------------------


def _phi_ratio(num: np.ndarray, sd: np.ndarray, strict: bool) -> np.ndarray:
    """P(num + sd * Z > 0) (strict) or P(num + sd * Z >= 0), Z standard normal; sd may be 0."""
    pos = sd > 0
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        ratio = np.clip(num / np.where(pos, sd, 1.0), -_RATIO_CLIP, _RATIO_CLIP)
    det = (num > 0) if strict else (num >= 0)
    return np.where(pos, normal_cdf(ratio), det.astype(np.float64))


_MAX_D = 2**1000  # d beyond this is not a float64 (the formulas use sqrt(float(d)))


def _check_d(d) -> int:
    """The number of non-robust features d, an integer in [1, 2**1000] (for formulas that do not allocate)."""
    return positive_int(d, "d", maximum=_MAX_D)


def _scale_linear(w, b, factor, extra: float = 1.0):
    """(w, b) divided by a power of two where the terms of the score could overflow.

    The accuracy of sign(w.x + b) is invariant under (w, b) -> c (w, b), c > 0. The margin terms
    are at most (d + 1) max(|w|, |b|) max(1, factor) ``extra`` (factor: eta and eps); rows where that
    exceeds 2**400 are scaled (exactly) so that it is about 1. Other rows are returned unchanged.
    """
    top = np.maximum(np.abs(w).max(axis=-1), np.abs(b))
    with np.errstate(over="ignore"):
        bound = top * np.maximum(1.0, factor) * (w.shape[-1] * extra)
    big = bound > 2.0**400
    if not big.any():
        return w, b
    _, e_top = np.frexp(np.where(big, top, 1.0))
    _, e_fac = np.frexp(np.where(big, np.maximum(1.0, factor), 1.0))
    e = e_top + e_fac + int(np.ceil(np.log2(w.shape[-1] * extra))) + 1
    e = np.where(big, e, 0)
    return np.ldexp(w, -e[..., None]), np.ldexp(b, -e)


def linear_accuracy(w, b, eta, p_robust=DEFAULT_P_ROBUST, eps=0.0, *, norm=None) -> np.ndarray:
    """Exact standard (eps = 0) or l-inf robust accuracy of sign(w.x + b) on the Tsipras task.

    Source: tsipras2019 eq. (3) (the distribution) and eq. (4) (the computation for f_avg);
    the worst case of a linear score is the shift -eps ||w||_1 y (Hoelder).

    With ``s = y * x1`` (+1 w.p. p_robust), ``S = sum_{i>=2} w_i``, ``sd = ||w_{2..}||_2`` and
    ``m_s = w1 s + eta S - eps ||w||_1``, a point with label +1 is robustly correct iff
    ``m_s + b + sd Z > 0`` and one with label -1 iff ``m_s - b + sd Z >= 0`` (the
    prediction at a score of exactly 0 is -1), so

        accuracy = 1/2 sum_s P(s) [Phi((m_s + b) / sd) + Phi((m_s - b) / sd)],

    with the deterministic comparisons when ``sd = 0``.

    Parameters
    ----------
    w : array_like, shape (..., d + 1)
        Weights; a batch of classifiers along the leading axes. d >= 1.
    b : array_like, broadcasting against the batch shape ``w.shape[:-1]``
        Biases.
    eta : float or array_like > 0, broadcasting against the batch shape
    p_robust : float or array_like in (1/2, 1), broadcasting against the batch shape
    eps : float or array_like >= 0, broadcasting against the batch shape, or a ThreatModel
        The adversary's l-inf radius; 0 gives the standard accuracy.
    norm : None or inf (keyword-only; tsipras2019's threat model is l-inf only)

    Returns
    -------
    ndarray, shape broadcast(w.shape[:-1], b, eta, p_robust, eps)
        Accuracies in [0, 1] (a numpy float for a single classifier).

    Raises
    ------
    ValueError
        On NaN or inf anywhere, w with fewer than 2 coordinates, eta <= 0, p_robust outside
        (1/2, 1), eps < 0, a norm other than inf, or shapes that do not broadcast (the
        message names them).

    Examples
    --------
    >>> float(linear_accuracy([1.0, 0.0, 0.0], 0.0, 0.5, 0.7, 0.5))  # sign(x1): p_robust for eps < 1
    0.7
    """
    w = as_vector(w, "w")
    if w.shape[-1] < 2:
        raise ValueError(
            f"w must have d + 1 >= 2 coordinates along the last axis, got shape {w.shape}")
    b = as_array(b, "b")
    eta = _check_eta(eta)
    p_robust = _check_p_robust(p_robust)
    eps = _linf(eps, norm)
    try:
        shape = np.broadcast_shapes(w.shape[:-1], b.shape, eta.shape, p_robust.shape, eps.shape)
    except ValueError as exc:
        raise ValueError(
            f"shapes do not broadcast: w {w.shape} (batch {w.shape[:-1]}), b {b.shape}, "
            f"eta {eta.shape}, p_robust {p_robust.shape}, eps {eps.shape}") from exc
    w = np.broadcast_to(w, shape + w.shape[-1:])
    b, eta, p_robust, eps = (np.broadcast_to(a, shape) for a in (b, eta, p_robust, eps))
    w, b = _scale_linear(w, b, np.maximum(eta, eps))

    w1 = w[..., 0]
    rest = w[..., 1:]
    total = rest.sum(axis=-1)
    sd = lp_norm(rest, 2)
    shift = eps * lp_norm(w, 1)
    acc = np.zeros(shape)
    for s, prob in ((1.0, p_robust), (-1.0, 1.0 - p_robust)):
        m = w1 * s + eta * total - shift
        acc = acc + prob * (_phi_ratio(m + b, sd, strict=True)
                            + _phi_ratio(m - b, sd, strict=False))
    return 0.5 * acc


def swap_adversary_accuracies(p_pp, p_pm, p_mp, p_mm, p_robust=DEFAULT_P_ROBUST):
    """Standard accuracy and accuracy against the G+ <-> G- swap, from conditional predictions.

    Source: tsipras2019 appendix B (proof of Theorem 2.1).

    ``p_ij = Pr[f(x) = +1 | x1 = i, x_{2..} ~ G_j]`` with ``G_+- = N(+-eta, 1)^d``. With
    ``a = 1 - p_pp + p_mm`` and ``b = 1 - p_mp + p_pm`` (each in [0, 2])

        standard = 1 - (p a + (1 - p) b) / 2,     swapped = ((1 - p) a + p b) / 2,

    (p = p_robust) where "swapped" is the accuracy against the adversary that replaces x_i
    by ``x_i - 2 eta y`` for i >= 2 (allowed whenever the l-inf radius eps >= 2 eta).

    Parameters
    ----------
    p_pp, p_pm, p_mp, p_mm : array_like in [0, 1], broadcasting together
    p_robust : float in (1/2, 1)

    Returns
    -------
    (standard, swapped) : pair of ndarrays

    Raises
    ------
    ValueError
        On values outside [0, 1], NaN, p_robust outside (1/2, 1), or shapes that do not
        broadcast.

    Examples
    --------
    sign(x1) ignores the swap (both accuracies p); a perfect detector of G+ / G- is always fooled by it:

    >>> [float(a) for a in swap_adversary_accuracies(1.0, 1.0, 0.0, 0.0, 0.7)]
    [0.7, 0.7]
    >>> [float(a) for a in swap_adversary_accuracies(1.0, 0.0, 1.0, 0.0, 0.7)]
    [1.0, 0.0]
    """
    vals = {}
    for name, v in (("p_pp", p_pp), ("p_pm", p_pm), ("p_mp", p_mp), ("p_mm", p_mm)):
        arr = nonnegative(v, name)
        if (arr > 1).any():
            raise ValueError(f"{name} must lie in [0, 1], got {arr[arr > 1].ravel()[0].item()!r}")
        vals[name] = arr
    p = _check_p_robust(p_robust)
    p_pp, p_pm, p_mp, p_mm, p = broadcast(**vals, p_robust=p)
    a = 1.0 - p_pp + p_mm
    b = 1.0 - p_mp + p_pm
    return 1.0 - 0.5 * (p * a + (1.0 - p) * b), 0.5 * ((1.0 - p) * a + p * b)


# ---------------------------------------------------------------------------------------------
# The tradeoff bound (Theorem 2.1)
# ---------------------------------------------------------------------------------------------


def robust_accuracy_upper_bound(standard_accuracy, p_robust=DEFAULT_P_ROBUST) -> np.ndarray:
    """The largest robust accuracy any classifier with the given standard accuracy can have.

    Source: tsipras2019 Theorem 2.1 and appendix B, generalised to every accuracy and p.

    Against any l-inf adversary with ``eps >= 2 eta`` and for every (randomised)
    classifier f with standard accuracy A on the Tsipras task, with p = p_robust,

        robust accuracy <= bound(A) = min(A, p (1 - A) / (1 - p))
                                    = p (1 - A) / (1 - p)  if A >= p,   A  if A <= p.

    Derivation: in the notation of :func:`swap_adversary_accuracies`, maximise the
    swapped accuracy ``((1 - p) a + p b) / 2`` subject to ``p a + (1 - p) b = 2 (1 - A)``
    and a, b in [0, 2]. The optimum is the vertex b = 0 while ``1 - A <= 1 - p``, giving
    ``p (1 - A) / (1 - p)`` (the printed ``7/3 delta`` at p = 0.7); beyond it the linear
    programme exceeds A, and robust accuracy never exceeds standard accuracy (the
    adversary may choose delta = 0).

    Where it is attained (for a fixed eps with 2 eta <= eps < 1):

    * A = p: exactly, by sign(x1) (standard = robust = p).
    * 1 - p <= A <= p: exactly, by classifiers of x1 alone: sign(x1) (A = p), a constant
      (A = 1/2), -sign(x1) (A = 1 - p), and randomised mixtures of them in between.
    * A > p: not attained for finite eta sqrt(d) (the vertex b = 0 needs the classifier
      to tell G+ from G- without error); approached as eta sqrt(d) -> inf and eta -> 0
      by linear classifiers ``(r, 1/sqrt(d), ..., 1/sqrt(d))`` (see
      :func:`symmetric_linear_accuracy`), whose gap to the bound tends to
      ``Phi(-r - eta sqrt(d)) (2p - 1) / (1 - p)`` as eta -> 0.
    * A < 1 - p: likewise only approached, by mixtures of -sign(x1) with classifiers
      that are almost always wrong, such as -sign(x2 + ... + x_{d+1}).

    Parameters
    ----------
    standard_accuracy : array_like in [0, 1]
    p_robust : float or array_like in (1/2, 1), broadcasting against standard_accuracy

    Returns
    -------
    ndarray, the broadcast shape, values in [0, max(A, p_robust)]

    Raises
    ------
    ValueError
        If standard_accuracy has NaN or values outside [0, 1], or p_robust is outside (1/2, 1).

    Examples
    --------
    >>> round(float(robust_accuracy_upper_bound(0.9, 0.7)), 12)  # 0.7 * 0.1 / 0.3
    0.233333333333
    """
    acc = nonnegative(standard_accuracy, "standard_accuracy")
    if (acc > 1).any():
        raise ValueError(
            f"standard_accuracy must lie in [0, 1], got {acc[acc > 1].ravel()[0].item()!r}")
    p = _check_p_robust(p_robust)
    acc, p = broadcast(standard_accuracy=acc, p_robust=p)
    return np.minimum(acc, p * (1.0 - acc) / (1.0 - p))


def printed_tradeoff_bound(delta, p_robust=DEFAULT_P_ROBUST) -> np.ndarray:
    """The bound as printed in Theorem 2.1, generalised to p: p / (1 - p) * delta (7/3 delta).

    Source: tsipras2019 Theorem 2.1 ("at most 7/3 delta" for p = 0.7).

    It holds for every delta in [0, 1] but is loose once delta > 1 - p, where it exceeds
    the standard accuracy 1 - delta; :func:`robust_accuracy_upper_bound` is the tight
    version.

    Parameters
    ----------
    delta : array_like in [0, 1]
        One minus the standard accuracy.
    p_robust : float or array_like in (1/2, 1)

    Returns
    -------
    ndarray, the broadcast shape

    Raises
    ------
    ValueError
        If delta has NaN or values outside [0, 1], or p_robust is outside (1/2, 1).

    Examples
    --------
    >>> np.round(printed_tradeoff_bound([0.1, 0.5]), 6).tolist()  # 7/3 delta; loose at 0.5 (above 1 - delta)
    [0.233333, 1.166667]
    >>> np.round(robust_accuracy_upper_bound([0.9, 0.5]), 6).tolist()  # the tight version
    [0.233333, 0.5]
    """
    delta = nonnegative(delta, "delta")
    if (delta > 1).any():
        raise ValueError(f"delta must lie in [0, 1], got {delta[delta > 1].ravel()[0].item()!r}")
    p = _check_p_robust(p_robust)
    delta, p = broadcast(delta=delta, p_robust=p)
    return p / (1.0 - p) * delta


def symmetric_linear_accuracy(w1, v, d: int, eta, p_robust=DEFAULT_P_ROBUST, eps=0.0, *,
                              norm=None) -> np.ndarray:
    """Accuracy of sign(w.x) for w = (w1, v/sqrt(d), ..., v/sqrt(d)), without forming w.

    Source: tsipras2019 appendix C (the parametrisation of Lemma C.1); the same
    quantity as :func:`linear_accuracy` with b = 0, for any d (even 1e12), from
    ``S = sqrt(d) v``, ``||w_{2..}||_2 = |v|`` and ``||w||_1 = |w1| + sqrt(d) |v|``.

    Parameters
    ----------
    w1, v : array_like, broadcasting together (and with eta, p_robust, eps)
    d : int >= 1
    eta : float or array_like > 0
    p_robust : float or array_like in (1/2, 1)
    eps : float or array_like >= 0, or a ThreatModel with norm inf (the l-inf radius)
    norm : None or inf (keyword-only)

    Returns
    -------
    ndarray, the broadcast shape

    Raises
    ------
    ValueError
        On NaN/inf, invalid d, eta <= 0, p_robust outside (1/2, 1), eps < 0, a norm other
        than inf, or shapes that do not broadcast.

    Examples
    --------
    >>> float(symmetric_linear_accuracy(1.0, 0.0, 4, 0.5))  # sign(x1): p_robust
    0.7
    >>> a = symmetric_linear_accuracy(0.3, 1.0, 4, 0.5, eps=0.2)  # w = (0.3, 1/2, 1/2, 1/2, 1/2)
    >>> bool(np.isclose(a, linear_accuracy([0.3, 0.5, 0.5, 0.5, 0.5], 0.0, 0.5, eps=0.2)))
    True
    """
    w1 = as_array(w1, "w1")
    v = as_array(v, "v")
    d = _check_d(d)
    eta = _check_eta(eta)
    p = _check_p_robust(p_robust)
    eps = _linf(eps, norm)
    w1, v, eta, p, eps = broadcast(w1=w1, v=v, eta=eta, p_robust=p, eps=eps)
    root_d = np.sqrt(float(d))
    wv, _ = _scale_linear(np.stack([w1, v], axis=-1), np.zeros(w1.shape), np.maximum(eta, eps), root_d)
    w1, v = wv[..., 0], wv[..., 1]
    sd = np.abs(v)
    shift = eps * (np.abs(w1) + root_d * sd)
    acc = np.zeros(w1.shape)
    for s, prob in ((1.0, p), (-1.0, 1.0 - p)):
        m = w1 * s + eta * root_d * v - shift
        acc = acc + prob * (_phi_ratio(m, sd, strict=True) + _phi_ratio(m, sd, strict=False))
    return 0.5 * acc


def linear_tradeoff_pairs(d: int, eta: float, eps=None, p_robust=DEFAULT_P_ROBUST, n_angles: int = 4001, *,
                          norm=None):
    """Exact (standard, robust) accuracies of the unbiased linear classifiers (w1, v/sqrt(d) 1).

    Source: tsipras2019 Theorem 2.1 (the frontier it bounds) and appendix C (the
    symmetric parametrisation of Lemma C.1).

    The angle ``t`` runs over ``[-pi, pi)`` with ``w1 = cos t`` and ``v = sin t``. Their
    upper envelope is a lower estimate of the best achievable tradeoff; it approaches
    :func:`robust_accuracy_upper_bound` as eta sqrt(d) -> inf with eta -> 0.

    Parameters
    ----------
    d : int >= 1
    eta : float > 0
    eps : float >= 0 or a ThreatModel with norm inf, optional
        The adversary's l-inf radius; defaults to 2 eta.
    p_robust : float in (1/2, 1)
    n_angles : int >= 2
    norm : None or inf (keyword-only)

    Returns
    -------
    standard, robust : ndarrays, shape (n_angles,)

    Raises
    ------
    ValueError
        On invalid d, eta, eps, p_robust, norm or n_angles.

    Examples
    --------
    >>> standard, robust = linear_tradeoff_pairs(100, 0.3, n_angles=8)  # angles -pi, -3pi/4, ..., 3pi/4
    >>> standard.shape, float(standard[4]), float(robust[4])  # t = 0: sign(x1), robust to eps = 2 eta < 1
    ((8,), 0.7, 0.7)
    >>> bool(np.all(robust <= robust_accuracy_upper_bound(standard) + 1e-12))  # Theorem 2.1
    True
    """
    d = _check_d(d)
    eta = float(_check_eta(eta))
    eps = float(_linf(2.0 * eta if eps is None else eps, norm))
    n_angles = check_size(positive_int(n_angles, "n_angles", minimum=2), "n_angles", factor=16)
    t = np.linspace(-np.pi, np.pi, n_angles, endpoint=False)
    w1, v = np.cos(t), np.sin(t)
    return (symmetric_linear_accuracy(w1, v, d, eta, p_robust),
            symmetric_linear_accuracy(w1, v, d, eta, p_robust, eps))


# ---------------------------------------------------------------------------------------------
# Population hinge loss and the population SVM (Theorem 2.2)
# ---------------------------------------------------------------------------------------------


def hinge_expectation(c, sd) -> np.ndarray:
    """E[max(0, c - sd * Z)] for Z standard normal: c Phi(c/sd) + sd phi(c/sd), max(0, c) at sd = 0.

    Source: a direct integration (derived symbolically in tests/test_tradeoff.py); it is
    the per-x1-sign term of the population hinge loss in tsipras2019 appendix C.

    Parameters
    ----------
    c : array_like
    sd : array_like >= 0, broadcasting against c

    Returns
    -------
    ndarray, the broadcast shape (absolute accuracy about 1e-16 * (|c| + sd))

    Raises
    ------
    ValueError
        On NaN/inf or negative sd.

    Examples
    --------
    >>> hinge_expectation([-1.0, 2.0], 0.0).tolist()  # sd = 0: max(0, c)
    [0.0, 2.0]
    >>> bool(np.isclose(hinge_expectation(0.0, 1.0), 1 / np.sqrt(2 * np.pi)))  # E max(0, -Z) = phi(0)
    True
    """
    c = as_array(c, "c")
    sd = nonnegative(sd, "sd")
    c, sd = broadcast(c=c, sd=sd)
    return _hinge_expectation(c, sd)


def _hinge_expectation(c, sd):
    pos = sd > 0
    safe = np.where(pos, sd, 1.0)
    t = np.clip(c / safe, -_RATIO_CLIP, _RATIO_CLIP)
    smooth = c * normal_cdf(t) + safe * normal_pdf(t)
    return np.where(pos, smooth, np.maximum(c, 0.0))


def population_hinge_loss(w, eta, eps=0.0, p_robust=DEFAULT_P_ROBUST, *, norm=None) -> np.ndarray:
    """Exact population (adversarial) hinge loss E[max(0, 1 - y w.x + eps ||w||_1)].

    Source: tsipras2019 appendix C, the margin term of eq. (5) and of its adversarial
    variant (the inner maximum over ||delta||_inf <= eps is the eps ||w||_1 term).

    Given s = y x1, ``y w.x = w1 s + eta S + sd Z`` with ``S = sum_{i>=2} w_i`` and
    ``sd = ||w_{2..}||_2``, so the loss is ``sum_s P(s) E[max(0, c_s - sd Z)]`` with
    ``c_s = 1 - w1 s - eta S + eps ||w||_1`` (see :func:`hinge_expectation`).

    Parameters
    ----------
    w : array_like, shape (..., d + 1)
    eta : float or array_like > 0, broadcasting against the batch shape w.shape[:-1]
    eps : float or array_like >= 0, broadcasting likewise, or a ThreatModel with norm inf
    p_robust : float or array_like in (1/2, 1), broadcasting likewise
    norm : None or inf (keyword-only; the adversary is l-inf)

    Returns
    -------
    ndarray, shape broadcast(w.shape[:-1], eta, eps, p_robust)

    Raises
    ------
    ValueError
        On NaN/inf, fewer than 2 coordinates, eta <= 0, eps < 0, a norm other than inf,
        p_robust outside (1/2, 1), or shapes that do not broadcast.

    Examples
    --------
    w = e1: the margin y w.x = y x1 is 1 w.p. p and -1 w.p. 1 - p, so the loss is (1 - p) 2 (+ eps ||w||_1 = eps):

    >>> round(float(population_hinge_loss([1.0, 0.0, 0.0], 0.5)), 12), round(float(population_hinge_loss(
    ...     [1.0, 0.0, 0.0], 0.5, eps=0.1)), 12)
    (0.6, 0.7)
    """
    w = as_vector(w, "w")
    if w.shape[-1] < 2:
        raise ValueError(
            f"w must have d + 1 >= 2 coordinates along the last axis, got shape {w.shape}")
    eta = _check_eta(eta)
    eps = _linf(eps, norm)
    p = _check_p_robust(p_robust)
    try:
        shape = np.broadcast_shapes(w.shape[:-1], eta.shape, eps.shape, p.shape)
    except ValueError as exc:
        raise ValueError(
            f"shapes do not broadcast: w {w.shape} (batch {w.shape[:-1]}), eta {eta.shape}, "
            f"eps {eps.shape}, p_robust {p.shape}") from exc
    rest = w[..., 1:]
    sd = np.broadcast_to(lp_norm(rest, 2), shape)
    base = 1.0 - eta * rest.sum(axis=-1) + eps * lp_norm(w, 1)
    w1 = w[..., 0]
    return p * _hinge_expectation(base - w1, sd) + (1.0 - p) * _hinge_expectation(base + w1, sd)


def _reduced_loss(w1, v, k, eta, eps, p):
    """Population hinge loss of w = (w1, v/sqrt(k) on k of x2..x_{d+1}, zeros elsewhere)."""
    root_k = np.sqrt(float(k))
    base = 1.0 - v * eta * root_k + eps * (np.abs(w1) + root_k * np.abs(v))
    sd = np.abs(v)
    return p * _hinge_expectation(base - w1, sd) + (1.0 - p) * _hinge_expectation(base + w1, sd)


def _minimize_on_circle(k, eta, eps, p, n_grid=2001):
    """Global minimiser (loss, w1, v) of the k-coordinate reduced loss on w1^2 + v^2 = 1.

    The loss is smooth inside each quadrant; its kinks lie on the axes (|w1|, |v| and the
    sd = 0 switch). Each quadrant is gridded; every grid-local minimum, and the grid cell
    next to each axis, is refined by a (vectorised) golden-section search; the four axis
    points are candidates in their own right, evaluated at their exact coordinates so that
    a minimum on an axis has exact zeros. An interior candidate must beat the best axis
    point by a relative 1e-14 to be chosen.
    """

    def loss_t(t):
        return _reduced_loss(np.cos(t), np.sin(t), k, eta, eps, p)

    axes = [(1.0, 0.0), (0.0, 1.0), (-1.0, 0.0), (0.0, -1.0)]
    axis_best = min((float(_reduced_loss(a, b, k, eta, eps, p)), a, b) for a, b in axes)
    lo, hi = [], []
    for quadrant in range(4):
        t = np.linspace(quadrant * np.pi / 2, (quadrant + 1) * np.pi / 2, n_grid)
        vals = loss_t(t)
        interior = np.flatnonzero((vals[1:-1] <= vals[:-2]) & (vals[1:-1] <= vals[2:])) + 1
        idx = np.unique(np.concatenate([interior, [1, n_grid - 2]]))
        lo.append(t[idx - 1])
        hi.append(t[idx + 1])
    ts, _ = golden_section(loss_t, np.concatenate(lo), np.concatenate(hi), iters=56)
    vals = loss_t(ts)
    i = int(np.argmin(vals))
    if vals[i] < axis_best[0] - _KINK_PREFERENCE * max(1.0, abs(axis_best[0])):
        return float(vals[i]), float(np.cos(ts[i])), float(np.sin(ts[i]))
    return axis_best


def _unit_norm_optimum(d, eta, eps, p):
    """(loss, w1, v, k): the minimiser on the unit sphere; its non-robust weight is on k coords.

    For fixed w1 and sd = ||w_{2..}||_2 the loss depends on w_{2..} only through
    ``S = sum w_i`` (the larger the better) and ``eps ||w_{2..}||_1``; with w_{2..} >= 0,
    S = ||w_{2..}||_1 =: L and the hinge argument carries ``(eps - eta) L`` with L in
    [sd, sqrt(d) sd]. So the optimum spreads the weight equally over all d coordinates
    (L = sqrt(d) sd, Lemma C.1) when eps < eta and puts it on one coordinate
    (L = sd) when eps > eta; both are computed and the better kept (ties: spread).
    """
    loss, w1, v = _minimize_on_circle(d, eta, eps, p)
    k = d
    if d > 1 and eps > eta:
        loss1, w11, v1 = _minimize_on_circle(1, eta, eps, p)
        if loss1 < loss - _KINK_PREFERENCE * max(1.0, abs(loss)):
            loss, w1, v, k = loss1, w11, v1, 1
    return loss, w1, v, (0 if v == 0.0 else k)


@dataclass(frozen=True, eq=False)
class PopulationSVM:
    """The unit-norm minimiser of the population (adversarial) hinge loss and its accuracies.

    Attributes
    ----------
    w : ndarray, shape (d + 1,)
        The weights: ``w1`` on x1 and ``v/sqrt(k)`` on the first k of x2..x_{d+1}
        (zeros elsewhere), with ``w1^2 + v^2 = 1``.
    w1, v : float
        The weight on the robust feature and the l2 norm (with sign) of the others.
    support : int
        k, the number of nonzero weights on x2..x_{d+1}: d (the symmetric solution of
        Lemma C.1), 1 (the sparse one, optimal when eps > eta) or 0 (v = 0).
    loss : float
        The minimal population hinge loss (with the eps ||w||_1 term when eps > 0).
    standard_accuracy, adversarial_accuracy : float
        Exact accuracies of sign(w.x) (b = 0); the latter against l-inf radius eval_eps.
    d, eta, eps, p_robust, eval_eps : the parameters (eps and eval_eps: l-inf radii).

    Examples
    --------
    Standard training (Theorem 2.2's first part): the SVM spreads its weight over the non-robust features, is accurate,
    and fails against an l-inf adversary of radius 2 eta:

    >>> svm = population_svm(1000, 4 / np.sqrt(1000))
    >>> isinstance(svm, PopulationSVM), svm.support, svm.uses_nonrobust_features
    (True, 1000, True)
    >>> svm.standard_accuracy > 0.99, svm.adversarial_accuracy < 0.01
    (True, True)
    """

    w: np.ndarray
    w1: float
    v: float
    support: int
    loss: float
    standard_accuracy: float
    adversarial_accuracy: float
    d: int
    eta: float
    eps: float
    p_robust: float
    eval_eps: float

    @property
    def uses_nonrobust_features(self) -> bool:
        """Whether any weight on x2, ..., x_{d+1} is nonzero."""
        return self.support > 0


def population_svm(d: int, eta: float, eps=0.0, p_robust: float = DEFAULT_P_ROBUST,
                   eval_eps=None, *, norm=None) -> PopulationSVM:
    """The soft-margin SVM of unit l2 norm that minimises the population (adversarial) hinge loss.

    Source: tsipras2019 Theorem 2.2 and appendix C (eq. (5) with lambda tuned so that
    ||w*||_2 = 1, Lemma C.1's symmetry, Lemma C.5's adversarial variant).

    Minimises ``E[max(0, 1 - y w.x + eps ||w||_1)]`` over ``||w||_2 = 1``. For fixed w1
    and ``||w_{2..}||_2`` the loss depends on w_{2..} only through its sum S and
    ``eps ||w_{2..}||_1``, so the minimiser spreads its non-robust weight equally over
    x2..x_{d+1} when eps <= eta (Lemma C.1's symmetry; then ``y w.x = w1 s + v (eta
    sqrt(d) + Z)``) and puts it on a single coordinate when eps > eta (the l1 term
    favours sparsity; Lemma C.1's averaging argument needs the regulariser, not the
    sphere). Each of the two one-dimensional problems over the angle ``w1 = cos t,
    v = sin t`` is solved globally (dense grid per quadrant, golden-section refinement,
    the axis points as exact candidates, so a zero weight is exactly zero).

    Note: this is the unit-sphere-constrained problem (the "SVM of unit weight norm" of
    Theorem 2.2). It coincides with the lambda-regularised eq. (5) only when some
    lambda >= 0 gives a unit-norm solution; for eps >= max(2p - 1, eta) (p = p_robust)
    none does (the regularised minimiser is w = 0).

    Parameters
    ----------
    d : int >= 1
    eta : float > 0
    eps : float >= 0, or a ThreatModel with norm inf
        The training l-inf radius (0: standard training).
    p_robust : float in (1/2, 1)
    eval_eps : float >= 0 or a ThreatModel with norm inf, optional
        Radius for ``adversarial_accuracy``; defaults to ``eps`` if eps > 0, else 2 eta
        (the radius of Theorem 2.2).
    norm : None or inf (keyword-only; both radii are l-inf)

    Returns
    -------
    PopulationSVM

    Raises
    ------
    ValueError
        On invalid d, eta, eps, p_robust, eval_eps, or a norm other than inf.

    Examples
    --------
    >>> population_svm(1000, 4 / np.sqrt(1000), 8 / np.sqrt(1000)).support  # Theorem 2.2: sign(x1)
    0
    """
    d = check_size(d, "d")  # the weights w have d + 1 entries
    eta = float(_check_eta(eta))
    eps = float(_linf(eps, norm))
    p = float(_check_p_robust(p_robust))
    if eval_eps is None:
        eval_eps = eps if eps > 0 else 2.0 * eta
    eval_eps = float(_linf(eval_eps, norm, "eval_eps"))
    loss, w1, v, k = _unit_norm_optimum(d, eta, eps, p)
    w = np.zeros(d + 1)
    w[0] = w1
    if k:
        w[1:k + 1] = v / np.sqrt(k)
    w.flags.writeable = False
    return PopulationSVM(
        w=w, w1=w1, v=v, support=k, loss=loss,
        standard_accuracy=float(linear_accuracy(w, 0.0, eta, p)),
        adversarial_accuracy=float(linear_accuracy(w, 0.0, eta, p, eval_eps)),
        d=d, eta=eta, eps=eps, p_robust=p, eval_eps=eval_eps,
    )


_ZW_RTOL = 1e-9
"""Relative width at which :func:`zero_weight_threshold`'s bisection stops (huge thresholds)."""


def zero_weight_threshold(d: int, eta: float, p_robust: float = DEFAULT_P_ROBUST, eps_max=1.0,
                          xtol: float = 1e-9, n_scan: int = 48, *, norm=None) -> float:
    """The smallest training eps from which on (up to eps_max) the SVM ignores x2..x_{d+1}.

    Source: tsipras2019 Lemma C.5 (printed for eps >= 2 eta; the per-coordinate mean of
    the hinge argument is |w_i| (eps - eta), so eta is the natural threshold).

    Returns the smallest eps* such that the unit-norm population SVM of
    :func:`population_svm` has v = 0 for every training eps in [eps*, eps_max] on a scan
    of ``n_scan`` points, the last switch from v != 0 to v = 0 being located by
    bisection. For eta <= 2p - 1 (p = p_robust) the answer is exactly eta (see the claim
    ``tsipras2019.lemmaC5``); for larger eta it exceeds eta, and the sparse solution
    (all non-robust weight on one coordinate) can win again at larger eps. The predicate
    need not be monotone: for small eta sqrt(d) even eps = 0 gives v = 0 (the hinge is
    kinked at w = e1, where the margin of x1 = y is exactly 1).

    Parameters
    ----------
    d : int >= 1
    eta : float > 0
    p_robust : float in (1/2, 1)
    eps_max : float > 0, or a ThreatModel with norm inf
        The top of the range of l-inf training radii; 1 by default, the largest radius at
        which the adversary cannot flip x1.
    xtol : float > 0
        Width of the final bracket; at large eps the bracket stops at a relative width of 1e-9
        (``max(xtol, 1e-9 * eps*)``), and never below one float spacing.
    n_scan : int >= 2
        Scan points on [0, eps_max].
    norm : None or inf (keyword-only)

    Returns
    -------
    float
        The upper end of the final bracket; 0.0 if every scanned eps gives v = 0, and
        ``inf`` if v != 0 at eps_max.

    Raises
    ------
    ValueError
        On invalid parameters.

    Examples
    --------
    For eta <= 2p - 1 = 0.4 the threshold is eta itself (claim ``tsipras2019.lemmaC5``); a coarse scan for speed:

    >>> round(zero_weight_threshold(100, 0.3, eps_max=0.5, n_scan=3, xtol=1e-3), 2)
    0.3
    """
    d = _check_d(d)
    eta = float(_check_eta(eta))
    p = float(_check_p_robust(p_robust))
    eps_max = float(positive(_linf(eps_max, norm, "eps_max"), "eps_max"))
    xtol = float(positive(xtol, "xtol"))
    n_scan = check_size(positive_int(n_scan, "n_scan", minimum=2), "n_scan")

    def zeroed(e):
        return _unit_norm_optimum(d, eta, e, p)[3] == 0

    grid = np.linspace(0.0, eps_max, n_scan)
    nonzero = [i for i, e in enumerate(grid) if not zeroed(e)]
    if not nonzero:
        return 0.0
    if nonzero[-1] == n_scan - 1:
        return np.inf
    lo, hi = float(grid[nonzero[-1]]), float(grid[nonzero[-1] + 1])
    while hi - lo > max(xtol, _ZW_RTOL * hi):
        if lo > 0 and hi > 4.0 * lo:  # a bracket over orders of magnitude (huge eps_max): geometric steps
            mid = math.sqrt(lo) * math.sqrt(hi)
        elif lo == 0 and hi > 2.0**64 * xtol:
            mid = math.sqrt(xtol) * math.sqrt(hi)
        else:
            mid = 0.5 * (lo + hi)
        if not lo < mid < hi:  # xtol below the float spacing at hi: the bracket cannot shrink further
            break
        if zeroed(mid):
            hi = mid
        else:
            lo = mid
    return float(hi)
