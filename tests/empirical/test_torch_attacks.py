"""Tests of empirical.attacks: the conventions every attack keeps, and each attack against an independent reference.

References: the ball and box recomputed with torch's norms; the modes, grads and RNG state read
before and after; closed forms for linear models (y(w.x + b) - eps ||w||_q by numpy, x - y eps
sign(w) for FGSM, brute force over the vertices of a box-clipped l-inf ball); the per-example
lexicographic invariants of the restart / best-iterate rules recomputed from the model's outputs;
numpy KL divergences; Monte Carlo moments of the uniform random start with 5-sigma intervals.
All models are tiny and defined here (a 6-feature MLP, linear models, a 1x6x6 conv net).
"""

from __future__ import annotations

import copy
import functools
import itertools
import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from empirical import attacks as A
from empirical._core import correct, eval_mode, loss_per_example, margin
from theory.threat import ThreatModel

SETTINGS = settings(max_examples=10, deadline=None, derandomize=True)


# ---------------------------------------------------------------------------------------------
# tiny models and data (weights drawn from seeded generators)
# ---------------------------------------------------------------------------------------------


def _init(model, seed, scale=1.0):
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(scale * torch.randn(p.shape, generator=g) / math.sqrt(max(p.shape[-1], 1)))
    return model


class Recorder(nn.Module):
    """Identity that remembers the mode it ran in."""

    def __init__(self):
        super().__init__()
        self.seen = []

    def forward(self, x):
        self.seen.append(self.training)
        return x


def mlp(out=4, seed=0):
    return _init(nn.Sequential(nn.Linear(6, 8), nn.ReLU(), nn.Linear(8, out)), seed, 2.0)


def linear(out=1, seed=0, flat=False):
    lin = _init(nn.Linear(6, out), seed, 3.0)
    return nn.Sequential(lin, nn.Flatten(0)) if flat else lin


def conv(seed=0):
    return _init(nn.Sequential(nn.Conv2d(1, 2, 3), nn.ReLU(), nn.Flatten(), nn.Linear(2 * 4 * 4, 3)), seed, 2.0)


def train_mode_net(mixed=False, out=4, seed=0):
    rec = Recorder()
    net = nn.Sequential(nn.Linear(6, 8), nn.BatchNorm1d(8), rec, nn.ReLU(), nn.Dropout(0.5), nn.Linear(8, out))
    _init(net, seed, 2.0)
    with torch.no_grad():
        net[1].running_mean.uniform_(-0.1, 0.1, generator=torch.Generator().manual_seed(seed))
    net.train()
    if mixed:
        net[1].eval()  # BatchNorm frozen, Dropout training: a common fine-tuning setup
    return net, rec


MODELS = {
    "multi": lambda: mlp(4),
    "binary": lambda: mlp(1),
    "binary_flat": lambda: linear(1, flat=True),
    "linear_multi": lambda: linear(3),
    "conv": conv,
}


def n_out(model, x):
    with torch.no_grad(), eval_mode(model):  # the model's own modes are part of what the tests check
        return model(x[:1]).reshape(1, -1).shape[1]


def data(model, kind, n=24, seed=0, domain=(0.0, 1.0), dtype=torch.float32):
    """Inputs in the domain (Gaussian for domain None) and labels: the model's own predictions mostly."""
    g = torch.Generator().manual_seed(seed)
    shape = (n, 1, 6, 6) if kind == "conv" else (n, 6)
    x = torch.rand(shape, generator=g, dtype=dtype) if domain is not None else torch.randn(shape, generator=g,
                                                                                             dtype=dtype)
    with torch.no_grad():
        z = model.eval()(x)
    flip = torch.rand(n, generator=g) < 0.2
    if z.ndim == 1 or z.shape[1] == 1:
        y = torch.where(z.reshape(-1) > 0, 1.0, -1.0).to(dtype)
        y = torch.where(flip, -y, y)
    else:
        y = z.argmax(1)
        y = torch.where(flip, (y + 1) % z.shape[1], y)
    return x, y


def other_label(model, x, y):
    c = n_out(model, x)
    return -y if c == 1 else (y + 1) % c


# every attack as (norm, eps, seed, domain) -> callable (model, x, y)
ATTACKS = {
    "pgd": lambda n, e, s, d: A.bind(A.pgd, eps=e, norm=n, steps=5, generator=s, domain=d),
    "pgd_restarts": lambda n, e, s, d: A.bind(A.pgd, eps=e, norm=n, steps=3, restarts=2, generator=s, domain=d),
    "pgd_targeted": lambda n, e, s, d: (lambda m, x, y: A.pgd(m, x, y, eps=e, norm=n, steps=4, generator=s, domain=d,
                                                              targeted=True, target=other_label(m, x, y))),
    "fgsm": lambda n, e, s, d: A.bind(A.fgsm, eps=e, norm=n, domain=d),
    "fgsm_rs": lambda n, e, s, d: A.bind(A.fgsm, eps=e, norm=n, random_start=True, generator=s, domain=d),
    "trades": lambda n, e, s, d: (lambda m, x, y: A.trades_kl(m, x, eps=e, norm=n, steps=4, generator=s, domain=d)),
    "apgd_ce": lambda n, e, s, d: A.bind(A.apgd, eps=e, norm=n, steps=8, generator=s, domain=d),
    "apgd_margin_t": lambda n, e, s, d: A.bind(A.apgd, eps=e, norm=n, steps=6, loss="margin", targeted=True,
                                               n_target_classes=2, generator=s, domain=d),
    "random_sign": lambda n, e, s, d: A.bind(A.random_sign, eps=e, norm=n, samples=7, generator=s, domain=d),
    "auto_attack": lambda n, e, s, d: A.auto_attack(e, norm=n, steps=5, n_target_classes=2, generator=s, domain=d),
}
RANDOM_ATTACKS = ["pgd", "pgd_restarts", "pgd_targeted", "fgsm_rs", "trades", "apgd_ce", "apgd_margin_t",
                  "random_sign", "auto_attack"]
# the attacks whose conventions (modes, grads, RNG) are checked: all of the above plus the unbounded one
ALL = [*ATTACKS, "unbounded"]


def make_attack(name, norm="linf", eps=0.1, seed=0, domain=(0.0, 1.0)):
    if name == "unbounded":
        return A.bind(A.unbounded, steps=20, generator=seed)
    return ATTACKS[name](norm, eps, seed, domain)


def in_ball(x_adv, x, norm, eps):
    d = (x_adv - x).flatten(1).double()
    n = d.abs().amax(1) if norm == "linf" else torch.linalg.vector_norm(d, dim=1)
    return bool((n <= eps + 5e-6 * (1 + eps)).all())


def lex_geq(s_a, l_a, s_b, l_b, tol=1e-6):
    """Per example: is (success, loss) of a >= that of b lexicographically (with a loss tolerance)."""
    return (s_a & ~s_b) | ((s_a == s_b) & (l_a >= l_b - tol * (1 + l_b.abs())))


def outcome(model, x, y):
    with torch.no_grad():
        z = model.eval()(x)
    return ~correct(z, y), loss_per_example(z, y)


norms = st.sampled_from(["linf", "l2"])
epss = st.floats(0.01, 0.5)
seeds = st.integers(0, 2**16)


# ---------------------------------------------------------------------------------------------
# conventions, each attack
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(ATTACKS))
@SETTINGS
@given(kind=st.sampled_from(list(MODELS)), norm=norms, eps=epss, seed=seeds,
       domain=st.sampled_from([(0.0, 1.0), None]), dtype=st.sampled_from([torch.float32, torch.float64]))
def test_result_is_a_detached_point_of_the_ball_and_the_domain(name, kind, norm, eps, seed, domain, dtype):
    model = MODELS[kind]().to(dtype)
    x, y = data(model, kind, seed=seed, domain=domain, dtype=dtype)
    x_adv = make_attack(name, norm, eps, seed, domain)(model, x, y)
    assert x_adv.shape == x.shape and x_adv.dtype == x.dtype and x_adv.device == x.device
    assert not x_adv.requires_grad and x_adv.grad_fn is None
    assert in_ball(x_adv, x, norm, eps)
    if domain is not None:
        assert bool(((x_adv >= domain[0]) & (x_adv <= domain[1])).all())
    assert bool(torch.isfinite(x_adv).all())


def test_threat_model_in_place_of_norm_and_eps():
    model = mlp(4)
    x, y = data(model, "multi")
    t = ThreatModel.l2(0.2)
    a = A.pgd(model, x, y, norm=t, steps=3, generator=1)
    b = A.pgd(model, x, y, eps=0.2, norm="l2", steps=3, generator=1)
    assert torch.equal(a, b)
    assert in_ball(A.apgd(model, x, y, norm=t, steps=5, generator=0), x, "l2", 0.2)
    with pytest.raises(ValueError, match="contradicts"):
        A.pgd(model, x, y, eps=0.3, norm=t)


@pytest.mark.parametrize("name", ALL)
@pytest.mark.parametrize("mixed", [False, True])
def test_model_runs_in_eval_mode_and_every_mode_is_restored(name, mixed):
    model, rec = train_mode_net(mixed=mixed)
    x, _ = data(model, "multi", seed=3)
    y = torch.arange(x.shape[0]) % 4
    model.train()
    if mixed:
        model[1].eval()
    modes = [m.training for m in model.modules()]
    stats = [b.clone() for b in model.buffers()]
    rec.seen.clear()
    make_attack(name, "linf", 0.1, 0)(model, x, y)
    assert [m.training for m in model.modules()] == modes
    assert rec.seen and not any(rec.seen)  # every forward pass in eval mode
    assert all(torch.equal(a, b) for a, b in zip(stats, model.buffers()))  # BatchNorm statistics untouched


@pytest.mark.parametrize("name", ALL)
def test_parameter_grads_are_left_exactly_as_they_were(name):
    model = mlp(4)
    x, y = data(model, "multi", seed=4)
    w0, b0, w1, b1 = model[0].weight, model[0].bias, model[2].weight, model[2].bias
    w0.grad = torch.full_like(w0, 0.25)
    w1.grad = torch.arange(w1.numel(), dtype=w1.dtype).reshape(w1.shape)
    b0.grad, b1.grad = None, None
    before = [None if p.grad is None else p.grad.clone() for p in model.parameters()]
    make_attack(name, "l2", 0.3, 1)(model, x, y)
    for p, g in zip(model.parameters(), before):
        assert (p.grad is None) == (g is None)
        if g is not None:
            assert torch.equal(p.grad, g)
    # and when every grad is None
    model2 = mlp(4)
    make_attack(name, "linf", 0.1, 1)(model2, x, y)
    assert all(p.grad is None for p in model2.parameters())


@pytest.mark.parametrize("name", ALL)
@pytest.mark.parametrize("seed", [5, None])
def test_global_rng_is_not_touched(name, seed):
    model, _ = train_mode_net()  # Dropout in train mode would draw from the global RNG
    x, _ = data(model, "multi", seed=5)
    y = torch.arange(x.shape[0]) % 4
    model.train()
    state = torch.random.get_rng_state()
    make_attack(name, "linf", 0.1, seed)(model, x, y)
    assert torch.equal(torch.random.get_rng_state(), state)


@pytest.mark.parametrize("name", ALL)
def test_same_seed_gives_the_same_result(name):
    model = mlp(4)
    x, y = data(model, "multi", seed=6)
    a = make_attack(name, "linf", 0.2, 11)(model, x, y)
    b = make_attack(name, "linf", 0.2, 11)(model, x, y)
    assert torch.equal(a, b)
    if name in ("pgd", "apgd_ce", "random_sign", "trades", "fgsm_rs"):  # a torch.Generator works too
        c = make_attack(name, "linf", 0.2, torch.Generator().manual_seed(11))(model, x, y)
        assert torch.equal(a, c)
    if name in RANDOM_ATTACKS and name not in ("apgd_ce", "apgd_margin_t", "auto_attack"):
        d = make_attack(name, "linf", 0.2, 12)(model, x, y)
        assert not torch.equal(a, d)  # the generator is really used


def test_apgd_seed_matters():
    model = mlp(4)
    x, y = data(model, "multi", seed=6)
    a = A.apgd(model, x, y, eps=0.2, steps=2, generator=1)
    b = A.apgd(model, x, y, eps=0.2, steps=2, generator=2)
    assert not torch.equal(a, b)


def test_works_under_no_grad_and_with_frozen_parameters():
    model = mlp(4)
    x, y = data(model, "multi", seed=2)
    ref = A.pgd(model, x, y, eps=0.1, generator=0)
    with torch.no_grad():
        a = A.pgd(model, x, y, eps=0.1, generator=0)
    for p in model.parameters():
        p.requires_grad_(False)
    b = A.pgd(model, x, y, eps=0.1, generator=0)
    assert torch.equal(a, ref) and torch.equal(b, ref)
    assert all(not p.requires_grad for p in model.parameters())


# ---------------------------------------------------------------------------------------------
# PGD and FGSM
# ---------------------------------------------------------------------------------------------


@SETTINGS
@given(kind=st.sampled_from(list(MODELS)), norm=norms, eps=epss, seed=seeds)
def test_pgd_without_random_start_is_never_better_for_the_model_than_x(kind, norm, eps, seed):
    # the best-iterate rule includes x_0 = x: per example (misclassified, loss) at the result >= at x
    model = MODELS[kind]()
    x, y = data(model, kind, seed=seed)
    x_adv = A.pgd(model, x, y, eps=eps, norm=norm, steps=4, random_start=False)
    assert bool(lex_geq(*outcome(model, x_adv, y), *outcome(model, x, y)).all())


@SETTINGS
@given(out=st.sampled_from([1, 2, 3]), norm=norms, eps=epss, seed=seeds,
       name=st.sampled_from(["fgsm", "fgsm_rs", "pgd", "apgd_ce", "auto_attack"]))
def test_loss_at_the_result_is_at_least_the_clean_loss_on_linear_models(out, norm, eps, seed, name):
    # the logistic / cross-entropy loss of a linear model is convex in x: every signed or normalized
    # ascent step from x cannot lower it; the random-start attacks take enough steps to recover
    model = linear(out, seed=seed % 7)
    x, y = data(model, "linear", seed=seed)
    x_adv = make_attack(name, norm, eps, seed)(model, x, y)
    s_a, l_a = outcome(model, x_adv, y)
    s_x, l_x = outcome(model, x, y)
    assert bool(((l_a >= l_x - 1e-5 * (1 + l_x)) | s_a).all())
    assert bool((s_a | ~s_x).all())  # never un-breaks a misclassified example


@pytest.mark.parametrize("norm", ["linf", "l2"])
def test_fgsm_is_the_exact_worst_case_of_a_linear_binary_model(norm):
    model = linear(1, seed=3)
    w = model.weight.detach()[0]
    x, y = data(model, "linear", seed=1, domain=None)
    eps = 0.3
    step = w.sign() if norm == "linf" else w / torch.linalg.vector_norm(w)
    expected = x - eps * y[:, None] * step[None, :]
    assert torch.allclose(A.fgsm(model, x, y, eps=eps, norm=norm, domain=None), expected, atol=1e-6)
    # FGSM-RS with alpha >= 2 eps reaches the same vertex from any start in the l-inf ball
    if norm == "linf":
        rs = A.fgsm(model, x, y, eps=eps, random_start=True, alpha=2 * eps, generator=3, domain=None)
        assert torch.allclose(rs, expected, atol=1e-6)
        # the default alpha = 1.25 eps (wong2020): every coordinate ends in [0.25 eps, eps] along the attack sign
        rs = A.fgsm(model, x, y, eps=eps, random_start=True, generator=3, domain=None)
        along = (rs - x) * (-y[:, None] * w.sign()[None, :])
        assert bool((along >= 0.25 * eps - 1e-6).all()) and bool((along <= eps + 1e-6).all())
        assert bool((along < eps - 1e-3).any())  # a random start, not the vertex


@pytest.mark.parametrize("norm", ["linf", "l2"])
def test_random_start_is_uniform_in_the_ball(norm):
    # with alpha = 0 and no best-iterate tracking PGD returns its start point
    d, n, eps = 3, 4000, 0.5
    x = torch.zeros(n, d)
    model = _init(nn.Linear(d, 1), 0)
    y = torch.ones(n)
    x0 = A.pgd(model, x, y, eps=eps, norm=norm, alpha=0.0, steps=1, keep_best=False, generator=9, domain=None)
    five_sigma = 5 / math.sqrt(n)
    if norm == "linf":
        u = (x0 / eps).numpy().ravel()  # uniform on [-1, 1]: mean 0, variance 1/3
        assert abs(u.mean()) < five_sigma * math.sqrt(1 / 3)
        assert abs((u**2).mean() - 1 / 3) < five_sigma * math.sqrt(4 / 45)
        assert np.abs(u).max() <= 1 + 1e-6
    else:
        r = torch.linalg.vector_norm(x0, dim=1).numpy() / eps  # P(r <= s) = s^d: r^d uniform on [0, 1]
        v = r**d
        assert abs(v.mean() - 0.5) < five_sigma * math.sqrt(1 / 12)
        assert r.max() <= 1 + 1e-6
        unit = (x0 / torch.linalg.vector_norm(x0, dim=1, keepdim=True)).numpy()
        assert np.all(np.abs(unit.mean(0)) < five_sigma * math.sqrt(1 / d))


@SETTINGS
@given(kind=st.sampled_from(["multi", "binary", "conv"]), norm=norms, eps=epss, seed=seeds)
def test_restarts_keep_the_worst_case_per_example(kind, norm, eps, seed):
    # the first restart is the single run (same seed); later ones can only improve, per example
    model = MODELS[kind]()
    x, y = data(model, kind, seed=seed)
    one = A.pgd(model, x, y, eps=eps, norm=norm, steps=3, generator=seed)
    four = A.pgd(model, x, y, eps=eps, norm=norm, steps=3, restarts=4, generator=seed)
    assert bool(lex_geq(*outcome(model, four, y), *outcome(model, one, y)).all())


def test_targeted_pgd_reaches_the_target_on_an_easy_model():
    model = linear(3, seed=2)
    x, y = data(model, "linear", n=40, seed=2, domain=None)
    target = (y + 1) % 3
    x_adv = A.pgd(model, x, y, eps=3.0, steps=30, targeted=True, target=target, generator=0, domain=None)
    with torch.no_grad():
        assert torch.equal(model(x_adv).argmax(1), target)
    # the untargeted attack at the same budget reaches some wrong class, not necessarily the target
    x_un = A.pgd(model, x, y, eps=3.0, steps=30, generator=0, domain=None)
    with torch.no_grad():
        assert bool((model(x_un).argmax(1) != y).all())


def test_custom_loss_is_used():
    # maximizing minus the logit of class 0 pushes z_0 down: compare with the default loss's result
    model = mlp(4)
    x, y = data(model, "multi", seed=8)

    def neg_z0(logits, labels):
        return -logits[:, 0]

    x_adv = A.pgd(model, x, y, eps=0.2, steps=10, loss=neg_z0, random_start=False)
    with torch.no_grad():
        assert bool((model(x_adv)[:, 0] <= model(x)[:, 0] + 1e-6).all())
    with pytest.raises(ValueError, match="one value per example"):
        A.pgd(model, x, y, eps=0.2, loss=lambda z, t: z.sum())


# ---------------------------------------------------------------------------------------------
# the exact linear worst case
# ---------------------------------------------------------------------------------------------


def _dual(p):
    return 1.0 if np.isinf(p) else (np.inf if p == 1 else p / (p - 1))


def closed_form_margin(W, b, x, y, p, eps):
    """min over the lp ball of the margin, by Hoelder in numpy: y(w.x+b) - eps||w||_q, or min over targets."""
    W, b, x = W.astype(np.float64), b.astype(np.float64), x.astype(np.float64)
    q = _dual(p)
    if W.shape[0] == 1:
        return y * (x @ W[0] + b[0]) - eps * np.linalg.norm(W[0], q)
    out = np.full(x.shape[0], np.inf)
    for i, (xi, yi) in enumerate(zip(x, y)):
        for t in range(W.shape[0]):
            if t != yi:
                dw = W[yi] - W[t]
                out[i] = min(out[i], xi @ dw + b[yi] - b[t] - eps * np.linalg.norm(dw, q))
    return out


@SETTINGS
@given(out=st.sampled_from([1, 2, 3, 5]), p=st.sampled_from([1.0, 2.0, 3.0, np.inf]), eps=st.floats(0.0, 2.0),
       seed=seeds)
def test_linear_worst_case_attains_the_hoelder_margin(out, p, eps, seed):
    model = linear(out, seed=seed % 11)
    x, y = data(model, "linear", seed=seed, domain=None)
    norm = {1.0: "l1", 2.0: "l2", 3.0: 3.0, np.inf: "linf"}[p]
    x_adv = A.linear_worst_case(model, x, y, eps=eps, norm=norm)
    W, b = model.weight.detach().numpy(), model.bias.detach().numpy()
    expected = closed_form_margin(W, b, x.numpy(), y.numpy().astype(np.int64) if out > 1 else y.numpy(), p, eps)
    with torch.no_grad():
        got = margin(model(x_adv), y).double().numpy()
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-4)
    d = (x_adv - x).double().numpy()
    lp = np.abs(d).max(1) if np.isinf(p) else np.linalg.norm(d, ord=p, axis=1)
    assert np.all(lp <= eps * (1 + 1e-5) + 1e-6)
    # the weights path agrees, and a flattening wrapper is accepted
    same = A.linear_worst_case(None, x, y, eps=eps, norm=norm, weights=(model.weight, model.bias))
    assert torch.allclose(same, x_adv, atol=1e-6)


def test_linear_worst_case_with_a_box_is_the_best_vertex_for_linf():
    # ball intersected with [0, 1]^4: the minimum of a linear margin is at a vertex of the clipped box
    lin = nn.Linear(4, 1)
    _init(lin, 4, 3.0)
    g = torch.Generator().manual_seed(0)
    x = torch.rand(12, 4, generator=g)
    y = torch.where(torch.rand(12, generator=g) < 0.5, 1.0, -1.0)
    eps = 0.3
    x_adv = A.linear_worst_case(lin, x, y, eps=eps, domain=(0.0, 1.0))
    lo, hi = (x - eps).clamp(min=0), (x + eps).clamp(max=1)
    best = torch.full((12,), math.inf)
    for corner in itertools.product([0, 1], repeat=4):
        c = torch.tensor(corner, dtype=torch.bool)
        v = torch.where(c, hi, lo)
        with torch.no_grad():
            best = torch.minimum(best, margin(lin(v), y))
    with torch.no_grad():
        assert torch.allclose(margin(lin(x_adv), y), best, atol=1e-5)
    assert bool(((x_adv >= 0) & (x_adv <= 1)).all())


@SETTINGS
@given(out=st.sampled_from([1, 2]), norm=norms, eps=epss, seed=seeds)
def test_linear_worst_case_is_the_optimum_pgd_reaches(out, norm, eps, seed):
    model = linear(out, seed=seed % 5)
    x, y = data(model, "linear", seed=seed, domain=None)
    exact = A.linear_worst_case(model, x, y, eps=eps, norm=norm)
    # The last iterate (keep_best picks a misclassified iterate before a higher loss), and a step
    # of eps / 4: on the l2 sphere each step shrinks the angle to the optimum by about 1 - alpha / eps,
    # so the default alpha = 2.5 eps / steps stops within a few percent of it whatever the steps.
    x_pgd = A.pgd(model, x, y, eps=eps, norm=norm, steps=30, alpha=eps / 4, generator=seed, domain=None,
                  keep_best=False)
    l_exact = outcome(model, exact, y)[1]
    l_pgd = outcome(model, x_pgd, y)[1]
    assert bool((l_pgd <= l_exact + 1e-4 * (1 + l_exact)).all())  # nothing in the ball beats it
    assert bool((l_pgd >= l_exact - 1e-3 * (1 + l_exact)).all())  # and PGD gets there


def test_linear_worst_case_beats_pgd_on_the_margin_for_many_classes():
    model = linear(5, seed=1)
    x, y = data(model, "linear", seed=1, domain=None)

    def neg_margin(logits, labels):
        return -margin(logits, labels)

    for norm in ("linf", "l2"):
        exact = A.linear_worst_case(model, x, y, eps=0.4, norm=norm)
        x_pgd = A.pgd(model, x, y, eps=0.4, norm=norm, steps=40, loss=neg_margin, generator=0, domain=None)
        with torch.no_grad():
            m_exact, m_pgd = margin(model(exact), y), margin(model(x_pgd), y)
        assert bool((m_pgd >= m_exact - 1e-4).all())


def test_linear_worst_case_refuses_nonlinear_models():
    x = torch.randn(16, 6, generator=torch.Generator().manual_seed(0))
    y = torch.zeros(16, dtype=torch.int64)
    with pytest.raises(ValueError, match="exactly one nn.Linear"):
        A.linear_worst_case(mlp(4), x, y, eps=0.1)
    relu = nn.Sequential(_init(nn.Linear(6, 3), 0), nn.ReLU())  # one Linear, but not linear
    with pytest.raises(ValueError, match="not the linear map"):
        A.linear_worst_case(relu, x, y, eps=0.1)
    with pytest.raises(ValueError, match="outside its nn.Linear"):
        A.linear_worst_case(nn.Sequential(nn.Linear(6, 3), nn.BatchNorm1d(3)), x, y, eps=0.1)
    with pytest.raises(ValueError, match="p >= 1"):
        A.linear_worst_case(linear(3), x, y, eps=1, norm=0)


def test_linear_worst_case_conventions():
    model = linear(3)
    x, y = data(model, "linear", seed=2)
    model.train()
    model.weight.grad = torch.ones_like(model.weight)
    state = torch.random.get_rng_state()
    x_adv = A.linear_worst_case(model, x, y, eps=0.2, domain=(0.0, 1.0))
    assert torch.equal(torch.random.get_rng_state(), state)
    assert model.training and torch.equal(model.weight.grad, torch.ones_like(model.weight))
    assert model.bias.grad is None
    assert in_ball(x_adv, x, "linf", 0.2) and bool(((x_adv >= 0) & (x_adv <= 1)).all())
    assert x_adv.dtype == x.dtype and not x_adv.requires_grad


# ---------------------------------------------------------------------------------------------
# APGD, ensembles, brute force, unbounded
# ---------------------------------------------------------------------------------------------


@functools.cache
def trained(out):
    """A 6-16-out MLP trained 60 full-batch Adam steps on a separable problem (a linear teacher), seeded."""
    g = torch.Generator().manual_seed(out)
    x = torch.rand(200, 6, generator=g)
    teacher = torch.randn(6, max(out, 2), generator=g)
    s = (x - 0.5) @ teacher
    y = s.argmax(1) if out > 1 else torch.where(s[:, 0] > s[:, 1], 1.0, -1.0)
    model = _init(nn.Sequential(nn.Linear(6, 16), nn.ReLU(), nn.Linear(16, out)), out)
    opt = torch.optim.Adam(model.parameters(), lr=0.05)
    for _ in range(60):
        opt.zero_grad()
        loss_per_example(model(x), y).mean().backward()
        opt.step()
    for p in model.parameters():
        p.grad = None
    return model.eval(), x, y


def accuracy(model, x, y):
    with torch.no_grad():
        return float(correct(model(x), y).float().mean())


@pytest.mark.parametrize("out,loss", [(4, "ce"), (4, "dlr"), (1, "ce"), (1, "margin")])
@pytest.mark.parametrize("norm,eps", [("linf", 0.05), ("l2", 0.12)])
def test_apgd_is_at_least_as_strong_as_pgd(out, loss, norm, eps):
    model, x, y = trained(out)
    clean = accuracy(model, x, y)
    assert clean > 0.85  # the model learned the problem
    acc_pgd = accuracy(model, A.pgd(model, x, y, eps=eps, norm=norm, steps=10, generator=0), y)
    acc_apgd = accuracy(model, A.apgd(model, x, y, eps=eps, norm=norm, steps=50, loss=loss, generator=0), y)
    assert acc_pgd < clean  # the budget matters
    if loss == "dlr":
        # untargeted DLR alone is not always stronger than cross-entropy PGD on a small net (measured:
        # 0.58 against 0.55 at l2 eps 0.12); it is a member of the ensemble, which must be
        assert acc_apgd < clean
        acc_apgd = accuracy(model, A.auto_attack(eps, norm=norm, steps=50, generator=0)(model, x, y), y)
    assert acc_apgd <= acc_pgd + 0.02


def test_apgd_checkpoints_follow_croce2020():
    # p_j: 0.22, 0.41, 0.57, 0.70, 0.80, 0.87, 0.93, 0.99 (section 3.2), w_j = ceil(p_j N)
    assert sorted(A._apgd_checkpoints(100)) == [22, 41, 57, 70, 80, 87, 93, 99]
    assert sorted(A._apgd_checkpoints(10)) == [3, 5, 6, 7, 8, 9, 10]


def test_dlr_loss_values_and_refusals():
    z = torch.tensor([[3.0, 1.0, 0.5, -1.0], [0.0, 2.0, 1.0, 0.5]])
    y = torch.tensor([0, 0])
    # untargeted: -(z_y - max_{i != y} z_i) / (z_pi1 - z_pi3)
    expected = torch.tensor([-(3.0 - 1.0) / (3.0 - 0.5), -(0.0 - 2.0) / (2.0 - 0.5)])
    assert torch.allclose(A.dlr_loss(z, y), expected, atol=1e-6)
    # targeted at t: -(z_y - z_t) / (z_pi1 - (z_pi3 + z_pi4) / 2)
    t = torch.tensor([2, 3])
    expected_t = torch.tensor([-(3.0 - 0.5) / (3.0 - (0.5 - 1.0) / 2), -(0.0 - 0.5) / (2.0 - (0.5 + 0.0) / 2)])
    assert torch.allclose(A.dlr_loss(z, y, t), expected_t, atol=1e-6)
    assert torch.allclose(A.dlr_loss(5 * z + 2, y), A.dlr_loss(z, y), atol=1e-5)  # shift and scale invariant

    x = torch.rand(8, 6, generator=torch.Generator().manual_seed(0))
    yb = torch.ones(8)
    with pytest.raises(ValueError, match="binary"):
        A.apgd(mlp(1), x, yb, eps=0.1, loss="dlr")
    with pytest.raises(ValueError, match=">= 3 classes"):
        A.apgd(mlp(2), x, torch.zeros(8, dtype=torch.int64), eps=0.1, loss="dlr")
    with pytest.raises(ValueError, match=">= 4 classes"):
        A.apgd(mlp(3), x, torch.zeros(8, dtype=torch.int64), eps=0.1, loss="dlr", targeted=True)
    A.apgd(mlp(3), x, torch.zeros(8, dtype=torch.int64), eps=0.1, loss="dlr", steps=2)  # 3 classes: fine
    with pytest.raises(ValueError, match="loss must be one of"):
        A.apgd(mlp(3), x, torch.zeros(8, dtype=torch.int64), eps=0.1, loss="hinge")


class Counting:
    """Wraps an attack, recording how many examples it was given."""

    def __init__(self, attack):
        self.attack, self.sizes = attack, []

    def __call__(self, model, x, y):
        self.sizes.append(x.shape[0])
        return self.attack(model, x, y)


@pytest.mark.parametrize("out", [4, 1])
def test_ensemble_breaks_an_example_iff_some_member_does(out):
    model, x, y = trained(out)
    model, x = copy.deepcopy(model).double(), x.double()
    y = y.double() if out == 1 else y
    members = [A.bind(A.fgsm, eps=0.04), A.bind(A.pgd, eps=0.05, steps=5, random_start=False),
               A.bind(A.fgsm, eps=0.1, norm="l2")]
    counted = [Counting(m) for m in members]
    ens = A.ensemble(*counted)
    x_adv = ens(model, x, y)
    with torch.no_grad():
        clean_ok = correct(model(x), y)
        member_ok = [correct(model(m(model, x, y)), y) for m in members]
        ens_ok = correct(model(x_adv), y)
    assert torch.equal(ens_ok, clean_ok & member_ok[0] & member_ok[1] & member_ok[2])
    for ok in member_ok:
        assert bool((ens_ok <= ok).all())
    # later members run only on the still-robust examples
    assert counted[0].sizes == [int(clean_ok.sum())]
    assert counted[1].sizes == [int((clean_ok & member_ok[0]).sum())]
    assert counted[2].sizes == [int((clean_ok & member_ok[0] & member_ok[1]).sum())]
    # every row came from some member (or is x): it lies in the l-inf 0.05 ball or the l2 0.1 ball
    d = x_adv - x
    in_linf = d.abs().amax(1) <= 0.05 + 1e-9
    in_l2 = torch.linalg.vector_norm(d, dim=1) <= 0.1 + 1e-9
    assert bool((in_linf | in_l2).all())


@pytest.mark.parametrize("out", [4, 1])
def test_auto_attack_is_at_least_as_strong_as_each_member(out):
    model, x, y = trained(out)
    eps = 0.05
    aa = A.auto_attack(eps, steps=20, n_target_classes=3, generator=0)
    x_aa = aa(model, x, y)
    assert in_ball(x_aa, x, "linf", eps)
    ok_aa = accuracy(model, x_aa, y)
    ok_ce = accuracy(model, A.apgd(model, x, y, eps=eps, steps=20, generator=0), y)
    assert ok_aa <= ok_ce
    assert ok_aa <= accuracy(model, A.pgd(model, x, y, eps=eps, steps=10, generator=0), y) + 0.02
    assert "apgd(" in repr(aa) and "apgd_t(" in repr(aa)


@SETTINGS
@given(kind=st.sampled_from(list(MODELS)), norm=norms, eps=epss, seed=seeds)
def test_random_sign_never_helps_the_model(kind, norm, eps, seed):
    model = MODELS[kind]()
    x, y = data(model, kind, seed=seed)
    x_adv = A.random_sign(model, x, y, eps=eps, norm=norm, samples=20, generator=seed)
    with torch.no_grad():
        ok_clean, ok_adv = correct(model(x), y), correct(model(x_adv), y)
    assert bool((ok_adv <= ok_clean).all())
    if norm == "linf":  # the vertices of the cube, clipped into [0, 1]
        d = (x_adv - x).abs()
        at_vertex = (d - eps).abs() <= 1e-6
        clipped = (x_adv <= 1e-7) | (x_adv >= 1 - 1e-7)
        unchanged = (x_adv == x).flatten(1).all(1)
        assert bool(((at_vertex | clipped).flatten(1).all(1) | unchanged).all())


def test_random_sign_finds_the_exact_vertex_of_a_small_linear_model():
    # 4 features: 16 vertices; 300 draws miss the worst one with probability (15/16)^300 < 1e-8
    lin = _init(nn.Linear(4, 1), 2, 3.0)
    g = torch.Generator().manual_seed(1)
    x = torch.randn(20, 4, generator=g)
    y = torch.where(torch.rand(20, generator=g) < 0.5, 1.0, -1.0)
    x_rs = A.random_sign(lin, x, y, eps=0.5, samples=300, generator=0, domain=None)
    exact = A.linear_worst_case(lin, x, y, eps=0.5)
    assert torch.allclose(x_rs, exact, atol=1e-6)


@pytest.mark.parametrize("kind", ["linear_multi", "binary_flat", "conv", "trained4", "trained1"])
def test_unbounded_reaches_zero_accuracy(kind):
    if kind.startswith("trained"):
        model, x, y = trained(int(kind[-1]))
    else:
        model = MODELS[kind]()
        x, y = data(model, kind, n=40, seed=3)
    x_adv = A.unbounded(model, x, y, steps=100, generator=0)
    assert accuracy(model, x_adv, y) == 0.0
    assert x_adv.shape == x.shape and not x_adv.requires_grad


# ---------------------------------------------------------------------------------------------
# TRADES
# ---------------------------------------------------------------------------------------------


def test_kl_divergence_against_numpy():
    g = torch.Generator().manual_seed(0)
    zc, za = torch.randn(5, 4, generator=g, dtype=torch.float64), torch.randn(5, 4, generator=g, dtype=torch.float64)
    p = np.exp(zc.numpy()) / np.exp(zc.numpy()).sum(1, keepdims=True)
    q = np.exp(za.numpy()) / np.exp(za.numpy()).sum(1, keepdims=True)
    np.testing.assert_allclose(A.kl_divergence(zc, za).numpy(), (p * np.log(p / q)).sum(1), rtol=1e-10)
    # binary: the Bernoulli(sigmoid z) KL is the two-class softmax KL with logits (0, z)
    bc, ba = torch.randn(7, generator=g, dtype=torch.float64), torch.randn(7, generator=g, dtype=torch.float64)
    two = A.kl_divergence(torch.stack([torch.zeros(7, dtype=torch.float64), bc], 1),
                          torch.stack([torch.zeros(7, dtype=torch.float64), ba], 1))
    assert torch.allclose(A.kl_divergence(bc, ba), two, atol=1e-12)
    assert torch.allclose(A.kl_divergence(bc[:, None], ba[:, None]), two, atol=1e-12)
    assert torch.allclose(A.kl_divergence(zc, zc), torch.zeros(5, dtype=torch.float64), atol=1e-12)
    with pytest.raises(ValueError, match="same shape"):
        A.kl_divergence(zc, za[:, :3])


@SETTINGS
@given(eps=st.floats(0.02, 0.5), seed=seeds)
def test_trades_reaches_the_end_of_the_logit_range_of_a_linear_binary_model(eps, seed):
    # KL(p || q) grows with |z' - z| on either side, so signed ascent from x + 0.001 N runs to a vertex:
    # |z' - z| = eps ||w||_1 (no domain)
    model = linear(1, seed=seed % 5)
    x, _ = data(model, "linear", seed=seed, domain=None)
    x_adv = A.trades_kl(model, x, eps=eps, generator=seed, domain=None)
    w = model.weight.detach()[0]
    with torch.no_grad():
        dz = (model(x_adv) - model(x)).abs().reshape(-1)
    assert torch.allclose(dz, eps * w.abs().sum().expand_as(dz), rtol=1e-4, atol=1e-5)


def test_trades_kl_beats_random_points_of_the_ball():
    model, x, _ = trained(4)
    eps = 0.1
    x_adv = A.trades_kl(model, x, eps=eps, generator=0)
    g = torch.Generator().manual_seed(1)
    x_rand = (x + eps * (2 * torch.rand(x.shape, generator=g) - 1)).clamp(0, 1)
    with torch.no_grad():
        clean = model(x)
        kl_adv, kl_rand = A.kl_divergence(clean, model(x_adv)), A.kl_divergence(clean, model(x_rand))
    assert float(kl_adv.mean()) > 2 * float(kl_rand.mean())
    assert bool((kl_adv >= -1e-7).all())


# ---------------------------------------------------------------------------------------------
# bind, validation
# ---------------------------------------------------------------------------------------------


def test_bind_calls_with_the_bound_arguments_and_reads_well():
    model = mlp(4)
    x, y = data(model, "multi", seed=1)
    b = A.bind(A.pgd, eps=0.1, norm="l2", steps=3, generator=4)
    assert torch.equal(b(model, x, y), A.pgd(model, x, y, eps=0.1, norm="l2", steps=3, generator=4))
    assert repr(b) == "pgd(eps=0.1, norm='l2', steps=3, generator=4)"
    assert b.threat == ThreatModel.l2(0.1)
    assert A.bind(A.unbounded, steps=3).threat is None
    with pytest.raises(TypeError, match="does not take"):
        A.bind(A.pgd, epsilon=0.1)


def test_bad_input_raises_value_errors():
    model = mlp(4)
    x, y = data(model, "multi", seed=1)
    cases = [
        dict(eps=-0.1),
        dict(eps=0.1, norm="l1"),
        dict(eps=0.1, steps=0),
        dict(eps=0.1, restarts=0),
        dict(eps=0.1, restarts=2, random_start=False),
        dict(eps=0.1, alpha=-1.0),
        dict(eps=0.1, targeted=True),
        dict(eps=0.1, target=y),
        dict(eps=0.1, loss="ce"),
        dict(eps=0.1, domain=(1.0, 0.0)),
        dict(eps=0.1, generator="seed"),
    ]
    for kwargs in cases:
        with pytest.raises(ValueError):
            A.pgd(model, x, y, **kwargs)
    with pytest.raises(ValueError, match="domain"):
        A.pgd(model, x + 2.0, y, eps=0.1)  # outside [0, 1]
    with pytest.raises(ValueError, match="labels"):
        A.pgd(mlp(1), x, (y > 1).to(torch.float32), eps=0.1)  # 0/1 labels for a binary model
    with pytest.raises(ValueError, match="labels"):
        A.apgd(model, x, y + 10, eps=0.1)
    with pytest.raises(ValueError, match="shape"):
        A.random_sign(model, x, y[:3], eps=0.1)
    with pytest.raises(ValueError, match="samples"):
        A.random_sign(model, x, y, eps=0.1, samples=0)
    with pytest.raises(ValueError, match="rho"):
        A.apgd(model, x, y, eps=0.1, rho=0.0)
    with pytest.raises(ValueError, match="at least one"):
        A.ensemble()
    with pytest.raises(ValueError, match="torch.nn.Module"):
        A.pgd(lambda t: t, x, y, eps=0.1)


def test_zero_radius_returns_x():
    model = mlp(4)
    x, y = data(model, "multi", seed=1)
    for atk in (A.pgd, A.fgsm, A.apgd, A.random_sign):
        assert torch.equal(atk(model, x, y, eps=0.0), x)
    assert torch.equal(A.trades_kl(model, x, eps=0.0), x)
