"""PyTorch adversarial training and evaluation that tests the theory's predictions.

Modules: :mod:`empirical.data` (datasets: the theory's distributions, digits, MNIST, CIFAR-10),
:mod:`empirical.models`, :mod:`empirical.attacks` (PGD, FGSM, APGD, ensembles, exact linear),
:mod:`empirical.objectives`, :mod:`empirical.train` (a resumable trainer, DDP),
:mod:`empirical.evaluate`. Needs the ``empirical`` extra (torch): ``pip install ".[empirical]"``;
:mod:`theory` imports without it. The conventions shared by all of them are in
:mod:`empirical._core`.
"""

try:
    import torch  # noqa: F401
except ImportError as exc:  # pragma: no cover - exercised only without torch
    raise ImportError("empirical needs torch: pip install \"adversarial-risk[empirical]\" "
                      "(for the CPU build: pip install torch==2.13.0 first)") from exc
