"""``python -m empirical``: the ``advrisk`` command (see :mod:`empirical.cli`)."""

import sys

from empirical.cli import main

sys.exit(main())
