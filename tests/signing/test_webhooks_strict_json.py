"""verify_webhook refuses, in a correctly signed body, the JSON that specclient itself would
never send: NaN, Infinity, numbers beyond a double, lone surrogates -- as WebhookBodyError
with the JSON path of each. GitHub's rule (examples/specs/github), signatures computed here."""

from __future__ import annotations

import hashlib
import hmac
import pathlib

import pytest

import specclient
from specclient import WebhookBodyError, WebhookVerificationError

EXAMPLES = pathlib.Path(__file__).resolve().parents[2] / "examples" / "specs"
SECRET = "It's a Secret to Everybody"


@pytest.fixture
def client():
    with specclient.Client([EXAMPLES / "github"], include_bundled=False,
                           credentials={"GITHUB_WEBHOOK_SECRET": SECRET}) as c:
        yield c


def headers(body: bytes) -> dict[str, str]:
    sig = hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    return {"X-Hub-Signature-256": f"sha256={sig}", "X-GitHub-Event": "push"}


@pytest.mark.parametrize("body,violations", [
    (b'{"zen": "x", "hook_id": NaN}', ["body.hook_id: NaN is not a finite number; refused"]),
    (b'{"a": [1, Infinity]}', ["body.a[1]: Infinity is not a finite number; refused"]),
    (b'{"a": {"b": -Infinity}}', ["body.a.b: -Infinity is not a finite number; refused"]),
    (b'{"size": 1e999999}', ["body.size: 1e999999 is not a finite number; refused"]),
    (b'{"size": -1.5e400}', ["body.size: -1.5e400 is not a finite number; refused"]),
    (b'{"name": "\\ud800"}', ["body.name: the string holds a lone surrogate (not valid "
                              "Unicode text); refused"]),
    (b'{"x": ["ok", "a\\udfffb"]}', ["body.x[1]: the string holds a lone surrogate (not "
                                     "valid Unicode text); refused"]),
    (b'{"\\udc00k": 1}', ["body['\\udc00k']: the key holds a lone surrogate (not valid "
                          "Unicode text); refused"]),
    (b'{"a": NaN, "b": "\\ud83d", "c": [1e999]}', [
        "body.a: NaN is not a finite number; refused",
        "body.b: the string holds a lone surrogate (not valid Unicode text); refused",
        "body.c[0]: 1e999 is not a finite number; refused"]),
])
def test_signed_body_the_sender_would_refuse_is_refused_with_its_path(client, body, violations):
    with pytest.raises(WebhookBodyError) as info:
        client.verify_webhook("github.delivery", headers(body), body)
    err = info.value
    assert isinstance(err, WebhookVerificationError)
    assert [str(v) for v in err.violations] == violations
    assert err.operation == "github.delivery"


def test_the_sender_refuses_the_same_values(client):
    """The rule being enforced: specclient does not send these bodies either."""
    for body in ({"a": float("nan")}, {"a": float("inf")}, {"a": "\ud800"}):
        with pytest.raises(specclient.ArgumentError):
            client.prepare("github.delivery", body, github_event="push")


def test_finite_and_astral_values_still_verify(client):
    body = '{"a": 1.7976931348623157e308, "b": -0.0, "c": "\\ud83d\\ude00 😀", "d": 1e-400}'
    data = client.verify_webhook("github.delivery", headers(body.encode()), body.encode())
    assert data == {"a": 1.7976931348623157e308, "b": -0.0, "c": "😀 😀", "d": 0.0}


def test_a_bad_signature_is_refused_before_the_body_is_looked_at(client):
    body = b'{"a": NaN}'
    bad = {**headers(b"{}"), "X-GitHub-Event": "push"}
    with pytest.raises(WebhookVerificationError) as info:
        client.verify_webhook("github.delivery", bad, body)
    assert not isinstance(info.value, WebhookBodyError)
