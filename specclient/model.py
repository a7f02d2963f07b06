"""The parsed, checked form of services and operations (what the loader produces)."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

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


@dataclass
class Parameter:
    name: str
    location: str  # path | query | header
    required: bool
    schema: Any
    python_name: str
    description: str = ""
    default: Any = None
    has_default: bool = False
    example: Any = None
    deprecated: bool = False
    #: OpenAPI's serialisation style ("" for the location's default: form for query, simple
    #: for path and header) and explode (None for the style's default); see
    #: :mod:`specclient.prepare.styles`.
    style: str = ""
    explode: bool | None = None


@dataclass
class Body:
    content_type: str
    required: bool
    schema: Any
    example: Any = None
    description: str = ""

    @property
    def is_json(self) -> bool:
        return is_json(self.content_type)


@dataclass
class ResponseSpec:
    status: str  # "200", "2XX" or "default"
    description: str = ""
    content_type: str | None = None
    schema: Any = None
    example: Any = None


@dataclass
class Service:
    name: str
    folder: str
    file: str
    title: str
    description: str
    environments: dict[str, str]
    default_environment: str
    auth: dict[str, AuthScheme]
    signing: dict[str, Signer]
    defaults: dict[str, Any]
    docs: str = ""
    #: Which redirects calls follow: same_origin (default), cross_origin or never (see
    #: :mod:`specclient.transport.redirects`).
    redirects: str = "same_origin"
    #: Credentials may go over plain http to other machines (an explicit, logged opt-out).
    allow_insecure_http: bool = False

    def base_url(self, environment: str | None = None) -> str:
        env = environment if environment in self.environments else self.default_environment
        return self.environments[env].rstrip("/")


@dataclass
class Operation:
    service: Service
    name: str  # short name, e.g. order_status
    file: str
    method: str
    path: str
    summary: str = ""
    description: str = ""
    aliases: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    parameters: list[Parameter] = field(default_factory=list)
    body: Body | None = None
    responses: dict[str, ResponseSpec] = field(default_factory=dict)
    auth: list[AuthScheme] = field(default_factory=list)
    signing: list[Signer] = field(default_factory=list)
    idempotent: bool = False
    timeout: Any = None
    retries: dict[str, Any] = field(default_factory=dict)
    #: The largest response body read (None: the client's, else the default).
    max_response_bytes: int | None = None
    deprecated: bool = False
    #: How its answers page (None: they do not); see :mod:`specclient.pagination`.
    pagination: Pagination | None = None

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
