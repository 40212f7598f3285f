"""large-eps: the chance level, the training-attack losses, the stitched curves, checked by hand."""

import math

import numpy as np
import pytest
import torch

from empirical import models
from empirical.experiments import large_eps as L


def test_label_entropy_is_log_classes_for_balanced_labels_and_the_best_constant_loss_otherwise():
    assert L.label_entropy(np.repeat(np.arange(10), 7), 10) == pytest.approx(math.log(10))
    y = np.array([0, 0, 0, 1])
    h = L.label_entropy(y, 3)  # 3/4, 1/4, 0: the unused class adds nothing
    assert h == pytest.approx(-(0.75 * math.log(0.75) + 0.25 * math.log(0.25)))
    # no constant predictor q does better: the cross-entropy -sum p log q is minimised at q = p
    for q0 in (0.5, 0.6, 0.9):
        assert -(0.75 * math.log(q0) + 0.25 * math.log(1 - q0)) >= h - 1e-12
    with pytest.raises(ValueError):
        L.label_entropy(np.array([], dtype=int), 3)


def test_adversarial_losses_of_a_linear_model_match_its_exact_worst_case():
    # for a binary linear model the l-inf worst case lowers the margin by eps ||w||_1; PGD's signed steps reach it
    model = models.Linear.from_theory([2.0, -1.0, 0.5]).eval()
    x = torch.full((5, 3), 0.5)  # inside [0, 1] with room for eps = 0.1 on every side
    y = torch.tensor([1.0, -1.0, 1.0, 1.0, -1.0])
    losses = L.adversarial_losses(model, x, y, eps=0.1, steps=20, generator=0)
    margin = y.double() * (x.double() @ torch.tensor([2.0, -1.0, 0.5], dtype=torch.float64)) - 0.1 * 3.5
    assert torch.allclose(losses, torch.nn.functional.softplus(-margin), atol=1e-5)


def test_stitch_curves_numbers_the_second_run_on_after_the_first():
    first = [{"epoch": e, "eps": 0.3, "train_loss": 2.0 - e / 10, "train_adv_acc": 0.1 * e} for e in (1, 2)]
    second = [{"epoch": 1, "eps": 0.4, "train_loss": 2.2, "train_adv_acc": 0.05}]
    c = L.stitch_curves(first, second)
    assert c["epoch"] == [1, 2, 3] and c["eps"] == [0.3, 0.3, 0.4] and c["train_loss"] == [1.9, 1.8, 2.2]
    assert L.stitch_curves(first)["epoch"] == [1, 2]
