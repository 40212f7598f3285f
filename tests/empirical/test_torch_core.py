"""The engine's shared conventions (empirical._core) against hand computations."""

import math

import numpy as np
import pytest
import torch

from empirical import _core as C
from theory.threat import ThreatModel


def test_threat_accepts_names_numbers_and_threat_models():
    assert C.threat("linf", 0.1) == ThreatModel(math.inf, 0.1)
    assert C.threat("l2", 0.5) == ThreatModel(2.0, 0.5)
    assert C.threat(1, 0.3) == ThreatModel(1.0, 0.3)
    t = ThreatModel.l2(0.25)
    assert C.threat(t) is t and C.threat(t, 0.25) is t
    assert C.norm_name(C.threat("l2", 1.0)) == "l2" and C.norm_name(ThreatModel.linf(0.0)) == "linf"


@pytest.mark.parametrize("args, match", [
    (("linf", None), "eps is required"), (("l3", 0.1), "norm must be one of"), (("linf", -0.1), "eps must"),
    (("linf", float("nan")), "eps must"), (("linf", True), "eps must"),
    ((ThreatModel.linf(0.1), 0.2), "contradicts"),
])
def test_threat_refuses_bad_arguments(args, match):
    with pytest.raises(ValueError, match=match):
        C.threat(*args)


def test_norm_name_refuses_norms_the_attacks_do_not_support():
    with pytest.raises(ValueError, match="l-inf and l2"):
        C.norm_name(ThreatModel(1.0, 0.1))


def test_binary_predictions_follow_sign_zero_is_minus_one():
    z = torch.tensor([-2.0, 0.0, 1e-8, 3.0])
    assert C.predict(z).tolist() == [-1.0, -1.0, 1.0, 1.0]
    assert C.predict(z[:, None]).tolist() == [-1.0, -1.0, 1.0, 1.0]
    assert C.correct(z, torch.tensor([-1.0, 1.0, 1.0, -1.0])).tolist() == [True, False, True, False]


def test_losses_against_hand_computations():
    z = torch.tensor([0.5, -1.0, 2.0], dtype=torch.float64)
    y = torch.tensor([1.0, 1.0, -1.0], dtype=torch.float64)
    expected = [math.log1p(math.exp(-0.5)), math.log1p(math.exp(1.0)), math.log1p(math.exp(2.0))]
    np.testing.assert_allclose(C.loss_per_example(z, y).numpy(), expected, rtol=1e-12)
    logits = torch.tensor([[1.0, 2.0, 0.0], [0.0, 0.0, 3.0]], dtype=torch.float64)
    idx = torch.tensor([0, 2])
    ce = [-(1.0 - math.log(math.e + math.e**2 + 1.0)), -(3.0 - math.log(2.0 + math.e**3))]
    np.testing.assert_allclose(C.loss_per_example(logits, idx).numpy(), ce, rtol=1e-12)


def test_margins_against_hand_computations():
    logits = torch.tensor([[1.0, 2.0, 0.5], [3.0, -1.0, 2.5]])
    assert C.margin(logits, torch.tensor([1, 2])).tolist() == pytest.approx([1.0, -0.5])
    assert C.margin(torch.tensor([0.5, -2.0]), torch.tensor([-1.0, -1.0])).tolist() == [-0.5, 2.0]
    assert logits.tolist() == [[1.0, 2.0, 0.5], [3.0, -1.0, 2.5]]  # not modified in place


def test_label_conversions_round_trip_and_refuse_other_values():
    y = torch.tensor([1.0, -1.0, -1.0, 1.0])
    assert C.to_index(y).tolist() == [1, 0, 0, 1]
    assert torch.equal(C.to_pm1(C.to_index(y)), y)
    with pytest.raises(ValueError):
        C.to_index(torch.tensor([0.0, 1.0]))
    with pytest.raises(ValueError):
        C.to_pm1(torch.tensor([0, 2]))


def test_check_labels():
    C.check_labels(torch.zeros(3), torch.tensor([1.0, -1.0, 1.0]))
    C.check_labels(torch.zeros(2, 3), torch.tensor([0, 2]))
    with pytest.raises(ValueError, match="labels \\+-1"):
        C.check_labels(torch.zeros(2), torch.tensor([0, 1]))
    with pytest.raises(ValueError, match="integer labels"):
        C.check_labels(torch.zeros(2, 3), torch.tensor([0, 3]))
    with pytest.raises(ValueError, match="shape"):
        C.check_labels(torch.zeros(2, 3), torch.tensor([0, 1, 2]))


def test_eval_mode_restores_every_submodules_own_mode():
    model = torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.Dropout(0.5), torch.nn.BatchNorm1d(2))
    model.train()
    model[1].eval()  # mixed modes
    with C.eval_mode(model):
        assert not any(m.training for m in model.modules())
    assert [m.training for m in model.modules()] == [True, True, False, True]


def test_preserved_grads_keeps_values_and_none():
    model = torch.nn.Linear(3, 1)
    model.weight.grad = torch.full_like(model.weight, 7.0)
    with C.preserved_grads(model):
        model(torch.ones(4, 3)).sum().backward()
    assert torch.equal(model.weight.grad, torch.full_like(model.weight, 7.0)) and model.bias.grad is None


def test_generators_never_touch_the_global_state():
    state = torch.random.get_rng_state()
    a = torch.rand(5, generator=C.as_generator(3))
    b = torch.rand(5, generator=C.as_generator(3))
    torch.rand(5, generator=C.as_generator(None))
    torch.rand(5, generator=C.as_generator(np.random.default_rng(0)))
    assert torch.equal(a, b) and torch.equal(state, torch.random.get_rng_state())
    g = torch.Generator()
    assert C.as_generator(g) is g
    with pytest.raises(ValueError, match="generator"):
        C.as_generator("seed")


def test_clamp_domain():
    x = torch.tensor([-0.5, 0.5, 1.5])
    assert C.clamp_domain(x, (0.0, 1.0)).tolist() == [0.0, 0.5, 1.0]
    assert C.clamp_domain(x, None) is x
