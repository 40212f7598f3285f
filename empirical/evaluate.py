"""Evaluation of trained models: (robust) accuracy with exact intervals, margins, spectra, gaps, saliency.

Everything here measures a model; nothing trains it. The pieces, by the paper that asks for them:

- :func:`accuracy`, :func:`robust_accuracy`, :func:`robust_error`, :func:`accuracy_curve`: clean and
  robust accuracy as the theory's :class:`theory.montecarlo.Estimate` with its exact Clopper-Pearson
  interval (:func:`theory.montecarlo.proportion`), so a measurement can be confronted with a closed form
  by :func:`theory.montecarlo.compare`.
- :func:`margins`, :func:`margin_summary`: the margin distribution of wen2020 section 4.2.1 (the margin
  operator of Definition 3).
- :func:`layer_singular_values`, :func:`conv2d_circular_singular_values`, :func:`spectral_spread`: the
  per-layer singular values of wen2020 section 4.2.2 (the spread of each layer's singular values, which
  adversarial robustness reduces), convolutions by the FFT method of Sedghi, Gupta and Long (2019).
- :func:`loss_gap` / :func:`error_gap`: the train/test loss and error gaps of wen2020 section 4.1.
- :func:`loss_along_line`: the loss on the segment between two weight vectors (shaeiri2020 section 3.2,
  Visualization 2, after Goodfellow et al. 2015).
- :func:`gradient_saliency`, :func:`integrated_gradients`, :func:`smoothgrad`, :func:`concentration`:
  the explanations compared in suggala2019 section 7.3.
- :func:`sanity_checklist`: the robustness-evaluation sanity checks of shaeiri2020 appendix C.

Conventions (see :mod:`empirical._core`): binary models return one logit and take labels +-1,
multi-class models return (N, C) logits and take int64 indices. Every function evaluates the model in
eval mode and restores each submodule's own mode afterwards; a model handed over in train mode gets a
:class:`TrainModeWarning` (it usually means a forgotten ``model.eval()`` after training, and dropout or
batch-norm statistics would otherwise change the numbers). Parameter ``.grad`` fields are left exactly as
they were, and randomness comes only from an explicit ``generator`` (the global torch RNG is untouched).
Data may live on the CPU; it is moved to the model's device one batch at a time.
"""

from __future__ import annotations

import copy
import math
import numbers
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import torch
from torch import nn

from empirical._core import (
    DEFAULT_DOMAIN,
    as_generator,
    check_int,
    check_labels,
    check_real,
    correct,
    eval_mode,
    is_binary,
    loss_per_example,
    margin,
    norm_name,
    preserved_grads,
    threat,
)
from theory.montecarlo import Estimate, proportion

__all__ = [
    "TrainModeWarning",
    "robust_correctness",
    "accuracy",
    "robust_accuracy",
    "robust_error",
    "accuracy_curve",
    "margins",
    "margin_summary",
    "linear_singular_values",
    "conv2d_circular_singular_values",
    "layer_singular_values",
    "SpectralSpread",
    "spectral_spread",
    "GeneralizationGap",
    "loss_gap",
    "error_gap",
    "loss_along_line",
    "gradient_saliency",
    "integrated_gradients",
    "smoothgrad",
    "concentration",
    "Check",
    "SanityReport",
    "sanity_checklist",
]

Attack = Callable[[nn.Module, torch.Tensor, torch.Tensor], torch.Tensor]


class TrainModeWarning(UserWarning):
    """A model was handed to an evaluation function in train mode (it is evaluated in eval mode).

    Examples
    --------
    >>> import torch, warnings
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     _ = accuracy(torch.nn.Linear(2, 1), torch.zeros(3, 2), torch.ones(3))  # a new module trains
    >>> [w.category is TrainModeWarning for w in caught]
    [True]
    """


# --------------------------------------------------------------------------- shared private helpers


def _warn_if_training(model: nn.Module, what: str) -> None:
    """Warn (at the public function's caller) when any submodule of ``model`` is in train mode."""
    if not isinstance(model, nn.Module):
        raise ValueError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    if any(m.training for m in model.modules()):
        warnings.warn(f"{what}: the model is in train mode; it is evaluated in eval mode (dropout off, "
                      "batch-norm running statistics) and its mode is restored afterwards. "
                      "Call model.eval() before evaluating to silence this warning.",
                      TrainModeWarning, stacklevel=3)


def _device_dtype(model: nn.Module):
    """The device and floating dtype of the model's first parameter (or buffer); CPU/None if it has none."""
    for t in list(model.parameters()) + list(model.buffers()):
        if t.is_floating_point():
            return t.device, t.dtype
    for t in list(model.parameters()) + list(model.buffers()):
        return t.device, None
    return torch.device("cpu"), None


def _confidence(value) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not 0 < value < 1:
        raise ValueError(f"confidence must be a number in (0, 1), got {value!r}")
    return float(value)


def _data(x, y):
    """x and y as tensors with one row per example; ValueError for mismatched or empty data."""
    x = x if isinstance(x, torch.Tensor) else torch.as_tensor(np.asarray(x))
    y = y if isinstance(y, torch.Tensor) else torch.as_tensor(np.asarray(y))
    if x.ndim == 0:
        raise ValueError("x must have one row per example (shape (N, ...)), got a scalar")
    if y.ndim != 1 or y.shape[0] != x.shape[0]:
        raise ValueError(f"y must have shape ({x.shape[0]},) to match x of shape {tuple(x.shape)}, "
                         f"got {tuple(y.shape)}")
    if x.shape[0] == 0:
        raise ValueError("x and y must hold at least one example")
    return x, y


def _split(data, name: str):
    """(x, y) from a 2-tuple/list or an object with attributes .x and .y."""
    if isinstance(data, tuple | list) and len(data) == 2:
        return data[0], data[1]
    if hasattr(data, "x") and hasattr(data, "y"):
        return data.x, data.y
    raise ValueError(f"{name} must be an (x, y) pair or an object with attributes .x and .y, "
                     f"got {type(data).__name__}")


def _batches(n: int, batch_size: int):
    for start in range(0, n, batch_size):
        yield slice(start, min(start + batch_size, n))


def _to_model(t: torch.Tensor, device, dtype) -> torch.Tensor:
    if t.is_floating_point() and dtype is not None:
        return t.to(device=device, dtype=dtype)
    return t.to(device=device)


def _check_adv(x_adv, xb: torch.Tensor) -> torch.Tensor:
    if not isinstance(x_adv, torch.Tensor) or x_adv.shape != xb.shape:
        shape = tuple(x_adv.shape) if isinstance(x_adv, torch.Tensor) else type(x_adv).__name__
        raise ValueError(f"attack must return a tensor of the input's shape {tuple(xb.shape)}, got {shape}")
    return x_adv.detach().to(device=xb.device, dtype=xb.dtype)


def _evaluate(model, x, y, attack, batch_size, *, need_loss=False):
    """Per-example robust correctness (and loss on the attacked input), model already in eval mode.

    Robust correctness: right on the clean input AND right on ``attack(model, x, y)``.
    """
    x, y = _data(x, y)
    batch_size = check_int(batch_size, "batch_size")
    if attack is not None and not callable(attack):
        raise ValueError(f"attack must be a callable (model, x, y) -> x_adv or None, got {attack!r}")
    device, dtype = _device_dtype(model)
    oks, losses = [], []
    for sl in _batches(x.shape[0], batch_size):
        xb, yb = _to_model(x[sl], device, dtype), y[sl].to(device)
        with torch.no_grad():
            logits = model(xb)
        check_labels(logits, yb)
        ok = correct(logits, yb)
        if attack is not None:
            x_adv = _check_adv(attack(model, xb, yb), xb)
            with torch.no_grad():
                logits = model(x_adv)
            ok = ok & correct(logits, yb)
        oks.append(ok.cpu())
        if need_loss:
            with torch.no_grad():
                losses.append(loss_per_example(logits, yb).to(torch.float64).cpu())
    ok = torch.cat(oks)
    return (ok, torch.cat(losses)) if need_loss else ok


# --------------------------------------------------------------------------- accuracy


def robust_correctness(model: nn.Module, x, y, attack: Attack | None = None, *, batch_size: int = 512):
    """Per example: is the model right on the clean input and (with an attack) on the attacked one.

    An example wrong on its clean input is never robust, even if the attack happens to move it to the right
    class; hence robust correctness implies clean correctness and robust accuracy <= clean accuracy.

    Parameters
    ----------
    model : nn.Module, binary (one logit, labels +-1) or multi-class ((N, C) logits, int64 labels)
    x : tensor (N, ...), on any device (moved to the model's device batch by batch)
    y : tensor (N,)
    attack : callable ``(model, x_batch, y_batch) -> x_adv`` of the batch's shape, or None (clean only);
        e.g. ``empirical.attacks.bind(empirical.attacks.pgd, eps=0.3)``. It is called in eval mode.
    batch_size : int >= 1, examples per forward pass / attack call

    Returns
    -------
    bool tensor of shape (N,) on the CPU.

    Raises
    ------
    ValueError
        Mismatched or empty data, labels that do not suit the model, a bad batch size, a non-callable
        attack or one whose output does not have the input's shape.

    Examples
    --------
    >>> import torch
    >>> from empirical.attacks import bind, linear_worst_case
    >>> from empirical.models import Linear
    >>> model = Linear.from_theory([1.0, 1.0]).eval()  # margin x1 + x2, lowered by eps ||w||_1 = 2 eps
    >>> x, y = torch.tensor([[0.05, 0.0], [0.5, 0.0], [1.0, 0.0]]), torch.ones(3)
    >>> robust_correctness(model, x, y, bind(linear_worst_case, eps=0.1)).tolist()
    [False, True, True]
    """
    _warn_if_training(model, "robust_correctness")
    with eval_mode(model), preserved_grads(model):
        return _evaluate(model, x, y, attack, batch_size)


def accuracy(model: nn.Module, x, y, *, batch_size: int = 512, confidence: float = 0.999) -> Estimate:
    """Clean accuracy: the fraction of the N examples classified correctly, with its exact interval.

    Parameters
    ----------
    model, x, y, batch_size : as in :func:`robust_correctness`
    confidence : the level of the Clopper-Pearson interval, in (0, 1)

    Returns
    -------
    :class:`theory.montecarlo.Estimate` from ``theory.montecarlo.proportion(correct, N, confidence)``.

    Examples
    --------
    >>> import torch
    >>> m = torch.nn.Linear(1, 1, bias=False).eval(); _ = m.weight.data.fill_(1.0)
    >>> accuracy(m, torch.tensor([[1.0], [-2.0], [3.0]]), torch.tensor([1.0, 1.0, 1.0])).value
    0.6666666666666666
    """
    _warn_if_training(model, "accuracy")
    confidence = _confidence(confidence)
    with eval_mode(model), preserved_grads(model):
        ok = _evaluate(model, x, y, None, batch_size)
    return proportion(int(ok.sum()), ok.numel(), confidence)


def robust_accuracy(model: nn.Module, x, y, attack: Attack, *, batch_size: int = 512,
                    confidence: float = 0.999) -> Estimate:
    """Robust accuracy: the fraction of ALL N examples right both on the clean input and after the attack.

    The denominator is N, not the number of clean-correct examples, and an example wrong on its clean input
    counts as not robust (see :func:`robust_correctness`), so the estimate never exceeds :func:`accuracy`.
    This is the adversarial accuracy reported by shaeiri2020 and wen2020 (appendix D.2: "examples generated
    ... that are still correctly classified", over the whole test set); 1 minus it estimates the robust 0-1
    risk of suggala2019 Theorem 1.2 (:func:`theory.gaussian.adversarial_risk`) when the attack is exact.

    Parameters
    ----------
    model, x, y, batch_size : as in :func:`robust_correctness`
    attack : callable ``(model, x, y) -> x_adv`` (required)
    confidence : level of the Clopper-Pearson interval, in (0, 1)

    Returns
    -------
    :class:`theory.montecarlo.Estimate` (``theory.montecarlo.proportion(robust, N, confidence)``).

    Raises
    ------
    ValueError
        As :func:`robust_correctness`, and for ``attack=None`` (use :func:`accuracy`).

    Examples
    --------
    >>> import torch
    >>> from empirical.attacks import bind, linear_worst_case
    >>> from empirical.models import Linear
    >>> model = Linear.from_theory([1.0, 1.0]).eval()  # margin x1 + x2, lowered by eps ||w||_1 = 2 eps
    >>> x, y = torch.tensor([[0.05, 0.0], [0.5, 0.0], [1.0, 0.0]]), torch.ones(3)
    >>> est = robust_accuracy(model, x, y, bind(linear_worst_case, eps=0.1))
    >>> round(est.value, 4), est.contains(est.value), est.n
    (0.6667, True, 3)
    """
    _warn_if_training(model, "robust_accuracy")
    if attack is None:
        raise ValueError("robust_accuracy needs an attack; use accuracy() for clean accuracy")
    confidence = _confidence(confidence)
    with eval_mode(model), preserved_grads(model):
        ok = _evaluate(model, x, y, attack, batch_size)
    return proportion(int(ok.sum()), ok.numel(), confidence)


def robust_error(model: nn.Module, x, y, attack: Attack | None = None, *, batch_size: int = 512,
                 confidence: float = 0.999) -> Estimate:
    """The (robust) error rate 1 - robust accuracy as an Estimate of the error proportion.

    With ``attack=None`` the clean error. The interval is the Clopper-Pearson interval of the error count
    (``proportion(N - robust, N)``), i.e. [1 - high, 1 - low] of the accuracy's interval.

    Parameters and raises as :func:`robust_correctness`; ``confidence`` in (0, 1).

    Examples
    --------
    >>> import torch
    >>> from empirical.attacks import bind, linear_worst_case
    >>> from empirical.models import Linear
    >>> model = Linear.from_theory([1.0, 1.0]).eval()  # margin x1 + x2, lowered by eps ||w||_1 = 2 eps
    >>> x, y = torch.tensor([[0.05, 0.0], [0.5, 0.0], [1.0, 0.0]]), torch.ones(3)
    >>> attack = bind(linear_worst_case, eps=0.1)
    >>> err, acc = robust_error(model, x, y, attack), robust_accuracy(model, x, y, attack)
    >>> round(err.value, 4), bool(np.isclose(err.value, 1 - acc.value)), bool(np.isclose(err.low, 1 - acc.high))
    (0.3333, True, True)
    """
    _warn_if_training(model, "robust_error")
    confidence = _confidence(confidence)
    with eval_mode(model), preserved_grads(model):
        ok = _evaluate(model, x, y, attack, batch_size)
    return proportion(int((~ok).sum()), ok.numel(), confidence)


def accuracy_curve(model: nn.Module, x, y, attack_factory: Callable[[float], Attack], eps_values,
                   *, batch_size: int = 512, confidence: float = 0.999) -> list[tuple[float, Estimate]]:
    """Robust accuracy against the attack radius: [(eps, robust_accuracy at eps), ...] in the given order.

    ``eps = 0`` means clean accuracy (``attack_factory`` is not called for it). This is the curve behind
    shaeiri2020 appendix C item 6 ("by increasing the magnitude of the attack, adversarial accuracy should
    monotonically decrease") and the accuracy-against-eps figures of shaeiri2020 and wen2020 (fig. 12).

    Parameters
    ----------
    model, x, y, batch_size, confidence : as in :func:`robust_accuracy`
    attack_factory : callable ``eps -> attack``, attack a callable ``(model, x, y) -> x_adv``
    eps_values : a non-empty sequence of finite radii >= 0

    Returns
    -------
    list of ``(eps, Estimate)``.

    Raises
    ------
    ValueError
        An empty ``eps_values`` or one that is negative or not finite, a non-callable factory, and as
        :func:`robust_accuracy`.

    Examples
    --------
    The margins 0.05, 0.5, 1 drop by 2 eps: one example breaks at eps = 0.1, two at eps = 0.3.

    >>> import torch
    >>> from empirical.attacks import bind, linear_worst_case
    >>> from empirical.models import Linear
    >>> model = Linear.from_theory([1.0, 1.0]).eval()  # margin x1 + x2, lowered by eps ||w||_1 = 2 eps
    >>> x, y = torch.tensor([[0.05, 0.0], [0.5, 0.0], [1.0, 0.0]]), torch.ones(3)
    >>> curve = accuracy_curve(model, x, y, lambda eps: bind(linear_worst_case, eps=eps), [0, 0.1, 0.3])
    >>> [(eps, round(est.value, 4)) for eps, est in curve]
    [(0.0, 1.0), (0.1, 0.6667), (0.3, 0.3333)]
    """
    _warn_if_training(model, "accuracy_curve")
    if not callable(attack_factory):
        raise ValueError(f"attack_factory must be a callable eps -> attack, got {attack_factory!r}")
    eps_values = [check_real(e, "each eps in eps_values") for e in np.atleast_1d(eps_values).tolist()]
    if not eps_values:
        raise ValueError("eps_values must hold at least one radius")
    confidence = _confidence(confidence)
    out = []
    with eval_mode(model), preserved_grads(model):
        for eps in eps_values:
            ok = _evaluate(model, x, y, None if eps == 0 else attack_factory(eps), batch_size)
            out.append((eps, proportion(int(ok.sum()), ok.numel(), confidence)))
    return out


# --------------------------------------------------------------------------- margins


def margins(model: nn.Module, x, y, *, batch_size: int = 512) -> torch.Tensor:
    """The per-example margins M(f(x), y) of the model's outputs (wen2020 Definition 3).

    M(z, y) = z_y - max_{i != y} z_i for multi-class logits and y z for a binary logit
    (:func:`empirical._core.margin`); positive iff the prediction is right. wen2020 section 4.2.1 studies the
    distribution of these margins (adversarial robustness concentrates it around zero).

    Parameters
    ----------
    model, x, y, batch_size : as in :func:`robust_correctness`

    Returns
    -------
    float tensor (N,) on the CPU (in the model's output dtype).

    Examples
    --------
    Logits (3, 1): the margin is 3 - 1 = 2 for class 0 and 1 - 3 = -2 for class 1.

    >>> import torch
    >>> from empirical.models import Linear
    >>> identity = Linear.from_theory([[1.0, 0.0], [0.0, 1.0]]).eval()  # logits z = x
    >>> margins(identity, torch.tensor([[3.0, 1.0], [3.0, 1.0]]), torch.tensor([0, 1])).tolist()
    [2.0, -2.0]
    """
    _warn_if_training(model, "margins")
    x, y = _data(x, y)
    batch_size = check_int(batch_size, "batch_size")
    device, dtype = _device_dtype(model)
    out = []
    with eval_mode(model), torch.no_grad():
        for sl in _batches(x.shape[0], batch_size):
            xb, yb = _to_model(x[sl], device, dtype), y[sl].to(device)
            logits = model(xb)
            check_labels(logits, yb)
            out.append(margin(logits, yb).cpu())
    return torch.cat(out)


def margin_summary(values, quantiles: Sequence[float] = (0.0, 0.05, 0.25, 0.5, 0.75, 0.95, 1.0)) -> dict:
    """Summary of a margin distribution: count, mean, standard deviation, quantiles, fraction <= 0.

    Parameters
    ----------
    values : tensor or array of margins (any shape; flattened), e.g. from :func:`margins`
    quantiles : probabilities in [0, 1] (numpy's linear interpolation)

    Returns
    -------
    dict with ``n``, ``mean``, ``std`` (population, ddof = 0), ``nonpositive`` (fraction of margins <= 0)
    and ``quantiles`` (a dict probability -> value).

    Raises
    ------
    ValueError
        Empty or non-finite values, or a probability outside [0, 1].

    Examples
    --------
    >>> margin_summary([1.0, 2.0, 3.0], quantiles=(0.5,))["quantiles"]
    {0.5: 2.0}
    """
    v = values.detach().cpu().numpy() if isinstance(values, torch.Tensor) else np.asarray(values)
    v = v.astype(np.float64).ravel()
    if v.size == 0 or not np.isfinite(v).all():
        raise ValueError("values must be a non-empty collection of finite margins")
    qs = [float(q) for q in quantiles]
    if any(not 0 <= q <= 1 for q in qs):
        raise ValueError(f"quantiles must lie in [0, 1], got {quantiles!r}")
    return {"n": int(v.size), "mean": float(v.mean()), "std": float(v.std()),
            "nonpositive": float(np.mean(v <= 0)),
            "quantiles": {q: float(np.quantile(v, q)) for q in qs}}


# --------------------------------------------------------------------------- spectra


def linear_singular_values(weight) -> np.ndarray:
    """The singular values of a weight matrix (out, in), in float64, sorted in decreasing order.

    For an ``nn.Linear`` layer the map x -> W x is exactly this matrix (the bias does not change it).

    Raises
    ------
    ValueError
        A weight that is not 2-D or not finite.

    Examples
    --------
    >>> np.round(linear_singular_values([[3.0, 0.0], [0.0, -2.0]]), 6).tolist()
    [3.0, 2.0]
    """
    w = weight.detach().cpu().to(torch.float64).numpy() if isinstance(weight, torch.Tensor) else \
        np.asarray(weight, dtype=np.float64)
    if w.ndim != 2 or w.size == 0 or not np.isfinite(w).all():
        raise ValueError(f"weight must be a finite non-empty 2-D matrix, got shape {w.shape}")
    return np.linalg.svd(w, compute_uv=False)


def _pair(v, name: str) -> tuple[int, int]:
    if isinstance(v, numbers.Integral) and not isinstance(v, bool):
        v = (v, v)
    v = tuple(v)
    if len(v) != 2 or any(isinstance(a, bool) or not isinstance(a, numbers.Integral) or a < 1 for a in v):
        raise ValueError(f"{name} must be a positive integer or a pair of them, got {v!r}")
    return int(v[0]), int(v[1])


def conv2d_circular_singular_values(weight, input_size, *, dilation=1, groups: int = 1) -> np.ndarray:
    """The exact singular values of the CIRCULAR 2-D convolution with this kernel on n1 x n2 inputs.

    Source: Sedghi, Gupta and Long, "The singular values of convolutional layers", ICLR 2019
    (arXiv:1805.10408), their multi-channel result: the linear map of a stride-1 convolution with wrap-around (circular)
    boundary, from c_in x n1 x n2 to c_out x n1 x n2, is block doubly-circulant; the 2-D DFT diagonalizes
    it, and its singular values are the union over the n1 n2 frequencies (u, v) of the singular values of
    the c_out x c_in matrices

        P(u, v)[o, i] = sum_{a, b} K[o, i, a, b] exp(-2 pi i (u a d1 / n1 + v b d2 / n2)),

    the kernel's 2-D DFT after zero-padding it to n1 x n2 (taps beyond the input size wrap around, taps
    are spaced by the dilation). The padding offset of the layer only multiplies P(u, v) by a unit phase,
    and PyTorch's cross-correlation only conjugates / reflects frequencies, so neither changes the
    spectrum. The result is exact for ``nn.Conv2d(..., padding_mode="circular", stride=1)`` whose output
    has the input's size (2 * padding = dilation * (kernel - 1)). For a zero-padded layer it is the spectrum
    of the circular operator with the same kernel, which is not the layer's operator (the boundary rows
    differ); use :func:`layer_singular_values` with ``method="dense"`` for the exact spectrum of that one.

    Parameters
    ----------
    weight : tensor or array of shape (c_out, c_in / groups, k1, k2)
    input_size : (n1, n2) or an int, the input's spatial size
    dilation : int or pair, the spacing of the kernel taps
    groups : int >= 1 dividing c_out; the map is block diagonal over the groups

    Returns
    -------
    ndarray of n1 * n2 * min(c_out, c_in) singular values (float64), in decreasing order.

    Raises
    ------
    ValueError
        A weight that is not 4-D and finite, a bad input size, dilation or groups.

    Examples
    --------
    The kernel (1, 1) along a circle of 4 pixels: the singular values are |1 + exp(-2 pi i v / 4)| =
    2 |cos(pi v / 4)|, v = 0..3. For a circular layer they agree with the layer's dense matrix:

    >>> import torch
    >>> np.round(conv2d_circular_singular_values(torch.ones(1, 1, 1, 2), (1, 4)), 4).tolist()
    [2.0, 1.4142, 1.4142, 0.0]
    >>> conv = torch.nn.Conv2d(2, 3, 3, padding=1, padding_mode="circular", bias=False)
    >>> _ = conv.weight.data.copy_(torch.randn(3, 2, 3, 3, generator=torch.Generator().manual_seed(0)))
    >>> dense = layer_singular_values(conv, (2, 5, 5), method="dense")[""]
    >>> bool(np.allclose(conv2d_circular_singular_values(conv.weight, 5), dense))
    True
    """
    w = weight.detach().cpu().to(torch.float64) if isinstance(weight, torch.Tensor) else \
        torch.as_tensor(np.asarray(weight, dtype=np.float64))
    if w.ndim != 4 or w.numel() == 0 or not bool(torch.isfinite(w).all()):
        raise ValueError(f"weight must be a finite (c_out, c_in / groups, k1, k2) kernel, got shape {tuple(w.shape)}")
    n1, n2 = _pair(input_size, "input_size")
    d1, d2 = _pair(dilation, "dilation")
    groups = check_int(groups, "groups")
    co, cig, k1, k2 = w.shape
    if co % groups:
        raise ValueError(f"groups={groups} must divide the number of output channels {co}")
    full = torch.zeros(co, cig * groups, k1, k2, dtype=torch.float64)
    og = co // groups
    for g in range(groups):
        full[g * og:(g + 1) * og, g * cig:(g + 1) * cig] = w[g * og:(g + 1) * og]

    def phases(n, k, d):  # (n, k): exp(-2 pi i u (a d) / n), angles reduced mod n for accuracy
        ua = (torch.arange(n, dtype=torch.float64)[:, None] * (torch.arange(k, dtype=torch.float64) * d)) % n
        return torch.exp(-2j * math.pi * ua / n)

    kc = full.to(torch.complex128)
    t = torch.einsum("oiab,vb->oiav", kc, phases(n2, k2, d2))
    t = torch.einsum("ua,oiav->uvoi", phases(n1, k1, d1), t)
    s = torch.linalg.svdvals(t).reshape(-1).numpy()
    return np.sort(s)[::-1].copy()


def _dense_operator(layer: nn.Module, in_shape: tuple[int, ...], max_dense: int) -> np.ndarray:
    """The matrix of the affine layer's linear part on inputs of shape in_shape: layer(e_j) - layer(0)."""
    d = int(np.prod(in_shape))
    if d > max_dense:
        raise ValueError(f"the dense operator has {d} input dimensions, above max_dense={max_dense}; "
                         "use method='fft' or a smaller input_shape")
    lay = copy.deepcopy(layer).to(device="cpu", dtype=torch.float64).eval()
    cols = []
    with torch.no_grad():
        zero = lay(torch.zeros((1, *in_shape), dtype=torch.float64)).reshape(-1)
        if zero.numel() > max_dense:
            raise ValueError(f"the dense operator has {zero.numel()} output dimensions, above max_dense={max_dense}")
        eye = torch.eye(d, dtype=torch.float64)
        for sl in _batches(d, 256):
            cols.append(lay(eye[sl].reshape(-1, *in_shape)).reshape(sl.stop - sl.start, -1) - zero)
    return torch.cat(cols).T.numpy()


def layer_singular_values(model: nn.Module, input_shape=None, *, method: str = "fft",
                          max_dense: int = 4096) -> dict[str, np.ndarray]:
    """The singular values of every ``nn.Linear`` and ``nn.Conv2d`` layer, as wen2020 section 4.2.2 studies.

    wen2020 (sections 1.1 and 4.2.2, fig. 1a, 5c-d, appendix B.2) looks at the standard deviation of the
    singular values of each layer's weight matrix: they bound how much the layer amplifies a perturbation,
    ||W dx|| in [s_min ||dx||, s_max ||dx||], and adversarial robustness reduces their spread
    (:func:`spectral_spread`).

    - ``nn.Linear``: the exact singular values of the weight matrix (either method).
    - ``nn.Conv2d``, ``method="fft"`` (the default): the singular values of the stride-1 CIRCULAR convolution
      with the layer's kernel on inputs of the layer's actual spatial size, by the FFT method of Sedghi,
      Gupta and Long (2019) (:func:`conv2d_circular_singular_values`). Exact for a layer with
      ``padding_mode="circular"`` whose output keeps the input's size; for zero padding (PyTorch's default)
      it is the spectrum of the circular counterpart, not of the layer: the two operators differ in the rows
      near the border, so their spectra differ (slightly for large inputs). Refused for strides other than 1.
    - ``nn.Conv2d``, ``method="dense"``: the exact singular values of the layer's own linear map (any
      padding mode, stride, dilation, groups), from the dense matrix built by applying a float64 copy of the
      layer to every basis vector of its input space (minus its value at 0, which removes the bias). Costs
      O(d_in d_out min(d_in, d_out)); refused when d_in or d_out exceeds ``max_dense``.

    Parameters
    ----------
    model : nn.Module
    input_shape : the shape of ONE input example without the batch axis, e.g. (1, 28, 28); required when
        the model has a Conv2d layer: a forward pass on zeros of this shape records each layer's input size.
    method : "fft" or "dense" (for Conv2d layers; Linear layers are exact either way)
    max_dense : int >= 1, the largest input or output dimension the dense method builds

    Returns
    -------
    dict from the layer's name in ``model.named_modules()`` ("" for the model itself) to its singular values
    (float64 ndarray, decreasing), in module order.

    Raises
    ------
    ValueError
        An unknown method; a Conv2d layer without ``input_shape``, or one the forward pass does not reach;
        a strided Conv2d with ``method="fft"``; a dense operator above ``max_dense``; an input_shape the
        model cannot take.

    Examples
    --------
    >>> import torch
    >>> conv = torch.nn.Conv2d(1, 1, 3, padding=1, padding_mode="circular", bias=False)
    >>> _ = conv.weight.data.zero_(); conv.weight.data[0, 0, 1, 1] = 2.0  # 2 x identity
    >>> layer_singular_values(conv, (1, 4, 4))[""].round(6).tolist() == [2.0] * 16
    True
    """
    if method not in ("fft", "dense"):
        raise ValueError(f"method must be 'fft' or 'dense', got {method!r}")
    max_dense = check_int(max_dense, "max_dense")
    layers = [(name, m) for name, m in model.named_modules() if isinstance(m, nn.Linear | nn.Conv2d)]
    shapes: dict[str, tuple[int, ...]] = {}
    if any(isinstance(m, nn.Conv2d) for _, m in layers):
        if input_shape is None:
            raise ValueError("input_shape (one example's shape, e.g. (1, 28, 28)) is required for Conv2d layers")
        input_shape = tuple(check_int(s, "each entry of input_shape") for s in input_shape)
        def recorder(name):
            def hook(mod, inputs, output):  # returns None: the output is left alone
                shapes.setdefault(name, tuple(inputs[0].shape[1:]))
            return hook

        hooks = [m.register_forward_hook(recorder(name)) for name, m in layers]
        device, dtype = _device_dtype(model)
        try:
            with eval_mode(model), torch.no_grad():
                model(torch.zeros((1, *input_shape), device=device, dtype=dtype or torch.float32))
        except RuntimeError as exc:
            raise ValueError(f"input_shape={input_shape} does not fit the model: {exc}") from exc
        finally:
            for h in hooks:
                h.remove()
    out = {}
    for name, m in layers:
        if isinstance(m, nn.Linear):
            out[name] = linear_singular_values(m.weight)
            continue
        if name not in shapes:
            raise ValueError(f"the Conv2d layer {name!r} is not reached by a forward pass on input_shape")
        in_shape = shapes[name]
        if method == "dense":
            out[name] = np.linalg.svd(_dense_operator(m, in_shape, max_dense), compute_uv=False)
        else:
            if tuple(m.stride) != (1, 1):
                raise ValueError(f"the Conv2d layer {name!r} has stride {tuple(m.stride)}; the FFT method needs "
                                 "stride 1: use method='dense' (on a small input_shape)")
            out[name] = conv2d_circular_singular_values(m.weight, in_shape[-2:], dilation=m.dilation,
                                                        groups=m.groups)
    return out


@dataclass(frozen=True)
class SpectralSpread:
    """Summaries of how spread out a layer's singular values are (see :func:`spectral_spread`).

    Examples
    --------
    A multiple of an orthogonal map has no spread:

    >>> spectral_spread([2.0, 2.0, 2.0])
    SpectralSpread(std=0.0, log_std=0.0, ratio=1.0, largest=2.0, smallest=2.0, n=3)
    """

    std: float
    """Standard deviation of the singular values (population, ddof = 0): wen2020's measure."""
    log_std: float
    """Standard deviation of their natural logarithms: scale-free; 0 for a multiple of an orthogonal map."""
    ratio: float
    """Largest over smallest singular value (the condition number); 1 for an orthogonal map."""
    largest: float
    smallest: float
    n: int


def spectral_spread(singular_values) -> SpectralSpread:
    """How spread out a layer's singular values are: wen2020 section 4.2.2's per-layer measure, and two more.

    wen2020 (section 1.1, fig. 1a and 5c-d, appendix B.2) reports the standard deviation (STD) of the
    singular values of each layer: with s_min = s_max every perturbation of a given norm is amplified
    equally, and adversarial robustness lowers the STD in most layers. ``std`` is that number; since it
    scales with the weights, ``log_std`` (the STD of log s) and ``ratio`` (s_max / s_min) are given too.
    Zero singular values make ``log_std`` and ``ratio`` infinite.

    Parameters
    ----------
    singular_values : non-empty array or tensor of finite values >= 0 (e.g. a value of
        :func:`layer_singular_values`)

    Returns
    -------
    :class:`SpectralSpread`

    Raises
    ------
    ValueError
        Empty, negative or non-finite values.

    Examples
    --------
    >>> spectral_spread([4.0, 2.0, 1.0]).ratio
    4.0
    """
    s = singular_values.detach().cpu().numpy() if isinstance(singular_values, torch.Tensor) else \
        np.asarray(singular_values)
    s = s.astype(np.float64).ravel()
    if s.size == 0 or not np.isfinite(s).all() or (s < 0).any():
        raise ValueError("singular_values must be a non-empty array of finite values >= 0")
    lo, hi = float(s.min()), float(s.max())
    if lo > 0:
        log_std, ratio = float(np.log(s).std()), hi / lo
    else:
        log_std = math.inf if hi > 0 else math.nan
        ratio = math.inf if hi > 0 else math.nan
    return SpectralSpread(float(s.std()), log_std, ratio, hi, lo, int(s.size))


# --------------------------------------------------------------------------- generalization gaps


@dataclass(frozen=True)
class GeneralizationGap:
    """Train and test loss and error of one model, and their gaps (test minus train), wen2020 section 4.1.

    Examples
    --------
    >>> from theory.montecarlo import proportion
    >>> gap = GeneralizationGap(0.25, 0.5, train_error=proportion(0, 4), test_error=proportion(1, 4))
    >>> gap.loss_gap, gap.error_gap
    (0.25, 0.25)
    """

    train_loss: float
    test_loss: float
    train_error: Estimate
    test_error: Estimate

    @property
    def loss_gap(self) -> float:
        """test loss - train loss (wen2020's "GE gap")."""
        return self.test_loss - self.train_loss

    @property
    def error_gap(self) -> float:
        """test error - train error."""
        return self.test_error.value - self.train_error.value


def loss_gap(model: nn.Module, train, test, *, attack: Attack | None = None, batch_size: int = 512,
             confidence: float = 0.999) -> GeneralizationGap:
    """Train/test mean loss and error rate, and their gaps (wen2020 section 4.1, fig. 3).

    wen2020 shows that adversarial training shrinks the gap between test and training loss (the surrogate
    risk gap), while the error-rate gap may not shrink (appendix B.3). Losses are the engine's per-example
    losses (logistic for binary models, cross-entropy for multi-class, :func:`empirical._core.loss_per_example`)
    averaged over the set; errors are 1 - (robust) accuracy with their Clopper-Pearson intervals.

    Parameters
    ----------
    model : nn.Module
    train, test : each an ``(x, y)`` pair or an object with attributes ``.x`` and ``.y``
    attack : optional callable ``(model, x, y) -> x_adv``: then losses are on the attacked inputs and errors
        are robust errors (wrong on the clean or on the attacked input)
    batch_size, confidence : as in :func:`robust_accuracy`

    Returns
    -------
    :class:`GeneralizationGap` (``.loss_gap`` and ``.error_gap`` are test minus train).

    Raises
    ------
    ValueError
        For a ``train`` or ``test`` that is neither, and as :func:`robust_correctness`.

    Examples
    --------
    A model right on both training points and wrong on both test points (the labels flipped): the
    logistic losses are log(1 + e^-1) and log(1 + e), which differ by exactly 1.

    >>> import torch
    >>> from empirical.models import Linear
    >>> model = Linear.from_theory([1.0]).eval()
    >>> train = (torch.tensor([[1.0], [-1.0]]), torch.tensor([1.0, -1.0]))
    >>> test = (train[0], -train[1])
    >>> gap = loss_gap(model, train, test)
    >>> round(gap.loss_gap, 4), gap.error_gap
    (1.0, 1.0)
    """
    _warn_if_training(model, "loss_gap")
    confidence = _confidence(confidence)
    res = []
    with eval_mode(model), preserved_grads(model):
        for data, name in ((train, "train"), (test, "test")):
            x, y = _split(data, name)
            ok, loss = _evaluate(model, x, y, attack, batch_size, need_loss=True)
            res.append((float(loss.mean()), proportion(int((~ok).sum()), ok.numel(), confidence)))
    return GeneralizationGap(res[0][0], res[1][0], res[0][1], res[1][1])


def error_gap(model: nn.Module, train, test, *, attack: Attack | None = None, batch_size: int = 512,
              confidence: float = 0.999) -> GeneralizationGap:
    """The same report as :func:`loss_gap` (named for call sites that are about the error gap).

    Returns a :class:`GeneralizationGap`; read ``.error_gap``, ``.train_error``, ``.test_error``.

    Examples
    --------
    A model right on both training points and wrong on both test points (the labels flipped): the
    logistic losses are log(1 + e^-1) and log(1 + e), which differ by exactly 1.

    >>> import torch
    >>> from empirical.models import Linear
    >>> model = Linear.from_theory([1.0]).eval()
    >>> train = (torch.tensor([[1.0], [-1.0]]), torch.tensor([1.0, -1.0]))
    >>> test = (train[0], -train[1])
    >>> gap = error_gap(model, train, test)
    >>> gap.train_error.value, gap.test_error.value, gap.error_gap
    (0.0, 1.0, 1.0)
    """
    _warn_if_training(model, "error_gap")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TrainModeWarning)
        return loss_gap(model, train, test, attack=attack, batch_size=batch_size, confidence=confidence)


# --------------------------------------------------------------------------- loss along a line


def _state(params, name: str) -> dict[str, torch.Tensor]:
    """A detached copy of a state dict (a module's live tensors would change as the model is loaded)."""
    if isinstance(params, nn.Module):
        params = params.state_dict()
    if isinstance(params, Mapping):
        return {k: torch.as_tensor(v).detach().clone() for k, v in params.items()}
    raise ValueError(f"{name} must be a state_dict (a mapping name -> tensor) or an nn.Module, "
                     f"got {type(params).__name__}")


def loss_along_line(model: nn.Module, params_a, params_b, x, y, alphas, *, attack: Attack | None = None,
                    batch_size: int = 512) -> np.ndarray:
    """The mean loss at theta(a) = (1 - a) theta_a + a theta_b for each a (shaeiri2020 section 3.2).

    shaeiri2020 section 3.2, Visualization 2 (after Goodfellow et al. 2015), plots the adversarial training
    loss on the segment from the initial weights theta_0 to the trained weights theta_1 to judge whether
    it is convex along the way (fig. 3, 4; "Visualization 3" uses the same plot with the loss at the initial
    eps, for mode connectivity). Pass an ``attack`` for the adversarial loss: it is re-run at every point
    of the line, against the interpolated model.

    Every floating (or complex) entry of the state dicts is interpolated, parameters and buffers alike
    (so batch-norm running statistics follow the line); other entries (integer buffers such as
    ``num_batches_tracked``) are taken from ``params_a``. a = 0 and a = 1 give theta_a and theta_b exactly;
    a outside [0, 1] extrapolates. The model's own state is restored afterwards (also on error).

    Parameters
    ----------
    model : nn.Module whose ``state_dict()`` has the same keys and shapes as the two endpoints
    params_a, params_b : state dicts (or modules, whose state dicts are taken)
    x, y : the data (as in :func:`robust_correctness`)
    alphas : a non-empty sequence of finite numbers
    attack : optional callable ``(model, x, y) -> x_adv``
    batch_size : examples per batch

    Returns
    -------
    float64 ndarray of the mean loss at each alpha (logistic / cross-entropy, on the attacked inputs with an
    attack).

    Raises
    ------
    ValueError
        State dicts whose keys or shapes differ from the model's, a bad alpha, and as
        :func:`robust_correctness`.

    Examples
    --------
    From w = 0 to w = 2 at x = 1, y = +1 the loss is log(1 + exp(-2 a)): log 2, log(1 + e^-1), log(1 + e^-2).

    >>> import torch
    >>> from empirical.models import Linear
    >>> start, end = Linear.from_theory([0.0], bias=False).eval(), Linear.from_theory([2.0], bias=False)
    >>> losses = loss_along_line(start, start.state_dict(), end.state_dict(), torch.ones(1, 1), torch.ones(1),
    ...                          [0.0, 0.5, 1.0])
    >>> np.round(losses, 4).tolist(), bool(np.allclose(losses, np.log1p(np.exp([0.0, -1.0, -2.0]))))
    ([0.6931, 0.3133, 0.1269], True)
    """
    _warn_if_training(model, "loss_along_line")
    sa, sb = _state(params_a, "params_a"), _state(params_b, "params_b")
    current = model.state_dict()
    for s, name in ((sa, "params_a"), (sb, "params_b")):
        if set(s) != set(current):
            missing, extra = sorted(set(current) - set(s)), sorted(set(s) - set(current))
            raise ValueError(f"{name} does not match the model's state_dict: missing {missing}, unexpected {extra}")
        for k, v in current.items():
            if tuple(torch.as_tensor(s[k]).shape) != tuple(v.shape):
                raise ValueError(f"{name}[{k!r}] has shape {tuple(torch.as_tensor(s[k]).shape)}, "
                                 f"the model's has {tuple(v.shape)}")
    alist = np.atleast_1d(np.asarray(alphas, dtype=np.float64)).ravel()
    if alist.size == 0 or not np.isfinite(alist).all():
        raise ValueError(f"alphas must be a non-empty sequence of finite numbers, got {alphas!r}")
    saved = {k: v.detach().clone() for k, v in current.items()}
    losses = []
    try:
        with eval_mode(model), preserved_grads(model):
            for a in alist.tolist():
                mixed = {}
                for k, v in current.items():
                    ta = torch.as_tensor(sa[k]).to(device=v.device)
                    if v.is_floating_point() or v.is_complex():
                        tb = torch.as_tensor(sb[k]).to(device=v.device, dtype=v.dtype)
                        mixed[k] = (1.0 - a) * ta.to(v.dtype) + a * tb
                    else:
                        mixed[k] = ta.to(v.dtype)
                model.load_state_dict(mixed)
                _, loss = _evaluate(model, x, y, attack, batch_size, need_loss=True)
                losses.append(float(loss.mean()))
    finally:
        model.load_state_dict(saved)
    return np.asarray(losses, dtype=np.float64)


# --------------------------------------------------------------------------- saliency


def _target_logit(logits: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """The score explained: y z for a binary logit (the margin), z_y for multi-class; shape (N,)."""
    if is_binary(logits):
        return y.to(logits.dtype) * logits.reshape(-1)
    return logits.gather(1, y[:, None]).squeeze(1)


def _input_grad(model: nn.Module, xb: torch.Tensor, yb: torch.Tensor) -> torch.Tensor:
    """d (target logit) / d x for a batch, the model in eval mode; zeros where the output ignores x."""
    xg = xb.detach().requires_grad_(True)
    with torch.enable_grad():
        logits = model(xg)
        check_labels(logits, yb)
        s = _target_logit(logits, yb).sum()
        if not s.requires_grad:
            return torch.zeros_like(xb)
        (g,) = torch.autograd.grad(s, xg, allow_unused=True)
    return torch.zeros_like(xb) if g is None else g.detach()


def _saliency(model, x, y, batch_size, per_batch):
    x, y = _data(x, y)
    batch_size = check_int(batch_size, "batch_size")
    device, dtype = _device_dtype(model)
    out = []
    with eval_mode(model), preserved_grads(model):
        for sl in _batches(x.shape[0], batch_size):
            xb, yb = _to_model(x[sl], device, dtype), y[sl].to(device)
            out.append(per_batch(xb, yb, sl).to(device=x.device, dtype=x.dtype if x.is_floating_point() else None))
    return torch.cat(out)


def gradient_saliency(model: nn.Module, x, y, *, batch_size: int = 512) -> torch.Tensor:
    """The gradient of the true class's logit with respect to the input (suggala2019 section 7.3).

    Gradient attribution explains f at x0 by grad_x f(x)|_{x0} (suggala2019 section 7.3, fig. 6: the
    gradients of adversarially trained networks are less noisy). The score is z_y for multi-class models and
    y z for a binary logit (so the map points towards the true class for both labels).

    Parameters
    ----------
    model, x, y, batch_size : as in :func:`robust_correctness`

    Returns
    -------
    tensor of x's shape, on x's device.

    Examples
    --------
    For a linear model the map is y w, whatever the input:

    >>> import torch
    >>> from empirical.models import Linear
    >>> model = Linear.from_theory([1.0, -2.0], b=0.5).eval()
    >>> gradient_saliency(model, torch.zeros(2, 2), torch.tensor([1.0, -1.0])).tolist()
    [[1.0, -2.0], [-1.0, 2.0]]
    """
    _warn_if_training(model, "gradient_saliency")
    return _saliency(model, x, y, batch_size, lambda xb, yb, sl: _input_grad(model, xb, yb))


def integrated_gradients(model: nn.Module, x, y, *, baseline=None, steps: int = 32,
                         batch_size: int = 512) -> torch.Tensor:
    """Integrated gradients of the true-class logit (Sundararajan, Taly and Yan 2017, arXiv:1703.01365).

    IG_j(x) = (x_j - x0_j) * int_0^1 d f(x0 + t (x - x0)) / d x_j dt, approximated by the midpoint rule with
    ``steps`` nodes t_k = (k + 1/2) / steps. Completeness: sum_j IG_j = f(x) - f(x0) (exact for the integral;
    the rule's error is O(steps^-2) for smooth f, and it is exact for a linear f). One of the explanations
    suggala2019 section 7.3 compares (fig. 6). f is z_y (multi-class) or y z (binary).

    Parameters
    ----------
    model, x, y, batch_size : as in :func:`robust_correctness`
    baseline : tensor broadcastable to x (e.g. one example's shape), or None for zeros (a black image)
    steps : int >= 1, the number of midpoint nodes

    Returns
    -------
    tensor of x's shape, on x's device.

    Raises
    ------
    ValueError
        A bad ``steps``, or a baseline that does not broadcast to x.

    Examples
    --------
    For a linear model IG = (x - 0) w exactly; for a ReLU network the attributions sum to f(x) - f(0)
    up to the midpoint rule's error:

    >>> import torch
    >>> from empirical.models import MLP, Linear
    >>> integrated_gradients(Linear.from_theory([1.0, -2.0], b=0.5).eval(), torch.ones(1, 2), torch.ones(1)).tolist()
    [[1.0, -2.0]]
    >>> net = MLP(3, (16,), generator=0).eval()
    >>> x, y = torch.rand(4, 3, generator=torch.Generator().manual_seed(0)), torch.tensor([1.0, -1.0, 1.0, -1.0])
    >>> completeness = y * (net(x) - net(torch.zeros(1, 3))).detach()
    >>> torch.allclose(integrated_gradients(net, x, y, steps=64).sum(dim=1), completeness, atol=1e-2)
    True
    """
    _warn_if_training(model, "integrated_gradients")
    steps = check_int(steps, "steps")
    x_t = x if isinstance(x, torch.Tensor) else torch.as_tensor(np.asarray(x))
    if baseline is not None:
        b = torch.as_tensor(baseline)
        try:
            b = torch.broadcast_to(b, x_t.shape)
        except RuntimeError as exc:
            raise ValueError(f"baseline of shape {tuple(b.shape)} does not broadcast to x's {tuple(x_t.shape)}") \
                from exc

    def per_batch(xb, yb, sl):
        x0 = torch.zeros_like(xb) if baseline is None else b[sl].to(device=xb.device, dtype=xb.dtype)
        total = torch.zeros_like(xb)
        for k in range(steps):
            t = (k + 0.5) / steps
            total += _input_grad(model, x0 + t * (xb - x0), yb)
        return (xb - x0) * total / steps

    return _saliency(model, x_t, y, batch_size, per_batch)


def smoothgrad(model: nn.Module, x, y, *, sigma: float = 0.15, samples: int = 32, generator=None,
               input_range: float | None = None, batch_size: int = 512) -> torch.Tensor:
    """SmoothGrad: the gradient averaged over Gaussian perturbations of the input (Smilkov et al. 2017).

    Smilkov, Thorat, Kim, Viegas and Wattenberg, "SmoothGrad: removing noise by adding noise",
    arXiv:1706.03825, eq. (3): M(x) = (1/n) sum_k grad f(x + N(0, s^2 I)), with the noise level given
    relative to the input's range, s = sigma * (x_max - x_min) (they recommend 10-20%). Here x_max - x_min
    is each example's own range, or ``input_range`` when given (e.g. 1.0 for the [0, 1] domain).
    suggala2019 section 7.3 (fig. 6) uses SmoothGrad with noise variance 0.25 on MNIST, i.e.
    ``sigma=0.5, input_range=1.0``. Noisy inputs are not clipped to the domain (as in the paper).

    Parameters
    ----------
    model, x, y, batch_size : as in :func:`robust_correctness`
    sigma : float >= 0, the noise level relative to the input range
    samples : int >= 1, the number of noisy copies averaged
    generator : torch.Generator, int seed or None (fresh entropy); the global RNG is never used
    input_range : float > 0 or None (each example's max - min)

    Returns
    -------
    tensor of x's shape, on x's device.

    Raises
    ------
    ValueError
        A bad sigma, samples, input_range or generator.

    Examples
    --------
    A linear model's gradient is the same everywhere, so the noise averages to the plain gradient:

    >>> import torch
    >>> from empirical.models import Linear
    >>> model = Linear.from_theory([1.0, -2.0], b=0.5).eval()
    >>> x, y = torch.rand(3, 2, generator=torch.Generator().manual_seed(0)), torch.tensor([1.0, -1.0, 1.0])
    >>> torch.allclose(smoothgrad(model, x, y, samples=8, generator=0), gradient_saliency(model, x, y))
    True
    """
    _warn_if_training(model, "smoothgrad")
    sigma = check_real(sigma, "sigma")
    samples = check_int(samples, "samples")
    if input_range is not None and check_real(input_range, "input_range") <= 0:
        raise ValueError(f"input_range must be > 0 or None, got {input_range!r}")
    device, _ = _device_dtype(model)
    g = as_generator(generator, device=device)

    def per_batch(xb, yb, sl):
        if input_range is None:
            flat = xb.reshape(xb.shape[0], -1)
            rng = (flat.max(dim=1).values - flat.min(dim=1).values).reshape(-1, *([1] * (xb.ndim - 1)))
        else:
            rng = torch.tensor(float(input_range), dtype=xb.dtype, device=xb.device)
        scale = sigma * rng
        total = torch.zeros_like(xb)
        for _ in range(samples):
            noise = torch.randn(xb.shape, generator=g, device=g.device, dtype=xb.dtype).to(xb.device)
            total += _input_grad(model, xb + scale * noise, yb)
        return total / samples

    return _saliency(model, x, y, batch_size, per_batch)


def concentration(saliency, mask, *, per_example: bool = True):
    """The fraction of the total |saliency| that falls inside a mask: sum |s| m / sum |s|.

    Used to measure how much an explanation concentrates on the object (e.g. the digit's pixels, a mask
    such as ``x > 0.5``), the qualitative claim of suggala2019 section 7.3 (fig. 6) made a number.

    Parameters
    ----------
    saliency : tensor or array; with ``per_example`` its first axis indexes examples (N, ...)
    mask : bool, or numbers in [0, 1] (a soft mask), broadcastable to the saliency's shape
    per_example : one fraction per example (sums over all axes but the first) or one for the whole array

    Returns
    -------
    float64 tensor of shape (N,) (or 0-d) with values in [0, 1]; NaN for a map that is zero everywhere.

    Raises
    ------
    ValueError
        A mask that does not broadcast, with values outside [0, 1], non-finite saliency, or
        ``per_example`` with a saliency of fewer than 2 axes.

    Examples
    --------
    >>> concentration([[1.0, -3.0], [0.0, 4.0]], [[True, False], [False, True]], per_example=False).item()
    0.625
    """
    s = torch.as_tensor(np.asarray(saliency) if not isinstance(saliency, torch.Tensor) else saliency)
    s = s.detach().to(torch.float64).abs()
    m = torch.as_tensor(np.asarray(mask) if not isinstance(mask, torch.Tensor) else mask).detach()
    m = m.to(device=s.device, dtype=torch.float64)
    if not bool(torch.isfinite(s).all()):
        raise ValueError("saliency must be finite")
    if not bool(((m >= 0) & (m <= 1)).all()):
        raise ValueError("mask must be boolean or hold values in [0, 1]")
    try:
        m = torch.broadcast_to(m, s.shape)
    except RuntimeError as exc:
        raise ValueError(f"mask of shape {tuple(m.shape)} does not broadcast to the saliency's {tuple(s.shape)}") \
            from exc
    if per_example:
        if s.ndim < 2:
            raise ValueError(f"per_example needs a saliency of shape (N, ...) with >= 2 axes, got {tuple(s.shape)}")
        dims = tuple(range(1, s.ndim))
        return (s * m).sum(dim=dims) / s.sum(dim=dims)
    return (s * m).sum() / s.sum()


# --------------------------------------------------------------------------- sanity checklist


@dataclass(frozen=True)
class Check:
    """One sanity check: its name, what it asserts (and where that comes from), the numbers, the verdict.

    Examples
    --------
    >>> print(Check("demo", "what it asserts (source)", "passes iff survivors == 0", True, {"survivors": 0}))
    [pass] demo: survivors=0
    """

    name: str
    description: str
    rule: str
    passed: bool
    measured: dict = field(default_factory=dict)

    def __str__(self) -> str:
        nums = ", ".join(f"{k}={_fmt(v)}" for k, v in self.measured.items())
        return f"[{'pass' if self.passed else 'FAIL'}] {self.name}: {nums}"


def _fmt(v) -> str:
    if isinstance(v, Estimate):
        return str(v)
    if isinstance(v, float):
        return f"{v:.6g}"
    if isinstance(v, list | tuple):
        return "[" + ", ".join(_fmt(e) for e in v) + "]"
    return str(v)


@dataclass(frozen=True)
class SanityReport:
    """The result of :func:`sanity_checklist`: every check run, and the ones skipped with the reason.

    Examples
    --------
    >>> from theory.montecarlo import proportion
    >>> check = Check("demo", "what it asserts", "passes iff x > 0", True, {"x": 1.5})
    >>> report = SanityReport((check,), clean_accuracy=proportion(3, 4))
    >>> report.passed, report["demo"].measured
    (True, {'x': 1.5})
    >>> print(report)
    sanity checklist: passed (clean accuracy 0.75 [0.0506496, 0.999875])
      [pass] demo: x=1.5
    """

    checks: tuple[Check, ...]
    clean_accuracy: Estimate
    skipped: tuple[str, ...] = ()

    @property
    def passed(self) -> bool:
        """True iff every check run passed."""
        return all(c.passed for c in self.checks)

    def __getitem__(self, name: str) -> Check:
        for c in self.checks:
            if c.name == name:
                return c
        raise KeyError(f"no check named {name!r}; the checks are {[c.name for c in self.checks]}")

    def __str__(self) -> str:
        lines = [f"sanity checklist: {'passed' if self.passed else 'FAILED'} (clean accuracy {self.clean_accuracy})"]
        lines += [f"  {c}" for c in self.checks]
        lines += [f"  [skip] {s}" for s in self.skipped]
        return "\n".join(lines)


_NOT_HIGHER_RULE = (
    "paired sign test on the same examples: with b = #examples robust under the attack expected to be stronger "
    "but broken by the other, c = the reverse, the check fails iff the Clopper-Pearson interval (at "
    "`confidence`) of b / (b + c) lies entirely above 1/2; b + c = 0 passes")
_EQUAL_RULE = ("two-sided paired sign test: with b, c the discordant counts, fails iff the Clopper-Pearson interval "
               "(at `confidence`) of b / (b + c) excludes 1/2; b + c = 0 passes")


def _paired(strong: torch.Tensor, weak: torch.Tensor, confidence: float, *, two_sided=False):
    """(passed, numbers) for "robust accuracy under `strong` is not above that under `weak`" (or equal)."""
    b = int((strong & ~weak).sum())
    c = int((~strong & weak).sum())
    nums = {"discordant": (b, c)}
    if b + c == 0:
        return True, nums
    e = proportion(b, b + c, confidence)
    nums["share_b"] = e
    passed = not (e.low > 0.5 or (two_sided and e.high < 0.5))
    return passed, nums


def sanity_checklist(model: nn.Module, x, y, *, eps: float, norm="linf", generator=None,
                     steps: tuple[int, int] = (10, 40), restarts: tuple[int, int] = (1, 3), eps_grid=None,
                     source_model: nn.Module | None = None, domain=DEFAULT_DOMAIN, unbounded_steps: int = 100,
                     unbounded_tolerance: int = 0, batch_size: int = 512, confidence: float = 0.999,
                     pgd_fn=None, fgsm_fn=None, unbounded_fn=None) -> SanityReport:
    """The robustness-evaluation sanity checks of shaeiri2020 appendix C, measured and judged.

    shaeiri2020 appendix C ("Evaluation details", after the checklist of Carlini et al. 2019) lists 12
    checks: (1) FGSM is not stronger than PGD; (2) unbounded attacks reach zero accuracy; (3) PGD with a
    random offset does not change adversarial accuracy significantly; (4) many random restarts do not change
    it significantly; (5) PGD with more steps does not change it significantly; (6) adversarial accuracy
    decreases monotonically as the attack's magnitude grows; (7) a targeted PGD attack (worst of the target
    classes) does not change it significantly; (8) a brute-force random-sign attack is not effective;
    (9) the distortion needed to reach zero accuracy exceeds that of the base model; (10) the gradient-free
    black-box attack ZOO is not effective; (11) black-box attacks do not outperform white-box attacks
    (transfer from another model); (12) a "semi-black-box" transfer from the base model is not effective.

    Run here, in this order: ``unbounded`` (2), ``monotone_in_eps`` (6), ``more_steps`` (5),
    ``more_restarts`` (4), ``random_start`` (3), ``pgd_vs_fgsm`` (1) and, when ``source_model`` is given,
    ``transfer`` (11: PGD examples crafted on ``source_model`` must not beat white-box PGD). Not run: 7, 8,
    9, 10, 12 (they need other attacks or a reference model).

    Verdicts come from the measured per-example outcomes, never from a constant:

    - ``unbounded``: passes iff at most ``unbounded_tolerance`` examples (default 0) stay correct under
      ``unbounded_fn(model, x, y, steps=unbounded_steps, generator=g)``.
    - comparisons "robust accuracy under A is not above that under B" (A expected to be at least as strong):
      a paired sign test on the same examples. With b the number of examples robust under A but broken by B
      and c the reverse, the check fails iff the Clopper-Pearson interval of b / (b + c) at ``confidence``
      lies entirely above 1/2 (so random disagreement between two equally strong attacks passes, and a
      systematic excess fails once it is significant). ``monotone_in_eps`` applies it to each pair of
      consecutive radii of the grid; ``random_start`` applies the two-sided version (the paper says "should
      not affect") comparing PGD with and without the random start.

    The reference attack is PGD with ``steps[0]`` steps, ``restarts[0]`` restarts and a random start.

    Parameters
    ----------
    model : nn.Module under test
    x, y : the evaluation data
    eps : float > 0, the threat model's radius; norm "linf" or "l2" (or a ThreatModel, then eps must agree)
    generator : torch.Generator, int seed or None; one generator is threaded through all attacks in turn
    steps : (s1, s2) with 1 <= s1 < s2, the PGD step counts compared
    restarts : (r1, r2) with 1 <= r1 < r2, the restart counts compared
    eps_grid : radii for the monotonicity check (sorted, duplicates dropped; 0 = clean); default
        (0, eps/4, eps/2, eps, 2 eps)
    source_model : nn.Module for the transfer check, or None (the check is skipped)
    domain : the input box passed to the attacks, (0, 1) by default; None for unbounded data
    unbounded_steps : int >= 1, steps of the unbounded attack
    unbounded_tolerance : int >= 0, survivors allowed under the unbounded attack
    batch_size, confidence : as in :func:`robust_accuracy`
    pgd_fn, fgsm_fn, unbounded_fn : the attacks, defaults :func:`empirical.attacks.pgd`, ``.fgsm`` and
        ``.unbounded`` (imported when needed); replacements must take the same keywords

    Returns
    -------
    :class:`SanityReport` (``.passed``, ``.checks``, ``report["pgd_vs_fgsm"]``, ``str(report)``).

    Raises
    ------
    ValueError
        eps not > 0, a bad norm, steps or restarts that are not increasing pairs of positive integers, a bad
        grid or tolerance, and as :func:`robust_accuracy`.

    Examples
    --------
    A linear model has honest gradients: every check passes.

    >>> import torch
    >>> from empirical.models import Linear
    >>> model = Linear.from_theory([1.0, -1.0, 0.5], b=-0.25).eval()
    >>> x = torch.rand(8, 3, generator=torch.Generator().manual_seed(0))
    >>> y = torch.where(model(x) > 0, 1.0, -1.0)  # the model's own predictions: clean accuracy 1
    >>> report = sanity_checklist(model, x, y, eps=0.1, generator=0, steps=(3, 6), restarts=(1, 2),
    ...                           unbounded_steps=30)
    >>> report.passed, report.clean_accuracy.value, [c.name for c in report.checks]
    (True, 1.0, ['unbounded', 'monotone_in_eps', 'more_steps', 'more_restarts', 'random_start', 'pgd_vs_fgsm'])
    """
    _warn_if_training(model, "sanity_checklist")
    tm = threat(norm, eps)
    if tm.eps <= 0:
        raise ValueError(f"eps must be > 0, got {eps!r}")
    eps, norm = tm.eps, norm_name(tm)
    pairs = []
    for v, name in ((steps, "steps"), (restarts, "restarts")):
        v = tuple(v)
        if len(v) != 2 or any(isinstance(a, bool) or not isinstance(a, numbers.Integral) or a < 1 for a in v) \
                or not v[0] < v[1]:
            raise ValueError(f"{name} must be a pair (a, b) of integers with 1 <= a < b, got {v!r}")
        pairs.append((int(v[0]), int(v[1])))
    (s1, s2), (r1, r2) = pairs
    grid = (0.0, eps / 4, eps / 2, eps, 2 * eps) if eps_grid is None else \
        [check_real(e, "each eps in eps_grid") for e in np.atleast_1d(eps_grid).tolist()]
    grid = sorted(set(grid))
    if len(grid) < 2:
        raise ValueError(f"eps_grid must hold at least two distinct radii, got {eps_grid!r}")
    unbounded_steps = check_int(unbounded_steps, "unbounded_steps")
    unbounded_tolerance = check_int(unbounded_tolerance, "unbounded_tolerance", minimum=0)
    confidence = _confidence(confidence)
    if source_model is not None and not isinstance(source_model, nn.Module):
        raise ValueError(f"source_model must be an nn.Module or None, got {type(source_model).__name__}")
    if pgd_fn is None or fgsm_fn is None or unbounded_fn is None:
        from empirical import attacks as _attacks
        pgd_fn = pgd_fn or _attacks.pgd
        fgsm_fn = fgsm_fn or _attacks.fgsm
        unbounded_fn = unbounded_fn or _attacks.unbounded
    x, y = _data(x, y)
    device, _ = _device_dtype(model)
    g = as_generator(generator, device=device)

    def pgd(e, n_steps=s1, n_restarts=r1, random_start=True, on=None):
        def attack(m, xb, yb):
            target = m if on is None else on
            return pgd_fn(target, xb, yb, eps=e, steps=n_steps, norm=norm, restarts=n_restarts,
                          random_start=random_start, generator=g, domain=domain)
        return attack

    def run(attack):
        return _evaluate(model, x, y, attack, batch_size)

    def acc(mask):
        return proportion(int(mask.sum()), mask.numel(), confidence)

    checks, skipped = [], []
    with eval_mode(model), preserved_grads(model):
        clean = run(None)
        # (2) unbounded attacks reach zero accuracy
        ub = run(lambda m, xb, yb: unbounded_fn(m, xb, yb, steps=unbounded_steps, generator=g))
        survivors = int(ub.sum())
        checks.append(Check(
            "unbounded", "shaeiri2020 app. C item 2: an unbounded attack leads to zero accuracy",
            f"passes iff at most unbounded_tolerance={unbounded_tolerance} examples stay correct",
            survivors <= unbounded_tolerance, {"accuracy": acc(ub), "survivors": survivors}))
        # (6) monotone in eps; the reference PGD at eps is reused
        base = run(pgd(eps))
        masks = [clean if e == 0 else base if e == eps else run(pgd(e)) for e in grid]
        verdicts, counts = [], []
        for j in range(len(grid) - 1):
            ok, nums = _paired(masks[j + 1], masks[j], confidence)
            verdicts.append(ok)
            counts.append(nums["discordant"])
        checks.append(Check(
            "monotone_in_eps", "shaeiri2020 app. C item 6: adversarial accuracy decreases monotonically in eps",
            "each consecutive pair of radii: " + _NOT_HIGHER_RULE, all(verdicts),
            {"eps": list(grid), "accuracy": [acc(m) for m in masks], "discordant": counts,
             "pair_passed": verdicts}))

        def compare(name, description, strong, weak, labels, two_sided=False):
            ok, nums = _paired(strong, weak, confidence, two_sided=two_sided)
            measured = {f"accuracy_{labels[0]}": acc(strong), f"accuracy_{labels[1]}": acc(weak), **nums}
            checks.append(Check(name, description, _EQUAL_RULE if two_sided else _NOT_HIGHER_RULE, ok, measured))

        # (5) more steps, (4) more restarts, (3) random start, (1) PGD vs FGSM
        compare("more_steps", f"shaeiri2020 app. C item 5: PGD with {s2} steps does not raise accuracy over {s1}",
                run(pgd(eps, n_steps=s2)), base, (f"steps{s2}", f"steps{s1}"))
        compare("more_restarts",
                f"shaeiri2020 app. C item 4: {r2} random restarts do not raise accuracy over {r1}",
                run(pgd(eps, n_restarts=r2)), base, (f"restarts{r2}", f"restarts{r1}"))
        compare("random_start", "shaeiri2020 app. C item 3: a random start does not change PGD accuracy",
                base, run(pgd(eps, random_start=False)), ("random_start", "no_random_start"), two_sided=True)
        fg = run(lambda m, xb, yb: fgsm_fn(m, xb, yb, eps=eps, norm=norm, generator=g, domain=domain))
        compare("pgd_vs_fgsm", "shaeiri2020 app. C item 1: PGD is at least as strong as FGSM",
                base, fg, ("pgd", "fgsm"))
        # (11) black-box transfer is no stronger than white-box
        if source_model is None:
            skipped.append("transfer: no source_model given (shaeiri2020 app. C item 11)")
        else:
            with eval_mode(source_model), preserved_grads(source_model):
                tr = run(pgd(eps, on=source_model))
            compare("transfer", "shaeiri2020 app. C item 11: black-box (transfer) attacks do not outperform "
                    "white-box attacks", base, tr, ("white_box", "transfer"))
    skipped += ["targeted PGD, brute force, minimum distortion, ZOO, semi-black-box "
                "(shaeiri2020 app. C items 7-10, 12): not implemented"]
    return SanityReport(tuple(checks), acc(clean), tuple(skipped))
