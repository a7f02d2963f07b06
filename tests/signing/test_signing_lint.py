"""``specclient lint`` reports an operation whose signing rule could never be computed (each
rule type says why, through ``Signer.lint``)."""

from __future__ import annotations

import pathlib

from specclient.spec.lint import lint

SERVICE = """\
service: lintsig
environments: {prod: "https://hooks.example.test"}
signing:
  field:
    type: hmac
    algorithm: sha256
    secret: S
    message: "{body.Digits}"
    header: X-Sig
  nested:
    type: hmac
    algorithm: sha256
    secret: S
    message: "{body.caller.number}"
    header: X-Sig
  twilio:
    type: hmac
    algorithm: sha1
    secret: S
    message: "{url}{form_sorted}"
    header: X-Twilio-Signature
  sigv4:
    type: aws_sigv4
    region: us-east-1
    service: execute-api
    access_key_id: K
    secret_access_key: S2
defaults: {auth: none}
"""
FORM = ("body:\n  content_type: application/x-www-form-urlencoded\n"
        "  schema: {type: object, properties: {CallSid: {type: string}, "
        "Digits: {type: string}}}\n")
JSON_CLOSED = ("body:\n  schema: {type: object, additionalProperties: false, properties: "
               "{caller: {type: object, additionalProperties: false, properties: "
               "{name: {type: string}}}}}\n")
JSON_OPEN = "body:\n  schema: {type: object, properties: {Digits: {type: string}}}\n"
TEXT = "body: {content_type: text/plain}\n"


def op(signing: str, body: str = "", method: str = "POST") -> str:
    return f"method: {method}\npath: /x\nsigning: {signing}\n{body}"


def problems(tmp_path: pathlib.Path, ops: dict[str, str]) -> dict[str, list[str]]:
    folder = tmp_path / "lintsig"
    (folder / "operations").mkdir(parents=True)
    (folder / "service.yaml").write_text(SERVICE)
    for name, text in ops.items():
        (folder / "operations" / f"{name}.yaml").write_text(text)
    out: dict[str, list[str]] = {name: [] for name in ops}
    for p in lint([tmp_path]):
        out[pathlib.Path(p.file).stem].append(f"{p.line}: {p.message}")
    return out


def test_rules_that_can_be_computed_pass(tmp_path):
    found = problems(tmp_path, {
        "form_field": op("field", FORM),                # {body.Digits} of a form
        "twilio_form": op("twilio", FORM),              # {form_sorted} of a form
        "twilio_get": op("twilio", method="GET"),       # no body: the URL alone
        "json_open": op("field", JSON_OPEN),            # declared
        "json_open_extra": op("nested", JSON_OPEN),     # not declared, but allowed
        "sigv4": op("sigv4", TEXT),
    })
    assert found == {name: [] for name in found}


def test_rules_that_can_never_be_computed_are_reported(tmp_path):
    found = problems(tmp_path, {
        "no_body": op("field", method="GET"),
        "form_undeclared": op("field", FORM.replace("Digits", "Other")),
        "form_nested": op("nested", FORM.replace("Digits", "caller")),
        "form_sorted_json": op("twilio", JSON_OPEN),
        "text_field": op("field", TEXT),
        "json_closed": op("nested", JSON_CLOSED),
    })
    assert found == {
        "no_body": ["3: signing rule 'field' signs {body.Digits} but the operation has no "
                    "body"],
        "form_undeclared": ["3: signing rule 'field' signs {body.Digits}, but the form body's "
                            "schema does not declare 'Digits' (it declares 'CallSid', "
                            "'Other')"],
        "form_nested": ["3: signing rule 'nested' signs {body.caller.number}, but a form field "
                        "is text: it has no fields of its own"],
        "form_sorted_json": ["3: signing rule 'twilio' signs {form_sorted} (form parameters) "
                             "but the body is application/json, not a form "
                             "(application/x-www-form-urlencoded)"],
        "text_field": ["3: signing rule 'field' signs {body.Digits}, a field of the body, but "
                       "the body is text/plain: only a JSON or form body has fields"],
        "json_closed": ["3: signing rule 'nested' signs {body.caller.number}, but "
                        "body.caller declares no 'number' and allows no other keys "
                        "(additionalProperties: false)"],
    }
