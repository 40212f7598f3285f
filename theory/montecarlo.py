"""Monte Carlo estimates with confidence intervals, and predicted-against-measured, once.

Randomness comes in as a ``numpy.random.Generator`` or a seed; nothing here touches
global random state. Intervals are exact (Clopper-Pearson) for proportions and
normal-approximation (CLT) intervals for means of bounded or light-tailed variables.

The two functions every claim, test, figure and experiment uses to confront a prediction
with a measurement:

- :func:`estimate_error` draws a sample from a distribution (see :mod:`theory.distributions`),
  optionally attacks it (see :mod:`theory.attacks`), applies a classifier and returns the error
  rate as an :class:`Estimate` with its interval;
- :func:`compare` says whether a predicted number is consistent with such an estimate:
  ``"held"``, ``"did not hold"`` or ``"inconclusive"`` (:data:`VERDICTS`).

Example
-------
>>> import numpy as np
>>> from theory.distributions import GaussianMixture
>>> from theory.gaussian import classification_risk
>>> D = GaussianMixture([1.0, 0.5])
>>> w = np.array([1.0, 1.0])
>>> est = estimate_error(D, lambda x: np.where(x @ w > 0, 1.0, -1.0), 20_000, rng=1)
>>> compare(float(classification_risk(w, D.theta)), est)
'held'
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

from theory._validate import _short, as_array, as_vector, check_size, in_open_interval, positive, positive_int

__all__ = [
    "Estimate",
    "as_generator",
    "proportion",
    "mean",
    "sample_gaussian_mixture",
    "estimate_probability",
    "estimate_error",
    "compare",
    "HELD",
    "DID_NOT_HOLD",
    "INCONCLUSIVE",
    "VERDICTS",
    "MAX_SAMPLES",
]

HELD = "held"
DID_NOT_HOLD = "did not hold"
INCONCLUSIVE = "inconclusive"
VERDICTS = (HELD, DID_NOT_HOLD, INCONCLUSIVE)
"""The verdicts of :func:`compare`: a prediction held, did not hold, or the measurement cannot tell."""

MAX_SAMPLES = 10**12
"""The largest Monte Carlo sample size accepted (beyond it a run would not finish)."""


@dataclass(frozen=True)
class Estimate:
    """A Monte Carlo estimate with a two-sided confidence interval [low, high].

    Examples
    --------
    >>> e = Estimate(0.3, 0.25, 0.35, 1000)
    >>> e.contains(0.3), e.contains(0.4), round(e.halfwidth, 3)
    (True, False, 0.05)
    """

    value: float
    low: float
    high: float
    n: int
    confidence: float = 0.999

    def contains(self, x: float, slack: float = 0.0) -> bool:
        """Whether x lies in the interval widened by ``slack`` on each side."""
        return self.low - slack <= x <= self.high + slack

    @property
    def halfwidth(self) -> float:
        return 0.5 * (self.high - self.low)

    def __str__(self) -> str:
        return f"{self.value:.6g} [{self.low:.6g}, {self.high:.6g}]"


def as_generator(rng) -> np.random.Generator:
    """A numpy Generator from a Generator, an int seed, or None (fresh entropy).

    Examples
    --------
    >>> g = as_generator(0)
    >>> bool(g.random() == np.random.default_rng(0).random()), as_generator(g) is g
    (True, True)
    """
    if isinstance(rng, np.random.Generator):
        return rng
    if rng is None or isinstance(rng, int | np.integer):
        return np.random.default_rng(rng)
    raise ValueError(f"rng must be a numpy Generator, an int seed or None, got {rng!r}")


def proportion(successes: int, n: int, confidence: float = 0.999) -> Estimate:
    """The fraction successes/n with its exact Clopper-Pearson interval.

    Examples
    --------
    >>> e = proportion(50, 100, confidence=0.95)  # Clopper-Pearson
    >>> e.value, e.contains(0.5), bool(e.low < 0.5 < e.high), proportion(0, 100).low
    (0.5, True, True, 0.0)
    """
    n = positive_int(n, "n", maximum=MAX_SAMPLES)
    k = positive_int(successes, "successes", minimum=0)  # refuses bools, non-integral and non-numbers
    if not 0 <= k <= n:
        raise ValueError(f"successes must lie in [0, n={n}], got {_short(successes)}")
    confidence = float(in_open_interval(confidence, "confidence", 0.0, 1.0))
    alpha = 1.0 - confidence
    low = 0.0 if k == 0 else stats.beta.ppf(alpha / 2, k, n - k + 1)
    high = 1.0 if k == n else stats.beta.ppf(1 - alpha / 2, k + 1, n - k)
    return Estimate(k / n, float(low), float(high), n, confidence)


def mean(samples, confidence: float = 0.999) -> Estimate:
    """The sample mean with a Student-t interval (t-quantile with n - 1 degrees of freedom times the standard error).

    Exact for normal samples of any size (a handful of seeds of an experiment), the CLT interval
    for large n (the t-quantile tends to the normal one).

    Samples of any finite magnitude are accepted: where the sum or the squares would
    overflow (entries near 1e300), the mean and standard deviation are computed from the
    samples divided by their largest magnitude and scaled back. A confidence so small that
    the quantile z rounds to 0 gives the degenerate interval [mean, mean].

    Examples
    --------
    >>> e = mean([1.0, 2.0, 3.0], confidence=0.95)
    >>> from scipy import stats
    >>> e.value, bool(np.isclose(e.high - e.value, stats.t.ppf(0.975, 2) * 1.0 / np.sqrt(3)))
    (2.0, True)
    """
    x = as_array(samples, "samples").ravel()
    n = positive_int(x.size, "number of samples", minimum=2)
    confidence = float(in_open_interval(confidence, "confidence", 0.0, 1.0))
    z = float(stats.t.ppf(0.5 + confidence / 2, df=n - 1))
    with np.errstate(over="ignore", invalid="ignore"):
        m = float(x.mean())
        sd = float(x.std(ddof=1))
    if not (np.isfinite(m) and np.isfinite(sd)):
        scale = float(np.abs(x).max())  # > 0: a zero array has a finite mean and sd
        xs = x / scale
        m = scale * float(xs.mean())  # |mean| <= scale: no overflow
        sd = scale * float(xs.std(ddof=1))  # sd <= scale sqrt(n / (n - 1)) <= 1.42 scale
    se = sd / np.sqrt(n)
    if z == 0.0 or se == 0.0:
        return Estimate(m, m, m, n, confidence)
    return Estimate(m, m - z * se, m + z * se, n, confidence)


def sample_gaussian_mixture(theta, n: int, rng=None, sigma: float = 1.0, mu_neg=None):
    """Draw n points of the mixture y = +-1 w.p. 1/2, x | y ~ N(mu_y, sigma^2 I).

    The GaussianMixture sampler: a thin wrapper of
    ``theory.distributions.GaussianMixture(theta, mu_neg, sigma).sample(n, rng)`` (the one
    sampler of the mixture), kept for one release, that first refuses a sample too large to
    allocate.

    Source: suggala2019 section 5 (mu_+ = theta, mu_- = -theta); shaeiri2020
    Definition 6 (any two means, pass ``mu_neg``).

    Returns
    -------
    x : ndarray, shape (n, d)
    y : ndarray of +-1, shape (n,)

    Raises
    ------
    ValueError
        For a bad theta, mu_neg, sigma or rng (as :class:`theory.distributions.GaussianMixture`),
        n not an integer >= 1, or n * d beyond :data:`theory._validate.MAX_ELEMENTS` entries.

    Examples
    --------
    >>> x, y = sample_gaussian_mixture([1.0, 0.0], 20_000, rng=0)
    >>> x.shape, sorted(set(y.tolist()))
    ((20000, 2), [-1.0, 1.0])
    >>> bool(abs(np.mean(y[:, None] * x, axis=0) - [1.0, 0.0]).max() < 0.05)  # E[y x] = theta
    True
    """
    from theory.distributions import GaussianMixture

    theta = as_vector(theta, "theta")
    if theta.ndim != 1:
        raise ValueError(f"theta must be a single vector of shape (d,), got shape {theta.shape}")
    mixture = GaussianMixture(theta, mu_neg, sigma)
    check_size(n, "n", factor=mixture.dim)  # the sample x has n * d entries
    return mixture.sample(n, rng)


def estimate_probability(event, sampler, n: int, rng=None, batch: int = 200_000,
                         confidence: float = 0.999) -> Estimate:
    """Estimate P(event) by drawing n samples in batches.

    ``sampler(m, rng)`` returns a tuple of arrays with m rows; ``event(*arrays)``
    returns a boolean array of length m.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> def sampler(n, g):
    ...     return g.normal(size=(n, 1)), np.ones(n)
    >>> e = estimate_probability(lambda x, y: x[:, 0] > 0, sampler, 10_000, rng)
    >>> e.contains(0.5)  # P(N(0, 1) > 0)
    True
    """
    n = positive_int(n, "n", maximum=MAX_SAMPLES)
    batch = positive_int(batch, "batch")
    g = as_generator(rng)
    hits = 0
    for m in _batches(n, batch):
        hits += int(np.count_nonzero(event(*sampler(m, g))))
    return proportion(hits, n, confidence)


def _batches(n: int, batch: int):
    done = 0
    while done < n:
        m = min(batch, n - done)
        yield m
        done += m


def estimate_error(distribution, classifier, n: int, rng=None, *, attack=None, threat=None,
                   batch: int = 200_000, confidence: float = 0.999) -> Estimate:
    """The error rate P(classifier(x') != y) of a classifier on a distribution, measured.

    Draws ``n`` points ``(x, y) = distribution.sample(m, rng)`` in batches of at most ``batch``,
    perturbs them with ``x' = attack(x, y, threat)`` when an attack is given (``x' = x``
    otherwise), and counts the errors. The result carries the exact Clopper-Pearson interval.

    Parameters
    ----------
    distribution : an object with ``sample(n, rng) -> (x, y)`` (:class:`theory.distributions.Distribution`)
    classifier : callable ``x -> labels`` (+-1, shape ``(m,)``) for ``x`` of shape ``(m, dim)``
    n : int >= 1, the sample size (at most :data:`MAX_SAMPLES`)
    rng : numpy Generator, int seed or None
    attack : callable ``(x, y, threat) -> x_adv`` (see :mod:`theory.attacks`), optional
    threat : the threat model passed to ``attack`` (a :class:`theory.threat.ThreatModel`); required
        with an attack
    batch : int >= 1, points per batch (memory is O(batch * dim))
    confidence : float in (0, 1), the level of the interval

    Returns
    -------
    Estimate of the error rate (robust error rate with an attack).

    Raises
    ------
    ValueError
        For a bad size, a ``distribution`` without a method ``sample(n, rng)`` (a number, None,
        a list, a string...), an attack without a threat model, or a classifier whose output
        does not have one label in {-1, +1} per point.

    Examples
    --------
    >>> from theory.distributions import GaussianMixture
    >>> from scipy.stats import norm
    >>> e = estimate_error(GaussianMixture([1.0]), lambda x: np.sign(x[:, 0]), 20_000, rng=0)
    >>> e.contains(float(norm.cdf(-1.0)))  # the error of sign(x) is Phi(-||theta||)
    True
    """
    n = positive_int(n, "n", maximum=MAX_SAMPLES)
    batch = positive_int(batch, "batch")
    if not callable(getattr(distribution, "sample", None)):
        raise ValueError("distribution must be an object with a method sample(n, rng) -> (x, y) "
                         f"(see theory.distributions.Distribution), got {_short(distribution)}")
    if attack is not None and threat is None:
        raise ValueError("an attack needs a threat model: pass threat=ThreatModel(norm, eps)")
    if not callable(classifier):
        raise ValueError(f"classifier must be callable x -> labels, got {classifier!r}")
    g = as_generator(rng)
    errors = 0
    for m in _batches(n, batch):
        x, y = distribution.sample(m, g)
        if attack is not None:
            x = attack(x, y, threat)
        pred = np.asarray(classifier(x), dtype=np.float64)
        if pred.shape != y.shape:
            raise ValueError(f"classifier must return one label per point, shape {y.shape}, got {pred.shape}")
        if not np.isin(pred, (-1.0, 1.0)).all():
            raise ValueError("classifier must return labels in {-1, +1}")
        errors += int(np.count_nonzero(pred != y))
    return proportion(errors, n, confidence)


def compare(predicted, estimate: Estimate, *, relation: str = "==", slack: float = 0.0,
            resolution: float | None = None) -> str:
    """Whether a predicted number is consistent with a measured estimate: the one verdict rule.

    ``relation`` says what the prediction asserts about the measured quantity m:

    - ``"=="``: m equals ``predicted``. Held when ``predicted`` lies in the interval widened by
      ``slack`` on each side; did not hold otherwise.
    - ``"<="``: m <= ``predicted`` (an upper bound). Did not hold when the whole interval lies
      above ``predicted + slack``; held otherwise.
    - ``">="``: m >= ``predicted`` (a lower bound). Did not hold when the whole interval lies
      below ``predicted - slack``; held otherwise.
    - ``">"`` / ``"<"``: m > ``predicted`` / m < ``predicted``, a direction the measurement must
      show (an experiment's "A exceeds B", measured as a difference against 0). Held only when
      the whole interval lies beyond ``predicted + slack`` (``predicted - slack``) on the
      asserted side; did not hold when it lies at or beyond the other side of ``predicted``
      (shifted by ``slack``); inconclusive when it straddles (the sample cannot tell).

    ``slack`` >= 0 covers a known deterministic error of the prediction (a quadrature
    tolerance, a discretization). ``resolution``, if given, is the interval half-width the
    test needs: a prediction that would be held by an interval wider than that is
    ``"inconclusive"`` (the sample was too small to tell), never ``"held"``. A prediction that
    is contradicted is ``"did not hold"`` whatever the width.

    Parameters
    ----------
    predicted : float (finite)
    estimate : Estimate (from :func:`estimate_error`, :func:`proportion`, :func:`mean`, or an
        experiment's measurement)
    relation : "==", "<=", ">=", ">" or "<"
    slack : float >= 0
    resolution : float > 0, optional

    Returns
    -------
    One of :data:`VERDICTS`.

    >>> e = proportion(480, 1000)
    >>> compare(0.5, e), compare(0.6, e), compare(0.4, e, relation="<=")
    ('held', 'did not hold', 'did not hold')
    >>> compare(0.5, e, resolution=0.01)
    'inconclusive'
    >>> compare(0.4, e, relation=">"), compare(0.47, e, relation=">"), compare(0.6, e, relation=">")
    ('held', 'inconclusive', 'did not hold')
    """
    predicted = float(as_array(predicted, "predicted"))
    slack = float(as_array(slack, "slack"))
    if slack < 0:
        raise ValueError(f"slack must be >= 0, got {slack!r}")
    if resolution is not None:
        resolution = float(positive(resolution, "resolution"))
    if not isinstance(estimate, Estimate):
        raise ValueError(f"estimate must be a theory.montecarlo.Estimate, got {estimate!r}")
    if relation == "==":
        consistent = estimate.low - slack <= predicted <= estimate.high + slack
    elif relation == "<=":
        consistent = estimate.low <= predicted + slack
    elif relation == ">=":
        consistent = estimate.high >= predicted - slack
    elif relation in (">", "<"):
        side = 1.0 if relation == ">" else -1.0
        near, far = (estimate.low, estimate.high) if side > 0 else (-estimate.high, -estimate.low)
        target = side * predicted
        if near > target + slack:
            return INCONCLUSIVE if resolution is not None and estimate.halfwidth > resolution else HELD
        return DID_NOT_HOLD if far <= target - slack else INCONCLUSIVE
    else:
        raise ValueError(f"relation must be '==', '<=', '>=', '>' or '<', got {relation!r}")
    if not consistent:
        return DID_NOT_HOLD
    if resolution is not None and estimate.halfwidth > resolution:
        return INCONCLUSIVE
    return HELD
