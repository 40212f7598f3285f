"""The distributions of the theory behind one protocol, so that claims and experiments name them alike.

Every distribution here has

- ``dim``: the input dimension (the one attribute name for it);
- ``sample(n, rng) -> (x, y)``: ``x`` float64 of shape ``(n, dim)``, ``y`` float64 labels +-1 of
  shape ``(n,)``; ``rng`` a numpy Generator or an int seed (nothing touches global random state);

and, where the theory knows them,

- ``bayes_classifier(x) -> +-1`` (float64, shape ``x.shape[:-1]``);
- ``bayes_error() -> float``.

=============================  ===============================================  =========================
distribution                   source                                           class
=============================  ===============================================  =========================
Gaussian mixture               suggala2019 section 5; shaeiri2020 Definition 6  :class:`GaussianMixture`
Tsipras et al.                 tsipras2019 eq. (3)                              :class:`TsiprasDistribution`
multi-dimensional Bernoulli    shaeiri2020 Definition 7                         :class:`BernoulliModel`
2-D uniform squares            suggala2019 section 6                            :class:`UniformSquares`
1-D interval distributions     zhang2019 section 2.4, appendix B.2              :class:`IntervalDistribution`
=============================  ===============================================  =========================

:class:`TsiprasDistribution` and :class:`BernoulliModel` live in :mod:`theory.tradeoff` and
:mod:`theory.bernoulli` beside their closed forms and are re-exported here.

Examples
--------
>>> import numpy as np
>>> from theory.distributions import GaussianMixture, Distribution
>>> D = GaussianMixture([1.0, 0.5])
>>> x, y = D.sample(4, rng=0)
>>> x.shape, sorted(set(y.tolist()))
((4, 2), [-1.0, 1.0])
>>> isinstance(D, Distribution)
True
>>> round(D.bayes_error(), 6)   # Phi(-||theta||_2 / sigma)
0.131776
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

import numpy as np

from theory._validate import as_array, as_vector, positive, positive_int, probability
from theory.bernoulli import BernoulliModel
from theory.montecarlo import as_generator
from theory.tradeoff import TsiprasDistribution

__all__ = [
    "Distribution",
    "GaussianMixture",
    "TsiprasDistribution",
    "BernoulliModel",
    "UniformSquares",
    "IntervalDistribution",
    "predict",
]


def predict(scores) -> np.ndarray:
    """Labels from scores with the package's convention sign(0) = -1: +1 iff the score is > 0.

    Examples
    --------
    >>> predict([2.0, 0.0, -1.0])
    array([ 1., -1., -1.])
    """
    return np.where(as_array(scores, "scores", allow_inf=True) > 0, 1.0, -1.0)


@runtime_checkable
class Distribution(Protocol):
    """What every distribution of the theory provides (see the module docstring).

    Examples
    --------
    >>> isinstance(UniformSquares(), Distribution), isinstance(object(), Distribution)  # dim and sample
    (True, False)
    """

    @property
    def dim(self) -> int: ...

    def sample(self, n: int, rng=None) -> tuple[np.ndarray, np.ndarray]: ...


def _points(x, dim: int) -> np.ndarray:
    x = as_vector(x, "x")
    if x.shape[-1] != dim:
        raise ValueError(f"x must have last axis of length dim={dim}, got shape {x.shape}")
    return x


class GaussianMixture:
    """y = +-1 with probability 1/2 each, x | y ~ N(mu_y, sigma^2 I).

    Source: suggala2019 section 5 (mu_+ = theta, mu_- = -theta, the default);
    shaeiri2020 Definition 6 (any two means: pass ``mu_neg``).

    Parameters
    ----------
    mu_pos : array_like, shape (d,)
        The mean of class +1 (suggala2019's theta).
    mu_neg : array_like, shape (d,), optional
        The mean of class -1; defaults to ``-mu_pos``.
    sigma : float > 0

    Attributes
    ----------
    theta : ndarray, (mu_pos - mu_neg) / 2, the direction of the Bayes rule; for the symmetric
        mixture it is mu_pos, the ``theta`` of :mod:`theory.gaussian`.

    Examples
    --------
    Two means (shaeiri2020 Definition 6): the Bayes rule splits at the midpoint, its error is Phi(-||theta||_2 / sigma):

    >>> import math
    >>> D = GaussianMixture([2.0, 0.0], [0.0, 0.0])
    >>> D.theta.tolist(), D.center.tolist(), D.symmetric
    ([1.0, 0.0], [1.0, 0.0], False)
    >>> D.bayes_classifier([[1.5, 0.0], [0.5, 0.0]]).tolist()
    [1.0, -1.0]
    >>> bool(np.isclose(D.bayes_error(), 0.5 * math.erfc(1 / math.sqrt(2))))  # Phi(-1)
    True
    >>> x, y = D.sample(2000, rng=0)
    >>> bool(abs(np.mean(D.bayes_classifier(x) != y) - D.bayes_error()) < 0.03)  # Monte Carlo agrees
    True
    """

    def __init__(self, mu_pos, mu_neg=None, sigma: float = 1.0):
        mu_pos = as_vector(mu_pos, "mu_pos")
        if mu_pos.ndim != 1:
            raise ValueError(f"mu_pos must have shape (d,), got shape {mu_pos.shape}")
        mu_neg = -mu_pos if mu_neg is None else as_vector(mu_neg, "mu_neg")
        if mu_neg.shape != mu_pos.shape:
            raise ValueError(f"mu_neg must have shape {mu_pos.shape}, got shape {mu_neg.shape}")
        self.mu_pos, self.mu_neg = mu_pos, mu_neg
        self.sigma = float(positive(sigma, "sigma"))
        self.theta = 0.5 * (mu_pos - mu_neg)
        self.center = 0.5 * (mu_pos + mu_neg)

    def __repr__(self) -> str:
        return f"GaussianMixture(mu_pos={self.mu_pos!r}, mu_neg={self.mu_neg!r}, sigma={self.sigma!r})"

    @property
    def dim(self) -> int:
        return int(self.mu_pos.size)

    @property
    def symmetric(self) -> bool:
        """Whether mu_neg = -mu_pos (the setting of :mod:`theory.gaussian`'s risks)."""
        return bool(np.array_equal(self.mu_neg, -self.mu_pos))

    def sample(self, n: int, rng=None) -> tuple[np.ndarray, np.ndarray]:
        """Draw n labelled points: x of shape (n, d), y of +-1.0, shape (n,)."""
        n = positive_int(n, "n")
        g = as_generator(rng)
        y = np.where(g.random(n) < 0.5, 1.0, -1.0)
        mu = np.where(y[:, None] > 0, self.mu_pos, self.mu_neg)
        return mu + self.sigma * g.standard_normal((n, self.dim)), y

    def bayes_classifier(self, x) -> np.ndarray:
        """sign(theta.(x - center)), the likelihood-ratio rule (equal priors), sign(0) = -1."""
        x = _points(x, self.dim)
        return predict((x - self.center) @ self.theta)

    def bayes_error(self) -> float:
        """Phi(-||theta||_2 / sigma) (suggala2019 section 5; shaeiri2020 Theorem 2 at eps = 0)."""
        from theory.gaussian import bayes_risk

        return float(bayes_risk(self.theta, self.sigma))


class UniformSquares:
    """suggala2019 section 6's two squares: y = +1 w.p. ``p_pos``, x | y uniform on a square.

    The square of class y has side ``side`` and centre (y * center, 0). The paper's example is
    ``p_pos = 3/4, center = 1.2, side = 2`` (the defaults): the squares are 0.4 apart. Its risks
    in closed form are :func:`theory.regularization.uniform_squares_risks`.

    Source: suggala2019 section 6, discussion after Theorem 6.

    Examples
    --------
    >>> UniformSquares().bayes_error()  # the paper's squares are 0.4 apart
    0.0
    >>> D = UniformSquares(center=0.5)  # overlap [-0.5, 0.5]: given to the likelier class +1
    >>> D.bayes_error(), D.bayes_classifier([[-0.4, 0.0], [-0.6, 0.0]]).tolist()  # (1/4) (1 / 2)
    (0.125, [1.0, -1.0])
    """

    def __init__(self, p_pos: float = 0.75, center: float = 1.2, side: float = 2.0):
        self.p_pos = float(probability(p_pos, "p_pos", open_interval=True))
        self.center = float(positive(center, "center"))
        self.side = float(positive(side, "side"))

    def __repr__(self) -> str:
        return f"UniformSquares(p_pos={self.p_pos!r}, center={self.center!r}, side={self.side!r})"

    @property
    def dim(self) -> int:
        return 2

    def sample(self, n: int, rng=None) -> tuple[np.ndarray, np.ndarray]:
        """Draw n labelled points: x of shape (n, 2), y of +-1.0."""
        n = positive_int(n, "n")
        g = as_generator(rng)
        y = np.where(g.random(n) < self.p_pos, 1.0, -1.0)
        x = (g.random((n, 2)) - 0.5) * self.side
        x[:, 0] += y * self.center
        return x, y

    def _threshold(self) -> float:
        """The Bayes rule is +1 iff x1 > threshold (the overlap, if any, goes to the likelier class)."""
        h = 0.5 * self.side
        if self.center >= h:  # disjoint squares: any threshold in the gap; take its middle
            return 0.0
        # overlap [center - h, h - center]: the class with the larger prior takes it
        return self.center - h if self.p_pos > 0.5 else h - self.center

    def bayes_classifier(self, x) -> np.ndarray:
        """+1 iff x1 > threshold (sign(0) = -1 on the threshold itself, a null set)."""
        x = _points(x, 2)
        return predict(x[..., 0] - self._threshold())

    def bayes_error(self) -> float:
        """min(p_pos, 1 - p_pos) * (overlap width) / side; 0 when the squares are disjoint."""
        overlap = max(0.0, self.side - 2.0 * self.center)
        return min(self.p_pos, 1.0 - self.p_pos) * overlap / self.side


class IntervalDistribution:
    """A 1-D distribution on an interval with piecewise-constant density and posterior P(y = 1 | x).

    Source: zhang2019 section 2.4 (example (2)) and appendix B.2; the exact calculus of these
    distributions is :func:`theory.calibration.interval_risks`.

    Parameters
    ----------
    posterior : theory.calibration.PiecewiseConstant
        P(y = 1 | x) on [lo, hi] (values in [0, 1]).
    density : theory.calibration.PiecewiseConstant, optional
        An unnormalized density on the same interval; uniform when None.

    Notes
    -----
    ``sample`` returns x of shape (n, 1) (dim = 1), so that it has the protocol's shape;
    :func:`theory.calibration.sample_interval` is the sampler underneath.

    Examples
    --------
    >>> from theory.calibration import PiecewiseConstant
    >>> posterior = PiecewiseConstant([0.0, 0.5, 1.0], [0.2, 0.9])
    >>> D = IntervalDistribution(posterior, density=PiecewiseConstant([0.0, 0.5, 1.0], [3.0, 1.0]))
    >>> round(D.bayes_error(), 12)  # (3/4) 0.2 + (1/4) 0.1
    0.175
    >>> x, y = D.sample(5, rng=0)
    >>> x.shape, D.dim
    ((5, 1), 1)
    """

    def __init__(self, posterior, density=None):
        from theory.calibration import PiecewiseConstant

        if not isinstance(posterior, PiecewiseConstant):
            raise ValueError(f"posterior must be a theory.calibration.PiecewiseConstant, got {posterior!r}")
        if density is not None and not isinstance(density, PiecewiseConstant):
            raise ValueError(f"density must be a PiecewiseConstant or None, got {density!r}")
        probability(posterior.values, "posterior values")
        self.posterior, self.density = posterior, density

    def __repr__(self) -> str:
        return f"IntervalDistribution(posterior={self.posterior!r}, density={self.density!r})"

    @property
    def dim(self) -> int:
        return 1

    def sample(self, n: int, rng=None) -> tuple[np.ndarray, np.ndarray]:
        from theory.calibration import sample_interval

        x, y = sample_interval(self.posterior, n, rng, self.density)
        return x[:, None], y

    def _cells(self):
        """Common refinement of posterior and density: (breaks, posterior values, cell masses)."""
        from theory.calibration import refine

        if self.density is None:
            breaks, eta = self.posterior.breaks, self.posterior.values
            mass = np.diff(breaks)
        else:
            breaks, (eta, dens) = refine(self.posterior, self.density)
            mass = dens * np.diff(breaks)
        return breaks, eta, mass / mass.sum()

    def bayes_classifier(self, x) -> np.ndarray:
        """+1 iff posterior(x) > 1/2 (sign(0) = -1: ties at 1/2 go to -1)."""
        x = _points(x, 1)[..., 0]
        return predict(2.0 * self.posterior(x) - 1.0)

    def bayes_error(self) -> float:
        """E min(posterior(X), 1 - posterior(X)), summed exactly over the cells."""
        _, eta, mass = self._cells()
        return float(mass @ np.minimum(eta, 1.0 - eta))
