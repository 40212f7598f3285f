"""A resumable, reproducible, optionally distributed trainer for the objectives of :mod:`empirical.objectives`.

:class:`Trainer` (and the one-call :func:`train`) runs epochs of minibatch training of a model
on a dataset with one objective and one epsilon schedule, and, when given an ``out_dir``:

- appends one JSON line per epoch to ``out_dir/metrics.jsonl`` (epoch, eps, lr, train loss and
  accuracies, eval accuracy, seconds) and writes ``out_dir/config.json``;
- writes ``out_dir/checkpoint.pt`` after every epoch, atomically (temp file in the same folder,
  flush, fsync, ``os.replace``, fsync of the folder), holding the model, optimizer and
  lr-scheduler states, the epoch, the states of every random generator the run uses, the
  config and the metrics history, all loadable with ``torch.load(..., weights_only=True)``;
- resumes from that checkpoint when ``fit()`` is called again on the same ``out_dir``: a run
  killed at any moment (even by SIGKILL) and resumed ends with the same weights and metrics
  (timing aside) as an uninterrupted one, bitwise on the CPU.

Randomness. Everything random goes through generators the checkpoint stores: the batch order
(a CPU generator, the same on every process), the attacks' random starts (one generator per
process, on the training device) and the default torch generator the model itself may use
(dropout), which :meth:`Trainer.fit` forks (``torch.random.fork_rng``) and seeds from the run's
seed, so that the caller's global random state is left exactly as it was.

Epsilon schedules (:func:`constant`, :func:`iterative`) give the threat model's radius per
epoch; *extended* adversarial training (shaeiri2020 section 3.1) is a run started from the
weights of a run at a smaller eps: ``Trainer(..., init_from=<checkpoint or run folder>)``.

Distributed data parallel. Under ``torchrun`` (RANK, WORLD_SIZE, LOCAL_RANK in the
environment) :meth:`Trainer.fit` joins the process group (NCCL on CUDA, gloo on the CPU),
wraps the model in DistributedDataParallel and gives each process a disjoint contiguous slice
of every global batch: the effective batch, and with it the SGD trajectory, is that of one
process (up to floating-point reduction order; exactly so when the objective draws no random
numbers, since each process draws its own attack starts). Only rank 0 writes files.

Devices. ``device=None`` is :func:`empirical._core.default_device` (``cuda:LOCAL_RANK`` under
torchrun). On CUDA the objective runs under bfloat16 autocast and 4-D inputs use the
channels-last memory format; on the CPU everything is float32.

Examples
--------
>>> import torch
>>> from empirical.data import TensorData
>>> from empirical.objectives import Madry
>>> g = torch.Generator().manual_seed(0)
>>> data = TensorData(torch.rand(64, 2, generator=g), torch.randint(0, 2, (64,), generator=g), 2)
>>> model = torch.nn.Linear(2, 2)
>>> history = train(model, data, Madry(steps=3), iterative(0.1, 4), epochs=4, batch_size=16,
...                 device="cpu", progress=False)
>>> [round(h["eps"], 3) for h in history]
[0.025, 0.05, 0.075, 0.1]
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import numbers
import os
import tempfile
import time
from pathlib import Path

import torch

from empirical._core import check_real, correct, default_device, eval_mode

__all__ = [
    "Schedule", "constant", "iterative", "schedule_from_config",
    "OptimizerFactory", "sgd", "adam", "LRScheduleFactory", "multistep",
    "Trainer", "train", "load_checkpoint", "load_weights",
    "CHECKPOINT_NAME", "METRICS_NAME", "CONFIG_NAME", "TIMING_FIELDS",
]

CHECKPOINT_NAME = "checkpoint.pt"
"""The checkpoint's file name inside ``out_dir``."""
METRICS_NAME = "metrics.jsonl"
"""The metrics file's name inside ``out_dir``: one JSON object per completed epoch."""
CONFIG_NAME = "config.json"
"""The run's configuration, written once by rank 0 (the checkpoint holds the same dict)."""
TIMING_FIELDS = ("seconds",)
"""The metrics fields that depend on wall-clock time (the rest are reproducible)."""
_FORMAT = 1


# ----------------------------------------------------------------------------------------------
# epsilon schedules


def _check_epoch(epoch):
    if isinstance(epoch, bool) or not isinstance(epoch, numbers.Integral) or epoch < 1:
        raise ValueError(f"epoch must be an integer >= 1 (epochs are numbered from 1), got {epoch!r}")
    return int(epoch)


class Schedule:
    """An epsilon schedule: ``schedule(epoch) -> eps`` for epochs numbered 1, 2, ...

    Build one with :func:`constant` or :func:`iterative`; :meth:`config` describes it in plain types.

    Examples
    --------
    >>> s = iterative(0.3, 3)
    >>> isinstance(s, Schedule), s
    (True, iterative(eps_final=0.3, epochs=3, eps_start=0.0))
    >>> s.config()
    {'name': 'iterative', 'eps_final': 0.3, 'epochs': 3, 'eps_start': 0.0}
    """

    name = "schedule"

    def __call__(self, epoch: int) -> float:
        raise NotImplementedError

    def config(self) -> dict:
        raise NotImplementedError

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.config().items() if k != "name")
        return f"{self.name}({args})"


class _Constant(Schedule):
    name = "constant"

    def __init__(self, eps):
        self.eps = check_real(eps, "eps")

    def __call__(self, epoch):
        _check_epoch(epoch)
        return self.eps

    def config(self):
        return {"name": self.name, "eps": self.eps}


class _Iterative(Schedule):
    name = "iterative"

    def __init__(self, eps_final, epochs, eps_start=0.0):
        self.eps_final = check_real(eps_final, "eps_final")
        self.eps_start = check_real(eps_start, "eps_start")
        if isinstance(epochs, bool) or not isinstance(epochs, numbers.Integral) or epochs < 1:
            raise ValueError(f"epochs must be an integer >= 1, got {epochs!r}")
        self.epochs = int(epochs)

    def __call__(self, epoch):
        epoch = min(_check_epoch(epoch), self.epochs)
        if epoch == self.epochs:
            return self.eps_final
        return self.eps_start + (self.eps_final - self.eps_start) * epoch / self.epochs

    def config(self):
        return {"name": self.name, "eps_final": self.eps_final, "epochs": self.epochs, "eps_start": self.eps_start}


def constant(eps) -> Schedule:
    """The same eps every epoch (standard adversarial training).

    Parameters
    ----------
    eps : float >= 0

    Raises
    ------
    ValueError : for a negative or non-finite eps

    Examples
    --------
    >>> [constant(0.3)(e) for e in (1, 2, 3)]
    [0.3, 0.3, 0.3]
    """
    return _Constant(eps)


def iterative(eps_final, epochs, eps_start=0.0) -> Schedule:
    """Iterative adversarial training (IAT, shaeiri2020 section 3.4): eps grows linearly, by the
    same amount every epoch, from ``eps_start`` to ``eps_final``, and stays there afterwards:

        eps(e) = eps_start + (eps_final - eps_start) * min(e, epochs) / epochs,   e = 1, 2, ...

    so the first epoch trains at eps_start + step and epoch ``epochs`` at eps_final. shaeiri2020
    "gradually increased [eps] from 0 to the target epsilon with a specific schedule across
    epochs": on MNIST by 0.01 per epoch, 0 -> 0.5 over 50 epochs (their Fig. 7), i.e.
    ``iterative(0.5, 50)``, with the training setting of their section 3.1.1 (Adam, lr 1e-3,
    batch 128, signed PGD with random start, step 0.05, eps * 2.5 / 0.05 steps); they pick the
    stopping eps where the training adversarial loss jumps. They do not say whether the first
    epoch is at 0 or at the first increment; this schedule starts at the first increment (an
    epoch at eps = 0 is standard training). On CIFAR-10 they report that the linear and
    exponential schedules they tried did not give good robust accuracy.

    Parameters
    ----------
    eps_final : float >= 0, the target radius
    epochs : int >= 1, the number of epochs over which eps grows
    eps_start : float >= 0, the radius eps(0) the growth starts from

    Raises
    ------
    ValueError : for a bad value

    Examples
    --------
    >>> s = iterative(0.5, 50)
    >>> s(1), s(25), s(50), s(60)
    (0.01, 0.25, 0.5, 0.5)
    """
    return _Iterative(eps_final, epochs, eps_start)


def schedule_from_config(config: dict) -> Schedule:
    """The schedule a :meth:`Schedule.config` dict describes (ValueError for an unknown name).

    Examples
    --------
    >>> s = schedule_from_config(iterative(0.5, 5).config())
    >>> s, s(2)
    (iterative(eps_final=0.5, epochs=5, eps_start=0.0), 0.2)
    """
    config = dict(config)
    name = config.pop("name", None)
    if name == "constant":
        return _Constant(**config)
    if name == "iterative":
        return _Iterative(**config)
    raise ValueError(f"unknown schedule name {name!r}; known: 'constant', 'iterative'")


def _as_schedule(schedule):
    if isinstance(schedule, Schedule):
        return schedule
    if isinstance(schedule, numbers.Real) and not isinstance(schedule, bool):
        return constant(schedule)
    raise ValueError(f"schedule must be a Schedule (constant, iterative) or a number, got {schedule!r}")


# ----------------------------------------------------------------------------------------------
# optimizers and learning-rate schedules


def _callable_config(fn):
    if hasattr(fn, "config"):
        return fn.config()
    return {"name": "callable", "qualname": getattr(fn, "__qualname__", type(fn).__qualname__)}


class OptimizerFactory:
    """A callable ``factory(params) -> torch.optim.Optimizer`` with a plain-types :meth:`config`.

    Build one with :func:`sgd` or :func:`adam`; any callable taking the parameters works in
    :class:`Trainer` too (its config is then its qualified name).

    Examples
    --------
    >>> import torch
    >>> factory = sgd(lr=0.05, momentum=0.0)
    >>> isinstance(factory, OptimizerFactory), type(factory(torch.nn.Linear(2, 1).parameters())).__name__
    (True, 'SGD')
    >>> factory.config()
    {'name': 'sgd', 'lr': 0.05, 'momentum': 0.0, 'weight_decay': 0.0, 'nesterov': False}
    """

    def __init__(self, name, cls, **kwargs):
        self.name, self.cls, self.kwargs = name, cls, kwargs

    def __call__(self, params):
        return self.cls(params, **self.kwargs)

    def config(self):
        return {"name": self.name, **{k: (list(v) if isinstance(v, tuple) else v) for k, v in self.kwargs.items()}}

    def __repr__(self):
        return f"{self.name}({', '.join(f'{k}={v!r}' for k, v in self.kwargs.items())})"


def sgd(lr=0.1, momentum=0.9, weight_decay=0.0, nesterov=False) -> OptimizerFactory:
    """SGD with momentum (the default optimizer: lr 0.1, momentum 0.9, as in Madry et al. 2018 and
    shaeiri2020's CIFAR-10 setting, which adds weight decay 5e-4).

    Raises
    ------
    ValueError : for a bad value

    Examples
    --------
    >>> import torch
    >>> sgd(lr=0.05)(torch.nn.Linear(2, 1).parameters()).defaults["lr"]
    0.05
    """
    if momentum < 0 or momentum >= 1:
        raise ValueError(f"momentum must be in [0, 1), got {momentum!r}")
    return OptimizerFactory("sgd", torch.optim.SGD, lr=check_real(lr, "lr", strict=True), momentum=float(momentum),
                            weight_decay=check_real(weight_decay, "weight_decay"), nesterov=bool(nesterov))


def adam(lr=1e-3, betas=(0.9, 0.999), weight_decay=0.0) -> OptimizerFactory:
    """Adam (Kingma and Ba 2015; shaeiri2020's MNIST setting is lr 1e-3, batch 128).

    Raises
    ------
    ValueError : for a bad value

    Examples
    --------
    >>> import torch
    >>> optimizer = adam(lr=0.01)(torch.nn.Linear(2, 1).parameters())
    >>> type(optimizer).__name__, optimizer.defaults["lr"], optimizer.defaults["betas"]
    ('Adam', 0.01, (0.9, 0.999))
    """
    b1, b2 = (float(b) for b in betas)
    if not (0 <= b1 < 1 and 0 <= b2 < 1):
        raise ValueError(f"betas must lie in [0, 1), got {betas!r}")
    return OptimizerFactory("adam", torch.optim.Adam, lr=check_real(lr, "lr", strict=True), betas=(b1, b2),
                            weight_decay=check_real(weight_decay, "weight_decay"))


class LRScheduleFactory:
    """A callable ``factory(optimizer) -> LRScheduler`` with a plain-types :meth:`config`.

    Build one with :func:`multistep`.

    Examples
    --------
    >>> import torch
    >>> factory = multistep([2, 4], gamma=0.5)
    >>> isinstance(factory, LRScheduleFactory), factory.config()
    (True, {'name': 'multistep', 'milestones': [2, 4], 'gamma': 0.5})
    >>> type(factory(sgd()(torch.nn.Linear(2, 1).parameters()))).__name__
    'MultiStepLR'
    """

    def __init__(self, name, cls, **kwargs):
        self.name, self.cls, self.kwargs = name, cls, kwargs

    def __call__(self, optimizer):
        return self.cls(optimizer, **self.kwargs)

    def config(self):
        return {"name": self.name, **{k: (list(v) if isinstance(v, tuple) else v) for k, v in self.kwargs.items()}}


def multistep(milestones, gamma=0.1) -> LRScheduleFactory:
    """Multiply the learning rate by ``gamma`` at each milestone (shaeiri2020's CIFAR-10 setting:
    0.1, 0.01, 0.001 over 150 epochs is ``multistep([50, 100])`` stepped per epoch).

    Raises
    ------
    ValueError : for milestones that are not increasing positive integers, or a bad gamma

    Examples
    --------
    >>> import torch
    >>> optimizer = sgd(lr=0.1)(torch.nn.Linear(2, 1).parameters())
    >>> scheduler, lrs = multistep([2])(optimizer), []
    >>> for epoch in range(3):
    ...     lrs.append(round(optimizer.param_groups[0]["lr"], 6))
    ...     optimizer.step()
    ...     scheduler.step()
    >>> lrs
    [0.1, 0.1, 0.01]
    """
    ms = list(milestones)
    if any(isinstance(m, bool) or not isinstance(m, numbers.Integral) or m < 1 for m in ms) or ms != sorted(set(ms)):
        raise ValueError(f"milestones must be increasing integers >= 1, got {milestones!r}")
    return LRScheduleFactory("multistep", torch.optim.lr_scheduler.MultiStepLR, milestones=[int(m) for m in ms],
                             gamma=check_real(gamma, "gamma", strict=True))


# ----------------------------------------------------------------------------------------------
# files


def _fsync_dir(path):
    """fsync a directory so that a rename inside it is durable (a no-op where unsupported)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:  # pragma: no cover - e.g. Windows
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover
        pass
    finally:
        os.close(fd)


def _atomic_write(path, write):
    """Write ``path`` so that it is either the old file or the complete new one, never partial.

    ``write(f)`` fills a binary temp file in the same folder; it is flushed and fsynced, renamed
    over ``path`` with ``os.replace`` and the folder is fsynced. On any error the temp file is
    removed and ``path`` is untouched.
    """
    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _fsync_dir(path.parent)


def _save_checkpoint(obj, path):
    _atomic_write(path, lambda f: torch.save(obj, f))


def _append_line(path, line):
    with open(path, "ab") as f:
        f.write((line + "\n").encode())
        f.flush()
        os.fsync(f.fileno())


def load_checkpoint(path, map_location="cpu") -> dict:
    """A checkpoint written by :class:`Trainer`, loaded with ``torch.load(..., weights_only=True)``.

    Parameters
    ----------
    path : the checkpoint file, or a run folder holding ``checkpoint.pt``
    map_location : where tensors go (default the CPU)

    Returns
    -------
    dict with keys "format", "epoch" (completed epochs), "model", "optimizer", "lr_scheduler",
    "generators", "config", "history"

    Raises
    ------
    FileNotFoundError : when there is no checkpoint

    Examples
    --------
    >>> import os, shutil, tempfile, torch
    >>> from empirical.data import TensorData
    >>> from empirical.models import Linear
    >>> from empirical.objectives import Standard
    >>> x = torch.rand(8, 2, generator=torch.Generator().manual_seed(0))
    >>> data = TensorData(x, torch.where(x[:, 0] > x[:, 1], 1.0, -1.0), 2)
    >>> out = tempfile.mkdtemp()
    >>> model = Linear(2, generator=0)
    >>> _ = train(model, data, Standard(), 0.0, 1, batch_size=4, out_dir=out, device="cpu", progress=False)
    >>> checkpoint = load_checkpoint(out)
    >>> checkpoint["epoch"], sorted(checkpoint)
    (1, ['config', 'epoch', 'format', 'generators', 'history', 'lr_scheduler', 'model', 'optimizer'])
    >>> shutil.rmtree(out)
    """
    path = Path(path)
    if path.is_dir():
        path = path / CHECKPOINT_NAME
    return torch.load(path, map_location=map_location, weights_only=True)


def load_weights(model: torch.nn.Module, path) -> torch.nn.Module:
    """Load into ``model`` the weights of a Trainer checkpoint (file or run folder) or of a file
    holding a bare ``state_dict``; returns the model.

    Raises
    ------
    FileNotFoundError : when the file is missing
    ValueError : when the file holds neither
    RuntimeError : (torch's) when the weights do not fit the model

    Examples
    --------
    >>> import os, shutil, tempfile, torch
    >>> from empirical.data import TensorData
    >>> from empirical.models import Linear
    >>> from empirical.objectives import Standard
    >>> x = torch.rand(8, 2, generator=torch.Generator().manual_seed(0))
    >>> data = TensorData(x, torch.where(x[:, 0] > x[:, 1], 1.0, -1.0), 2)
    >>> out = tempfile.mkdtemp()
    >>> model = Linear(2, generator=0)
    >>> _ = train(model, data, Standard(), 0.0, 1, batch_size=4, out_dir=out, device="cpu", progress=False)
    >>> fresh = load_weights(Linear(2, generator=1), out)
    >>> torch.equal(fresh.linear.weight, model.linear.weight)
    True
    >>> torch.save(fresh.state_dict(), os.path.join(out, "weights.pt"))  # a bare state_dict works too
    >>> torch.equal(load_weights(Linear(2), os.path.join(out, "weights.pt")).linear.bias, model.linear.bias)
    True
    >>> shutil.rmtree(out)
    """
    path = Path(path)
    if path.is_dir():
        path = path / CHECKPOINT_NAME
    obj = torch.load(path, map_location="cpu", weights_only=True)
    state = obj.get("model", obj) if isinstance(obj, dict) else None
    if not isinstance(state, dict) or not all(isinstance(v, torch.Tensor) for v in state.values()):
        raise ValueError(f"{path} holds neither a Trainer checkpoint nor a state_dict")
    model.load_state_dict(state)
    return model


# ----------------------------------------------------------------------------------------------
# the trainer


def _derive_seed(seed, *keys):
    """A 63-bit seed from the run's seed and a stream name: independent streams, no global state."""
    digest = hashlib.sha256(repr((int(seed),) + tuple(keys)).encode()).digest()
    return int.from_bytes(digest[:8], "little") & (2**63 - 1)


def _seeded(seed, device="cpu"):
    g = torch.Generator(device=device)
    g.manual_seed(seed)
    return g


def _distributed_env():
    """(rank, world_size, local_rank) from torchrun's environment, or None outside it."""
    if "RANK" not in os.environ or "WORLD_SIZE" not in os.environ:
        return None
    world = int(os.environ["WORLD_SIZE"])
    if world < 2:
        return None
    return int(os.environ["RANK"]), world, int(os.environ.get("LOCAL_RANK", "0"))


class Trainer:
    """Train ``model`` on ``train_data`` with ``objective`` at the radii of ``schedule``.

    Parameters
    ----------
    model : torch.nn.Module; trained in place (moved to the device)
    train_data : a dataset with tensors ``.x`` (N, ...) and ``.y`` (N,), e.g.
        :class:`empirical.data.TensorData`; the trainer draws its own batch order (a permutation
        per epoch from a stored generator) and indexes ``x`` and ``y`` with it
    objective : an :class:`empirical.objectives.Objective` (or any callable with its ``compute``)
    schedule : a :class:`Schedule` (:func:`constant`, :func:`iterative`) or a number (constant eps)
    epochs : int >= 1, the total number of epochs (a resumed run continues up to it; it may be
        raised to extend a finished run)
    optimizer : a factory ``params -> Optimizer``; default :func:`sgd` (lr 0.1, momentum 0.9)
    lr_schedule : optional factory ``optimizer -> LRScheduler`` (e.g. :func:`multistep`)
    lr_step : "epoch" (step the lr schedule after each epoch) or "batch" (after each batch)
    batch_size : int >= 1, the global batch size (split over processes under DDP)
    seed : int, the seed every random stream of the run is derived from
    out_dir : folder for the metrics, config and checkpoint (created); None: nothing is written
        and nothing can be resumed
    device : torch.device or str; None: ``cuda:LOCAL_RANK`` under torchrun on CUDA, else
        :func:`empirical._core.default_device`
    eval_data : optional dataset with ``.x``, ``.y``; its clean accuracy (model in eval mode) is
        recorded every epoch
    eval_batch_size : int >= 1, the batch size of that evaluation
    init_from : optional checkpoint file or run folder (or a file with a bare state_dict) whose
        weights initialize a *new* run: shaeiri2020's extended adversarial training (section
        3.1.1: train the model adversarially at a small eps, then a few epochs, 5 in the paper,
        at the larger eps with the same setting, starting from those weights). The optimizer
        and lr schedule start fresh. Ignored when ``out_dir`` already holds a checkpoint (the
        run resumes from it).
    amp : bool or None; bfloat16 autocast for the objective; None: on CUDA only
    channels_last : bool or None; channels-last memory format for 4-D inputs; None: on CUDA only
    progress : bool, show tqdm progress bars (rank 0 only)

    Raises
    ------
    ValueError : for a bad argument, or on resume when the checkpoint's configuration differs
        from this one (other than ``epochs``)

    Notes
    -----
    Metrics (one dict per epoch, :attr:`history` and ``metrics.jsonl``): ``epoch`` (1-based),
    ``eps``, ``lr`` (of the first parameter group, during the epoch), ``train_loss`` (the
    objective's mean over the epoch's examples), ``train_acc`` (accuracy at the clean inputs,
    None when the objective does not evaluate them, e.g. :class:`~empirical.objectives.Madry`),
    ``train_adv_acc`` (accuracy at the objective's adversarial inputs, None for
    :class:`~empirical.objectives.Standard`), both from the training forward passes (training
    mode, parameters as they were before the batch's step), ``eval_acc`` (None without
    ``eval_data``), ``examples`` and ``seconds``.

    Examples
    --------
    One epoch of a linear model on 8 points, written to a temporary folder; calling ``fit`` again on
    that folder resumes from the checkpoint, which has nothing left to train:

    >>> import os, shutil, tempfile, torch
    >>> from empirical.data import TensorData
    >>> from empirical.models import Linear
    >>> from empirical.objectives import Standard
    >>> x = torch.rand(8, 2, generator=torch.Generator().manual_seed(0))
    >>> data = TensorData(x, torch.where(x[:, 0] > x[:, 1], 1.0, -1.0), 2)
    >>> out = tempfile.mkdtemp()
    >>> def trainer():
    ...     return Trainer(Linear(2, generator=0), data, Standard(), 0.0, epochs=1, batch_size=4, out_dir=out,
    ...                    device="cpu", eval_data=data, progress=False)
    >>> history = trainer().fit()
    >>> [h["epoch"] for h in history], history[0]["examples"], sorted(os.listdir(out))
    ([1], 8, ['checkpoint.pt', 'config.json', 'metrics.jsonl'])
    >>> trainer().fit() == history
    True
    >>> shutil.rmtree(out)
    """

    def __init__(self, model, train_data, objective, schedule, epochs, *, optimizer=None, lr_schedule=None,
                 lr_step="epoch", batch_size=128, seed=0, out_dir=None, device=None, eval_data=None,
                 eval_batch_size=512, init_from=None, amp=None, channels_last=None, progress=True):
        if not isinstance(model, torch.nn.Module):
            raise ValueError(f"model must be a torch.nn.Module, got {type(model).__name__}")
        for name, data in (("train_data", train_data), ("eval_data", eval_data)):
            if data is None and name == "eval_data":
                continue
            if not (isinstance(getattr(data, "x", None), torch.Tensor) and isinstance(getattr(data, "y", None),
                                                                                      torch.Tensor)):
                raise ValueError(f"{name} must have tensors .x and .y (e.g. empirical.data.TensorData), got {data!r}")
            if data.x.shape[0] != data.y.shape[0] or data.x.shape[0] == 0:
                raise ValueError(f"{name} must hold N >= 1 examples with x and y of the same length, got "
                                 f"x {tuple(data.x.shape)} and y {tuple(data.y.shape)}")
        if not hasattr(objective, "compute"):
            raise ValueError(f"objective must be an empirical.objectives.Objective, got {objective!r}")
        if isinstance(epochs, bool) or not isinstance(epochs, numbers.Integral) or epochs < 1:
            raise ValueError(f"epochs must be an integer >= 1, got {epochs!r}")
        if isinstance(batch_size, bool) or not isinstance(batch_size, numbers.Integral) or batch_size < 1:
            raise ValueError(f"batch_size must be an integer >= 1, got {batch_size!r}")
        if isinstance(eval_batch_size, bool) or not isinstance(eval_batch_size, numbers.Integral) \
                or eval_batch_size < 1:
            raise ValueError(f"eval_batch_size must be an integer >= 1, got {eval_batch_size!r}")
        if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
            raise ValueError(f"seed must be an integer, got {seed!r}")
        if lr_step not in ("epoch", "batch"):
            raise ValueError(f"lr_step must be 'epoch' or 'batch', got {lr_step!r}")
        if optimizer is not None and not callable(optimizer):
            raise ValueError(f"optimizer must be a factory params -> Optimizer (e.g. sgd(), adam()), got {optimizer!r}")
        if lr_schedule is not None and not callable(lr_schedule):
            raise ValueError(f"lr_schedule must be a factory optimizer -> LRScheduler, got {lr_schedule!r}")
        self.model = model
        self.train_data = train_data
        self.objective = objective
        self.schedule = _as_schedule(schedule)
        self.epochs = int(epochs)
        self.optimizer_factory = sgd() if optimizer is None else optimizer
        self.lr_schedule_factory = lr_schedule
        self.lr_step = lr_step
        self.batch_size = int(batch_size)
        self.seed = int(seed)
        self.out_dir = None if out_dir is None else Path(out_dir)
        self.device = None if device is None else torch.device(device)
        self.eval_data = eval_data
        self.eval_batch_size = int(eval_batch_size)
        self.init_from = None if init_from is None else Path(init_from)
        self.amp = amp
        self.channels_last = channels_last
        self.progress = bool(progress)
        self.history: list[dict] = []
        self.optimizer = None
        self.lr_scheduler = None

    # -- configuration ----------------------------------------------------------------------

    def config(self, world_size=1, device_type="cpu") -> dict:
        """The run's configuration in plain types (stored in the checkpoint and config.json).

        A resume must match it in everything but ``epochs``: the same objective, schedule, data
        sizes, seed, batch size, number of processes and device type (the generators' states
        are device-specific)."""
        n = int(sum(p.numel() for p in self.model.parameters()))
        return {
            "objective": self.objective.config() if hasattr(self.objective, "config") else repr(self.objective),
            "schedule": self.schedule.config(),
            "epochs": self.epochs,
            "optimizer": _callable_config(self.optimizer_factory),
            "lr_schedule": None if self.lr_schedule_factory is None else _callable_config(self.lr_schedule_factory),
            "lr_step": self.lr_step,
            "batch_size": self.batch_size,
            "seed": self.seed,
            "init_from": None if self.init_from is None else str(self.init_from),
            "model": {"class": type(self.model).__qualname__, "parameters": n},
            "train_data": {"n": int(self.train_data.x.shape[0]), "x_shape": list(self.train_data.x.shape[1:])},
            "eval_data": None if self.eval_data is None else {"n": int(self.eval_data.x.shape[0])},
            "world_size": int(world_size),
            "device_type": str(device_type),
        }

    # -- helpers ----------------------------------------------------------------------------

    def _batches(self, perm, rank, world):
        """Per global batch: (this process's slice of the indices, global batch size)."""
        for start in range(0, perm.numel(), self.batch_size):
            idx = perm[start:start + self.batch_size]
            yield idx.tensor_split(world)[rank], idx.numel()

    def _to_device(self, data, idx, device, channels_last):
        x = data.x[idx.to(data.x.device)].to(device, non_blocking=True)
        y = data.y[idx.to(data.y.device)].to(device, non_blocking=True)
        if channels_last and x.ndim == 4:
            x = x.contiguous(memory_format=torch.channels_last)
        return x, y

    def _evaluate(self, module, device, channels_last, rank, world, reduce):
        data = self.eval_data
        idx_all = torch.arange(rank, data.x.shape[0], world)
        hits = torch.zeros((), dtype=torch.float64, device=device)
        with torch.no_grad(), eval_mode(module):
            for start in range(0, idx_all.numel(), self.eval_batch_size):
                x, y = self._to_device(data, idx_all[start:start + self.eval_batch_size], device, channels_last)
                with self._autocast(device):
                    logits = module(x)
                hits += correct(logits.float(), y).sum()
        total = torch.stack([hits, torch.tensor(float(idx_all.numel()), dtype=torch.float64, device=device)])
        reduce(total)
        return float(total[0] / total[1])

    def _autocast(self, device):
        amp = (device.type == "cuda") if self.amp is None else bool(self.amp)
        if not amp:
            return contextlib.nullcontext()
        return torch.autocast(device_type=device.type, dtype=torch.bfloat16)

    def _check_resume_config(self, saved, current):
        keys = sorted(set(saved) | set(current))
        diff = [k for k in keys if k != "epochs" and saved.get(k) != current.get(k)]
        if diff:
            details = "; ".join(f"{k}: checkpoint {saved.get(k)!r} vs now {current.get(k)!r}" for k in diff)
            raise ValueError(f"the checkpoint in {self.out_dir} was written by a different configuration "
                             f"({details}); use another out_dir or the same settings")

    # -- training ---------------------------------------------------------------------------

    def fit(self) -> list[dict]:
        """Train up to ``epochs`` (resuming from ``out_dir``'s checkpoint when there is one).

        Returns
        -------
        list of dict: the metrics of every epoch of the run (also :attr:`history`)

        Raises
        ------
        ValueError : see the class; also when under DDP the last batch has fewer examples than
            processes, or when resuming with another number of processes
        FloatingPointError : when an epoch's training loss is not finite (no checkpoint is written)
        """
        env = _distributed_env()
        owned_group = False
        dist = None
        if env is not None:
            import torch.distributed as dist

            if not dist.is_available():  # pragma: no cover
                raise RuntimeError("launched under torchrun but torch.distributed is not available")
        rank, world, local_rank = env if env is not None else (0, 1, 0)
        if dist is not None and dist.is_initialized():
            rank, world = dist.get_rank(), dist.get_world_size()
        n = int(self.train_data.x.shape[0])
        last = n % self.batch_size
        if world > 1 and (self.batch_size < world or 0 < last < world):
            raise ValueError(f"batch_size={self.batch_size} with {n} examples leaves a batch of "
                             f"{last or self.batch_size} examples, fewer than the {world} processes")
        device = self.device
        if device is None:
            device = torch.device("cuda", local_rank) if env is not None and torch.cuda.is_available() \
                else default_device()
        if device.type == "cuda" and device.index is None:
            device = torch.device("cuda", torch.cuda.current_device())
        if env is not None:
            if device.type == "cuda":
                torch.cuda.set_device(device)
            if not dist.is_initialized():
                dist.init_process_group(backend="nccl" if device.type == "cuda" else "gloo")
                owned_group = True
            rank, world = dist.get_rank(), dist.get_world_size()
        cuda_devices = [device.index] if device.type == "cuda" else []
        try:
            with torch.random.fork_rng(devices=cuda_devices, device_type="cuda"):
                return self._fit(device, rank, world, dist if env is not None else None)
        finally:
            if owned_group:
                dist.destroy_process_group()

    def _fit(self, device, rank, world, dist):
        def reduce(t):
            if dist is not None:
                dist.all_reduce(t)

        model = self.model.to(device)
        channels_last = (device.type == "cuda") if self.channels_last is None else bool(self.channels_last)
        channels_last = channels_last and self.train_data.x.ndim == 4
        if channels_last:
            model = model.to(memory_format=torch.channels_last)
        optimizer = self.optimizer_factory(model.parameters())
        lr_scheduler = None if self.lr_schedule_factory is None else self.lr_schedule_factory(optimizer)
        self.optimizer, self.lr_scheduler = optimizer, lr_scheduler

        shuffle_gen = _seeded(_derive_seed(self.seed, "shuffle"))
        attack_gen = _seeded(_derive_seed(self.seed, "attack", rank), device)
        torch.set_rng_state(_seeded(_derive_seed(self.seed, "torch", rank)).get_state())
        if device.type == "cuda":
            torch.cuda.set_rng_state(_seeded(_derive_seed(self.seed, "torch-cuda", rank), device).get_state(),
                                     device)

        config = self.config(world, device.type)
        history: list[dict] = []
        start_epoch = 0
        ckpt_path = None if self.out_dir is None else self.out_dir / CHECKPOINT_NAME
        if ckpt_path is not None and ckpt_path.exists():
            ckpt = load_checkpoint(ckpt_path)
            self._check_resume_config(ckpt["config"], config)
            model.load_state_dict(ckpt["model"])
            optimizer.load_state_dict(ckpt["optimizer"])
            if lr_scheduler is not None:
                lr_scheduler.load_state_dict(ckpt["lr_scheduler"])
            gens = ckpt["generators"]
            shuffle_gen.set_state(gens["shuffle"])
            attack_gen.set_state(gens["attack"][rank])
            torch.set_rng_state(gens["torch_cpu"][rank])
            if device.type == "cuda" and gens["torch_cuda"][rank] is not None:
                torch.cuda.set_rng_state(gens["torch_cuda"][rank], device)
            start_epoch = int(ckpt["epoch"])
            history = [dict(h) for h in ckpt["history"]]
            del ckpt
        elif self.init_from is not None:
            load_weights(model, self.init_from)

        if rank == 0 and self.out_dir is not None:
            self.out_dir.mkdir(parents=True, exist_ok=True)
            for stale in self.out_dir.glob(".*.tmp"):  # temp files of a write that a kill interrupted
                with contextlib.suppress(OSError):
                    stale.unlink()
            # the metrics of exactly the checkpointed epochs: drops a line written after the last
            # checkpoint, or a partial one, that a kill left behind
            lines = "".join(json.dumps(h) + "\n" for h in history).encode()
            _atomic_write(self.out_dir / METRICS_NAME, lambda f: f.write(lines))
            text = json.dumps(config, indent=2).encode()
            _atomic_write(self.out_dir / CONFIG_NAME, lambda f: f.write(text))
        if dist is not None:
            dist.barrier()

        train_model = model
        if dist is not None:
            from torch.nn.parallel import DistributedDataParallel

            train_model = DistributedDataParallel(model, device_ids=[device.index] if device.type == "cuda" else None)

        from tqdm.auto import tqdm

        data = self.train_data
        n = int(data.x.shape[0])
        n_batches = math.ceil(n / self.batch_size)
        for epoch in range(start_epoch + 1, self.epochs + 1):
            t0 = time.perf_counter()
            eps = float(self.schedule(epoch))
            lr = float(optimizer.param_groups[0]["lr"])
            perm = torch.randperm(n, generator=shuffle_gen)
            # float64 sums: loss * examples, examples, clean hits, clean count, adversarial hits, adversarial count
            totals = torch.zeros(6, dtype=torch.float64, device=device)
            train_model.train()
            bar = tqdm(self._batches(perm, rank, world), total=n_batches, desc=f"epoch {epoch}/{self.epochs}",
                       disable=not self.progress or rank != 0, leave=False, dynamic_ncols=True)
            for step, (idx, global_n) in enumerate(bar):
                x, y = self._to_device(data, idx, device, channels_last)
                local_n = idx.numel()
                # grads cleared before the attack: the attack then has no parameter grads to save and restore
                optimizer.zero_grad(set_to_none=True)
                with self._autocast(device):
                    out = self.objective.compute(train_model, x, y, eps=eps, generator=attack_gen, attack_model=model)
                # each process's mean, weighted by its share: the average over processes (DDP's
                # gradient reduction) is then the mean over the global batch
                loss = out.loss if world == 1 else out.loss * (local_n * world / global_n)
                loss.backward()
                optimizer.step()
                if lr_scheduler is not None and self.lr_step == "batch":
                    lr_scheduler.step()
                with torch.no_grad():
                    totals[0] += out.loss.detach().double() * local_n
                    totals[1] += local_n
                    if out.logits_clean is not None:
                        totals[2] += correct(out.logits_clean.detach().float(), y).sum()
                        totals[3] += local_n
                    if out.logits_adv is not None:
                        totals[4] += correct(out.logits_adv.detach().float(), y).sum()
                        totals[5] += local_n
                if not bar.disable and step % 25 == 0:
                    bar.set_postfix(loss=f"{float(out.loss.detach()):.4f}", eps=f"{eps:.4g}")
            bar.close()
            if lr_scheduler is not None and self.lr_step == "epoch":
                lr_scheduler.step()
            reduce(totals)
            tot = totals.tolist()
            train_loss = tot[0] / tot[1]
            if not math.isfinite(train_loss):
                raise FloatingPointError(f"the training loss of epoch {epoch} is {train_loss} (eps={eps}, lr={lr})")
            eval_acc = None
            if self.eval_data is not None:
                eval_acc = self._evaluate(model, device, channels_last, rank, world, reduce)
            record = {
                "epoch": epoch, "eps": eps, "lr": lr, "train_loss": train_loss,
                "train_acc": tot[2] / tot[3] if tot[3] else None,
                "train_adv_acc": tot[4] / tot[5] if tot[5] else None,
                "eval_acc": eval_acc, "examples": int(tot[1]), "seconds": time.perf_counter() - t0,
            }
            history.append(record)
            self.history = history
            if self.out_dir is not None:
                self._checkpoint(epoch, model, optimizer, lr_scheduler, shuffle_gen, attack_gen, device, config,
                                 history, rank, dist)
        self.history = history
        if dist is not None:
            dist.barrier()
        return [dict(h) for h in history]

    def _checkpoint(self, epoch, model, optimizer, lr_scheduler, shuffle_gen, attack_gen, device, config, history,
                    rank, dist):
        mine = (attack_gen.get_state(), torch.get_rng_state(),
                torch.cuda.get_rng_state(device) if device.type == "cuda" else None)
        if dist is not None:
            states = [None] * dist.get_world_size()
            dist.all_gather_object(states, mine)
        else:
            states = [mine]
        if rank != 0:
            return
        # metrics first, then the checkpoint: a kill in between leaves one line more than the
        # checkpoint knows, which the resume drops
        _append_line(self.out_dir / METRICS_NAME, json.dumps(history[-1]))
        _save_checkpoint({
            "format": _FORMAT,
            "epoch": epoch,
            "model": model.state_dict(),
            "optimizer": optimizer.state_dict(),
            "lr_scheduler": None if lr_scheduler is None else lr_scheduler.state_dict(),
            "generators": {
                "shuffle": shuffle_gen.get_state(),
                "attack": [s[0] for s in states],
                "torch_cpu": [s[1] for s in states],
                "torch_cuda": [s[2] for s in states],
            },
            "config": config,
            "history": history,
        }, self.out_dir / CHECKPOINT_NAME)


def train(model, train_data, objective, schedule, epochs, **kwargs) -> list[dict]:
    """``Trainer(model, train_data, objective, schedule, epochs, **kwargs).fit()``: see :class:`Trainer`.

    Examples
    --------
    >>> import torch
    >>> from empirical.data import TensorData
    >>> from empirical.models import Linear
    >>> from empirical.objectives import Madry
    >>> x = torch.rand(8, 2, generator=torch.Generator().manual_seed(0))
    >>> data = TensorData(x, torch.where(x[:, 0] > x[:, 1], 1.0, -1.0), 2)
    >>> history = train(Linear(2, generator=0), data, Madry(steps=3), constant(0.05), 2, batch_size=4, device="cpu",
    ...                 progress=False)
    >>> [(h["epoch"], h["eps"], h["examples"]) for h in history]
    [(1, 0.05, 8), (2, 0.05, 8)]
    """
    return Trainer(model, train_data, objective, schedule, epochs, **kwargs).fit()
