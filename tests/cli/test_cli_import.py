"""``specclient import`` through the real entry point: warnings summarised by kind (all with
--verbose), and a document fetched from a URL (a loopback server, never the internet)."""

from __future__ import annotations

import functools
import subprocess
import sys
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest
from support.batch_support import cli_env
from support.openapi_support import ingram_document

SMALL = """openapi: 3.0.3
info: {title: Small, version: "1"}
servers: [{url: "https://small.example.test/v1"}]
paths:
  /things/{id}:
    get:
      operationId: getThing
      parameters:
        - {name: id, in: path, required: true, schema: {type: string, format: snowflake}}
        - {name: q, in: query, schema: {type: string, format: galaxy}}
      responses:
        "200":
          description: ok
          headers: {X-Rate: {schema: {type: integer}}}
          content: {application/json: {schema: {type: object}}}
"""


def importer(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "specclient", "import", *args],
                          env=cli_env(), capture_output=True, text=True, timeout=120)


def test_warnings_are_counted_by_kind_with_an_example_and_listed_with_verbose(tmp_path):
    doc = tmp_path / "small.yaml"
    doc.write_text(SMALL)
    res = importer(str(doc), "--service", "small", "--out", str(tmp_path / "out"))
    assert res.returncode == 0, res.stderr
    lines = res.stderr.splitlines()
    assert lines[0] == "3 warnings of 2 kinds (--verbose lists each):"
    assert lines[1] == "      2 x unknown format …"
    assert lines[2].startswith("          e.g. ") and "#/paths/" in lines[2]
    assert lines[3].startswith("      1 x response headers … are not carried over")
    assert lines[-1].startswith("imported 1 operation into ")
    verbose = importer(str(doc), "--service", "small", "--out", str(tmp_path / "v"),
                       "--verbose")
    assert sum(line.startswith("warning: ") for line in verbose.stderr.splitlines()) == 3


@pytest.mark.skipif(ingram_document() is None, reason="the shared reference folder is absent")
def test_ingram_document_summary_and_verbose_count(tmp_path):
    res = importer(str(ingram_document()), "--service", "xi", "--out", str(tmp_path))
    assert res.returncode == 0, res.stderr
    head = res.stderr.splitlines()[0]
    total = int(head.split()[0])
    assert head.endswith("(--verbose lists each):") and len(res.stderr.splitlines()) < 80
    verbose = importer(str(ingram_document()), "--service", "xi2", "--out", str(tmp_path),
                       "--verbose")
    assert sum(line.startswith("warning: ") for line in verbose.stderr.splitlines()) == total


def test_a_url_is_fetched_and_imported(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    (site / "small.yaml").write_text(SMALL)
    handler = functools.partial(SimpleHTTPRequestHandler, directory=str(site))
    handler.log_message = lambda *a: None  # type: ignore[method-assign]
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{httpd.server_address[1]}"
    try:
        res = importer(f"{url}/small.yaml", "--service", "small", "--out", str(tmp_path / "o"))
        missing = importer(f"{url}/nope.yaml", "--service", "small", "--out", str(tmp_path))
    finally:
        httpd.shutdown()
        httpd.server_close()
    assert res.returncode == 0, res.stderr
    assert (tmp_path / "o" / "small" / "operations" / "get_thing.yaml").is_file()
    assert f"{url}/small.yaml:" in res.stderr  # warnings name the URL
    assert missing.returncode == 2 and f"{url}/nope.yaml: HTTP 404" in missing.stderr
