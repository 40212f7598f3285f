"""The engine's tests: not collected where torch is not installed; tiny models, CPU, one thread.

Install the engine with ``pip install torch==2.13.0 ".[test,empirical,mnist]"`` to run them (the README's test command).
"""

import importlib.util

if importlib.util.find_spec("torch") is None:
    collect_ignore_glob = ["test_*.py"]
else:
    import torch

    torch.set_num_threads(1)
