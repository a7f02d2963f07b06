"""Receive Ingram Micro order status webhooks; forward each order's status to Thirdwatch.

A small WSGI application built only on specclient's public API:

1. ``client.verify_webhook("ingram.order_status_event", headers, raw_body)`` checks Ingram's
   ``x-hub-signature`` (HMAC-SHA512 of the event id, with ``INGRAM_WEBHOOK_SECRET``) and
   returns the decoded, schema-validated event -- or raises, and the sender gets 401 (bad or
   missing signature) or 400 (signed, but not a valid order status event);
2. each ``resource[]`` whose ``eventType`` has a Thirdwatch equivalent (below; Ingram's casing
   varies, so matching ignores case) becomes one ``client.call("thirdwatch.order_status",
   ...)`` with ``THIRDWATCH_API_KEY``.

Answers: 200 with a JSON summary; 401/400 as above; 405 for anything but POST; 413 for bodies
over 1 MiB; 502 if Thirdwatch refused or could not be reached (so Ingram delivers again).
A delivery whose ``eventId`` was already forwarded is acknowledged and not forwarded twice:
Thirdwatch's order_status is not idempotent, and Ingram's signature covers only the event id.

Run it (secrets from the environment or the specclient credentials file)::

    INGRAM_WEBHOOK_SECRET=... THIRDWATCH_API_KEY=... python examples/ingram_receiver.py --port 8080
"""

from __future__ import annotations

import argparse
import collections
import json
import logging
import threading
from collections.abc import Callable, Iterable, Mapping
from typing import Any
from wsgiref.simple_server import make_server

import specclient

log = logging.getLogger("ingram_receiver")

INGRAM_OPERATION = "ingram.order_status_event"
THIRDWATCH_OPERATION = "thirdwatch.order_status"
MAX_BODY = 1 << 20

#: Ingram event types (lower-cased, without "im::" and "order_") -> Thirdwatch _orderStatus.
STATUS_MAP = {
    "shipped": "_fulfilled",
    "hold": "_held",
    "backordered": "_held",
    "voided": "_canceled",
    "canceled": "_canceled",
    "cancelled": "_canceled",
    "returned": "_returned",
}


def thirdwatch_status(event_type: Any) -> str | None:
    """The Thirdwatch status of an Ingram event type (``im::order_shipped``, ``IM::SHIPPED``),
    or None when it has none (e.g. ``im::order_invoiced``)."""
    if not isinstance(event_type, str):
        return None
    key = event_type.strip().lower()
    key = key.removeprefix("im::").removeprefix("order_")
    return STATUS_MAP.get(key)


def default_user_id(resource: Mapping[str, Any]) -> str | None:
    """Thirdwatch requires ``_userId``. Replace this with a lookup from your order to your
    user; by default the customer's own order number stands in for it."""
    value = resource.get("customerOrderNumber") or resource.get("orderNumber")
    return str(value) if value else None


def order_status_body(event: Mapping[str, Any], resource: Mapping[str, Any], status: str,
                      user_id: str) -> dict[str, Any]:
    """The Thirdwatch order_status body for one resource of an Ingram event."""
    body: dict[str, Any] = {
        "_userId": user_id,
        "_orderId": str(resource.get("customerOrderNumber") or resource.get("orderNumber")),
        "_orderStatus": status,
        "_source": "_automated",
        "_description": f"Ingram Micro {resource.get('eventType')} for order "
                        f"{resource.get('orderNumber')}",
        "_customInfo": {"ingramOrderNumber": str(resource.get("orderNumber", "")),
                        "ingramEventId": str(event.get("eventId", ""))},
    }
    for line in resource.get("lines") or []:
        for shipment in (line.get("shipmentDetails") or []) if isinstance(line, dict) else []:
            if not isinstance(shipment, dict):
                continue
            for package in shipment.get("packageDetails") or []:
                if isinstance(package, dict) and package.get("trackingNumber"):
                    body["_trackingNumber"] = str(package["trackingNumber"])
                    if shipment.get("carrierName"):
                        body["_trackingMethod"] = str(shipment["carrierName"])
                    return body
    return body


class IngramReceiver:
    """The WSGI application. ``client`` must know INGRAM_WEBHOOK_SECRET and
    THIRDWATCH_API_KEY (``credentials=``, the environment or the credentials file)."""

    def __init__(self, client: specclient.Client,
                 user_id_for: Callable[[Mapping[str, Any]], str | None] = default_user_id,
                 remember: int = 10_000):
        self.client = client
        self.user_id_for = user_id_for
        self._seen: collections.OrderedDict[str, None] = collections.OrderedDict()
        self._remember = remember
        self._lock = threading.Lock()

    def __call__(self, environ: dict[str, Any],
                 start_response: Callable[..., Any]) -> Iterable[bytes]:
        status, payload = self.handle(environ)
        out = json.dumps(payload).encode()
        start_response(status, [("Content-Type", "application/json"),
                                ("Content-Length", str(len(out)))])
        return [out]

    def handle(self, environ: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
        if environ.get("REQUEST_METHOD") != "POST":
            return "405 Method Not Allowed", {"error": "POST only"}
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return "400 Bad Request", {"error": "bad Content-Length"}
        if length > MAX_BODY:
            return "413 Payload Too Large", {"error": "body too large"}
        raw = environ["wsgi.input"].read(length) if length > 0 else b""
        try:
            event = self.client.verify_webhook(INGRAM_OPERATION, wsgi_headers(environ), raw)
        except specclient.WebhookBodyError as exc:
            return "400 Bad Request", {"error": exc.reason}
        except specclient.WebhookVerificationError as exc:
            log.warning("refused a webhook: %s", exc.reason)
            return "401 Unauthorized", {"error": exc.reason}
        event_id = str(event["eventId"])
        with self._lock:
            if event_id in self._seen:
                return "200 OK", {"eventId": event_id, "duplicate": True, "forwarded": []}
        forwarded, skipped = [], []
        for resource in event.get("resource") or []:
            status = thirdwatch_status(resource.get("eventType"))
            user_id = self.user_id_for(resource) if status else None
            if status is None or user_id is None:
                skipped.append(resource.get("eventType"))
                continue
            body = order_status_body(event, resource, status, user_id)
            try:
                self.client.call(THIRDWATCH_OPERATION, body=body)
            except specclient.SpecClientError as exc:
                log.error("forwarding event %s failed: %s", event_id, exc)
                return "502 Bad Gateway", {"error": "forwarding to Thirdwatch failed",
                                           "eventId": event_id}
            forwarded.append({"orderId": body["_orderId"], "status": status})
        with self._lock:
            self._seen[event_id] = None
            while len(self._seen) > self._remember:
                self._seen.popitem(last=False)
        return "200 OK", {"eventId": event_id, "forwarded": forwarded, "skipped": skipped}


def wsgi_headers(environ: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The request headers from a WSGI environ (``HTTP_X_HUB_SIGNATURE`` -> ``X-Hub-Signature``)."""
    headers = []
    for key, value in environ.items():
        if key.startswith("HTTP_"):
            headers.append((key[5:].replace("_", "-").title(), value))
        elif key in ("CONTENT_TYPE", "CONTENT_LENGTH") and value:
            headers.append((key.replace("_", "-").title(), value))
    return headers


def main(argv: list[str] | None = None) -> None:  # pragma: no cover - run by hand
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--profile", help="the specclient credentials profile")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO)
    client = specclient.Client(profile=args.profile)
    with make_server(args.host, args.port, IngramReceiver(client)) as server:
        log.info("listening on http://%s:%d", args.host, args.port)
        server.serve_forever()


if __name__ == "__main__":  # pragma: no cover
    main()
