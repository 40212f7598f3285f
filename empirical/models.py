"""The model families the engine trains: linear, ReLU MLPs, the Madry MNIST CNN, a digits CNN, ResNet, VGG.

Conventions (:mod:`empirical._core`): ``classes=1`` (``out=1`` for the MLPs) gives a *binary*
single-logit model whose output has shape ``(N,)`` and which takes labels +-1 (prediction sign(z),
sign(0) = -1); ``classes=C >= 2`` gives ``(N, C)`` logits for integer labels. Inputs lie in
[0, 1]; they may be images ``(N, C, H, W)`` or vectors ``(N, d)``. The fully connected models
flatten inside; the CNNs take images of their input size or the same images flattened (reshaped
in ``C, H, W`` order). Normalization, where a model wants it, is a :class:`Normalize` layer
*inside* the model (the ``normalize=(mean, std)`` option), so attacks and the [0, 1] box act on
raw inputs.

Initialization never touches the global torch random state: every constructor takes
``generator`` (a CPU ``torch.Generator``, an int seed, or None for fresh OS entropy, as in
:func:`empirical._core.as_generator`) and draws PyTorch's default initialization from it
(weights ``kaiming_uniform_(a=sqrt(5))``, biases ``U(-1/sqrt(fan_in), 1/sqrt(fan_in))``,
BatchNorm scale 1 and shift 0). The same seed gives the same weights.

Every model has the attributes ``classes`` (1 for binary), ``binary`` and ``input_shape`` (the
shape of one example: ``(d_in,)`` for the fully connected models, ``(C, H, W)`` for the CNNs).
Build by name with :func:`build`; count weights with :func:`count_parameters`.

Sources: suggala2019 appendix H (the MNIST MLPs, VGG11 with capacity scale k), section 6
(the 100-unit one-hidden-layer network of Figure 2(a)); tsipras2019 appendix A.2 (the MNIST
CNN of Madry et al. 2018); He et al. 2016, "Identity Mappings in Deep Residual Networks"
(pre-activation ResNet).
"""

from __future__ import annotations

import math
import numbers

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from empirical._core import as_generator
from theory._validate import positive_int

__all__ = [
    "Normalize", "Linear", "MLP", "one_hidden", "MadryCNN", "DigitsCNN", "PreActBlock", "PreActResNet18",
    "VGG11", "VGG11_CONFIG", "SUGGALA_MLP_HIDDEN", "MODELS", "build", "count_parameters",
]

SUGGALA_MLP_HIDDEN = (512, 512, 320)
"""Hidden widths of suggala2019's 3-hidden-layer MNIST network (appendix H)."""

VGG11_CONFIG = (64, "M", 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M")
"""VGG-11 (configuration "A" of Simonyan & Zisserman 2015): conv widths, "M" = 2x2 max-pool."""


# --------------------------------------------------------------------------- helpers


def _classes(classes, name: str = "classes") -> int:
    """An output count: 1 (binary single logit) or C >= 2."""
    return positive_int(classes, name)


def _scale(k) -> float:
    """A capacity scale k: a finite number > 0."""
    if isinstance(k, bool) or not isinstance(k, numbers.Real) or not math.isfinite(k) or k <= 0:
        raise ValueError(f"k (the capacity scale) must be a finite number > 0, got {k!r}")
    return float(k)


def _scaled(width: int, k: float) -> int:
    """round(width * k), at least 1."""
    return max(1, int(math.floor(width * k + 0.5)))


def _normalize_layer(normalize) -> nn.Module:
    """A :class:`Normalize` for ``normalize=(mean, std)``; the identity for None."""
    if normalize is None:
        return nn.Identity()
    if isinstance(normalize, Normalize):
        return normalize
    try:
        mean, std = normalize
    except (TypeError, ValueError):
        raise ValueError(f"normalize must be None or a pair (mean, std), got {normalize!r}") from None
    return Normalize(mean, std)


def _initialize(model: nn.Module, generator) -> None:
    """Draw PyTorch's default initialization of every Linear/Conv2d from ``generator``; reset BatchNorm."""
    g = as_generator(generator)
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, nn.Linear | nn.Conv2d):
                nn.init.kaiming_uniform_(m.weight, a=math.sqrt(5), generator=g)
                if m.bias is not None:
                    bound = 1.0 / math.sqrt(m.weight[0].numel())
                    nn.init.uniform_(m.bias, -bound, bound, generator=g)
            elif isinstance(m, nn.BatchNorm2d | nn.BatchNorm1d):
                m.reset_parameters()


class _Classifier(nn.Module):
    """Base of the model families: the binary/multi-class output convention and shape checks."""

    classes: int
    input_shape: tuple[int, ...]

    @property
    def binary(self) -> bool:
        """True for a single-logit model (output (N,), labels +-1)."""
        return self.classes == 1

    def _out(self, z: torch.Tensor) -> torch.Tensor:
        return z[:, 0] if self.classes == 1 else z

    def _flat(self, x: torch.Tensor) -> torch.Tensor:
        """x as (N, d_in), flattening images; ValueError on a size mismatch."""
        (d,) = self.input_shape
        if x.ndim < 2 or math.prod(x.shape[1:]) != d:
            raise ValueError(f"{type(self).__name__} takes inputs with {d} features per example "
                             f"(flattened), got shape {tuple(x.shape)}")
        return x.flatten(1)

    def _images(self, x: torch.Tensor, any_size: bool = False) -> torch.Tensor:
        """x as (N, C, H, W): images of ``input_shape`` (any H, W if ``any_size``) or their flattening."""
        c, h, w = self.input_shape
        if x.ndim == 2 and x.shape[1] == c * h * w:
            return x.reshape(x.shape[0], c, h, w)
        if x.ndim == 4 and x.shape[1] == c and (any_size or tuple(x.shape[2:]) == (h, w)):
            return x
        images = f"(N, {c}, H, W)" if any_size else f"(N, {c}, {h}, {w})"
        raise ValueError(f"{type(self).__name__} takes images of shape {images} or vectors (N, {c * h * w}), "
                         f"got shape {tuple(x.shape)}")


# --------------------------------------------------------------------------- normalization


class Normalize(nn.Module):
    """Per-channel standardization (x - mean) / std, as a layer inside a model.

    The channel is axis 1: the colour channel of images (N, C, H, W) or the feature of vectors
    (N, d). Putting it inside the model keeps attacks and the [0, 1] box on the raw input.

    Parameters
    ----------
    mean : float or sequence of C floats (finite)
    std : float or sequence of C floats (finite, > 0); a scalar and a sequence broadcast

    Raises
    ------
    ValueError
        Non-finite values, std <= 0, lengths that do not broadcast, or (in forward) an input
        whose axis 1 does not have C entries.

    Examples
    --------
    >>> layer = Normalize((0.5, 0.25), 0.5)
    >>> layer(torch.ones(1, 2, 1, 1)).flatten().tolist()
    [1.0, 1.5]
    """

    def __init__(self, mean, std):
        super().__init__()
        mean = np.atleast_1d(np.asarray(mean, dtype=np.float64))
        std = np.atleast_1d(np.asarray(std, dtype=np.float64))
        if mean.ndim != 1 or std.ndim != 1:
            raise ValueError(f"mean and std must be scalars or 1-d sequences, got shapes {mean.shape}, {std.shape}")
        try:
            mean, std = np.broadcast_arrays(mean, std)
        except ValueError:
            raise ValueError(f"mean (length {mean.size}) and std (length {std.size}) must have one length "
                             "or one of them length 1") from None
        if not np.all(np.isfinite(mean)):
            raise ValueError(f"mean must be finite, got {mean.tolist()}")
        if not np.all(np.isfinite(std)) or np.any(std <= 0):
            raise ValueError(f"std must be finite and > 0, got {std.tolist()}")
        self.register_buffer("mean", torch.tensor(mean, dtype=torch.float32))
        self.register_buffer("std", torch.tensor(std, dtype=torch.float32))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        c = self.mean.numel()
        if x.ndim < 2 or (c != 1 and x.shape[1] != c):
            raise ValueError(f"Normalize has {c} channels (axis 1), got an input of shape {tuple(x.shape)}")
        shape = (1, -1) + (1,) * (x.ndim - 2)
        return (x - self.mean.view(shape)) / self.std.view(shape)

    def extra_repr(self) -> str:
        return f"mean={self.mean.tolist()}, std={self.std.tolist()}"


# --------------------------------------------------------------------------- linear


class Linear(_Classifier):
    """A linear classifier z = W x + b on the flattened input.

    Binary (``classes=1``): one logit ``w.x + b``, output shape (N,), prediction sign(z) with
    sign(0) = -1 -- the classifiers of suggala2019 section 5 (Gaussian mixtures, b = 0) and
    tsipras2019 section 2.3 / appendix A.2 (binary MNIST, w in R^784, b in R). Multi-class
    (``classes=C >= 2``): logits of shape (N, C).

    :meth:`theory_weights` hands the weights to :mod:`theory` (e.g.
    ``theory.gaussian.adversarial_risk(w, theta, eps)`` when b = 0,
    ``theory.tradeoff.linear_accuracy(w, b, eta)``); :meth:`from_theory` builds a model from a
    theory weight vector.

    Parameters
    ----------
    d_in : int >= 1
        Features per example after flattening.
    classes : int >= 1
    bias : bool
    generator : torch.Generator, int seed or None (keyword-only)
        Source of the initial weights (PyTorch's default initialization).

    Raises
    ------
    ValueError
        d_in or classes not a positive integer; (in forward) an input with another feature count.

    Examples
    --------
    >>> m = Linear.from_theory([1.0, -2.0], b=0.5)
    >>> m(torch.tensor([[1.0, 1.0]])).tolist()
    [-0.5]
    >>> m.theory_weights()
    (array([ 1., -2.]), 0.5)
    """

    def __init__(self, d_in: int, classes: int = 1, bias: bool = True, *, generator=None):
        super().__init__()
        d_in = positive_int(d_in, "d_in")
        self.classes = _classes(classes)
        self.input_shape = (d_in,)
        with torch.random.fork_rng(devices=[]):
            self.linear = nn.Linear(d_in, self.classes, bias=bool(bias))
        _initialize(self, generator)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self._out(self.linear(self._flat(x)))

    def theory_weights(self):
        """The weights as float64 numpy arrays, in the theory's form.

        Returns
        -------
        Binary: ``(w, b)`` with ``w`` of shape (d_in,) and a float ``b`` (0.0 without bias), so that
        the model's logit is ``w.x + b`` for the flattened x. Multi-class: ``(W, b)`` of shapes
        (C, d_in) and (C,), logits ``W x + b``.
        """
        W = self.linear.weight.detach().cpu().to(torch.float64).numpy().copy()
        if self.linear.bias is None:
            b = np.zeros(self.classes)
        else:
            b = self.linear.bias.detach().cpu().to(torch.float64).numpy().copy()
        if self.binary:
            return W[0], float(b[0])
        return W, b

    @classmethod
    def from_theory(cls, w, b=0.0, *, bias: bool = True, dtype: torch.dtype = torch.float32) -> Linear:
        """A Linear model with the given weights: the inverse of :meth:`theory_weights`.

        Parameters
        ----------
        w : array_like, shape (d,) (binary) or (C, d) with C >= 2 (multi-class); a (1, d) array
            gives a binary model too.
        b : float (binary) or array_like of shape (C,) or a scalar (multi-class)
        bias : bool (keyword-only); False needs b = 0
        dtype : torch floating dtype of the parameters (keyword-only)

        Raises
        ------
        ValueError
            w not 1-d or 2-d, empty or non-finite; b of the wrong shape, non-finite, or non-zero
            with ``bias=False``.
        """
        w = np.asarray(w, dtype=np.float64)
        if w.ndim not in (1, 2) or w.size == 0:
            raise ValueError(f"w must have shape (d,) or (C, d), got shape {w.shape}")
        if not np.all(np.isfinite(w)):
            raise ValueError("w must be finite")
        W = w[None, :] if w.ndim == 1 else w
        c, d = W.shape
        b = np.asarray(b, dtype=np.float64)
        if b.ndim == 0:
            b = np.full(c, float(b))
        if b.shape != (c,):
            raise ValueError(f"b must be a scalar or have shape ({c},), got shape {b.shape}")
        if not np.all(np.isfinite(b)):
            raise ValueError("b must be finite")
        if not bias and np.any(b != 0):
            raise ValueError(f"bias=False needs b = 0, got b={b.tolist()}")
        model = cls(d, c, bias=bias, generator=0).to(dtype)
        with torch.no_grad():
            model.linear.weight.copy_(torch.from_numpy(W))
            if bias:
                model.linear.bias.copy_(torch.from_numpy(b))
        return model


# --------------------------------------------------------------------------- MLPs


class MLP(_Classifier):
    """A fully connected ReLU network on the flattened input.

    Source: suggala2019 appendix H: on MNIST "1 hidden layer neural network, 3 hidden layer neural
    network with (512,512,320) hidden units in the hidden layers. We use ReLU activations in all
    our experiments on MNIST. To control the capacity of the network we vary the number of
    hidden units." The default ``hidden`` is that 3-hidden-layer network.

    Parameters
    ----------
    d_in : int >= 1
        Features per example after flattening (784 for MNIST).
    hidden : sequence of ints >= 1
        Widths of the hidden layers, each followed by ReLU; empty gives a linear model.
    out : int >= 1
        Outputs: 1 for a binary single logit (output (N,)), C >= 2 for C-class logits.
    normalize : (mean, std) or None (keyword-only)
        Puts a :class:`Normalize` layer first (per channel, axis 1 of the input as given).
    generator : torch.Generator, int seed or None (keyword-only)

    Raises
    ------
    ValueError
        A non-positive or non-integer size.

    Examples
    --------
    >>> MLP(784, out=10, generator=0)(torch.rand(2, 1, 28, 28)).shape
    torch.Size([2, 10])
    """

    def __init__(self, d_in: int, hidden=SUGGALA_MLP_HIDDEN, out: int = 1, *, normalize=None, generator=None):
        super().__init__()
        d_in = positive_int(d_in, "d_in")
        self.classes = _classes(out, "out")
        self.input_shape = (d_in,)
        if isinstance(hidden, numbers.Integral):
            hidden = (hidden,)
        self.hidden = tuple(positive_int(h, "hidden width") for h in hidden)
        layers: list[nn.Module] = []
        prev = d_in
        with torch.random.fork_rng(devices=[]):
            for h in self.hidden:
                layers += [nn.Linear(prev, h), nn.ReLU()]
                prev = h
            layers.append(nn.Linear(prev, self.classes))
            self.normalize = _normalize_layer(normalize)
            self.net = nn.Sequential(*layers)
        _initialize(self, generator)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        self._flat(x)  # shape check on the raw input
        return self._out(self.net(self.normalize(x).flatten(1)))


def one_hidden(d_in: int, width: int = 100, out: int = 1, *, normalize=None, generator=None) -> MLP:
    """A one-hidden-layer ReLU network of the given width: ``MLP(d_in, (width,), out)``.

    Source: suggala2019 section 6, Figure 2(a) (the uniform-squares example: "1 hidden layer feed
    forward networks with 100 hidden units") and Figure 3(a) (400 units on MNIST); appendix H
    (ReLU activations, capacity controlled by the number of hidden units).

    Parameters and raises as :class:`MLP`; ``width`` is an int >= 1.

    Examples
    --------
    >>> one_hidden(2, 100, generator=0)(torch.zeros(5, 2)).shape
    torch.Size([5])
    """
    return MLP(d_in, (positive_int(width, "width"),), out, normalize=normalize, generator=generator)


# --------------------------------------------------------------------------- CNNs


class MadryCNN(_Classifier):
    """The MNIST CNN of Madry et al. 2018, used by tsipras2019 for MNIST, for 28x28 input.

    Source: tsipras2019 appendix A.2 ("MNIST: We use the simple convolution architecture from the
    TensorFlow tutorial", footnote: github.com/MadryLab/mnist_challenge). The layers, as in that
    repository's model: conv 5x5, 32 filters, 'same' padding, ReLU, 2x2 max-pool; conv 5x5, 64
    filters, 'same', ReLU, 2x2 max-pool (28 -> 14 -> 7); fully connected 7*7*64 -> 1024, ReLU;
    fully connected 1024 -> classes. 3,274,634 parameters for one channel and 10 classes.
    (The flattening is in PyTorch's C, H, W order, which permutes the first fc layer's inputs
    relative to TensorFlow's H, W, C: the same function class.)

    Parameters
    ----------
    in_channels : int >= 1
    classes : int >= 1 (1: binary single logit)
    normalize : (mean, std) or None (keyword-only)
    generator : torch.Generator, int seed or None (keyword-only)

    Notes
    -----
    Input: (N, in_channels, 28, 28) or (N, in_channels * 784).

    Examples
    --------
    >>> MadryCNN(generator=0)(torch.rand(2, 784)).shape
    torch.Size([2, 10])
    """

    def __init__(self, in_channels: int = 1, classes: int = 10, *, normalize=None, generator=None):
        super().__init__()
        c = positive_int(in_channels, "in_channels")
        self.classes = _classes(classes)
        self.input_shape = (c, 28, 28)
        with torch.random.fork_rng(devices=[]):
            self.normalize = _normalize_layer(normalize)
            self.features = nn.Sequential(
                nn.Conv2d(c, 32, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
                nn.Conv2d(32, 64, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
            )
            self.classifier = nn.Sequential(
                nn.Flatten(), nn.Linear(7 * 7 * 64, 1024), nn.ReLU(), nn.Linear(1024, self.classes),
            )
        _initialize(self, generator)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self._out(self.classifier(self.features(self.normalize(self._images(x)))))


class DigitsCNN(_Classifier):
    """A small CNN for the 8x8 digits of scikit-learn (``load_digits``).

    conv 3x3 (``width`` filters, padding 1), ReLU; conv 3x3 (2 ``width``), ReLU; 2x2 max-pool
    (8 -> 4); fully connected 2 width * 16 -> ``hidden``, ReLU; fully connected -> classes.
    A stand-in of this package for the MNIST CNN at a size a CPU trains in seconds (no paper
    uses this exact network).

    Parameters
    ----------
    classes : int >= 1 (1: binary single logit)
    width : int >= 1
    in_channels : int >= 1 (keyword-only)
    hidden : int >= 1, width of the fully connected hidden layer (keyword-only)
    normalize : (mean, std) or None (keyword-only)
    generator : torch.Generator, int seed or None (keyword-only)

    Notes
    -----
    Input: (N, in_channels, 8, 8) or (N, in_channels * 64).

    Examples
    --------
    >>> DigitsCNN(classes=1, width=4, generator=0)(torch.rand(3, 64)).shape
    torch.Size([3])
    """

    def __init__(self, classes: int = 10, width: int = 16, *, in_channels: int = 1, hidden: int = 64,
                 normalize=None, generator=None):
        super().__init__()
        c = positive_int(in_channels, "in_channels")
        w = positive_int(width, "width")
        hidden = positive_int(hidden, "hidden")
        self.classes = _classes(classes)
        self.input_shape = (c, 8, 8)
        with torch.random.fork_rng(devices=[]):
            self.normalize = _normalize_layer(normalize)
            self.features = nn.Sequential(
                nn.Conv2d(c, w, 3, padding=1), nn.ReLU(),
                nn.Conv2d(w, 2 * w, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            )
            self.classifier = nn.Sequential(
                nn.Flatten(), nn.Linear(2 * w * 16, hidden), nn.ReLU(), nn.Linear(hidden, self.classes),
            )
        _initialize(self, generator)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self._out(self.classifier(self.features(self.normalize(self._images(x)))))


# --------------------------------------------------------------------------- ResNet


class PreActBlock(nn.Module):
    """A pre-activation basic residual unit (He et al. 2016, "Identity Mappings", Fig. 1(b)/4(e)).

    ``h = conv3x3(relu(bn(conv3x3_stride(relu(bn(x))))))``, output ``h + shortcut``; the shortcut
    is x, or a 1x1 strided convolution of relu(bn(x)) where the stride or the width changes.

    A building block, not a model: it takes no ``generator``, and building one on its own draws
    PyTorch's default initialization from the global torch random state. :class:`PreActResNet18`
    builds its blocks without touching that state and re-draws their weights from its generator.

    Parameters
    ----------
    c_in, c_out : int >= 1
    stride : int >= 1

    Examples
    --------
    A stride of 2 halves the spatial size and a new width gets the 1x1 shortcut; otherwise the
    shortcut is the identity:

    >>> x = torch.rand(2, 4, 8, 8, generator=torch.Generator().manual_seed(0))
    >>> PreActBlock(4, 8, stride=2).eval()(x).shape
    torch.Size([2, 8, 4, 4])
    >>> PreActBlock(4, 4).shortcut is None, PreActBlock(4, 8).shortcut is None
    (True, False)
    """

    def __init__(self, c_in: int, c_out: int, stride: int = 1):
        super().__init__()
        c_in, c_out = positive_int(c_in, "c_in"), positive_int(c_out, "c_out")
        stride = positive_int(stride, "stride")
        self.bn1 = nn.BatchNorm2d(c_in)
        self.conv1 = nn.Conv2d(c_in, c_out, 3, stride=stride, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(c_out)
        self.conv2 = nn.Conv2d(c_out, c_out, 3, padding=1, bias=False)
        self.shortcut = (nn.Conv2d(c_in, c_out, 1, stride=stride, bias=False)
                         if stride != 1 or c_in != c_out else None)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        a = F.relu(self.bn1(x))
        skip = x if self.shortcut is None else self.shortcut(a)
        h = self.conv2(F.relu(self.bn2(self.conv1(a))))
        return h + skip


class PreActResNet18(_Classifier):
    """Pre-activation ResNet-18 for 32x32 CIFAR input, with widths scaled by k.

    Source: He et al. 2016, "Identity Mappings in Deep Residual Networks" (pre-activation units;
    "for the last Residual Unit ... we adopt an extra activation right after its addition", hence
    the final BN-ReLU), in the CIFAR ResNet-18 layout: a 3x3 convolution stem of width 64k, four
    stages of two :class:`PreActBlock` units of widths 64k, 128k, 256k, 512k (strides 1, 2, 2, 2),
    BN-ReLU, global average pooling, fully connected -> classes. Each width is round(width * k),
    at least 1. At k = 1 and 10 classes: 11,172,170 parameters.

    The capacity scale k follows suggala2019 appendix H, where it is defined for VGG11 ("By a
    capacity scale of k, we mean that we use k times the number of units in each layer"); applying
    it to this ResNet is this package's extension. (tsipras2019 appendix A.2 trains the ResNet of
    the Madry CIFAR-10 challenge instead, a different network.)

    Parameters
    ----------
    classes : int >= 1 (1: binary single logit)
    k : float > 0, the capacity scale
    in_channels : int >= 1
    normalize : (mean, std) or None (keyword-only); puts a :class:`Normalize` layer first
    generator : torch.Generator, int seed or None (keyword-only)

    Notes
    -----
    Input: (N, in_channels, H, W) images (32x32 for CIFAR; global pooling accepts other sizes)
    or (N, in_channels * 1024) flattened 32x32 images.

    Examples
    --------
    >>> PreActResNet18(k=0.125, generator=0).eval()(torch.rand(2, 3, 32, 32)).shape
    torch.Size([2, 10])
    """

    def __init__(self, classes: int = 10, k: float = 1.0, in_channels: int = 3, *, normalize=None,
                 generator=None):
        super().__init__()
        c = positive_int(in_channels, "in_channels")
        self.k = _scale(k)
        self.classes = _classes(classes)
        self.input_shape = (c, 32, 32)
        self.widths = tuple(_scaled(w, self.k) for w in (64, 128, 256, 512))
        with torch.random.fork_rng(devices=[]):
            self.normalize = _normalize_layer(normalize)
            self.stem = nn.Conv2d(c, self.widths[0], 3, padding=1, bias=False)
            blocks: list[nn.Module] = []
            prev = self.widths[0]
            for width, stride in zip(self.widths, (1, 2, 2, 2), strict=True):
                blocks += [PreActBlock(prev, width, stride), PreActBlock(width, width, 1)]
                prev = width
            self.blocks = nn.Sequential(*blocks)
            self.bn = nn.BatchNorm2d(prev)
            self.fc = nn.Linear(prev, self.classes)
        _initialize(self, generator)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.blocks(self.stem(self.normalize(self._images(x, any_size=True))))
        h = F.adaptive_avg_pool2d(F.relu(self.bn(h)), 1).flatten(1)
        return self._out(self.fc(h))


# --------------------------------------------------------------------------- VGG


class VGG11(_Classifier):
    """VGG-11 with BatchNorm for 32x32 CIFAR input, with widths scaled by k.

    Source: suggala2019 appendix H ("We use VGG11 network in all our CIFAR10 experiments. To
    control the capacity of the network we scale the number of units in each layer. By a capacity
    scale of k, we mean that we use k times the number of units in each layer of original VGG
    network."); section 6, Figure 2(b), uses "VGG11 network with reduced capacity, where we
    reduce the number of units in each layer to 1/4th", i.e. k = 0.25. Layers:
    :data:`VGG11_CONFIG` (Simonyan & Zisserman 2015, configuration A), each conv 3x3 with padding 1
    followed by BatchNorm and ReLU, each "M" a 2x2 max-pool (32 -> 1 after five), then one fully
    connected layer round(512 k) -> classes (the usual CIFAR head; the paper does not describe its
    head). Each width is round(width * k), at least 1.

    Parameters
    ----------
    classes : int >= 1 (1: binary single logit)
    k : float > 0, the capacity scale
    in_channels : int >= 1 (keyword-only)
    normalize : (mean, std) or None (keyword-only); puts a :class:`Normalize` layer first
    generator : torch.Generator, int seed or None (keyword-only)

    Notes
    -----
    Input: (N, in_channels, 32, 32) or (N, in_channels * 1024).

    Examples
    --------
    >>> VGG11(k=0.25, generator=0).eval()(torch.rand(2, 3, 32, 32)).shape
    torch.Size([2, 10])
    """

    def __init__(self, classes: int = 10, k: float = 1.0, *, in_channels: int = 3, normalize=None,
                 generator=None):
        super().__init__()
        c = positive_int(in_channels, "in_channels")
        self.k = _scale(k)
        self.classes = _classes(classes)
        self.input_shape = (c, 32, 32)
        layers: list[nn.Module] = []
        prev = c
        with torch.random.fork_rng(devices=[]):
            self.normalize = _normalize_layer(normalize)
            for v in VGG11_CONFIG:
                if v == "M":
                    layers.append(nn.MaxPool2d(2))
                else:
                    width = _scaled(v, self.k)
                    layers += [nn.Conv2d(prev, width, 3, padding=1), nn.BatchNorm2d(width), nn.ReLU()]
                    prev = width
            self.features = nn.Sequential(*layers)
            self.fc = nn.Linear(prev, self.classes)
        _initialize(self, generator)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self._out(self.fc(self.features(self.normalize(self._images(x))).flatten(1)))


# --------------------------------------------------------------------------- registry


MODELS = {
    "linear": Linear,
    "mlp": MLP,
    "one-hidden": one_hidden,
    "madry-cnn": MadryCNN,
    "digits-cnn": DigitsCNN,
    "resnet18": PreActResNet18,
    "vgg11": VGG11,
}
"""The model families by name (the names :func:`build` accepts)."""


def build(name: str, **kwargs) -> nn.Module:
    """Build a model by name: ``MODELS[name](**kwargs)``.

    Parameters
    ----------
    name : one of "linear", "mlp", "one-hidden", "madry-cnn", "digits-cnn", "resnet18", "vgg11"
    **kwargs : the family's constructor arguments (e.g. ``d_in=784, out=10`` for "mlp",
        ``classes=10, k=0.25`` for "vgg11")

    Raises
    ------
    ValueError
        An unknown name (the message lists the known ones), or bad constructor arguments.

    Examples
    --------
    >>> build("one-hidden", d_in=2, width=100, generator=0)(torch.zeros(4, 2)).shape
    torch.Size([4])
    """
    if not isinstance(name, str) or name not in MODELS:
        raise ValueError(f"unknown model {name!r}; known models: {', '.join(MODELS)}")
    return MODELS[name](**kwargs)


def count_parameters(model: nn.Module, *, trainable_only: bool = False) -> int:
    """The number of scalar parameters of a model (buffers such as BatchNorm statistics excluded).

    Parameters
    ----------
    model : torch.nn.Module
    trainable_only : bool (keyword-only); count only parameters with ``requires_grad``

    Raises
    ------
    ValueError
        model not a torch.nn.Module.

    Examples
    --------
    >>> count_parameters(Linear(784))
    785
    """
    if not isinstance(model, nn.Module):
        raise ValueError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    return sum(p.numel() for p in model.parameters() if p.requires_grad or not trainable_only)
