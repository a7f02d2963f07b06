"""Sending one operation many times: one call per line of a JSON Lines file.

Input (``lines``):

- ``"body"`` (default): every line is the request body, as JSON.
- ``"call"``: every line is an object ``{"body": ..., "params": {...}, "headers": {...}}``
  (each key optional, no other keys); ``params`` are the operation's parameters, by keyword
  name or spec name. A line carries parameters and a body only: the call's options
  (``base_url``, ``timeout``, ``response_validation``...) come from the caller, and a line that
  names one fails (``"kind": "input"``) without being sent.

Blank lines are skipped. Parameters and headers given to the whole batch apply to every line;
a line's own win.

Output: ``out`` gets one JSON line per input line, in completion order::

    {"line": 3, "ok": true, "status": 200, "attempts": 1, "data": {...}}
    {"line": 4, "ok": false, "status": 422, "attempts": 1, "data": {...}, "error": "HTTP 422"}
    {"line": 5, "ok": false, "status": null, "error": "...", "kind": "transport"}

``failed`` gets every input line whose call failed (after the client's own bounded retries),
exactly as it was, so the file can be fed back as input.

Interruptions and ``resume``
----------------------------
Each result line is written with one ``write`` and flushed as soon as its call completes, and
the files are fsync'ed every second and at the end. Before a request is sent its line number
is appended (and flushed) to a journal, ``OUT.inflight``; the journal is deleted when a run
ends with every started line recorded (Ctrl-C and SIGTERM included: calls in flight are
allowed to finish and are recorded). Whatever goes wrong with one line — an error of any type
while calling, decoding or recording it — becomes that line's recorded failure
(``"kind": "error"``); a worker never dies with a line unrecorded.

With ``resume``, lines that have a result in ``out`` are skipped (successes and failures
alike; re-run failures by feeding ``failed`` back). A line that the journal shows as started
but that has no result was *in flight* when the process died: the server may or may not have
received it. ``in_doubt="auto"`` (default) sends it again only when that is safe — the
operation is declared ``idempotent: true`` or its method is idempotent — and otherwise acts as
``"skip"``. ``"resend"`` always sends it again, so at most one request per worker
(``concurrency``) can be duplicated after a crash. ``"skip"`` never sends it again and records
it as failed (``"kind": "in_doubt"``, and in ``failed``), so nothing is duplicated and nothing
is silently lost. After a process crash (kill -9) this is exact; after an OS crash or power
loss, results written within the last second before it may be lost with the page cache, and
those lines are then treated as never started.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import os
import re
import signal
import sys
import threading
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, TextIO

from .errors import (
    ApiError,
    ArgumentError,
    BatchError,
    ResponseDecodeError,
    SpecClientError,
    TransportError,
    ValidationError,
)
from .model import RESERVED_ARGS
from .prepare.binding import MISSING
from .prepare.jsoncodec import dumps
from .transport.policy import IDEMPOTENT_METHODS

__all__ = ["BatchOptions", "BatchSummary", "run_batch", "parse_rate", "read_results"]

LINE_MODES = ("body", "call")
IN_DOUBT = ("auto", "resend", "skip")
_CALL_KEYS = frozenset({"body", "params", "headers"})
FSYNC_EVERY = 1.0  # seconds
#: The collector threshold the shell's batches run with (:attr:`BatchOptions.gc_threshold`):
#: about a fifth fewer CPU seconds a call at concurrency 64 (bench/, section 6).
BATCH_GC_THRESHOLD = 20_000


def parse_rate(text: str | float) -> float:
    """Calls per second from ``10``, ``10/s``, ``600/m`` or ``3600/h``."""
    if isinstance(text, (int, float)):
        value = float(text)
    else:
        m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(?:/\s*([smh]))?\s*", text)
        if not m:
            raise ValueError("expected N, N/s, N/m or N/h")
        value = float(m.group(1)) / {"s": 1, "m": 60, "h": 3600}[m.group(2) or "s"]
    if value <= 0:
        raise ValueError("the rate must be positive")
    return value


@dataclass
class BatchOptions:
    """How to run a batch; see the module documentation."""

    lines: str = "body"
    concurrency: int = 1
    rate: float | None = None  # calls per second
    out: str | os.PathLike[str] | None = None
    failed: str | os.PathLike[str] | None = None
    resume: bool = False
    in_doubt: str = "auto"
    params: Mapping[str, Any] = field(default_factory=dict)
    headers: Mapping[str, str] = field(default_factory=dict)
    #: what paces the calls instead of ``rate`` (an object with ``async wait(stop)``): e.g. a
    #: rate shared by every worker of a Dask batch (:mod:`specclient.batch_dask`)
    limiter: Any = None
    #: the young-generation threshold of Python's cycle collector while the batch runs
    #: (restored after; None leaves it be). Each call makes a few hundred short-lived objects,
    #: and at the default (700) the collector runs every few calls and, every hundred or so,
    #: walks every object in the process; the shell's batches use :data:`BATCH_GC_THRESHOLD`.
    gc_threshold: int | None = None


@dataclass
class BatchSummary:
    """What a run did. ``results`` holds the result records when there was no ``out`` file."""

    total: int = 0
    skipped: int = 0
    ok: int = 0
    failed: int = 0
    in_doubt: int = 0
    interrupted: bool = False
    elapsed: float = 0.0
    results: list[dict[str, Any]] = field(default_factory=list)

    def describe(self) -> str:
        parts = [f"{self.ok} ok", f"{self.failed} failed"]
        if self.in_doubt:
            parts.append(f"{self.in_doubt} in doubt (not resent)")
        if self.skipped:
            parts.append(f"{self.skipped} already done")
        head = "batch interrupted" if self.interrupted else "batch done"
        return f"{head}: {self.total} lines, " + ", ".join(parts) + f" in {self.elapsed:.1f}s"


def read_results(path: str | os.PathLike[str], *, repair: bool = False) -> dict[int, bool]:
    """``{line: ok}`` for every result recorded in ``path``. With ``repair``, a last line cut
    short by a crash is removed from the file (its call counts as not recorded)."""
    done: dict[int, bool] = {}
    try:
        with open(path, "rb") as fh:
            data = fh.read()
    except FileNotFoundError:
        return done
    end = data.rfind(b"\n") + 1
    if end < len(data) and repair:
        with open(path, "r+b") as fh:
            fh.truncate(end)
            fh.flush()
            os.fsync(fh.fileno())
    for n, raw in enumerate(data[:end].splitlines(), 1):
        if not raw.strip():
            continue
        try:
            rec = json.loads(raw)
            done[int(rec["line"])] = bool(rec["ok"])
        except (ValueError, KeyError, TypeError):
            raise BatchError(f"{os.fspath(path)}:{n}: not a result line of a batch") from None
    return done


def _read_started(path: str) -> set[int]:
    try:
        with open(path, encoding="utf-8") as fh:
            return {int(x) for x in fh.read().split("\n") if x.strip().isdigit()}
    except FileNotFoundError:
        return set()


def _read_input(source: str | os.PathLike[str] | Iterable[str],
                ) -> tuple[Iterator[tuple[int, str]], int | None]:
    """The non-blank lines of ``source``, numbered, read lazily as the batch goes (a file of a
    million lines is never held whole), and how many there are when that is known without
    reading them for the batch (a file: counted first; stdin or an iterator: None)."""
    if isinstance(source, (str, os.PathLike)) and os.fspath(source) != "-":
        path = os.fspath(source)
        try:
            with open(path, encoding="utf-8") as fh:
                total = sum(1 for line in fh if line.strip())
        except (OSError, UnicodeDecodeError) as exc:
            raise BatchError(f"{path}: {getattr(exc, 'strerror', None) or exc}") from None

        def from_file() -> Iterator[tuple[int, str]]:
            with open(path, encoding="utf-8") as fh:
                for n, line in enumerate(fh, 1):
                    if line.strip():
                        yield n, line.rstrip("\r\n")
        return from_file(), total
    lines: Iterable[Any] = sys.stdin if isinstance(source, (str, os.PathLike)) else source
    numbered = ((item if isinstance(item, tuple) else (n, item))  # (line number, text) kept
                for n, item in enumerate(lines, 1))
    total = sum(1 for item in lines if (item[1] if isinstance(item, tuple) else item).strip()) \
        if isinstance(lines, list) else None
    return ((n, text.rstrip("\r\n")) for n, text in numbered if text.strip()), total


class _Output:
    """An append-only JSON Lines file (or an in-memory list), written one whole line at a time
    with one ``write`` call straight to the file (nothing held in a buffer of this process);
    fsync'ed at most every second and on close."""

    def __init__(self, path: str | os.PathLike[str] | None, sink: list[Any] | None = None,
                 truncate: bool = False):
        self._own = path is not None and os.fspath(path) != "-"
        self._stdout: TextIO | None = sys.stdout if path is not None and not self._own else None
        self._fd = -1
        if self._own:
            assert path is not None
            flags = os.O_WRONLY | os.O_CREAT | os.O_APPEND | (os.O_TRUNC if truncate else 0)
            self._fd = os.open(path, flags | getattr(os, "O_BINARY", 0), 0o666)
        self._sink = sink
        self._synced = time.monotonic()

    def write(self, text: str, record: Any = None) -> None:
        if self._fd >= 0:
            data = (text + "\n").encode("utf-8")
            while data:  # a regular file takes it whole; a full disk raises OSError
                data = data[os.write(self._fd, data):]
            now = time.monotonic()
            if now - self._synced > FSYNC_EVERY:
                os.fsync(self._fd)
                self._synced = now
        elif self._stdout is not None:
            self._stdout.write(text + "\n")
            self._stdout.flush()
        elif self._sink is not None:
            self._sink.append(record if record is not None else text)

    def close(self) -> None:
        if self._stdout is not None:
            self._stdout.flush()
        if self._fd >= 0:
            os.fsync(self._fd)
            os.close(self._fd)
            self._fd = -1


class _Limiter:
    """Spaces calls ``1/rate`` seconds apart across all workers (tasks of one event loop)."""

    def __init__(self, rate: float | None):
        self.interval = 1.0 / rate if rate else 0.0
        self.next = time.monotonic()

    def reserve(self) -> float:
        """The next free slot (a monotonic time), taken."""
        now = time.monotonic()
        slot = max(self.next, now)
        self.next = slot + self.interval
        return slot

    async def wait(self, stop: threading.Event) -> None:
        if not self.interval:
            return
        slot = self.reserve()
        while not stop.is_set():
            left = slot - time.monotonic()
            if left <= 0:
                return
            await asyncio.sleep(min(left, 0.1))


class _Progress:
    def __init__(self, stream: TextIO | None, total: int):
        self.stream, self.total, self.start, self.shown = stream, total, time.monotonic(), 0.0

    def update(self, done: int, ok: int, failed: int, final: bool = False) -> None:
        if self.stream is None:
            return
        now = time.monotonic()
        if not final and now - self.shown < 0.1:
            return
        self.shown = now
        elapsed = max(now - self.start, 1e-9)
        rate = done / elapsed
        left = self.total - done
        eta = f"{int(left / rate // 60)}:{int(left / rate % 60):02d}" if rate > 0 else "?"
        width = 30
        filled = int(width * done / self.total) if self.total else width
        bar = "#" * filled + "." * (width - filled)
        self.stream.write(f"\r[{bar}] {done}/{self.total} {rate:.1f}/s ETA {eta} "
                          f"ok {ok} failed {failed}\x1b[K" + ("\n" if final else ""))
        self.stream.flush()


def _result_line(rec: dict[str, Any]) -> str | None:
    """``rec`` as one line of standard JSON (UTF-8 as it is, no NaN), or None when it cannot
    be written so (data nested too deeply for the encoder, or values JSON cannot carry)."""
    try:
        return dumps(rec).decode("utf-8")
    except (ValueError, TypeError, RecursionError):
        return None


def _on_sigterm_interrupt() -> Any:
    """While a batch runs in the main thread, SIGTERM stops it as Ctrl-C does (calls in flight
    finish and are recorded). Returns the handler to restore, or None when not installed."""
    if threading.current_thread() is not threading.main_thread():
        return None

    def interrupt(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    try:
        return signal.signal(signal.SIGTERM, interrupt)
    except (ValueError, OSError):  # no signals here (an embedded interpreter)
        return None


def _restore_sigterm(previous: Any) -> None:
    if previous is not None:
        signal.signal(signal.SIGTERM, previous)


def _split_line(text: str, mode: str) -> tuple[Any, dict[str, Any], dict[str, str]]:
    try:
        value = json.loads(text)
    except ValueError as exc:
        raise BatchError(f"not valid JSON: {exc}") from None
    if mode == "body":
        return value, {}, {}
    if not isinstance(value, dict) or not value or set(value) - _CALL_KEYS:
        raise BatchError('expected {"body": ..., "params": {...}, "headers": {...}} '
                         "(--lines call)")
    params = value.get("params") or {}
    headers = value.get("headers") or {}
    if not isinstance(params, dict) or not isinstance(headers, dict):
        raise BatchError('"params" and "headers" must be objects')

    return value.get("body", MISSING), params, {str(k): str(v) for k, v in headers.items()}


def run_batch(
    client: Any,
    operation: str,
    source: str | os.PathLike[str] | Iterable[str],
    options: BatchOptions | None = None,
    *,
    progress: TextIO | None = None,
) -> BatchSummary:
    """Call ``operation`` once per line of ``source`` (a JSON Lines file, ``-`` for stdin, or
    an iterable of lines, or of ``(line number, text)`` pairs) with ``client`` (a
    :class:`specclient.Client`), as ``options`` say.

    Returns a :class:`BatchSummary`; results go to ``options.out`` (or
    ``BatchSummary.results`` when there is none). Ctrl-C stops taking new lines, lets the calls
    in flight finish and be recorded, and returns with ``interrupted`` set.
    """
    opts = options or BatchOptions()
    if opts.lines not in LINE_MODES:
        raise ValueError(f"lines must be one of {LINE_MODES}")
    if opts.in_doubt not in IN_DOUBT:
        raise ValueError(f"in_doubt must be one of {IN_DOUBT}")
    if opts.concurrency < 1:
        raise ValueError("concurrency must be at least 1")
    if opts.resume and (not opts.out or os.fspath(opts.out) == "-"):
        raise ValueError("resume needs an out file")
    op = client.operation(operation)  # fail early on a wrong name

    skip_in_doubt = opts.in_doubt == "skip" or (
        opts.in_doubt == "auto" and not (op.idempotent or op.method in IDEMPOTENT_METHODS))
    lines, total = _read_input(source)
    summary = BatchSummary(total=total or 0)
    started_at = time.monotonic()

    done: dict[int, bool] = {}
    in_doubt: set[int] = set()
    to_file = opts.out is not None and os.fspath(opts.out) != "-"
    journal_path = f"{os.fspath(opts.out)}.inflight" if to_file else None
    if opts.resume:
        assert opts.out is not None and journal_path is not None
        done = read_results(opts.out, repair=True)
        in_doubt = _read_started(journal_path) - set(done)
    elif to_file and os.path.exists(opts.out) and os.path.getsize(opts.out):
        raise BatchError(f"{os.fspath(opts.out)} already has results: pass --resume to "
                         f"continue that run, or choose another file")

    out = _Output(opts.out, summary.results)
    failed = _Output(opts.failed, None, truncate=True) if opts.failed else None
    # a fresh run starts a fresh journal (a stale one would make lines look in flight)
    journal = _Output(journal_path, truncate=not opts.resume) if journal_path else None
    lock = threading.Lock()
    texts: dict[int, str] = {}  # the lines taken and not yet recorded, for --failed
    inflight: set[int] = set()  # journaled by this run and not yet recorded

    def record(rec: dict[str, Any]) -> None:
        line = _result_line(rec)
        if line is None:  # data that cannot be written as JSON (nested too deeply...)
            rec = {k: v for k, v in rec.items() if k != "data"}
            rec.update(ok=False, kind=rec.get("kind", "error"),
                       error=rec.get("error") or "the response could not be recorded as JSON")
            line = _result_line(rec) or json.dumps(
                {"line": rec["line"], "ok": False, "status": None, "kind": "error",
                 "error": "the result could not be recorded"})
        with lock:
            if rec["ok"]:
                summary.ok += 1
            else:
                if rec.get("kind") == "in_doubt":
                    summary.in_doubt += 1
                else:
                    summary.failed += 1
                if failed is not None:  # before the result: a resume rebuilds this file
                    failed.write(texts[rec["line"]])
            out.write(line, rec)
            texts.pop(rec["line"], None)
            inflight.discard(rec["line"])

    def pending() -> Iterator[tuple[int, str]]:
        """The lines to send, taken one at a time as workers free up. A resumed run rewrites
        --failed from the results already recorded, so it is exact."""
        count = 0
        for n, text in lines:
            count += 1
            if n in done:
                summary.skipped += 1
                if failed is not None and not done[n]:
                    with lock:
                        failed.write(text)
            elif n in in_doubt and skip_in_doubt:
                why = (f"{op.full_name} is not idempotent" if opts.in_doubt == "auto"
                       else "in_doubt=skip")
                texts[n] = text
                record({"line": n, "ok": False, "status": None, "kind": "in_doubt",
                        "error": "sent before an interruption and no result was recorded; "
                                 f"not sent again ({why})"})
            else:
                texts[n] = text
                yield n, text
        summary.total = count

    work = pending()
    stop = threading.Event()
    limiter = opts.limiter if opts.limiter is not None else _Limiter(opts.rate)
    bar = _Progress(progress, (total or 0) - len(done))
    completed = [0]

    async def call_one(n: int, text: str) -> dict[str, Any]:
        try:
            body, params, headers = _split_line(text, opts.lines)
        except BatchError as exc:
            return {"line": n, "ok": False, "status": None, "kind": "input", "error": str(exc)}
        options = sorted(k for k in params if k in RESERVED_ARGS)
        if options:
            return {"line": n, "ok": False, "status": None, "kind": "input",
                    "error": f'"params" may name only the operation\'s parameters; '
                             f"{', '.join(map(repr, options))} "
                             f"{'is a call option' if len(options) == 1 else 'are call options'}"
                             f" (give call options to the whole batch); not sent"}
        params = {**opts.params, **params}
        headers = {**opts.headers, **headers}
        if journal is not None:
            with lock:
                journal.write(str(n))
                inflight.add(n)
        try:
            resp = await aclient.call(op.full_name, body, raise_for_status=False,
                                      extra_headers=headers or None, **params)
        except (ValidationError, ArgumentError) as exc:
            return {"line": n, "ok": False, "status": None, "kind": "validation",
                    "error": str(exc)}
        except TransportError as exc:
            return {"line": n, "ok": False, "status": None, "kind": "transport",
                    "error": str(exc)}
        except ResponseDecodeError as exc:
            return {"line": n, "ok": False, "status": exc.status_code, "kind": "decode",
                    "error": str(exc)}
        except ApiError as exc:  # e.g. a redirect that is not followed
            return {"line": n, "ok": False, "status": exc.status_code, "kind": "api",
                    "error": str(exc)}
        except SpecClientError as exc:
            return {"line": n, "ok": False, "status": None, "kind": "error", "error": str(exc)}
        except Exception as exc:  # noqa: BLE001 - any failure is this line's, never the run's
            return {"line": n, "ok": False, "status": None, "kind": "error",
                    "error": f"unexpected {type(exc).__name__} while calling "
                             f"{op.full_name}; the request may have been sent"}
        rec: dict[str, Any] = {"line": n, "ok": resp.ok, "status": resp.status_code,
                               "attempts": resp.attempts, "data": resp.redacted_data()}
        if not resp.ok:
            rec["kind"] = "api"
            rec["error"] = f"HTTP {resp.status_code}"
        return rec

    n_workers = opts.concurrency if total is None else min(opts.concurrency, total) or 1
    finished = threading.Event()

    async def worker() -> None:
        while not stop.is_set():
            item = next(work, None)
            if item is None:
                return
            n, text = item
            await limiter.wait(stop)
            if stop.is_set():
                return  # taken but never journaled or sent: a resume sends it
            try:
                rec = await call_one(n, text)
            except Exception as exc:  # noqa: BLE001 - e.g. reading the response's fields
                rec = {"line": n, "ok": False, "status": None, "kind": "error",
                       "error": f"unexpected {type(exc).__name__}; the request may have "
                                f"been sent"}
            record(rec)
            with lock:
                completed[0] += 1

    async def main() -> None:
        try:
            await asyncio.gather(*(worker() for _ in range(n_workers)))
        finally:
            await aclient.atransport.aclose()

    def engine() -> None:
        try:
            with _collector(opts.gc_threshold):
                asyncio.run(main())
        finally:
            finished.set()

    # The calls run on the async engine (no thread per request): one event loop, in one thread
    # of its own, so that this thread stays free to take Ctrl-C and SIGTERM.
    aclient = _async_twin(client, n_workers)
    threading.Thread(target=engine, name="specclient-batch", daemon=True).start()
    # Waiting on an Event, not Thread.join: before Python 3.13 a Ctrl-C inside join() could
    # mark a still-running thread as finished.
    previous = _on_sigterm_interrupt()
    try:
        try:
            while not finished.wait(0.1):
                bar.update(completed[0], summary.ok, summary.failed)
        except KeyboardInterrupt:
            summary.interrupted = True
            stop.set()
            finished.wait()  # let the calls in flight finish and be recorded
        bar.update(completed[0], summary.ok, summary.failed, final=True)
    finally:
        _restore_sigterm(previous)
        out.close()
        if failed is not None:
            failed.close()
        if journal is not None:
            journal.close()
            # the journal goes only when every line this run started has its result
            with lock:
                accounted = finished.is_set() and not inflight
            if journal_path and accounted and os.path.exists(journal_path):
                os.unlink(journal_path)
    summary.elapsed = time.monotonic() - started_at
    return summary


@contextlib.contextmanager
def _collector(threshold: int | None) -> Iterator[None]:
    """The cycle collector's young-generation threshold raised to ``threshold`` meanwhile."""
    before = gc.get_threshold()
    if threshold is None or threshold <= before[0]:
        yield
        return
    gc.set_threshold(threshold, *before[1:])
    try:
        yield
    finally:
        gc.set_threshold(*before)


def _async_twin(client: Any, connections: int) -> Any:
    """An :class:`~specclient.AsyncClient` sharing ``client``'s specs, credentials, settings
    and token cache, with ``connections`` connections (the batch's concurrency)."""
    from .aio import AsyncClient  # aiohttp only for a batch (start-up)

    if isinstance(client, AsyncClient):
        return client
    return AsyncClient.twin_of(client, connections=connections)
