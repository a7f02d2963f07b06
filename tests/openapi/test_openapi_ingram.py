"""Acceptance on a real document: Ingram Micro's published OpenAPI document (27 operations, one
that openapi-core refuses to load) imports in full, and every operation is then listed,
described and prepared with its example.

The document is read where it is (../shared/reference/ingram/ beside the checkout, or
$SPECCLIENT_SHARED_DIR, or /work/shared); it is never copied into the repository.
"""

from __future__ import annotations

import copy
import json
import pathlib
import shutil

import pytest
import yaml
from support.openapi_support import ingram_document, read_tree, sample

import specclient
from conftest import CREDS, hub_signature
from specclient.cli import main
from specclient.openapi import export_openapi, import_openapi, load_document, openapi_text
from specclient.schema.validation import SchemaValidator

DOC = ingram_document()
pytestmark = [pytest.mark.skipif(
    DOC is None, reason="Ingram's OpenAPI document is not here: expected "
                        "../shared/reference/ingram/XI-Resellers-API-Spec.yaml beside the "
                        "checkout (or set SPECCLIENT_SHARED_DIR)"),
    pytest.mark.slow]  # a 27-operation document, imported whole: left out by -m "not slow"

WEBHOOK_OP = "post_resellers_v1_webhooks_orderstatusevent"
WEBHOOK = "ingram." + WEBHOOK_OP
TARGET = "https://hooks.example.com/ingram"
PROD = "https://api.ingrammicro.com:443"
# The hand-written bundled spec (specs/ingram/service.yaml), the part OpenAPI does not say.
SIGNING_RULE = {"type": "hmac", "algorithm": "sha512", "secret": "INGRAM_WEBHOOK_SECRET",
                "message": "{body.eventId}", "encoding": "base64", "header": "x-hub-signature"}


@pytest.fixture(scope="module")
def source():
    """The document, parsed once (with line numbers) for every test here."""
    return load_document(DOC)


def run_import(source, **kw):
    return import_openapi(source, "ingram", file=str(DOC), **kw)


@pytest.fixture(scope="module")
def imported(tmp_path_factory, source):
    out = tmp_path_factory.mktemp("ingram-import")
    result = run_import(source)
    folder = pathlib.Path(result.write(out))
    return out, folder, result


@pytest.fixture
def iclient(imported):
    c = specclient.Client(spec_dirs=[imported[0]], credentials=CREDS, include_bundled=False)
    yield c
    c.close()


def warning_at(result, pointer):
    return [w for w in result.warnings if w.pointer == pointer]


def test_imports_all_27_operations(imported, iclient):
    _, folder, result = imported
    assert len(result.operations) == 27
    assert len(iclient.operations()) == 27
    assert iclient.operations() == sorted(f"ingram.{n}" for n in result.operations)
    for name in iclient.operations():  # every one passes the loader's checks
        op = iclient.operation(name)
        assert op.method in ("GET", "POST", "PUT", "DELETE")
    assert (folder / "schemas" / "OrderStatusAsyncNotificationRequest.yaml").is_file()
    assert (folder.parent / "spec-format.schema.json").is_file()


def test_names_and_aliases(iclient):
    op = iclient.operation(WEBHOOK)
    assert op.aliases == ["resellers_v1_webhooks_orderstatusevent_post"]
    # The generated SDK's name resolves to it, like the hand-written spec's alias.
    assert iclient.operation("resellers_v1_webhooks_orderstatusevent_post") is op
    # operationId "get-orderdetails-v6.1" is snake-cased; it is no valid alias itself.
    detail = iclient.operation("ingram.get_orderdetails_v6_1")
    assert detail.path == "/resellers/v6.1/orders/{ordernumber}"
    assert detail.aliases == []
    assert iclient.operation("ingram.get_reseller_v6_validate_quote").aliases == []


def test_warnings_name_their_place_and_repairs_are_made(imported, iclient):
    _, folder, result = imported
    text = [str(w) for w in result.warnings]
    assert all(str(DOC) in t for t in text)
    # The default that makes openapi-core refuse the document: '1' for an integer.
    [w] = warning_at(result, "/paths/~1resellers~1v6~1catalog/get/parameters/0/schema/default")
    assert w.line == 449
    assert w.message == ("default '1' does not match its schema ('1' is not of type "
                         "'integer'); dropped")
    pn = iclient.operation("ingram.get_reseller_v6_productsearch").parameter("pageNumber")
    assert pn.schema == {"type": "integer", "format": "int32"}
    # required naming a property that does not exist at that level (FACTS.md): dropped.
    ptr = "/components/schemas/OrderStatusAsyncNotificationRequest/required/0"
    [w] = warning_at(result, ptr)
    assert "required names 'customerOrderNumber'" in w.message and w.line == 12476
    schema = yaml.safe_load((folder / "schemas/OrderStatusAsyncNotificationRequest.yaml")
                            .read_text())
    assert "required" not in schema
    # A vendor extension and an unknown format.
    [w] = warning_at(result, "/x-tagGroups")
    assert w.line == 74 and "vendor extension x-tagGroups" in w.message
    assert any("unknown format 'deciaml'" in w.message for w in result.warnings)


def fill(op):
    """Arguments for ``op`` from its examples, else values generated from its schemas."""
    params = {}
    for p in op.parameters:
        if p.required:
            params[p.python_name] = p.example if p.example is not None else sample(p.schema)
    return params


def test_every_operation_listed_described_and_prepared(imported, iclient, capsys):
    out, _, _ = imported
    assert main(["list", "--names-only", "--specs", str(out)]) == 0
    listed = capsys.readouterr().out.split()
    for name in iclient.operations():
        assert name in listed
        assert main(["describe", name, "--specs", str(out)]) == 0
        text = capsys.readouterr().out
        op = iclient.operation(name)
        assert text.startswith(f"{name} — {op.method} {op.path}")
        assert "OAuth2 client credentials" in text or name == "ingram.get_accesstoken"

    generated = []
    for name in iclient.operations():
        op = iclient.operation(name)
        params = fill(op)
        body = specclient.prepare.binding.MISSING
        if op.body is not None:
            if op.body.example is not None:
                body = op.body.example
            else:
                generated.append(name)
                body = sample(op.body.schema)
        req = iclient.prepare(name, body, dry_run=True, **params)
        assert req.method == op.method
        assert req.url.startswith(PROD + op.path.split("{")[0])
        if op.auth:
            assert req.headers["Authorization"].startswith("Bearer <token from ")
        if op.body is not None:
            assert json.loads(req.body) == body
    # No example in the document (createorder v7, vendorrequiredinfo), or one that contradicts
    # its schema in structure and was dropped (warned): these get a schema-generated body.
    assert generated == ["ingram.post_createorder_v7", "ingram.post_renewalssearch",
                         "ingram.post_returnscreate", "ingram.vendor_required_info"]


def test_every_kept_example_matches_its_schema(imported, iclient):
    """What `specclient lint` checks of examples: each one the import kept validates."""
    _, _, result = imported
    checked = 0
    for name in iclient.operations():
        op = iclient.operation(name)
        pairs = [(p.schema, p.example) for p in op.parameters if p.example is not None]
        if op.body is not None and op.body.example is not None:
            pairs.append((op.body.schema, op.body.example))
        pairs += [(r.schema, r.example) for r in op.responses.values()
                  if r.example is not None and r.schema is not None]
        for schema, example in pairs:
            assert SchemaValidator(schema).violations(example, "example") == []
            checked += 1
    assert checked > 60
    dropped = [w for w in result.warnings if w.message.startswith("the body example does not")]
    assert [w.line for w in dropped] == [6602, 7713]
    assert dropped[0].message.startswith(
        "the body example does not match its schema at (top level) ([{'status':")
    assert dropped[1].message.startswith(
        "the body example does not match its schema at list[0].shipFromInfo ({'companyName'")
    assert all(w.message.endswith("; dropped") for w in dropped)


def test_scalar_type_mismatches_in_examples_widen_the_schema(imported, iclient):
    _, _, result = imported
    msgs = [w.message for w in result.warnings if "requestedQuantity" in w.message]
    assert msgs == ["the body example has 3 at resource[0].lines[0].requestedQuantity, where "
                    "the schema says string; that schema (schemas/OrderStatusAsyncNotification"
                    "Request.yaml#/properties/resource/items/properties/lines/items/properties/"
                    "requestedQuantity) now also accepts integer"]
    op = iclient.operation(WEBHOOK)
    body = copy.deepcopy(op.body.example)
    line = body["resource"][0]["lines"][0]
    line["requestedQuantity"] = "3"  # the string the schema promised still works
    iclient.prepare(WEBHOOK, body, targeturl=TARGET, x_hub_signature="s",
                    dry_run=True)
    line["requestedQuantity"] = [3]  # anything else is still refused, at its path
    with pytest.raises(specclient.ValidationError) as exc:
        iclient.prepare(WEBHOOK, body, targeturl=TARGET, x_hub_signature="s",
                        dry_run=True)
    assert [v.path for v in exc.value.violations] == [
        "body.resource[0].lines[0].requestedQuantity"]


def comparable(req):
    return (req.method, req.url, req.body,
            {k.lower(): v for k, v in req.headers.items() if k.lower() != "x-hub-signature"})


def test_order_status_webhook_prepares_the_bundled_request(iclient, ingram_example, client):
    """Same method, URL, headers (but the signature) and body bytes as the hand-written spec.

    The document's only server is https://api.ingrammicro.com:443/ (labelled "Sandbox"); the
    bundled spec calls that URL production and knows the sandbox lives under /sandbox
    (FACTS.md) — like the signing rule, something the document does not say.
    """
    imported = iclient.prepare(WEBHOOK, ingram_example, targeturl=TARGET,
                               x_hub_signature="computed-by-hand", dry_run=True)
    bundled = client.prepare("ingram.order_status_event", ingram_example, targeturl=TARGET,
                             environment="production", dry_run=True)
    assert comparable(imported) == comparable(bundled)
    assert imported.url == PROD + "/resellers/v1/webhooks/orderstatusevent"
    assert imported.body == json.dumps(ingram_example, separators=(",", ":")).encode()
    assert imported.headers["x-hub-signature"] == "computed-by-hand"
    assert bundled.headers["x-hub-signature"] == hub_signature(
        CREDS["INGRAM_WEBHOOK_SECRET"], "N01CIB9VVFYKR9J6ZW")


def test_adding_the_signing_rule_in_yaml_makes_the_signature_match(imported, tmp_path,
                                                                   ingram_example, client):
    _, folder, _ = imported
    mine = tmp_path / "ingram"
    shutil.copytree(folder, mine)
    service = yaml.safe_load((mine / "service.yaml").read_text())
    service["signing"] = {"hub_signature": SIGNING_RULE}
    (mine / "service.yaml").write_text(yaml.safe_dump(service, sort_keys=False))
    op_file = mine / "operations" / f"{WEBHOOK_OP}.yaml"
    op = yaml.safe_load(op_file.read_text())
    op["signing"] = "hub_signature"
    op_file.write_text(yaml.safe_dump(op, sort_keys=False))

    with specclient.Client(spec_dirs=[tmp_path], credentials=CREDS,
                           include_bundled=False) as edited:
        req = edited.prepare(WEBHOOK, ingram_example, targeturl=TARGET, dry_run=True)
    bundled = client.prepare("ingram.order_status_event", ingram_example, targeturl=TARGET,
                             environment="production", dry_run=True)
    expected = hub_signature(CREDS["INGRAM_WEBHOOK_SECRET"], "N01CIB9VVFYKR9J6ZW")
    assert req.headers["x-hub-signature"] == expected
    assert comparable(req) == comparable(bundled)
    assert req.headers["x-hub-signature"] == bundled.headers["x-hub-signature"]

    # The built-in mock now checks that signature too: right is accepted, wrong refused.
    with specclient.Client(spec_dirs=[tmp_path], credentials=CREDS, include_bundled=False,
                           mock=True) as mc:
        assert mc.call(WEBHOOK, ingram_example, targeturl=TARGET).status_code == 200
        with pytest.raises(specclient.ClientError) as exc:
            mc.call(WEBHOOK, ingram_example, targeturl=TARGET, x_hub_signature="forged")
        assert exc.value.status_code == 401


def test_only_by_tag_keeps_just_the_reachable_schemas(source):
    result = run_import(source, only=["OrderStatus"])
    assert result.operations == [WEBHOOK_OP]
    assert sorted(result.files) == [f"operations/{WEBHOOK_OP}.yaml",
                                    "schemas/OrderStatusAsyncNotificationRequest.yaml",
                                    "service.yaml"]
    by_id = run_import(source, only=["get-accesstoken", "put-ordermodify"])
    assert by_id.operations == ["get_accesstoken", "put_ordermodify"]
    with pytest.raises(specclient.SpecError, match="--only nope: no operation"):
        run_import(source, only=["nope"])


def test_round_trip_changes_nothing(imported, tmp_path):
    out, folder, _ = imported
    doc, warnings = export_openapi("ingram", spec_dirs=[out], include_bundled=False)
    assert warnings == []
    exported = tmp_path / "ingram.yaml"
    exported.write_text(openapi_text(doc), encoding="utf-8")
    again = import_openapi(exported, "ingram")
    second = pathlib.Path(again.write(tmp_path / "again"))
    assert read_tree(second) == read_tree(folder)


def test_every_operation_is_accepted_by_the_built_in_mock(imported):
    """Client(mock=True) (branch i5a-mock) plays the imported specs back as the API: every
    operation, called with its example (or schema-generated values), is accepted — routed,
    authenticated with a token from the mocked token URL, and validated — and answered with
    its declared success status."""
    out, _, _ = imported
    statuses = {}
    with specclient.Client(spec_dirs=[out], credentials=CREDS, include_bundled=False,
                           mock=True, response_validation="strict") as mc:
        for name in mc.operations():
            op = mc.operation(name)
            body = specclient.prepare.binding.MISSING
            if op.body is not None:
                body = op.body.example if op.body.example is not None \
                    else sample(op.body.schema)
            resp = mc.call(name, body, **fill(op))
            statuses[name] = resp.status_code
        assert mc._tokens.fetches == 1  # one client-credentials token for all 26
    assert len(statuses) == 27
    assert all(200 <= s < 300 for s in statuses.values()), statuses


def test_the_import_passes_lint(imported):
    """The issue's promise: whatever the document's faults, the imported folder lints clean."""
    from specclient.spec.lint import lint_report

    _, folder, _ = imported
    report = lint_report(folder)
    assert report.problems == []
    assert report.operations == 27
