"""The README's Python code runs as printed."""

from doc_checks import python_blocks, run_blocks


def test_the_readme_has_python_code():
    assert python_blocks("README.md"), "the README's usage example is gone"


def test_the_readme_python_code_runs(tmp_path):
    run_blocks("README.md", tmp_path)
