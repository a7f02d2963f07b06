"""``specclient lint`` lists every problem of a file in one run, not just the first stage's.

A problem in one part of an operation (its format, one parameter's schema, the body's ``$ref``,
a response example, the auth reference, the path) does not hide the problems of the others.
"""

from __future__ import annotations

import os
import pathlib

from specclient.cli import main
from specclient.spec.lint import lint

SERVICE = """\
environments: {live: 'https://x.example.com'}
auth:
  key: {type: api_key, in: header, name: X-Key, secret: KEY}
signing:
  sig: {type: hmac, algorithm: sha256, secret: SECRET, header: X-Sig, message: '{body.id}'}
"""

# one operation file, seven independent faults (line numbers on the right)
BROKEN = """\
method: FETCH
path: /items/{id}/{part}
auth: oauth
parameters:
  id:
    in: path
    schema: {type: strin}
  limit:
    in: query
    schema: {type: integer}
    default: ten
body:
  schema: {$ref: ../schemas/nope.yaml}
responses:
  "200":
    schema: {type: object, required: [id]}
    example: {name: x}
  "404":
    schema: {$ref: '#/nothing/here'}
"""
#  1 method FETCH (format)
#  2 {part} not declared
#  3 auth 'oauth' not declared
#  7 type strin
# 11 default 'ten' breaks its schema
# 13 $ref to a missing file
# 17 response example breaks its schema
# 19 $ref pointer not found

OTHER = """\
method: POST
path: /other
idempotent: 'yes'
signing: sig
parameters:
  q: {in: query, schema: {type: string, minLength: -1}}
"""


def make(tmp_path: pathlib.Path) -> pathlib.Path:
    folder = tmp_path / "svc"
    (folder / "operations").mkdir(parents=True)
    (folder / "service.yaml").write_text(SERVICE)
    (folder / "operations" / "broken.yaml").write_text(BROKEN)
    (folder / "operations" / "other.yaml").write_text(OTHER)
    return folder


def test_one_lint_run_lists_every_problem_of_a_file_and_across_files(tmp_path):
    folder = make(tmp_path)
    problems = [(os.path.basename(p.file), p.line, p.message) for p in lint(tmp_path)]
    svc = os.path.relpath(folder / "service.yaml")
    svc = str(folder / "service.yaml") if svc.startswith("..") else svc
    assert problems == [
        ("broken.yaml", 1, "method: 'FETCH' does not match "
                           "'^(?i:get|post|put|patch|delete|head|options)$'"),
        ("broken.yaml", 2, "path parameter {part} is not declared under parameters "
                           "(with in: path)"),
        ("broken.yaml", 3, f"auth: 'oauth' is not declared in {folder / 'service.yaml'} "
                           f"(known: key)"),
        ("broken.yaml", 7, "parameters.id.schema.type: not a valid JSON Schema: unknown type "
                           "'strin' (known: array, boolean, integer, null, number, object, "
                           "string)"),
        ("broken.yaml", 11, "parameters.limit.default does not match its schema: "
                            "parameters.limit.default: 'ten' is not of type 'integer'"),
        ("broken.yaml", 13, f"$ref to a missing file: {folder / 'schemas' / 'nope.yaml'}"),
        ("broken.yaml", 17, "responses.200.example does not match its schema: "
                            "responses.200.example.id: required property is missing"),
        ("broken.yaml", 19, f"$ref pointer #/nothing/here not found in "
                            f"{folder / 'operations' / 'broken.yaml'} (no 'nothing')"),
        ("other.yaml", 3, "idempotent: 'yes' is not of type 'boolean'"),
        ("other.yaml", 4, "signing rule 'sig' signs {body.id} but the operation has no body"),
        ("other.yaml", 6, "parameters.q.schema.minLength: not a valid JSON Schema: minLength "
                          "must be a whole number >= 0, not -1"),
    ]


def test_lint_cli_prints_them_all_with_file_and_line(tmp_path, capsys):
    folder = make(tmp_path)
    assert main(["lint", str(tmp_path)]) == 2
    out, err = capsys.readouterr()
    lines = out.splitlines()
    broken = os.path.relpath(folder / "operations" / "broken.yaml")
    broken = str(folder / "operations" / "broken.yaml") if broken.startswith("..") else broken
    assert [ln.split(": ", 1)[0] for ln in lines if "broken.yaml" in ln.split(": ", 1)[0]] == [
        f"{broken}:{n}" for n in (1, 2, 3, 7, 11, 13, 17, 19)]
    assert len(lines) == 11
    assert err.startswith("11 problems (1 service, 2 operations, 3 files checked)")


def test_a_broken_part_raises_when_called_too(tmp_path):
    """Loading the way a call does still refuses the file (at its first problem)."""
    import pytest

    import specclient

    make(tmp_path)
    client = specclient.Client([tmp_path], include_bundled=False)
    with pytest.raises(specclient.SpecError) as info:
        client.operation("svc.broken")
    assert info.value.line == 1 and "FETCH" in info.value.message


BROKEN_SERVICE = """\
service: other
environments:
  live: 'https://x.example.com'
default_environment: staging
auth:
  key: {type: api_key, in: header, name: X-Key, secret: KEY}
signing:
  sig:
    type: hmac
    algorithm: sha256
    secret: SECRET
    header: X-Sig
    message: '{body_raw}'
defaults:
  auth: nokey
"""


def test_a_broken_service_file_lists_all_its_problems_and_its_operations_are_still_checked(
        tmp_path):
    folder = tmp_path / "svc"
    (folder / "operations").mkdir(parents=True)
    (folder / "service.yaml").write_text(BROKEN_SERVICE)
    # signs with the broken rule 'sig': not reported again as "not declared"
    (folder / "operations" / "a.yaml").write_text(
        "method: POST\npath: /a\nsigning: sig\nbody:\n  schema: {$ref: ../schemas/nope.yaml}\n")
    (folder / "operations" / "b.yaml").write_text("method: GET\npath: /b\nauth: oauth\n")
    problems = [(os.path.basename(p.file), p.line, p.message) for p in lint(tmp_path)]
    assert problems == [
        ("a.yaml", 5, f"$ref to a missing file: {folder / 'schemas' / 'nope.yaml'}"),
        ("b.yaml", 3, f"auth: 'oauth' is not declared in {folder / 'service.yaml'} "
                      f"(known: key)"),
        ("service.yaml", 1, "service: 'other' does not match its folder 'svc'"),
        ("service.yaml", 4, "default_environment 'staging' is not one of ['live']"),
        ("service.yaml", 8, "unknown template field {body_raw} in '{body_raw}'"),
        ("service.yaml", 15, "defaults.auth names 'nokey', which this service does not "
                             "declare"),
    ]


def test_a_part_the_format_refused_is_reported_once_not_again_by_later_checks(tmp_path):
    folder = tmp_path / "svc"
    (folder / "operations").mkdir(parents=True)
    (folder / "service.yaml").write_text("environments: {live: 'https://x.example.com'}\n")
    (folder / "operations" / "b.yaml").write_text(
        "method: GET\npath: /x/{id}\nparameters:\n  id: 5\n  q: {in: query, schema: 7}\n"
        "body: 5\nresponses: {'200': x, '201': {schema: {type: strin}, example: 1}}\n"
        "auth: [1]\nsigning: {a: 1}\nretries: 3\n")
    problems = [(p.line, p.message) for p in lint(tmp_path)]
    assert problems == [
        (4, "parameters.id: 5 is not of type 'object'"),
        (5, "parameters.q.schema: 7 is not of type 'object', 'boolean'"),
        (6, "body: 5 is not of type 'object'"),
        (7, "responses.200: 'x' is not of type 'object'"),
        (7, "responses.201.schema.type: not a valid JSON Schema: unknown type 'strin' "
            "(known: array, boolean, integer, null, number, object, string)"),
        (8, "auth: [1] is not of type 'string'"),
        (9, "signing: {'a': 1} is not of type 'string'"),
        (10, "retries: 3 is not of type 'object'"),
    ]


def test_a_default_environment_of_the_wrong_type_is_reported_once(tmp_path):
    folder = tmp_path / "svc"
    (folder / "operations").mkdir(parents=True)
    (folder / "service.yaml").write_text(
        "environments: {live: 'https://x.example.com'}\ndefault_environment: 5\n"
        "defaults: {auth: nokey}\n")
    assert [(p.line, p.message) for p in lint(tmp_path)] == [
        (2, "default_environment: 5 is not of type 'string'"),
        (3, "defaults.auth names 'nokey', which this service does not declare"),
    ]
