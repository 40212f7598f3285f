"""Samplers and Monte Carlo estimators that return an estimate with a confidence interval.

Randomness comes in as a ``numpy.random.Generator`` or a seed; nothing here touches
global random state. Intervals are exact (Clopper-Pearson) for proportions and
normal-approximation (CLT) intervals for means of bounded or light-tailed variables.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

from theory._validate import as_array, as_vector, in_open_interval, positive, positive_int

__all__ = [
    "Estimate",
    "as_generator",
    "proportion",
    "mean",
    "sample_gaussian_mixture",
    "estimate_probability",
]


@dataclass(frozen=True)
class Estimate:
    """A Monte Carlo estimate with a two-sided confidence interval [low, high]."""

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
    """A numpy Generator from a Generator, an int seed, or None (fresh entropy)."""
    if isinstance(rng, np.random.Generator):
        return rng
    if rng is None or isinstance(rng, int | np.integer):
        return np.random.default_rng(rng)
    raise ValueError(f"rng must be a numpy Generator, an int seed or None, got {rng!r}")


def proportion(successes: int, n: int, confidence: float = 0.999) -> Estimate:
    """The fraction successes/n with its exact Clopper-Pearson interval."""
    n = positive_int(n, "n")
    if isinstance(successes, bool) or not float(successes).is_integer():
        raise ValueError(f"successes must be an integer count, got {successes!r}")
    k = int(successes)
    if not 0 <= k <= n:
        raise ValueError(f"successes must lie in [0, n={n}], got {successes!r}")
    confidence = float(in_open_interval(confidence, "confidence", 0.0, 1.0))
    alpha = 1.0 - confidence
    low = 0.0 if k == 0 else stats.beta.ppf(alpha / 2, k, n - k + 1)
    high = 1.0 if k == n else stats.beta.ppf(1 - alpha / 2, k + 1, n - k)
    return Estimate(k / n, float(low), float(high), n, confidence)


def mean(samples, confidence: float = 0.999) -> Estimate:
    """The sample mean with a CLT interval (z-quantile times the standard error)."""
    x = as_array(samples, "samples").ravel()
    n = positive_int(x.size, "number of samples", minimum=2)
    confidence = float(in_open_interval(confidence, "confidence", 0.0, 1.0))
    z = stats.norm.ppf(0.5 + confidence / 2)
    m = float(x.mean())
    se = float(x.std(ddof=1) / np.sqrt(n))
    return Estimate(m, m - z * se, m + z * se, n, confidence)


def sample_gaussian_mixture(theta, n: int, rng=None, sigma: float = 1.0, mu_neg=None):
    """Draw n points of the mixture y = +-1 w.p. 1/2, x | y ~ N(mu_y, sigma^2 I).

    Source: suggala2019 section 5 (mu_+ = theta, mu_- = -theta); shaeiri2020
    Definition 6 (any two means, pass ``mu_neg``).

    Parameters
    ----------
    theta : array_like, shape (d,)
        The mean of the class y = +1.
    n : int
    rng : numpy Generator or seed
    sigma : float > 0
    mu_neg : array_like, shape (d,), optional
        The mean of the class y = -1; defaults to -theta.

    Returns
    -------
    x : ndarray, shape (n, d)
    y : ndarray of +-1, shape (n,)
    """
    theta = as_vector(theta, "theta")
    if theta.ndim != 1:
        raise ValueError(f"theta must be a single vector of shape (d,), got shape {theta.shape}")
    mu_neg = -theta if mu_neg is None else as_vector(mu_neg, "mu_neg")
    if mu_neg.shape != theta.shape:
        raise ValueError(f"mu_neg must have shape {theta.shape}, got {mu_neg.shape}")
    sigma = float(positive(sigma, "sigma"))
    n = positive_int(n, "n")
    g = as_generator(rng)
    y = np.where(g.random(n) < 0.5, 1.0, -1.0)
    mu = np.where(y[:, None] > 0, theta, mu_neg)
    x = mu + sigma * g.standard_normal((n, theta.size))
    return x, y


def estimate_probability(event, sampler, n: int, rng=None, batch: int = 200_000,
                         confidence: float = 0.999) -> Estimate:
    """Estimate P(event) by drawing n samples in batches.

    ``sampler(m, rng)`` returns a tuple of arrays with m rows; ``event(*arrays)``
    returns a boolean array of length m.
    """
    n = positive_int(n, "n")
    batch = positive_int(batch, "batch")
    g = as_generator(rng)
    hits = 0
    done = 0
    while done < n:
        m = min(batch, n - done)
        hits += int(np.count_nonzero(event(*sampler(m, g))))
        done += m
    return proportion(hits, n, confidence)
