"""specclient.testing: mocking operations by name, recording bound arguments, the fixture."""

from __future__ import annotations

import importlib.metadata
import os
import subprocess
import sys
import textwrap
import tomllib

import pytest
from support.petstore import write_service

import specclient
from conftest import CREDS, REPO, hub_signature
from specclient.testing import TEST_TOKEN, SpecMock


@pytest.fixture
def pets_client(tmp_path):
    write_service(tmp_path)
    c = specclient.Client([tmp_path], credentials={"PETSTORE_KEY": "pet-key-secret-987"},
                          retries={"backoff": 0.001})
    yield c
    c.close()


def test_mock_by_name_records_typed_bound_arguments(pets_client):
    with SpecMock(pets_client) as mock:
        mock.add("petstore.get_pet", json={"id": 7, "name": "Rex"})
        resp = pets_client.call("petstore.get_pet", owner="ann b", pet_id=7,
                                include=["photos", "tags"], verbose=True, x_request_id="r-1")
    assert resp.status_code == 200 and resp.data == {"id": 7, "name": "Rex"}
    (call,) = mock.calls_to("petstore.get_pet")
    assert call.method == "GET"
    assert call.url == ("https://pets.example.com/api/v2/owners/ann%20b/pets/7?include=photos"
                        "&include=tags&verbose=true&api_key=pet-key-secret-987")
    assert call.path_params == {"owner": "ann b", "petId": "7"}
    assert call.params == {"owner": "ann b", "pet_id": 7, "include": ["photos", "tags"],
                           "verbose": True, "x_request_id": "r-1"}
    assert call.query["api_key"] == "pet-key-secret-987"
    assert call.body is None and call.json is None


def test_body_is_decoded_and_bytes_kept(client):
    with SpecMock(client) as mock:
        mock.add("thirdwatch.order_status", json={"status": "OK"})
        client.call("thirdwatch.order_status", body={"_userId": "u1", "_orderId": "o1"})
    call = mock.assert_called("thirdwatch.order_status", times=1)
    assert call.json == {"_userId": "u1", "_orderId": "o1"}
    assert call.body == b'{"_userId":"u1","_orderId":"o1"}'
    assert call.headers["X-THIRDWATCH-API-KEY"] == CREDS["THIRDWATCH_API_KEY"]


def test_oauth_token_endpoint_is_mocked_and_signature_checkable(client, ingram_example):
    with SpecMock(client) as mock:
        mock.add("ingram.order_status_event", status=200)
        resp = client.call("resellers_v1_webhooks_orderstatusevent_post",  # an alias works
                           body=ingram_example, targeturl="https://h.example/x")
    assert resp.status_code == 200
    call = mock.assert_called("ingram.order_status_event")
    assert call.headers["Authorization"] == f"Bearer {TEST_TOKEN}"
    assert call.params["x_hub_signature"] == hub_signature(CREDS["INGRAM_WEBHOOK_SECRET"],
                                                           ingram_example["eventId"])
    assert call.params["targeturl"] == "https://h.example/x"


def test_successive_answers_then_the_last_repeats(pets_client):
    with SpecMock(pets_client) as mock:
        mock.add("petstore.get_pet", status=503, json={"e": 1})
        mock.add("petstore.get_pet", json={"id": 1, "name": "A"})
        first = pets_client.call("petstore.get_pet", owner="o", pet_id=1, x_request_id="r")
        second = pets_client.call("petstore.get_pet", owner="o", pet_id=2, x_request_id="r")
    assert first.attempts == 2 and first.data == {"id": 1, "name": "A"}  # GET: retried
    assert second.data == {"id": 1, "name": "A"}
    assert [c.params["pet_id"] for c in mock.calls] == [1, 1, 2]


def test_unmocked_requests_never_reach_the_network(client):
    with SpecMock(client) as mock:
        mock.add("ingram.order_status_event")
        with pytest.raises(specclient.TransportError):
            client.call("thirdwatch.order_status", body={"_userId": "u"})
    assert mock.calls == []


def test_environment_and_errors(client):
    with SpecMock(client, environment="production") as mock:
        mock.add("thirdwatch.order_status", json={"message": "bad"}, status=400)
        with pytest.raises(specclient.ClientError) as e:
            client.call("thirdwatch.order_status", body={"_userId": "u"})
    assert e.value.status_code == 400
    with pytest.raises(AssertionError, match=r"ingram.order_status_event was called 0 times "
                                             r"\(calls seen: thirdwatch.order_status\)"):
        mock.assert_called("ingram.order_status_event")
    with pytest.raises(AssertionError, match="called 1 times, expected 2"):
        mock.assert_called("thirdwatch.order_status", times=2)
    with pytest.raises(specclient.OperationNotFound):
        mock.add("thirdwatch.nope")


def test_url_pattern_matches_only_the_operation(pets_client):
    mock = SpecMock(pets_client)
    pat = mock.url_pattern(pets_client.operation("petstore.get_pet"))
    assert pat.match("https://pets.example.com/api/v2/owners/a/pets/1?x=1")
    assert not pat.match("https://pets.example.com/api/v2/owners/a/b/pets/1")
    assert not pat.match("https://staging.pets.example.com/api/v2/owners/a/pets/1")


def test_importing_the_plugin_and_module_does_not_import_responses():
    code = ("import sys, specclient.pytest_plugin, specclient.testing; "
            "assert 'responses' not in sys.modules, 'responses imported'")
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    subprocess.run([sys.executable, "-c", code], check=True, env=env)


def test_pyproject_declares_the_pytest_plugin():
    data = tomllib.loads((REPO / "pyproject.toml").read_text())
    assert data["project"]["entry-points"]["pytest11"] == {
        "specclient": "specclient.pytest_plugin"}


def test_the_fixture_in_a_user_test_suite(tmp_path):
    """A user's project: its own spec folder, its own client fixture, the specclient_mock
    fixture, run by pytest in a subprocess."""
    write_service(tmp_path / "specs")
    (tmp_path / "conftest.py").write_text(textwrap.dedent(f"""
        import pytest, specclient

        @pytest.fixture
        def specclient_client():
            return specclient.Client([{str(tmp_path / "specs")!r}],
                                     credentials={{"PETSTORE_KEY": "k" * 8}})
    """))
    (tmp_path / "test_user.py").write_text(textwrap.dedent("""
        def add_pet(client, name):          # the user's code under test
            return client.call("petstore.add_pet", body={"name": name}).data

        def test_add(specclient_mock, specclient_client):
            specclient_mock.add("petstore.add_pet", json={"name": "Rex"}, status=201)
            assert add_pet(specclient_client, "Rex") == {"name": "Rex"}
            call = specclient_mock.assert_called("petstore.add_pet", times=1)
            assert call.json == {"name": "Rex"}
    """))
    registered = any(ep.value == "specclient.pytest_plugin"
                     for ep in importlib.metadata.entry_points(group="pytest11"))
    extra = [] if registered else ["-p", "specclient.pytest_plugin"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("SPECCLIENT")}
    env["PYTHONPATH"] = str(REPO)
    res = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                          *extra, str(tmp_path)], cwd=tmp_path, env=env,
                         capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stdout + res.stderr
    assert "1 passed" in res.stdout


def test_recorded_call_repr_hides_the_secrets(pets_client):
    """pytest prints a RecordedCall's repr when an assertion on it fails: no key in it."""
    with SpecMock(pets_client) as mock:
        mock.add("petstore.get_pet", json={"id": 7, "name": "Rex"})
        pets_client.call("petstore.get_pet", owner="ann", pet_id=7, x_request_id="r-1")
    (call,) = mock.calls
    assert "pet-key-secret-987" in call.url              # the attributes stay exact
    shown = repr(call) + str(mock.calls)
    assert "pet-key-secret-987" not in shown
    assert "api_key=***" in shown and "'r-1'" in shown
