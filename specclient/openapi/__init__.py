"""OpenAPI import and export: ``specclient import`` and ``specclient export-openapi``.

:func:`import_openapi` turns an OpenAPI 3.0 / 3.1 or Swagger 2.0 document into a specclient
service folder (in memory; :meth:`ImportResult.write` writes it), warning with a JSON pointer
and line about everything it cannot carry over. :func:`export_openapi` writes a service back
out as an OpenAPI 3.1 document. See docs/openapi.md.
"""

from .importer import EXTENSION, ImportResult, ImportWarning, import_openapi, load_document

__all__ = ["EXTENSION", "ImportResult", "ImportWarning", "import_openapi", "load_document"]

from .exporter import export_openapi, openapi_text  # noqa: E402

__all__ += ["export_openapi", "openapi_text"]
