"""mkdocs hooks of this site: the docstrings' reStructuredText roles shown as plain code.

The docstrings cite other objects as ``:func:`theory.gaussian.adversarial_risk```, which the
numpy docstring style shares with Sphinx; mkdocstrings renders the role's name literally
(``:func:<code>...</code>``). This hook drops the role names from the rendered pages.
"""

import re

_ROLES = "func|class|mod|meth|data|attr|exc|obj|py:\\w+"
_ROLE = re.compile(rf":(?:{_ROLES}):(<code>)")  # the role before a rendered code span
_RAW = re.compile(rf":(?:{_ROLES}):`([^`<]+)`")  # a role left raw inside a code span (parameter types)


def on_page_content(html, **kwargs):
    return _RAW.sub(r"\1", _ROLE.sub(r"\1", html))
