"""Pagination declared in YAML, each style against a real server on 127.0.0.1, the mock's
pages, and ``call --all`` through the real entry point."""

from __future__ import annotations

import json
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

import pytest
from support.batch_support import cli, cli_env

import specclient

ITEMS = [{"id": f"it_{i:02d}", "n": i} for i in range(1, 24)]  # 23 items
KEY = "pager-key-123456"


class PagingServer:
    """Answers each paging style from ITEMS; records every request's path and query."""

    def __init__(self):
        self.seen: list[tuple[str, dict[str, str]]] = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def do_GET(self):
                parts = urlsplit(self.path)
                q = dict(parse_qsl(parts.query))
                owner.seen.append((parts.path, q, self.headers.get("X-Key")))
                status, headers, body = owner.answer(parts.path, q)
                raw = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                for k, v in headers.items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(raw)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def answer(self, path, q):
        size = int(q.get("per_page") or q.get("limit") or 10)
        if path in ("/link", "/elsewhere"):
            page = int(q.get("page", 1))
            chunk = ITEMS[(page - 1) * size:page * size]
            links = {}
            if page * size < len(ITEMS):
                host = "http://evil.example" if path == "/elsewhere" else self.url
                links["Link"] = (f'<{host}/link?page={page + 1}&per_page={size}>; rel="next", '
                                 f'<{self.url}/link?page=3>; rel="last"')
            return 200, links, chunk
        if path == "/stripe":
            after = q.get("starting_after")
            start = next(i + 1 for i, it in enumerate(ITEMS) if it["id"] == after) \
                if after else 0
            chunk = ITEMS[start:start + size]
            return 200, {}, {"object": "list", "data": chunk,
                             "has_more": start + size < len(ITEMS)}
        if path == "/slack":
            start = int(q.get("cursor") or 0)
            chunk = ITEMS[start:start + size]
            nxt = str(start + size) if start + size < len(ITEMS) else ""
            return 200, {}, {"ok": True, "members": chunk,
                             "response_metadata": {"next_cursor": nxt}}
        if path == "/header":
            start = int(q.get("cursor") or 0)
            nxt = {"X-Next-Cursor": str(start + size)} if start + size < len(ITEMS) else {}
            return 200, nxt, {"items": ITEMS[start:start + size]}
        if path == "/page":
            page = int(q.get("page", 1))
            return 200, {}, {"results": ITEMS[(page - 1) * size:page * size]}
        if path == "/offset":
            off = int(q.get("offset", 0))
            return 200, {}, {"rows": ITEMS[off:off + size]}
        if path == "/loop":
            return 200, {}, {"data": ITEMS[:2], "next": "same"}
        return 404, {}, {"error": path}

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


SERVICE = """service: pager
environments: {production: "https://pager.example.test"}
auth:
  key: {type: api_key, in: header, name: X-Key, secret: PAGER_KEY}
defaults:
  auth: key
"""


def op(path, pagination, params="", schema="{type: object}"):
    return (f"method: GET\npath: {path}\npagination: {pagination}\n"
            f"parameters:\n  q: {{in: query, schema: {{type: string}}}}\n{params}"
            f'responses: {{"200": {{description: ok, schema: {schema}}}}}\n')


ITEM = "{type: object, properties: {id: {type: string}, n: {type: integer}}}"
OPS = {
    "link": op("/link", "{style: link, size_param: per_page, size: 10}",
               schema=f"{{type: array, items: {ITEM}, example: [{{id: a, n: 1}}]}}"),
    "elsewhere": op("/elsewhere", "{style: link}", schema="{type: array}"),
    "stripe": op("/stripe", "{style: cursor, items: data, cursor: 'body.data[-1].id', "
                            "param: starting_after, has_more: body.has_more, "
                            "size_param: limit, size: 10}",
                 "  starting_after: {in: query, schema: {type: string}}\n"
                 "  limit: {in: query, schema: {type: integer}}\n",
                 schema=f"{{type: object, properties: {{data: {{type: array, items: {ITEM}}}, "
                        f"has_more: {{type: boolean}}}}, example: {{object: list, "
                        f"data: [{{id: cus_1, n: 1}}], has_more: false}}}}"),
    "slack": op("/slack", "{style: cursor, items: members, "
                          "cursor: body.response_metadata.next_cursor, param: cursor}",
                schema="{type: object, example: {ok: true, members: [{id: U1, n: 1}], "
                       "response_metadata: {next_cursor: ''}}}"),
    "header": op("/header", "{style: cursor, items: items, cursor: header.X-Next-Cursor, "
                            "param: cursor}",
                 schema="{type: object, example: {items: [{id: h, n: 1}]}}"),
    "page": op("/page", "{style: page, items: results, param: page, size_param: per_page, "
                        "size: 10}", schema="{type: object, example: {results: [{id: p}]}}"),
    "offset": op("/offset", "{style: offset, items: rows, param: offset, size_param: limit, "
                            "size: 10}", schema="{type: object, example: {rows: [{id: o}]}}"),
    "loop": op("/loop", "{style: cursor, items: data, cursor: body.next, param: c}"),
    "plain": "method: GET\npath: /plain\nresponses: {\"200\": {description: ok}}\n",
}


@pytest.fixture(scope="module")
def specs(tmp_path_factory):
    root = tmp_path_factory.mktemp("pager") / "specs"
    folder = root / "pager"
    (folder / "operations").mkdir(parents=True)
    (folder / "service.yaml").write_text(SERVICE)
    for name, text in OPS.items():
        (folder / "operations" / f"{name}.yaml").write_text(text)
    return root


@pytest.fixture
def server():
    srv = PagingServer()
    yield srv
    srv.close()


@pytest.fixture
def client(specs, server):
    return specclient.Client([specs], credentials={"PAGER_KEY": KEY}, include_bundled=False,
                             base_url=server.url)


@pytest.mark.parametrize("name", ["link", "stripe", "slack", "header", "page", "offset"])
def test_every_style_yields_every_item_in_order_once(client, server, name):
    assert list(client.paginate(f"pager.{name}")) == ITEMS
    assert len(server.seen) == 3  # 10 + 10 + 3
    assert all(key == KEY for _, _, key in server.seen)  # every page authenticated


def test_each_style_asks_for_the_next_page_as_declared(client, server):
    list(client.paginate("pager.stripe", q="x"))
    assert [q for _, q, _ in server.seen] == [
        {"q": "x", "limit": "10"},
        {"q": "x", "limit": "10", "starting_after": "it_10"},
        {"q": "x", "limit": "10", "starting_after": "it_20"}]
    server.seen.clear()
    list(client.paginate("pager.offset"))
    assert [q.get("offset") for _, q, _ in server.seen] == [None, "10", "20"]
    server.seen.clear()
    list(client.paginate("pager.page"))
    assert [q for _, q, _ in server.seen] == [
        {"per_page": "10"}, {"per_page": "10", "page": "2"}, {"per_page": "10", "page": "3"}]


def test_a_link_is_followed_as_given(client, server):
    list(client.paginate("pager.link"))
    assert [q for _, q, _ in server.seen] == [
        {"per_page": "10"}, {"page": "2", "per_page": "10"}, {"page": "3", "per_page": "10"}]


def test_the_callers_page_size_wins_and_ends_paging_on_a_short_page(client, server):
    items = list(client.paginate("pager.stripe", limit=5))
    assert items == ITEMS and len(server.seen) == 5
    assert {q["limit"] for _, q, _ in server.seen} == {"5"}


def test_pages_gives_whole_responses(client):
    pages = list(client.paginate("pager.stripe").pages())
    assert [p.status_code for p in pages] == [200, 200, 200]
    assert [p.data["has_more"] for p in pages] == [True, True, False]
    assert pages[1].url.endswith("starting_after=it_10")


def test_max_items_and_max_pages_stop_early_and_fetch_no_more(client, server):
    assert list(client.paginate("pager.stripe", max_items=12)) == ITEMS[:12]
    assert len(server.seen) == 2
    server.seen.clear()
    assert len(list(client.paginate("pager.slack", max_pages=1))) == 10
    assert len(server.seen) == 1
    with pytest.raises(ValueError, match="max_items"):
        client.paginate("pager.stripe", max_items=0)


def test_nothing_is_fetched_until_iterated(client, server):
    pages = client.paginate("pager.stripe")
    assert server.seen == []
    next(iter(pages))
    assert len(server.seen) == 1


def test_a_link_to_another_origin_is_refused_not_followed(client, server):
    pages = client.paginate("pager.elsewhere").pages()
    first = next(pages)
    assert len(first.data) == 10
    with pytest.raises(specclient.PaginationError, match="another origin"):
        next(pages)
    assert len(server.seen) == 1


def test_a_cursor_that_repeats_stops(client, server):
    assert list(client.paginate("pager.loop")) == ITEMS[:2] * 2
    assert len(server.seen) == 2


def test_an_operation_without_pagination_says_so(client):
    with pytest.raises(specclient.PaginationError, match="declares no pagination"):
        client.paginate("pager.plain")


def test_a_page_that_fails_raises_its_error(specs, server):
    c = specclient.Client([specs], credentials={"PAGER_KEY": KEY}, include_bundled=False,
                          base_url=server.url + "/nowhere")
    with pytest.raises(specclient.ClientError) as err:
        list(c.paginate("pager.stripe"))
    assert err.value.status_code == 404


@pytest.mark.parametrize("name", ["link", "stripe", "slack", "header", "page", "offset"])
def test_the_mock_pages_each_style(specs, name):
    c = specclient.Client([specs], include_bundled=False, mock=True)
    pages = list(c.paginate(f"pager.{name}").pages())
    items = [i for p in pages for i in p.data] if name == "link" else \
        list(c.paginate(f"pager.{name}"))
    assert len(pages) == 3  # 10 + 10 + 5 of the mock's 25
    assert len(items) == 25 and len({json.dumps(i, sort_keys=True) for i in items}) == 25


def test_call_all_streams_json_lines_from_a_real_server(specs, server):
    res = subprocess.run(cli("call", "pager.stripe", "--specs", str(specs), "--base-url",
                             server.url, "--all", "--max-items", "15"),
                         env={**cli_env(), "PAGER_KEY": KEY}, capture_output=True, text=True,
                         timeout=60)
    assert res.returncode == 0, res.stderr
    assert [json.loads(line) for line in res.stdout.splitlines()] == ITEMS[:15]


def test_call_all_with_the_mock_needs_no_account(specs):
    res = subprocess.run(cli("call", "pager.stripe", "--specs", str(specs), "--mock", "--all"),
                         env=cli_env(), capture_output=True, text=True, timeout=60)
    assert res.returncode == 0, res.stderr
    lines = [json.loads(line) for line in res.stdout.splitlines()]
    assert len(lines) == 25 and lines[0] == {"id": "cus_1", "n": 1}
    assert lines[1] == {"id": "cus_1_1", "n": 2}


def test_max_items_without_all_is_a_usage_error(specs):
    res = subprocess.run(cli("call", "pager.stripe", "--specs", str(specs), "--mock",
                             "--max-items", "3"), env=cli_env(), capture_output=True,
                         text=True, timeout=60)
    assert res.returncode == 2 and "add --all" in res.stderr
