"""Every public function and class of ``empirical`` carries an Examples section, and every doctest in it runs."""

import pytest
from doc_checks import public_modules, run_doctests, without_examples

MODULES = public_modules("empirical")


@pytest.mark.parametrize("module", MODULES)
def test_doctests_pass(module):
    result = run_doctests(module)
    assert result.failed == 0, f"{result.failed} of {result.attempted} doctest examples failed in {module}"


def test_every_public_object_has_an_example():
    missing = [name for m in MODULES for name in without_examples(m)]
    assert not missing, f"public objects without an Examples section: {missing}"
