"""Public modules, and public objects lacking an Examples section (shared by the doctest tests)."""

import doctest
import importlib
import inspect
import pkgutil

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
