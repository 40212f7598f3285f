"""Documentation checks: public modules and their Examples; the Python blocks of the README and docs pages."""

import doctest
import importlib
import inspect
import pkgutil
import re
from pathlib import Path

FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE


def public_modules(package: str) -> list[str]:
    """``package`` and its submodules whose names have no part starting with an underscore."""
    pkg = importlib.import_module(package)
    names = [package]
    for info in pkgutil.walk_packages(pkg.__path__, package + "."):
        if not any(part.startswith("_") for part in info.name.split(".")[1:]):
            names.append(info.name)
    return names


def without_examples(module: str) -> list[str]:
    """The functions and classes in ``module.__all__`` (defined there) whose docstring has no doctest."""
    m = importlib.import_module(module)
    out = []
    for name in getattr(m, "__all__", []):
        obj = getattr(m, name, None)
        if (inspect.isfunction(obj) or inspect.isclass(obj)) and obj.__module__ == m.__name__:
            if ">>>" not in (obj.__doc__ or ""):
                out.append(f"{module}.{name}")
    return out


def run_doctests(module: str) -> doctest.TestResults:
    """Run the doctests of ``module`` (every docstring in it) and return failures / attempts."""
    return doctest.testmod(importlib.import_module(module), optionflags=FLAGS, report=True)


ROOT = Path(__file__).resolve().parents[1]


def python_blocks(path) -> list[str]:
    """The fenced ```python blocks of a Markdown file, in order."""
    text = (ROOT / path).read_text()
    return re.findall(r"^```python\n(.*?)^```", text, flags=re.S | re.M)


def run_blocks(path, tmp_path) -> None:
    """Run a Markdown file's Python blocks one after the other in one namespace, in ``tmp_path``."""
    import os

    namespace: dict = {"__name__": "__docs__"}
    here = os.getcwd()
    os.chdir(tmp_path)
    try:
        for i, block in enumerate(python_blocks(path)):
            exec(compile(block, f"{path} block {i + 1}", "exec"), namespace)
    finally:
        os.chdir(here)
