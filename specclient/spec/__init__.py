"""Stage 1 and 2: spec files on disk become :class:`~specclient.model.Operation` objects.

``yamlio`` (YAML with line numbers), ``parsecache`` and ``index`` (caches), ``refs`` (``$ref``
resolution), ``format_schema`` (the JSON Schema of the spec format), ``catalog`` (finding and
loading services and operations) and ``lint`` (every problem of a folder at once).
"""
