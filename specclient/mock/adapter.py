"""The mock as a ``requests`` transport adapter: every request answered in process by a
:class:`~specclient.mock.app.MockApp`, nothing sent to the network. ``Client(mock=True)``
mounts it for ``http://`` and ``https://``."""

from __future__ import annotations

import io
from http import HTTPStatus
from typing import Any

import requests
import urllib3
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict

from .app import MockApp

__all__ = ["MockAdapter"]


def _body_bytes(body: Any) -> bytes:
    if body is None:
        return b""
    if isinstance(body, bytes):
        return body
    if isinstance(body, str):
        return body.encode("utf-8")
    if hasattr(body, "read"):
        data = body.read()
        return data.encode("utf-8") if isinstance(data, str) else data
    return b"".join(c.encode("utf-8") if isinstance(c, str) else c for c in body)


class MockAdapter(BaseAdapter):
    """A ``requests`` transport adapter that answers every request from a :class:`MockApp`,
    in process. Mount it for ``http://`` and ``https://`` and nothing reaches the network::

        session.mount("https://", MockAdapter(app))
    """

    def __init__(self, app: MockApp):
        super().__init__()
        self.app = app

    def send(self, request: requests.PreparedRequest, stream: bool = False,
             timeout: Any = None, verify: Any = True, cert: Any = None,
             proxies: Any = None) -> requests.Response:
        reply = self.app.respond(request.method or "GET", request.url or "",
                                 request.headers, _body_bytes(request.body))
        body = b"" if request.method == "HEAD" else reply.body
        headers = {**reply.headers, "Content-Length": str(len(reply.body))}
        resp = requests.Response()
        resp.status_code = reply.status
        resp.headers = CaseInsensitiveDict(headers)
        # read as a socket's body is: in chunks, through urllib3 (so size caps apply alike)
        resp.raw = urllib3.HTTPResponse(body=io.BytesIO(body), headers=headers,
                                        status=reply.status, preload_content=False,
                                        request_method=request.method,
                                        decode_content=False)
        resp.url = request.url or ""
        resp.request = request
        resp.reason = _phrase(reply.status)
        resp.encoding = requests.utils.get_encoding_from_headers(resp.headers)
        resp.connection = self
        return resp

    def close(self) -> None:
        return None


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""
