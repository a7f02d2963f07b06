"""Stages 3 to 5: ``binding`` (a call's arguments to parameters and body), ``building`` (the
:class:`~specclient.request.PreparedRequest`: URL, headers, body bytes) and ``jsoncodec``."""
