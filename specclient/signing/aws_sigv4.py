"""``type: aws_sigv4``: AWS Signature Version 4, declared in YAML::

    signing:
      sigv4:
        type: aws_sigv4
        region: us-east-1
        service: execute-api             # the signing name: s3, sqs, execute-api, ...
        access_key_id: AWS_ACCESS_KEY_ID # secrets, named as usual
        secret_access_key: AWS_SECRET_ACCESS_KEY
        session_token: AWS_SESSION_TOKEN # optional: sent (and signed) as X-Amz-Security-Token
        content_sha256: true             # send X-Amz-Content-SHA256 (S3 requires it)
        location: header                 # or query: a presigned URL (X-Amz-Signature=...)

The canonical request (method, canonical URI, sorted and re-encoded query, every header of the
request but a few hop-by-hop ones, lower-cased and trimmed, with ``host``, the signed header
names, the body's SHA-256 or ``UNSIGNED-PAYLOAD``), the string to sign and the key derived
from the secret, date, region and service, as AWS documents them ("Create a signed AWS API
request"). The same rule verifies a received request: recomputed from it and compared in
constant time, its date within ``tolerance_seconds`` (default 900, AWS's own 15 minutes).
"""

from __future__ import annotations

import hashlib
import hmac
import math
import re
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from ..credentials import Credentials
from ..errors import SpecError, WebhookVerificationError
from ..request import PreparedRequest
from .base import Signer, register_signer
from .message import HeaderLookup

__all__ = ["AwsSigV4Signer", "ALGORITHM", "UNSIGNED_PAYLOAD", "signing_key", "canonical_query",
           "canonical_uri"]

ALGORITHM = "AWS4-HMAC-SHA256"
UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD"
#: AWS's own limit on a signed request's clock skew: 15 minutes.
DEFAULT_TOLERANCE = 900.0
#: Headers never signed: hop-by-hop, or changed by proxies and clients (as AWS's SDKs do).
UNSIGNED_HEADERS = frozenset({"authorization", "user-agent", "expect", "transfer-encoding",
                              "x-amzn-trace-id", "connection", "content-length"})

_NAME = {"type": "string", "pattern": "^[A-Za-z_][A-Za-z0-9_]*$"}
_AMZ_DATE = re.compile(r"[0-9]{8}T[0-9]{6}Z", re.ASCII)
_AUTHORIZATION = re.compile(
    r"AWS4-HMAC-SHA256 +Credential=([^,\s]+), *SignedHeaders=([a-z0-9\-;._~]+), *"
    r"Signature=([0-9a-f]{64})", re.ASCII)


def _hmac(key: bytes, text: str) -> bytes:
    return hmac.new(key, text.encode("utf-8"), hashlib.sha256).digest()


def signing_key(secret: str, date: str, region: str, service: str) -> bytes:
    """kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service),
    "aws4_request")."""
    key = _hmac(("AWS4" + secret).encode("utf-8"), date)
    return _hmac(_hmac(_hmac(key, region), service), "aws4_request")


def _remove_dot_segments(path: str) -> str:
    """RFC 3986 section 5.2.4, with empty segments dropped too (``//`` is ``/``), as AWS
    services other than S3 read a path."""
    out: list[str] = []
    for segment in path.split("/"):
        if segment in ("", "."):
            continue
        if segment == "..":
            if out:
                out.pop()
        else:
            out.append(segment)
    if not out:
        return "/"
    return "/" + "/".join(out) + ("/" if path.endswith("/") else "")


def canonical_uri(path: str, normalize: bool) -> str:
    """The path as signed: normalised and URI-encoded again (each ``%`` of the path as sent
    becomes ``%25``), or, for S3 (``normalize`` false), as sent."""
    if not path:
        return "/"
    if not normalize:
        return path
    return quote(_remove_dot_segments(path), safe="/~")


def canonical_query(query: str, skip: str | None = None) -> str:
    """The query string as signed: each name and value decoded and encoded again (every byte
    but ``A-Za-z0-9-_.~`` as ``%XX``), sorted by name, then value; ``skip``: a name left out
    (``X-Amz-Signature`` of a presigned URL)."""
    pairs = []
    for piece in query.split("&"):
        if not piece:
            continue
        name, _, value = piece.partition("=")
        name = unquote(name)
        if name == skip:
            continue
        pairs.append((quote(name, safe="-_.~"), quote(unquote(value), safe="-_.~")))
    return "&".join(f"{k}={v}" for k, v in sorted(pairs))


def _host(url: str) -> str:
    """The ``host`` header a client sends for ``url``: lower-case, port only when not the
    scheme's default, IPv6 in brackets."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    port = parts.port
    if port is not None and port != {"http": 80, "https": 443}.get(parts.scheme.lower()):
        host = f"{host}:{port}"
    return host


def _trim(value: str) -> str:
    return " ".join(value.split())


def _amz_time(text: str) -> float:
    import calendar  # only to read a received date (start-up)

    return float(calendar.timegm(time.strptime(text, "%Y%m%dT%H%M%SZ")))


@register_signer
class AwsSigV4Signer(Signer):
    """``type: aws_sigv4`` -- AWS Signature Version 4, in the ``Authorization`` header or as a
    presigned URL (``location: query``)."""

    type = "aws_sigv4"
    spec_schema = {
        "additionalProperties": False,
        "required": ["region", "service", "access_key_id", "secret_access_key"],
        "properties": {
            "region": {"type": "string", "minLength": 1},
            "service": {"type": "string", "minLength": 1,
                        "description": "The signing name: s3, sqs, execute-api, ..."},
            "access_key_id": _NAME,
            "secret_access_key": _NAME,
            "session_token": _NAME,
            "location": {"enum": ["header", "query"]},
            "expires_seconds": {"type": "integer", "minimum": 1, "maximum": 604800},
            "content_sha256": {"type": "boolean",
                               "description": "Send X-Amz-Content-SHA256 (S3 requires it; "
                                              "default: true for service s3)."},
            "unsigned_payload": {"type": "boolean",
                                 "description": "Sign UNSIGNED-PAYLOAD instead of the body's "
                                                "hash (default: for a presigned S3 URL)."},
            "normalize_path": {"type": "boolean",
                               "description": "Normalise and encode the path again (every "
                                              "service but S3, the default)."},
            "tolerance_seconds": {"type": "number", "minimum": 0},
        },
    }

    def __init__(self, name: str, decl: Mapping[str, Any], file: str = "<spec>",
                 line: int | None = None):
        super().__init__(name, decl, file, line)
        self.region: str = decl["region"]
        self.service: str = decl["service"]
        self.location: str = decl.get("location", "header")
        s3 = self.service == "s3"
        self.presigned = self.location == "query"
        if self.presigned and "content_sha256" in decl:
            raise SpecError.at(file, line, f"signing rule {name!r}: content_sha256 is a "
                                           "header; a presigned URL (location: query) sends "
                                           "none")
        if not self.presigned and "expires_seconds" in decl:
            raise SpecError.at(file, line, f"signing rule {name!r}: expires_seconds is for a "
                                           "presigned URL (location: query)")
        self.content_sha256: bool = decl.get("content_sha256", s3 and not self.presigned)
        self.unsigned_payload: bool = decl.get("unsigned_payload", s3 and self.presigned)
        self.normalize_path: bool = decl.get("normalize_path", not s3)
        self.expires: int = int(decl.get("expires_seconds", 3600))
        self.tolerance = float(decl.get("tolerance_seconds", DEFAULT_TOLERANCE))
        self.access_key_id: str = decl["access_key_id"]
        self.secret_access_key: str = decl["secret_access_key"]
        self.session_token: str | None = decl.get("session_token")
        #: The time source (Unix seconds) when ``sign`` is given none; tests replace it.
        self.clock: Callable[[], float] = time.time

    # -- what it declares

    @property
    def header(self) -> str:
        return "X-Amz-Signature (query)" if self.presigned else "Authorization"

    def headers(self) -> list[str]:
        if self.presigned:
            return []
        out = ["Authorization", "X-Amz-Date"]
        if self.content_sha256:
            out.append("X-Amz-Content-SHA256")
        if self.session_token:
            out.append("X-Amz-Security-Token")
        return out

    def secret_names(self) -> list[str]:
        names = [self.access_key_id, self.secret_access_key]
        return names + ([self.session_token] if self.session_token else [])

    def verification_secrets(self, lookup: Callable[[str], Sequence[str]]) -> list[str]:
        """A receiver needs the secret access key(s) only: the access key id is read from the
        request (and is part of what is signed)."""
        return list(lookup(self.secret_access_key))

    def describe(self) -> str:
        return (f"AWS Signature Version 4 (region {self.region}, service {self.service}) with "
                f"{self.access_key_id}/{self.secret_access_key}"
                + (f" and session token {self.session_token}" if self.session_token else "")
                + (f", as a presigned URL valid {self.expires} s" if self.presigned
                   else ", in the Authorization header")
                + ("; payload unsigned" if self.unsigned_payload else "")
                + ("; sends X-Amz-Content-SHA256" if self.content_sha256 else ""))

    # -- the algorithm

    def canonical_request(self, method: str, url: str, headers: Sequence[tuple[str, str]],
                          payload_hash: str, skip_query: str | None = None) -> str:
        """The canonical request: ``headers`` are the (lower-case name, value) pairs signed,
        sorted; ``payload_hash`` the body's hex SHA-256 or ``UNSIGNED-PAYLOAD``."""
        parts = urlsplit(url)
        return "\n".join([
            method.upper(),
            canonical_uri(parts.path, self.normalize_path),
            canonical_query(parts.query, skip_query),
            "".join(f"{name}:{value}\n" for name, value in headers),
            ";".join(name for name, _ in headers),
            payload_hash,
        ])

    def scope(self, date: str) -> str:
        return f"{date}/{self.region}/{self.service}/aws4_request"

    def signature(self, secret: str, amz_date: str, creq: str) -> str:
        string_to_sign = "\n".join([ALGORITHM, amz_date, self.scope(amz_date[:8]),
                                    hashlib.sha256(creq.encode("utf-8")).hexdigest()])
        key = signing_key(secret, amz_date[:8], self.region, self.service)
        return hmac.new(key, string_to_sign.encode("utf-8"), hashlib.sha256).hexdigest()

    def _signed_headers(self, request: PreparedRequest) -> list[tuple[str, str]]:
        found: dict[str, str] = {}
        for name, value in request.headers.items():
            lower = name.lower()
            if lower not in UNSIGNED_HEADERS:
                found[lower] = _trim(value)
        found.setdefault("host", _host(request.sent_url))
        return sorted(found.items())

    # -- signing

    def sign(self, request: PreparedRequest, credentials: Credentials,
             clock: Callable[[], float] | None = None) -> None:
        """Sign ``request``: the headers (or, presigned, the query parameters) it needs, then
        the signature. A caller's own ``Authorization`` header wins (header form)."""
        if not self.presigned and "authorization" in request.explicit_headers:
            return
        op = request.operation
        access_key = credentials.get(self.access_key_id, op)
        secret = credentials.get(self.secret_access_key, op)
        token = credentials.get(self.session_token, op) if self.session_token else None
        request.add_secret(secret)
        now = (clock or self.clock)()
        amz_date = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(now))
        credential = f"{access_key}/{self.scope(amz_date[:8])}"
        body = request.body or b""
        payload = UNSIGNED_PAYLOAD if self.unsigned_payload \
            else hashlib.sha256(body).hexdigest()
        if self.presigned:
            signed = self._signed_headers(request)
            amz = [("X-Amz-Algorithm", ALGORITHM), ("X-Amz-Credential", credential),
                   ("X-Amz-Date", amz_date), ("X-Amz-Expires", str(self.expires)),
                   ("X-Amz-SignedHeaders", ";".join(n for n, _ in signed))]
            if token is not None:
                request.add_secret(token, query="X-Amz-Security-Token")
                amz.append(("X-Amz-Security-Token", token))
            taken = {n.lower() for n, _ in amz} | {"x-amz-signature"}
            request.query = [(k, v) for k, v in request.query if k.lower() not in taken] + amz
            creq = self.canonical_request(request.method, request.sent_url, signed, payload)
            request.query.append(("X-Amz-Signature", self.signature(secret, amz_date, creq)))
            return
        headers = request.headers
        for name in ("Authorization", "X-Amz-Date", "X-Amz-Security-Token"):
            if name in headers:
                del headers[name]
        headers["X-Amz-Date"] = amz_date
        if token is not None:
            request.add_secret(token, header="X-Amz-Security-Token")
            headers["X-Amz-Security-Token"] = token
        if self.content_sha256:
            headers["X-Amz-Content-SHA256"] = payload
        signed = self._signed_headers(request)
        creq = self.canonical_request(request.method, request.sent_url, signed, payload)
        headers["Authorization"] = (f"{ALGORITHM} Credential={credential}, SignedHeaders="
                                    f"{';'.join(n for n, _ in signed)}, Signature="
                                    f"{self.signature(secret, amz_date, creq)}")

    # -- verification: the same computation, over the request received

    MAX_HEADER = 8192

    def verify(self, headers: Mapping[str, str], body: bytes, secrets: Sequence[str], *,
               method: str = "POST", url: str = "", now: float | None = None,
               tolerance: float | None = None, content_type: str | None = None) -> None:
        """Raise WebhookVerificationError(reason) unless the request was signed with one of
        ``secrets`` (secret access keys).

        ``url`` is the URL received (path and query as they arrived; the host is taken from
        the ``Host`` header, else from ``url``). The credential scope must name this rule's
        region and service and the request's date; that date must be within ``tolerance``
        seconds of ``now`` (default: the rule's ``tolerance_seconds``, else 900), and a
        presigned URL must not have expired. A body hash sent in ``X-Amz-Content-SHA256``
        must be the body's (``UNSIGNED-PAYLOAD`` only for a rule with ``unsigned_payload``).
        """
        try:
            self._verify(headers, body, secrets, method, url, now, tolerance)
        except WebhookVerificationError:
            raise
        except (ValueError, TypeError, UnicodeError, OverflowError, KeyError) as exc:
            raise WebhookVerificationError(f"malformed request ({type(exc).__name__})") \
                from None

    def _verify(self, headers: Mapping[str, str], body: bytes, secrets: Sequence[str],
                method: str, url: str, now: float | None, tolerance: float | None) -> None:
        fail = WebhookVerificationError
        if isinstance(secrets, (str, bytes)):
            secrets = [secrets]  # type: ignore[list-item]
        keys = [s.decode("latin-1") if isinstance(s, bytes) else s for s in secrets or ()]
        keys = [k for k in keys if isinstance(k, str) and k]
        if not keys:
            raise fail(f"no secret to verify signing rule {self.name!r} with")
        if not isinstance(body, (bytes, bytearray, memoryview)):
            raise fail("the body must be the raw bytes received")
        raw = bytes(body)
        received = headers if isinstance(headers, HeaderLookup) else HeaderLookup(headers)
        query = urlsplit(url).query
        if self.presigned:
            params: dict[str, str] = {}
            for piece in query.split("&"):
                name, _, value = piece.partition("=")
                params.setdefault(unquote(name), unquote(value))
            for name in ("X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date",
                         "X-Amz-SignedHeaders", "X-Amz-Signature", "X-Amz-Expires"):
                if name not in params:
                    raise fail(f"missing query parameter {name!r}")
            if params["X-Amz-Algorithm"] != ALGORITHM:
                raise fail(f"unknown algorithm {params['X-Amz-Algorithm'][:40]!r}")
            credential, names = params["X-Amz-Credential"], params["X-Amz-SignedHeaders"]
            signature, amz_date = params["X-Amz-Signature"], params["X-Amz-Date"]
            if not re.fullmatch(r"[0-9]{1,6}", params["X-Amz-Expires"], re.ASCII):
                raise fail("malformed query parameter 'X-Amz-Expires'")
            expires = int(params["X-Amz-Expires"])
        else:
            authorization = received.get("Authorization")
            if authorization is None:
                raise fail("missing header 'Authorization'")
            if len(authorization) > self.MAX_HEADER:
                raise fail("header 'Authorization' is too long")
            m = _AUTHORIZATION.fullmatch(authorization.strip())
            if m is None:
                raise fail("malformed header 'Authorization': expected 'AWS4-HMAC-SHA256 "
                           "Credential=..., SignedHeaders=..., Signature=...'")
            credential, names, signature = m.groups()
            got = received.get("X-Amz-Date")
            if got is None:
                raise fail("missing header 'X-Amz-Date'")
            amz_date, expires = got.strip(), 0
        if not _AMZ_DATE.fullmatch(amz_date):
            raise fail(f"malformed date {amz_date[:20]!r}: expected YYYYMMDDTHHMMSSZ")
        scope = credential.split("/")
        if len(scope) != 5 or scope[4] != "aws4_request" or not scope[0]:
            raise fail("malformed credential: expected <access key id>/<date>/<region>/"
                       "<service>/aws4_request")
        if scope[1:4] != [amz_date[:8], self.region, self.service]:
            raise fail(f"credential scope {'/'.join(scope[1:4])!r} does not match "
                       f"{amz_date[:8]}/{self.region}/{self.service}")
        self._check_time(_amz_time(amz_date), expires, now, tolerance)
        signed_names = names.lower().split(";")
        if signed_names != sorted(set(signed_names)) or "host" not in signed_names:
            raise fail("malformed signed headers: they must be sorted, unique and include "
                       "host")
        if not self.presigned and "x-amz-date" not in signed_names:
            raise fail("the signature does not cover header 'X-Amz-Date'")
        signed: list[tuple[str, str]] = []
        for name in signed_names:
            got = received.get(name)
            if got is None and name == "host" and urlsplit(url).hostname:
                got = _host(url)
            if got is None:
                raise fail(f"missing header {name!r}, which the signature covers")
            signed.append((name, _trim(got)))
        digest = hashlib.sha256(raw).hexdigest()
        declared = None if self.presigned else received.get("X-Amz-Content-SHA256")
        if declared is not None and declared != digest and \
                not (declared == UNSIGNED_PAYLOAD and self.unsigned_payload):
            raise fail("header 'X-Amz-Content-SHA256' does not match the body")
        payload = UNSIGNED_PAYLOAD if self.unsigned_payload and declared in (None,
                                                                            UNSIGNED_PAYLOAD) \
            else digest
        creq = self.canonical_request(method, url, signed, payload,
                                      "X-Amz-Signature" if self.presigned else None)
        given = signature.encode("ascii", "backslashreplace")
        for secret in keys:
            if hmac.compare_digest(self.signature(secret, amz_date, creq).encode(), given):
                return
        raise fail("signature mismatch" + ("" if self.presigned
                                           else " in header 'Authorization'"))

    def _check_time(self, signed_at: float, expires: int, now: float | None,
                    tolerance: float | None) -> None:
        tolerance = self.tolerance if tolerance is None else tolerance
        now = time.time() if now is None else now
        if not (math.isfinite(now) and math.isfinite(tolerance)):
            raise WebhookVerificationError("the receiver's clock or tolerance is not a number")
        age = now - signed_at
        if -age > tolerance:
            raise WebhookVerificationError(f"date in the future ({int(-age)} s, tolerance "
                                           f"{tolerance:g} s)")
        if self.presigned:
            if age > expires:
                raise WebhookVerificationError(f"presigned URL expired ({int(age)} s old, "
                                               f"valid {expires} s)")
        elif age > tolerance:
            raise WebhookVerificationError(f"date too old ({int(age)} s, tolerance "
                                           f"{tolerance:g} s)")
