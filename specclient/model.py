"""The parsed, checked form of services and operations (what the loader produces)."""

from __future__ import annotations

import functools
import re
from typing import TYPE_CHECKING, Any

from .record import Record

if TYPE_CHECKING:  # types only: the model is data, read by the stages that act on it
    from .auth import AuthScheme
    from .pagination import Pagination
    from .signing.base import Signer

__all__ = ["Service", "Operation", "Parameter", "Body", "ResponseSpec", "python_name", "is_binary",
           "RESERVED_ARGS"]

#: Keyword arguments of ``Client.call`` itself; no parameter may take these names.
RESERVED_ARGS = frozenset({"body", "timeout", "response_validation", "raise_for_status",
                           "extra_headers", "environment", "base_url"})

JSON_TYPES = re.compile(r"^application/(?:[\w.+-]*\+)?json$")


def python_name(name: str) -> str:
    """The keyword-argument name of a parameter: ``x-hub-signature`` -> ``x_hub_signature``,
    ``petId`` -> ``pet_id``, ``X-Request-ID`` -> ``x_request_id``."""
    out = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name.strip())
    out = re.sub(r"\W+", "_", out).lower()
    if out and out[0].isdigit():
        out = "_" + out
    return out or "_"


@functools.lru_cache(maxsize=256)
@functools.lru_cache(maxsize=512)  # a few content types, asked on every call
def is_json(content_type: str | None) -> bool:
    """Whether a Content-Type is JSON (``application/json``, ``application/x+json``...)."""
    if not content_type:
        return False
    return bool(JSON_TYPES.match(content_type.split(";", 1)[0].strip().lower()))


#: Content types whose bodies are text even without a charset; every other type that is not
#: JSON, ``text/*`` or ``+xml`` and names no charset is binary and comes back as bytes.
TEXT_TYPES = frozenset({
    "application/xml", "application/x-www-form-urlencoded", "application/javascript",
    "application/ecmascript", "application/x-ndjson", "application/jsonl",
    "application/x-yaml", "application/yaml", "application/graphql", "application/sql",
    "application/x-sh", "application/csv", "application/rtf", "application/ld+json",
})


def is_binary(content_type: str | None) -> bool:
    """Whether a body of ``content_type`` is bytes, not text: ``image/png``, ``application/pdf``,
    ``application/octet-stream``, ``application/zip``, audio, video, fonts... A ``charset``
    parameter always makes it text; no content type at all is not binary (decided by the
    bytes themselves in :func:`decode`)."""
    if not content_type:
        return False
    main, _, params = content_type.partition(";")
    main = main.strip().lower()
    if "charset=" in params.lower() or is_json(main) or main.startswith("text/"):
        return False
    if main.endswith(("+xml", "+yaml", "+text")) or main in TEXT_TYPES:
        return False
    return True


class Parameter(Record):
    """One declared parameter. ``style``: OpenAPI's serialisation style ("" for the location's
    default: form for query, simple for path and header) and ``explode`` (None for the style's
    default); see :mod:`specclient.prepare.styles`."""

    __slots__ = ("name", "location", "required", "schema", "python_name", "description",
                 "default", "has_default", "example", "deprecated", "style", "explode")
    _fields = __slots__

    def __init__(self, name: str, location: str, required: bool, schema: Any,
                 python_name: str, description: str = "", default: Any = None,
                 has_default: bool = False, example: Any = None, deprecated: bool = False,
                 style: str = "", explode: bool | None = None):
        self.name = name
        self.location = location  # path | query | header
        self.required = required
        self.schema = schema
        self.python_name = python_name
        self.description = description
        self.default = default
        self.has_default = has_default
        self.example = example
        self.deprecated = deprecated
        self.style = style
        self.explode = explode


class Body(Record):
    """The declared request body."""

    __slots__ = ("content_type", "required", "schema", "example", "description", "encoding")
    _fields = __slots__

    def __init__(self, content_type: str, required: bool, schema: Any, example: Any = None,
                 description: str = "", encoding: dict[str, Any] | None = None):
        self.content_type = content_type
        self.required = required
        self.schema = schema
        self.example = example
        self.description = description
        #: a form body's fields' ``style``/``explode`` (see :mod:`specclient.prepare.form`)
        self.encoding: dict[str, Any] = encoding or {}

    @property
    def is_json(self) -> bool:
        return is_json(self.content_type)


class ResponseSpec(Record):
    """One declared response: ``status`` is "200", "2XX" or "default"."""

    __slots__ = ("status", "description", "content_type", "schema", "example")
    _fields = __slots__

    def __init__(self, status: str, description: str = "", content_type: str | None = None,
                 schema: Any = None, example: Any = None):
        self.status = status
        self.description = description
        self.content_type = content_type
        self.schema = schema
        self.example = example


class Service(Record):
    """One service. ``redirects``: which redirects calls follow: same_origin (default),
    cross_origin or never (see :mod:`specclient.transport.redirects`).
    ``allow_insecure_http``: credentials may go over plain http to other machines (an
    explicit, logged opt-out)."""

    __slots__ = ("name", "folder", "file", "title", "description", "environments",
                 "default_environment", "auth", "signing", "defaults", "docs", "redirects",
                 "allow_insecure_http")
    _fields = __slots__

    def __init__(self, name: str, folder: str, file: str, title: str, description: str,
                 environments: dict[str, str], default_environment: str,
                 auth: dict[str, AuthScheme], signing: dict[str, Signer],
                 defaults: dict[str, Any], docs: str = "", redirects: str = "same_origin",
                 allow_insecure_http: bool = False):
        self.name = name
        self.folder = folder
        self.file = file
        self.title = title
        self.description = description
        self.environments = environments
        self.default_environment = default_environment
        self.auth = auth
        self.signing = signing
        self.defaults = defaults
        self.docs = docs
        self.redirects = redirects
        self.allow_insecure_http = allow_insecure_http

    def base_url(self, environment: str | None = None) -> str:
        env = environment if environment in self.environments else self.default_environment
        return self.environments[env].rstrip("/")


class Operation(Record):
    """One operation. ``max_response_bytes``: the largest response body read (None: the
    client's, else the default); ``pagination``: how its answers page (None: they do not),
    see :mod:`specclient.pagination`."""

    _fields = ("service", "name", "file", "method", "path", "summary", "description",
               "aliases", "tags", "parameters", "body", "responses", "auth", "signing",
               "idempotent", "timeout", "retries", "max_response_bytes", "deprecated",
               "pagination")

    def __init__(self, service: Service, name: str, file: str, method: str, path: str,
                 summary: str = "", description: str = "", aliases: list[str] | None = None,
                 tags: list[str] | None = None, parameters: list[Parameter] | None = None,
                 body: Body | None = None, responses: dict[str, ResponseSpec] | None = None,
                 auth: list[AuthScheme] | None = None, signing: list[Signer] | None = None,
                 idempotent: bool = False, timeout: Any = None,
                 retries: dict[str, Any] | None = None, max_response_bytes: int | None = None,
                 deprecated: bool = False, pagination: Pagination | None = None):
        self.service = service
        self.name = name  # short name, e.g. order_status
        self.file = file
        self.method = method
        self.path = path
        self.summary = summary
        self.description = description
        self.aliases: list[str] = aliases if aliases is not None else []
        self.tags: list[str] = tags if tags is not None else []
        self.parameters: list[Parameter] = parameters if parameters is not None else []
        self.body = body
        self.responses: dict[str, ResponseSpec] = responses if responses is not None else {}
        self.auth: list[AuthScheme] = auth if auth is not None else []
        self.signing: list[Signer] = signing if signing is not None else []
        self.idempotent = idempotent
        self.timeout = timeout
        self.retries: dict[str, Any] = retries if retries is not None else {}
        self.max_response_bytes = max_response_bytes
        self.deprecated = deprecated
        self.pagination = pagination

    @functools.cached_property
    def full_name(self) -> str:
        """``service.operation`` (worked out once: it names the operation in every call)."""
        return f"{self.service.name}.{self.name}"

    @functools.cached_property
    def parameters_by_name(self) -> dict[str, Parameter]:
        """The parameters by their spec names (worked out once)."""
        return {p.name: p for p in self.parameters}

    def parameter(self, python_or_spec_name: str) -> Parameter | None:
        for p in self.parameters:
            if python_or_spec_name in (p.python_name, p.name):
                return p
        return None

    def response_for(self, status: int) -> ResponseSpec | None:
        """The declared response for a status: exact, then ``2XX``-style, then ``default``."""
        return (self.responses.get(str(status)) or self.responses.get(f"{status // 100}XX")
                or self.responses.get("default"))

    def __repr__(self) -> str:
        return f"<Operation {self.full_name}: {self.method} {self.path}>"
