"""Event hooks (request, response, retry, error) with redacted views, a DEBUG line per
attempt, and OpenTelemetry spans per call and per attempt."""

from __future__ import annotations

import logging

import pytest
import responses
from support.schemes import API, CREDS, TOKEN_URL, make_specs

import specclient


@pytest.fixture
def specs(tmp_path):
    return make_specs(tmp_path)


def client_for(specs, **kw):
    return specclient.Client([specs], credentials=CREDS, include_bundled=False, **kw)


def recorder():
    events = []
    return events, events.append


@responses.activate
def test_request_and_response_hooks_see_each_exchange_redacted(specs):
    responses.get(f"{API}/things", json={"ok": 1}, headers={"X-Echo": CREDS["KEY"]})
    events, record = recorder()
    c = client_for(specs, event_hooks={"request": record, "response": [record]})
    c.call("schemes.key_query", q="1")
    req, resp = events
    assert (req.name, req.operation, req.attempt) == ("request", "schemes.key_query", 1)
    assert req.request.url == f"{API}/things?q=1&api_key=***"
    assert req.prepared.url == f"{API}/things?q=1&api_key={CREDS['KEY']}"  # asked for
    assert resp.name == "response" and resp.response.status_code == 200
    assert resp.response.headers["X-Echo"] == "***"
    assert CREDS["KEY"] not in repr(req) + repr(resp)


@responses.activate
def test_a_token_request_is_an_event_too_with_its_secret_hidden(specs):
    responses.post(TOKEN_URL, json={"access_token": "tok-abcdef-1", "expires_in": 3600})
    responses.get(f"{API}/things", json={})
    events, record = recorder()
    c = client_for(specs, event_hooks={"request": record})
    c.call("schemes.oauth_body")
    assert [e.request.url for e in events] == [TOKEN_URL, f"{API}/things"]
    assert CREDS["CSECRET"] not in str(events[0].request.body)
    assert events[1].request.headers["Authorization"] == "Bearer ***"


@responses.activate
def test_the_retry_hook_says_why_and_how_long(specs):
    responses.get(f"{API}/things", status=503, headers={"Retry-After": "0"})
    responses.get(f"{API}/things", json={})
    events, record = recorder()
    c = client_for(specs, event_hooks={"retry": record}, retries={"backoff": 0})
    assert c.call("schemes.none").status_code == 200
    (retry,) = events
    assert retry.attempt == 1 and retry.response.status_code == 503 and retry.delay == 0


@responses.activate
def test_the_error_hook_sees_the_exception_before_it_is_raised(specs):
    responses.get(f"{API}/things", status=404, json={"e": 1})
    events, record = recorder()
    c = client_for(specs)
    c.event_hooks["error"].append(record)  # hooks may be added later
    with pytest.raises(specclient.ClientError):
        c.call("schemes.none")
    with pytest.raises(specclient.ArgumentError):
        c.call("schemes.none", nope=1)
    assert [type(e.error) for e in events] == [specclient.ClientError, specclient.ArgumentError]


@responses.activate
def test_a_hook_that_raises_stops_the_call_before_anything_is_sent(specs):
    def refuse(event):
        raise RuntimeError("not on a Friday")

    c = client_for(specs, event_hooks={"request": refuse})
    with pytest.raises(RuntimeError, match="Friday"):
        c.call("schemes.none")
    assert len(responses.calls) == 0


def test_unknown_events_and_non_callables_are_refused(specs):
    with pytest.raises(ValueError, match="unknown event hook 'requets'"):
        client_for(specs, event_hooks={"requets": print})
    with pytest.raises(TypeError, match="not callable"):
        client_for(specs, event_hooks={"request": "print"})
    c = client_for(specs)
    with pytest.raises(ValueError):
        c.event_hooks["sent"] = []


@responses.activate
def test_each_attempt_is_a_debug_line_with_the_url_redacted(specs, caplog):
    responses.get(f"{API}/things", json={})
    with caplog.at_level(logging.DEBUG, logger="specclient"):
        client_for(specs).call("schemes.key_query")
    lines = [r.getMessage() for r in caplog.records if r.levelno == logging.DEBUG]
    assert any(line.startswith("schemes.key_query: attempt 1: GET "
                               f"{API}/things?api_key=*** -> HTTP 200 in ") for line in lines)
    assert all(CREDS["KEY"] not in line for line in lines)
