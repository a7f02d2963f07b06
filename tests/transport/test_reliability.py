"""Timeouts, retries, TLS, sessions, errors and response validation (unit level, `responses`)."""

from __future__ import annotations

import email.utils
import json
import logging
import random
import textwrap
import time

import pytest
import requests
import responses
from requests.structures import CaseInsensitiveDict

import specclient
from conftest import CREDS, INGRAM_TOKEN_URL, INGRAM_URL, THIRDWATCH_URL, hub_signature
from specclient.request import PreparedRequest
from specclient.transport.policy import RetryPolicy, parse_retry_after, resolve_timeout
from specclient.transport.send import send_with_retries

BODY = {"_userId": "u1"}


class RecordingSession(requests.Session):
    """A real session that remembers the keyword arguments of every send."""

    def __init__(self) -> None:
        super().__init__()
        self.sent: list[dict] = []

    def send(self, request, **kwargs):  # type: ignore[override]
        self.sent.append(kwargs)
        return super().send(request, **kwargs)


SERVICE = """
service: tiny
environments:
  live: https://tiny.example.com
defaults:
  timeout: {tmo}
"""


def tiny(tmp_path, service_timeout="7", op_timeout=None, op_extra=""):
    folder = tmp_path / "tiny"
    (folder / "operations").mkdir(parents=True)
    (folder / "service.yaml").write_text(SERVICE.format(tmo=service_timeout)
                                         if service_timeout else
                                         SERVICE.replace("defaults:\n  timeout: {tmo}\n", ""))
    op = "method: GET\npath: /ping\nresponses:\n  '200': {schema: {type: object, " \
         "required: [status], properties: {status: {type: string}}}}\n"
    if op_timeout:
        op += f"timeout: {op_timeout}\n"
    (folder / "operations" / "ping.yaml").write_text(op + textwrap.dedent(op_extra))
    return tmp_path


# ------------------------------------------------------------------ timeouts


@pytest.mark.parametrize("service_timeout,op_timeout,client_timeout,call_timeout,expected", [
    ("7", None, None, None, (7.0, 7.0)),                       # the service's default
    ("{connect: 2, read: 9}", None, None, None, (2.0, 9.0)),
    ("7", "{read: 3}", None, None, (7.0, 3.0)),                # the operation's, half of it
    ("7", "4", None, None, (4.0, 4.0)),
    ("7", "4", (1, 2), None, (1.0, 2.0)),                      # the client's
    ("7", "4", (1, 2), 0.5, (0.5, 0.5)),                       # the call's
    (None, None, None, None, (10.0, 30.0)),                    # never None: built-in default
])
def test_timeout_layers(tmp_path, mocked, service_timeout, op_timeout, client_timeout,
                        call_timeout, expected):
    mocked.add(responses.GET, "https://tiny.example.com/ping", json={"status": "ok"})
    session = RecordingSession()
    c = specclient.Client([tiny(tmp_path, service_timeout, op_timeout)], session=session,
                          timeout=client_timeout)
    c.call("tiny.ping", timeout=call_timeout)
    assert session.sent[0]["timeout"] == expected


def test_seed_services_declare_their_timeouts(client, mocked):
    session = RecordingSession()
    c = specclient.Client(credentials=CREDS, session=session)
    mocked.add(responses.POST, THIRDWATCH_URL, json={"status": "OK"})
    c.call("thirdwatch.order_status", body=BODY)
    assert session.sent[0]["timeout"] == (5.0, 30.0)


@pytest.mark.parametrize("bad", [0, -1, "soon", (1, 2, 3), True, {"connect": "x"}])
def test_bad_per_call_timeout_is_an_argument_error(client, mocked, bad):
    with pytest.raises(specclient.ArgumentError) as info:
        client.call("thirdwatch.order_status", body=BODY, timeout=bad)
    assert str(info.value).startswith("thirdwatch.order_status: timeout: ")
    assert info.value.parameter == "timeout"
    assert len(mocked.calls) == 0


def test_bad_client_settings_fail_at_construction():
    with pytest.raises(ValueError, match="timeouts must be positive"):
        specclient.Client(timeout=0)
    with pytest.raises(ValueError, match="unknown retries setting.*'tries'"):
        specclient.Client(retries={"tries": 3})
    with pytest.raises(ValueError, match="attempts must be an integer >= 1"):
        specclient.Client(retries={"attempts": 0})
    with pytest.raises(ValueError, match="statuses must be a list of HTTP status codes"):
        specclient.Client(retries={"statuses": 503})
    with pytest.raises(ValueError, match="backoff must be a number >= 0"):
        specclient.Client(retries={"backoff": "fast"})


def test_resolve_timeout_merges_halves():
    assert resolve_timeout(None, {"read": 3}, {"connect": 1, "read": 9}) == (1.0, 3.0)
    assert resolve_timeout() == (10.0, 30.0)


def test_a_misspelt_timeout_key_is_refused_not_ignored(client):
    """{"conect": 1} must not silently become the 10 s default (retries= refuses typos too)."""
    with pytest.raises(ValueError, match="unknown timeout key.*'conect'"):
        resolve_timeout({"conect": 1, "read": 2})
    with pytest.raises(specclient.ArgumentError, match="conect"):
        client.call("thirdwatch.order_status", body={"_userId": "u"}, timeout={"conect": 1})


# ------------------------------------------------------------------ retry policy


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


class TopRng(random.Random):
    """Full jitter draws uniform(0, cap); this one always draws the cap, to expose it."""

    def uniform(self, a: float, b: float) -> float:
        return b


def raw_request() -> PreparedRequest:
    return PreparedRequest("t.op", "GET", "https://api.example.com", "/x", [],
                           CaseInsensitiveDict(), None)


def run(policy, idempotent=True, clock=None, rng=None):
    clock = clock or FakeClock()
    made: list[int] = []

    def make(attempt: int) -> PreparedRequest:
        made.append(attempt)
        return raw_request()

    sent = send_with_retries("t.op", make, requests.Session(), (1.0, 1.0), policy, idempotent,
                             sleep=clock.sleep, clock=clock, rng=rng or TopRng())
    return sent, clock, made


def test_exponential_backoff_caps_and_bounds_attempts(mocked):
    mocked.add(responses.GET, "https://api.example.com/x", status=503)
    policy = RetryPolicy(attempts=5, backoff=0.5, max_backoff=1.5)
    sent, clock, made = run(policy)
    assert sent.response.status_code == 503 and sent.attempts == 5 and made == [1, 2, 3, 4, 5]
    assert clock.sleeps == [0.5, 1.0, 1.5, 1.5]  # 0.5 * 2^(n-1), capped at max_backoff


def test_full_jitter_draws_between_zero_and_the_cap(mocked):
    mocked.add(responses.GET, "https://api.example.com/x", status=502)
    policy = RetryPolicy(attempts=6, backoff=1.0, max_backoff=100)
    _, clock, _ = run(policy, rng=random.Random(7))
    caps = [1.0, 2.0, 4.0, 8.0, 16.0]
    assert all(0 <= s <= cap for s, cap in zip(clock.sleeps, caps, strict=True))
    assert len(set(clock.sleeps)) == 5  # random, not fixed


@pytest.mark.parametrize("header,expected", [("2", 2.0), ("120", 60.0)])
def test_retry_after_seconds_honoured_and_capped(mocked, header, expected):
    mocked.add(responses.GET, "https://api.example.com/x", status=429,
               headers={"Retry-After": header})
    mocked.add(responses.GET, "https://api.example.com/x", status=200)
    sent, clock, _ = run(RetryPolicy(max_retry_after=60))
    assert sent.response.status_code == 200 and clock.sleeps == [expected]


def test_retry_after_http_date(mocked):
    when = email.utils.formatdate(time.time() + 30, usegmt=True)
    mocked.add(responses.GET, "https://api.example.com/x", status=503,
               headers={"Retry-After": when})
    mocked.add(responses.GET, "https://api.example.com/x", status=200)
    _, clock, _ = run(RetryPolicy())
    assert 25 <= clock.sleeps[0] <= 30


def test_parse_retry_after_forms():
    assert parse_retry_after("7") == 7.0
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0  # in the past
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412470.0) == 10.0
    assert parse_retry_after("soon") is None and parse_retry_after(None) is None


def test_total_time_bound_stops_retrying(mocked):
    mocked.add(responses.GET, "https://api.example.com/x", status=503,
               headers={"Retry-After": "4"})
    sent, clock, _ = run(RetryPolicy(attempts=20, total_timeout=10))
    assert sent.attempts == 3 and clock.sleeps == [4.0, 4.0]  # a third wait would pass 10 s


def test_retry_statuses_are_not_retried_unless_idempotent(mocked):
    mocked.add(responses.GET, "https://api.example.com/x", status=503)
    sent, clock, _ = run(RetryPolicy(), idempotent=False)
    assert sent.attempts == 1 and clock.sleeps == []


def test_spec_retries_layer_under_client_retries(tmp_path, mocked):
    folder = tiny(tmp_path, op_extra="retries: {attempts: 4, backoff: 0}\n")
    mocked.add(responses.GET, "https://tiny.example.com/ping", status=503)
    c = specclient.Client([folder])
    with pytest.raises(specclient.ServerError) as info:
        c.call("tiny.ping")
    assert info.value.attempts == 4 and len(mocked.calls) == 4
    c = specclient.Client([folder], retries={"attempts": 2})
    with pytest.raises(specclient.ServerError):
        c.call("tiny.ping")
    assert len(mocked.calls) == 6


# ------------------------------------------------------------------ seed idempotency


def test_seed_operations_declare_idempotency(client):
    assert client.operation("ingram.order_status_event").idempotent is True
    assert client.operation("thirdwatch.order_status").idempotent is False


def test_ingram_webhook_retried_with_same_bytes_signature_and_token(mocked, ingram_example):
    c = specclient.Client(credentials=CREDS, retries={"backoff": 0})
    mocked.add(responses.POST, INGRAM_TOKEN_URL, json={"access_token": "T1", "expires_in": "60"})
    mocked.add(responses.POST, INGRAM_URL, status=503)
    mocked.add(responses.POST, INGRAM_URL, status=502)
    mocked.add(responses.POST, INGRAM_URL, status=200)
    resp = c.call("ingram.order_status_event", body=ingram_example,
                  targeturl="https://hooks.example.com/x")
    assert resp.attempts == 3
    posts = [call.request for call in mocked.calls if call.request.url == INGRAM_URL]
    assert len(posts) == 3 and len(mocked.calls) == 4  # one token fetch
    want_sig = hub_signature(CREDS["INGRAM_WEBHOOK_SECRET"], ingram_example["eventId"])
    for p in posts:
        assert p.body == posts[0].body
        assert json.loads(p.body) == ingram_example
        assert p.headers["x-hub-signature"] == want_sig
        assert p.headers["Authorization"] == "Bearer T1"


def test_thirdwatch_not_retried_on_503(client, mocked):
    mocked.add(responses.POST, THIRDWATCH_URL, status=503)
    with pytest.raises(specclient.ServerError) as info:
        client.call("thirdwatch.order_status", body=BODY)
    assert len(mocked.calls) == 1 and info.value.attempts == 1


# ------------------------------------------------------------------ sessions and TLS


@pytest.fixture(autouse=True)
def _no_ca_bundle_env(monkeypatch):
    monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)
    monkeypatch.delenv("CURL_CA_BUNDLE", raising=False)


def test_default_session_verifies_tls_and_pools(mocked):
    mocked.add(responses.POST, THIRDWATCH_URL, json={})
    c = specclient.Client(credentials=CREDS)
    session = c.session
    assert isinstance(session, requests.Session) and session.verify is True
    assert session.get_adapter("https://x")._pool_maxsize >= 16
    rec = RecordingSession()
    c2 = specclient.Client(credentials=CREDS, session=rec)
    c2.call("thirdwatch.order_status", body=BODY)
    assert rec.sent[0]["verify"] is True
    c.call("thirdwatch.order_status", body=BODY)
    assert c.session is session  # one session per client, reused


def test_verify_false_only_when_asked(mocked):
    mocked.add(responses.POST, THIRDWATCH_URL, json={})
    rec = RecordingSession()
    specclient.Client(credentials=CREDS, session=rec, verify=False).call(
        "thirdwatch.order_status", body=BODY)
    assert rec.sent[0]["verify"] is False
    own = specclient.Client(credentials=CREDS, verify=False)
    assert own.session.verify is False  # token requests go through it too


def test_user_session_settings_are_kept(mocked, monkeypatch):
    mocked.add(responses.POST, THIRDWATCH_URL, json={})
    rec = RecordingSession()
    rec.verify = "/etc/corp-ca.pem"
    rec.cert = ("/etc/client.pem", "/etc/client.key")  # mTLS
    c = specclient.Client(credentials=CREDS, session=rec)
    c.call("thirdwatch.order_status", body=BODY)
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/etc/env-ca.pem")  # the session's own wins
    c.call("thirdwatch.order_status", body=BODY)
    assert rec.sent[0]["verify"] == rec.sent[1]["verify"] == "/etc/corp-ca.pem"
    assert rec.sent[0]["cert"] == ("/etc/client.pem", "/etc/client.key")
    c.close()
    assert rec.adapters  # not closed: the user owns it


def test_ca_bundle_from_environment(mocked, monkeypatch):
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/etc/env-ca.pem")
    mocked.add(responses.POST, THIRDWATCH_URL, json={})
    rec = RecordingSession()
    specclient.Client(credentials=CREDS, session=rec).call("thirdwatch.order_status", body=BODY)
    assert rec.sent[0]["verify"] == "/etc/env-ca.pem"


# ------------------------------------------------------------------ errors


def test_hierarchy():
    for cls in (specclient.SpecError, specclient.ValidationError, specclient.ApiError,
                specclient.ClientError, specclient.ServerError, specclient.TransportError,
                specclient.TimeoutError, specclient.ConnectionError, specclient.AuthError,
                specclient.WebhookVerificationError, specclient.ResponseDecodeError,
                specclient.ArgumentError, specclient.OperationNotFound):
        assert issubclass(cls, specclient.SpecClientError)
    assert issubclass(specclient.ClientError, specclient.ApiError)
    assert issubclass(specclient.ServerError, specclient.ApiError)
    assert issubclass(specclient.TimeoutError, specclient.TransportError)


def test_api_error_carries_everything_and_hides_echoed_secrets(client, mocked):
    key = CREDS["THIRDWATCH_API_KEY"]
    mocked.add(responses.POST, THIRDWATCH_URL, status=403,
               json={"error": f"key {key} is revoked"}, headers={"X-Request-Id": "r-77"})
    with pytest.raises(specclient.ClientError) as info:
        client.call("thirdwatch.order_status", body=BODY)
    err = info.value
    assert (err.operation, err.status, err.attempts) == ("thirdwatch.order_status", 403, 1)
    assert err.headers["X-Request-Id"] == "r-77"
    # An error body that echoes a credential is scrubbed in .data too: it is printed and logged.
    assert err.data == {"error": "key *** is revoked"}
    assert err.response.http.json() == {"error": f"key {key} is revoked"}  # raw, if you must
    assert str(err) == ("thirdwatch.order_status: HTTP 403 Forbidden from POST "
                        f"{THIRDWATCH_URL}: {{\"error\": \"key *** is revoked\"}}")


def test_api_key_in_query_is_redacted_in_error_url(tmp_path, mocked):
    folder = tmp_path / "q"
    (folder / "operations").mkdir(parents=True)
    (folder / "service.yaml").write_text(
        "environments: {live: 'https://q.example.com'}\n"
        "auth: {k: {type: api_key, in: query, name: key, secret: Q_KEY}}\ndefaults: {auth: k}\n")
    (folder / "operations" / "get.yaml").write_text("method: GET\npath: /x\n")
    c = specclient.Client([tmp_path], credentials={"Q_KEY": "query-secret-99"})
    mocked.add(responses.GET, "https://q.example.com/x?key=query-secret-99", status=500, body="")
    with pytest.raises(specclient.ServerError) as info:
        c.call("q.get")
    assert str(info.value) == ("q.get: HTTP 500 Internal Server Error from GET "
                               "https://q.example.com/x?key=*** (empty body)")


def test_violation_messages_do_not_echo_secrets(tmp_path):
    folder = tmp_path / "v"
    (folder / "operations").mkdir(parents=True)
    (folder / "service.yaml").write_text(
        "environments: {live: 'https://v.example.com'}\n"
        "auth: {k: {type: bearer, secret: V_TOKEN}}\ndefaults: {auth: k}\n")
    (folder / "operations" / "get.yaml").write_text(
        "method: GET\npath: /x\nparameters:\n  X-Version: {in: header, schema: {enum: [v1, v2]}}\n")
    token = "tok-very-secret-123"
    c = specclient.Client([tmp_path], credentials={"V_TOKEN": token})
    with pytest.raises(specclient.ValidationError) as info:
        c.prepare("v.get", x_version=token)  # pasted into the wrong argument
    assert token not in str(info.value)
    assert str(info.value) == ("v.get: invalid request (1 violation); nothing was sent:\n"
                               "  - header.X-Version: '***' is not one of ['v1', 'v2']")


# ------------------------------------------------------------------ response validation

OK = "https://tiny.example.com/ping"


@pytest.fixture
def ping(tmp_path):
    return tiny(tmp_path)


def test_response_validation_default_warns_and_returns(ping, mocked, caplog):
    mocked.add(responses.GET, OK, json={"status": 5})
    c = specclient.Client([ping])
    with caplog.at_level(logging.WARNING, logger="specclient"):
        resp = c.call("tiny.ping")
    assert resp.data == {"status": 5}
    assert caplog.messages == ["tiny.ping: invalid HTTP 200 response (1 violation):\n"
                               "  - response.status: 5 is not of type 'string'"]


def test_response_validation_strict_raises(ping, mocked):
    mocked.add(responses.GET, OK, json={})
    c = specclient.Client([ping], response_validation="strict")
    with pytest.raises(specclient.ValidationError) as info:
        c.call("tiny.ping")
    assert info.value.what == "HTTP 200 response"
    assert [str(v) for v in info.value.violations] == ["response.status: required property is "
                                                       "missing"]


def test_response_validation_off_and_per_call(ping, mocked, caplog):
    mocked.add(responses.GET, OK, json={})
    strict = specclient.Client([ping], response_validation="strict")
    with caplog.at_level(logging.WARNING, logger="specclient"):
        assert strict.call("tiny.ping", response_validation="off").data == {}
        assert caplog.messages == []
        assert strict.call("tiny.ping", response_validation="warn").data == {}
        assert len(caplog.messages) == 1
    lax = specclient.Client([ping], response_validation="off")
    with pytest.raises(specclient.ValidationError):
        lax.call("tiny.ping", response_validation="strict")
    with pytest.raises(ValueError, match="response_validation must be one of"):
        lax.call("tiny.ping", response_validation="loud")
    with pytest.raises(ValueError, match="response_validation must be one of"):
        specclient.Client([ping], response_validation="loud")


def test_valid_response_logs_nothing(ping, mocked, caplog):
    mocked.add(responses.GET, OK, json={"status": "ok"})
    with caplog.at_level(logging.WARNING, logger="specclient"):
        specclient.Client([ping], response_validation="strict").call("tiny.ping")
    assert caplog.messages == []


def test_non_json_body_where_json_declared(ping, mocked):
    mocked.add(responses.GET, OK, body=b"\xff\xfenot json", content_type="application/json")
    with pytest.raises(specclient.ResponseDecodeError) as info:
        specclient.Client([ping]).call("tiny.ping")
    assert str(info.value).startswith(
        "tiny.ping: HTTP 200 response body is not JSON (declared application/json; got "
        "Content-Type application/json; 10 bytes): ")


def test_non_json_error_body_keeps_the_api_error(ping, mocked):
    mocked.add(responses.GET, OK, body="<h1>Bad gateway</h1>", status=500,
               content_type="text/html")
    with pytest.raises(specclient.ServerError) as info:
        specclient.Client([ping]).call("tiny.ping")
    assert info.value.data == "<h1>Bad gateway</h1>"


def test_decoded_by_content_type(tmp_path, mocked):
    folder = tiny(tmp_path, op_extra="")
    (folder / "tiny" / "operations" / "raw.yaml").write_text("method: GET\npath: /raw\n")
    c = specclient.Client([folder], response_validation="off")
    mocked.add(responses.GET, "https://tiny.example.com/raw", body="plain words",
               content_type="text/plain")
    mocked.add(responses.GET, "https://tiny.example.com/raw", json={"a": [1]})
    mocked.add(responses.GET, "https://tiny.example.com/raw", body="", status=204)
    assert c.call("tiny.raw").data == "plain words"   # nothing declared: text by its type
    assert c.call("tiny.raw").data == {"a": [1]}       # JSON by its Content-Type
    assert c.call("tiny.raw").data is None             # empty


# ------------------------------------------------------------------ never connected


class FailingSession(requests.Session):
    """Raises ``exc`` for every send and counts the attempts."""

    def __init__(self, exc: Exception) -> None:
        super().__init__()
        self.exc = exc
        self.attempts = 0

    def send(self, request, **kwargs):  # type: ignore[override]
        self.attempts += 1
        raise self.exc


@pytest.mark.parametrize("exc,attempts,error", [
    (requests.exceptions.ConnectTimeout("connect timed out"), 3, specclient.TimeoutError),
    (requests.exceptions.ReadTimeout("read timed out"), 1, specclient.TimeoutError),
    (requests.exceptions.ConnectionError("reset by peer"), 1, specclient.ConnectionError),
    (requests.exceptions.ChunkedEncodingError("IncompleteRead"), 1, specclient.ConnectionError),
])
def test_non_idempotent_retried_only_when_nothing_was_sent(exc, attempts, error):
    session = FailingSession(exc)
    c = specclient.Client(credentials=CREDS, session=session, retries={"backoff": 0})
    with pytest.raises(error) as info:
        c.call("thirdwatch.order_status", body=BODY)
    assert session.attempts == attempts == info.value.attempts
    assert type(info.value) is error
    assert ("not retried" in str(info.value)) is (attempts == 1)


def test_decode_error_excerpt_hides_an_echoed_secret(client, mocked):
    key = CREDS["THIRDWATCH_API_KEY"]
    mocked.add(responses.POST, THIRDWATCH_URL, body=f"<p>bad key {key}</p>",
               content_type="text/html")
    with pytest.raises(specclient.ResponseDecodeError) as info:
        client.call("thirdwatch.order_status", body=BODY)
    assert key not in str(info.value)
    assert str(info.value).endswith("body starts with b'<p>bad key ***</p>'")
