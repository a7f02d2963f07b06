"""No test touches the developer's own home, cache or config folders: the suite replaces them
before any test module is imported (module-level ``Client()`` objects included)."""

from __future__ import annotations

import os

from conftest import test_home
from specclient.credentials import default_credentials_path
from specclient.spec.index import cache_root

#: Read at import time, as a module-level Client() would read them.
AT_IMPORT = (cache_root(), default_credentials_path(), os.path.expanduser("~"))


def test_cache_config_and_home_at_import_time_are_the_runs_own():
    home = test_home()
    for path in AT_IMPORT:
        assert path is not None and os.path.realpath(path).startswith(os.path.realpath(home))
