"""Adding an endpoint is editing YAML: a brand-new service, written here, called at once."""

from __future__ import annotations

import json
import textwrap

import pytest
import responses
from support.petstore import SERVICE, write_service

import specclient


@pytest.fixture
def pets(tmp_path):
    write_service(tmp_path)
    return specclient.Client(spec_dirs=[tmp_path], credentials={"PETSTORE_KEY": "k/ey+1"})


def test_new_service_is_listed_with_bundled(pets):
    ops = pets.operations()
    assert "petstore.get_pet" in ops and "petstore.add_pet" in ops
    assert "thirdwatch.order_status" in ops


def test_get_with_path_query_header_params(pets, mocked):
    url = ("https://pets.example.com/api/v2/owners/ann%20lee%2F..%2Fx/pets/7"
           "?include=photos&include=tags&verbose=true&api_key=k%2Fey%2B1")
    mocked.add(responses.GET, url, json={"id": 7, "name": "Rex"})
    resp = pets.call("petstore.get_pet", owner="ann lee/../x", pet_id=7,
                     include=["photos", "tags"], verbose=True, x_request_id="r-1")
    assert resp.data == {"id": 7, "name": "Rex"}
    sent = mocked.calls[0].request
    assert sent.url == url
    assert sent.headers["X-Request-Id"] == "r-1"
    assert sent.body is None


def test_param_violations_name_the_parameter(pets, mocked):
    with pytest.raises(specclient.ValidationError) as info:
        pets.call("petstore.get_pet", owner="a", pet_id=0, include=["fur"],
                  x_request_id="r" * 40)
    assert sorted(v.path for v in info.value.violations) == [
        "header.X-Request-Id", "path.petId", "query.include[0]"]
    assert len(mocked.calls) == 0


def test_post_with_refd_body_schema(pets, mocked):
    mocked.add(responses.POST, "https://pets.example.com/api/v2/pets?api_key=k%2Fey%2B1",
               json={"name": "Rex", "tag": "dog"}, status=201)
    resp = pets.call("petstore.add_pet", body={"name": "Rex", "tag": "dog"})
    assert resp.status_code == 201 and resp.data == {"name": "Rex", "tag": "dog"}
    assert mocked.calls[0].request.body == b'{"name":"Rex","tag":"dog"}'
    with pytest.raises(specclient.ValidationError) as info:
        pets.call("petstore.add_pet", body={"name": "", "tag": "Dog!"})
    assert sorted(v.path for v in info.value.violations) == ["body.name", "body.tag"]
    assert len(mocked.calls) == 1


def test_environment_choice(tmp_path):
    write_service(tmp_path)
    c = specclient.Client(spec_dirs=[tmp_path], environment="staging",
                          credentials={"PETSTORE_KEY": "k"})
    req = c.prepare("petstore.add_pet", body={"name": "x"})
    assert req.url == "https://staging.pets.example.com/api/v2/pets?api_key=k"
    assert req.redacted()["url"] == "https://staging.pets.example.com/api/v2/pets?api_key=***"


def test_user_service_replaces_bundled_one(tmp_path):
    service = SERVICE.replace("service: petstore", "service: thirdwatch")
    write_service(tmp_path, name="thirdwatch", service=service)
    c = specclient.Client(spec_dirs=[tmp_path], credentials={"PETSTORE_KEY": "k"})
    ops = c.operations()
    assert "thirdwatch.order_status" not in ops
    assert "thirdwatch.add_pet" in ops and "ingram.order_status_event" in ops


def test_specclient_specs_env_var(tmp_path, monkeypatch):
    a, b = tmp_path / "a", tmp_path / "b"
    write_service(a, "pets_a", SERVICE.replace("petstore", "pets_a"))
    write_service(b, "pets_b", SERVICE.replace("petstore", "pets_b"))
    monkeypatch.setenv("SPECCLIENT_SPECS", f"{a}{__import__('os').pathsep}{b}")
    ops = specclient.Client().operations()
    assert "pets_a.get_pet" in ops and "pets_b.get_pet" in ops


def test_recursive_schema(tmp_path, mocked):
    folder = write_service(tmp_path)
    (folder / "schemas" / "pet.yaml").write_text(textwrap.dedent("""
        type: object
        required: [name]
        properties:
          name: {type: string}
          children: {type: array, items: {$ref: pet.yaml}}
    """))
    c = specclient.Client(spec_dirs=[tmp_path], credentials={"PETSTORE_KEY": "k"})
    body = {"name": "a", "children": [{"name": "b", "children": [{"name": 3}]}]}
    with pytest.raises(specclient.ValidationError) as info:
        c.prepare("petstore.add_pet", body=body)
    assert [v.path for v in info.value.violations] == ["body.children[0].children[0].name"]
    body["children"][0]["children"][0]["name"] = "c"
    assert json.loads(c.prepare("petstore.add_pet", body=body).body) == body


def test_an_integral_float_for_an_integer_parameter_is_sent_as_an_integer(pets):
    """JSON Schema accepts 7.0 as an integer; the URL must then say 7, not 7.0."""
    req = pets.prepare("petstore.get_pet", owner="ann", pet_id=7.0, x_request_id="r")
    assert req.url.startswith("https://pets.example.com/api/v2/owners/ann/pets/7?")


def test_a_parameter_given_twice_by_both_its_names_is_refused(pets):
    with pytest.raises(specclient.ArgumentError, match="given twice"):
        pets.prepare("petstore.get_pet", owner="ann", pet_id=7, x_request_id="r1",
                     **{"X-Request-Id": "r2"})


def test_a_bare_alias_declared_by_two_services_is_ambiguous_not_fatal(tmp_path):
    """An imported copy of a bundled operation keeps the same SDK alias: both services still
    load, each `service.alias` resolves, and the bare alias names both candidates."""
    svc = tmp_path / "xi"
    (svc / "operations").mkdir(parents=True)
    (svc / "service.yaml").write_text("environments:\n  prod: https://xi.example\n")
    (svc / "operations" / "hook.yaml").write_text(
        "method: POST\npath: /hook\naliases: [resellers_v1_webhooks_orderstatusevent_post]\n")
    c = specclient.Client(spec_dirs=[tmp_path])
    assert c.operation("xi.resellers_v1_webhooks_orderstatusevent_post").full_name == "xi.hook"
    assert c.operation("ingram.resellers_v1_webhooks_orderstatusevent_post").full_name \
        == "ingram.order_status_event"
    with pytest.raises(specclient.OperationNotFound) as info:
        c.operation("resellers_v1_webhooks_orderstatusevent_post")
    assert info.value.suggestions == ["ingram.order_status_event", "xi.hook"]
    assert c.operation("ingram.order_status_event").full_name == "ingram.order_status_event"
