"""3. Start-up: wall time of ``specclient call thirdwatch.order_status --dry-run --example``
(THIRDWATCH_API_KEY set, cache warm) against ``python -c "import requests"``, the floor of any
requests-based tool. Each run is a fresh process; the two commands alternate. specclient's
bytecode is compiled first, as a wheel install does (see ``_compile_bytecode``)."""

from __future__ import annotations

import os
import shutil
import statistics
import sys
import tempfile

from .common import CREDS, Figure, show, wall_time

NAME = "startup"


def _command() -> list[str]:
    script = os.path.join(os.path.dirname(sys.executable), "specclient")
    if not os.path.isfile(script):
        script = shutil.which("specclient") or ""
    head = [script] if script else [sys.executable, "-m", "specclient"]
    return head + ["call", "thirdwatch.order_status", "--dry-run", "--example"]


def _wall(cmd: list[str], env: dict[str, str]) -> float:
    return wall_time(cmd, env, timeout=120, quiet_stderr=True)


def _compile_bytecode() -> None:
    """Compile specclient's modules to bytecode, as installing a wheel does. In an editable
    install with PYTHONDONTWRITEBYTECODE set, every start would otherwise compile specclient
    from source while requests (installed from a wheel) loads its bytecode."""
    import compileall

    import specclient

    compileall.compile_dir(os.path.dirname(specclient.__file__), quiet=1)


def run(quick: bool = False) -> list[Figure]:
    runs = 5 if quick else 25
    _compile_bytecode()
    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "SPECCLIENT_CACHE_DIR": cache,
               "THIRDWATCH_API_KEY": CREDS["THIRDWATCH_API_KEY"]}
        env.pop("SPECCLIENT_SPECS", None)
        call = _command()
        floor = [sys.executable, "-c", "import requests"]
        cold = _wall(call, env)  # fills the cache (format check, compiled nothing on disk)
        _wall(floor, env)
        a: list[float] = []
        b: list[float] = []
        for i in range(runs):
            for cmd, out in ((call, a), (floor, b)) if i % 2 else ((floor, b), (call, a)):
                out.append(_wall(cmd, env))
    med_a, med_b = statistics.median(a), statistics.median(b)
    figs = [show(Figure(NAME, "specclient call --dry-run (median, warm cache)", med_a, "s",
                        "python -c 'import requests'", med_b, "<= 1.35x",
                        med_a <= 1.35 * med_b)),
            show(Figure(NAME, "specclient call --dry-run (fastest run)", min(a), "s",
                        "python -c 'import requests' (fastest)", min(b))),
            show(Figure(NAME, "specclient call --dry-run, first run (cold cache)", cold, "s",
                        "python -c 'import requests' (median)", med_b))]
    return figs


if __name__ == "__main__":
    run()
