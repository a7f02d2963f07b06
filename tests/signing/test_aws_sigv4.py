"""``type: aws_sigv4``: AWS Signature Version 4 declared in YAML, byte-exact on the wire.

Expected values are AWS's published SigV4 test-suite requests (aws-sig-v4-test-suite, as
shipped with AWS's SDKs: AKIDEXAMPLE, 20150830T123600Z, us-east-1, service ``service``) and
the S3 examples of AWS's documentation; random requests are also signed by botocore's own
signer (``botocore.auth.SigV4Auth`` on an ``AWSRequest``) and must come out the same.
"""

from __future__ import annotations

import calendar
import datetime
import hashlib
import pathlib
from urllib.parse import parse_qsl, urlsplit

import pytest
import responses as responses_lib
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import specclient
from specclient import SpecError, WebhookVerificationError
from specclient.credentials import Credentials
from specclient.signing import AwsSigV4Signer

AKID = "AKIDEXAMPLE"
SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
TOKEN = "6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267"
WHEN = calendar.timegm((2015, 8, 30, 12, 36, 0))  # 20150830T123600Z
CRED = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "

SERVICE = """\
service: awsvec
environments: {test: "https://example.amazonaws.com"}
signing:
  sigv4:
    type: aws_sigv4
    region: us-east-1
    service: service
    access_key_id: AWS_ACCESS_KEY_ID
    secret_access_key: AWS_SECRET_ACCESS_KEY
  sigv4_session:
    type: aws_sigv4
    region: us-east-1
    service: service
    access_key_id: AWS_ACCESS_KEY_ID
    secret_access_key: AWS_SECRET_ACCESS_KEY
    session_token: AWS_SESSION_TOKEN
defaults: {auth: none, signing: sigv4}
"""
OPS = {
    "get_vanilla": "method: GET\npath: /\n",
    "get_query": ("method: GET\npath: /\nparameters:\n"
                  "  Param2: {in: query, schema: {type: string}}\n"
                  "  Param1: {in: query, schema: {type: string}}\n"),
    "post_query": ("method: POST\npath: /\nparameters:\n"
                   "  Param1: {in: query, schema: {type: string}}\n"),
    "post_form": ("method: POST\npath: /form\n"
                  "body: {content_type: application/x-www-form-urlencoded, "
                  "schema: {type: object}}\n"),
    "get_session": "method: GET\npath: /session\nsigning: sigv4_session\n",
}

S3_SERVICE = """\
service: s3doc
environments: {test: "https://examplebucket.s3.amazonaws.com"}
signing:
  s3:
    type: aws_sigv4
    region: us-east-1
    service: s3                 # S3: X-Amz-Content-SHA256 sent, path signed as sent
    access_key_id: S3_KEY_ID
    secret_access_key: S3_SECRET
  s3_presigned:
    type: aws_sigv4
    region: us-east-1
    service: s3
    access_key_id: S3_KEY_ID
    secret_access_key: S3_SECRET
    location: query             # a presigned URL; S3 signs UNSIGNED-PAYLOAD
    expires_seconds: 86400
defaults: {auth: none, signing: s3}
"""
S3_OPS = {
    "get_object": ("method: GET\npath: /test.txt\nparameters:\n"
                   "  Range: {in: header, schema: {type: string}}\n"),
    "presign": "method: GET\npath: /test.txt\nsigning: s3_presigned\n",
}


def write(root: pathlib.Path, name: str, service: str, ops: dict[str, str]) -> None:
    folder = root / name
    (folder / "operations").mkdir(parents=True)
    (folder / "service.yaml").write_text(service)
    for op, text in ops.items():
        (folder / "operations" / f"{op}.yaml").write_text(text)


def freeze(client: specclient.Client, when: float) -> None:
    for name in client.operations():
        for signer in client.operation(name).signing:
            signer.clock = lambda: when


@pytest.fixture
def client(tmp_path) -> specclient.Client:
    write(tmp_path, "awsvec", SERVICE, OPS)
    c = specclient.Client([tmp_path], include_bundled=False, credentials={
        "AWS_ACCESS_KEY_ID": AKID, "AWS_SECRET_ACCESS_KEY": SECRET, "AWS_SESSION_TOKEN": TOKEN})
    freeze(c, WHEN)
    return c


def on_the_wire(client, name, url, method="GET", **kwargs):
    with responses_lib.RequestsMock() as mocked:
        mocked.add(method, url, status=200)
        client.call(name, **kwargs)
        return mocked.calls[0].request


# --------------------------------------------------------------------------- the test suite


def test_get_vanilla(client):
    sent = on_the_wire(client, "awsvec.get_vanilla", "https://example.amazonaws.com/")
    assert sent.headers["X-Amz-Date"] == "20150830T123600Z"
    assert sent.headers["Authorization"] == (
        CRED + "SignedHeaders=host;x-amz-date, "
        "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31")
    assert "X-Amz-Content-SHA256" not in sent.headers  # not declared: not sent
    assert "X-Amz-Security-Token" not in sent.headers


def test_get_vanilla_query_order_key_case(client):
    sent = on_the_wire(client, "awsvec.get_query", "https://example.amazonaws.com/",
                       Param2="value2", Param1="value1")
    assert sent.url == "https://example.amazonaws.com/?Param2=value2&Param1=value1"
    assert sent.headers["Authorization"] == (
        CRED + "SignedHeaders=host;x-amz-date, "
        "Signature=b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500")


def test_post_vanilla_query(client):
    sent = on_the_wire(client, "awsvec.post_query", "https://example.amazonaws.com/",
                       method="POST", Param1="value1")
    assert sent.headers["Authorization"] == (
        CRED + "SignedHeaders=host;x-amz-date, "
        "Signature=28038455d6de14eafc1f9222cf5aa6f1a96197d7deb8263271d420d138af7f11")


def test_post_x_www_form_urlencoded(client, tmp_path):
    # the suite's request is POST /; the operation here is /form, so sign the suite's path
    (tmp_path / "awsvec" / "operations" / "post_form.yaml").write_text(
        OPS["post_form"].replace("/form", "/"))
    c = specclient.Client([tmp_path], include_bundled=False, credentials={
        "AWS_ACCESS_KEY_ID": AKID, "AWS_SECRET_ACCESS_KEY": SECRET})
    freeze(c, WHEN)
    sent = on_the_wire(c, "awsvec.post_form", "https://example.amazonaws.com/", method="POST",
                       body={"Param1": "value1"})
    assert sent.body == b"Param1=value1"
    assert sent.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert sent.headers["Authorization"] == (
        CRED + "SignedHeaders=content-type;host;x-amz-date, "
        "Signature=ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a")


def test_get_vanilla_with_session_token(client, tmp_path):
    (tmp_path / "awsvec" / "operations" / "get_session.yaml").write_text(
        OPS["get_session"].replace("/session", "/"))
    c = specclient.Client([tmp_path], include_bundled=False, credentials={
        "AWS_ACCESS_KEY_ID": AKID, "AWS_SECRET_ACCESS_KEY": SECRET, "AWS_SESSION_TOKEN": TOKEN})
    freeze(c, WHEN)
    sent = on_the_wire(c, "awsvec.get_session", "https://example.amazonaws.com/")
    assert sent.headers["X-Amz-Security-Token"] == TOKEN
    assert sent.headers["Authorization"] == (
        CRED + "SignedHeaders=host;x-amz-date;x-amz-security-token, "
        "Signature=07ec1639c89043aa0e3e2de82b96708f198cceab042d4a97044c66dd9f74e7f8")
    # the token and the secret key are hidden wherever the request is shown
    req = c.prepare("awsvec.get_session")
    shown = str(req.redacted())
    assert TOKEN not in shown and SECRET not in shown


def test_get_utf8_verified_as_received():
    # the suite's request line is raw UTF-8 ("GET /ሴ"): a receiver verifies it as received
    signer = AwsSigV4Signer("v", {"region": "us-east-1", "service": "service",
                                  "access_key_id": "K", "secret_access_key": "S"})
    headers = {"Host": "example.amazonaws.com", "X-Amz-Date": "20150830T123600Z",
               "Authorization": CRED + "SignedHeaders=host;x-amz-date, Signature="
               "8318018e0b0f223aa2bbf98705b62bb787dc9c0e678f255a891fd03141be5d85"}
    signer.verify(headers, b"", [SECRET], method="GET", url="/\u1234", now=WHEN)
    with pytest.raises(WebhookVerificationError):
        signer.verify(headers, b"", [SECRET], method="GET", url="/\u1235", now=WHEN)


# --------------------------------------------------------------------------- S3 (AWS's docs)

S3_AKID, S3_SECRET = "AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()


@pytest.fixture
def s3(tmp_path) -> specclient.Client:
    write(tmp_path, "s3doc", S3_SERVICE, S3_OPS)
    c = specclient.Client([tmp_path], include_bundled=False,
                          credentials={"S3_KEY_ID": S3_AKID, "S3_SECRET": S3_SECRET})
    freeze(c, calendar.timegm((2013, 5, 24, 0, 0, 0)))
    return c


def test_s3_get_object_header_form(s3):
    # "Signature Calculations for the Authorization Header", example GET Object
    sent = on_the_wire(s3, "s3doc.get_object", "https://examplebucket.s3.amazonaws.com/test.txt",
                       Range="bytes=0-9")
    assert sent.headers["X-Amz-Content-SHA256"] == EMPTY_SHA256
    assert sent.headers["Authorization"] == (
        "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
        "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
        "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41")


def test_s3_presigned_url(s3):
    # "Authenticating Requests: Using Query Parameters", the example presigned URL
    req = s3.prepare("s3doc.presign")
    assert "Authorization" not in req.headers
    parts = urlsplit(req.url)
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "examplebucket.s3.amazonaws.com",
                                                       "/test.txt")
    assert parse_qsl(parts.query) == [
        ("X-Amz-Algorithm", "AWS4-HMAC-SHA256"),
        ("X-Amz-Credential", "AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request"),
        ("X-Amz-Date", "20130524T000000Z"), ("X-Amz-Expires", "86400"),
        ("X-Amz-SignedHeaders", "host"),
        ("X-Amz-Signature", "aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404")]


# --------------------------------------------------------------------------- verification


def test_verify_header_form_round_trip_and_tampering(client):
    req = client.prepare("awsvec.post_query", Param1="a b/c")
    signer = client.operation("awsvec.post_query").signing[0]
    headers = dict(req.headers)
    signer.verify(headers, b"", [SECRET], method="POST", url=req.url, now=WHEN + 899)
    signer.verify(headers, b"", ["old-secret", SECRET], method="POST", url=req.url, now=WHEN)
    cases = [
        (dict(headers), b"", "POST", req.url.replace("a%20b", "a%20c"), WHEN,
         "signature mismatch in header 'Authorization'"),
        (dict(headers), b"", "PUT", req.url, WHEN, "signature mismatch in header "
                                                   "'Authorization'"),
        (dict(headers), b"x", "POST", req.url, WHEN, "signature mismatch in header "
                                                     "'Authorization'"),
        (dict(headers), b"", "POST", req.url, WHEN + 901, "date too old (901 s, tolerance "
                                                          "900 s)"),
        (dict(headers), b"", "POST", req.url, WHEN - 901, "date in the future (901 s, "
                                                          "tolerance 900 s)"),
        ({k: v for k, v in headers.items() if k != "Authorization"}, b"", "POST", req.url, WHEN,
         "missing header 'Authorization'"),
        ({**headers, "Authorization": "Bearer x"}, b"", "POST", req.url, WHEN,
         "malformed header 'Authorization': expected 'AWS4-HMAC-SHA256 Credential=..., "
         "SignedHeaders=..., Signature=...'"),
        ({**headers, "Authorization": headers["Authorization"].replace("us-east-1",
                                                                        "eu-west-1")},
         b"", "POST", req.url, WHEN, "credential scope '20150830/eu-west-1/service' does not "
                                     "match 20150830/us-east-1/service"),
    ]
    for hdrs, body, method, url, now, reason in cases:
        with pytest.raises(WebhookVerificationError) as e:
            signer.verify(hdrs, body, [SECRET], method=method, url=url, now=now)
        assert e.value.reason == reason
    with pytest.raises(WebhookVerificationError) as e:
        signer.verify(headers, b"", ["wrong"], method="POST", url=req.url, now=WHEN)
    assert e.value.reason == "signature mismatch in header 'Authorization'"


def test_verify_s3_checks_the_body_against_its_declared_hash(s3):
    when = calendar.timegm((2013, 5, 24, 0, 0, 0))
    req = s3.prepare("s3doc.get_object", Range="bytes=0-9")
    signer = s3.operation("s3doc.get_object").signing[0]
    signer.verify(dict(req.headers), b"", [S3_SECRET], method="GET", url=req.url, now=when)
    with pytest.raises(WebhookVerificationError) as e:  # a body the hash does not cover
        signer.verify(dict(req.headers), b"smuggled", [S3_SECRET], method="GET", url=req.url,
                      now=when)
    assert e.value.reason == "header 'X-Amz-Content-SHA256' does not match the body"
    with pytest.raises(WebhookVerificationError) as e:  # unsigned payload: not for this rule
        signer.verify({**req.headers, "X-Amz-Content-SHA256": "UNSIGNED-PAYLOAD"}, b"",
                      [S3_SECRET], method="GET", url=req.url, now=when)
    assert e.value.reason == "header 'X-Amz-Content-SHA256' does not match the body"


def test_verify_presigned_url_and_its_expiry(s3):
    when = calendar.timegm((2013, 5, 24, 0, 0, 0))
    req = s3.prepare("s3doc.presign")
    signer = s3.operation("s3doc.presign").signing[0]
    signer.verify({"Host": "examplebucket.s3.amazonaws.com"}, b"", [S3_SECRET], method="GET",
                  url=req.url, now=when + 86400)
    with pytest.raises(WebhookVerificationError) as e:
        signer.verify({}, b"", [S3_SECRET], method="GET", url=req.url, now=when + 86401)
    assert e.value.reason == "presigned URL expired (86401 s old, valid 86400 s)"
    with pytest.raises(WebhookVerificationError) as e:
        signer.verify({}, b"", [S3_SECRET], method="GET",
                      url=req.url.replace("test.txt", "other.txt"), now=when)
    assert e.value.reason == "signature mismatch"


def test_verify_webhook_and_the_mock_use_the_secret_access_key(client, tmp_path):
    req = client.prepare("awsvec.get_query", Param2="x", Param1="y")
    assert client.verify_webhook("awsvec.get_query", req.headers, b"", url=req.url,
                                 now=WHEN) is None
    mock = specclient.Client([tmp_path], include_bundled=False, mock=True)
    assert mock.call("awsvec.get_query", Param2="x", Param1="y").status_code == 200
    assert mock.call("awsvec.get_session").status_code == 200
    assert mock.call("awsvec.post_form", body={"a": "1"}).status_code == 200


@pytest.mark.parametrize("garbage", [
    {"Authorization": "AWS4-HMAC-SHA256 Credential=a/b, SignedHeaders=host, Signature=" + "0" * 64,
     "X-Amz-Date": "20150830T123600Z"},
    {"Authorization": CRED + "SignedHeaders=host;x-amz-date, Signature=" + "0" * 64,
     "X-Amz-Date": "2015-08-30"},
    {"Authorization": CRED + "SignedHeaders=x-amz-date;host, Signature=" + "0" * 64,
     "X-Amz-Date": "20150830T123600Z"},
    {"Authorization": CRED + "SignedHeaders=host;x-amz-date;x-other, Signature=" + "0" * 64,
     "X-Amz-Date": "20150830T123600Z"},
    {"Authorization": "\udcff" * 10, "X-Amz-Date": "\x00"},
])
def test_malformed_requests_are_refused_with_a_reason(garbage):
    signer = AwsSigV4Signer("v", {"region": "us-east-1", "service": "service",
                                  "access_key_id": "K", "secret_access_key": "S"})
    with pytest.raises(WebhookVerificationError):
        signer.verify(garbage, b"", [SECRET], method="GET", url="https://h.example/", now=WHEN)


def test_spec_errors():
    base = {"region": "r", "service": "s", "access_key_id": "K", "secret_access_key": "S"}
    with pytest.raises(SpecError, match="content_sha256 is a header"):
        AwsSigV4Signer("v", {**base, "location": "query", "content_sha256": True})
    with pytest.raises(SpecError, match="expires_seconds is for a presigned URL"):
        AwsSigV4Signer("v", {**base, "expires_seconds": 60})


# --------------------------------------------------------------------------- botocore

botocore_auth = pytest.importorskip("botocore.auth")
from botocore.awsrequest import AWSRequest  # noqa: E402
from botocore.credentials import Credentials as BotoCredentials  # noqa: E402

DIFF_SERVICE = """\
service: diff
environments: {test: "https://svc.example.amazonaws.com", port: "https://h.example:8443/base"}
defaults: {auth: none, signing: none}
"""
PARAMS = """\
parameters:
  a: {in: path, schema: {type: string}}
  b: {in: path, schema: {type: string}}
  q: {in: query, schema: {type: array, items: {type: string}}}
  Z-key: {in: query, schema: {type: array, items: {type: string}}}
  k~ey: {in: query, schema: {type: string}}
  X-Custom: {in: header, schema: {type: string}}
  x-amz-meta-note: {in: header, schema: {type: string}}
"""
DIFF_OPS = {
    "get": "method: GET\npath: /{a}/x/{b}\n" + PARAMS,
    "delete": "method: DELETE\npath: /{a}/{b}/\n" + PARAMS,
    "post_json": "method: POST\npath: /{a}/{b}\n" + PARAMS
                 + "body: {content_type: application/json, schema: {}}\n"
                 + 'responses: {"200": {description: ok, schema: {type: object}}}\n',
    "put_form": "method: PUT\npath: /{a}/./{b}\n" + PARAMS
                + "body: {content_type: application/x-www-form-urlencoded, schema: {}}\n",
}

text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12)
segment = text.filter(lambda s: s not in ("", ".", ".."))
header_text = st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=16)


@pytest.fixture(scope="module")
def diff_client(tmp_path_factory) -> specclient.Client:
    root = tmp_path_factory.mktemp("diff")
    write(root, "diff", DIFF_SERVICE, DIFF_OPS)
    return specclient.Client([root], include_bundled=False)


def boto_sign(req, rule: dict, *, akid: str, secret: str, token: str | None, when: float,
              presigned: bool = False):
    """botocore's signer on the same request (the one specclient built, before signing)."""
    parts = urlsplit(req.url)
    aws = AWSRequest(method=req.method, url=f"{parts.scheme}://{parts.netloc}{parts.path}",
                     headers=dict(req.headers), data=req.body or b"",
                     params=parse_qsl(parts.query, keep_blank_values=True))
    creds = BotoCredentials(akid, secret, token)
    s3 = rule["service"] == "s3"
    if presigned:
        cls = botocore_auth.S3SigV4QueryAuth if s3 else botocore_auth.SigV4QueryAuth
        auth = cls(creds, rule["service"], rule["region"], expires=rule["expires_seconds"])
    else:
        cls = botocore_auth.S3SigV4Auth if s3 else botocore_auth.SigV4Auth
        auth = cls(creds, rule["service"], rule["region"])
    stamp = datetime.datetime.fromtimestamp(when, datetime.UTC).replace(tzinfo=None)
    original = botocore_auth.get_current_datetime
    botocore_auth.get_current_datetime = lambda *a, **k: stamp
    try:
        auth.add_auth(aws)
    finally:
        botocore_auth.get_current_datetime = original
    return aws


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.function_scoped_fixture])
@given(op=st.sampled_from(sorted(DIFF_OPS)), env=st.sampled_from(["test", "port"]),
       a=segment, b=segment, q=st.lists(text, max_size=3), z=st.lists(text, max_size=2),
       k=st.none() | text, custom=st.none() | header_text, meta=st.none() | header_text,
       body=st.dictionaries(st.text(min_size=1, max_size=5), text, max_size=3),
       region=st.sampled_from(["us-east-1", "eu-west-3", "cn-north-1"]),
       service=st.sampled_from(["s3", "execute-api", "sqs", "service"]),
       token=st.none() | st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7E),
                                 min_size=1, max_size=40),
       secret=st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7E), min_size=1,
                      max_size=40),
       when=st.integers(0, 4102444800))
def test_same_authorization_as_botocore(diff_client, op, env, a, b, q, z, k, custom, meta, body,
                                        region, service, token, secret, when):
    params = {"a": a, "b": b, "q": q, "Z-key": z}
    if k is not None:
        params["k~ey"] = k
    if custom is not None:
        params["X-Custom"] = custom
    if meta is not None:
        params["x-amz-meta-note"] = meta
    kwargs = {"body": body} if op in ("post_json", "put_form") else {}
    req = diff_client.prepare(f"diff.{op}", environment=env, **kwargs, **params)
    unsigned = req.copy()
    rule = {"region": region, "service": service, "access_key_id": "AK",
            "secret_access_key": "SK"}
    if token is not None:
        rule["session_token"] = "TK"
    creds = Credentials({"AK": "AKIDEXAMPLE", "SK": secret, "TK": token or ""}, {}, file=False)
    AwsSigV4Signer("r", rule).sign(req, creds, clock=lambda: when)
    boto = boto_sign(unsigned, rule, akid="AKIDEXAMPLE", secret=secret, token=token, when=when)
    assert req.headers["Authorization"] == boto.headers["Authorization"]
    assert req.headers["X-Amz-Date"] == boto.headers["X-Amz-Date"]
    assert req.headers.get("X-Amz-Content-SHA256") == boto.headers.get("X-Amz-Content-SHA256")
    assert req.headers.get("X-Amz-Security-Token") == boto.headers.get("X-Amz-Security-Token")
    # and the signature verifies as received
    AwsSigV4Signer("r", rule).verify(dict(req.headers), req.body or b"", [secret],
                                     method=req.method, url=req.url, now=when)


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(a=segment, b=segment, q=st.lists(text, max_size=1), k=st.none() | text,
       service=st.sampled_from(["s3", "execute-api"]), expires=st.integers(1, 604800),
       token=st.none() | st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7E),
                                 min_size=1, max_size=20),
       when=st.integers(0, 4102444800))
def test_same_presigned_url_as_botocore(diff_client, a, b, q, k, service, expires, token, when):
    params = {"a": a, "b": b, "q": q}
    if k is not None:
        params["k~ey"] = k
    req = diff_client.prepare("diff.get", **params)
    unsigned = req.copy()
    rule = {"region": "us-west-2", "service": service, "access_key_id": "AK",
            "secret_access_key": "SK", "location": "query", "expires_seconds": expires}
    if token is not None:
        rule["session_token"] = "TK"
    creds = Credentials({"AK": "AKIDEXAMPLE", "SK": SECRET, "TK": token or ""}, {}, file=False)
    AwsSigV4Signer("r", rule).sign(req, creds, clock=lambda: when)
    boto = boto_sign(unsigned, rule, akid="AKIDEXAMPLE", secret=SECRET, token=token, when=when,
                     presigned=True)
    ours = dict(parse_qsl(urlsplit(req.url).query, keep_blank_values=True))
    theirs = dict(parse_qsl(urlsplit(boto.url).query, keep_blank_values=True))
    assert ours == theirs
    AwsSigV4Signer("r", rule).verify({}, b"", [SECRET], method="GET", url=req.url, now=when)
