"""A batch beyond one machine: its lines split into partitions, each run by a Dask worker on
the async engine (:func:`specclient.batch.run_batch`), with the same guarantees.

``pip install 'specclient[dask]'``; then ``specclient call OP --batch FILE --dask
tcp://SCHEDULER:8786 --out OUT`` or :func:`run_batch_dask`.

- **Partitions**: contiguous runs of input lines (line numbers kept). Partition K writes its
  results to ``OUT.part-K`` (its failures to ``FAILED.part-K``) and journals each line before
  sending it (``OUT.part-K.inflight``), exactly as a one-machine batch does. ``OUT.dask.json``
  records the partitioning, so that ``--resume`` splits the input the same way. When every
  partition has finished, the parts are joined into ``OUT`` and ``FAILED`` (in partition order)
  and removed. ``OUT`` must be on a filesystem every worker sees (as on one machine, or NFS).
- **A worker that dies**: Dask runs its partition again elsewhere; the partition always
  resumes from its own files, so lines with a result are not sent again, and a line that was
  in flight is in doubt — sent again only when the operation is idempotent (``in_doubt``),
  else recorded as ``in_doubt`` and never duplicated. Lines never sent are sent. If Dask gives
  up on a partition, its parts stay: run again with ``--resume``.
- **Rate**: ``rate`` holds across all workers. One schedule of send slots, ``1/rate`` seconds
  apart, lives on the scheduler (a ``distributed.Variable`` changed under a
  ``distributed.Lock``); each worker takes a block of slots (a quarter of a second's worth) at a
  time and spaces its calls on them, so the whole batch never goes faster than ``rate``.
- **Secrets** are read on each worker from its own environment or credentials file; only the
  ``client_kwargs`` given here travel to the workers (a ``credentials=`` mapping in them would
  travel with the task: prefer the workers' own environment).
"""

from __future__ import annotations

import asyncio
import collections
import json
import math
import os
import shutil
import threading
import time
import uuid
from dataclasses import asdict, replace
from typing import Any

from .batch import BatchOptions, BatchSummary, _read_input, run_batch
from .errors import BatchError

__all__ = ["run_batch_dask", "SharedRate"]


class SharedRate:
    """Send slots ``1/rate`` seconds apart across every worker of one Dask batch: one schedule
    (the next free slot, in Unix time) in a ``distributed.Variable``, changed under a
    ``distributed.Lock``; ``block`` slots are taken at a time, by one task of a process while
    the others wait for them (else each waiting task took a block: the schedule ran ahead
    of the calls, and the batch went far slower than ``rate``). Pickled to the workers."""

    def __init__(self, name: str, rate: float, block: int):
        self.name = name
        self.interval = 1.0 / rate
        self.block = block
        self._slots: collections.deque[float] = collections.deque()
        self._client: Any = None  # the Dask client to reach the scheduler with (per process)
        self._refill: asyncio.Lock | None = None  # made in the event loop that waits

    def __getstate__(self) -> dict[str, Any]:
        return {"name": self.name, "interval": self.interval, "block": self.block}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._slots = collections.deque()
        self._client = None
        self._refill = None

    def bind(self, client: Any) -> SharedRate:
        """Reach the schedule through ``client`` (a worker's: ``distributed.get_client()``),
        from whichever thread the batch's event loop runs in."""
        self._client = client
        return self

    def start(self) -> None:
        """Open the schedule (by the driver, before any partition runs)."""
        from distributed import Variable  # only for a Dask batch

        Variable(self.name, client=self._client).set(time.time())

    def _reserve(self) -> float:
        from distributed import Lock, Variable  # only for a Dask batch

        client = self._client
        with Lock(f"{self.name}-lock", scheduler_rpc=client.scheduler, loop=client.loop):
            schedule = Variable(self.name, client=self._client)
            first = max(float(schedule.get(timeout=30)), time.time())
            schedule.set(first + self.block * self.interval)
        return first

    async def wait(self, stop: threading.Event) -> None:
        while not self._slots:
            if self._refill is None:
                self._refill = asyncio.Lock()
            async with self._refill:  # one block taken at a time, however many tasks wait
                if not self._slots:
                    first = await asyncio.get_running_loop().run_in_executor(None,
                                                                             self._reserve)
                    self._slots.extend(first + i * self.interval for i in range(self.block))
        slot = self._slots.popleft()
        while not stop.is_set():
            left = slot - time.time()
            if left <= 0:
                return
            await asyncio.sleep(min(left, 0.1))


def _run_partition(index: int, lines: list[tuple[int, str]], operation: str,
                   options: dict[str, Any], client_kwargs: dict[str, Any], out: str,
                   failed: str | None, limiter: SharedRate | None) -> dict[str, Any]:
    """One partition, on a worker: always resumed from its own files, so running it again
    after a worker died sends nothing twice."""
    from distributed import get_client  # Dask only on its workers

    from .client import Client  # the client, built on the worker

    if limiter is not None:
        limiter.bind(get_client())  # the task's thread knows its worker's client
    part = f"{out}.part-{index:05d}"
    resume = os.path.exists(part) or os.path.exists(f"{part}.inflight")
    opts = BatchOptions(**options, out=part, resume=resume, limiter=limiter,
                        failed=f"{failed}.part-{index:05d}" if failed else None)
    with Client(**client_kwargs) as client:
        summary = run_batch(client, operation, lines, opts)
    counts = {"ok": 0, "failed": 0, "in_doubt": 0}
    with open(part, encoding="utf-8") as fh:  # every result of this partition, earlier runs'
        for line in fh:                       # (a worker that died) included
            rec = json.loads(line)
            kind = "ok" if rec.get("ok") else (
                "in_doubt" if rec.get("kind") == "in_doubt" else "failed")
            counts[kind] += 1
    return {**counts, "skipped": 0, "interrupted": summary.interrupted}


def run_batch_dask(
    operation: str,
    source: Any,
    options: BatchOptions,
    *,
    scheduler: Any,
    client_kwargs: dict[str, Any] | None = None,
    partitions: int | None = None,
) -> BatchSummary:
    """Run a batch of ``operation`` over ``source`` on a Dask cluster: ``scheduler`` is its
    address (``tcp://host:8786``) or a ``distributed.Client``. ``options.out`` is required (a
    file every worker sees); ``client_kwargs`` build the :class:`~specclient.Client` on each
    worker; ``partitions`` defaults to twice the workers. Returns the summed summary: every
    result recorded, a partition run again after its worker died (or an earlier run resumed)
    included."""
    import distributed  # only for a Dask batch

    if not options.out or os.fspath(options.out) == "-":
        raise BatchError("a Dask batch needs --out FILE on a filesystem every worker sees")
    out = os.path.abspath(os.fspath(options.out))
    failed = os.path.abspath(os.fspath(options.failed)) if options.failed else None
    manifest = f"{out}.dask.json"
    own = not isinstance(scheduler, distributed.Client)
    dask = distributed.Client(scheduler) if own else scheduler
    try:
        workers = max(1, len(dask.scheduler_info().get("workers", {})))
        lines, total = _read_input(source)
        if options.resume:
            if not os.path.exists(manifest):
                raise BatchError(f"{manifest} not found: nothing to resume (or it finished)")
            with open(manifest, encoding="utf-8") as fh:
                count = int(json.load(fh)["partitions"])
        else:
            if os.path.exists(manifest) or (os.path.exists(out) and os.path.getsize(out)):
                raise BatchError(f"{out} already has results: pass --resume to continue that "
                                 f"run, or choose another file")
            count = partitions or 2 * workers
        all_lines = list(lines) if total is None else None
        total = total if total is not None else len(all_lines or [])
        count = max(1, min(count, total or 1))
        with open(manifest, "w", encoding="utf-8") as fh:
            json.dump({"partitions": count, "operation": operation, "lines": total}, fh)
        limiter = None
        if options.rate:
            limiter = SharedRate(f"specclient-rate-{uuid.uuid4().hex}", options.rate,
                                 max(1, math.ceil(options.rate / 4)))
            limiter.bind(dask).start()
        plain = {k: v for k, v in asdict(replace(options, limiter=None)).items()
                 if k not in ("out", "failed", "resume", "limiter")}
        size = math.ceil(total / count) if total else 1
        source_iter = iter(all_lines) if all_lines is not None else lines
        started = time.monotonic()
        futures = []
        for index in range(count):  # each partition read and sent on its own: bounded memory
            chunk = [item for _, item in zip(range(size), source_iter, strict=False)]
            futures.append(dask.submit(_run_partition, index, chunk, operation, plain,
                                       client_kwargs or {}, out, failed, limiter, pure=False,
                                       key=f"specclient-batch-{index}-{uuid.uuid4().hex}"))
        summary = BatchSummary(total=total)
        problems = []
        for index, future in enumerate(futures):
            try:
                part = future.result()
            except Exception as exc:  # noqa: BLE001 - a partition Dask gave up on: resumable
                problems.append(f"partition {index}: {type(exc).__name__}: {exc}")
                continue
            for key in ("skipped", "ok", "failed", "in_doubt"):
                setattr(summary, key, getattr(summary, key) + part[key])
            summary.interrupted |= part["interrupted"]
        summary.elapsed = time.monotonic() - started
        if problems:
            raise BatchError("; ".join(problems) + f" — the parts are kept: run again with "
                                                    f"--resume to finish ({out}.part-*)")
        if not summary.interrupted:
            _join(out, count)
            if failed:
                _join(failed, count)
            os.unlink(manifest)
        return summary
    finally:
        if own:
            dask.close()


def _join(path: str, count: int) -> None:
    """The parts of ``path`` appended to it in partition order, then removed (journals too)."""
    with open(path, "ab") as dest:
        for index in range(count):
            part = f"{path}.part-{index:05d}"
            if os.path.exists(part):
                with open(part, "rb") as src:
                    shutil.copyfileobj(src, dest)
                os.unlink(part)
            if os.path.exists(f"{part}.inflight"):
                os.unlink(f"{part}.inflight")
        dest.flush()
        os.fsync(dest.fileno())
