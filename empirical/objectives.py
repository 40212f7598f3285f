"""Training objectives: standard, Madry's PGD, suggala2019's lambda-weighted, TRADES, fast FGSM.

Every objective is a callable ``objective(model, x, y, *, eps, generator=None) -> loss``: a
scalar tensor, the mean over the batch, differentiable in the model's parameters. It has a
``name`` and its hyperparameters in :meth:`Objective.config` (plain Python types, so that a
checkpoint stores them). :meth:`Objective.compute` returns the same loss together with the
logits the loss was computed from (:class:`ObjectiveOutput`), which the trainer uses for the
training accuracy.

Modes. The adversarial example is computed with the model in eval mode (the attacks of
:mod:`empirical.attacks` switch to it and back); the loss is then computed in whatever mode
the model is in, the training mode when :class:`empirical.train.Trainer` calls it. The
attacks keep the parameters' ``.grad`` as they were, so the objective's backward pass is the
only one that accumulates into them.

Labels follow :mod:`empirical._core`: +-1 floats for a binary single-logit model (logistic
loss), class indices for a multi-class model (cross-entropy).

Examples
--------
>>> import torch
>>> model = torch.nn.Linear(2, 3)
>>> x, y = torch.rand(4, 2), torch.tensor([0, 1, 2, 0])
>>> loss = Madry(steps=5)(model, x, y, eps=0.1, generator=torch.Generator().manual_seed(0))
>>> loss.ndim
0
"""

from __future__ import annotations

from typing import NamedTuple

import torch

from empirical._core import (
    DEFAULT_DOMAIN,
    check_domain,
    check_int,
    check_labels,
    check_real,
    loss_per_example,
    margin,
    norm_name,
    threat,
)

__all__ = ["ObjectiveOutput", "Objective", "Standard", "Madry", "Suggala", "Trades", "Fast", "OBJECTIVES",
           "from_config"]


class ObjectiveOutput(NamedTuple):
    """What :meth:`Objective.compute` returns.

    Attributes
    ----------
    loss : scalar tensor, the objective's value on the batch (mean over examples)
    logits_clean : the model's logits at the clean inputs, in the mode the loss was computed in,
        or None when the objective did not evaluate them
    logits_adv : the logits at the adversarial inputs, or None for a non-adversarial objective
    x_adv : the adversarial inputs (detached), or None for a non-adversarial objective

    Examples
    --------
    >>> import torch
    >>> out = Standard().compute(torch.nn.Linear(3, 1), torch.zeros(2, 3), torch.ones(2))
    >>> out.loss.ndim, out.logits_clean.shape, out.logits_adv is None, out.x_adv is None
    (0, torch.Size([2, 1]), True, True)
    """

    loss: torch.Tensor
    logits_clean: torch.Tensor | None
    logits_adv: torch.Tensor | None
    x_adv: torch.Tensor | None


def _check_norm(norm):
    if norm not in ("linf", "l2"):
        raise ValueError(f"norm must be 'linf' or 'l2', got {norm!r}")
    return norm


def _check_eps(norm, eps):
    """eps as a float, validated by the shared :func:`empirical._core.threat`."""
    t = threat(norm, eps)
    norm_name(t)
    return t.eps


def _mean_loss(logits, y):
    check_labels(logits, y)
    return loss_per_example(logits, y).mean()


def _attacks():
    # Imported lazily: the objectives module imports (and Standard works) without the attacks.
    from empirical import attacks

    return attacks


class Objective:
    """The protocol of a training objective (abstract base).

    Subclasses set ``name`` and implement :meth:`compute`; calling the objective returns the loss.

    Examples
    --------
    >>> [isinstance(cls(), Objective) for cls in OBJECTIVES.values()]
    [True, True, True, True, True]
    >>> Fast().config()
    {'name': 'fast', 'alpha': None, 'norm': 'linf', 'domain': [0.0, 1.0]}
    """

    name = "objective"

    def _params(self) -> dict:
        raise NotImplementedError

    def config(self) -> dict:
        """The name and the hyperparameters, as plain Python types (JSON- and ``weights_only``-safe)."""
        params = self._params()
        return {"name": self.name, **{k: (list(v) if isinstance(v, tuple) else v) for k, v in params.items()}}

    def compute(self, model, x, y, *, eps, generator=None, attack_model=None) -> ObjectiveOutput:
        """The loss on the batch (x, y) and the logits it came from.

        Parameters
        ----------
        model : torch.nn.Module, evaluated for the loss in its current mode
        x : inputs, shape (N, ...)
        y : labels, +-1 floats (binary model) or int64 class indices (multi-class model)
        eps : float >= 0, the radius of the threat model for this batch (the trainer's schedule)
        generator : torch.Generator for the attack's randomness (random starts), on x's device
        attack_model : the module the attack queries, by default ``model``; the trainer passes the
            bare module when ``model`` is a DistributedDataParallel wrapper

        Returns
        -------
        ObjectiveOutput

        Raises
        ------
        ValueError : for a bad eps or labels that do not suit the model
        """
        raise NotImplementedError

    def __call__(self, model, x, y, *, eps, generator=None, attack_model=None) -> torch.Tensor:
        """The scalar loss (see :meth:`compute`)."""
        return self.compute(model, x, y, eps=eps, generator=generator, attack_model=attack_model).loss

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self._params().items())
        return f"{type(self).__name__}({args})"


class Standard(Objective):
    """Standard (non-adversarial) training: the mean loss at the clean inputs.

    ``loss="ce"``: the logistic loss log(1 + exp(-y z)) for a binary single-logit model, the
    cross-entropy for a multi-class one (:func:`empirical._core.loss_per_example`).
    ``loss="hinge"``: max(0, 1 - y z) for a binary model; for a multi-class model the same
    formula with the multi-class margin z_y - max_{i != y} z_i (:func:`empirical._core.margin`),
    which is Crammer and Singer's (2001) multi-class hinge loss.

    ``eps`` is accepted (the trainer passes its schedule's value) and ignored.

    Parameters
    ----------
    loss : "ce" or "hinge"

    Raises
    ------
    ValueError : for another loss

    Examples
    --------
    >>> import torch
    >>> model = torch.nn.Linear(2, 1)
    >>> Standard("hinge")(model, torch.zeros(3, 2), torch.tensor([1.0, -1.0, 1.0]), eps=0.0).shape
    torch.Size([])
    """

    name = "standard"

    def __init__(self, loss="ce"):
        if loss not in ("ce", "hinge"):
            raise ValueError(f"loss must be 'ce' or 'hinge', got {loss!r}")
        self.loss = loss

    def _params(self):
        return {"loss": self.loss}

    def compute(self, model, x, y, *, eps=0.0, generator=None, attack_model=None):
        logits = model(x)
        check_labels(logits, y)
        if self.loss == "ce":
            value = loss_per_example(logits, y).mean()
        else:
            value = torch.clamp(1.0 - margin(logits, y), min=0.0).mean()
        return ObjectiveOutput(value, logits, None, None)


class _PGDObjective(Objective):
    """Shared parts of the objectives whose inner maximization is PGD on the loss."""

    def __init__(self, steps=10, alpha=None, norm="linf", restarts=1, random_start=True, domain=DEFAULT_DOMAIN,
                 keep_best=False):
        self.steps = check_int(steps, "steps")
        self.alpha = check_real(alpha, "alpha", strict=True, allow_none=True)
        self.norm = _check_norm(norm)
        self.restarts = check_int(restarts, "restarts")
        if not isinstance(random_start, bool):
            raise ValueError(f"random_start must be True or False, got {random_start!r}")
        self.random_start = random_start
        self.domain = check_domain(domain)
        if not isinstance(keep_best, bool):
            raise ValueError(f"keep_best must be True or False, got {keep_best!r}")
        self.keep_best = keep_best

    def _pgd_params(self):
        return {"steps": self.steps, "alpha": self.alpha, "norm": self.norm, "restarts": self.restarts,
                "random_start": self.random_start, "domain": self.domain, "keep_best": self.keep_best}

    def _adversarial(self, attack_model, x, y, eps, generator):
        eps = _check_eps(self.norm, eps)
        if eps == 0.0:
            return x.detach()
        x_adv = _attacks().pgd(attack_model, x, y, eps=eps, alpha=self.alpha, steps=self.steps, norm=self.norm,
                               restarts=self.restarts, random_start=self.random_start, generator=generator,
                               domain=self.domain, keep_best=self.keep_best)
        return x_adv.detach()


class Madry(_PGDObjective):
    """Adversarial training (Madry et al. 2018, "Towards deep learning models resistant to
    adversarial attacks", eq. 2.1 and section 4): the mean loss at PGD adversarial examples,
    min_theta E[max_{||delta|| <= eps} L(f(x + delta), y)], the inner maximum approximated by
    :func:`empirical.attacks.pgd` (in eval mode), the outer loss in the model's current mode.

    Parameters
    ----------
    steps : int >= 1, PGD iterations
    alpha : float > 0 or None, the PGD step size (absolute); None: the attack's default for eps
    norm : "linf" or "l2"
    restarts : int >= 1, PGD restarts (the worst per example is kept)
    random_start : bool, start PGD at a random point of the ball (Madry et al.) or at x
    domain : (lo, hi) or None, the box the adversarial inputs stay in
    keep_best : bool; False (default): train on PGD's last iterate (the worst over restarts when
        restarts > 1), as Madry et al. do; True: on the attack's best iterate (a misclassified one
        first, else the highest loss: :func:`empirical.attacks.pgd`'s evaluation setting)

    Raises
    ------
    ValueError : for a bad hyperparameter (at construction) or a bad eps (at the call)

    Examples
    --------
    For a linear model 10 sign steps of PGD reach the worst vertex of the l-inf ball, where the
    margin is 0.75 - eps ||w||_1 = 0.75 - 0.35, so the loss is log(1 + exp(-0.4)):

    >>> import torch
    >>> from empirical.models import Linear
    >>> model = Linear.from_theory([1.0, -2.0, 0.5], b=1.0)  # margin 0.75 at x = 0.5, y = +1
    >>> x, y = torch.full((2, 3), 0.5), torch.ones(2)
    >>> import math
    >>> loss = Madry(steps=10)(model, x, y, eps=0.1, generator=0)
    >>> round(loss.item(), 4), round(math.log1p(math.exp(-0.4)), 4)
    (0.513, 0.513)
    """

    name = "madry"

    def _params(self):
        return self._pgd_params()

    def compute(self, model, x, y, *, eps, generator=None, attack_model=None):
        x_adv = self._adversarial(model if attack_model is None else attack_model, x, y, eps, generator)
        logits_adv = model(x_adv)
        return ObjectiveOutput(_mean_loss(logits_adv, y), None, logits_adv, x_adv)


class Suggala(_PGDObjective):
    """suggala2019 ("Revisiting adversarial risk", section 7, objective (7)): the lambda-weighted
    adversarial objective

        lam * E[max_{||delta|| <= eps} L(f(x + delta), y)] - (lam - 1) * E[L(f(x), y)]

    with the inner maximum approximated by PGD (the paper uses sign-gradient PGD, "the PGD
    training introduced in [5]", i.e. Madry et al.). Objective (7) comes from the joint risk (4),
    R(f) + lam * R_adv(f), where R_adv is the excess E[sup L(f(x + delta), y) - L(f(x), y)]
    (objective (6), with the unknown base classifier g(x) replaced by the label y): rearranging,
    R + lam (R_at_adv - R) = lam R_at_adv - (lam - 1) R. The gradient in theta is therefore
    lam * grad L(f(x + delta_hat), y) - (lam - 1) * grad L(f(x), y) (the display after (7)).

    Implemented exactly as: x_adv from :func:`empirical.attacks.pgd` (model in eval mode), then
    ``lam * mean(L(model(x_adv), y)) - (lam - 1) * mean(L(model(x), y))`` with L the logistic /
    cross-entropy loss, both forwards in the model's current mode. lam = 1 is :class:`Madry`;
    lam = 0 is standard training; 0 < lam < 1 mixes the clean and the adversarial losses.

    Parameters
    ----------
    lam : float >= 0, the paper's lambda (it reports lam > 5 hurting accuracy badly)
    steps, alpha, norm, restarts, random_start, domain, keep_best : as for :class:`Madry`

    Raises
    ------
    ValueError : for a bad hyperparameter or eps

    Examples
    --------
    lam = 0 is standard training, lam = 1 is :class:`Madry` (the same attack seed gives the same loss):

    >>> import torch
    >>> from empirical.models import Linear
    >>> model = Linear.from_theory([1.0, -2.0, 0.5], b=1.0)  # margin 0.75 at x = 0.5, y = +1
    >>> x, y = torch.full((2, 3), 0.5), torch.ones(2)
    >>> torch.allclose(Suggala(lam=0.0)(model, x, y, eps=0.1, generator=0), Standard()(model, x, y, eps=0.1))
    True
    >>> torch.allclose(Suggala(lam=1.0)(model, x, y, eps=0.1, generator=0), Madry()(model, x, y, eps=0.1, generator=0))
    True
    """

    name = "suggala"

    def __init__(self, lam=1.0, steps=10, alpha=None, norm="linf", restarts=1, random_start=True,
                 domain=DEFAULT_DOMAIN, keep_best=False):
        super().__init__(steps, alpha, norm, restarts, random_start, domain, keep_best)
        self.lam = check_real(lam, "lam")

    def _params(self):
        return {"lam": self.lam, **self._pgd_params()}

    def compute(self, model, x, y, *, eps, generator=None, attack_model=None):
        x_adv = self._adversarial(model if attack_model is None else attack_model, x, y, eps, generator)
        logits_adv = model(x_adv)
        logits_clean = model(x)
        value = self.lam * _mean_loss(logits_adv, y) - (self.lam - 1.0) * _mean_loss(logits_clean, y)
        return ObjectiveOutput(value, logits_clean, logits_adv, x_adv)


class Trades(Objective):
    """TRADES (zhang2019, "Theoretically principled trade-off between robustness and accuracy",
    section 4, problem (5) and Algorithm 1):

        mean_i [ CE(f(x_i), y_i) + beta * KL(f(x_i) || f(x'_i)) ],
        x'_i ~ argmax_{x' in B(x_i, eps)} KL(f(x_i) || f(x')),

    where f(.) is the softmax output (for a binary single-logit model, the Bernoulli
    distribution sigmoid(z)) and beta = 1/lambda in the paper's notation (the paper uses
    1/lambda = 1 or 6). The inner maximization is :func:`empirical.attacks.trades_kl`
    (Algorithm 1 steps 7-10: start at x + 0.001 N(0, I), sign-gradient ascent on the KL,
    projection), with the model in eval mode; the outer loss (Algorithm 1 step 12) is computed
    in the model's current mode, and its gradient flows through both f(x) and f(x').

    Parameters
    ----------
    beta : float >= 0, the weight of the robustness regularizer (1/lambda)
    steps : int >= 1, the inner iterations K
    alpha : float > 0 or None, the inner step size eta_1 (absolute); None: the attack's default
    norm : "linf" or "l2"
    domain : (lo, hi) or None

    Raises
    ------
    ValueError : for a bad hyperparameter or eps

    Examples
    --------
    At eps = 0 the KL term vanishes and TRADES is the clean loss; at eps > 0 it adds beta KL >= 0:

    >>> import torch
    >>> from empirical.models import Linear
    >>> model = Linear.from_theory([1.0, -2.0, 0.5], b=1.0)  # margin 0.75 at x = 0.5, y = +1
    >>> x, y = torch.full((2, 3), 0.5), torch.ones(2)
    >>> clean = Standard()(model, x, y, eps=0.0)
    >>> torch.equal(Trades()(model, x, y, eps=0.0), clean), bool(Trades()(model, x, y, eps=0.1, generator=0) > clean)
    (True, True)
    """

    name = "trades"

    def __init__(self, beta=6.0, steps=10, alpha=None, norm="linf", domain=DEFAULT_DOMAIN):
        self.beta = check_real(beta, "beta")
        self.steps = check_int(steps, "steps")
        self.alpha = check_real(alpha, "alpha", strict=True, allow_none=True)
        self.norm = _check_norm(norm)
        self.domain = check_domain(domain)

    def _params(self):
        return {"beta": self.beta, "steps": self.steps, "alpha": self.alpha, "norm": self.norm,
                "domain": self.domain}

    def compute(self, model, x, y, *, eps, generator=None, attack_model=None):
        eps = _check_eps(self.norm, eps)
        attacks = _attacks()
        if eps == 0.0:
            x_adv = x.detach()
        else:
            x_adv = attacks.trades_kl(model if attack_model is None else attack_model, x, eps=eps, alpha=self.alpha,
                                      steps=self.steps, norm=self.norm, generator=generator,
                                      domain=self.domain).detach()
        logits_clean = model(x)
        logits_adv = model(x_adv)
        natural = _mean_loss(logits_clean, y)
        robust = attacks.kl_divergence(logits_clean, logits_adv).mean()
        return ObjectiveOutput(natural + self.beta * robust, logits_clean, logits_adv, x_adv)


class Fast(Objective):
    """"Fast" adversarial training (Wong, Rice and Kolter 2020, "Fast is better than free:
    revisiting adversarial training", Algorithm 3, section 4): one FGSM step from a uniformly
    random start in the l-inf ball, delta <- delta + alpha sign(grad), clipped back to the
    ball (and the domain), with alpha = 1.25 eps by default; the loss is then taken at
    x + delta. (Their cyclic learning rate and early stopping are the trainer's business.)

    Parameters
    ----------
    alpha : float > 0 or None, the FGSM step (absolute); None: 1.25 * eps for each batch's eps
    norm : "linf" (the paper's) or "l2"
    domain : (lo, hi) or None

    Raises
    ------
    ValueError : for a bad hyperparameter or eps

    Examples
    --------
    The point stays in the ball and, for a linear model, every coordinate moves at least 0.25 eps the
    worst way, so the loss exceeds the clean one:

    >>> import torch
    >>> from empirical.models import Linear
    >>> model = Linear.from_theory([1.0, -2.0, 0.5], b=1.0)  # margin 0.75 at x = 0.5, y = +1
    >>> x, y = torch.full((2, 3), 0.5), torch.ones(2)
    >>> out = Fast().compute(model, x, y, eps=0.1, generator=0)
    >>> bool((out.x_adv - x).abs().max() <= 0.1 + 1e-6), bool(out.loss > Standard()(model, x, y, eps=0.0))
    (True, True)
    """

    name = "fast"

    def __init__(self, alpha=None, norm="linf", domain=DEFAULT_DOMAIN):
        self.alpha = check_real(alpha, "alpha", strict=True, allow_none=True)
        self.norm = _check_norm(norm)
        self.domain = check_domain(domain)

    def _params(self):
        return {"alpha": self.alpha, "norm": self.norm, "domain": self.domain}

    def compute(self, model, x, y, *, eps, generator=None, attack_model=None):
        eps = _check_eps(self.norm, eps)
        if eps == 0.0:
            x_adv = x.detach()
        else:
            alpha = 1.25 * eps if self.alpha is None else self.alpha
            x_adv = _attacks().fgsm(model if attack_model is None else attack_model, x, y, eps=eps, norm=self.norm,
                                    random_start=True, alpha=alpha, generator=generator,
                                    domain=self.domain).detach()
        logits_adv = model(x_adv)
        return ObjectiveOutput(_mean_loss(logits_adv, y), None, logits_adv, x_adv)


OBJECTIVES = {cls.name: cls for cls in (Standard, Madry, Suggala, Trades, Fast)}
"""The objectives by name, for rebuilding one from its :meth:`Objective.config`."""


def from_config(config: dict) -> Objective:
    """The objective a :meth:`Objective.config` dict describes.

    Raises
    ------
    ValueError : for an unknown name

    Examples
    --------
    >>> from_config(Trades(beta=1.0).config())
    Trades(beta=1.0, steps=10, alpha=None, norm='linf', domain=(0.0, 1.0))
    """
    config = dict(config)
    name = config.pop("name", None)
    if name not in OBJECTIVES:
        raise ValueError(f"unknown objective name {name!r}; known: {sorted(OBJECTIVES)}")
    if config.get("domain") is not None:
        config["domain"] = tuple(config["domain"])
    return OBJECTIVES[name](**config)

