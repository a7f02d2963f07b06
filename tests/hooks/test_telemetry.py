"""OpenTelemetry spans: one per call, one per attempt, no secret in any attribute (skipped
without ``opentelemetry-sdk``, which the test extra installs)."""

from __future__ import annotations

import pytest
import responses
from support.schemes import API, CREDS, make_specs

import specclient


@pytest.fixture
def specs(tmp_path):
    return make_specs(tmp_path)


def client_for(specs, **kw):
    return specclient.Client([specs], credentials=CREDS, include_bundled=False, **kw)


otel_sdk = pytest.importorskip("opentelemetry.sdk.trace")


@pytest.fixture(scope="module")
def exporter():
    from opentelemetry import trace
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    exp = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exp))
    trace.set_tracer_provider(provider)
    return exp


@responses.activate
def test_a_call_is_a_span_and_each_attempt_a_child_span_without_secrets(specs, exporter):
    exporter.clear()
    responses.get(f"{API}/things", status=503)
    responses.get(f"{API}/things", json={})
    client_for(specs, retries={"backoff": 0}).call("schemes.key_query", q="secret-ish")
    spans = exporter.get_finished_spans()
    call = next(s for s in spans if s.name == "specclient schemes.key_query")
    attempts = [s for s in spans if s.name == "GET"]
    assert dict(call.attributes) == {
        "specclient.operation": "schemes.key_query", "http.request.method": "GET",
        "url.template": f"{API}/things", "server.address": "api.example.test",
        "http.response.status_code": 200, "specclient.attempts": 2}
    assert [a.attributes["http.response.status_code"] for a in attempts] == [503, 200]
    assert [a.attributes["specclient.attempt"] for a in attempts] == [1, 2]
    assert all(a.parent.span_id == call.context.span_id for a in attempts)
    text = repr([dict(s.attributes) for s in spans])
    assert CREDS["KEY"] not in text and "secret-ish" not in text


@responses.activate
def test_telemetry_false_makes_no_spans(specs, exporter):
    exporter.clear()
    responses.get(f"{API}/things", json={})
    client_for(specs, telemetry=False).call("schemes.none")
    assert exporter.get_finished_spans() == ()
