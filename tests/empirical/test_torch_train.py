"""Tests of empirical.objectives and empirical.train: objective values against hand computations,
epsilon schedules, atomic checkpoints, bitwise resume after SIGKILL, DDP equivalence, RNG hygiene."""

from __future__ import annotations

import importlib.util
import json
import math
import os
import random
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from empirical import objectives as obj
from empirical import train as tr

ROOT = Path(__file__).resolve().parents[2]
WORKER = Path(__file__).resolve().parent / "_train_worker.py"


# ---------------------------------------------------------------------------------------------
# tiny models and data


class MLP(torch.nn.Module):
    def __init__(self, d=4, hidden=8, out=3, seed=0):
        super().__init__()
        self.fc1 = torch.nn.Linear(d, hidden)
        self.fc2 = torch.nn.Linear(hidden, out)
        g = torch.Generator().manual_seed(seed)
        with torch.no_grad():
            for p in self.parameters():
                p.copy_(torch.randn(p.shape, generator=g) * 0.7)

    def forward(self, x):
        z = self.fc2(torch.relu(self.fc1(x)))
        return z.reshape(-1) if z.shape[1] == 1 else z


class Data:
    def __init__(self, x, y):
        self.x, self.y = x, y


def multiclass_data(n=128, d=4, classes=3, seed=0):
    g = torch.Generator().manual_seed(seed)
    x = torch.rand(n, d, generator=g)
    y = ((x - 0.5) @ torch.randn(d, classes, generator=g)).argmax(1)
    return Data(x, y)


def binary_data(n=64, d=4, seed=0):
    g = torch.Generator().manual_seed(seed)
    x = torch.rand(n, d, generator=g)
    y = torch.where((x - 0.5) @ torch.randn(d, generator=g) > 0, 1.0, -1.0)
    return Data(x, y)


def gen(seed=0):
    return torch.Generator().manual_seed(seed)


def manual_ce(logits, y):
    """Cross-entropy by hand: -mean(z_y - log sum_j exp z_j)."""
    m = logits.max(dim=1, keepdim=True).values
    lse = (logits - m).exp().sum(dim=1).log() + m.squeeze(1)
    return -(logits[torch.arange(len(y)), y] - lse).mean()


def manual_logistic(z, y):
    """log(1 + exp(-y z)) by hand, in a form stable for either sign."""
    t = -y * z
    return (t.clamp(min=0) + torch.log1p(torch.exp(-t.abs()))).mean()


def manual_kl(logits_p, logits_q):
    """KL(softmax(p) || softmax(q)) per example, by hand."""
    p = logits_p.exp() / logits_p.exp().sum(1, keepdim=True)
    q = logits_q.exp() / logits_q.exp().sum(1, keepdim=True)
    return (p * (p.log() - q.log())).sum(1)


# ---------------------------------------------------------------------------------------------
# objectives


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 10_000), binary=st.booleans())
def test_standard_ce_is_the_log_softmax_loss(seed, binary):
    data = binary_data(seed=seed) if binary else multiclass_data(n=32, seed=seed)
    model = MLP(out=1 if binary else 3, seed=seed)
    loss = obj.Standard()(model, data.x, data.y, eps=0.3)
    z = model(data.x).detach()
    expected = manual_logistic(z, data.y) if binary else manual_ce(z, data.y)
    assert loss.ndim == 0
    assert torch.allclose(loss, expected, rtol=1e-5, atol=1e-6)


def test_standard_hinge_by_hand():
    model = torch.nn.Linear(2, 1)
    with torch.no_grad():
        model.weight.copy_(torch.tensor([[2.0, -1.0]]))
        model.bias.fill_(0.5)
    x = torch.tensor([[1.0, 0.0], [0.0, 1.0], [0.25, 0.0], [0.0, 0.0]])
    y = torch.tensor([1.0, 1.0, -1.0, 1.0])
    # z = 2.5, -0.5, 1.0, 0.5; y z = 2.5, -0.5, -1.0, 0.5; max(0, 1 - yz) = 0, 1.5, 2.0, 0.5
    loss = obj.Standard("hinge")(model, x, y, eps=0.0)
    assert loss.item() == pytest.approx((0 + 1.5 + 2.0 + 0.5) / 4)
    # multi-class: margin z_y - max_{i != y} z_i
    logits = torch.tensor([[3.0, 1.0, 0.0], [0.0, 0.5, 0.2], [1.0, 1.0, 1.0]])
    fixed = _Fixed(logits)
    # margins: 2.0, -0.5 (y=0: 0 - 0.5), 0.0 -> hinge 0, 1.5, 1.0
    loss = obj.Standard("hinge")(fixed, torch.zeros(3, 1), torch.tensor([0, 0, 2]), eps=0.0)
    assert loss.item() == pytest.approx((0 + 1.5 + 1.0) / 3)


class _Fixed(torch.nn.Module):
    """Returns the given logits whatever the input (plus 0 * a parameter, to be trainable)."""

    def __init__(self, logits):
        super().__init__()
        self.logits = logits
        self.w = torch.nn.Parameter(torch.zeros(()))

    def forward(self, x):
        return self.logits + self.w * x.sum()


@pytest.mark.parametrize("norm", ["linf", "l2"])
def test_suggala_lam_one_is_madry(norm):
    data = multiclass_data(n=32)
    model = MLP()
    kw = dict(steps=4, norm=norm, restarts=2)
    madry = obj.Madry(**kw)(model, data.x, data.y, eps=0.1, generator=gen(3))
    suggala = obj.Suggala(lam=1.0, **kw)(model, data.x, data.y, eps=0.1, generator=gen(3))
    assert torch.equal(madry, suggala)
    # and Madry's loss is the loss at its adversarial examples, which lie in the ball and the box
    out = obj.Madry(**kw).compute(model, data.x, data.y, eps=0.1, generator=gen(3))
    assert torch.equal(out.loss, madry)
    assert torch.allclose(out.loss, manual_ce(model(out.x_adv).detach(), data.y), rtol=1e-5)
    delta = (out.x_adv - data.x).flatten(1)
    size = delta.abs().amax(1) if norm == "linf" else delta.norm(dim=1)
    assert bool((size <= 0.1 + 1e-6).all())
    assert bool(((out.x_adv >= 0) & (out.x_adv <= 1)).all())
    # Madry et al. train on PGD's last iterate (the worst over restarts), not its best-so-far
    from empirical import attacks

    x_last = attacks.pgd(model, data.x, data.y, eps=0.1, steps=4, norm=norm, restarts=2, generator=gen(3),
                         keep_best=False)
    assert torch.equal(out.x_adv, x_last)


@settings(max_examples=15, deadline=None)
@given(lam=st.floats(0.0, 8.0), seed=st.integers(0, 1000))
def test_suggala_is_lam_adv_minus_lam_minus_one_clean(lam, seed):
    data = multiclass_data(n=24, seed=seed)
    model = MLP(seed=seed)
    out = obj.Suggala(lam=lam, steps=3).compute(model, data.x, data.y, eps=0.15, generator=gen(seed))
    with torch.no_grad():
        expected = lam * manual_ce(model(out.x_adv), data.y) - (lam - 1) * manual_ce(model(data.x), data.y)
    assert torch.allclose(out.loss.detach(), expected, rtol=1e-5, atol=1e-5)
    # the same x_adv for every lam: the objective is affine in lam (suggala2019 eq. 7)
    out2 = obj.Suggala(lam=lam + 1.0, steps=3).compute(model, data.x, data.y, eps=0.15, generator=gen(seed))
    assert torch.equal(out.x_adv, out2.x_adv)


@pytest.mark.parametrize("binary", [False, True])
def test_trades_is_ce_plus_beta_kl(binary):
    data = binary_data(n=32) if binary else multiclass_data(n=32)
    model = MLP(out=1 if binary else 3, seed=4)
    beta = 3.0
    out = obj.Trades(beta=beta, steps=5).compute(model, data.x, data.y, eps=0.2, generator=gen(1))
    with torch.no_grad():
        zc, za = model(data.x), model(out.x_adv)
        if binary:  # a single logit z is the two-class softmax of (0, z)
            zc2, za2 = torch.stack([torch.zeros_like(zc), zc], 1), torch.stack([torch.zeros_like(za), za], 1)
            expected = manual_logistic(zc, data.y) + beta * manual_kl(zc2, za2).mean()
        else:
            expected = manual_ce(zc, data.y) + beta * manual_kl(zc, za).mean()
    assert torch.allclose(out.loss.detach(), expected, rtol=1e-5, atol=1e-6)
    assert float((out.x_adv - data.x).abs().max()) <= 0.2 + 1e-6
    # the inner maximization increases the KL from its value 0 at x
    assert float(manual_kl(*(torch.stack([torch.zeros_like(v), v], 1) for v in (zc, za))).mean()
                 if binary else manual_kl(zc, za).mean()) > 0
    # the gradient flows through both f(x) and f(x'): it is not that of the clean loss alone
    model.zero_grad()
    out.loss.backward()
    g_total = [p.grad.clone() for p in model.parameters()]
    model.zero_grad()
    obj.Standard()(model, data.x, data.y, eps=0.0).backward()
    assert any(not torch.allclose(a, p.grad) for a, p in zip(g_total, model.parameters()))


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 10_000), eps=st.floats(0.01, 0.5))
def test_madry_linear_binary_is_the_closed_form(seed, eps):
    g = gen(seed)
    d = 5
    model = torch.nn.Linear(d, 1)
    with torch.no_grad():
        model.weight.copy_(torch.randn(1, d, generator=g))
        model.bias.copy_(torch.randn(1, generator=g))
    x = torch.randn(16, d, generator=g)
    y = torch.where(torch.rand(16, generator=g) > 0.5, 1.0, -1.0)
    w, b = model.weight.detach()[0], model.bias.detach()[0]
    # worst case in the l-inf ball (no box): y (w.x + b) - eps ||w||_1
    expected = F.softplus(-(y * (x @ w + b) - eps * w.abs().sum())).mean()
    loss = obj.Madry(steps=10, domain=None)(model, x, y, eps=eps, generator=gen(seed + 1))
    assert loss.item() == pytest.approx(expected.item(), rel=1e-5, abs=1e-6)
    # one FGSM step from a random start can only reach up to the worst case
    fast = obj.Fast(domain=None).compute(model, x, y, eps=eps, generator=gen(seed + 2))
    assert fast.loss.item() <= expected.item() + 1e-6
    assert float((fast.x_adv - x).abs().max()) <= eps + 1e-6
    assert fast.loss.item() == pytest.approx(manual_logistic(model(fast.x_adv).detach().reshape(-1), y).item(),
                                             rel=1e-5)


class _ModeRecorder(torch.nn.Module):
    """A binary linear model that records its training flag at every forward pass."""

    def __init__(self):
        super().__init__()
        self.lin = torch.nn.Linear(3, 1)
        self.modes = []

    def forward(self, x):
        self.modes.append(self.training)
        return self.lin(x).reshape(-1)


@pytest.mark.parametrize("make", [lambda: obj.Madry(steps=2), lambda: obj.Suggala(lam=2.0, steps=2),
                                  lambda: obj.Trades(steps=2), lambda: obj.Fast()])
def test_attack_in_eval_mode_loss_in_training_mode(make):
    data = binary_data(n=16, d=3)
    model = _ModeRecorder()
    model.train()
    out = make().compute(model, data.x, data.y, eps=0.1, generator=gen(0))
    n_loss = 2 if isinstance(make(), (obj.Suggala, obj.Trades)) else 1
    attack_modes, loss_modes = model.modes[:-n_loss], model.modes[-n_loss:]
    assert attack_modes and not any(attack_modes)
    assert all(loss_modes)
    assert model.training
    assert out.loss.requires_grad
    assert all(p.grad is None for p in model.parameters())


@pytest.mark.parametrize("make", [lambda: obj.Madry(), lambda: obj.Suggala(lam=3.0), lambda: obj.Trades(beta=5.0),
                                  lambda: obj.Fast()])
def test_eps_zero_is_standard_training(make):
    data = multiclass_data(n=32)
    model = MLP()
    loss = make()(model, data.x, data.y, eps=0.0, generator=gen(0))
    assert torch.allclose(loss, manual_ce(model(data.x).detach(), data.y), rtol=1e-6, atol=1e-7)


def test_objective_configs_round_trip_and_reject_bad_values():
    for o in (obj.Standard("hinge"), obj.Madry(steps=3, alpha=0.01, norm="l2", restarts=2),
              obj.Suggala(lam=2.5, steps=4), obj.Trades(beta=1.0, steps=2, domain=None), obj.Fast(alpha=0.02)):
        cfg = o.config()
        assert cfg["name"] == o.name
        json.dumps(cfg)
        assert obj.from_config(cfg).config() == cfg
    bad = [lambda: obj.Standard("mse"), lambda: obj.Madry(steps=0), lambda: obj.Madry(alpha=-1.0),
           lambda: obj.Madry(norm="l1"), lambda: obj.Madry(restarts=0), lambda: obj.Suggala(lam=-0.5),
           lambda: obj.Suggala(lam=math.nan), lambda: obj.Trades(beta=-1.0), lambda: obj.Fast(alpha=0.0),
           lambda: obj.Madry(domain=(1, 0))]
    for make in bad:
        with pytest.raises(ValueError):
            make()
    data = multiclass_data(n=8)
    with pytest.raises(ValueError, match="eps"):
        obj.Madry()(MLP(), data.x, data.y, eps=-0.1)
    with pytest.raises(ValueError, match="labels"):
        obj.Standard()(MLP(), data.x, torch.ones(8), eps=0.0)


# ---------------------------------------------------------------------------------------------
# schedules


def test_constant_schedule():
    s = tr.constant(0.3)
    assert [s(e) for e in (1, 2, 10)] == [0.3, 0.3, 0.3]
    assert tr.schedule_from_config(s.config())(4) == 0.3
    with pytest.raises(ValueError):
        tr.constant(-0.1)
    with pytest.raises(ValueError):
        s(0)


def test_iterative_schedule_shaeiri_mnist():
    # shaeiri2020 section 3.4: +0.01 per epoch, 0 -> 0.5 over 50 epochs
    s = tr.iterative(0.5, 50)
    values = [s(e) for e in range(1, 61)]
    assert values[:3] == pytest.approx([0.01, 0.02, 0.03])
    assert values[49] == 0.5 and values[50:] == [0.5] * 10
    assert all(b - a == pytest.approx(0.01) for a, b in zip(values[:50], values[1:50]))


@settings(max_examples=25, deadline=None)
@given(eps_final=st.floats(0, 2), eps_start=st.floats(0, 2), epochs=st.integers(1, 40), extra=st.integers(0, 5))
def test_iterative_schedule_is_linear_in_the_epoch(eps_final, eps_start, epochs, extra):
    s = tr.iterative(eps_final, epochs, eps_start=eps_start)
    step = (eps_final - eps_start) / epochs
    for e in range(1, epochs + extra + 1):
        assert s(e) == pytest.approx(eps_start + step * min(e, epochs), abs=1e-12)
    assert s(epochs) == eps_final
    assert tr.schedule_from_config(s.config())(epochs) == eps_final


def test_iterative_schedule_rejects_bad_values():
    for args in [(-0.1, 5), (0.1, 0), (0.1, 2.5), (math.inf, 3)]:
        with pytest.raises(ValueError):
            tr.iterative(*args)
    with pytest.raises(ValueError):
        tr.iterative(0.1, 3, eps_start=-1.0)


# ---------------------------------------------------------------------------------------------
# the trainer in process


def _trainer(out_dir, epochs=3, objective=None, schedule=0.1, data=None, **kw):
    kw.setdefault("optimizer", tr.sgd(lr=0.1, momentum=0.9))
    return tr.Trainer(MLP(seed=1), data or multiclass_data(), objective or obj.Madry(steps=2), schedule, epochs,
                      batch_size=16, seed=3, out_dir=out_dir, device="cpu", progress=False, **kw)


def _strip_timing(history):
    return [{k: v for k, v in h.items() if k not in tr.TIMING_FIELDS} for h in history]


def _read_metrics(out_dir):
    lines = (Path(out_dir) / tr.METRICS_NAME).read_text().splitlines()
    return [json.loads(line) for line in lines]


def test_trainer_matches_a_hand_written_sgd_loop():
    data = multiclass_data()
    trainer = tr.Trainer(MLP(seed=1), data, obj.Standard(), 0.0, 3, optimizer=tr.sgd(lr=0.1, momentum=0.9),
                         batch_size=16, seed=5, device="cpu", progress=False)
    history = trainer.fit()
    # the same run by hand: batch order from the trainer's shuffle stream, SGD on the mean CE
    model = MLP(seed=1)
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    g = tr._seeded(tr._derive_seed(5, "shuffle"))
    losses = []
    for _ in range(3):
        perm = torch.randperm(128, generator=g)
        total = 0.0
        for i in range(0, 128, 16):
            idx = perm[i:i + 16]
            loss = manual_ce(model(data.x[idx]), data.y[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item() * len(idx)
        losses.append(total / 128)
    for p, q in zip(trainer.model.parameters(), model.parameters()):
        assert torch.allclose(p, q, atol=1e-6)
    assert [h["train_loss"] for h in history] == pytest.approx(losses, rel=1e-5)
    assert [h["epoch"] for h in history] == [1, 2, 3]
    assert all(h["train_adv_acc"] is None and 0 <= h["train_acc"] <= 1 for h in history)


def test_metrics_file_eval_accuracy_and_config(tmp_path):
    eval_data = multiclass_data(n=50, seed=9)
    t = _trainer(tmp_path, epochs=3, schedule=tr.iterative(0.2, 2), eval_data=eval_data,
                 lr_schedule=tr.multistep([2], gamma=0.1))
    history = t.fit()
    assert _read_metrics(tmp_path) == history
    assert [h["eps"] for h in history] == pytest.approx([0.1, 0.2, 0.2])
    # MultiStepLR counts completed epochs: milestone 2 changes the lr for the third epoch
    assert [h["lr"] for h in history] == pytest.approx([0.1, 0.1, 0.01])
    assert all(h["train_acc"] is None and 0 <= h["train_adv_acc"] <= 1 for h in history)
    with torch.no_grad():
        acc = (t.model(eval_data.x).argmax(1) == eval_data.y).double().mean().item()
    assert history[-1]["eval_acc"] == pytest.approx(acc)
    config = json.loads((tmp_path / tr.CONFIG_NAME).read_text())
    assert config["objective"] == {"name": "madry", "steps": 2, "alpha": None, "norm": "linf", "restarts": 1,
                                   "random_start": True, "domain": [0.0, 1.0], "keep_best": False}
    ckpt = tr.load_checkpoint(tmp_path)
    assert ckpt["epoch"] == 3 and ckpt["config"] == config and ckpt["history"] == history
    assert set(ckpt["generators"]) == {"shuffle", "attack", "torch_cpu", "torch_cuda"}
    for p, q in zip(t.model.state_dict().values(), ckpt["model"].values()):
        assert torch.equal(p, q)


def test_progress_bar_runs(tmp_path, capsys):
    t = tr.Trainer(MLP(), multiclass_data(n=32), obj.Standard(), 0.0, 1, batch_size=8, device="cpu", progress=True)
    assert len(t.fit()) == 1


def test_lr_schedule_stepped_per_batch_or_per_epoch():
    data = multiclass_data(n=32)
    lrs = {}
    for step in ("batch", "epoch"):
        t = tr.Trainer(MLP(), data, obj.Standard(), 0.0, 2, optimizer=tr.sgd(lr=0.1), batch_size=16,
                       lr_schedule=tr.multistep([3]), lr_step=step, device="cpu", progress=False)
        history = t.fit()
        lrs[step] = ([h["lr"] for h in history], t.optimizer.param_groups[0]["lr"])
    # 2 epochs x 2 batches: 4 batch steps pass the milestone 3, 2 epoch steps do not
    assert lrs["batch"][0] == pytest.approx([0.1, 0.1]) and lrs["batch"][1] == pytest.approx(0.01)
    assert lrs["epoch"][0] == pytest.approx([0.1, 0.1]) and lrs["epoch"][1] == pytest.approx(0.1)


class TinyCNN(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = torch.nn.Conv2d(1, 2, 3)
        self.fc = torch.nn.Linear(2 * 4 * 4, 3)

    def forward(self, x):
        return self.fc(torch.relu(self.conv(x)).flatten(1))


def test_bfloat16_autocast_and_channels_last_paths_run_on_the_cpu(tmp_path):
    """The CUDA settings (bf16 autocast, channels-last images), forced on the CPU: a smoke test
    that the training and evaluation paths work with them and still learn."""
    g = gen(0)
    x = torch.rand(48, 1, 6, 6, generator=g)
    y = (x[:, 0, :3].mean((1, 2)) > x[:, 0, 3:].mean((1, 2))).long() + (x.mean((1, 2, 3)) > 0.5).long()
    data = Data(x, y)
    model = TinyCNN()
    t = tr.Trainer(model, data, obj.Madry(steps=2), 0.05, 2, optimizer=tr.adam(lr=1e-2), batch_size=16,
                   device="cpu", amp=True, channels_last=True, eval_data=data, out_dir=tmp_path, progress=False)
    history = t.fit()
    assert model.conv.weight.is_contiguous(memory_format=torch.channels_last)
    assert model.conv.weight.dtype == torch.float32
    assert all(math.isfinite(h["train_loss"]) and 0 <= h["eval_acc"] <= 1 for h in history)
    assert tr.load_checkpoint(tmp_path)["config"]["device_type"] == "cpu"


def test_fit_leaves_the_global_rng_alone(tmp_path):
    data = multiclass_data()

    class Dropout(MLP):  # uses the default generator, which fit() forks and seeds
        def forward(self, x):
            return self.fc2(F.dropout(torch.relu(self.fc1(x)), 0.3, self.training))

    weights = []
    for global_seed in (0, 123):
        model = Dropout(seed=1)  # (building the layers draws from the global generator)
        torch.manual_seed(global_seed)
        before = torch.get_rng_state()
        t = tr.Trainer(model, data, obj.Madry(steps=2), 0.1, 2, batch_size=16, seed=3,
                       device="cpu", progress=False)
        t.fit()
        assert torch.equal(torch.get_rng_state(), before)
        weights.append([p.detach().clone() for p in t.model.parameters()])
    assert all(torch.equal(a, b) for a, b in zip(*weights))


def test_checkpoint_write_is_atomic(tmp_path, monkeypatch):
    _trainer(tmp_path, epochs=2).fit()
    path = tmp_path / tr.CHECKPOINT_NAME
    old_bytes = path.read_bytes()
    real_save = torch.save

    def failing_save(obj_, f, *a, **k):
        real_save(obj_, f, *a, **k)
        f.truncate(len(old_bytes) // 3)  # a partial file, then the "crash"
        raise OSError("disk full (simulated)")

    monkeypatch.setattr(torch, "save", failing_save)
    with pytest.raises(OSError, match="simulated"):
        _trainer(tmp_path, epochs=3).fit()
    monkeypatch.setattr(torch, "save", real_save)
    assert path.read_bytes() == old_bytes
    assert tr.load_checkpoint(path)["epoch"] == 2
    assert not list(tmp_path.glob(".*.tmp"))
    # the metrics file got epoch 3's line before the failed checkpoint; resuming drops it and redoes the epoch
    assert len(_read_metrics(tmp_path)) == 3
    resumed = _trainer(tmp_path, epochs=3).fit()
    fresh_dir = tmp_path / "fresh"
    fresh = _trainer(fresh_dir, epochs=3)
    assert _strip_timing(resumed) == _strip_timing(fresh.fit())
    assert _strip_timing(_read_metrics(tmp_path)) == _strip_timing(fresh.history)
    a, b = tr.load_checkpoint(tmp_path)["model"], tr.load_checkpoint(fresh_dir)["model"]
    assert all(torch.equal(a[k], b[k]) for k in a)


def test_resume_cleans_partial_files_and_rejects_another_config(tmp_path):
    _trainer(tmp_path, epochs=1).fit()
    (tmp_path / f".{tr.CHECKPOINT_NAME}.abc.tmp").write_bytes(b"partial")
    with (tmp_path / tr.METRICS_NAME).open("a") as f:
        f.write('{"epoch": 2, "eps": 0.')  # a line cut by a kill
    _trainer(tmp_path, epochs=2).fit()
    assert not list(tmp_path.glob(".*.tmp"))
    assert [h["epoch"] for h in _read_metrics(tmp_path)] == [1, 2]
    with pytest.raises(ValueError, match="objective"):
        _trainer(tmp_path, epochs=3, objective=obj.Trades()).fit()
    with pytest.raises(ValueError, match="batch_size"):
        tr.Trainer(MLP(seed=1), multiclass_data(), obj.Madry(steps=2), 0.1, 3, batch_size=8, seed=3,
                   out_dir=tmp_path, device="cpu", progress=False).fit()


def test_init_from_starts_from_the_base_run_weights(tmp_path):
    """Extended training (shaeiri2020): weights from a run at a smaller eps, then train at a larger one."""
    base = _trainer(tmp_path / "base", epochs=2, schedule=0.05)
    base.fit()
    ext = _trainer(tmp_path / "ext", epochs=1, schedule=0.2, init_from=tmp_path / "base")
    ext.fit()
    model = MLP(seed=1)
    model.load_state_dict(tr.load_checkpoint(tmp_path / "base")["model"])
    by_hand = tr.Trainer(model, multiclass_data(), obj.Madry(steps=2), 0.2, 1, optimizer=tr.sgd(lr=0.1, momentum=0.9),
                         batch_size=16, seed=3, device="cpu", progress=False)
    by_hand.fit()
    for p, q in zip(ext.model.parameters(), by_hand.model.parameters()):
        assert torch.equal(p, q)
    assert json.loads((tmp_path / "ext" / tr.CONFIG_NAME).read_text())["init_from"] == str(tmp_path / "base")


def test_trainer_rejects_bad_arguments():
    data = multiclass_data(n=16)
    good = dict(model=MLP(), train_data=data, objective=obj.Standard(), schedule=0.0, epochs=1)
    for change in [dict(epochs=0), dict(schedule="big"), dict(train_data=object()), dict(objective=lambda m: 0),
                   dict(model="mlp")]:
        with pytest.raises(ValueError):
            tr.Trainer(**{**good, **change})
    for kw in [dict(batch_size=0), dict(seed=1.5), dict(lr_step="step"), dict(optimizer=3)]:
        with pytest.raises(ValueError):
            tr.Trainer(**good, **kw)
    with pytest.raises(ValueError):
        tr.sgd(lr=0.0)
    with pytest.raises(ValueError):
        tr.multistep([3, 2])


def test_non_finite_loss_raises_and_writes_no_checkpoint(tmp_path):
    data = multiclass_data(n=32)
    data.x[0, 0] = math.nan
    with pytest.raises(FloatingPointError, match="epoch 1"):
        tr.Trainer(MLP(), data, obj.Standard(), 0.0, 1, batch_size=8, out_dir=tmp_path, device="cpu",
                   progress=False).fit()
    assert not (tmp_path / tr.CHECKPOINT_NAME).exists()


# ---------------------------------------------------------------------------------------------
# subprocesses: SIGKILL + resume, DDP


def _worker_module():
    spec = importlib.util.spec_from_file_location("_train_worker", WORKER)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _env():
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT)] + [p for p in [env.get("PYTHONPATH")] if p])
    env["OMP_NUM_THREADS"] = "1"
    for k in ("RANK", "WORLD_SIZE", "LOCAL_RANK", "MASTER_ADDR", "MASTER_PORT"):
        env.pop(k, None)
    return env


def _assert_same_run(dir_a, dir_b, exact=True):
    a, b = tr.load_checkpoint(dir_a), tr.load_checkpoint(dir_b)
    assert a["epoch"] == b["epoch"]
    assert a["model"].keys() == b["model"].keys()
    for k in a["model"]:
        if exact:
            assert torch.equal(a["model"][k], b["model"][k]), k
        else:
            assert torch.allclose(a["model"][k], b["model"][k], rtol=1e-5, atol=1e-6), k
    ma, mb = _read_metrics(dir_a), _read_metrics(dir_b)
    assert [m["epoch"] for m in ma] == list(range(1, a["epoch"] + 1))
    if exact:
        assert _strip_timing(ma) == _strip_timing(mb)
    return a, b


def test_resume_after_sigkill_is_bitwise_identical(tmp_path):
    args = ["--objective", "madry", "--epochs", "6", "--examples", "256", "--batch", "4", "--steps", "3", "--eval"]
    worker = _worker_module()
    ref_dir = tmp_path / "reference"
    torch.set_num_threads(1)
    ref = worker.build(["--out", str(ref_dir), *args])
    ref.fit()
    epoch_seconds = sorted(h["seconds"] for h in ref.history)[len(ref.history) // 2]

    rng = random.Random()
    run_dir = tmp_path / "killed"
    cmd = [sys.executable, str(WORKER), "--out", str(run_dir), *args]
    killed_at = None
    for attempt in range(4):  # (a retry only if the run finished before the kill: then kill sooner)
        proc = subprocess.Popen(cmd, env=_env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and proc.poll() is None and not (run_dir / tr.CHECKPOINT_NAME).exists():
            time.sleep(0.005)
        delay = rng.uniform(0.0, 2.5 * epoch_seconds) / 4**attempt
        time.sleep(delay)
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            proc.stdout.close()
            done = tr.load_checkpoint(run_dir)["epoch"]
            if done < 6:
                killed_at = (delay, done)
                break
        else:
            out = proc.stdout.read().decode()
            proc.stdout.close()
            assert proc.returncode == 0, out
        for f in run_dir.iterdir():  # it got to the end: start over
            f.unlink()
    assert killed_at is not None, "the run finished before it could be killed"
    print(f"killed {killed_at[0]:.3f} s after the first checkpoint, at epoch {killed_at[1]} done")
    final = subprocess.run(cmd, env=_env(), capture_output=True, text=True, timeout=300)
    assert final.returncode == 0, final.stdout + final.stderr
    _assert_same_run(ref_dir, run_dir, exact=True)


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


DDP_ARGS = ["--objective", "madry-fixed", "--epochs", "3", "--examples", "96", "--batch", "8", "--steps", "3",
            "--schedule", "constant"]
needs_gloo = pytest.mark.skipif(not torch.distributed.is_available() or not torch.distributed.is_gloo_available(),
                                reason="torch.distributed with gloo is not available")


def _check_ddp_run(single_dir, ddp_dir):
    a, b = _assert_same_run(single_dir, ddp_dir, exact=False)
    assert b["config"]["world_size"] == 2 and len(b["generators"]["attack"]) == 2
    ma, mb = _read_metrics(single_dir), _read_metrics(ddp_dir)
    assert [m["train_loss"] for m in ma] == pytest.approx([m["train_loss"] for m in mb], rel=1e-4)
    assert [m["examples"] for m in mb] == [96] * 3
    # the weights moved: the comparison is not between two untrained models
    init = _worker_module().TinyMLP().state_dict()
    assert any(not torch.allclose(init[k], b["model"][k], atol=1e-3) for k in init)


def _ddp_child(rank, world, port, argv):
    """One process of a 2-process run, with the environment torchrun would set."""
    os.environ.update(RANK=str(rank), WORLD_SIZE=str(world), LOCAL_RANK=str(rank), LOCAL_WORLD_SIZE=str(world),
                      MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port))
    torch.set_num_threads(1)
    _worker_module().build(argv).fit()


@needs_gloo
def test_ddp_two_processes_match_one(tmp_path):
    """Two gloo processes (forked, environment as under torchrun), each with half of every batch,
    against one process with the whole batch: the same SGD trajectory up to reduction order.
    The objective is deterministic (PGD from x), so that the processes' attacks are the single one's."""
    import torch.multiprocessing as mp

    single_dir, ddp_dir = tmp_path / "single", tmp_path / "ddp"
    torch.set_num_threads(1)
    _worker_module().build(["--out", str(single_dir), *DDP_ARGS]).fit()
    mp.start_processes(_ddp_child, args=(2, _free_port(), ["--out", str(ddp_dir), *DDP_ARGS]), nprocs=2, join=True,
                       start_method="fork")
    _check_ddp_run(single_dir, ddp_dir)


@needs_gloo
@pytest.mark.slow
def test_ddp_under_torchrun_matches_one(tmp_path):
    """The same comparison launched by torchrun (fresh interpreters: slow, ~20 s)."""
    single_dir, ddp_dir = tmp_path / "single", tmp_path / "ddp"
    torch.set_num_threads(1)
    _worker_module().build(["--out", str(single_dir), *DDP_ARGS]).fit()
    cmd = [sys.executable, "-m", "torch.distributed.run", "--nnodes=1", "--nproc_per_node=2",
           "--master_addr=127.0.0.1", f"--master_port={_free_port()}", str(WORKER), "--out", str(ddp_dir), *DDP_ARGS]
    res = subprocess.run(cmd, env=_env(), capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stdout[-4000:] + res.stderr[-4000:]
    _check_ddp_run(single_dir, ddp_dir)


def test_ddp_rejects_a_last_batch_smaller_than_the_world(monkeypatch):
    monkeypatch.setenv("RANK", "0")
    monkeypatch.setenv("WORLD_SIZE", "2")
    monkeypatch.setenv("LOCAL_RANK", "0")
    t = tr.Trainer(MLP(), multiclass_data(n=33), obj.Standard(), 0.0, 1, batch_size=8, device="cpu", progress=False)
    with pytest.raises(ValueError, match="fewer than the 2 processes"):
        t.fit()
    assert not torch.distributed.is_initialized()
