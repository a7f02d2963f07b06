"""The built-in mock, in process: MockApp through its requests adapter, and Client(mock=True).

Requests here are built by hand with plain `requests` (signatures computed independently with
hmac/hashlib) so that the client's own validation and signing are bypassed: the mock's checks are
what is under test.
"""

from __future__ import annotations

import copy
import json
import socket

import pytest
import requests
import responses

import specclient
from conftest import (
    CREDS,
    INGRAM_SANDBOX,
    INGRAM_TOKEN_URL,
    INGRAM_URL,
    THIRDWATCH_URL,
    hub_signature,
)
from specclient.credentials import Credentials
from specclient.mock import TOKEN_LIFETIME, DemoCredentials, MockAdapter, MockApp, demo_secret
from specclient.spec.catalog import Catalog

TARGET = "https://hooks.example.com/ingram"
TOKEN_LABEL = "ingram.oauth2 token endpoint"


@pytest.fixture
def app():
    return MockApp(Catalog(), Credentials(CREDS, environ={}, file=False))


@pytest.fixture
def http(app):
    s = requests.Session()
    adapter = MockAdapter(app)
    s.mount("http://", adapter)
    s.mount("https://", adapter)
    yield s
    s.close()


@pytest.fixture
def no_network(monkeypatch):
    """Any attempt to open a socket fails the test."""

    def refuse(*args, **kwargs):
        raise AssertionError(f"network access attempted: {args!r}")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)


@pytest.fixture
def example():
    c = specclient.Client()
    return copy.deepcopy(c.operation("ingram.order_status_event").body.example)


def get_token(http, client_id=CREDS["INGRAM_CLIENT_ID"],
              client_secret=CREDS["INGRAM_CLIENT_SECRET"]):
    r = http.post(INGRAM_TOKEN_URL, data={"grant_type": "client_credentials",
                                          "client_id": client_id,
                                          "client_secret": client_secret})
    assert r.status_code == 200, r.text
    return r.json()["access_token"]


def send_event(http, event, token, secret=CREDS["INGRAM_WEBHOOK_SECRET"], url=INGRAM_URL,
               **headers):
    body = json.dumps(event).encode()
    h = {"Content-Type": "application/json", "targeturl": TARGET,
         "x-hub-signature": hub_signature(secret, event["eventId"]),
         "Authorization": f"Bearer {token}"}
    h.update(headers)
    return http.post(url, data=body, headers={k: v for k, v in h.items() if v is not None})


# ---------------------------------------------------------------------- the OAuth2 token endpoint


def test_token_endpoint_issues_a_token(http, app):
    r = http.post(INGRAM_TOKEN_URL, data={"grant_type": "client_credentials",
                                          "client_id": CREDS["INGRAM_CLIENT_ID"],
                                          "client_secret": CREDS["INGRAM_CLIENT_SECRET"]})
    assert r.status_code == 200
    assert r.headers["Content-Type"] == "application/json"
    payload = r.json()
    assert set(payload) == {"access_token", "token_type", "expires_in"}
    assert payload["token_type"] == "Bearer" and payload["expires_in"] == TOKEN_LIFETIME
    assert payload["access_token"].startswith("mock-") and len(payload["access_token"]) > 20
    assert app.tokens_issued == 1
    assert app.token_info(payload["access_token"])[0] == INGRAM_TOKEN_URL


@pytest.mark.parametrize("form, status, error, reason", [
    ({"grant_type": "password", "client_id": "x", "client_secret": "y"}, 400,
     "unsupported_grant_type", "grant_type must be client_credentials, not 'password'"),
    ({"grant_type": "client_credentials"}, 401, "invalid_client",
     "client_id and client_secret expected in the form body (client_auth: body)"),
    ({"grant_type": "client_credentials", "client_id": CREDS["INGRAM_CLIENT_ID"],
      "client_secret": "guessed-s3cret"}, 401, "invalid_client",
     "wrong client credentials (not INGRAM_CLIENT_ID / INGRAM_CLIENT_SECRET)"),
])
def test_token_endpoint_refusals(http, app, form, status, error, reason):
    r = http.post(INGRAM_TOKEN_URL, data=form)
    assert r.status_code == status
    assert r.json() == {"error": error, "message": reason, "operation": TOKEN_LABEL}
    assert app.tokens_issued == 0
    assert "guessed-s3cret" not in r.text  # a secret sent is never echoed


def test_token_endpoint_wants_a_form_post(http):
    r = http.post(INGRAM_TOKEN_URL, json={"grant_type": "client_credentials"})
    assert r.status_code == 400
    assert r.json()["message"] == ("token request Content-Type must be "
                                   "application/x-www-form-urlencoded, not application/json")
    r = http.get(INGRAM_TOKEN_URL)
    assert r.status_code == 405 and r.headers["Allow"] == "POST"


def test_unconfigured_client_credentials_need_only_be_present(http):
    app = MockApp(Catalog(), Credentials({}, environ={}, file=False))
    s = requests.Session()
    s.mount("https://", MockAdapter(app))
    assert get_token(s, client_id="anyone", client_secret="anything")


# ---------------------------------------------------------------------- Ingram's webhook


def test_ingram_example_accepted_with_token_and_signature(http, app, example):
    token = get_token(http)
    r = send_event(http, example, token)
    assert r.status_code == 200
    assert r.content == b""
    assert "Content-Type" not in r.headers  # the spec's 200 declares no body
    assert app.counts["ingram.order_status_event"] == 1


def test_wrong_webhook_secret_on_the_sender_side_gets_401(http, example):
    token = get_token(http)
    r = send_event(http, example, token, secret="not-the-shared-secret")
    assert r.status_code == 401
    body = r.json()
    assert body["error"] == "invalid_signature"
    assert body["operation"] == "ingram.order_status_event"
    assert body["message"].startswith("signature 'hub_signature' (x-hub-signature): ")
    assert "mismatch" in body["message"]
    assert CREDS["INGRAM_WEBHOOK_SECRET"] not in r.text


def test_signature_is_over_the_event_id(http, example):
    """A signature of another event id is refused even with the right secret."""
    token = get_token(http)
    forged = hub_signature(CREDS["INGRAM_WEBHOOK_SECRET"], "SOME-OTHER-EVENT")
    r = send_event(http, example, token, **{"x-hub-signature": forged})
    assert r.status_code == 401 and r.json()["error"] == "invalid_signature"


def test_missing_signature_gets_401_naming_the_header(http, example):
    token = get_token(http)
    r = send_event(http, example, token, **{"x-hub-signature": None})
    assert r.status_code == 401
    assert r.json()["message"] == ("signature 'hub_signature' (x-hub-signature): "
                                   "missing header 'x-hub-signature'")


def test_bearer_token_must_come_from_the_mock(http, example):
    r = send_event(http, example, "a-token-nobody-issued")
    assert r.status_code == 401
    assert r.headers["WWW-Authenticate"] == 'Bearer realm="specclient-mock"'
    assert r.json()["message"] == (f"oauth2: bearer token was not issued by this mock's token "
                                   f"endpoint ({INGRAM_TOKEN_URL})")
    r = send_event(http, example, None, Authorization=None)
    assert r.status_code == 401
    assert r.json()["message"] == "oauth2: missing bearer token (Authorization: Bearer ...)"


def test_expired_token_refused(example):
    now = [1_000_000.0]
    app = MockApp(Catalog(), Credentials(CREDS, environ={}, file=False), clock=lambda: now[0])
    s = requests.Session()
    s.mount("https://", MockAdapter(app))
    token = get_token(s)
    assert send_event(s, example, token).status_code == 200
    now[0] += TOKEN_LIFETIME + 1
    r = send_event(s, example, token)
    assert r.status_code == 401 and r.json()["message"] == "oauth2: bearer token has expired"


def test_invalid_ingram_body_gets_422_listing_every_path(http, example):
    token = get_token(http)
    example["resource"][0]["lines"] = "not a list"
    example["resource"][0]["orderNumber"] = 12
    r = send_event(http, example, token)
    assert r.status_code == 422
    body = r.json()
    assert body["error"] == "invalid_request"
    assert body["violations"] == [
        {"path": "body.resource[0].lines", "message": "'not a list' is not of type 'array'"},
        {"path": "body.resource[0].orderNumber", "message": "12 is not of type 'string'"},
    ]
    assert body["message"].startswith("2 violations: body.resource[0].lines: ")


def test_missing_required_header_parameter_gets_422(http, example):
    token = get_token(http)
    r = send_event(http, example, token, targeturl=None)
    assert r.status_code == 422
    assert r.json()["violations"] == [
        {"path": "header.targeturl", "message": "required header parameter is missing"}]


def test_body_that_is_not_json_gets_400_and_wrong_media_type_415(http):
    token = get_token(http)
    headers = {"targeturl": TARGET, "x-hub-signature": "x", "Authorization": f"Bearer {token}"}
    r = http.post(INGRAM_URL, data=b"{not json", headers={**headers,
                                                          "Content-Type": "application/json"})
    assert r.status_code == 400
    assert r.json()["message"].startswith("body is not valid JSON: ")
    r = http.post(INGRAM_URL, data=b"a=b", headers={**headers, "Content-Type": "text/plain"})
    assert r.status_code == 415
    assert r.json()["message"] == ("Content-Type 'text/plain'; this operation takes "
                                   "'application/json'")


# ---------------------------------------------------------------------- Thirdwatch


THIRDWATCH_BODY = {"_userId": "u-1001", "_orderId": "o-1", "_orderStatus": "_fulfilled"}


def test_thirdwatch_accepted_with_the_example_response(http, app):
    r = http.post(THIRDWATCH_URL, json=THIRDWATCH_BODY,
                  headers={"X-THIRDWATCH-API-KEY": CREDS["THIRDWATCH_API_KEY"]})
    assert r.status_code == 200
    assert r.headers["Content-Type"] == "application/json"
    assert r.json() == {"status": "OK"}  # the spec's example


def test_missing_thirdwatch_key_gets_401(http):
    r = http.post(THIRDWATCH_URL, json=THIRDWATCH_BODY)
    assert r.status_code == 401
    assert r.json() == {"error": "unauthorized", "operation": "thirdwatch.order_status",
                        "message": "api_key: missing API key (header 'X-THIRDWATCH-API-KEY')"}


def test_wrong_thirdwatch_key_gets_401_when_one_is_configured(http):
    r = http.post(THIRDWATCH_URL, json=THIRDWATCH_BODY,
                  headers={"X-THIRDWATCH-API-KEY": "guessed"})
    assert r.status_code == 401
    assert r.json()["message"] == ("api_key: wrong API key in header 'X-THIRDWATCH-API-KEY' "
                                   "(not THIRDWATCH_API_KEY)")


def test_unconfigured_key_need_only_be_present():
    app = MockApp(Catalog(), Credentials({}, environ={}, file=False))
    status, headers, body = app.handle("POST", THIRDWATCH_URL,
                                       {"X-THIRDWATCH-API-KEY": "anything",
                                        "Content-Type": "application/json"},
                                       json.dumps(THIRDWATCH_BODY).encode())
    assert (status, json.loads(body)) == (200, {"status": "OK"})
    assert headers["Content-Type"] == "application/json"


def test_invalid_thirdwatch_body_gets_422(http):
    r = http.post(THIRDWATCH_URL, json={"_userId": 5, "_customInfo": {"a": 1}},
                  headers={"X-THIRDWATCH-API-KEY": CREDS["THIRDWATCH_API_KEY"]})
    assert r.status_code == 422
    assert [v["path"] for v in r.json()["violations"]] == ["body._customInfo.a", "body._userId"]


def test_prefer_picks_another_declared_response(http):
    r = http.post(THIRDWATCH_URL, json=THIRDWATCH_BODY,
                  headers={"X-THIRDWATCH-API-KEY": CREDS["THIRDWATCH_API_KEY"],
                           "Prefer": "code=400"})
    assert r.status_code == 400
    assert r.json() == {"message": "Invalid API key"}  # the `default` response's example


# ---------------------------------------------------------------------- routing


def test_unknown_path_404_and_wrong_method_405(http):
    r = http.post("https://api.thirdwatch.ai/event/v1/nothing_here", json={})
    assert r.status_code == 404
    assert r.json() == {"error": "not_found", "message": "no operation at /event/v1/nothing_here"}
    r = http.get(THIRDWATCH_URL)
    assert r.status_code == 405
    assert r.headers["Allow"] == "POST"


def test_routed_by_path_alone_when_sent_elsewhere(http, example):
    key = {"X-THIRDWATCH-API-KEY": CREDS["THIRDWATCH_API_KEY"]}
    r = http.post("http://mock.invalid:8080/v1/order_status", json=THIRDWATCH_BODY, headers=key)
    assert r.status_code == 200 and r.json() == {"status": "OK"}
    token = get_token(http)
    for base in ("http://mock.invalid", "http://mock.invalid/sandbox"):
        url = base + "/resellers/v1/webhooks/orderstatusevent"
        assert send_event(http, example, token, url=url).status_code == 200
    # the token endpoint, too, by its path
    r = http.post("http://mock.invalid/oauth/oauth30/token",
                  data={"grant_type": "client_credentials", "client_id": "x",
                        "client_secret": "y"})
    assert r.status_code == 401 and r.json()["error"] == "invalid_client"


def test_a_known_host_with_a_wrong_prefix_is_not_routed(http):
    """On a real API's own host the environment's path prefix must be there."""
    r = http.post("https://api.thirdwatch.ai/v1/order_status", json=THIRDWATCH_BODY,
                  headers={"X-THIRDWATCH-API-KEY": CREDS["THIRDWATCH_API_KEY"]})
    assert r.status_code == 404


# ---------------------------------------------------------------------- Client(mock=True)


def test_client_mock_round_trip_token_fetched_once(no_network, example):
    client = specclient.Client(credentials=CREDS, mock=True)
    for i in range(5):
        example["eventId"] = f"EV-{i}"
        resp = client.call("ingram.order_status_event", body=example, targeturl=TARGET)
        assert resp.status_code == 200 and resp.data is None
        resp = client.call("thirdwatch.order_status", body=THIRDWATCH_BODY)
        assert resp.status_code == 200 and resp.data == {"status": "OK"}
    assert client.mock.counts[TOKEN_LABEL] == 1
    assert client.mock.tokens_issued == 1
    assert client.mock.counts["ingram.order_status_event"] == 5
    assert client.mock.counts["thirdwatch.order_status"] == 5


def test_client_mock_sends_nothing_through_real_adapters(no_network, example):
    client = specclient.Client(credentials=CREDS, mock=True)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        client.call("ingram.order_status_event", body=example, targeturl=TARGET)
        assert len(rsps.calls) == 0
    assert set(client.session.adapters) == {"http://", "https://"}
    assert all(isinstance(a, MockAdapter) for a in client.session.adapters.values())


def test_client_mock_needs_no_account(no_network, example):
    client = specclient.Client(mock=True)  # no credentials anywhere (conftest clears the env)
    req = client.prepare("ingram.order_status_event", body=example, targeturl=TARGET,
                         dry_run=True)
    assert req.headers["x-hub-signature"] == hub_signature("demo-ingram-webhook-secret",
                                                           example["eventId"])
    assert client.call("ingram.order_status_event", body=example,
                       targeturl=TARGET).status_code == 200
    assert client.call("thirdwatch.order_status", body=THIRDWATCH_BODY).data == {"status": "OK"}


def test_client_mock_errors_are_the_api_errors(no_network, example):
    client = specclient.Client(credentials=CREDS, mock=True)
    with pytest.raises(specclient.ClientError) as info:
        client.call("ingram.order_status_event", body=example, targeturl=TARGET,
                    x_hub_signature="forged")
    assert info.value.status_code == 401
    assert info.value.data["error"] == "invalid_signature"


def test_demo_credentials():
    creds = DemoCredentials(Credentials({"A_KEY": "s3cret-value"}, environ={}, file=False))
    assert creds.get("A_KEY") == "s3cret-value"
    assert creds.get("INGRAM_WEBHOOK_SECRET") == demo_secret("INGRAM_WEBHOOK_SECRET") \
        == "demo-ingram-webhook-secret"
    assert "s3cret-value" not in repr(creds)


def test_environment_base_url_still_routed_with_other_environment(no_network, example):
    client = specclient.Client(credentials=CREDS, mock=True, environment="production")
    resp = client.call("ingram.order_status_event", body=example, targeturl=TARGET)
    assert resp.status_code == 200
    assert resp.http.url == "https://api.ingrammicro.com:443/resellers/v1/webhooks/orderstatusevent"
    assert INGRAM_SANDBOX not in resp.http.url


def test_rotated_secrets_all_accepted(example):
    """While a key is rotated, every configured value is good (credentials lists)."""
    creds = {**CREDS, "THIRDWATCH_API_KEY": ["tw-old-key-1", "tw-new-key-2"],
             "INGRAM_WEBHOOK_SECRET": ["whsec-old-1", "whsec-new-2"]}
    app = MockApp(Catalog(), Credentials(creds, environ={}, file=False))
    s = requests.Session()
    s.mount("https://", MockAdapter(app))
    for key in ("tw-old-key-1", "tw-new-key-2"):
        r = s.post(THIRDWATCH_URL, json=THIRDWATCH_BODY, headers={"X-THIRDWATCH-API-KEY": key})
        assert r.status_code == 200
    assert s.post(THIRDWATCH_URL, json=THIRDWATCH_BODY,
                  headers={"X-THIRDWATCH-API-KEY": "tw-other"}).status_code == 401
    token = get_token(s)
    for secret in ("whsec-old-1", "whsec-new-2"):
        assert send_event(s, example, token, secret=secret).status_code == 200
    assert send_event(s, example, token, secret="whsec-other").status_code == 401


def test_cli_call_with_mock_flag(no_network, capsys, monkeypatch, tmp_path):
    from specclient.cli import main

    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    code = main(["call", "thirdwatch.order_status", "--example", "--mock"])
    out, err = capsys.readouterr()
    assert (code, json.loads(out), err) == (0, {"status": "OK"}, "")
    code = main(["call", "ingram.order_status_event", "--example", "--mock",
                 "--param", f"targeturl={TARGET}"])
    out, err = capsys.readouterr()
    assert (code, out, err) == (0, "", "HTTP 200 OK  (ingram.order_status_event)\n")
    code = main(["call", "ingram.order_status_event", "--example", "--mock",
                 "--param", f"targeturl={TARGET}", "--param", "x-hub-signature=forged"])
    out, err = capsys.readouterr()
    assert code == 1
    assert err.startswith("HTTP 401 Unauthorized  (ingram.order_status_event")


def test_operations_told_apart_by_a_path_fragment_are_answered_as_called(tmp_path):
    """Box's document declares GET /shared_items, /shared_items#folders and
    /shared_items#web_links: one request on the wire, three operations. In process the
    fragment is still there, and the mock answers as the operation that was called."""
    import yaml

    svc = tmp_path / "box"
    (svc / "operations").mkdir(parents=True)
    (svc / "service.yaml").write_text("environments: {main: 'https://api.box.test/2.0'}\n")
    for name, frag, kind in (("file", "", "file"), ("folder", "#folders", "folder"),
                             ("link", "#web_links", "web_link")):
        (svc / "operations" / f"{name}.yaml").write_text(yaml.safe_dump({
            "method": "GET", "path": f"/shared_items{frag}",
            "parameters": {"fields": {"in": "query", "schema": {"type": "string"}}},
            "responses": {"200": {"schema": {
                "type": "object", "required": ["type"],
                "properties": {"type": {"type": "string", "enum": [kind]}}}}}}))
    c = specclient.Client([tmp_path], include_bundled=False, mock=True)
    got = {n: c.call(f"box.{n}", response_validation="strict", fields="id").data["type"]
           for n in ("file", "folder", "link")}
    assert got == {"file": "file", "folder": "folder", "link": "web_link"}
    # the query goes before the fragment, and the fragment never on the wire (nor signed)
    req = c.prepare("box.folder", fields="id,name", dry_run=True)
    assert req.url == "https://api.box.test/2.0/shared_items?fields=id%2Cname#folders"
    assert req.sent_url == "https://api.box.test/2.0/shared_items?fields=id%2Cname"
