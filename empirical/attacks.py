"""Attacks on PyTorch models: PGD, FGSM, TRADES' KL ascent, APGD, the exact linear worst case, ensembles.

Every attack has one signature, ``attack(model, x, y, *, eps, ..., norm="linf", generator=None,
domain=(0.0, 1.0)) -> x_adv``, and keeps the same promises:

- ``norm`` is ``"linf"``, ``"l2"`` or a :class:`theory.threat.ThreatModel` (then ``eps`` may be
  omitted); :func:`linear_worst_case` takes any lp norm, 1 <= p <= inf.
- ``domain`` is the input box ``(lo, hi)``, ``None`` for none (the theory's Gaussian data live on
  all of R^d); ``x`` must lie in it (ValueError otherwise).
- Labels follow :mod:`empirical._core`: +-1 for a binary single-logit model (output ``(N,)`` or
  ``(N, 1)``), int64 class indices for a multi-class one. Every attack works on both.
- The result has the shape, dtype and device of ``x``, is detached, and lies in the ball around
  ``x`` (projected last, so up to float32 rounding of ``x + delta``) and in the domain.
- The model runs in eval mode during the attack and every submodule gets its own mode back
  (:func:`empirical._core.eval_mode`); the parameters' ``.grad`` are left exactly as they were,
  None included (:func:`empirical._core.preserved_grads`): gradients are taken with respect to the
  input only, ``torch.autograd.grad(loss.sum(), x_adv)``.
- Randomness comes only from ``generator`` (a ``torch.Generator``, an int seed, or None for fresh
  OS entropy; :func:`empirical._core.as_generator`); the global torch RNG is never touched.

"Worst case per example" (restarts of :func:`pgd`, iterates of :func:`pgd` and :func:`apgd`,
:func:`random_sign`, :func:`ensemble`) means, throughout: a misclassified point first (for a
targeted :func:`pgd`: one classified as the target), and among points equal on that count the
one of highest loss (the attack's own objective).

=========================  ================================================================  =======================
attack                     what it does                                                      source
=========================  ================================================================  =======================
:func:`pgd`                projected gradient ascent on the loss: sign (l-inf) or normalized  madry2018 section 2
                           (l2) steps, random start, restarts, targeted mode
:func:`fgsm`               one signed / normalized gradient step; with a random start and     goodfellow2015;
                           alpha = 1.25 eps the "fast" FGSM-RS                                wong2020 Algorithm 3
:func:`trades_kl`          ascent on KL(p(x) || p(x')) from x + 0.001 N(0, I)                 zhang2019 Algorithm 1
:func:`apgd`               step-size-free PGD with momentum and checkpoints; CE, DLR and      croce2020 Algorithm 1
                           margin losses, targeted DLR
:func:`linear_worst_case`  the exact minimizer of a linear model's margin, any lp ball        Hoelder's equality case
:func:`random_sign`        brute force over random vertices of the l-inf ball (points of the  gradient-free check
                           l2 sphere)
:func:`unbounded`          normalized gradient steps of growing size, no ball, no box         sanity check
:func:`ensemble`           per-example worst case over attacks, later ones only on the        croce2020 section 4
                           still-robust examples; :func:`auto_attack` = APGD-CE + APGD-T
=========================  ================================================================  =======================

References
----------
- madry2018: A. Madry, A. Makelov, L. Schmidt, D. Tsipras, A. Vladu. Towards Deep Learning Models
  Resistant to Adversarial Attacks. ICLR 2018, arXiv:1706.06083.
- goodfellow2015: I. Goodfellow, J. Shlens, C. Szegedy. Explaining and Harnessing Adversarial
  Examples. ICLR 2015, arXiv:1412.6572.
- wong2020: E. Wong, L. Rice, J. Z. Kolter. Fast is Better than Free: Revisiting Adversarial
  Training. ICLR 2020, arXiv:2001.03994.
- zhang2019: H. Zhang, Y. Yu, J. Jiao, E. Xing, L. El Ghaoui, M. Jordan. Theoretically Principled
  Trade-off between Robustness and Accuracy. ICML 2019 (TRADES).
- croce2020: F. Croce, M. Hein. Reliable Evaluation of Adversarial Robustness with an Ensemble of
  Diverse Parameter-free Attacks. ICML 2020, arXiv:2003.01690.

Examples
--------
>>> import torch
>>> from empirical.attacks import bind, pgd
>>> model = torch.nn.Linear(4, 3)
>>> x = torch.rand(8, 4, generator=torch.Generator().manual_seed(0))
>>> y = torch.zeros(8, dtype=torch.int64)
>>> x_adv = pgd(model, x, y, eps=0.1, steps=5, generator=0)
>>> bool(((x_adv - x).abs() <= 0.1 + 1e-6).all()) and bool(((0 <= x_adv) & (x_adv <= 1)).all())
True
>>> bind(pgd, eps=0.1, steps=5)
pgd(eps=0.1, steps=5)
"""

from __future__ import annotations

import contextlib
import inspect
import math
import numbers

import numpy as np
import torch
import torch.nn.functional as F

from empirical import _core
from empirical._core import (
    ATTACK_NORMS,
    as_generator,
    check_domain,
    check_int,
    check_labels,
    check_real,
    correct,
    eval_mode,
    is_binary,
    loss_per_example,
    margin,
    norm_name,
    predict,
    preserved_grads,
    threat,
)
from theory.attacks import worst_case_delta
from theory.threat import ThreatModel

__all__ = [
    "pgd",
    "fgsm",
    "trades_kl",
    "kl_divergence",
    "apgd",
    "dlr_loss",
    "linear_worst_case",
    "flip_attack",
    "random_sign",
    "unbounded",
    "ensemble",
    "auto_attack",
    "bind",
    "BoundAttack",
    "Ensemble",
]


# ---------------------------------------------------------------------------------------------
# validation and shared machinery (private)
# ---------------------------------------------------------------------------------------------


def _check_model(model) -> None:
    if not isinstance(model, torch.nn.Module):
        raise ValueError(f"model must be a torch.nn.Module, got {type(model).__name__}")


def _check_inputs(model, x, y, domain):
    """Validated (x, y, domain): x a floating tensor (N, ...) inside the domain, y a tensor on x's device."""
    _check_model(model)
    if not isinstance(x, torch.Tensor) or not x.is_floating_point():
        raise ValueError(f"x must be a floating-point torch.Tensor, got {type(x).__name__}"
                         + (f" of dtype {x.dtype}" if isinstance(x, torch.Tensor) else ""))
    if x.ndim < 2:
        raise ValueError(f"x must have shape (N, ...) with at least 2 dimensions, got shape {tuple(x.shape)}")
    x = x.detach()
    if y is not None:
        y = torch.as_tensor(y, device=x.device)
        if y.shape != (x.shape[0],):
            raise ValueError(f"y must have shape ({x.shape[0]},) to match x {tuple(x.shape)}, got {tuple(y.shape)}")
    domain = check_domain(domain)
    if domain is not None and x.numel() and (float(x.min()) < domain[0] or float(x.max()) > domain[1]):
        raise ValueError(f"x must lie in the domain {domain} (its range is [{float(x.min()):g}, {float(x.max()):g}]);"
                         " pass domain=None for unbounded inputs")
    return x, y, domain


@contextlib.contextmanager
def _attacking(model):
    """Eval mode, parameter grads preserved, autograd on (the caller may be under no_grad)."""
    with eval_mode(model), preserved_grads(model), torch.enable_grad():
        yield


def _view(v: torch.Tensor, like: torch.Tensor) -> torch.Tensor:
    """A per-example vector (N,) shaped to broadcast against ``like`` (N, ...)."""
    return v.reshape((-1,) + (1,) * (like.ndim - 1))


def _norms(d: torch.Tensor, p: float) -> torch.Tensor:
    flat = d.flatten(1)
    if math.isinf(p):
        return flat.abs().amax(dim=1) if flat.shape[1] else flat.new_zeros(flat.shape[0])
    return torch.linalg.vector_norm(flat, ord=p, dim=1)


def _randn(shape, gen: torch.Generator, like: torch.Tensor) -> torch.Tensor:
    out = torch.randn(shape, generator=gen, device=gen.device, dtype=like.dtype)
    return out.to(like.device)


def _rand(shape, gen: torch.Generator, like: torch.Tensor) -> torch.Tensor:
    out = torch.rand(shape, generator=gen, device=gen.device, dtype=like.dtype)
    return out.to(like.device)


def _input_grad(objective: torch.Tensor, x_adv: torch.Tensor) -> torch.Tensor:
    """d objective.sum() / d x_adv, zeros where the objective does not depend on the input."""
    if not objective.requires_grad:
        return torch.zeros_like(x_adv)
    (g,) = torch.autograd.grad(objective.sum(), x_adv, allow_unused=True)
    return torch.zeros_like(x_adv) if g is None else g


def _better(s_new, l_new, s_old, l_old):
    """Lexicographic (success, loss) comparison per example: is the new point strictly worse for the model."""
    return (s_new & ~s_old) | ((s_new == s_old) & (l_new > l_old))


def _merge(best, x, s, v):
    """Keep, per example, the lexicographically better of ``best = (x, success, value)`` and the new point."""
    if best is None:
        return x, s, v
    bx, bs, bv = best
    take = _better(s, v, bs, bv)
    return torch.where(_view(take, x), x, bx), torch.where(take, s, bs), torch.where(take, v, bv)


class _Ball:
    """The eps-ball (l-inf or l2) around x intersected with the domain: projection, steps, random starts."""

    def __init__(self, x: torch.Tensor, t: ThreatModel, domain):
        self.x, self.t, self.domain = x, t, domain
        self.eps = float(t.eps)
        self.kind = norm_name(t)
        if self.kind == "linf":
            lower, upper = x - self.eps, x + self.eps
            if domain is not None:
                lower, upper = lower.clamp(min=domain[0]), upper.clamp(max=domain[1])
            self.lower, self.upper = lower, upper

    def subset(self, idx: torch.Tensor) -> _Ball:
        return _Ball(self.x[idx], self.t, self.domain)

    def project(self, z: torch.Tensor) -> torch.Tensor:
        """Into the ball, then into the box (clipping moves every coordinate towards x: it stays in the ball)."""
        if self.kind == "linf":
            return torch.clamp(z, self.lower, self.upper)
        d = z - self.x
        n = _norms(d, 2.0)
        factor = torch.where(n > self.eps, self.eps / torch.where(n > 0, n, torch.ones_like(n)), torch.ones_like(n))
        return _core.clamp_domain(self.x + d * _view(factor, d), self.domain)

    def direction(self, g: torch.Tensor) -> torch.Tensor:
        """The steepest-ascent direction of unit norm: sign(g) for l-inf, g / ||g||_2 for l2 (0 for g = 0)."""
        if self.kind == "linf":
            return g.sign()
        n = _norms(g, 2.0)
        return g / _view(torch.where(n > 0, n, torch.ones_like(n)), g)

    def uniform(self, gen: torch.Generator) -> torch.Tensor:
        """A uniform point of the ball (l-inf: uniform coordinates; l2: Gaussian direction, radius eps U^(1/d))."""
        x = self.x
        if self.kind == "linf":
            return self.project(x + self.eps * (2 * _rand(x.shape, gen, x) - 1))
        n, d = x.shape[0], x[0].numel()
        u = _randn(x.shape, gen, x)
        un = _norms(u, 2.0)
        u = u / _view(torch.where(un > 0, un, torch.ones_like(un)), u)
        r = self.eps * _rand((n,), gen, x) ** (1.0 / d)
        return self.project(x + u * _view(r, u))

    def near_boundary(self, gen: torch.Generator) -> torch.Tensor:
        """APGD's start (croce2020's reference code): x + eps t / ||t||, t uniform (l-inf) or Gaussian (l2)."""
        x = self.x
        if self.kind == "linf":
            t = 2 * _rand(x.shape, gen, x) - 1
            n = _norms(t, math.inf)
        else:
            t = _randn(x.shape, gen, x)
            n = _norms(t, 2.0)
        return self.project(x + self.eps * t / _view(torch.where(n > 0, n, torch.ones_like(n)), t))


def _label_check(y):
    """A callable checking the labels against the first logits (once)."""
    state = {"done": False}

    def check(logits):
        if not state["done"]:
            check_labels(logits, y)
            state["done"] = True

    return check


def _ascend(model, ball: _Ball, objective, success, *, steps, alpha, x0, keep_best, evaluate_last, check=None):
    """Projected steepest ascent of ``objective(logits)`` (per example) from x0: the PGD loop.

    Returns ``(x, success, value)``: the per-example worst iterate when ``keep_best`` (iterates
    x_0, ..., x_steps), the last iterate otherwise (then success and value only when
    ``evaluate_last``, else None).
    """
    x_adv, best = x0, None
    for _ in range(steps):
        x_adv = x_adv.detach().requires_grad_(True)
        logits = model(x_adv)
        if check is not None:
            check(logits)
            check = None
        obj = objective(logits)
        if obj.shape != (x_adv.shape[0],):
            raise ValueError(f"the loss must return one value per example, shape ({x_adv.shape[0]},), "
                             f"got {tuple(obj.shape)}")
        g = _input_grad(obj, x_adv)
        x_cur = x_adv.detach()
        if keep_best:
            with torch.no_grad():
                best = _merge(best, x_cur, success(logits.detach()), obj.detach())
        with torch.no_grad():
            x_adv = ball.project(x_cur + alpha * ball.direction(g))
    x_adv = x_adv.detach()
    if not (keep_best or evaluate_last):
        return x_adv, None, None
    with torch.no_grad():
        logits = model(x_adv)
        return _merge(best, x_adv, success(logits), objective(logits))


def _threat_any(norm, eps) -> ThreatModel:
    """Like _core.threat, but any lp norm (strings "l1", "l3", ... too); the l0 norm is refused."""
    if isinstance(norm, str) and norm not in ATTACK_NORMS:
        norm = ThreatModel.parse(norm).norm
    t = threat(norm, eps)
    if t.norm == 0:
        raise ValueError(f"this attack needs an lp threat model with p >= 1, got {t}")
    return t


# ---------------------------------------------------------------------------------------------
# PGD and FGSM
# ---------------------------------------------------------------------------------------------


def pgd(model, x, y, *, eps=None, alpha=None, steps=10, norm="linf", restarts=1, random_start=True,
        generator=None, targeted=False, target=None, loss=None, domain=(0.0, 1.0), keep_best=True):
    """Projected gradient descent (ascent on the loss): the l-inf / l2 PGD attack of madry2018 section 2.

    x_{k+1} = Proj(x_k + alpha s_k), with s_k = sign(grad) for l-inf and grad / ||grad||_2 (per
    example) for l2, the gradient of the per-example loss with respect to the input only; Proj
    projects onto the eps-ball around x and then clips into the domain. The start x_0 is uniform
    in the ball (l-inf: uniform coordinates; l2: a Gaussian direction at radius eps U^(1/d)), or x.

    Per example the result is the worst case over the iterates x_0, ..., x_steps (``keep_best``,
    the default, like the robustness library's ``use_best``; it costs one extra forward pass)
    and over the restarts: a misclassified point first (targeted: one classified as the target),
    else the highest loss. With ``keep_best=False`` and one restart the result is the last
    iterate and the loop is the plain PGD loop (one forward and one input-backward per step).
    Restarts after the first run only on the examples not yet broken.

    Parameters
    ----------
    model : torch.nn.Module, binary single-logit (labels +-1) or multi-class (int64 labels)
    x : tensor (N, ...) in the domain
    y : tensor (N,), the true labels
    eps : float >= 0, the radius (omit when ``norm`` is a ThreatModel)
    alpha : step size, default 2.5 eps / steps (madry2018's choice, so that a path of ``steps``
        steps can cross the ball and back)
    steps : int >= 1
    norm : "linf", "l2" or a ThreatModel
    restarts : int >= 1 random starts (restarts > 1 needs ``random_start=True``)
    random_start : start uniformly in the ball (True) or at x
    generator : torch.Generator, int seed or None
    targeted : minimize the loss towards ``target`` instead of maximizing it at ``y``
    target : tensor (N,) of target labels; required iff ``targeted``
    loss : callable (logits, labels) -> per-example loss (N,); default
        :func:`empirical._core.loss_per_example` (logistic / cross-entropy)
    domain : (lo, hi) or None
    keep_best : return the worst iterate (True) or the last one

    Returns
    -------
    x_adv : tensor like x, detached, in the ball and the domain

    Raises
    ------
    ValueError
        For a bad eps, norm, steps, restarts or alpha, labels that do not suit the model, x outside
        the domain, ``targeted`` without ``target`` (or ``target`` without ``targeted``).

    Examples
    --------
    >>> import torch
    >>> model = torch.nn.Linear(6, 1)
    >>> x = torch.full((4, 6), 0.5); y = torch.tensor([1.0, -1.0, 1.0, -1.0])
    >>> x_adv = pgd(model, x, y, eps=0.1, norm="l2", generator=0)
    >>> bool((torch.linalg.vector_norm(x_adv - x, dim=1) <= 0.1 + 1e-6).all())
    True
    """
    t = threat(norm, eps)
    norm_name(t)
    steps = check_int(steps, "steps")
    restarts = check_int(restarts, "restarts")
    if restarts > 1 and not random_start:
        raise ValueError(f"restarts={restarts} needs random_start=True (without it every restart is the same run)")
    alpha = 2.5 * t.eps / steps if alpha is None else check_real(alpha, "alpha")
    loss_fn = loss_per_example if loss is None else loss
    if not callable(loss_fn):
        raise ValueError(f"loss must be a callable (logits, labels) -> per-example loss, got {loss!r}")
    if targeted and target is None:
        raise ValueError("targeted=True needs target (the labels to reach)")
    if target is not None and not targeted:
        raise ValueError("target was given but targeted=False; pass targeted=True for a targeted attack")
    x, y, domain = _check_inputs(model, x, y, domain)
    if targeted:
        target = torch.as_tensor(target, device=x.device)
        if target.shape != y.shape:
            raise ValueError(f"target must have shape {tuple(y.shape)}, got {tuple(target.shape)}")
    if t.eps == 0:
        return x.clone()
    ball = _Ball(x, t, domain)
    gen = as_generator(generator, x.device) if random_start else None
    with _attacking(model):
        out, done, value = None, None, None
        for r in range(restarts):
            if r == 0:
                idx, b = None, ball
            else:
                idx = (~done).nonzero().squeeze(1)
                if idx.numel() == 0:
                    break
                b = ball.subset(idx)
            yi = y if idx is None else y[idx]
            labels = (target if idx is None else target[idx]) if targeted else yi
            objective, success, check = _pgd_objective(loss_fn, labels, yi, targeted)
            x0 = b.uniform(gen) if random_start else b.x.clone()
            xr, sr, vr = _ascend(model, b, objective, success, steps=steps, alpha=alpha, x0=x0,
                                 keep_best=keep_best, evaluate_last=restarts > 1, check=check)
            if r == 0:
                out, done, value = xr, sr, vr
            else:
                take = _better(sr, vr, done[idx], value[idx])
                out[idx[take]], done[idx[take]], value[idx[take]] = xr[take], sr[take], vr[take]
        return out.detach()


def _pgd_objective(loss_fn, labels, y, targeted):
    """(objective to maximize, success test, label check) for pgd."""
    if targeted:
        def objective(logits):
            return -loss_fn(logits, labels)

        def success(logits):
            return correct(logits, labels)

        ck_y, ck_t = _label_check(y), _label_check(labels)

        def check(logits):
            ck_y(logits)
            ck_t(logits)
    else:
        def objective(logits):
            return loss_fn(logits, labels)

        def success(logits):
            return ~correct(logits, labels)

        check = _label_check(labels)
    return objective, success, check


def fgsm(model, x, y, *, eps=None, norm="linf", random_start=False, alpha=None, generator=None,
         domain=(0.0, 1.0)):
    """The fast gradient (sign) method: one step x + alpha s, s = sign(grad) (l-inf) or grad / ||grad||_2 (l2).

    Source: goodfellow2015 section 4 (FGSM, alpha = eps, start at x). With ``random_start=True``
    and the default alpha = 1.25 eps it is wong2020's "fast" FGSM-RS (Algorithm 3): start uniform
    in the ball, one step of 1.25 eps, project back. The result is projected onto the ball and
    clipped into the domain.

    Parameters
    ----------
    model, x, y, eps, norm, generator, domain : as in :func:`pgd`
    random_start : start uniformly in the ball (FGSM-RS) instead of at x
    alpha : step size; default eps (no random start) or 1.25 eps (random start)

    Returns
    -------
    x_adv : tensor like x, detached

    Raises
    ------
    ValueError
        As :func:`pgd`.

    Examples
    --------
    For a linear model one signed step of size eps is the exact l-inf worst case: the margin y z
    drops by eps ||w||_1 = 0.1 * 3.5.

    >>> import torch
    >>> from empirical.models import Linear
    >>> model = Linear.from_theory([1.0, -2.0, 0.5], b=1.0)
    >>> x, y = torch.full((2, 3), 0.5), torch.tensor([1.0, -1.0])
    >>> x_adv = fgsm(model, x, y, eps=0.1)
    >>> [round(v, 4) for v in (y * (model(x) - model(x_adv))).tolist()]
    [0.35, 0.35]
    >>> torch.equal(x_adv, linear_worst_case(model, x, y, eps=0.1))
    True
    """
    t = threat(norm, eps)
    if alpha is None:
        alpha = (1.25 if random_start else 1.0) * t.eps
    return pgd(model, x, y, norm=t, alpha=alpha, steps=1, random_start=random_start, generator=generator,
               domain=domain, keep_best=False)


# ---------------------------------------------------------------------------------------------
# TRADES
# ---------------------------------------------------------------------------------------------


def kl_divergence(logits_clean: torch.Tensor, logits_adv: torch.Tensor) -> torch.Tensor:
    """KL(p(x) || p(x')) per example, from the logits at the clean and at the perturbed input.

    p is the softmax for multi-class logits (N, C) and the Bernoulli distribution with P(+1) =
    sigmoid(z) for binary logits (N,) or (N, 1). TRADES' regularizer L(f(X), f(X')) with the
    cross-entropy's calibrated loss (zhang2019 eq. (5), Algorithm 1). Computed from log-softmax /
    log-sigmoid (no log of a rounded probability); differentiable in both arguments.

    Returns
    -------
    tensor (N,), >= 0 up to rounding

    Raises
    ------
    ValueError
        When the two logits have different shapes.

    Examples
    --------
    >>> import torch
    >>> round(float(kl_divergence(torch.tensor([0.0]), torch.tensor([0.0]))), 12)
    0.0
    """
    if logits_clean.shape != logits_adv.shape:
        raise ValueError(f"logits_clean {tuple(logits_clean.shape)} and logits_adv {tuple(logits_adv.shape)} "
                         "must have the same shape")
    if is_binary(logits_clean):
        zc, za = logits_clean.reshape(-1), logits_adv.reshape(-1)
        p = torch.sigmoid(zc)
        return p * (F.logsigmoid(zc) - F.logsigmoid(za)) + (1 - p) * (F.logsigmoid(-zc) - F.logsigmoid(-za))
    lp, lq = F.log_softmax(logits_clean, dim=1), F.log_softmax(logits_adv, dim=1)
    return (lp.exp() * (lp - lq)).sum(dim=1)


def trades_kl(model, x, *, eps=None, alpha=None, steps=10, norm="linf", generator=None, domain=(0.0, 1.0)):
    """TRADES' inner maximization: x' maximizing KL(p(x) || p(x')) over the ball (zhang2019 Algorithm 1).

    x'_0 = x + 0.001 N(0, I) (step 7: x is a global minimizer with zero gradient, hence the small
    random start), then ``steps`` times x' <- Proj(x' + alpha s) with s = sign(grad) (l-inf, step 9)
    or grad / ||grad||_2 (l2), the gradient of :func:`kl_divergence`; p(x) is computed once,
    in eval mode, and held fixed. The last iterate is returned. No labels are used (TRADES'
    regularizer is label-free).

    Parameters
    ----------
    model, x, eps, norm, generator, domain : as in :func:`pgd`
    alpha : step size, default 2.5 eps / steps (zhang2019 section 5 uses eta_1 = 0.007 at eps =
        0.031 with K = 10 on CIFAR-10, about 0.23 eps)
    steps : int >= 1, K

    Returns
    -------
    x_adv : tensor like x, detached, in the ball and the domain

    Raises
    ------
    ValueError
        For a bad eps, norm, steps or alpha, x outside the domain.

    Examples
    --------
    No labels; the result stays in the ball and moves the model's output distribution away from p(x):

    >>> import torch
    >>> from empirical.models import MLP
    >>> model = MLP(3, (8,), out=3, generator=0)
    >>> x = torch.rand(6, 3, generator=torch.Generator().manual_seed(0))
    >>> x_adv = trades_kl(model, x, eps=0.1, steps=5, generator=0)
    >>> bool(((x_adv - x).abs() <= 0.1 + 1e-6).all()), bool((kl_divergence(model(x), model(x_adv)) > 0).all())
    (True, True)
    """
    t = threat(norm, eps)
    norm_name(t)
    steps = check_int(steps, "steps")
    alpha = 2.5 * t.eps / steps if alpha is None else check_real(alpha, "alpha")
    x, _, domain = _check_inputs(model, x, None, domain)
    if t.eps == 0:
        return x.clone()
    ball = _Ball(x, t, domain)
    gen = as_generator(generator, x.device)
    with _attacking(model):
        with torch.no_grad():
            clean = model(x).detach()

        def objective(logits):
            return kl_divergence(clean, logits)

        x0 = x + 0.001 * _randn(x.shape, gen, x)
        out, _, _ = _ascend(model, ball, objective, None, steps=steps, alpha=alpha, x0=x0, keep_best=False,
                            evaluate_last=False)
        return out


# ---------------------------------------------------------------------------------------------
# APGD
# ---------------------------------------------------------------------------------------------


def dlr_loss(logits: torch.Tensor, y: torch.Tensor, target: torch.Tensor | None = None) -> torch.Tensor:
    """The difference-of-logits-ratio loss of croce2020 section 4 (eq. (6)), per example.

    Untargeted: -(z_y - max_{i != y} z_i) / (z_pi1 - z_pi3 + 1e-12), needs C >= 3 classes;
    targeted at t: -(z_y - z_t) / (z_pi1 - (z_pi3 + z_pi4) / 2 + 1e-12), needs C >= 4; z_pi1 >= z_pi2
    >= ... are the sorted logits. Invariant to shifting and (positively) rescaling the logits.

    Raises
    ------
    ValueError
        For binary logits or too few classes.

    Examples
    --------
    Sorted logits (3, 1, 0) with y = 0: -(3 - 1) / (3 - 0) = -2/3; shifting and rescaling the logits
    changes nothing.

    >>> import torch
    >>> z, y = torch.tensor([[3.0, 1.0, 0.0]]), torch.tensor([0])
    >>> dlr_loss(z, y)
    tensor([-0.6667])
    >>> torch.allclose(dlr_loss(5 * z - 2, y), dlr_loss(z, y))
    True
    """
    if is_binary(logits):
        raise ValueError("the DLR loss needs a multi-class model (>= 3 classes); use loss='margin' for a "
                         "binary single-logit model")
    c = logits.shape[1]
    need = 3 if target is None else 4
    if c < need:
        raise ValueError(f"the {'targeted ' if target is not None else ''}DLR loss needs >= {need} classes, "
                         f"the model has {c}; use loss='margin' or 'ce'")
    top = logits.topk(need, dim=1).values
    zy = logits.gather(1, y[:, None]).squeeze(1)
    if target is None:
        return -_core.margin(logits, y) / (top[:, 0] - top[:, 2] + 1e-12)
    zt = logits.gather(1, target[:, None]).squeeze(1)
    return -(zy - zt) / (top[:, 0] - 0.5 * (top[:, 2] + top[:, 3]) + 1e-12)


_APGD_LOSSES = ("ce", "dlr", "margin")


def _apgd_objective(loss: str, y, target):
    """The objective APGD maximizes: CE, DLR or margin, untargeted (target None) or targeted."""
    if loss == "dlr":
        return lambda logits: dlr_loss(logits, y, target)
    if loss == "ce":
        if target is None:
            return lambda logits: loss_per_example(logits, y)
        return lambda logits: -loss_per_example(logits, target)
    # margin
    if target is None:
        return lambda logits: -_core.margin(logits, y)

    def targeted_margin(logits):
        if is_binary(logits):
            return -_core.margin(logits, y)
        return -(logits.gather(1, y[:, None]) - logits.gather(1, target[:, None])).squeeze(1)

    return targeted_margin


def _apgd_checkpoints(steps: int) -> set:
    """croce2020 section 3.2's checkpoints w_j = ceil(p_j N).

    p_0 = 0, p_1 = 0.22, p_{j+1} = p_j + max(p_j - p_{j-1} - 0.03, 0.06); N = 100 gives 22, 41, 57, 70, 80, 87, 93, 99.
    """
    p = [0.0, 0.22]
    while p[-1] < 1.0:
        p.append(round(p[-1] + max(p[-1] - p[-2] - 0.03, 0.06), 10))
    return {math.ceil(round(q * steps, 9)) for q in p[1:] if q <= 1.0}


def _apgd_run(model, ball: _Ball, objective, success, *, steps, rho, checkpoints, gen):
    """One APGD run (croce2020 Algorithm 1): returns the per-example worst point (x, misclassified, objective)."""

    def evaluate(x_adv, grad):
        if not grad:
            with torch.no_grad():
                logits = model(x_adv)
                return objective(logits), success(logits), None
        x_adv = x_adv.detach().requires_grad_(True)
        logits = model(x_adv)
        obj = objective(logits)
        return obj.detach(), success(logits.detach()), _input_grad(obj, x_adv)

    x_cur = ball.near_boundary(gen)
    obj, succ, g = evaluate(x_cur, True)
    result = (x_cur, succ, obj)
    best_x, best_obj, best_g = x_cur, obj, g
    step = torch.full((x_cur.shape[0],), 2.0 * ball.eps, dtype=x_cur.dtype, device=x_cur.device)
    x_prev, obj_prev = x_cur, obj
    n_up = torch.zeros_like(obj)
    reduced_last = torch.ones_like(succ)
    best_last = best_obj.clone()
    last_w = 0
    with torch.no_grad():
        for k in range(1, steps + 1):
            a = 1.0 if k == 1 else 0.75  # momentum alpha = 0.75; the first step has none
            z = ball.project(x_cur + _view(step, x_cur) * ball.direction(g))
            x_new = ball.project(x_cur + a * (z - x_cur) + (1 - a) * (x_cur - x_prev))
            x_prev, x_cur = x_cur, x_new
            with torch.enable_grad():
                obj, succ, g_new = evaluate(x_cur, k < steps)
            g = g_new if g_new is not None else g
            n_up += (obj > obj_prev).to(n_up.dtype)
            obj_prev = obj
            up = obj > best_obj
            best_x = torch.where(_view(up, x_cur), x_cur, best_x)
            best_g = torch.where(_view(up, g), g, best_g)
            best_obj = torch.where(up, obj, best_obj)
            result = _merge(result, x_cur, succ, obj)
            if k in checkpoints and k < steps:
                # condition 1: too few steps increased the objective since the last checkpoint;
                # condition 2: step size not halved at the last checkpoint and no better point since
                halve = (n_up < rho * (k - last_w)) | (~reduced_last & (best_obj <= best_last))
                hv = _view(halve, x_cur)
                step = torch.where(halve, step / 2, step)
                x_cur = torch.where(hv, best_x, x_cur)  # restart from the best point
                g = torch.where(hv, best_g, g)
                obj_prev = torch.where(halve, best_obj, obj_prev)
                reduced_last, best_last, last_w = halve, best_obj.clone(), k
                n_up.zero_()
    return result


def apgd(model, x, y, *, eps=None, norm="linf", steps=100, loss="ce", restarts=1, targeted=False,
         n_target_classes=9, generator=None, domain=(0.0, 1.0), rho=0.75):
    """Auto-PGD, APGD (croce2020 Algorithm 1, section 3): PGD with momentum and an adaptive step size.

    Step size eta = 2 eps at first; z = Proj(x_k + eta s(grad)), x_{k+1} = Proj(x_k + 0.75 (z - x_k)
    + 0.25 (x_k - x_{k-1})) (no momentum on the first step); at the checkpoints w_j = ceil(p_j N),
    p_0 = 0, p_1 = 0.22, p_{j+1} = p_j + max(p_j - p_{j-1} - 0.03, 0.06), per example, the step size
    is halved and the iterate restarted from the best point found when (a) fewer than rho (w_j -
    w_{j-1}) of the steps since the last checkpoint increased the objective, or (b) the step size
    was not halved at the last checkpoint and the best objective has not improved since. The start
    is x + eps t / ||t|| (t uniform for l-inf, Gaussian for l2), as in the reference code.

    Per example the result is a misclassified point if any iterate of any run was one, else the
    point of highest objective. As in croce2020, examples the model already misclassifies are
    returned unchanged, and each restart (and each target) runs only on the examples not yet
    broken. Targeted mode runs once per target: the classes ranked 2, 3, ..., n_target_classes + 1
    by the clean logits (APGD-T); success still means misclassification.

    Losses (maximized): ``"ce"`` the cross-entropy (logistic loss for binary; targeted: minus the
    CE at the target); ``"dlr"`` croce2020's DLR loss (:func:`dlr_loss`; untargeted needs >= 3
    classes, targeted >= 4); ``"margin"`` minus the margin, -(z_y - max_{i != y} z_i) or -y z for
    binary (targeted: -(z_y - z_t)), the loss to use for binary single-logit models in place of DLR.

    Parameters
    ----------
    model, x, y, eps, norm, generator, domain : as in :func:`pgd`
    steps : int >= 1, N (number of iterations, 100 in croce2020)
    loss : "ce", "dlr" or "margin"
    restarts : int >= 1 random starts per (target) run
    targeted : run APGD-T over the top ``n_target_classes`` other classes (binary: the one other)
    n_target_classes : int >= 1, capped at C - 1
    rho : in (0, 1], the threshold of condition (a) (0.75)

    Returns
    -------
    x_adv : tensor like x, detached, in the ball and the domain

    Raises
    ------
    ValueError
        For a bad parameter, the DLR loss on a model with too few classes (binary single-logit,
        2 classes, or 3 classes when targeted), and as :func:`pgd`.

    Examples
    --------
    On a linear model the margin loss is linear, so APGD reaches the exact worst case (the vertex
    x - y eps sign(w) for a binary model) that :func:`linear_worst_case` computes in closed form:

    >>> import torch
    >>> from empirical.models import Linear
    >>> model = Linear.from_theory([1.0, -2.0, 0.5], b=1.0)
    >>> x, y = torch.full((2, 3), 0.5), torch.tensor([1.0, 1.0])
    >>> x_adv = apgd(model, x, y, eps=0.1, loss="margin", steps=10, generator=0)
    >>> torch.allclose(x_adv, linear_worst_case(model, x, y, eps=0.1))
    True
    """
    t = threat(norm, eps)
    norm_name(t)
    steps = check_int(steps, "steps")
    restarts = check_int(restarts, "restarts")
    n_target_classes = check_int(n_target_classes, "n_target_classes")
    if loss not in _APGD_LOSSES:
        raise ValueError(f"loss must be one of {_APGD_LOSSES}, got {loss!r}")
    if isinstance(rho, bool) or not isinstance(rho, numbers.Real) or not 0 < rho <= 1:
        raise ValueError(f"rho must be a number in (0, 1], got {rho!r}")
    x, y, domain = _check_inputs(model, x, y, domain)
    with _attacking(model):
        with torch.no_grad():
            logits = model(x)
        check_labels(logits, y)
        binary = is_binary(logits)
        if loss == "dlr":  # raises for too few classes
            dlr_loss(logits[:1], y[:1], y[:1] if targeted else None)
        out = x.clone()
        if t.eps == 0:
            return out
        done = ~correct(logits, y)
        best = torch.full((x.shape[0],), -math.inf, dtype=logits.dtype, device=x.device)
        if targeted:
            n_runs = 1 if binary else min(n_target_classes, logits.shape[1] - 1)
            order = None if binary else logits.argsort(dim=1, descending=True)
        else:
            n_runs, order = 1, None
        ball = _Ball(x, t, domain)
        gen = as_generator(generator, x.device)
        checkpoints = _apgd_checkpoints(steps)
        for r in range(n_runs):
            for _ in range(restarts):
                idx = (~done).nonzero().squeeze(1)
                if idx.numel() == 0:
                    break
                yi = y[idx]
                if not targeted:
                    ti = None
                elif binary:
                    ti = -yi
                else:
                    ti = order[idx, r + 1]
                objective = _apgd_objective(loss, yi, ti)

                def misclassified(lg, yi=yi):
                    return ~correct(lg, yi)

                xr, sr, vr = _apgd_run(model, ball.subset(idx), objective, misclassified, steps=steps, rho=rho,
                                       checkpoints=checkpoints, gen=gen)
                take = sr | (vr > best[idx])
                out[idx[take]] = xr[take]
                best[idx[take]] = vr[take].to(best.dtype)
                done[idx[sr]] = True
        return out.detach()


# ---------------------------------------------------------------------------------------------
# exact and brute-force attacks
# ---------------------------------------------------------------------------------------------


def _linear_layer(model):
    """The single nn.Linear of a model that has parameters nowhere else; ValueError otherwise."""
    lins = [m for m in model.modules() if isinstance(m, torch.nn.Linear)]
    if len(lins) != 1:
        raise ValueError(f"linear_worst_case needs a linear model with exactly one nn.Linear layer, found {len(lins)}"
                         " (pass weights=(W, b) for another parametrization)")
    lin = lins[0]
    for m in model.modules():
        if m is not lin and (any(True for _ in m.parameters(recurse=False))
                             or any(True for _ in m.buffers(recurse=False))):
            raise ValueError(f"linear_worst_case needs a linear model; {type(m).__name__} has parameters or buffers "
                             "outside its nn.Linear layer")
    w = lin.weight.detach()
    b = lin.bias.detach() if lin.bias is not None else torch.zeros(w.shape[0], dtype=w.dtype, device=w.device)
    return w, b


def _as_weights(weights, like):
    try:
        w, b = weights
    except (TypeError, ValueError):
        raise ValueError("weights must be a pair (W, b): W of shape (C, d) or (d,), b of shape (C,) or None") from None
    w = torch.as_tensor(w).detach().to(device=like.device, dtype=like.dtype)
    if w.ndim == 1:
        w = w[None, :]
    if w.ndim != 2:
        raise ValueError(f"W must have shape (C, d) or (d,), got {tuple(w.shape)}")
    if b is None:
        b = torch.zeros(w.shape[0], dtype=like.dtype, device=like.device)
    b = torch.as_tensor(b).detach().to(device=like.device, dtype=like.dtype).reshape(-1)
    if b.shape != (w.shape[0],):
        raise ValueError(f"b must have shape ({w.shape[0]},) to match W {tuple(w.shape)}, got {tuple(b.shape)}")
    return w, b


def _check_affine(model, x, w, b, what):
    """ValueError unless model(x) is the affine map x.flatten(1) @ W.T + b (up to rounding)."""
    with torch.no_grad():
        out = model(x)
        lin = x.flatten(1) @ w.T + b
        if is_binary(out) and w.shape[0] == 1:
            out, lin = out.reshape(-1), lin.reshape(-1)
        scale = 1.0 + float((x.flatten(1).abs() @ w.abs().T + b.abs()).max()) if x.shape[0] else 1.0
        if out.shape != lin.shape or not torch.allclose(out.to(lin.dtype), lin, rtol=1e-4, atol=1e-4 * scale):
            raise ValueError(f"the model is not the linear map of its nn.Linear layer at the {what} points "
                             "(a nonlinearity or another layer?); linear_worst_case is exact only for linear models")


def _project_lp(x_adv, x, p, eps):
    """Shrink x_adv - x back into the lp ball (it leaves it only by rounding)."""
    d = x_adv - x
    if math.isinf(p):
        return x + d.clamp(-eps, eps)
    n = _norms(d, p)
    factor = torch.where(n > eps, eps / torch.where(n > 0, n, torch.ones_like(n)), torch.ones_like(n))
    return x + d * _view(factor, d)


def flip_attack(model, x, y, *, flips: int, batch_size: int = 2048):
    """The l0 adversary on the cube {-1, 1}^d (shaeiri2020's Bernoulli model): change up to ``flips`` signs.

    Greedy, for a binary single-logit model and x in {-1, 1}^d: in each of ``flips`` rounds, for the
    examples the model still classifies correctly, try every single sign change of a coordinate not yet
    changed and keep the one with the lowest margin y z. For a linear model z = w.x + b, changing
    coordinate i moves the margin by -2 y w_i x_i whatever else was changed, so the greedy choice (the
    largest decreases first) is the exact worst case; for a network it is a heuristic, a lower bound of
    the robust error. Returns the perturbed inputs (detached); at most ``flips`` coordinates differ.

    Examples
    --------
    >>> from empirical.models import Linear
    >>> model = Linear.from_theory([3.0, 1.0, 1.0], b=0.5).eval()  # margin 5.5 at x = 1, y = +1
    >>> x, y = torch.ones(1, 3), torch.ones(1)
    >>> flip_attack(model, x, y, flips=1)  # the heaviest weight goes first: margin 5.5 - 6 < 0
    tensor([[-1.,  1.,  1.]])
    >>> flip_attack(model, x, y, flips=0).equal(x)
    True
    """
    flips = check_int(flips, "flips", minimum=0)
    n, d = x.shape
    cur = x.detach().clone()
    changed = torch.zeros(n, d, dtype=torch.bool, device=x.device)
    eye = 1.0 - 2.0 * torch.eye(d, dtype=x.dtype, device=x.device)
    with torch.no_grad():
        for _ in range(min(flips, d)):
            for lo in range(0, n, batch_size):
                sl = slice(lo, lo + batch_size)
                xc, yc = cur[sl], y[sl]
                alive = predict(model(xc)) == yc.to(xc.dtype)
                if not alive.any():
                    continue
                cand = (xc[:, None, :] * eye[None]).reshape(-1, d)  # row (j, i): xc[j] with coordinate i changed
                m = margin(model(cand), yc.repeat_interleave(d)).reshape(-1, d)
                m = m.masked_fill(changed[sl], float("inf"))
                best = m.argmin(dim=1)
                rows = torch.nonzero(alive).reshape(-1)
                cur[lo + rows, best[rows]] *= -1.0
                changed[lo + rows, best[rows]] = True
    return cur


def linear_worst_case(model, x, y, *, eps=None, norm="linf", domain=None, weights=None):
    """The exact worst case of a linear model in any lp ball, 1 <= p <= inf: the point that minimizes the margin.

    Binary single logit z = w.x + b, labels +-1: x' = x + y delta*, delta* = argmin_{||delta||_p <=
    eps} w.delta = :func:`theory.attacks.worst_case_delta` (Hoelder's equality case), so the margin
    y z drops by exactly eps ||w||_q (q the dual exponent), the most any point of the ball can.

    Multi-class z = W x + b: min over the ball of the margin z_y - max_{i != y} z_i equals min over
    targets t != y of min over the ball of (w_y - w_t).x' + b_y - b_t (two minima commute), and each
    inner minimum is Hoelder's again: x + worst_case_delta(w_y - w_t). The attack takes, per
    example, the per-target best point of the target with the smallest resulting margin: exact for
    the margin (and so for the 0-1 loss) for every C, and for the cross-entropy too when C = 2 (a
    monotone function of the margin). With C > 2 the cross-entropy's maximizer can differ.

    With a ``domain`` the points are clipped into it (the margins compared after clipping): still
    exact for l-inf (the problem separates by coordinate), a feasible point but not necessarily
    the optimum for other norms.

    The weights come from the model's single ``nn.Linear`` layer (any flattening before it is
    allowed; no other parameters), and the model's output is checked to equal the affine map at x
    and at the result; or give ``weights=(W, b)`` (then the model is not called and may be None).

    Parameters
    ----------
    model : torch.nn.Module or None (with ``weights``)
    x : tensor (N, ...) with d = W.shape[1] features per example
    y : tensor (N,): +-1 for one output, class indices for C >= 2 outputs
    eps : float >= 0 (omit with a ThreatModel)
    norm : "linf", "l2", "l1", any p >= 1, or a ThreatModel
    domain : (lo, hi) or None (default: the theory's unbounded inputs)
    weights : optional (W, b), W (C, d) or (d,) for one output, b (C,) or None

    Returns
    -------
    x_adv : tensor like x, detached

    Raises
    ------
    ValueError
        For a model that is not linear (not exactly one nn.Linear, other parameters, or an output
        that differs from the affine map), a norm outside [1, inf], mismatched shapes or labels.

    Examples
    --------
    >>> import torch
    >>> lin = torch.nn.Linear(2, 1)
    >>> with torch.no_grad():
    ...     _ = lin.weight.copy_(torch.tensor([[1.0, -2.0]])); _ = lin.bias.zero_()
    >>> linear_worst_case(lin, torch.tensor([[1.0, 0.0]]), torch.tensor([1.0]), eps=0.1)
    tensor([[0.9000, 0.1000]])
    """
    t = _threat_any(norm, eps)
    if weights is None:
        _check_model(model)
    elif not isinstance(x, torch.Tensor):
        raise ValueError(f"x must be a floating-point torch.Tensor, got {type(x).__name__}")
    if weights is None:
        x, y, domain = _check_inputs(model, x, y, domain)
        w, b = _linear_layer(model)
        w, b = w.to(device=x.device, dtype=x.dtype), b.to(device=x.device, dtype=x.dtype)
    else:
        x, y, domain = _check_inputs(torch.nn.Identity(), x, y, domain)
        w, b = _as_weights(weights, x)
    xf = x.flatten(1)
    if xf.shape[1] != w.shape[1]:
        raise ValueError(f"x has {xf.shape[1]} features per example, the linear layer takes {w.shape[1]}")
    binary = w.shape[0] == 1
    z = xf @ w.T + b
    check_labels(z.reshape(-1) if binary else z, y)
    guard = _attacking(model) if weights is None else contextlib.nullcontext()
    with guard:
        if weights is None:
            _check_affine(model, x, w, b, "clean")
        w64 = w.double().cpu().numpy()
        if binary:
            delta = torch.as_tensor(worst_case_delta(w64[0], t), dtype=x.dtype, device=x.device)
            out = _core.clamp_domain(xf + y.to(x.dtype)[:, None] * delta[None, :], domain)
        else:
            out, best = xf.clone(), torch.full((xf.shape[0],), math.inf, dtype=x.dtype, device=x.device)
            rows = torch.arange(xf.shape[0], device=x.device)
            for tc in range(w.shape[0]):
                deltas = np.stack([worst_case_delta(w64[a] - w64[tc], t) for a in range(w.shape[0])])
                cand = _core.clamp_domain(xf + torch.as_tensor(deltas, dtype=x.dtype, device=x.device)[y], domain)
                zc = cand @ w.T + b
                m = zc[rows, y] - zc[:, tc]
                take = (y != tc) & (m < best)
                out[take], best[take] = cand[take], m[take]
        out = _core.clamp_domain(_project_lp(out, xf, t.norm, t.eps), domain).reshape(x.shape)
        if weights is None:
            _check_affine(model, out, w, b, "adversarial")
    return out.detach()


def random_sign(model, x, y, *, eps=None, samples=100, norm="linf", generator=None, domain=(0.0, 1.0)):
    """Brute force without gradients: the worst of ``samples`` random points x + eps s per example.

    l-inf: s uniform on the vertices {-1, 1}^d of the cube; l2: s uniform on the unit sphere. Each
    point is clipped into the domain. The clean x is a candidate too, so the result is never
    better for the model than x. "Worst" is: misclassified first, else the highest loss
    (:func:`empirical._core.loss_per_example`). A check that gradient attacks are not fooled by
    masked gradients: a gradient attack should do at least as well.

    Parameters
    ----------
    model, x, y, eps, norm, generator, domain : as in :func:`pgd`
    samples : int >= 1 random points per example

    Returns
    -------
    x_adv : tensor like x, detached

    Raises
    ------
    ValueError
        As :func:`pgd`, and for a bad ``samples``.

    Examples
    --------
    In 3 dimensions 100 random vertices of the cube include the worst one, which for a linear model
    is the exact worst case:

    >>> import torch
    >>> from empirical.models import Linear
    >>> model = Linear.from_theory([1.0, -2.0, 0.5], b=1.0)
    >>> x, y = torch.full((2, 3), 0.5), torch.tensor([1.0, -1.0])
    >>> torch.equal(random_sign(model, x, y, eps=0.1, generator=0), linear_worst_case(model, x, y, eps=0.1))
    True
    """
    t = threat(norm, eps)
    kind = norm_name(t)
    samples = check_int(samples, "samples")
    x, y, domain = _check_inputs(model, x, y, domain)
    gen = as_generator(generator, x.device)
    n = x.shape[0]
    with eval_mode(model), preserved_grads(model), torch.no_grad():
        logits = model(x)
        check_labels(logits, y)
        best = (x.clone(), ~correct(logits, y), loss_per_example(logits, y))
        if t.eps == 0 or n == 0:
            return best[0]
        ball = _Ball(x, t, domain)
        chunk = max(1, min(samples, 4096 // max(n, 1)))
        yy = y.repeat(chunk)
        drawn = 0
        while drawn < samples:
            k = min(chunk, samples - drawn)
            shape = (k,) + tuple(x.shape)
            if kind == "linf":
                s = 2 * (_rand(shape, gen, x) < 0.5).to(x.dtype) - 1
            else:
                s = _randn(shape, gen, x)
                s = s / _norms(s.reshape(k * n, -1), 2.0).clamp_min(1e-30).reshape((k, n) + (1,) * (x.ndim - 1))
            cand = torch.stack([ball.project(x + t.eps * s[j]) for j in range(k)])
            flat = cand.reshape((k * n,) + tuple(x.shape[1:]))
            lg = model(flat)
            s_all = (~correct(lg, yy[: k * n])).reshape(k, n)
            l_all = loss_per_example(lg, yy[: k * n]).reshape(k, n)
            for j in range(k):
                best = _merge(best, cand[j], s_all[j], l_all[j])
            drawn += k
        return best[0].detach()


def unbounded(model, x, y, *, steps=100, generator=None):
    """Gradient steps with no ball and no box, of growing size, until every example is misclassified.

    A sanity check, not a threat model: an attack pipeline that cannot drive the accuracy of a
    non-constant model to 0 with unlimited perturbations is broken (gradient masking, a wrong
    sign, a detached input). Per example, step k moves by alpha_k g / ||g||_2 with g the gradient of
    minus the margin (:func:`empirical._core.margin`: it does not saturate like the cross-entropy),
    or a random Gaussian direction where g = 0, and alpha_k = 0.01 s 1.2^k with s = max(mean
    ||x_i||_2, 1); an example stops moving at its first misclassified iterate.

    Parameters
    ----------
    model, x, y, generator : as in :func:`pgd` (x may lie anywhere)
    steps : int >= 1

    Returns
    -------
    x_adv : tensor like x, detached (no bound on ||x_adv - x||)

    Examples
    --------
    With no bound every example of a (non-constant) model ends up misclassified:

    >>> import torch
    >>> from empirical.models import Linear
    >>> model = Linear(4, 3, generator=0)
    >>> x = torch.rand(6, 4, generator=torch.Generator().manual_seed(0))
    >>> y = model(x).argmax(1)
    >>> (model(unbounded(model, x, y, generator=0)).argmax(1) != y).tolist()
    [True, True, True, True, True, True]
    """
    steps = check_int(steps, "steps")
    x, y, _ = _check_inputs(model, x, y, None)
    gen = as_generator(generator, x.device)
    scale = max(float(_norms(x, 2.0).mean()) if x.shape[0] else 1.0, 1.0)
    with _attacking(model):
        x_adv = x.clone()
        for k in range(steps):
            x_adv = x_adv.detach().requires_grad_(True)
            logits = model(x_adv)
            if k == 0:
                check_labels(logits, y)
            active = correct(logits.detach(), y)
            if not bool(active.any()):
                break
            g = _input_grad(-_core.margin(logits, y), x_adv)
            with torch.no_grad():
                gn = _norms(g, 2.0)
                dead = gn == 0
                if bool((dead & active).any()):
                    r = _randn(g.shape, gen, g)
                    g = torch.where(_view(dead, g), r, g)
                    gn = _norms(g, 2.0)
                d = g / _view(torch.where(gn > 0, gn, torch.ones_like(gn)), g)
                alpha = 0.01 * scale * 1.2**k
                x_adv = torch.where(_view(active, d), x_adv.detach() + alpha * d, x_adv.detach())
        return x_adv.detach()


# ---------------------------------------------------------------------------------------------
# composition
# ---------------------------------------------------------------------------------------------


def _short(v) -> str:
    if isinstance(v, torch.Generator):
        return "<torch.Generator>"
    if isinstance(v, torch.Tensor):
        return f"<tensor {tuple(v.shape)}>"
    if callable(v) and hasattr(v, "__name__"):
        return v.__name__
    return repr(v)


class BoundAttack:
    """An attack with its keyword arguments bound: ``(model, x, y) -> x_adv`` (see :func:`bind`).

    Attributes
    ----------
    fn : the attack function
    kwargs : dict of the bound keyword arguments

    Examples
    --------
    >>> import torch
    >>> atk = bind(pgd, eps=0.1, steps=5)
    >>> isinstance(atk, BoundAttack), atk.kwargs, atk.threat
    (True, {'eps': 0.1, 'steps': 5}, ThreatModel(norm=inf, eps=0.1))
    >>> atk(torch.nn.Linear(4, 3), torch.full((2, 4), 0.5), torch.tensor([0, 2])).shape
    torch.Size([2, 4])
    """

    def __init__(self, fn, kwargs):
        if not callable(fn):
            raise ValueError(f"attack_fn must be callable, got {fn!r}")
        try:
            inspect.signature(fn).bind_partial(None, None, None, **kwargs)
        except TypeError as exc:
            raise TypeError(f"{getattr(fn, '__name__', fn)} does not take these arguments: {exc}") from None
        except ValueError:  # no signature (a builtin): accept
            pass
        self.fn, self.kwargs = fn, dict(kwargs)

    def __call__(self, model, x, y):
        return self.fn(model, x, y, **self.kwargs)

    @property
    def threat(self):
        """The threat model named by the bound ``eps`` / ``norm`` (None where they do not name one)."""
        norm, eps = self.kwargs.get("norm", "linf"), self.kwargs.get("eps")
        if eps is None and not isinstance(norm, ThreatModel):
            return None
        try:
            return _threat_any(norm, eps)
        except ValueError:
            return None

    def __repr__(self):
        name = getattr(self.fn, "__name__", repr(self.fn))
        return f"{name}({', '.join(f'{k}={_short(v)}' for k, v in self.kwargs.items())})"


def bind(attack_fn, **kwargs) -> BoundAttack:
    """``attack_fn`` with keyword arguments bound, as a callable ``(model, x, y) -> x_adv`` with a readable repr.

    What :func:`ensemble` and ``empirical.evaluate.robust_accuracy(model, x, y, attack)`` call.
    The keywords are checked against ``attack_fn``'s signature at once.

    Raises
    ------
    TypeError
        For a keyword ``attack_fn`` does not take.

    Examples
    --------
    >>> bind(apgd, eps=8 / 255, loss="dlr")
    apgd(eps=0.03137254901960784, loss='dlr')
    """
    return BoundAttack(attack_fn, kwargs)


class Ensemble:
    """The per-example worst case over attacks ``(model, x, y) -> x_adv``, AutoAttack style (see :func:`ensemble`).

    Examples
    --------
    FGSM is exact for a linear model, so the worst case over it and a random search is FGSM's point:

    >>> import torch
    >>> from empirical.models import Linear
    >>> model = Linear.from_theory([1.0, -2.0, 0.5], b=1.0)
    >>> x, y = torch.full((2, 3), 0.5), torch.tensor([1.0, 1.0])
    >>> atk = Ensemble(bind(random_sign, eps=0.1, samples=3, generator=0), bind(fgsm, eps=0.1))
    >>> torch.equal(atk(model, x, y), fgsm(model, x, y, eps=0.1))
    True
    """

    def __init__(self, *attacks):
        if not attacks:
            raise ValueError("ensemble needs at least one attack")
        for a in attacks:
            if not callable(a):
                raise ValueError(f"every attack must be a callable (model, x, y) -> x_adv, got {a!r}")
        self.attacks = tuple(attacks)

    def __call__(self, model, x, y):
        x, y, _ = _check_inputs(model, x, y, None)
        with eval_mode(model), preserved_grads(model), torch.no_grad():
            logits = model(x)
            check_labels(logits, y)
            out = x.clone()
            broken = ~correct(logits, y)
            value = loss_per_example(logits, y)
            for attack in self.attacks:
                idx = (~broken).nonzero().squeeze(1)
                if idx.numel() == 0:
                    break
                yi = y[idx]
                with torch.enable_grad():
                    adv = attack(model, x[idx], yi)
                if not isinstance(adv, torch.Tensor) or adv.shape != x[idx].shape:
                    raise ValueError(f"attack {attack!r} returned {type(adv).__name__} "
                                     f"{tuple(getattr(adv, 'shape', ()))}, expected shape {tuple(x[idx].shape)}")
                adv = adv.detach().to(device=x.device, dtype=x.dtype)
                la = model(adv)
                b = ~correct(la, yi)
                va = loss_per_example(la, yi)
                take = b | (va > value[idx])
                out[idx[take]], value[idx[take]] = adv[take], va[take]
                broken[idx[b]] = True
            return out

    def __repr__(self):
        return f"ensemble({', '.join(repr(a) for a in self.attacks)})"


def ensemble(*attacks) -> Ensemble:
    """The per-example worst case over attacks, each a callable ``(model, x, y) -> x_adv``.

    As AutoAttack (croce2020 section 4): an example counts as broken by the first attack that
    breaks it (examples the model misclassifies already are broken by x itself), and each later
    attack runs only on the examples still classified correctly. For an example no attack breaks,
    the result is the member output (or x) of highest loss (:func:`empirical._core.loss_per_example`).
    Each member keeps its own threat model: the result lies in a ball if every member's does.

    Returns
    -------
    Ensemble, callable ``(model, x, y) -> x_adv``

    Raises
    ------
    ValueError
        For no attacks or a non-callable one; at call time for a member output of the wrong shape.

    Examples
    --------
    >>> atk = ensemble(bind(fgsm, eps=0.1), bind(pgd, eps=0.1, steps=20))
    >>> atk
    ensemble(fgsm(eps=0.1), pgd(eps=0.1, steps=20))
    """
    return Ensemble(*attacks)


class _TargetedAPGD:
    """auto_attack's second member: APGD-T with the targeted DLR loss, the margin loss where DLR needs more classes."""

    def __init__(self, **kwargs):
        self.kwargs = kwargs

    def __call__(self, model, x, y):
        with eval_mode(model), preserved_grads(model), torch.no_grad():
            logits = model(x[:1])
        dlr_ok = not is_binary(logits) and logits.shape[1] >= 4
        return apgd(model, x, y, targeted=True, loss="dlr" if dlr_ok else "margin", **self.kwargs)

    def __repr__(self):
        return f"apgd_t({', '.join(f'{k}={_short(v)}' for k, v in self.kwargs.items())})"


def auto_attack(eps=None, norm="linf", steps=100, n_target_classes=9, generator=None, domain=(0.0, 1.0)) -> Ensemble:
    """croce2020's parameter-free ensemble, its two gradient attacks: APGD-CE, then APGD-T (targeted DLR).

    ``ensemble(apgd(loss="ce"), apgd(targeted=True, loss="dlr", n_target_classes))``; for a binary
    single-logit model and for models with fewer than 4 classes (where the targeted DLR loss is
    undefined) the second member uses the (targeted) margin loss instead. AutoAttack's standard
    version adds FAB-T and Square, which this package does not implement, so the robust accuracy
    under this ensemble is an upper bound on the one under the full AutoAttack.

    Parameters
    ----------
    eps : float >= 0, or a ThreatModel (then ``norm`` is ignored)
    norm : "linf" or "l2"
    steps : APGD iterations per run (100)
    n_target_classes : targets of APGD-T (9)
    generator : torch.Generator, int seed or None, shared by both members
    domain : (lo, hi) or None

    Returns
    -------
    Ensemble, callable ``(model, x, y) -> x_adv``

    Raises
    ------
    ValueError
        For a bad eps, norm, steps or n_target_classes.

    Examples
    --------
    On a 3-class linear model the ensemble breaks exactly the examples the exact worst case breaks:

    >>> import torch
    >>> from empirical.models import Linear
    >>> model = Linear(4, 3, generator=0)
    >>> x = torch.rand(6, 4, generator=torch.Generator().manual_seed(0)); y = model(x).argmax(1)
    >>> x_adv = auto_attack(0.1, steps=20, generator=0)(model, x, y)
    >>> x_exact = linear_worst_case(model, x, y, eps=0.1, domain=(0.0, 1.0))
    >>> (model(x_adv).argmax(1) == y).tolist(), (model(x_exact).argmax(1) == y).tolist()
    ([True, True, False, True, False, True], [True, True, False, True, False, True])
    """
    t = eps if isinstance(eps, ThreatModel) else threat(norm, eps)
    norm_name(t)
    steps = check_int(steps, "steps")
    n_target_classes = check_int(n_target_classes, "n_target_classes")
    check_domain(domain)
    common = dict(norm=t, steps=steps, generator=generator, domain=domain)
    return Ensemble(bind(apgd, loss="ce", **common), _TargetedAPGD(n_target_classes=n_target_classes, **common))
