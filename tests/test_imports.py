"""`import theory` (and every theory module) works with torch absent."""

import subprocess
import sys

MODULES = ["theory", "theory.gaussian", "theory.tradeoff", "theory.norms", "theory.normal",
           "theory.montecarlo", "theory.reference", "theory.claims", "theory.verify"]


def test_theory_imports_without_torch():
    code = (
        "import sys, importlib.abc\n"
        "class Block(importlib.abc.MetaPathFinder):\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'torch' or name.startswith('torch.'):\n"
        "            raise ImportError('torch is blocked in this test')\n"
        "sys.meta_path.insert(0, Block())\n"
        f"import importlib\nfor m in {MODULES!r}: importlib.import_module(m)\n"
        "import theory.claims as c; c.load_all()\n"
        "assert not any(k == 'torch' or k.startswith('torch.') for k in sys.modules)\n"
        "print('ok')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"
