"""Gaussian mixtures beyond the symmetric equal-prior case: unequal priors, general covariance,
adversarial cross-entropy and Gaussian isoperimetry.

Three groups of closed forms, each re-derived here (derivations in docs/beyond/gaussian.md):

1. **Unequal priors and general covariance** (the setting of Dobriban, Hassani, Hong and Robey,
   "Provable tradeoffs in adversarially robust classification", arXiv:2006.05161, IEEE Trans.
   Inf. Theory 2023): y = +1 with probability ``prior`` = pi, x | y ~ N(y mu, Sigma), l2 threat
   of radius eps. :func:`robust_threshold_1d` (d = 1) and :func:`unequal_prior_robust_classifier`
   (any d, any Sigma) return the robust-error-minimizing classifier over ALL measurable
   classifiers: it is linear, w proportional to (Sigma + gamma I)^{-1} mu with an intercept that
   depends on the priors, and for eps >= ||mu||_2 the constant classifier predicting the majority
   class (error min(pi, 1 - pi)) is optimal whatever the priors and Sigma.
   :func:`linear_robust_error` is the exact robust error of any affine classifier there.
2. **Adversarial cross-entropy** (Bhagoji, Cullina, Sehwag and Mittal, "Lower bounds on
   cross-entropy loss in the presence of test-time adversaries", ICML 2021, arXiv:2104.08382):
   :func:`min_adversarial_cross_entropy` is the smallest expected worst-case cross-entropy of any
   soft classifier on N(+-mu, sigma^2 I) with equal priors, and
   :func:`robust_soft_classifier_logit` the classifier attaining it.
3. **Gaussian isoperimetry** (Gilmer et al. 2018, arXiv:1801.02774; Fawzi, Fawzi and Fawzi 2018,
   arXiv:1802.08686): :func:`isoperimetric_robust_error_bound` bounds the measure of the
   eps-expansion of any error set of a Gaussian, and :func:`mixture_robust_error_bound` the robust
   error of any classifier of the symmetric mixture with a given standard error.

The one proof device of groups 1 and 2: an adversary that moves every point of class y by -y z
(||z||_2 <= eps) turns the mixture into N(+-(mu - z), Sigma); every classifier's robust loss is at
least its loss on that shifted mixture, hence at least the shifted mixture's Bayes loss; and one
linear classifier, whose worst case is exactly that shift, attains the largest of these bounds.

Conventions as in :mod:`theory.gaussian`: sign(0) = -1 (w = 0 with intercept b is the constant
classifier sign(b)); risks are evaluated with :func:`theory.normal.normal_cdf`.
"""

from __future__ import annotations

import numpy as np
from scipy import integrate, optimize
from scipy.special import ndtri

from theory._validate import (
    as_array,
    as_vector,
    broadcast,
    covariance,
    in_open_interval,
    nonnegative,
    positive,
    probability,
    scalar,
)
from theory.normal import normal_cdf

__all__ = [
    "robust_threshold_1d",
    "linear_robust_error",
    "unequal_prior_robust_classifier",
    "min_adversarial_cross_entropy",
    "robust_soft_classifier_logit",
    "isoperimetric_robust_error_bound",
    "mixture_robust_error_bound",
]

_COND_MAX = 1e12  # covariance matrices with a larger condition number are refused


# --------------------------------------------------------------------------- unequal priors


def robust_threshold_1d(mu, eps, sigma=1.0, prior=0.5):
    """The l2-robust-error-minimizing classifier of a 1-D Gaussian mixture with unequal priors.

    Model: y = +1 with probability ``prior`` = pi, -1 otherwise; x | y ~ N(y mu, sigma^2), mu > 0;
    the adversary moves x by at most eps. The threshold rule "predict +1 iff x > t" has robust error

    R(t) = pi Phi((t + eps - mu) / sigma) + (1 - pi) Phi((eps - mu - t) / sigma).

    Setting R'(t) = 0 gives the unique minimizer for eps < mu,

    t* = sigma^2 log((1 - pi) / pi) / (2 (mu - eps)),

    the Bayes threshold sigma^2 log((1 - pi)/pi) / (2 mu) pushed further toward the minority
    class as eps grows (it diverges as eps -> mu). For eps >= mu, R is monotone or has a maximum
    only, and the constant classifier predicting the majority class is optimal, with error
    min(pi, 1 - pi) (t = -inf if pi > 1/2, +inf otherwise: predict -1 at pi = 1/2).

    Optimality is over ALL measurable classifiers, not only thresholds: moving class +1 by -eps
    and class -1 by +eps (or both onto 0 when eps >= mu) lower-bounds every classifier's robust
    error by the Bayes error of N(+-(mu - eps), sigma^2) with priors pi, which t* attains.

    Source: the unequal-prior Gaussian mixture of Dobriban, Hassani, Hong and Robey (2020),
    "Provable tradeoffs in adversarially robust classification", arXiv:2006.05161 (IEEE Trans.
    Inf. Theory 2023), section on Gaussian mixtures with unequal class priors; re-derived here and
    checked by a dynamic program over all labelings of a grid (claim ``beyond.gaussian.threshold-1d``).

    Parameters
    ----------
    mu : float > 0 (or array), half the distance between the class means
    eps : float >= 0 (or array), the perturbation radius
    sigma : float > 0 (or array)
    prior : float in (0, 1) (or array), P(y = +1)

    Returns
    -------
    t : float or ndarray, the optimal threshold (+-inf for the constant classifier)
    error : float or ndarray, its robust error in [0, min(pi, 1 - pi)]

    Raises
    ------
    ValueError
        For NaN or infinite arguments, mu <= 0, eps < 0, sigma <= 0, prior outside (0, 1), or
        shapes that do not broadcast.

    Examples
    --------
    Equal priors: the threshold stays at 0 and the error is Phi((eps - mu) / sigma):

    >>> from scipy.stats import norm
    >>> t, err = robust_threshold_1d(1.0, 0.25)
    >>> float(t), bool(np.isclose(err, norm.cdf(-0.75)))
    (0.0, True)

    A 90% majority pushes the threshold into the minority class, more so under attack:

    >>> [round(float(robust_threshold_1d(1.0, e, prior=0.9)[0]), 4) for e in (0.0, 0.5)]
    [-1.0986, -2.1972]
    >>> [float(v) for v in robust_threshold_1d(1.0, 1.0, prior=0.75)]  # eps >= mu: always predict the majority
    [-inf, 0.25]
    """
    mu, eps = positive(mu, "mu"), nonnegative(eps, "eps")
    sigma, prior = positive(sigma, "sigma"), in_open_interval(prior, "prior", 0.0, 1.0)
    mu, eps, sigma, prior = broadcast(mu=mu, eps=eps, sigma=sigma, prior=prior)
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        logit = np.log1p(-prior) - np.log(prior)  # log((1 - pi) / pi), exact near pi = 1/2
        gap = mu - eps
        inside = gap > 0
        g = np.where(inside, gap, 1.0)
        # t / sigma = (sigma / g) * logit / 2: scale first, so huge sigma or tiny g do not overflow early
        ts = np.where(inside, (sigma / g) * logit * 0.5, 0.0)
        a = g / sigma  # (mu - eps) / sigma
        err_in = prior * normal_cdf(ts - a) + (1 - prior) * normal_cdf(-ts - a)
        t = np.where(inside, ts * sigma, np.where(prior > 0.5, -np.inf, np.inf))
        t = np.where(inside & (logit == 0), 0.0, t)
    const = np.minimum(prior, 1 - prior)
    err = np.where(inside, np.minimum(err_in, const), const)
    return t[()], err[()]


def _cov(cov, d):
    """Validate a covariance (None = identity): returns (eigenvalues, eigenvectors)."""
    if cov is None:
        return np.ones(d), None
    c, top = covariance(cov, d)
    lam, q = np.linalg.eigh(c)
    if lam[0] <= lam[-1] / _COND_MAX:
        raise ValueError(f"cov must be positive definite with condition number <= {_COND_MAX:g}, got "
                         f"eigenvalues from {lam[0] * top!r} to {lam[-1] * top!r}")
    return lam * top, q


def linear_robust_error(w, b, mu, eps, prior=0.5, cov=None):
    """The exact l2-robust error of the affine classifier sign(w.x + b) for x | y ~ N(y mu, Sigma), P(y=1) = pi.

    The worst perturbation moves x by -y eps w / ||w||_2, so with M = w.mu - eps ||w||_2 and
    s = sqrt(w' Sigma w),

    R = pi Phi((-M - b) / s) + (1 - pi) Phi((-M + b) / s).

    w = 0 is the constant classifier sign(b) (sign(0) = -1): error 1 - pi if b > 0, else pi.

    Source: Dobriban et al. (2020), arXiv:2006.05161, the Gaussian mixture with priors; the same
    computation as suggala2019 Theorem 1.2 with an intercept and a covariance.

    Parameters
    ----------
    w : array_like, shape (d,)
    b : float, the intercept
    mu : array_like, shape (d,), the mean of class +1 (class -1 has mean -mu)
    eps : float >= 0, the l2 radius
    prior : float in (0, 1), P(y = +1)
    cov : array_like, shape (d, d), symmetric positive definite, or None for the identity

    Returns
    -------
    float in [0, 1]

    Raises
    ------
    ValueError
        For NaN or infinite entries, mismatched shapes, eps < 0, prior outside (0, 1), or a cov
        that is not symmetric positive definite (condition number at most 1e12).

    Examples
    --------
    >>> from scipy.stats import norm
    >>> r = linear_robust_error([1.0, 0.0], 0.0, [1.0, 0.0], 0.25)
    >>> bool(np.isclose(r, norm.cdf(-0.75)))
    True
    >>> float(linear_robust_error([0.0, 0.0], 1.0, [1.0, 0.0], 0.25, prior=0.75))  # always +1
    0.25
    """
    w, mu = as_vector(w, "w"), as_vector(mu, "mu")
    if w.ndim != 1 or mu.ndim != 1 or w.shape != mu.shape:
        raise ValueError(f"w and mu must be vectors of the same length, got shapes {w.shape} and {mu.shape}")
    b = scalar(as_array(b, "b"), "b")
    eps = scalar(nonnegative(eps, "eps"), "eps")
    prior = scalar(in_open_interval(prior, "prior", 0.0, 1.0), "prior")
    lam, q = _cov(cov, mu.size)
    top = float(np.max(np.abs(w)))
    if top == 0:
        return float(1 - prior) if b > 0 else float(prior)
    wn = w / top
    wq = wn if q is None else q.T @ wn
    nw = float(np.linalg.norm(wn))
    s = float(np.sqrt(np.sum(lam * wq * wq)))
    with np.errstate(over="ignore", invalid="ignore"):
        m = (float(wn @ mu) - eps * nw) / s
        bs = (b / top) / s
        if not np.isfinite(m - bs) or not np.isfinite(m + bs):
            m, bs = np.clip(m, -1e300, 1e300), np.clip(bs, -1e300, 1e300)
        return float(prior * normal_cdf(-m - bs) + (1 - prior) * normal_cdf(-m + bs))


def unequal_prior_robust_classifier(mu, eps, prior=0.5, cov=None):
    """The l2-robust-error-minimizing classifier over ALL classifiers for x | y ~ N(y mu, Sigma), P(y = 1) = pi.

    For eps < ||mu||_2 the optimum is the affine classifier sign(w.x + b) with

    w proportional to (Sigma + gamma I)^{-1} mu,  gamma > 0 solving ||gamma (Sigma + gamma I)^{-1} mu||_2 = eps,

    (gamma = 0 at eps = 0: Fisher's discriminant Sigma^{-1} mu), robust margin
    kappa = (w.mu - eps ||w||_2) / sqrt(w' Sigma w) = min_{||z||_2 <= eps} ||mu - z||_{Sigma^{-1}}, and
    intercept b = sqrt(w' Sigma w) log(pi / (1 - pi)) / (2 kappa). Its robust error is

    pi Phi(-kappa - beta) + (1 - pi) Phi(-kappa + beta),  beta = log(pi / (1 - pi)) / (2 kappa).

    For eps >= ||mu||_2 the adversary can make the classes identical and the constant classifier
    predicting the majority (w = 0, b = +-1) is optimal with error min(pi, 1 - pi), whatever Sigma
    and pi.

    Derivation: the direction w does not depend on the priors (kappa is the only way w enters
    the error once b is optimal, and the error decreases in kappa), and max_w kappa(w) =
    min_{||z|| <= eps} ||mu - z||_{Sigma^{-1}} by the minimax theorem, whose KKT point
    z = gamma (Sigma + gamma I)^{-1} mu gives w = Sigma^{-1}(mu - z). Optimality over all
    classifiers: shifting class y by -y z makes every classifier's robust error at least the
    Bayes error of N(+-(mu - z), Sigma) with priors pi, which equals the error above.

    Source: Dobriban, Hassani, Hong and Robey (2020), "Provable tradeoffs in adversarially robust
    classification", arXiv:2006.05161 (IEEE Trans. Inf. Theory 2023), the Gaussian mixture with
    unequal priors and the l2 threat; re-derived here (the paper text was not at hand, so its
    theorem numbers are not cited). Claim ``beyond.gaussian.unequal-prior-linear``.

    Parameters
    ----------
    mu : array_like, shape (d,), the mean of class +1 (class -1 has mean -mu)
    eps : float >= 0, the l2 radius
    prior : float in (0, 1), P(y = +1)
    cov : array_like, shape (d, d), symmetric positive definite (condition number <= 1e12), or
        None for the identity

    Returns
    -------
    w : ndarray, shape (d,), unit l2 norm (or 0 for the constant classifier)
    b : float, the intercept (predict +1 iff w.x + b > 0)
    error : float, the optimal robust error

    Raises
    ------
    ValueError
        For NaN or infinite entries, an empty or non-vector mu, eps < 0, prior outside (0, 1), or
        an invalid cov.

    Examples
    --------
    Isotropic covariance: w is the direction of mu and the threshold is that of
    :func:`robust_threshold_1d`:

    >>> w, b, err = unequal_prior_robust_classifier([3.0, 4.0], 1.0, prior=0.9)
    >>> w.tolist(), bool(np.isclose(-b, robust_threshold_1d(5.0, 1.0, prior=0.9)[0]))
    ([0.6, 0.8], True)
    >>> w, b, err = unequal_prior_robust_classifier([3.0, 4.0], 5.0, prior=0.75)  # eps >= ||mu||
    >>> w.tolist(), b, err
    ([0.0, 0.0], 1.0, 0.25)
    """
    mu = as_vector(mu, "mu")
    if mu.ndim != 1:
        raise ValueError(f"mu must be a vector, got shape {mu.shape}")
    eps = scalar(nonnegative(eps, "eps"), "eps")
    prior = scalar(in_open_interval(prior, "prior", 0.0, 1.0), "prior")
    lam, q = _cov(cov, mu.size)
    d = mu.size
    scale = float(np.max(np.abs(mu)))
    mu_hat = mu / scale if scale > 0 else mu
    nmu_hat = float(np.linalg.norm(mu_hat))
    if scale == 0 or eps >= scale * nmu_hat:
        return np.zeros(d), (1.0 if prior > 0.5 else -1.0), float(min(prior, 1 - prior))
    rho = eps / (scale * nmu_hat)  # in [0, 1)
    mt = mu_hat if q is None else q.T @ mu_hat  # mu in the eigenbasis of Sigma
    c = lam / lam[-1]  # eigenvalues scaled to max 1
    if rho == 0:
        gamma = 0.0
    else:
        def excess(h):  # gamma = rho h: ||gamma (c + gamma)^-1 mt|| / ||mt|| - rho, divided by rho (well scaled)
            return np.sqrt(np.sum((h / (c + rho * h)) ** 2 * mt * mt)) / nmu_hat - 1.0

        lo, hi = c[0] / (1 - rho), c[-1] / (1 - rho)
        gamma = rho * (lo if hi - lo <= 1e-15 * hi else optimize.brentq(excess, lo, hi, xtol=1e-300, rtol=1e-15))
    wt = mt / (c + gamma)
    w = wt if q is None else q @ wt
    w = w / np.linalg.norm(w)
    wq = w if q is None else q.T @ w
    s_hat = float(np.sqrt(np.sum(c * wq * wq)))  # sqrt(w' Sigma w) / sqrt(lam_max)
    root = float(np.sqrt(lam[-1]))
    with np.errstate(over="ignore", under="ignore"):
        kappa = ((float(w @ mu_hat) - rho * nmu_hat) / s_hat) * (scale / root)
        logit = float(np.log(prior) - np.log1p(-prior))
        beta = logit / (2 * kappa) if np.isfinite(kappa) else 0.0
        b = beta * s_hat * root
        err = float(prior * normal_cdf(-kappa - beta) + (1 - prior) * normal_cdf(-kappa + beta))
    if not np.isfinite(b):
        b = float(np.sign(b) * np.finfo(float).max)
    return w, float(b), float(min(err, prior, 1 - prior))


# --------------------------------------------------------------------------- cross-entropy


def _shifted(mu, eps, sigma):
    mu = as_vector(mu, "mu")
    if mu.ndim != 1:
        raise ValueError(f"mu must be a vector, got shape {mu.shape}")
    eps = nonnegative(eps, "eps")
    sigma = positive(sigma, "sigma")
    top = float(np.max(np.abs(mu)))
    nmu = top * float(np.linalg.norm(mu / top)) if top > 0 else 0.0
    eps, sigma = broadcast(eps=eps, sigma=sigma)
    with np.errstate(over="ignore", invalid="ignore"):
        r = np.maximum(nmu - eps, 0.0) / sigma  # (||mu|| - eps)_+ / sigma
    return mu, nmu, eps, sigma, r


def _entropy_one(r: float) -> float:
    """E softplus(-2 r Z), Z ~ N(r, 1): the Bayes cross-entropy of N(+-r, 1), equal priors (nats)."""
    if r == 0:
        return float(np.log(2.0))
    if r > 40:  # below 1e-300: exp(-r^2 / 2) underflows
        return 0.0

    def f(u):  # u = Z - r
        x = -2.0 * r * (u + r)
        return np.exp(-0.5 * u * u) / np.sqrt(2 * np.pi) * (np.maximum(x, 0) + np.log1p(np.exp(-abs(x))))

    lo = -r - 40.0
    pts = sorted({-r, -2 * r, 0.0})
    val, _ = integrate.quad(f, lo, 40.0, points=[p for p in pts if lo < p < 40.0], limit=200,
                            epsabs=0.0, epsrel=1e-12)
    return float(min(max(val, 0.0), np.log(2.0)))


def min_adversarial_cross_entropy(mu, eps, sigma=1.0):
    """The smallest expected worst-case cross-entropy (nats) of any soft classifier on N(+-mu, sigma^2 I), l2 eps.

    Equal priors; a soft classifier is any measurable h: R^d -> [0, 1] (the predicted P(y = +1 | x)),
    and its adversarial cross-entropy is E_y sup_{||delta||_2 <= eps} -log h_y(x + delta) with
    h_{+1} = h, h_{-1} = 1 - h. The minimum is the conditional entropy of the label given
    x' ~ N(+-(||mu|| - eps) u, sigma^2 I), u = mu / ||mu||:

    min = E_{Z ~ N(r, 1)} log(1 + exp(-2 r Z)),  r = (||mu||_2 - eps)_+ / sigma,

    which is log 2 for eps >= ||mu||_2 (h = 1/2 is optimal there).

    Derivation: moving class y by -y eps u is one admissible attack, so every h loses at least its
    cross-entropy on the shifted mixture, which is at least that mixture's conditional entropy
    H(Y | X'). The posterior of the shifted mixture, h*(x) = sigmoid(2 (||mu|| - eps) u.x / sigma^2)
    (:func:`robust_soft_classifier_logit`), increases along u, so its worst case is exactly that
    shift and it attains the bound.

    Source: Bhagoji, Cullina, Sehwag and Mittal (2021), "Lower bounds on cross-entropy loss in the
    presence of test-time adversaries", ICML 2021, arXiv:2104.08382 (the minimum adversarial
    cross-entropy, characterized there through couplings / optimal transport and computed
    numerically); the Gaussian closed form is derived here. Claim ``beyond.gaussian.cross-entropy``.

    Parameters
    ----------
    mu : array_like, shape (d,), the mean of class +1
    eps : float >= 0 (or array), the l2 radius
    sigma : float > 0 (or array)

    Returns
    -------
    float or ndarray in [0, log 2]

    Raises
    ------
    ValueError
        For NaN or infinite entries, a non-vector or empty mu, eps < 0 or sigma <= 0.

    Examples
    --------
    >>> float(min_adversarial_cross_entropy([1.0, 0.0], 1.5)) == float(np.log(2))  # eps >= ||mu||
    True
    >>> v = min_adversarial_cross_entropy([3.0, 4.0], [0.0, 4.0])  # decreasing in ||mu|| - eps
    >>> bool(0 < v[0] < v[1] < np.log(2))
    True
    """
    _, _, eps, sigma, r = _shifted(mu, eps, sigma)
    out = np.array([_entropy_one(float(x)) for x in np.ravel(r)]).reshape(r.shape)
    return out[()]


def robust_soft_classifier_logit(mu, eps, sigma=1.0):
    """The logit vector a of the soft classifier h(x) = sigmoid(a.x) attaining :func:`min_adversarial_cross_entropy`.

    a = 2 (||mu||_2 - eps)_+ mu / (||mu||_2 sigma^2): the posterior log-odds of the mixture with both
    means moved eps toward each other (a = 0, h = 1/2, for eps >= ||mu||_2). Its worst-case
    perturbation is -y eps mu / ||mu||_2.

    Source: as :func:`min_adversarial_cross_entropy` (Bhagoji et al. 2021, arXiv:2104.08382;
    closed form derived here).

    Parameters
    ----------
    mu : array_like, shape (d,)
    eps : float >= 0
    sigma : float > 0

    Returns
    -------
    ndarray, shape (d,)

    Raises
    ------
    ValueError
        As :func:`min_adversarial_cross_entropy`, and for eps or sigma that are not single numbers.

    Examples
    --------
    >>> robust_soft_classifier_logit([3.0, 4.0], 1.0).tolist()  # 2 (5 - 1) / 5 * mu
    [4.8, 6.4]
    >>> robust_soft_classifier_logit([3.0, 4.0], 6.0).tolist()
    [0.0, 0.0]
    """
    mu, nmu, eps, sigma, r = _shifted(mu, eps, sigma)
    r, sigma = scalar(r, "eps"), scalar(sigma, "sigma")
    if r == 0 or nmu == 0:
        return np.zeros(mu.shape)
    with np.errstate(over="ignore"):
        u = mu / (mu.max() if mu.max() > 0 else -mu.min())
        u = u / np.linalg.norm(u)
        a = (2.0 * r / sigma) * u
    if not np.all(np.isfinite(a)):
        raise ValueError(f"the logit 2 (||mu|| - eps) / sigma^2 overflows for sigma={sigma!r}")
    return a


# --------------------------------------------------------------------------- isoperimetry


def isoperimetric_robust_error_bound(error_rate, eps, sigma=1.0):
    """Phi(Phi^{-1}(error_rate) + eps / sigma): the least l2-robust error at this error rate under N(0, sigma^2 I).

    Gaussian isoperimetric inequality (Borell; Sudakov and Tsirelson): for every measurable set E
    with P(x in E) = error_rate under x ~ N(0, sigma^2 I_d), the eps-expansion
    E_eps = {x : dist_2(x, E) <= eps} has P(E_eps) >= Phi(Phi^{-1}(error_rate) + eps / sigma),
    with equality when E is a half-space. With E the error set of a classifier, P(E_eps) is its
    l2-robust error, so no classifier with this error rate is more robust than a linear one.

    Source: Gilmer, Metz, Faghri, Schoenholz, Raghu, Wattenberg and Goodfellow (2018),
    "Adversarial spheres", arXiv:1801.02774; Fawzi, Fawzi and Fawzi (2018), "Adversarial
    vulnerability for any classifier", NeurIPS 2018, arXiv:1802.08686 (both apply it to
    adversarial examples). Claim ``beyond.gaussian.isoperimetry``.

    Parameters
    ----------
    error_rate : float or array_like in [0, 1], the measure of the error set
    eps : float >= 0 or array_like, the l2 radius
    sigma : float > 0 or array_like

    Returns
    -------
    float or ndarray in [0, 1] (broadcast shape); 0 for error_rate = 0, 1 for error_rate = 1.
    Precise in the lower tail (relative error ~1e-15 down to 1e-300) through
    :func:`scipy.special.ndtri` and :func:`theory.normal.normal_cdf`.

    Raises
    ------
    ValueError
        For NaN or infinite arguments, error_rate outside [0, 1], eps < 0 or sigma <= 0.

    Examples
    --------
    >>> from scipy.stats import norm
    >>> bool(np.isclose(isoperimetric_robust_error_bound(0.1, 0.5), norm.cdf(norm.ppf(0.1) + 0.5)))
    True
    >>> isoperimetric_robust_error_bound([0.0, 1e-300, 1.0], 0.0).tolist()  # eps = 0: the error rate itself
    [0.0, 1e-300, 1.0]
    """
    p = probability(error_rate, "error_rate")
    eps, sigma = nonnegative(eps, "eps"), positive(sigma, "sigma")
    p, eps, sigma = broadcast(error_rate=p, eps=eps, sigma=sigma)
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        x = ndtri(p) + eps / sigma
        out = np.where(p == 0, 0.0, np.where(p == 1, 1.0, normal_cdf(np.where(np.isnan(x), 0.0, x))))
        out = np.where(eps == 0, p, out)
    return np.asarray(out, dtype=float)[()]


def mixture_robust_error_bound(standard_error, theta, eps, sigma=1.0):
    """The least l2-robust error of any classifier of N(+-theta, sigma^2 I) (equal priors) with a given standard error.

    With r = ||theta||_2 / sigma and e = eps / sigma, the minimum over all classifiers whose
    standard error is ``standard_error`` = s in [Phi(-r), 1/2] is

    B(s) = (Phi(e - r + t) + Phi(e - r - t)) / 2,  t >= 0 solving (Phi(t - r) + Phi(-t - r)) / 2 = s,

    the robust error of the half-space perpendicular to theta whose threshold is shifted by
    t sigma (B(1/2) = 1/2). Derivation: per class, the error set of class y has measure mu_y and
    its robust error is at least Phi(Phi^{-1}(mu_y) + e) (:func:`isoperimetric_robust_error_bound`);
    the Neyman-Pearson lemma restricts (mu_+, mu_-) to Phi^{-1}(mu_+) + Phi^{-1}(mu_-) >= -2 r; the
    bound is concave in mu_y, so its minimum on the segment mu_+ + mu_- = 2 s is at the two
    Neyman-Pearson-tight ends, the shifted half-spaces, which attain it. Minimized over s it gives
    the optimal robust error min(Phi(e - r), 1/2) (:func:`theory.gaussian.optimal_robust_risk`).

    Source: the isoperimetric argument of Fawzi, Fawzi and Fawzi (2018), arXiv:1802.08686, and
    Gilmer et al. (2018), arXiv:1801.02774, applied to each class of the mixture (derived here).
    Claim ``beyond.gaussian.mixture-bound``.

    Parameters
    ----------
    standard_error : float or array_like in [Phi(-||theta|| / sigma), 1/2]
    theta : array_like, shape (d,), the mean of class +1 (class -1 has mean -theta)
    eps : float >= 0 or array_like, the l2 radius
    sigma : float > 0

    Returns
    -------
    float or ndarray in [0, 1]

    Raises
    ------
    ValueError
        For NaN or infinite arguments, a standard error below the Bayes error Phi(-r) (no
        classifier has it) or above 1/2, eps < 0 or sigma <= 0.

    Examples
    --------
    At the Bayes error the bound is the optimal robust error Phi(eps - ||theta||) (sigma = 1):

    >>> from scipy.stats import norm
    >>> r = mixture_robust_error_bound(norm.cdf(-1.0), [1.0, 0.0], 0.25)
    >>> bool(np.isclose(r, norm.cdf(-0.75)))
    True
    >>> float(mixture_robust_error_bound(0.5, [1.0, 0.0], 0.25))
    0.5
    """
    s = probability(standard_error, "standard_error")
    theta = as_vector(theta, "theta")
    if theta.ndim != 1:
        raise ValueError(f"theta must be a vector, got shape {theta.shape}")
    eps, sigma = nonnegative(eps, "eps"), positive(sigma, "sigma")
    _, _, _, _, rr = _shifted(theta, 0.0, sigma)
    s, eps, sigma, r = broadcast(standard_error=s, eps=eps, sigma=sigma, r=rr)
    bayes = normal_cdf(-r)
    low = s < bayes * (1 - 1e-13)
    if low.any() or (s > 0.5).any():
        i = tuple(int(k) for k in np.argwhere(low | (s > 0.5))[0])
        raise ValueError(f"standard_error must lie in [Phi(-||theta|| / sigma), 1/2] = [{float(bayes[i])!r}, 0.5], "
                         f"got {float(s[i])!r}")
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        e = eps / sigma
        lo = np.zeros(s.shape)
        hi = np.where(s < 0.5, np.minimum(r, 1e300) + 40.0, 0.0)
        for _ in range(200):  # bisection on t: the standard error increases in t >= 0
            mid = 0.5 * (lo + hi)
            val = 0.5 * (normal_cdf(mid - r) + normal_cdf(-mid - r))
            big = val > s
            hi = np.where(big, mid, hi)
            lo = np.where(big, lo, mid)
        t = 0.5 * (lo + hi)
        out = 0.5 * (normal_cdf(e - r + t) + normal_cdf(e - r - t))
    out = np.where(s >= 0.5, 0.5, out)
    out = np.where(np.isfinite(out), out, 0.5)
    return np.clip(out, 0.0, 1.0)[()]
