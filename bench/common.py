"""Shared helpers of the benchmarks: interleaved timing, the machine, the results table."""

from __future__ import annotations

import gc
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SPECS = os.path.join(REPO, "specs")

#: Fake secrets: the benchmarks never reach a real API.
CREDS = {
    "THIRDWATCH_API_KEY": "tw-key-0123456789",
    "INGRAM_CLIENT_ID": "ingram-client-id-42",
    "INGRAM_CLIENT_SECRET": "ingram-client-secret-xyz",
    "INGRAM_WEBHOOK_SECRET": "ingram-webhook-secret-abc",
}


def ingram_document() -> str | None:
    """Ingram's published OpenAPI document (not shipped with specclient): next to the
    repository in ``../shared/reference/ingram``, or in ``/work/shared/reference/ingram``, or
    where ``INGRAM_OPENAPI`` says."""
    candidates = [os.environ.get("INGRAM_OPENAPI", ""),
                  os.path.join(REPO, "..", "shared", "reference", "ingram",
                               "XI-Resellers-API-Spec.yaml"),
                  os.path.join(REPO, "..", "..", "shared", "reference", "ingram",
                               "XI-Resellers-API-Spec.yaml"),
                  "/work/shared/reference/ingram/XI-Resellers-API-Spec.yaml"]
    for c in candidates:
        if c and os.path.isfile(c):
            return os.path.abspath(c)
    return None


@dataclass
class Figure:
    """One measured figure, with the baseline it is compared to."""

    bench: str
    what: str
    value: float
    unit: str
    baseline: str = ""
    baseline_value: float | None = None
    target: str = ""
    met: bool | None = None
    note: str = ""

    @property
    def ratio(self) -> float | None:
        if self.baseline_value:
            return self.value / self.baseline_value
        return None


def skip(bench: str, what: str, why: str) -> Figure:
    print(f"  SKIPPED {what}: {why}")
    return Figure(bench, what, float("nan"), "", note=f"skipped: {why}")


def fmt(value: float, unit: str) -> str:
    if value != value:  # nan
        return "-"
    if unit == "s" and value < 0.01:
        return f"{value * 1e6:.1f} µs"
    if unit == "s" and value < 1:
        return f"{value * 1e3:.2f} ms"
    if unit == "s":
        return f"{value:.3f} s"
    if unit == "MiB":
        return f"{value:.1f} MiB"
    return f"{value:,.0f} {unit}".strip()


def show(fig: Figure) -> Figure:
    """Print one figure as ``what: value (ratio x baseline) target``."""
    line = f"  {fig.what}: {fmt(fig.value, fig.unit)}"
    if fig.baseline_value is not None:
        line += (f"  = {fig.ratio:.2f}x {fig.baseline} ({fmt(fig.baseline_value, fig.unit)})")
    if fig.target:
        line += f"  target {fig.target}: {'met' if fig.met else 'NOT MET'}"
    if fig.note:
        line += f"  ({fig.note})"
    print(line, flush=True)
    return fig


def interleaved(funcs: dict[str, Callable[[], object]], number: int, repeat: int,
                stat: str = "min") -> dict[str, float]:
    """Seconds per call of each function: ``repeat`` rounds, each timing ``number`` calls of
    every function in turn (so that noise from other processes hits all of them alike); the
    minimum (or median) over the rounds."""
    samples: dict[str, list[float]] = {k: [] for k in funcs}
    for f in funcs.values():  # warm up: first-call costs are measured elsewhere
        f()
    gc_was = gc.isenabled()
    gc.disable()
    try:
        for r in range(repeat):
            order = list(funcs.items())
            if r % 2:
                order.reverse()
            for name, f in order:
                t0 = time.perf_counter()
                for _ in range(number):
                    f()
                samples[name].append((time.perf_counter() - t0) / number)
            gc.collect()
    finally:
        if gc_was:
            gc.enable()
    pick = min if stat == "min" else statistics.median
    return {k: pick(v) for k, v in samples.items()}


def machine() -> str:
    """One line about where the figures were measured."""
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    try:
        load = ", load {:.1f} {:.1f} {:.1f}".format(*os.getloadavg())
    except OSError:
        load = ""
    return (f"{platform.system()} {platform.release()}, {cpu}, {os.cpu_count()} CPUs{load}; "
            f"Python {platform.python_version()} ({platform.python_implementation()})")


def versions(*names: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    out = []
    for n in names:
        try:
            out.append(f"{n} {version(n)}")
        except PackageNotFoundError:
            out.append(f"{n} (not installed)")
    return ", ".join(out)


def wall_time(cmd: list[str], env: dict[str, str] | None = None, timeout: float = 600,
              quiet_stderr: bool = False) -> float:
    """Seconds from starting ``cmd`` to its exit (it must exit 0).

    Not ``subprocess.run(..., timeout=...)``: with a timeout, waiting polls the child with
    sleeps of up to 50 ms, so every measured time is rounded up to the next poll (start-up
    figures came out in steps of 50 ms). Here the wait blocks in the kernel, and a timer kills
    a child that overruns ``timeout``."""
    import threading

    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL if quiet_stderr else None)
    killer = threading.Timer(timeout, proc.kill)
    killer.start()
    try:
        code = proc.wait()
    finally:
        killer.cancel()
    elapsed = time.perf_counter() - t0
    if code != 0:
        raise RuntimeError(f"{cmd[:3]} exited with {code}")
    return elapsed


def run_python(code: str, env: dict[str, str] | None = None, cwd: str | None = None) -> str:
    """Run ``code`` in a fresh interpreter; its stdout."""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env=env, cwd=cwd, timeout=600)
    if out.returncode != 0:
        raise RuntimeError(f"subprocess failed:\n{out.stderr[-2000:]}")
    return out.stdout
