"""Signature verification: a signing rule read backwards (HmacSigner.verify).

Every expected signature here is computed independently with hmac/hashlib, or is a published
vector; the rules are YAML, exactly as a spec's ``signing:`` section holds them.
"""

from __future__ import annotations

import base64
import email.message
import hashlib
import hmac
import json

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from specclient import WebhookVerificationError
from specclient.signing import HeaderLookup, HmacSigner

RULES = yaml.safe_load("""
ingram:
  type: hmac
  algorithm: sha512
  secret: INGRAM_WEBHOOK_SECRET
  message: "{body.eventId}"
  encoding: base64
  header: x-hub-signature
github:
  type: hmac
  algorithm: sha256
  secret: GITHUB_WEBHOOK_SECRET
  message: "{raw_body}"
  encoding: hex
  header: X-Hub-Signature-256
  prefix: "sha256="
standard_webhooks:
  type: hmac
  algorithm: sha256
  secret: {name: STANDARD_WEBHOOK_SECRET, strip_prefix: whsec_, decode: base64}
  generate:
    webhook-id: "msg_{random}"
    webhook-timestamp: "{timestamp}"
  message: "{header.webhook-id}.{timestamp}.{raw_body}"
  encoding: base64
  header: webhook-signature
  prefix: "v1,"
  multiple: " "
stripe:
  type: hmac
  algorithm: sha256
  secret: STRIPE_WEBHOOK_SECRET
  message: "{timestamp}.{raw_body}"
  encoding: hex
  header: Stripe-Signature
  value: "t={timestamp},v1={signature}"
  multiple: ","
  tolerance_seconds: 60
request:
  type: hmac
  algorithm: sha1
  secret: {name: REQUEST_KEY, decode: hex}
  message: "{method}\\n{path}\\n{query}\\n{header.X-Nonce}\\n{body.id}\\n{raw_body}"
  encoding: base64url
  header: Authorization
  value: "HMAC {signature}"
""")


def rule(name: str) -> HmacSigner:
    return HmacSigner(name, RULES[name])


def reason(exc_info: pytest.ExceptionInfo[WebhookVerificationError]) -> str:
    return exc_info.value.reason


# --------------------------------------------------------------------------- GitHub

GH_SECRET = "It's a Secret to Everybody"
GH_BODY = b"Hello, World!"
# GitHub's published example ("Validating webhook deliveries", docs.github.com)
GH_SIG = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"


def test_github_published_example_verifies():
    assert hmac.new(GH_SECRET.encode(), GH_BODY, hashlib.sha256).hexdigest() == GH_SIG[7:]
    rule("github").verify({"X-Hub-Signature-256": GH_SIG}, GH_BODY, [GH_SECRET])


def test_header_lookup_is_case_insensitive():
    rule("github").verify({"x-hub-signature-256": GH_SIG}, GH_BODY, [GH_SECRET])
    rule("github").verify({"X-HUB-SIGNATURE-256": GH_SIG}, GH_BODY, [GH_SECRET])


def test_headers_from_http_server_message_and_pairs():
    msg = email.message.Message()
    msg["X-Hub-Signature-256"] = GH_SIG
    rule("github").verify(msg, GH_BODY, [GH_SECRET])
    rule("github").verify([(b"x-hub-signature-256", GH_SIG.encode())], GH_BODY, [GH_SECRET])


def test_github_wrong_secret_body_or_prefix_fails():
    r = rule("github")
    with pytest.raises(WebhookVerificationError) as e:
        r.verify({"X-Hub-Signature-256": GH_SIG}, GH_BODY, ["not it"])
    assert reason(e) == "signature mismatch in header 'X-Hub-Signature-256'"
    with pytest.raises(WebhookVerificationError, match="signature mismatch"):
        r.verify({"X-Hub-Signature-256": GH_SIG}, b"Hello, World!\n", [GH_SECRET])
    with pytest.raises(WebhookVerificationError) as e:
        r.verify({"X-Hub-Signature-256": GH_SIG[7:]}, GH_BODY, [GH_SECRET])
    assert reason(e) == ("malformed header 'X-Hub-Signature-256': expected "
                         "'sha256={signature}'")
    with pytest.raises(WebhookVerificationError) as e:
        r.verify({}, GH_BODY, [GH_SECRET])
    assert reason(e) == "missing header 'X-Hub-Signature-256'"


def test_rotation_accepts_any_of_several_secrets():
    r = rule("github")
    r.verify({"X-Hub-Signature-256": GH_SIG}, GH_BODY, ["new-secret", GH_SECRET])
    r.verify({"X-Hub-Signature-256": GH_SIG}, GH_BODY, [GH_SECRET, "new-secret"])
    r.verify({"X-Hub-Signature-256": GH_SIG}, GH_BODY, GH_SECRET)  # a lone str is one secret
    with pytest.raises(WebhookVerificationError) as e:
        r.verify({"X-Hub-Signature-256": GH_SIG}, GH_BODY, [])
    assert reason(e) == "no secret to verify signing rule 'github' with"


def test_compare_is_constant_time(monkeypatch):
    calls = []
    real = hmac.compare_digest

    def spy(a, b):
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(hmac, "compare_digest", spy)
    rule("github").verify({"X-Hub-Signature-256": GH_SIG}, GH_BODY, [GH_SECRET])
    assert calls == [(GH_SIG[7:].encode(), GH_SIG[7:].encode())]


# --------------------------------------------------------------------------- Ingram

INGRAM_SECRET = "ingram-webhook-secret-abc"


def ingram_sig(secret: str, event_id: str) -> str:
    return base64.b64encode(hmac.new(secret.encode(), event_id.encode(),
                                     hashlib.sha512).digest()).decode()


def test_ingram_signature_over_event_id_from_raw_body():
    body = b'{"topic": "resellers/order", "eventId": "evt-123", "resource": []}'
    sig = ingram_sig(INGRAM_SECRET, "evt-123")
    rule("ingram").verify({"X-Hub-Signature": sig}, body, [INGRAM_SECRET])
    with pytest.raises(WebhookVerificationError, match="signature mismatch"):
        rule("ingram").verify({"x-hub-signature": sig},
                              body.replace(b"evt-123", b"evt-124"), [INGRAM_SECRET])


def test_ingram_body_without_event_id_or_not_json():
    sig = ingram_sig(INGRAM_SECRET, "evt-123")
    with pytest.raises(WebhookVerificationError) as e:
        rule("ingram").verify({"x-hub-signature": sig}, b'{"topic": "x"}', [INGRAM_SECRET])
    assert reason(e) == "missing 'body.eventId', which the signature covers"
    with pytest.raises(WebhookVerificationError) as e:
        rule("ingram").verify({"x-hub-signature": sig}, b"\xff{not json", [INGRAM_SECRET])
    assert reason(e) == "the body is not valid JSON, but the signature covers fields of it"


# --------------------------------------------------------------------------- Standard Webhooks

# Test vector from the Standard Webhooks reference library:
# standard-webhooks/standard-webhooks, libraries/python/tests/test_webhooks.py, test_sign_function
SW_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
SW_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek"
SW_TS = 1614265330
SW_BODY = b'{"test": 2432232314}'
SW_SIG = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


def sw_headers(sig: str = SW_SIG, ts: int = SW_TS) -> dict[str, str]:
    return {"webhook-id": SW_ID, "webhook-timestamp": str(ts), "webhook-signature": sig}


def test_standard_webhooks_reference_vector_verifies():
    key = base64.b64decode(SW_SECRET[6:])
    mac = hmac.new(key, f"{SW_ID}.{SW_TS}.".encode() + SW_BODY, hashlib.sha256).digest()
    assert "v1," + base64.b64encode(mac).decode() == SW_SIG
    rule("standard_webhooks").verify(sw_headers(), SW_BODY, [SW_SECRET], now=SW_TS)
    # the secret without its whsec_ prefix works too
    rule("standard_webhooks").verify(sw_headers(), SW_BODY, [SW_SECRET[6:]], now=SW_TS)


def test_standard_webhooks_several_signatures_in_one_header():
    bad = "v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc="
    other = "v2,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc="
    header = " ".join([bad, other, SW_SIG, bad])
    rule("standard_webhooks").verify(sw_headers(header), SW_BODY, [SW_SECRET], now=SW_TS)
    with pytest.raises(WebhookVerificationError, match="signature mismatch"):
        rule("standard_webhooks").verify(sw_headers(f"{bad} {other}"), SW_BODY, [SW_SECRET],
                                         now=SW_TS)


def test_standard_webhooks_tolerance_both_directions():
    r = rule("standard_webhooks")
    r.verify(sw_headers(), SW_BODY, [SW_SECRET], now=SW_TS + 300)
    r.verify(sw_headers(), SW_BODY, [SW_SECRET], now=SW_TS - 300)
    with pytest.raises(WebhookVerificationError) as e:
        r.verify(sw_headers(), SW_BODY, [SW_SECRET], now=SW_TS + 301)
    assert reason(e) == "timestamp too old (301 s, tolerance 300 s)"
    with pytest.raises(WebhookVerificationError) as e:
        r.verify(sw_headers(), SW_BODY, [SW_SECRET], now=SW_TS - 301)
    assert reason(e) == "timestamp in the future (301 s, tolerance 300 s)"
    r.verify(sw_headers(), SW_BODY, [SW_SECRET], now=SW_TS + 1000, tolerance=1000)
    with pytest.raises(WebhookVerificationError, match="too old"):
        r.verify(sw_headers(), SW_BODY, [SW_SECRET], now=SW_TS + 11, tolerance=10)


def test_standard_webhooks_replayed_with_a_new_timestamp_fails():
    # an attacker can change webhook-timestamp, but the signature covers it
    with pytest.raises(WebhookVerificationError, match="signature mismatch"):
        rule("standard_webhooks").verify(sw_headers(ts=SW_TS + 600), SW_BODY, [SW_SECRET],
                                         now=SW_TS + 600)


@pytest.mark.parametrize("drop, why", [
    ("webhook-id", "missing header 'webhook-id'"),
    ("webhook-timestamp", "missing header 'webhook-timestamp'"),
    ("webhook-signature", "missing header 'webhook-signature'"),
])
def test_standard_webhooks_missing_headers(drop, why):
    headers = sw_headers()
    del headers[drop]
    with pytest.raises(WebhookVerificationError) as e:
        rule("standard_webhooks").verify(headers, SW_BODY, [SW_SECRET], now=SW_TS)
    assert reason(e) == why


@pytest.mark.parametrize("ts", ["hello", "", "-5", "1e9", "١٦١٤٢٦٥٣٣٠", "9" * 40])
def test_standard_webhooks_malformed_timestamp(ts):
    headers = sw_headers()
    headers["webhook-timestamp"] = ts
    with pytest.raises(WebhookVerificationError, match="malformed timestamp"):
        rule("standard_webhooks").verify(headers, SW_BODY, [SW_SECRET], now=SW_TS)


def test_bad_base64_secret_is_a_verification_error_without_the_secret():
    with pytest.raises(WebhookVerificationError) as e:
        rule("standard_webhooks").verify(sw_headers(), SW_BODY, ["whsec_@@@"], now=SW_TS)
    assert reason(e) == "secret #1 for rule 'standard_webhooks' is not valid base64"
    assert "@@@" not in str(e.value)


# --------------------------------------------------------------------------- Stripe-style

STRIPE_SECRET = "whsec_stripe_test_secret"


def stripe_header(ts: int, body: bytes, secret: str = STRIPE_SECRET) -> str:
    mac = hmac.new(secret.encode(), f"{ts}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={ts},v1={mac}"


def test_stripe_style_verifies_and_uses_rule_tolerance():
    body = b'{"id": "evt_1", "object": "event"}'
    r = rule("stripe")
    r.verify({"Stripe-Signature": stripe_header(1700000000, body)}, body, [STRIPE_SECRET],
             now=1700000060)
    with pytest.raises(WebhookVerificationError) as e:
        r.verify({"Stripe-Signature": stripe_header(1700000000, body)}, body, [STRIPE_SECRET],
                 now=1700000061)
    assert reason(e) == "timestamp too old (61 s, tolerance 60 s)"
    with pytest.raises(WebhookVerificationError, match="signature mismatch"):
        r.verify({"Stripe-Signature": stripe_header(1700000000, body)}, body + b" ",
                 [STRIPE_SECRET], now=1700000000)
    forged = stripe_header(1700000000, body).replace("t=1700000000", "t=1700000030")
    with pytest.raises(WebhookVerificationError, match="signature mismatch"):
        r.verify({"Stripe-Signature": forged}, body, [STRIPE_SECRET], now=1700000030)


def test_stripe_style_several_v1_entries_and_unknown_schemes():
    body = b'{"id": "evt_2"}'
    good = stripe_header(1700000000, body).split(",")[1]          # v1=<hex>
    bad = "v1=" + "0" * 64
    r = rule("stripe")
    for header in (f"t=1700000000,{bad},{good},v0=abc", f"{good},t=1700000000",
                   f"t=1700000000, {bad}, {good}"):
        r.verify({"Stripe-Signature": header}, body, [STRIPE_SECRET], now=1700000000)
    with pytest.raises(WebhookVerificationError, match="signature mismatch"):
        r.verify({"Stripe-Signature": f"t=1700000000,{bad},v0=abc"}, body, [STRIPE_SECRET],
                 now=1700000000)
    with pytest.raises(WebhookVerificationError) as e:
        r.verify({"Stripe-Signature": f"t=1700000000,t=1700000001,{good}"}, body,
                 [STRIPE_SECRET], now=1700000000)
    assert reason(e) == "malformed header 'Stripe-Signature': conflicting values"
    with pytest.raises(WebhookVerificationError) as e:
        r.verify({"Stripe-Signature": good}, body, [STRIPE_SECRET], now=1700000000)
    assert reason(e) == "missing 'timestamp', which the signature covers"
    with pytest.raises(WebhookVerificationError) as e:
        r.verify({"Stripe-Signature": "t=1700000000,v0=abc"}, body, [STRIPE_SECRET])
    assert reason(e) == ("malformed header 'Stripe-Signature': expected "
                         "'t={timestamp},v1={signature}' (several separated by ',')")


# --------------------------------------------------------------------------- request parts


def test_method_path_query_header_and_body_field_are_read_from_the_received_request():
    key = bytes.fromhex("00ff10ee")
    body = b'{"id": 42, "x": [1, 2]}'
    message = b"PUT\n/hooks/a b\nq=1&r=%20\nnonce-1\n42\n" + body
    sig = base64.urlsafe_b64encode(hmac.new(key, message, hashlib.sha1).digest()).decode()
    headers = {"authorization": f"HMAC {sig}", "x-nonce": "nonce-1"}
    r = rule("request")
    r.verify(headers, body, ["00ff10ee"], method="PUT",
             url="https://me.example/hooks/a b?q=1&r=%20")
    r.verify(headers, body, ["00ff10ee"], method="PUT", url="/hooks/a b?q=1&r=%20")
    for method, url in (("POST", "/hooks/a b?q=1&r=%20"), ("PUT", "/hooks/a b?q=2&r=%20"),
                        ("PUT", "/hooks/ab?q=1&r=%20")):
        with pytest.raises(WebhookVerificationError, match="signature mismatch"):
            r.verify(headers, body, ["00ff10ee"], method=method, url=url)
    with pytest.raises(WebhookVerificationError) as e:
        r.verify({"authorization": f"HMAC {sig}"}, body, ["00ff10ee"], method="PUT",
                 url="/hooks/a b?q=1&r=%20")
    assert reason(e) == "missing header 'X-Nonce', which the signature covers"
    with pytest.raises(WebhookVerificationError) as e:
        r.verify(headers, body, ["not hex"], method="PUT", url="/")
    assert reason(e) == "secret #1 for rule 'request' is not valid hex"


def test_non_ascii_signature_is_a_mismatch_not_a_crash():
    with pytest.raises(WebhookVerificationError, match="signature mismatch"):
        rule("github").verify({"X-Hub-Signature-256": "sha256=\udcff\u00e9\ud800"}, GH_BODY,
                              [GH_SECRET])


# --------------------------------------------------------------------------- never a crash

SIG_HEADERS = ["x-hub-signature", "X-Hub-Signature-256", "webhook-id", "webhook-timestamp",
               "webhook-signature", "Stripe-Signature", "Authorization", "X-Nonce"]

header_names = st.one_of(st.sampled_from(SIG_HEADERS), st.text(max_size=20),
                         st.binary(max_size=20))
header_values = st.one_of(
    st.text(max_size=120), st.binary(max_size=120), st.none(), st.integers(),
    st.sampled_from([SW_SIG, GH_SIG, str(SW_TS), SW_ID, "v1,", "t=,v1=", "sha256=",
                     "t=1614265330,v1=" + "0" * 64, "v1,==== v1,a\udcff", "HMAC ",
                     "HMAC AAAA"]),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    name=st.sampled_from(sorted(RULES)),
    headers=st.one_of(st.dictionaries(header_names, header_values, max_size=6),
                      st.lists(st.tuples(header_names, header_values), max_size=6),
                      st.none(), st.integers(), st.text(max_size=10)),
    body=st.one_of(st.binary(max_size=300), st.just(b"[" * 5000),
                   st.just(b'{"eventId": ' + b"9" * 5000 + b"}"),
                   st.builds(lambda v: json.dumps(v).encode(),
                             st.recursive(st.none() | st.booleans() | st.floats() | st.text(),
                                          lambda c: st.lists(c) | st.dictionaries(st.text(), c),
                                          max_leaves=10)),
                   st.text(max_size=30), st.none()),
    secrets=st.one_of(st.lists(st.one_of(st.text(max_size=30), st.binary(max_size=10),
                                         st.sampled_from([SW_SECRET, "whsec_%%%", GH_SECRET,
                                                          "00ff", "0g"])),
                               max_size=3), st.text(max_size=10), st.none()),
    url=st.one_of(st.text(max_size=40), st.sampled_from(["http://[::1", "/a?b=c", "//x:99999"])),
    method=st.one_of(st.sampled_from(["POST", "PUT"]), st.text(max_size=5)),
    now=st.one_of(st.none(), st.floats(allow_nan=True), st.integers(-10**20, 10**20)),
)
def test_any_input_is_accepted_or_a_verification_error(name, headers, body, secrets, url,
                                                       method, now):
    try:
        rule(name).verify(headers, body, secrets, url=url, method=method, now=now)
    except WebhookVerificationError as exc:
        assert exc.reason
        assert isinstance(str(exc), str)


# --------------------------------------------------------------------------- HeaderLookup


def test_header_lookup_first_wins_and_ignores_junk():
    h = HeaderLookup([("A", "1"), ("a", "2"), (3, "x"), ("B", None), ("C", b"\xe9")])
    assert h["a"] == "1" and h.get("A") == "1"
    assert "b" not in h and h["c"] == "\xe9"
    assert list(h) == ["A", "C"] and len(h) == 2


# --------------------------------------------------------------------------- round trip

ROUND_TRIP_SECRETS = {"github": ("GITHUB_WEBHOOK_SECRET", GH_SECRET),
                      "standard_webhooks": ("STANDARD_WEBHOOK_SECRET", SW_SECRET),
                      "stripe": ("STRIPE_WEBHOOK_SECRET", STRIPE_SECRET)}


@settings(max_examples=100, deadline=None)
@given(name=st.sampled_from(sorted(ROUND_TRIP_SECRETS)), body=st.binary(max_size=200),
       clock=st.integers(0, 2**40))
def test_whatever_a_rule_signs_it_verifies(name, body, clock):
    from requests.structures import CaseInsensitiveDict

    from specclient import Credentials, PreparedRequest

    secret_name, secret = ROUND_TRIP_SECRETS[name]
    req = PreparedRequest("t.op", "POST", "https://hooks.example", "/p", [],
                          CaseInsensitiveDict(), body)
    r = rule(name)
    r.sign(req, Credentials({secret_name: secret}, file=False), clock=lambda: clock)
    r.verify(dict(req.headers), body, [secret], url=req.url, now=clock)
    with pytest.raises(WebhookVerificationError, match="signature mismatch"):
        r.verify(dict(req.headers), body + b"x", [secret], url=req.url, now=clock)
