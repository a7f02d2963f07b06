"""The point of ``specclient stubs``: mypy --strict, run on a small project that uses the
facade, passes correct calls and names each mistake — a misspelled operation, parameter or
body field, and a field of the wrong type — as it would with a generated SDK. One mypy run
checks every file of the project (a file per mistake); each test reads its file's errors."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest
from support.petstore import write_service
from support.stubs import generate, write_shop

pytestmark = pytest.mark.slow  # mypy itself takes a few seconds

FILES = {
    "good.py": """
        from typed import Client, EventResponse, OperationName, OrderStatus, TypedResponse

        client = Client(credentials={"THIRDWATCH_API_KEY": "k"})
        body: OrderStatus = {"_userId": "u1", "_orderStatus": "_fulfilled",
                             "_customInfo": {"channel": "web"}}
        resp: TypedResponse[EventResponse] = client.thirdwatch.order_status(body, timeout=5)
        status: str | None = resp.data.get("status")
        code: int = resp.status_code
        client.ingram.order_status_event({"eventId": "E1", "resource": [
            {"lines": [{"lineNumber": 1, "shipmentDetails": [{"carrierCode": "UPS"}]}]}]},
            targeturl="https://hooks.example/x")
        client.petstore.get_pet(owner="ann", pet_id=7, x_request_id="r", verbose=True,
                                include=["photos"])
        client.shop.add_tree({"root": {"name": "a", "children": [{"name": "b"}]},
                              "kind": "tree", "from": "x", "colour": None,
                              "shape": {"w": 1, "h": 2.5}, "both": {"b": True}},
                             tree_id=3, x_request_id="r", mode="fast", class_=False)
        name: OperationName = "thirdwatch.order_status"
        client.call(name, body={"_userId": "u1"})
        client.call("resellers_v1_webhooks_orderstatusevent_post", body={})
        client.prepare("petstore.add_pet", body={"name": "Rex"}, dry_run=True)
        """,
    "bad_call_name.py": """
        from typed import Client

        Client().call("thirdwatch.order_stats", body={})
        """,
    "bad_method_name.py": """
        from typed import Client

        Client().thirdwatch.order_stats(body={})
        """,
    "bad_service_name.py": """
        from typed import Client

        Client().thirdwach.order_status(body={})
        """,
    "bad_parameter.py": """
        from typed import Client

        Client().petstore.get_pet(owner="ann", pet_idd=7, x_request_id="r")
        """,
    "bad_parameter_type.py": """
        from typed import Client

        Client().petstore.get_pet(owner="ann", pet_id="7", x_request_id="r")
        """,
    "bad_field.py": """
        from typed import Client

        Client().thirdwatch.order_status({"_userID": "u1"})
        """,
    "bad_field_type.py": """
        from typed import Client

        Client().thirdwatch.order_status({"_userId": "u1", "_orderId": 42})
        """,
    "bad_nested_field.py": """
        from typed import Client

        Client().shop.add_tree({"root": {"name": "a", "children": [{"nme": "b"}]},
                                "kind": "tree"}, tree_id=1, x_request_id="r")
        """,
    "bad_literal.py": """
        from typed import Client

        Client().shop.add_tree({"root": {"name": "a"}, "kind": "bush"}, tree_id=1,
                               x_request_id="r", mode="medium")
        """,
}


@pytest.fixture(scope="module")
def mypy_errors(tmp_path_factory) -> dict[str, list[str]]:
    """mypy --strict's error lines for every file of the project, by file name."""
    root = tmp_path_factory.mktemp("typed_project")
    write_service(root / "pets")
    generate(root / "typed", str(root / "pets"), write_shop(root))
    for name, text in FILES.items():
        (root / name).write_text(textwrap.dedent(text))
    run = subprocess.run([sys.executable, "-m", "mypy", "--strict", "--cache-dir",
                          str(root / ".mypy_cache"), "--no-color-output", "--hide-error-context",
                          "typed", *FILES], cwd=root, capture_output=True, text=True,
                         timeout=300)
    assert run.returncode in (0, 1), run.stderr
    errors: dict[str, list[str]] = {}
    for line in run.stdout.splitlines():
        if ": error: " in line:
            errors.setdefault(line.split(":", 1)[0].replace("\\", "/"), []).append(line)
    return errors


def only_error(errors: dict[str, list[str]], file: str) -> str:
    found = errors.get(file, [])
    assert len(found) >= 1, f"mypy found nothing wrong in {file}"
    return "\n".join(found)


def test_the_facade_and_correct_calls_pass_mypy_strict(mypy_errors):
    assert [f for f in mypy_errors if f.startswith("typed")] == []
    assert mypy_errors.get("good.py") is None


def test_misspelled_operation_name_in_call(mypy_errors):
    text = only_error(mypy_errors, "bad_call_name.py")
    assert "\"Literal['thirdwatch.order_stats']\"" in text and '"call" of "Client"' in text


def test_misspelled_operation_method(mypy_errors):
    assert '"ThirdwatchService" has no attribute "order_stats"' in \
        only_error(mypy_errors, "bad_method_name.py")


def test_misspelled_service(mypy_errors):
    assert '"Client" has no attribute "thirdwach"' in only_error(mypy_errors,
                                                                  "bad_service_name.py")


def test_misspelled_parameter(mypy_errors):
    assert 'Unexpected keyword argument "pet_idd" for "get_pet"' in \
        only_error(mypy_errors, "bad_parameter.py")


def test_parameter_of_the_wrong_type(mypy_errors):
    assert 'Argument "pet_id" to "get_pet" of "PetstoreService" has incompatible type "str"; ' \
           'expected "int"' in only_error(mypy_errors, "bad_parameter_type.py")


def test_misspelled_body_field(mypy_errors):
    assert 'Extra key "_userID" for TypedDict "OrderStatus"' in \
        only_error(mypy_errors, "bad_field.py")


def test_body_field_of_the_wrong_type(mypy_errors):
    text = only_error(mypy_errors, "bad_field_type.py")
    assert 'TypedDict item "_orderId" has type "str"' in text and '"int"' in text


def test_misspelled_field_in_a_recursive_schema(mypy_errors):
    text = only_error(mypy_errors, "bad_nested_field.py")
    assert 'Extra key "nme" for TypedDict "Node"' in text


def test_enum_and_const_are_literals(mypy_errors):
    text = only_error(mypy_errors, "bad_literal.py")
    assert "TypedDict item \"kind\" has type \"Literal['tree']\"" in text
    assert "\"Literal['medium']\"; expected \"Literal['fast', 'slow']\"" in text
