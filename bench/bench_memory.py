"""5. Memory: resident memory (peak RSS, VmHWM) and Python allocations (tracemalloc
peak, from before ``Client()`` to after the call) of a process holding a client of 10 and of
10,000 generated operations after one call; each measurement in its own fresh process."""

from __future__ import annotations

import json
import os
import statistics
import tempfile

from .common import REPO, Figure, run_python, show
from .specgen import make_service, op_name

NAME = "memory"

# VmHWM (the peak RSS of this process image); ru_maxrss would include the parent's peak,
# which a forked child inherits across exec on Linux.
PEAK = """
def peak_rss():
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    import resource, sys
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss if sys.platform == "darwin" else rss * 1024
"""

CODE = PEAK + """
import json, tracemalloc
import specclient
tracemalloc.start()
c = specclient.Client([{folder!r}], include_bundled=False)
c.prepare({op!r}, {{"id": "t-1", "name": "x"}}, thing_id="t-1", dry_run=True)
peak = tracemalloc.get_traced_memory()[1]
tracemalloc.stop()
print(json.dumps([peak_rss(), peak]))
"""

FLOOR = PEAK + """
import json
import specclient
print(json.dumps([peak_rss(), 0]))
"""


def run(quick: bool = False) -> list[Figure]:
    runs = 3 if quick else 7
    figs = []
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "SPECCLIENT_CACHE_DIR": os.path.join(tmp, "cache"),
               "GEN_API_KEY": "gen-key-0123456789"}
        env.pop("SPECCLIENT_SPECS", None)
        res = {}
        for n in (10, 10_000):
            folder = make_service(os.path.join(tmp, f"s{n}"), n)
            code = CODE.format(folder=folder, op=f"gen.{op_name(n // 2)}")
            run_python(code, env=env, cwd=REPO)  # warm the cache
            samples = [json.loads(run_python(code, env=env, cwd=REPO)) for _ in range(runs)]
            res[n] = (statistics.median(s[0] for s in samples),
                      statistics.median(s[1] for s in samples))
        floor = statistics.median(json.loads(run_python(FLOOR, env=env, cwd=REPO))[0]
                                  for _ in range(runs))
    mib = 1024 * 1024
    figs.append(show(Figure(NAME, "peak RSS, 10,000 operations, after 1 call", res[10_000][0] / mib,
                            "MiB", "the same with 10", res[10][0] / mib)))
    figs.append(show(Figure(NAME, "Python allocations (tracemalloc peak), 10,000 operations",
                            res[10_000][1] / mib, "MiB", "the same with 10",
                            res[10][1] / mib)))
    figs.append(show(Figure(NAME, "peak RSS after `import specclient` alone", floor / mib,
                            "MiB")))
    return figs


if __name__ == "__main__":
    run()
