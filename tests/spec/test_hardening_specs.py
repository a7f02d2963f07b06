"""A corpus of malformed specs (tests/spec/bad_specs/NN_name/svc/), each with its exact location.

Every case is a complete spec folder with one thing wrong. Loading it the way a call does must
raise :class:`specclient.SpecError` naming that file and line (``lint_only`` cases are valid
enough to call, and only ``specclient lint`` finds them), and :func:`specclient.spec.lint.lint` must
report exactly that one problem.
"""

from __future__ import annotations

import os
import pathlib

import pytest

import specclient
from specclient.cli import main
from specclient.spec.lint import lint

BAD = pathlib.Path(__file__).resolve().parent / "bad_specs"
OP, SERVICE, ITEM = "svc/operations/op.yaml", "svc/service.yaml", "svc/schemas/item.yaml"

# (case, file, line, message substring, lint_only)
CASES = [
    ("01_python_object_tag", OP, 2,
     "the tag 'tag:yaml.org,2002:python/object/apply:os.system' is not allowed", False),
    ("02_yaml_syntax_error", OP, 6, "YAML syntax error: did not find expected ',' or '}'", False),
    ("03_duplicate_key", OP, 11, "duplicate key 'method' (first at line 2)", False),
    ("04_duplicate_key_in_schema", ITEM, 5, "duplicate key 'name' (first at line 4)", False),
    ("05_unknown_key_operation", OP, 4, "unknown key 'retry' in (top level); did you mean "
                                        "'retries'?", False),
    ("06_unknown_key_service", SERVICE, 4, "unknown key 'default_env' in (top level)", False),
    ("07_wrong_type", OP, 4, "idempotent: 'yes' is not of type 'boolean'", False),
    ("08_bad_method", OP, 2, "method: 'FETCH' does not match", False),
    ("09_missing_path", OP, 1, "'path' is a required property", False),
    ("10_undeclared_path_parameter", OP, 3, "path parameter {part} is not declared under "
                                            "parameters", False),
    ("11_path_parameter_not_in_path", OP, 6, "path parameter 'other' does not appear in the "
                                             "path '/items/{id}'", False),
    ("12_optional_path_parameter", OP, 5, "path parameter 'id' must be required", False),
    ("13_ref_missing_file", OP, 7, "$ref to a missing file: ", False),
    ("14_ref_bad_pointer", OP, 7, "$ref pointer #/properties/nope not found", False),
    ("15_ref_cycle", "svc/schemas/b.yaml", 3, "$ref cycle: a.yaml# -> b.yaml# -> a.yaml#", False),
    ("16_ref_not_a_string", OP, 7, "$ref must be a string", False),
    ("17_ref_pointer_without_slash", OP, 7, "$ref pointer must start with '/': #properties",
     False),
    ("18_auth_not_declared", OP, 4, "auth: 'oauth' is not declared in", False),
    ("19_signing_not_declared", OP, 4, "signing: 'hub' is not declared in", False),
    ("20_defaults_auth_not_declared", SERVICE, 18, "defaults.auth names 'nokey', which this "
                                                   "service does not declare", False),
    ("21_unknown_auth_type", SERVICE, 6, "auth.key.type: 'apikey' is not one of", False),
    ("22_oauth2_without_token_url", SERVICE, 5, "auth.key: 'token_url' is a required property",
     False),
    ("23_hmac_unknown_algorithm", SERVICE, 13, "signing.sig.algorithm: 'md5' is not one of",
     False),
    ("24_hmac_unknown_template_field", SERVICE, 11, "unknown template field {body_raw}", False),
    ("25_hmac_prefix_and_value", SERVICE, 11, "give `prefix` or `value`, not both", False),
    ("26_environment_not_a_url", SERVICE, 3, "environments.live: 'ftp://127.0.0.1/api' does "
                                             "not match '^https?://'", False),
    ("27_unknown_default_environment", SERVICE, 4, "default_environment 'staging' is not one of "
                                                   "['live']", False),
    ("28_service_name_mismatch", SERVICE, 1, "service: 'other' does not match its folder 'svc'",
     False),
    ("29_operation_name_mismatch", OP, 1, "operation: 'other_op' does not match its file name "
                                          "'op'", False),
    ("30_duplicate_operation_names", "svc/operations/op.yml", None,
     "duplicate operation name 'op'", False),
    ("31_alias_used_twice", "svc/operations/op2.yaml", 1, "alias 'make_item' is already used "
                                                          "by svc.op", False),
    ("32_reserved_python_name", OP, 6, "the Python name 'timeout' is reserved", False),
    ("33_python_name_clash", OP, 7, "parameters 'X-Trace' and 'x_trace' both have the Python "
                                    "name 'x_trace'", False),
    ("34_bad_response_status", OP, 9, "responses: '20x' does not match", False),
    ("35_invalid_json_schema", OP, 7, "body.schema.type: not a valid JSON Schema: unknown "
                                      "type 'strin'", False),
    ("36_negative_timeout", OP, 4, "timeout: -1 is less than or equal to the minimum of 0", False),
    ("37_zero_retry_attempts", OP, 6, "retries.attempts: 0 is less than the minimum of 1", False),
    ("38_empty_operation_file", OP, 1, "expected a mapping at the top of the operation file",
     False),
    ("39_operation_is_a_list", OP, 1, "expected a mapping at the top of the operation file",
     False),
    ("40_not_utf8", OP, 1, "not valid text (invalid trailing UTF-8 octet", False),
    ("41_example_breaks_schema", OP, 8, "body.example does not match its schema: "
                                        "body.example.name: 3 is not of type 'string'", True),
    ("42_broken_unused_schema_file", "svc/schemas/unused.yaml", 4,
     "YAML syntax error: did not find expected ',' or '}'", True),
    ("43_default_breaks_schema", OP, 6, "parameters.limit.default: 'ten' is not of type "
                                        "'integer'", True),
    ("44_signing_body_field_without_body", OP, 3, "signing rule 'sig' signs {body.id} but the "
                                                  "operation has no body", True),
    ("45_invalid_parameter_schema", OP, 5, "parameters.id.schema.minLength: not a valid JSON "
                                           "Schema: minLength must be a whole number >= 0, "
                                           "not -1", False),
    ("46_ref_schema_is_invalid", OP, 7, "body.schema.properties.name.type: not a valid JSON "
                                        "Schema: unknown type 'strin'", False),
    ("47_schema_breaks_meta_schema", OP, 10, "responses.200.schema.uniqueItems: not a valid "
                                             "JSON Schema: 'yes' is not of type 'boolean'", True),
    # the bound is relative to the file's size (20 values a byte, at least 10,000): this
    # 513-byte file is refused at its fourth level already, not its sixth
    ("48_yaml_alias_bomb", OP, 8, "this value expands to more than 10,260 values through "
                                  "YAML aliases (513 bytes of text); refused", False),
]


def test_corpus_is_complete():
    on_disk = sorted(p.name for p in BAD.iterdir() if p.is_dir())
    assert on_disk == sorted(c[0] for c in CASES)
    assert len(CASES) >= 30


def load_everything(folder: pathlib.Path) -> specclient.Client:
    """What calls would load: the services, every operation, every alias."""
    client = specclient.Client([folder], include_bundled=False)
    client.catalog.aliases()
    for name in client.operations():
        client.operation(name)
    return client


def same_file(a: str, b: pathlib.Path) -> bool:
    return os.path.abspath(a) == os.path.abspath(b)


@pytest.mark.parametrize("case,file,line,message,lint_only", CASES, ids=[c[0] for c in CASES])
def test_bad_spec_is_refused_at_its_exact_location(case, file, line, message, lint_only):
    folder = BAD / case
    if lint_only:
        load_everything(folder)  # loads and could be called; only lint finds it
    else:
        with pytest.raises(specclient.SpecError) as info:
            load_everything(folder)
        err = info.value
        assert (os.path.abspath(err.file), err.line) == (os.path.abspath(folder / file), line)
        assert message in err.message
        assert "Traceback" not in str(err)

    problems = lint(folder)
    assert len(problems) == 1, problems
    (p,) = problems
    assert same_file(p.file, folder / file) and p.line == line
    assert message in p.message


def test_lint_cli_lists_every_problem_of_several_folders(capsys):
    folders = [str(BAD / c[0]) for c in CASES]
    assert main(["lint", *folders]) == 2
    out, err = capsys.readouterr()
    lines = out.splitlines()
    assert len(lines) == len(CASES)
    for (case, file, line, message, _), printed in zip(CASES, lines, strict=True):
        where = os.path.relpath(BAD / case / file) + (f":{line}" if line else "")
        assert printed.startswith(where + ": ") and message in printed
    assert err.startswith(f"{len(CASES)} problems (")


def test_bundled_specs_lint_clean(capsys):
    from specclient.spec.catalog import bundled_specs_dir

    assert lint(bundled_specs_dir()) == []
    assert main(["lint"]) == 0
    out, err = capsys.readouterr()
    assert out == ""
    assert err == "ok: 2 services, 2 operations, 9 files checked; no problems\n"


def test_lint_of_a_folder_without_services(tmp_path, capsys):
    assert main(["lint", str(tmp_path)]) == 2
    out, _ = capsys.readouterr()
    shown = os.path.relpath(tmp_path)
    shown = str(tmp_path) if shown.startswith("..") else shown
    assert out == f"{shown}: no service folders here (a service folder holds service.yaml)\n"


def test_lint_of_a_missing_folder(tmp_path):
    (p,) = lint(tmp_path / "nope")
    assert p.message == "spec folder not found"


def test_lint_is_public():
    from specclient.spec.catalog import bundled_specs_dir

    assert specclient.lint(bundled_specs_dir()) == []
    (p,) = specclient.lint([BAD / "08_bad_method"])
    assert isinstance(p, specclient.SpecProblem) and p.line == 2


def test_lint_lists_every_problem_in_a_file_and_across_files(tmp_path):
    folder = tmp_path / "svc"
    (folder / "operations").mkdir(parents=True)
    (folder / "service.yaml").write_text("environments: {live: 'https://x.example.com'}\n")
    (folder / "operations" / "a.yaml").write_text(
        "method: GET\npath: /a\nretry: 3\nidempotent: 'yes'\n")
    (folder / "operations" / "b.yaml").write_text(
        "method: POST\npath: /b\nbody:\n  schema: {type: object, required: [id]}\n"
        "  example: {name: x}\n")
    problems = [(os.path.basename(p.file), p.line, p.message) for p in lint(tmp_path)]
    assert problems == [
        ("a.yaml", 3, "unknown key 'retry' in (top level); did you mean 'retries'?"),
        ("a.yaml", 4, "idempotent: 'yes' is not of type 'boolean'"),
        ("b.yaml", 5, "body.example does not match its schema: body.example.id: required "
                      "property is missing"),
    ]
