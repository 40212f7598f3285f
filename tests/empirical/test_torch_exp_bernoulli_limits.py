"""bernoulli-limits: the l0 sign-change attack against exhaustive search, and the l0 floor against the theory."""

import itertools

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from empirical import attacks
from empirical import experiments as X
from empirical.experiments import bernoulli_limits as B
from empirical.models import Linear, one_hidden
from theory import bernoulli


def _pred(model, x):
    return torch.where(model(x).reshape(-1) > 0, 1.0, -1.0)  # sign(0) = -1, the package's convention


def _exhaustive_wrong(model, x, y, flips):
    """Per example: does some set of at most ``flips`` sign changes make the model wrong (enumeration)?"""
    d = x.shape[1]
    wrong = torch.zeros(len(x), dtype=torch.bool)
    with torch.no_grad():
        for r in range(flips + 1):
            for subset in itertools.combinations(range(d), r):
                xc = x.clone()
                xc[:, list(subset)] *= -1
                wrong |= _pred(model, xc) != y
    return wrong


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), flips=st.integers(0, 3))
def test_greedy_flips_are_the_exact_worst_case_of_a_linear_model(seed, flips):
    g = np.random.default_rng(seed)
    d = 6
    model = Linear.from_theory(g.normal(size=d), b=float(g.normal())).eval()
    x = torch.tensor(g.choice([-1.0, 1.0], size=(30, d)), dtype=torch.float32)
    y = torch.tensor(g.choice([-1.0, 1.0], size=30), dtype=torch.float32)
    adv = attacks.flip_attack(model, x, y, flips=flips)
    assert set(torch.unique(adv).tolist()) <= {-1.0, 1.0}
    assert int((adv != x).sum(dim=1).max()) <= flips
    assert torch.equal(_pred(model, adv) != y, _exhaustive_wrong(model, x, y, flips))


def test_greedy_flips_on_a_network_find_only_real_errors_and_every_single_change_error():
    d = 7
    model = one_hidden(d, 16, generator=1).eval()
    g = torch.Generator().manual_seed(2)
    x = torch.randint(0, 2, (200, d), generator=g).float() * 2 - 1
    y = _pred(model, x)  # every point correct before the attack
    for flips in (1, 2):
        adv = attacks.flip_attack(model, x, y, flips=flips)
        assert int((adv != x).sum(dim=1).max()) <= flips
        greedy = _pred(model, adv) != y
        exact = _exhaustive_wrong(model, x, y, flips)
        assert bool((exact | ~greedy).all())  # a greedy error is an error the enumeration finds
        if flips == 1:  # one round tries every single change: greedy is the enumeration
            assert torch.equal(greedy, exact)
        else:
            assert greedy.sum() >= 0.8 * exact.sum() and exact.sum() > 0


def test_flip_madry_is_the_loss_at_the_attack_points():
    model = Linear.from_theory([2.0, -1.0, 0.5], b=0.25)
    x = torch.tensor([[1.0, 1.0, -1.0], [-1.0, 1.0, 1.0]])
    y = torch.tensor([1.0, -1.0])
    adv = attacks.flip_attack(model.eval(), x, y, flips=1)
    expected = torch.nn.functional.softplus(-y * model(adv).reshape(-1)).mean()
    assert B.FlipMadry()(model, x, y, eps=1.0).item() == pytest.approx(expected.item(), abs=1e-6)
    with pytest.raises(ValueError):
        attacks.flip_attack(model, x, y, flips=-1)


def test_the_tiny_run_predicts_the_l0_floor_from_theorem_4(tmp_path):
    report = X.run("bernoulli-limits", out=tmp_path, tiny=True, progress=False)
    c = report.config
    preds = {p.id.removeprefix("experiments.bernoulli-limits."): p for p in report.predictions}
    for e in B.L0:
        floor = float(bernoulli.optimal_robust_error(c["k"], c["t"], e, norm=0)[0])
        assert report.results["optimum_l0"][str(e)] == floor
        for m in B.MODELS:
            assert preds[f"{m}.l0-{e}.floor"].predicted == floor
    # with k = 4 and t = 0.15 two sign changes already leave only the constant classifier
    assert report.results["optimum_l0"]["2"] == 0.5
