"""``python -m astros``: the same as the ``astros`` command."""

import sys

from .cli import main

sys.exit(main())
