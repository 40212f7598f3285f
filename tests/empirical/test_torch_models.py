"""empirical.models: shapes, the linear model's hand-off to the theory, hand-counted architectures, invariants."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from empirical import models
from empirical._core import correct, loss_per_example, predict
from empirical.models import (
    MLP,
    VGG11,
    DigitsCNN,
    Linear,
    MadryCNN,
    Normalize,
    PreActResNet18,
    build,
    count_parameters,
    one_hidden,
)
from theory import gaussian
from theory.distributions import GaussianMixture
from theory.montecarlo import compare, proportion

SMALL = settings(max_examples=20, deadline=None)


def _labels(model, n, seed=0):
    g = torch.Generator().manual_seed(seed)
    if model.binary:
        return torch.where(torch.rand(n, generator=g) < 0.5, 1.0, -1.0)
    return torch.randint(0, model.classes, (n,), generator=g)


# Tiny instances of every family, with an image input and the same images as vectors.
TINY = {
    "linear": (lambda c: Linear(12, c, generator=1), (3, 2, 2)),
    "mlp": (lambda c: MLP(12, (5, 4), c, generator=1), (3, 2, 2)),
    "one-hidden": (lambda c: one_hidden(12, 6, c, generator=1), (3, 2, 2)),
    "digits-cnn": (lambda c: DigitsCNN(c, width=2, generator=1), (1, 8, 8)),
    "madry-cnn": (lambda c: MadryCNN(1, c, generator=1), (1, 28, 28)),
    "resnet18": (lambda c: PreActResNet18(c, k=0.125, generator=1), (3, 32, 32)),
    "vgg11": (lambda c: VGG11(c, k=0.125, generator=1), (3, 32, 32)),
}


# --------------------------------------------------------------------------- shapes


@pytest.mark.parametrize("classes", [1, 3])
@pytest.mark.parametrize("name", list(TINY))
def test_output_shapes_images_and_vectors(name, classes):
    factory, shape = TINY[name]
    model = factory(classes).eval()
    n = 2
    x = torch.rand((n, *shape), generator=torch.Generator().manual_seed(3))
    with torch.no_grad():
        out_img = model(x)
        out_vec = model(x.flatten(1))
    expected = (n,) if classes == 1 else (n, classes)
    assert out_img.shape == expected and out_vec.shape == expected
    assert model.binary == (classes == 1) and model.classes == classes
    # Invariant: an image and its flattening are the same example.
    torch.testing.assert_close(out_img, out_vec)
    # Distinct inputs give distinct outputs (not a constant function).
    assert not torch.equal(out_img[0], out_img[1])
    # The binary output feeds the package's conventions: predictions +-1, loss finite.
    y = _labels(model, n)
    assert torch.isfinite(loss_per_example(out_img, y)).all()
    if classes == 1:
        assert set(predict(out_img).tolist()) <= {-1.0, 1.0}


@pytest.mark.parametrize("name", list(TINY))
def test_wrong_input_shape_is_a_value_error(name):
    factory, shape = TINY[name]
    model = factory(2).eval()
    bad = torch.rand(2, math.prod(shape) + 1)
    with pytest.raises(ValueError, match=r"shape"):
        model(bad)


def test_input_shape_attribute():
    assert Linear(7).input_shape == (7,)
    assert MLP(784, out=10).input_shape == (784,)
    assert MadryCNN(3).input_shape == (3, 28, 28)
    assert DigitsCNN(width=2).input_shape == (1, 8, 8)
    assert PreActResNet18(k=0.125, in_channels=1).input_shape == (1, 32, 32)
    assert VGG11(k=0.125).input_shape == (3, 32, 32)


# --------------------------------------------------------------------------- Linear and the theory


@SMALL
@given(d=st.integers(1, 6), classes=st.integers(1, 4), seed=st.integers(0, 2**16), bias=st.booleans())
def test_linear_logits_equal_numpy(d, classes, seed, bias):
    rng = np.random.default_rng(seed)
    w = rng.normal(size=d) if classes == 1 else rng.normal(size=(classes, d))
    b = (rng.normal() if classes == 1 else rng.normal(size=classes)) if bias else 0.0
    x = rng.random((5, d))
    model = Linear.from_theory(w, b, bias=bias, dtype=torch.float64)
    z = model(torch.from_numpy(x)).detach().numpy()
    expected = x @ w + b if classes == 1 else x @ w.T + b
    np.testing.assert_allclose(z, expected, rtol=1e-12, atol=1e-12)
    # Round trip: theory_weights returns what from_theory was given.
    w2, b2 = model.theory_weights()
    np.testing.assert_array_equal(w2, w)
    np.testing.assert_array_equal(b2, b if bias else np.zeros_like(b2))
    assert w2.dtype == np.float64
    if classes == 1:
        assert isinstance(b2, float) and w2.shape == (d,)
    else:
        assert w2.shape == (classes, d) and b2.shape == (classes,)


@pytest.mark.parametrize("classes", [1, 4])
def test_trained_style_linear_theory_weights_reproduce_logits(classes):
    """A randomly initialized float32 model on image input: its theory weights give its logits."""
    model = Linear(2 * 3 * 3, classes, generator=5)
    with torch.no_grad():  # a non-trivial bias, as after training
        model.linear.bias.uniform_(-1, 1, generator=torch.Generator().manual_seed(0))
    x = torch.rand(7, 2, 3, 3, generator=torch.Generator().manual_seed(1))
    w, b = model.theory_weights()
    xf = x.flatten(1).double().numpy()
    expected = xf @ w + b if classes == 1 else xf @ w.T + b
    np.testing.assert_allclose(model(x).detach().double().numpy(), expected, rtol=1e-5, atol=1e-6)
    # from_theory of the theory weights rebuilds the same function.
    twin = Linear.from_theory(w, b)
    torch.testing.assert_close(twin(x), model(x))


def test_linear_without_bias_has_zero_theory_bias():
    model = Linear(4, bias=False, generator=0)
    assert model.linear.bias is None
    w, b = model.theory_weights()
    assert b == 0.0
    x = torch.rand(3, 4, generator=torch.Generator().manual_seed(0))
    np.testing.assert_allclose(model(x).detach().double().numpy(), x.double().numpy() @ w, rtol=1e-5)


@pytest.mark.parametrize(
    "w",
    [np.array([0.7, -0.2, 0.5]), np.array([-1.0, 0.4, 0.1]), np.zeros(3)],
    ids=["oblique", "mostly-wrong", "zero"],
)
def test_gaussian_classification_risk_matches_monte_carlo(w):
    """theory.gaussian.classification_risk of the torch model's weights vs its measured error.

    w = 0 checks the convention sign(0) = -1: the model always predicts -1, risk 1/2.
    """
    theta = np.array([0.5, -0.3, 0.8])
    n = 20_000
    x, y = GaussianMixture(theta).sample(n, np.random.default_rng(11))
    model = Linear.from_theory(w)  # float32, b = 0
    w_model, b_model = model.theory_weights()
    assert b_model == 0.0
    with torch.no_grad():
        logits = model(torch.from_numpy(x).float())
    errors = int((~correct(logits, torch.from_numpy(y).float())).sum())
    est = proportion(errors, n)
    predicted = float(gaussian.classification_risk(w_model, theta))
    assert compare(predicted, est) == "held", (predicted, str(est))
    if not w.any():
        assert predicted == 0.5 and bool((predict(logits) == -1).all())


def test_gaussian_adversarial_risk_matches_worst_case_perturbation():
    """adversarial_risk(w, theta, eps) vs the error of the torch model under the exact l-inf worst case.

    For a linear score the worst l-inf perturbation of radius eps is -eps y sign(w) (Hoelder).
    """
    theta = np.array([0.6, 0.2, -0.4])
    w = np.array([0.9, -0.3, -0.6])
    eps = 0.25
    n = 20_000
    x, y = GaussianMixture(theta).sample(n, np.random.default_rng(12))
    model = Linear.from_theory(w, dtype=torch.float64)
    x_adv = torch.from_numpy(x - eps * y[:, None] * np.sign(w))
    with torch.no_grad():
        errors = int((~correct(model(x_adv), torch.from_numpy(y))).sum())
    est = proportion(errors, n)
    w_model, _ = model.theory_weights()
    predicted = float(gaussian.adversarial_risk(w_model, theta, eps))
    assert compare(predicted, est) == "held", (predicted, str(est))
    assert predicted > float(gaussian.classification_risk(w_model, theta)) + 0.05  # the attack matters here


def test_from_theory_rejects_bad_weights():
    with pytest.raises(ValueError, match="w must"):
        Linear.from_theory(np.zeros((2, 2, 2)))
    with pytest.raises(ValueError, match="w must be finite"):
        Linear.from_theory([1.0, np.nan])
    with pytest.raises(ValueError, match="b must"):
        Linear.from_theory(np.ones((3, 2)), b=[1.0, 2.0])
    with pytest.raises(ValueError, match="bias=False"):
        Linear.from_theory([1.0, 2.0], b=1.0, bias=False)


# --------------------------------------------------------------------------- hand-counted architectures


def test_linear_and_mlp_parameter_counts():
    assert count_parameters(Linear(784)) == 784 + 1
    assert count_parameters(Linear(784, 10, bias=False)) == 7840
    # suggala2019 appendix H: 784 -> 512 -> 512 -> 320 -> out.
    mlp = MLP(784, out=10)
    assert mlp.hidden == (512, 512, 320)
    assert count_parameters(mlp) == (784 * 512 + 512) + (512 * 512 + 512) + (512 * 320 + 320) + (320 * 10 + 10)
    assert sum(isinstance(m, nn.ReLU) for m in mlp.modules()) == 3
    net = one_hidden(2, 100)
    assert count_parameters(net) == (2 * 100 + 100) + (100 + 1)


@pytest.mark.parametrize("in_channels, classes", [(1, 10), (1, 1), (3, 2)])
def test_madry_cnn_parameter_count(in_channels, classes):
    hand = ((5 * 5 * in_channels * 32 + 32) + (5 * 5 * 32 * 64 + 64) + (7 * 7 * 64 * 1024 + 1024)
            + (1024 * classes + classes))
    assert count_parameters(MadryCNN(in_channels, classes)) == hand
    if (in_channels, classes) == (1, 10):
        assert hand == 3_274_634


def test_madry_cnn_layers():
    model = MadryCNN()
    convs = [m for m in model.modules() if isinstance(m, nn.Conv2d)]
    assert [(c.kernel_size, c.out_channels, c.padding) for c in convs] == [((5, 5), 32, (2, 2)), ((5, 5), 64, (2, 2))]
    assert sum(isinstance(m, nn.MaxPool2d) for m in model.modules()) == 2
    # 'same' padding: the two pools take 28 -> 14 -> 7 (a 7*7*64 feature map).
    feat = model.features(torch.zeros(1, 1, 28, 28))
    assert feat.shape == (1, 64, 7, 7)


def test_digits_cnn_parameter_count():
    w, h = 3, 64
    hand = (9 * 1 * w + w) + (9 * w * 2 * w + 2 * w) + (2 * w * 16 * h + h) + (h * 10 + 10)
    assert count_parameters(DigitsCNN(10, width=w)) == hand


def _preact_resnet18_count(k: float, classes: int = 10, c_in: int = 3) -> int:
    """Hand count of the pre-activation ResNet-18 for CIFAR (He et al. 2016) from its block structure."""
    widths = [max(1, int(math.floor(64 * m * k + 0.5))) for m in (1, 2, 4, 8)]
    total = 9 * c_in * widths[0]  # the 3x3 stem, no bias
    prev = widths[0]
    for stage, width in enumerate(widths):
        for unit in range(2):
            c_in_unit = prev if unit == 0 else width
            total += 2 * c_in_unit  # BN before the first conv
            total += 9 * c_in_unit * width  # conv 3x3, no bias
            total += 2 * width  # BN before the second conv
            total += 9 * width * width  # conv 3x3, no bias
            if unit == 0 and (stage > 0 or c_in_unit != width):
                total += c_in_unit * width  # 1x1 projection shortcut, no bias
        prev = width
    total += 2 * prev  # the final BN
    return total + prev * classes + classes


def test_resnet18_parameter_count_at_k1():
    model = PreActResNet18()  # construction only: no forward pass at full width
    hand = _preact_resnet18_count(1.0)
    assert count_parameters(model) == hand
    assert abs(hand - 11.17e6) < 0.01e6  # the familiar ~11.17M of ResNet-18 for CIFAR
    assert model.widths == (64, 128, 256, 512)
    assert sum(isinstance(m, models.PreActBlock) for m in model.modules()) == 8
    # 17 convolutions on the main path + 3 projection shortcuts; 1 fully connected layer: "18" layers.
    convs = [m for m in model.modules() if isinstance(m, nn.Conv2d)]
    assert sum(c.kernel_size == (3, 3) for c in convs) == 17 and sum(c.kernel_size == (1, 1) for c in convs) == 3


@pytest.mark.parametrize("k, widths", [(0.125, (8, 16, 32, 64)), (0.3, (19, 38, 77, 154)), (0.001, (1, 1, 1, 1))])
def test_resnet18_capacity_scale(k, widths):
    model = PreActResNet18(classes=1, k=k, in_channels=1)
    assert model.widths == widths
    assert count_parameters(model) == _preact_resnet18_count(k, classes=1, c_in=1)


def test_vgg11_structure_and_count():
    model = VGG11(k=0.125)
    convs = [m for m in model.modules() if isinstance(m, nn.Conv2d)]
    assert len(convs) == 8
    assert sum(isinstance(m, nn.BatchNorm2d) for m in model.modules()) == 8
    assert sum(isinstance(m, nn.MaxPool2d) for m in model.modules()) == 5
    assert [c.out_channels for c in convs] == [8, 16, 32, 32, 64, 64, 64, 64]  # [64,128,256,256,512,...] / 8
    # Hand count at k = 1: conv 3x3 with bias + BN (scale, shift) per layer, then fc 512 -> 10.
    widths = [64, 128, 256, 256, 512, 512, 512, 512]
    prev, hand = 3, 0
    for c in widths:
        hand += 9 * prev * c + c + 2 * c
        prev = c
    hand += 512 * 10 + 10
    assert count_parameters(VGG11()) == hand


def test_vgg11_needs_32x32():
    with pytest.raises(ValueError, match="32, 32"):
        VGG11(k=0.125).eval()(torch.rand(1, 3, 16, 16))


# --------------------------------------------------------------------------- Normalize


@SMALL
@given(c=st.integers(1, 4), spatial=st.sampled_from([(), (3,), (2, 3)]), seed=st.integers(0, 2**16))
def test_normalize_matches_formula(c, spatial, seed):
    rng = np.random.default_rng(seed)
    mean = rng.random(c)
    std = rng.uniform(0.1, 2.0, c)
    x = rng.random((4, c, *spatial)).astype(np.float32)
    out = Normalize(mean, std)(torch.from_numpy(x)).numpy()
    shape = (1, c) + (1,) * len(spatial)
    expected = (x - mean.reshape(shape)) / std.reshape(shape)
    np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-5)


def test_normalize_scalar_broadcast_and_errors():
    x = torch.rand(2, 3, 4, 4, generator=torch.Generator().manual_seed(0))
    torch.testing.assert_close(Normalize(0.5, 0.25)(x), (x - 0.5) / 0.25)
    torch.testing.assert_close(Normalize([0.1, 0.2, 0.3], 0.5)(x)[:, 2], (x[:, 2] - 0.3) / 0.5)
    with pytest.raises(ValueError, match="std"):
        Normalize(0.0, 0.0)
    with pytest.raises(ValueError, match="std"):
        Normalize([0.0, 0.0], [1.0, -1.0])
    with pytest.raises(ValueError, match="mean"):
        Normalize([0.0, 0.0, 0.0], [1.0, 1.0])
    with pytest.raises(ValueError, match="mean"):
        Normalize(float("nan"), 1.0)
    with pytest.raises(ValueError, match="3 channels"):
        Normalize([0.1, 0.2, 0.3], [1.0, 1.0, 1.0])(torch.rand(2, 2, 4, 4))


@pytest.mark.parametrize("factory", [
    lambda norm: VGG11(k=0.125, normalize=norm, generator=4),
    lambda norm: PreActResNet18(k=0.125, normalize=norm, generator=4),
    lambda norm: MLP(3 * 32 * 32, (4,), normalize=norm, generator=4),
], ids=["vgg11", "resnet18", "mlp"])
def test_normalize_option_is_standardization_first(factory):
    mean, std = (0.49, 0.48, 0.45), (0.25, 0.24, 0.26)
    with_norm, plain = factory((mean, std)).eval(), factory(None).eval()
    x = torch.rand(2, 3, 32, 32, generator=torch.Generator().manual_seed(0))
    standardized = (x - torch.tensor(mean).view(1, 3, 1, 1)) / torch.tensor(std).view(1, 3, 1, 1)
    with torch.no_grad():
        torch.testing.assert_close(with_norm(x), plain(standardized))
    assert isinstance(with_norm.normalize, Normalize)


# --------------------------------------------------------------------------- gradients, determinism, RNG


@pytest.mark.parametrize("classes", [1, 3])
@pytest.mark.parametrize("name", list(TINY))
def test_gradient_flows_to_input(name, classes):
    factory, shape = TINY[name]
    model = factory(classes).eval()
    x = torch.rand((2, *shape), generator=torch.Generator().manual_seed(2)).requires_grad_(True)
    loss = loss_per_example(model(x), _labels(model, 2)).sum()
    (grad,) = torch.autograd.grad(loss, x)
    assert grad.shape == x.shape and torch.isfinite(grad).all() and grad.abs().sum() > 0


@pytest.mark.parametrize("name", list(TINY))
def test_eval_mode_is_deterministic_and_seeded_init_reproducible(name):
    factory, shape = TINY[name]
    x = torch.rand((3, *shape), generator=torch.Generator().manual_seed(4))
    a, b = factory(2).eval(), factory(2).eval()  # the same seed
    with torch.no_grad():
        out = a(x)
        torch.testing.assert_close(a(x), out, rtol=0, atol=0)
        torch.testing.assert_close(b(x), out, rtol=0, atol=0)
    for pa, pb in zip(a.parameters(), b.parameters(), strict=True):
        assert torch.equal(pa, pb)


def test_seeds_differ_and_global_rng_untouched():
    state = torch.random.get_rng_state()
    a, b = DigitsCNN(width=2, generator=0), DigitsCNN(width=2, generator=1)
    c = DigitsCNN(width=2, generator=torch.Generator().manual_seed(0))
    PreActResNet18(k=0.125)
    Linear(5)
    assert torch.equal(torch.random.get_rng_state(), state)
    assert not torch.equal(a.features[0].weight, b.features[0].weight)
    assert torch.equal(a.features[0].weight, c.features[0].weight)


def test_initialization_scale_is_pytorch_default():
    """Weights and biases of a layer with fan-in f lie in [-1/sqrt(f), 1/sqrt(f)] and fill it."""
    model = Linear(400, 50, generator=3)
    bound = 1 / math.sqrt(400)
    w, b = model.linear.weight, model.linear.bias
    assert w.abs().max() <= bound and w.abs().max() > 0.95 * bound
    assert b.abs().max() <= bound
    assert abs(float(w.std()) - bound / math.sqrt(3)) < 0.05 * bound  # std of U(-c, c) is c / sqrt(3)


# --------------------------------------------------------------------------- registry and validation


@pytest.mark.parametrize("name, kwargs, cls", [
    ("linear", {"d_in": 4}, Linear),
    ("mlp", {"d_in": 4, "hidden": (3,), "out": 2}, MLP),
    ("one-hidden", {"d_in": 4, "width": 3}, MLP),
    ("madry-cnn", {"classes": 1}, MadryCNN),
    ("digits-cnn", {"width": 2}, DigitsCNN),
    ("resnet18", {"k": 0.125}, PreActResNet18),
    ("vgg11", {"k": 0.125, "classes": 2}, VGG11),
])
def test_build_by_name(name, kwargs, cls):
    model = build(name, generator=0, **kwargs)
    assert type(model) is cls
    twin = cls(**kwargs, generator=0) if name != "one-hidden" else one_hidden(**kwargs, generator=0)
    assert count_parameters(model) == count_parameters(twin)


def test_build_rejects_unknown_names():
    with pytest.raises(ValueError) as info:
        build("resnet50")
    for name in ("linear", "mlp", "one-hidden", "madry-cnn", "digits-cnn", "resnet18", "vgg11"):
        assert name in str(info.value)
    assert "resnet50" in str(info.value)
    with pytest.raises(ValueError, match="unknown model"):
        build(None)
    assert set(models.MODELS) == {"linear", "mlp", "one-hidden", "madry-cnn", "digits-cnn", "resnet18", "vgg11"}


def test_count_parameters_trainable_only():
    model = MLP(3, (4,), 2)
    model.net[0].weight.requires_grad_(False)
    assert count_parameters(model) == (3 * 4 + 4) + (4 * 2 + 2)
    assert count_parameters(model, trainable_only=True) == 4 + (4 * 2 + 2)
    with pytest.raises(ValueError, match="torch.nn.Module"):
        count_parameters("mlp")


@pytest.mark.parametrize("call, match", [
    (lambda: Linear(0), "d_in"),
    (lambda: Linear(3, classes=0), "classes"),
    (lambda: Linear(3.5), "d_in"),
    (lambda: MLP(3, (4, 0)), "hidden"),
    (lambda: MLP(3, out=True), "out"),
    (lambda: one_hidden(3, 0), "width"),
    (lambda: MadryCNN(in_channels=0), "in_channels"),
    (lambda: DigitsCNN(width=-1), "width"),
    (lambda: PreActResNet18(k=0), "k"),
    (lambda: PreActResNet18(k=float("nan")), "k"),
    (lambda: VGG11(k=-1.0), "k"),
    (lambda: VGG11(normalize=(0.5,)), "normalize"),
    (lambda: Linear(3, generator="seed"), "generator"),
])
def test_bad_arguments_raise_value_errors(call, match):
    with pytest.raises(ValueError, match=match):
        call()
