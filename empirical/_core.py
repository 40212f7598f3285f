"""Conventions every part of the engine shares: threat models, outputs, labels, modes, devices.

Binary and multi-class models
-----------------------------
A *binary* model returns one logit per example, shape ``(N,)`` or ``(N, 1)``, and takes labels
+-1 (float); its prediction is sign(z) with sign(0) = -1 (the package convention, see
docs/architecture.md) and its loss the logistic loss log(1 + exp(-y z)). A *multi-class* model
returns ``(N, C)`` logits, C >= 2, and takes integer class indices in [0, C); its prediction is
the argmax and its loss the cross-entropy. :func:`to_index` and :func:`to_pm1` convert labels.

Threat models
-------------
A threat model is the theory's :class:`theory.threat.ThreatModel`; the engine's attacks support
l-inf and l2 and also accept ``norm="linf" | "l2"`` with a separate ``eps`` (:func:`threat`).

Inputs live in a box, by default the data domain [0, 1]; ``domain=None`` means no box (the
Gaussian mixtures of the theory live on all of R^d).
"""

from __future__ import annotations

import contextlib
import math
import numbers

import numpy as np
import torch
import torch.nn.functional as F

from theory.threat import ThreatModel

__all__ = [
    "ATTACK_NORMS", "threat", "norm_name", "default_device", "is_binary", "scores", "loss_per_example",
    "predict", "correct", "margin", "to_index", "to_pm1", "check_labels", "eval_mode", "preserved_grads",
    "as_generator", "DEFAULT_DOMAIN", "clamp_domain", "check_int", "check_real", "check_domain",
]

ATTACK_NORMS = {"linf": math.inf, "l2": 2.0}
"""The norms the engine's iterative attacks support, by name."""

DEFAULT_DOMAIN = (0.0, 1.0)
"""The data domain of images: every input, clean or perturbed, lies in [0, 1]."""


def threat(norm="linf", eps=None) -> ThreatModel:
    """The threat model of an attack call: a ThreatModel as given, or (norm, eps).

    Parameters
    ----------
    norm : "linf", "l2", a number (inf, 2, 1, ...) or a :class:`~theory.threat.ThreatModel`
    eps : float >= 0; required unless ``norm`` is a ThreatModel (then it must be None or equal)

    Examples
    --------
    >>> threat("linf", 0.1)
    ThreatModel(norm=inf, eps=0.1)
    >>> threat(ThreatModel.l2(0.5)).name
    'l2'
    """
    if isinstance(norm, ThreatModel):
        if eps is not None and float(eps) != norm.eps:
            raise ValueError(f"eps={eps!r} contradicts the threat model {norm}; give one of them")
        return norm
    if eps is None:
        raise ValueError("eps is required (or pass a ThreatModel as norm)")
    if isinstance(eps, bool) or not isinstance(eps, numbers.Real) or not math.isfinite(eps) or eps < 0:
        raise ValueError(f"eps must be a finite number >= 0, got {eps!r}")
    if isinstance(norm, str):
        if norm not in ATTACK_NORMS:
            raise ValueError(f"norm must be one of {sorted(ATTACK_NORMS)} (or a ThreatModel), got {norm!r}")
        return ThreatModel(ATTACK_NORMS[norm], float(eps))
    return ThreatModel(norm, float(eps))


def norm_name(t: ThreatModel) -> str:
    """"linf" or "l2" for a threat model the iterative attacks support; ValueError otherwise."""
    for name, p in ATTACK_NORMS.items():
        if t.norm == p:
            return name
    raise ValueError(f"this attack supports the l-inf and l2 threat models, got {t}")


def default_device() -> torch.device:
    """CUDA when present, else the CPU."""
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def is_binary(logits: torch.Tensor) -> bool:
    """True for one logit per example: shape (N,) or (N, 1)."""
    return logits.ndim == 1 or (logits.ndim == 2 and logits.shape[1] == 1)


def scores(logits: torch.Tensor) -> torch.Tensor:
    """Binary logits as shape (N,); multi-class logits unchanged."""
    return logits.reshape(-1) if is_binary(logits) else logits


def check_labels(logits: torch.Tensor, y: torch.Tensor) -> None:
    """Raise ValueError unless y suits the model's output: +-1 for binary, indices in [0, C) otherwise."""
    n = logits.shape[0]
    if y.shape != (n,):
        raise ValueError(f"y must have shape ({n},) to match the logits {tuple(logits.shape)}, got {tuple(y.shape)}")
    if is_binary(logits):
        if not bool(((y == 1) | (y == -1)).all()):
            raise ValueError("a binary (single-logit) model takes labels +-1; convert class indices with to_pm1")
    else:
        c = logits.shape[-1]
        if y.is_floating_point() or bool(((y < 0) | (y >= c)).any()):
            raise ValueError(f"a {c}-class model takes integer labels in [0, {c}); convert +-1 labels with to_index")


def loss_per_example(logits: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Logistic loss log(1 + exp(-y z)) for binary models, cross-entropy for multi-class; shape (N,)."""
    if is_binary(logits):
        return F.softplus(-y.to(logits.dtype) * logits.reshape(-1))
    return F.cross_entropy(logits, y, reduction="none")


def predict(logits: torch.Tensor) -> torch.Tensor:
    """Binary: sign(z) as +-1 floats with sign(0) = -1; multi-class: the argmax index."""
    if is_binary(logits):
        z = logits.reshape(-1)
        return torch.where(z > 0, torch.ones_like(z), -torch.ones_like(z))
    return logits.argmax(dim=-1)


def correct(logits: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Per example: is the prediction the label (bool, shape (N,))."""
    return predict(logits) == y.to(predict(logits).dtype)


def margin(logits: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """The margin M(z, y): y z for binary models, z_y - max_{i != y} z_i for multi-class (wen2020 Def. 3).

    Positive iff the prediction is right (for binary, z = 0 has margin 0 and predicts -1).
    """
    if is_binary(logits):
        return y.to(logits.dtype) * logits.reshape(-1)
    zy = logits.gather(1, y[:, None]).squeeze(1)
    other = logits.clone()
    other.scatter_(1, y[:, None], -torch.inf)
    return zy - other.max(dim=1).values


def to_index(y) -> torch.Tensor:
    """+-1 labels to class indices: -1 -> 0, +1 -> 1 (int64)."""
    y = torch.as_tensor(y)
    if not bool(((y == 1) | (y == -1)).all()):
        raise ValueError("to_index converts labels +-1")
    return (y > 0).to(torch.int64)


def to_pm1(y) -> torch.Tensor:
    """Class indices {0, 1} to +-1 labels: 0 -> -1, 1 -> +1 (float32)."""
    y = torch.as_tensor(y)
    if not bool(((y == 0) | (y == 1)).all()):
        raise ValueError("to_pm1 converts class indices 0 and 1")
    return torch.where(y > 0, 1.0, -1.0).to(torch.float32)


@contextlib.contextmanager
def eval_mode(model: torch.nn.Module):
    """Put every submodule in eval mode and restore each one's own mode afterwards."""
    modes = [(m, m.training) for m in model.modules()]
    model.eval()
    try:
        yield model
    finally:
        for m, was in modes:
            m.train(was)


@contextlib.contextmanager
def preserved_grads(model: torch.nn.Module):
    """Leave the parameters' ``.grad`` exactly as they were (values and None-ness)."""
    saved = [(p, None if p.grad is None else p.grad.detach().clone()) for p in model.parameters()]
    try:
        yield model
    finally:
        for p, g in saved:
            p.grad = g


def as_generator(generator=None, device="cpu") -> torch.Generator:
    """A torch.Generator on ``device``: as given, seeded from an int, or fresh from OS entropy for None.

    Never touches the global torch random state.
    """
    if isinstance(generator, torch.Generator):
        return generator
    g = torch.Generator(device=device)
    if generator is None:
        g.seed()
    elif isinstance(generator, numbers.Integral) and not isinstance(generator, bool):
        g.manual_seed(int(generator))
    elif isinstance(generator, np.random.Generator):
        g.manual_seed(int(generator.integers(2**63 - 1)))
    else:
        raise ValueError(f"generator must be a torch.Generator, an int seed or None, got {generator!r}")
    return g


def clamp_domain(x: torch.Tensor, domain) -> torch.Tensor:
    """x clipped to the box ``domain = (lo, hi)``; unchanged for ``domain=None``."""
    if domain is None:
        return x
    lo, hi = domain
    return x.clamp(lo, hi)


def check_int(value, name: str, *, minimum: int = 1) -> int:
    """``value`` as an int >= ``minimum`` (bools refused); ValueError naming ``name`` otherwise."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


def check_real(value, name: str, *, low: float = 0.0, strict: bool = False, allow_none: bool = False):
    """``value`` as a finite float >= ``low`` (> ``low`` when ``strict``; None passes with ``allow_none``)."""
    if value is None and allow_none:
        return None
    bad = isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value)
    if bad or value < low or (strict and value == low):
        rel = ">" if strict else ">="
        raise ValueError(f"{name} must be a finite number {rel} {low:g}{' or None' if allow_none else ''}, "
                         f"got {value!r}")
    return float(value)


def check_domain(domain):
    """The input box: None, or a pair (lo, hi) of finite numbers with lo < hi, returned as floats."""
    if domain is None:
        return None
    try:
        lo, hi = domain
        lo, hi = float(lo), float(hi)
    except (TypeError, ValueError):
        raise ValueError(f"domain must be None or a pair (lo, hi) of numbers, got {domain!r}") from None
    if not (math.isfinite(lo) and math.isfinite(hi) and lo < hi):
        raise ValueError(f"domain must be a pair (lo, hi) of finite numbers with lo < hi, got {domain!r}")
    return lo, hi
