"""``python -m specclient`` — the same as the ``specclient`` command."""

import sys

from .cli import main

sys.exit(main())
