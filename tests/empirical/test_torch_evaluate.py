"""Tests of empirical.evaluate: accuracies and their intervals, margins, spectra, gaps, saliency, sanity checks.

References: hand-constructed models and attacks with known per-example outcomes; theory.montecarlo.proportion
(the Clopper-Pearson interval) called directly; the closed-form robust risk of a linear classifier on a
Gaussian mixture (theory.gaussian.adversarial_risk) by Monte Carlo; dense operators built element by element
(the definition of a convolution) and numpy's SVD; hand-computed statistics; the completeness axiom of
integrated gradients; and deliberately broken attacks / a gradient-masking model for the sanity checklist.
"""

from __future__ import annotations

import importlib.util
import math
import warnings

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from empirical import evaluate as ev
from theory.gaussian import adversarial_risk
from theory.montecarlo import proportion

SETTINGS = settings(max_examples=15, deadline=None)


# ------------------------------------------------------------------------------------------ helpers


def linear_binary(w, b=0.0, dtype=torch.float32):
    """A single-logit linear model z = w.x + b with the given weights."""
    w = torch.as_tensor(w, dtype=dtype)
    m = nn.Linear(w.numel(), 1).to(dtype)
    with torch.no_grad():
        m.weight.copy_(w[None])
        m.bias.fill_(b)
    return m.eval()


def exact_linear_attack(model, eps, norm="linf"):
    """The exact worst case for a binary linear model: x - eps y sign(w) (linf), x - eps y w/||w||_2 (l2)."""
    w = model.weight.detach()[0]
    step = w.sign() if norm == "linf" else w / w.norm()

    def attack(m, x, y):
        return x - eps * y[:, None] * step
    return attack


def gaussian_data(theta, n, seed):
    g = torch.Generator().manual_seed(seed)
    theta = torch.as_tensor(theta, dtype=torch.float32)
    y = torch.where(torch.rand(n, generator=g) < 0.5, 1.0, -1.0)
    x = y[:, None] * theta + torch.randn(n, theta.numel(), generator=g)
    return x, y


class FirstFeature(nn.Module):
    """Binary logit = x[:, 0]; the second feature (an example's index) is ignored."""

    def __init__(self):
        super().__init__()
        self.scale = nn.Parameter(torch.ones(()))

    def forward(self, x):
        return self.scale * x[:, 0]


def flip_below(k):
    """An attack that negates the first feature exactly of the examples with index (feature 1) < k."""
    def attack(model, x, y):
        out = x.clone()
        out[x[:, 1] < k, 0] *= -1
        return out
    return attack


def index_data():
    """10 examples, labels alternating; clean mistakes at indices 2 and 8."""
    n = 10
    y = torch.tensor([1.0 if i % 2 == 0 else -1.0 for i in range(n)])
    x0 = y.clone()
    x0[[2, 8]] *= -1
    return torch.stack([x0, torch.arange(n, dtype=torch.float32)], dim=1), y


# ------------------------------------------------------------------------------------------ accuracies


@pytest.mark.parametrize("batch_size", [3, 512])
def test_robust_accuracy_divides_by_all_n(batch_size):
    model = FirstFeature().eval()
    x, y = index_data()
    # after flipping indices 0-3: correct on {2, 4, 5, 6, 7, 9}; robust also needs clean-correct: {4, 5, 6, 7, 9}
    r = ev.robust_accuracy(model, x, y, flip_below(4), batch_size=batch_size)
    assert r.value == 0.5 and r.n == 10  # not 6/10 (ignoring clean), not 5/8 (dividing by clean-correct)
    assert ev.accuracy(model, x, y, batch_size=batch_size).value == 0.8
    mask = ev.robust_correctness(model, x, y, flip_below(4), batch_size=batch_size)
    assert mask.tolist() == [i in {4, 5, 6, 7, 9} for i in range(10)]
    e = ev.robust_error(model, x, y, flip_below(4), batch_size=batch_size)
    assert (e.value, e.low, e.high) == (proportion(5, 10).value, proportion(5, 10).low, proportion(5, 10).high)


@pytest.mark.parametrize("confidence", [0.999, 0.9])
def test_interval_is_the_theorys_clopper_pearson(confidence):
    model = FirstFeature().eval()
    x, y = index_data()
    got = ev.robust_accuracy(model, x, y, flip_below(4), confidence=confidence)
    ref = proportion(5, 10, confidence)
    assert (got.value, got.low, got.high, got.n, got.confidence) == (ref.value, ref.low, ref.high, ref.n,
                                                                     ref.confidence)
    clean = ev.accuracy(model, x, y, confidence=confidence)
    ref = proportion(8, 10, confidence)
    assert (clean.low, clean.high) == (ref.low, ref.high)


@SETTINGS
@given(seed=st.integers(0, 10_000), n=st.integers(1, 40), scale=st.floats(0.0, 3.0))
def test_robust_accuracy_is_clean_and_attacked_correct_and_below_clean(seed, n, scale):
    g = torch.Generator().manual_seed(seed)
    model = nn.Linear(3, 4).eval()
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(torch.randn(p.shape, generator=g))
    x = torch.randn(n, 3, generator=g)
    y = torch.randint(0, 4, (n,), generator=g)
    noise = scale * torch.randn(n, 3, generator=g)
    table = {}

    def attack(m, xb, yb):  # a random perturbation, fixed per example (looked up by the row's content)
        return torch.stack([xb[i] + table[tuple(xb[i].tolist())] for i in range(xb.shape[0])])

    for i in range(n):
        table[tuple(x[i].tolist())] = noise[i]
    with torch.no_grad():
        clean_ok = model(x).argmax(1) == y
        adv_ok = model(x + noise).argmax(1) == y
    r = ev.robust_accuracy(model, x, y, attack, batch_size=7)
    c = ev.accuracy(model, x, y, batch_size=7)
    assert r.value * n == pytest.approx(int((clean_ok & adv_ok).sum()))
    assert c.value * n == pytest.approx(int(clean_ok.sum()))
    assert r.value <= c.value


def test_train_mode_warns_evaluates_in_eval_mode_and_restores_modes():
    torch.manual_seed(0)  # the test's own setup only
    model = nn.Sequential(nn.Linear(4, 8), nn.Dropout(0.9), nn.Linear(8, 3))
    x = torch.randn(50, 4)
    y = torch.randint(0, 3, (50,))
    with torch.no_grad():
        ref = (model.eval()(x).argmax(1) == y).float().mean().item()  # no dropout
    model.train()
    model[2].eval()  # mixed modes must come back exactly
    with pytest.warns(ev.TrainModeWarning):
        a = ev.accuracy(model, x, y)
    assert a.value == pytest.approx(ref)
    assert [m.training for m in model.modules()] == [True, True, True, False]
    with pytest.warns(ev.TrainModeWarning):
        ev.margins(model, x, y)
    with pytest.warns(ev.TrainModeWarning):
        ev.gradient_saliency(model, x, y)
    assert [m.training for m in model.modules()] == [True, True, True, False]
    model.eval()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ev.accuracy(model, x, y)
    assert not any(m.training for m in model.modules())
    assert issubclass(ev.TrainModeWarning, UserWarning)


def test_bad_inputs_raise_value_errors():
    model = FirstFeature().eval()
    x, y = index_data()
    with pytest.raises(ValueError, match="y must have shape"):
        ev.accuracy(model, x, y[:3])
    with pytest.raises(ValueError, match="batch_size"):
        ev.accuracy(model, x, y, batch_size=0)
    with pytest.raises(ValueError, match="attack must return"):
        ev.robust_accuracy(model, x, y, lambda m, xb, yb: xb[:, :1])
    with pytest.raises(ValueError, match="needs an attack"):
        ev.robust_accuracy(model, x, y, None)
    with pytest.raises(ValueError, match="eps"):
        ev.accuracy_curve(model, x, y, lambda e: flip_below(1), [0.1, -1.0])
    with pytest.raises(ValueError, match="labels"):
        ev.accuracy(model, x, torch.zeros(10))


@pytest.mark.parametrize("norm", ["linf", "l2"])
def test_accuracy_curve_matches_the_closed_form_and_is_monotone(norm):
    theta = np.array([1.0, 0.5, -0.3, 0.2])
    w = np.array([0.8, 0.7, -0.1, 0.4])
    model = linear_binary(w)
    x, y = gaussian_data(theta, 4000, seed=1 if norm == "linf" else 2)
    eps_values = [0.0, 0.1, 0.25, 0.5, 1.0]
    curve = ev.accuracy_curve(model, x, y, lambda e: exact_linear_attack(model, e, norm), eps_values)
    assert [e for e, _ in curve] == eps_values
    counts = [round(est.value * est.n) for _, est in curve]
    assert all(a >= b for a, b in zip(counts, counts[1:]))
    assert counts[0] > counts[-1]
    p = math.inf if norm == "linf" else 2.0
    w32 = model.weight.detach()[0].double().numpy()  # the weights as the model holds them
    for eps, est in curve:
        predicted = 1.0 - float(adversarial_risk(w32, theta, eps, norm=p))
        assert est.contains(predicted), (eps, est, predicted)
    assert curve[0][1] == ev.accuracy(model, x, y)


# ------------------------------------------------------------------------------------------ margins


def test_margins_match_a_manual_computation():
    logits = torch.tensor([[2.0, 1.0, -1.0], [0.0, 3.0, 3.5], [1.0, 1.0, 0.0], [-2.0, 0.5, 0.0]])
    y = torch.tensor([0, 1, 2, 1])
    manual = []
    for z, k in zip(logits.tolist(), y.tolist()):
        manual.append(z[k] - max(v for i, v in enumerate(z) if i != k))
    assert manual == [1.0, -0.5, -1.0, 0.5]
    got = ev.margins(nn.Identity().eval(), logits, y, batch_size=3)
    assert got.tolist() == manual
    zb = torch.tensor([1.5, -0.5, 0.0])
    yb = torch.tensor([-1.0, -1.0, 1.0])
    assert ev.margins(nn.Identity().eval(), zb, yb).tolist() == [-1.5, 0.5, 0.0]


def test_margin_summary_hand_values():
    s = ev.margin_summary(torch.tensor([1.0, 2.0, 3.0, 4.0, 5.0, -1.0, 0.0]), quantiles=(0.0, 0.5, 1.0))
    assert s["n"] == 7 and s["mean"] == pytest.approx(2.0)
    assert s["quantiles"] == {0.0: -1.0, 0.5: 2.0, 1.0: 5.0}
    assert s["nonpositive"] == pytest.approx(2 / 7)
    assert s["std"] == pytest.approx(math.sqrt((1 + 0 + 1 + 4 + 9 + 9 + 4) / 7))
    with pytest.raises(ValueError):
        ev.margin_summary([])


# ------------------------------------------------------------------------------------------ spectra


def dense_by_basis(conv, in_shape):
    """The matrix of a bias-free conv: column j = conv(e_j), built one basis vector at a time."""
    d = int(np.prod(in_shape))
    cols = []
    with torch.no_grad():
        for j in range(d):
            e = torch.zeros(d, dtype=torch.float64)
            e[j] = 1.0
            cols.append(conv(e.reshape(1, *in_shape)).reshape(-1))
    return torch.stack(cols, dim=1).numpy()


def zero_padded_conv_matrix(k, n1, n2, stride, pad):
    """Cross-correlation with zero padding, from its definition: out[o, p, q] = sum k[o, i, a, b] x[i, s p + a - pad,
    s q + b - pad] over in-range input positions."""
    co, ci, k1, k2 = k.shape
    m1, m2 = (n1 + 2 * pad - k1) // stride + 1, (n2 + 2 * pad - k2) // stride + 1
    A = np.zeros((co, m1, m2, ci, n1, n2))
    for o in range(co):
        for p in range(m1):
            for q in range(m2):
                for i in range(ci):
                    for a in range(k1):
                        for b in range(k2):
                            r, c = stride * p + a - pad, stride * q + b - pad
                            if 0 <= r < n1 and 0 <= c < n2:
                                A[o, p, q, i, r, c] += k[o, i, a, b]
    return A.reshape(co * m1 * m2, ci * n1 * n2)


def test_conv_fft_matches_the_dense_circular_operator():
    g = torch.Generator().manual_seed(0)
    conv = nn.Conv2d(2, 3, 3, padding=1, padding_mode="circular", bias=True).double()
    with torch.no_grad():
        conv.weight.copy_(torch.randn(conv.weight.shape, generator=g, dtype=torch.float64))
        conv.bias.zero_()
    ref = np.linalg.svd(dense_by_basis(conv, (2, 5, 5)), compute_uv=False)
    assert ref.shape == (50,)
    with torch.no_grad():
        conv.bias.fill_(0.7)  # the bias must not enter the spectrum
    got = ev.layer_singular_values(conv.float(), (2, 5, 5))[""]
    assert got.shape == ref.shape and np.all(np.diff(got) <= 0)
    np.testing.assert_allclose(got, ref, atol=1e-5)
    np.testing.assert_allclose(ev.layer_singular_values(conv, (2, 5, 5), method="dense")[""], ref, atol=1e-9)


@SETTINGS
@given(ci=st.integers(1, 3), co=st.integers(1, 3), n1=st.integers(3, 6), n2=st.integers(3, 6),
       k=st.sampled_from([1, 3]), dilation=st.integers(1, 2), seed=st.integers(0, 1000))
def test_conv_fft_matches_dense_circular_for_random_shapes(ci, co, n1, n2, k, dilation, seed):
    pad = dilation * (k - 1) // 2
    if pad > min(n1, n2):
        return
    conv = nn.Conv2d(ci, co, k, padding=pad, dilation=dilation, padding_mode="circular", bias=False).double()
    with torch.no_grad():
        conv.weight.copy_(torch.randn(conv.weight.shape, generator=torch.Generator().manual_seed(seed),
                                      dtype=torch.float64))
    ref = np.linalg.svd(dense_by_basis(conv, (ci, n1, n2)), compute_uv=False)
    got = ev.conv2d_circular_singular_values(conv.weight, (n1, n2), dilation=dilation)
    np.testing.assert_allclose(got, ref, atol=1e-9)


def test_dense_method_is_exact_for_zero_padded_and_strided_convs_and_fft_is_not():
    g = torch.Generator().manual_seed(3)
    conv = nn.Conv2d(2, 3, 3, stride=2, padding=1, bias=False).double()
    with torch.no_grad():
        conv.weight.copy_(torch.randn(conv.weight.shape, generator=g, dtype=torch.float64))
    k = conv.weight.detach().numpy()
    ref = np.linalg.svd(zero_padded_conv_matrix(k, 5, 6, 2, 1), compute_uv=False)
    got = ev.layer_singular_values(conv, (2, 5, 6), method="dense")[""]
    np.testing.assert_allclose(got, ref, atol=1e-10)
    with pytest.raises(ValueError, match="stride"):
        ev.layer_singular_values(conv, (2, 5, 6))
    # stride 1, zero padding: the FFT gives the circular counterpart, which is a different operator
    conv1 = nn.Conv2d(2, 3, 3, padding=1, bias=False).double()
    with torch.no_grad():
        conv1.weight.copy_(conv.weight)
    ref1 = np.linalg.svd(zero_padded_conv_matrix(k, 5, 5, 1, 1), compute_uv=False)
    np.testing.assert_allclose(ev.layer_singular_values(conv1, (2, 5, 5), method="dense")[""], ref1, atol=1e-10)
    fft = ev.layer_singular_values(conv1, (2, 5, 5))[""]
    assert fft.shape == ref1.shape and np.max(np.abs(fft - ref1)) > 1e-3


def test_linear_layers_against_numpy_and_layer_input_sizes():
    torch.manual_seed(1)  # the test's own setup
    model = nn.Sequential(nn.Conv2d(1, 2, 3, padding=1, padding_mode="circular"), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Flatten(), nn.Linear(2 * 3 * 3, 5), nn.ReLU(), nn.Linear(5, 3)).eval()
    sv = ev.layer_singular_values(model, (1, 6, 6))
    assert list(sv) == ["0", "4", "6"]
    for name in ("4", "6"):
        w = model.get_submodule(name).weight.detach().double().numpy()
        np.testing.assert_allclose(sv[name], np.linalg.svd(w, compute_uv=False), rtol=1e-12)
    conv = model[0]
    dense = dense_by_basis(_copy_no_bias(conv), (1, 6, 6))
    np.testing.assert_allclose(sv["0"], np.linalg.svd(dense, compute_uv=False), atol=1e-5)
    with pytest.raises(ValueError, match="input_shape"):
        ev.layer_singular_values(model)
    assert list(ev.layer_singular_values(nn.Sequential(nn.Linear(3, 2)))) == ["0"]


def _copy_no_bias(conv):
    c = nn.Conv2d(conv.in_channels, conv.out_channels, conv.kernel_size, padding=conv.padding,
                  padding_mode=conv.padding_mode, bias=False).double()
    with torch.no_grad():
        c.weight.copy_(conv.weight)
    return c


def test_spectral_spread_orthogonal_and_hand_values():
    q, _ = np.linalg.qr(np.random.default_rng(0).standard_normal((6, 6)))
    lin = nn.Linear(6, 6).double()
    with torch.no_grad():
        lin.weight.copy_(torch.as_tensor(q))
    s = ev.spectral_spread(ev.layer_singular_values(lin)[""])
    assert s.ratio == pytest.approx(1.0, abs=1e-12) and s.log_std == pytest.approx(0.0, abs=1e-12)
    assert s.std == pytest.approx(0.0, abs=1e-12) and s.n == 6
    h = ev.spectral_spread([4.0, 2.0, 1.0])
    assert h.std == pytest.approx(math.sqrt(14) / 3)  # mean 7/3, squared deviations 25/9, 1/9, 16/9
    assert h.log_std == pytest.approx(math.log(2) * math.sqrt(2 / 3))  # logs 2 ln2, ln2, 0
    assert (h.ratio, h.largest, h.smallest) == (4.0, 4.0, 1.0)
    assert ev.spectral_spread([0.0, 1.0]).ratio == math.inf
    with pytest.raises(ValueError):
        ev.spectral_spread([-1.0, 1.0])


# ------------------------------------------------------------------------------------------ gaps and lines


def test_loss_gap_against_manual_losses_and_errors():
    torch.manual_seed(2)
    model = nn.Linear(3, 3).eval()
    xtr, ytr = torch.randn(30, 3), torch.randint(0, 3, (30,))
    xte, yte = torch.randn(20, 3), torch.randint(0, 3, (20,))
    with torch.no_grad():
        ltr, lte = F.cross_entropy(model(xtr), ytr).item(), F.cross_entropy(model(xte), yte).item()
        etr = int((model(xtr).argmax(1) != ytr).sum())
        ete = int((model(xte).argmax(1) != yte).sum())

    class Split:
        def __init__(self, x, y):
            self.x, self.y = x, y

    r = ev.loss_gap(model, (xtr, ytr), Split(xte, yte), batch_size=8)
    assert r.train_loss == pytest.approx(ltr, rel=1e-6) and r.test_loss == pytest.approx(lte, rel=1e-6)
    assert r.loss_gap == pytest.approx(lte - ltr, rel=1e-5, abs=1e-7)
    assert r.train_error.value == etr / 30 and r.test_error.value == ete / 20
    assert r.error_gap == pytest.approx(ete / 20 - etr / 30)
    assert r.test_error.low == proportion(ete, 20).low
    assert ev.error_gap(model, (xtr, ytr), (xte, yte)) == r
    with pytest.raises(ValueError, match="train"):
        ev.loss_gap(model, xtr, (xte, yte))


def test_loss_along_line_endpoints_midpoint_and_restoration():
    torch.manual_seed(3)
    a, b, model = nn.Linear(3, 2), nn.Linear(3, 2), nn.Linear(3, 2)
    x, y = torch.randn(25, 3), torch.randint(0, 2, (25,))
    own = {k: v.clone() for k, v in model.state_dict().items()}
    model.weight.grad = torch.full_like(model.weight, 5.0)
    losses = ev.loss_along_line(model.eval(), a.state_dict(), b.state_dict(), x, y, [0.0, 0.5, 1.0])
    with torch.no_grad():
        la = F.cross_entropy(a(x), y).item()
        lb = F.cross_entropy(b(x), y).item()
        wm, bm = (a.weight + b.weight) / 2, (a.bias + b.bias) / 2
        lm = F.cross_entropy(F.linear(x, wm, bm), y).item()
    np.testing.assert_allclose(losses, [la, lm, lb], rtol=1e-6)
    assert all(torch.equal(v, own[k]) for k, v in model.state_dict().items())
    assert torch.equal(model.weight.grad, torch.full_like(model.weight, 5.0))
    # modules are accepted as endpoints too, even the model itself; extrapolation allowed
    assert ev.loss_along_line(model, a, b, x, y, [1.0])[0] == pytest.approx(lb, rel=1e-6)
    with torch.no_grad():
        l_own = F.cross_entropy(model(x), y).item()
        l_ext = F.cross_entropy(F.linear(x, 2 * model.weight - a.weight, 2 * model.bias - a.bias), y).item()
    np.testing.assert_allclose(ev.loss_along_line(model, a, model, x, y, [1.0, 2.0, 0.0]), [l_own, l_ext, la],
                               rtol=1e-5)
    assert all(torch.equal(v, own[k]) for k, v in model.state_dict().items())
    with pytest.raises(ValueError, match="missing"):
        ev.loss_along_line(model, {"weight": a.weight}, b.state_dict(), x, y, [0.0])


def test_loss_along_line_interpolates_float_buffers_only():
    def net(mean, var, tracked):
        m = nn.Sequential(nn.Linear(2, 2), nn.BatchNorm1d(2))
        with torch.no_grad():
            m[1].running_mean.fill_(mean)
            m[1].running_var.fill_(var)
            m[1].num_batches_tracked.fill_(tracked)
        return m

    torch.manual_seed(4)
    a, b = net(0.0, 1.0, 5), net(2.0, 3.0, 9)
    model = net(-1.0, 0.5, 1).eval()
    x, y = torch.randn(12, 2), torch.randint(0, 2, (12,))
    got = ev.loss_along_line(model, a.state_dict(), b.state_dict(), x, y, [0.5])[0]
    with torch.no_grad():
        w, bias = (a[0].weight + b[0].weight) / 2, (a[0].bias + b[0].bias) / 2
        gamma, beta = (a[1].weight + b[1].weight) / 2, (a[1].bias + b[1].bias) / 2
        z = F.linear(x, w, bias)
        z = (z - 1.0) / torch.sqrt(torch.tensor(2.0) + a[1].eps) * gamma + beta  # mean 1, var 2 at a = 1/2
        ref = F.cross_entropy(z, y).item()
    assert got == pytest.approx(ref, rel=1e-6)
    assert int(model[1].num_batches_tracked) == 1 and float(model[1].running_mean[0]) == -1.0


# ------------------------------------------------------------------------------------------ saliency


def test_gradient_saliency_and_smoothgrad_of_linear_models_are_the_weights():
    w = torch.tensor([0.5, -2.0, 1.5])
    model = linear_binary(w, b=0.3)
    x, y = torch.randn(6, 3), torch.tensor([1.0, -1.0, 1.0, 1.0, -1.0, -1.0])
    expected = y[:, None] * w
    torch.testing.assert_close(ev.gradient_saliency(model, x, y), expected)
    torch.testing.assert_close(ev.smoothgrad(model, x, y, generator=0, samples=8), expected)
    multi = nn.Linear(3, 4).eval()
    yc = torch.tensor([0, 3, 1, 2, 2, 0])
    torch.testing.assert_close(ev.gradient_saliency(multi, x, yc, batch_size=4), multi.weight.detach()[yc])
    torch.testing.assert_close(ev.smoothgrad(multi, x, yc, generator=1, samples=4, sigma=0.5),
                               multi.weight.detach()[yc])


def test_integrated_gradients_of_a_linear_model_is_exact():
    w = torch.tensor([0.5, -2.0, 1.5], dtype=torch.float64)
    model = linear_binary(w, b=-0.7, dtype=torch.float64)
    x = torch.randn(5, 3, dtype=torch.float64)
    y = torch.tensor([1.0, -1.0, -1.0, 1.0, 1.0], dtype=torch.float64)
    ig = ev.integrated_gradients(model, x, y, steps=3)
    torch.testing.assert_close(ig, x * w * y[:, None])
    base = torch.tensor([1.0, 1.0, 1.0], dtype=torch.float64)
    ig_b = ev.integrated_gradients(model, x, y, baseline=base, steps=1)
    torch.testing.assert_close(ig_b, (x - base) * w * y[:, None])


def test_integrated_gradients_completeness_for_a_smooth_network():
    torch.manual_seed(5)
    model = nn.Sequential(nn.Linear(4, 6), nn.Tanh(), nn.Linear(6, 3)).double().eval()
    x = torch.randn(8, 4, dtype=torch.float64)
    y = torch.randint(0, 3, (8,))
    base = 0.1 * torch.ones(4, dtype=torch.float64)
    ig = ev.integrated_gradients(model, x, y, baseline=base, steps=64)
    with torch.no_grad():
        fx = model(x).gather(1, y[:, None]).squeeze(1)
        f0 = model(base.expand(8, 4)).gather(1, y[:, None]).squeeze(1)
    np.testing.assert_allclose(ig.sum(dim=1).numpy(), (fx - f0).numpy(), atol=1e-2)
    coarse = ev.integrated_gradients(model, x, y, baseline=base, steps=1)  # one node: not complete in general
    assert ig.shape == x.shape and not torch.allclose(coarse.sum(1), fx - f0, atol=1e-6)


class Quadratic(nn.Module):
    """Binary logit sum_j a_j x_j^2: gradient 2 a x, so E[grad at x + noise] = 2 a x."""

    def __init__(self, a):
        super().__init__()
        self.a = nn.Parameter(torch.as_tensor(a, dtype=torch.float64))

    def forward(self, x):
        return (self.a * x**2).sum(dim=1)


def test_smoothgrad_averages_gradients_and_leaves_grads_and_global_rng_alone():
    model = Quadratic([1.0, -0.5, 2.0]).eval()
    x = torch.tensor([[0.3, -1.0, 0.5], [1.0, 0.2, -0.4]], dtype=torch.float64)
    y = torch.tensor([1.0, -1.0], dtype=torch.float64)
    model.a.grad = torch.tensor([7.0, 7.0, 7.0], dtype=torch.float64)
    state = torch.get_rng_state()
    sg = ev.smoothgrad(model, x, y, sigma=0.1, input_range=1.0, samples=400, generator=7)
    assert torch.equal(state, torch.get_rng_state())
    assert torch.equal(model.a.grad, torch.tensor([7.0, 7.0, 7.0], dtype=torch.float64))
    exact = y[:, None] * 2 * model.a.detach() * x
    sd = 2 * model.a.detach().abs() * 0.1 / math.sqrt(400)  # the standard error of the mean gradient
    assert torch.all((sg - exact).abs() <= 5 * sd)
    assert not torch.equal(sg, exact)  # noise was added
    torch.testing.assert_close(sg, ev.smoothgrad(model, x, y, sigma=0.1, input_range=1.0, samples=400,
                                                 generator=7))
    torch.testing.assert_close(ev.smoothgrad(model, x, y, sigma=0.0, samples=2), exact)
    torch.testing.assert_close(ev.gradient_saliency(model, x, y), exact)
    with pytest.raises(ValueError, match="sigma"):
        ev.smoothgrad(model, x, y, sigma=-1.0)


def test_concentration_hand_value():
    s = torch.tensor([[[1.0, -3.0], [0.0, 4.0]], [[2.0, 0.0], [0.0, 0.0]]])
    mask = torch.tensor([[True, False], [False, True]])
    got = ev.concentration(s, mask)
    torch.testing.assert_close(got, torch.tensor([5 / 8, 1.0], dtype=torch.float64))
    assert ev.concentration(s, mask, per_example=False).item() == pytest.approx(7 / 10)
    assert math.isnan(ev.concentration(torch.zeros(1, 2, 2), mask)[0].item())
    with pytest.raises(ValueError, match="broadcast"):
        ev.concentration(s, torch.ones(3, dtype=torch.bool))


@SETTINGS
@given(seed=st.integers(0, 10_000))
def test_concentration_is_a_fraction(seed):
    rng = np.random.default_rng(seed)
    s = rng.standard_normal((3, 4, 5))
    m = rng.random((3, 4, 5)) < 0.4
    got = ev.concentration(s, m).numpy()
    ref = (np.abs(s) * m).sum(axis=(1, 2)) / np.abs(s).sum(axis=(1, 2))
    np.testing.assert_allclose(got, ref, rtol=1e-12)
    assert np.all((0 <= got) & (got <= 1))


# ------------------------------------------------------------------------------------------ sanity checklist


def exact_pgd(model, x, y, *, eps, alpha=None, steps=10, norm="linf", restarts=1, random_start=True,
              generator=None, domain=None):
    """For a binary linear model (possibly wrapped), the exact worst case: PGD's fixed point."""
    lin = model if isinstance(model, nn.Linear) else model.lin
    return exact_linear_attack(lin, eps, norm)(model, x, y)


def exact_fgsm(model, x, y, *, eps, norm="linf", random_start=False, generator=None, domain=None):
    return exact_pgd(model, x, y, eps=eps, norm=norm)


def exact_unbounded(model, x, y, *, steps=100, generator=None):
    return exact_pgd(model, x, y, eps=1e3, norm="l2")


def grad_pgd(model, x, y, *, eps, alpha=None, steps=10, norm="linf", restarts=1, random_start=True,
             generator=None, domain=None):
    """A plain l-inf PGD on the logistic loss, from x (no random start): it needs the model's gradient."""
    alpha = 2.5 * eps / steps if alpha is None else alpha
    xa = x.clone()
    for _ in range(steps):
        xa.requires_grad_(True)
        loss = F.softplus(-y * model(xa).reshape(-1)).sum()
        (g,) = torch.autograd.grad(loss, xa)
        xa = (x + (xa.detach() + alpha * g.sign() - x).clamp(-eps, eps)).detach()
    return xa


def checklist_setup():
    theta = np.array([1.0, 0.6, -0.4, 0.3])
    x, y = gaussian_data(theta, 400, seed=11)
    return linear_binary(theta), x, y


def test_sanity_checklist_passes_with_exact_attacks():
    model, x, y = checklist_setup()
    rep = ev.sanity_checklist(model, x, y, eps=0.3, domain=None, generator=0, source_model=linear_binary(
        [1.0, 0.2, 0.2, 0.5]), pgd_fn=exact_pgd, fgsm_fn=exact_fgsm, unbounded_fn=exact_unbounded)
    assert rep.passed, str(rep)
    assert [c.name for c in rep.checks] == ["unbounded", "monotone_in_eps", "more_steps", "more_restarts",
                                            "random_start", "pgd_vs_fgsm", "transfer"]
    accs = [e.value for e in rep["monotone_in_eps"].measured["accuracy"]]
    assert accs[0] == ev.accuracy(model, x, y).value and accs[0] > accs[-1]
    assert rep["unbounded"].measured["survivors"] == 0
    # the transfer attack (from a different linear model) is strictly weaker here than the exact white box
    assert rep["transfer"].measured["accuracy_transfer"].value > rep["transfer"].measured["accuracy_white_box"].value
    assert "transfer" in str(rep)


def test_sanity_checklist_flags_a_pgd_that_does_nothing():
    model, x, y = checklist_setup()
    rep = ev.sanity_checklist(model, x, y, eps=0.3, domain=None, generator=0,
                              pgd_fn=lambda m, xb, yb, **kw: xb.clone(), fgsm_fn=exact_fgsm,
                              unbounded_fn=exact_unbounded)
    assert not rep.passed and not rep["pgd_vs_fgsm"].passed
    assert rep["unbounded"].passed and rep["more_steps"].passed
    assert any("transfer" in s for s in rep.skipped)


def test_sanity_checklist_flags_attacks_that_weaken_with_steps_restarts_or_eps():
    model, x, y = checklist_setup()

    def weakening(m, xb, yb, *, eps, steps=10, restarts=1, **kw):
        return exact_pgd(m, xb, yb, eps=eps * min(1.0, 10 / steps) / restarts)

    rep = ev.sanity_checklist(model, x, y, eps=0.3, domain=None, generator=0, pgd_fn=weakening,
                              fgsm_fn=exact_fgsm, unbounded_fn=exact_unbounded)
    assert not rep["more_steps"].passed and not rep["more_restarts"].passed
    assert rep["pgd_vs_fgsm"].passed and rep["monotone_in_eps"].passed

    def capped(m, xb, yb, *, eps, **kw):  # no effect beyond eps = 0.3: accuracy jumps back up at 2 eps
        return exact_pgd(m, xb, yb, eps=eps if eps <= 0.3 else 0.0)

    rep = ev.sanity_checklist(model, x, y, eps=0.3, domain=None, generator=0, pgd_fn=capped,
                              fgsm_fn=exact_fgsm, unbounded_fn=exact_unbounded)
    assert not rep["monotone_in_eps"].passed
    assert rep["monotone_in_eps"].measured["pair_passed"] == [True, True, True, False]
    rep = ev.sanity_checklist(model, x, y, eps=0.3, domain=None, generator=0, pgd_fn=exact_pgd,
                              fgsm_fn=exact_fgsm, unbounded_fn=lambda m, xb, yb, **kw: xb)
    assert not rep["unbounded"].passed and rep["unbounded"].measured["survivors"] > 0


class GradientMasked(nn.Module):
    """The linear model's outputs with a zero input gradient (a gradient-masking defence)."""

    def __init__(self, lin):
        super().__init__()
        self.lin = lin

    def forward(self, x):
        z = self.lin(x)
        return z.detach() + 0.0 * z


def test_sanity_checklist_transfer_exposes_gradient_masking():
    lin, x, y = checklist_setup()
    masked = GradientMasked(lin).eval()
    rep = ev.sanity_checklist(masked, x, y, eps=0.3, domain=None, generator=0, source_model=lin,
                              pgd_fn=grad_pgd, fgsm_fn=exact_fgsm, unbounded_fn=exact_unbounded)
    t = rep["transfer"]
    assert not t.passed and not rep.passed
    assert t.measured["accuracy_white_box"].value == ev.accuracy(masked, x, y).value  # PGD is stuck
    b, c = t.measured["discordant"]
    assert b > 0 and c == 0


def test_sanity_checklist_rejects_bad_arguments():
    model, x, y = checklist_setup()
    kw = dict(domain=None, pgd_fn=exact_pgd, fgsm_fn=exact_fgsm, unbounded_fn=exact_unbounded)
    with pytest.raises(ValueError, match="eps"):
        ev.sanity_checklist(model, x, y, eps=0.0, **kw)
    with pytest.raises(ValueError, match="steps"):
        ev.sanity_checklist(model, x, y, eps=0.3, steps=(10, 10), **kw)
    with pytest.raises(ValueError, match="norm"):
        ev.sanity_checklist(model, x, y, eps=0.3, norm="l7", **kw)


@pytest.mark.skipif(importlib.util.find_spec("empirical.attacks") is None,
                    reason="empirical.attacks (written by another helper) is not there yet")
def test_sanity_checklist_passes_on_a_trained_linear_model_with_the_engines_attacks():
    theta = np.array([1.0, 0.6, -0.4, 0.3])
    x, y = gaussian_data(theta, 300, seed=12)
    model = nn.Linear(4, 1)
    with torch.no_grad():
        model.weight.zero_()
        model.bias.zero_()
    opt = torch.optim.SGD(model.parameters(), lr=0.5)
    for _ in range(100):
        opt.zero_grad()
        F.softplus(-y * model(x).reshape(-1)).mean().backward()
        opt.step()
    model.eval()
    source = linear_binary([1.0, 0.2, 0.2, 0.5])
    rep = ev.sanity_checklist(model, x, y, eps=0.3, domain=None, generator=0, source_model=source)
    assert rep.passed, str(rep)
    assert rep["unbounded"].measured["survivors"] == 0
