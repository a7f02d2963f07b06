"""How the shell shows things: coloured pretty JSON, YAML, raw bytes, status lines, curl.

Colour is used only on a terminal, never when ``NO_COLOR`` is set (https://no-color.org) or
``TERM=dumb``, unless forced with ``--color always``.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import time
from collections.abc import Mapping
from typing import Any, TextIO

__all__ = ["use_color", "render_json", "render", "status_line", "render_headers", "curl_command",
           "strip_ansi", "FORMATS", "Progress"]

FORMATS = ("json", "yaml", "raw")

_RESET = "\x1b[0m"
_KEY = "\x1b[34;1m"      # bold blue
_STR = "\x1b[32m"        # green
_NUM = "\x1b[36m"        # cyan
_LIT = "\x1b[35m"        # magenta: true, false, null
_OK = "\x1b[32;1m"
_WARN = "\x1b[33;1m"
_ERR = "\x1b[31;1m"
_DIM = "\x1b[2m"


def use_color(stream: TextIO, mode: str = "auto") -> bool:
    """Whether to colour ``stream``: ``always``, ``never``, or ``auto`` (a terminal, and
    neither ``NO_COLOR`` nor ``TERM=dumb``)."""
    if mode == "always":
        return True
    if mode == "never" or os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def strip_ansi(text: str) -> str:

    return re.sub(r"\x1b\[[0-9;]*m", "", text)


def _paint(code: str, text: str, color: bool) -> str:
    return f"{code}{text}{_RESET}" if color else text


def render_json(value: Any, *, pretty: bool, color: bool) -> str:
    """JSON text; with ``pretty`` indented by two, with ``color`` ANSI-coloured. Without
    colour the text is exactly ``json.dumps`` (indent 2 when pretty, compact otherwise)."""
    if not color:
        if pretty:
            return json.dumps(value, indent=2, ensure_ascii=False)
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return _colored(value, 0 if pretty else None)


def _colored(value: Any, level: int | None) -> str:
    def dump(v: Any) -> str:
        return json.dumps(v, ensure_ascii=False)

    if isinstance(value, dict) and value:
        if level is None:
            inner = ",".join(f"{_paint(_KEY, dump(str(k)), True)}:{_colored(v, None)}"
                             for k, v in value.items())
            return "{" + inner + "}"
        pad = "  " * (level + 1)
        inner = ",\n".join(f"{pad}{_paint(_KEY, dump(str(k)), True)}: {_colored(v, level + 1)}"
                           for k, v in value.items())
        return "{\n" + inner + "\n" + "  " * level + "}"
    if isinstance(value, list) and value:
        if level is None:
            return "[" + ",".join(_colored(v, None) for v in value) + "]"
        pad = "  " * (level + 1)
        inner = ",\n".join(pad + _colored(v, level + 1) for v in value)
        return "[\n" + inner + "\n" + "  " * level + "]"
    if isinstance(value, (dict, list)):
        return dump(value)
    if isinstance(value, str):
        return _paint(_STR, dump(value), True)
    if value is None or isinstance(value, bool):
        return _paint(_LIT, dump(value), True)
    return _paint(_NUM, dump(value), True)


def render(data: Any, fmt: str, *, pretty: bool, color: bool) -> str:
    """A decoded response body as ``json`` or ``yaml`` text (text bodies are shown as they
    are). Ends with a newline unless empty."""
    if data is None:
        return ""
    if isinstance(data, str):
        return data if data.endswith("\n") else data + "\n"
    if fmt == "yaml":
        import yaml  # PyYAML only when a YAML file is read or written (start-up)

        return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
    return render_json(data, pretty=pretty, color=color) + "\n"


def status_line(status: int, reason: str, operation: str, attempts: int, *,
                color: bool) -> str:
    """``HTTP 200 OK  (thirdwatch.order_status)``, green / yellow / red by status class."""
    code = _OK if status < 300 else _WARN if status < 400 else _ERR
    extra = f", {attempts} attempts" if attempts > 1 else ""
    return (_paint(code, f"HTTP {status} {reason}".rstrip(), color)
            + _paint(_DIM, f"  ({operation}{extra})", color) + "\n")


def render_headers(headers: Mapping[str, str], *, color: bool, prefix: str = "") -> str:
    """One ``Name: value`` line per header, each after ``prefix``."""
    return "".join(f"{prefix}{_paint(_KEY, k, color)}: {v}\n" for k, v in headers.items())


def _quote_bytes(body: bytes) -> tuple[str, bool]:
    """(shell text, piped): a quoted --data-binary argument, or (when the body is not plain
    text, or starts with ``@``, which curl would read as a file name) a ``printf`` command
    whose output is exactly ``body``, to pipe into ``--data-binary @-``."""
    text: str | None
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    if text is not None and "\0" not in text:
        if not text.startswith("@"):
            return shlex.quote(text), False
        return "printf '%s' " + shlex.quote(text), True
    return "printf '%b' " + shlex.quote("".join(f"\\0{b:03o}" for b in body)), True


def curl_command(req: Any, *, show_secrets: bool = False) -> str:
    """The curl command line that sends exactly ``req`` (a :class:`PreparedRequest`):
    method, URL, every header, and the body bytes unchanged. Secrets are ``***`` unless
    ``show_secrets``. Every word is shell-quoted (POSIX sh)."""
    if show_secrets:
        url = req.url
        headers = dict(req.headers.items())
        body = req.body
    else:
        shown = req.redacted()
        url, headers = shown["url"], shown["headers"]
        body = req.body
        if body is not None:
            try:
                body = req.secrets.text(body.decode("utf-8")).encode("utf-8")
            except UnicodeDecodeError:
                pass
    words = ["curl", "--request", req.method, shlex.quote(url)]
    for k, v in headers.items():
        words += ["--header", shlex.quote(f"{k}: {v}" if v != "" else f"{k};")]
    prefix = ""
    if body is not None:
        quoted, piped = _quote_bytes(body)
        if piped:
            prefix = quoted + " | "
            words += ["--data-binary", "@-"]
        else:
            words += ["--data-binary", quoted]
    return prefix + " ".join(words)


class Progress:
    """A one-line progress bar for a download, redrawn on a terminal at most ten times a
    second: bytes so far, and of how many with a percentage and a bar when the size is
    known."""

    WIDTH = 30

    def __init__(self, stream: TextIO, size: int | None):
        self.stream = stream
        self.size = size
        self.total = 0
        self._drawn = 0.0

    def advance(self, n: int) -> None:
        self.total += n
        now = time.monotonic()
        if now - self._drawn >= 0.1:
            self._drawn = now
            self._draw()

    def done(self) -> None:
        self._draw()
        self.stream.write("\n")
        self.stream.flush()

    def _draw(self) -> None:
        got = _human(self.total)
        if self.size:
            share = min(self.total / self.size, 1.0)
            bar = "#" * int(share * self.WIDTH)
            line = f"[{bar:<{self.WIDTH}}] {share:4.0%}  {got} of {_human(self.size)}"
        else:
            line = f"{got}"
        self.stream.write("\r" + line + "\x1b[K")
        self.stream.flush()


def _human(n: int) -> str:
    size = float(n)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if size < 1024 or unit == "GiB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{n} B"  # pragma: no cover - the loop always returns
