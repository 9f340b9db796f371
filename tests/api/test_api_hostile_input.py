"""Whatever a client sends, the API answers a 4xx in its one error shape, never a 500,
and stores nothing; and a refused write tells no one which e-mail addresses are on file."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from rekisteri.core import clock
from rekisteri.register.models import EmailAddress, Person, ServiceAccount
from tests import policy_keys as keys
from tests.api.conftest import AINO, Api

pytestmark = pytest.mark.django_db

RELATIONSHIP = f"purpose={keys.relationship_purpose()}"

# Bodies no operation reads: each is a client mistake, or an attack, never a server error.
BODIES: list[tuple[str | bytes, str]] = [
    (
        b"--zz\r\nContent-Disposition: form-data; name=x\r\n\r\nbroken",
        "multipart/form-data; boundary=zz",
    ),
    ("first_name=Aino", "application/x-www-form-urlencoded"),
    ("<person/>", "application/xml"),
    ("{", "application/json"),
    ("[" * 5000, "application/json"),
    ('"just a string"', "application/json"),
    ('{"first_name": "\\ud800"}', "application/json"),
    ('{"first_name": "A\\u0000"}', "application/json"),
    (b"\xff\xfe\x00\x01", "application/json"),
    ("{}", "text/plain"),
]

# Every operation that reads a body, with the path that names no one or someone real.
WRITES = [
    ("post", "/people"),
    ("post", "/people/lookup"),
    ("post", "/requests"),
    ("patch", "/people/{pid}/contact?" + RELATIONSHIP),
    ("post", "/people/{pid}/customerships"),
]


def _shaped(response: object) -> bool:
    body = response.json()  # type: ignore[attr-defined]
    return set(body) == {"code", "message", "data"} and isinstance(body["message"], str)


@pytest.mark.parametrize(("body", "content_type"), BODIES)
@pytest.mark.parametrize(("method", "path"), WRITES)
def test_a_body_no_operation_reads_is_a_shaped_4xx_and_stores_nothing(
    api: Api, method: str, path: str, body: str | bytes, content_type: str
) -> None:
    # Given a person on file
    pid = api.call("post", "/people", AINO).json()["id"]
    people, emails = Person.objects.count(), EmailAddress.objects.count()

    # When a client sends a body the operation cannot read
    response = getattr(api.client, method)(
        "/api" + path.format(pid=pid), data=body, content_type=content_type, headers=api.headers
    )

    # Then it is told so in the API's one shape, and nothing changed
    assert 400 <= response.status_code < 500, response.content[:200]
    assert _shaped(response)
    assert (Person.objects.count(), EmailAddress.objects.count()) == (people, emails)


@pytest.mark.parametrize("person_id", ["0", "424242", "999999999999999999", "1e3", "-1", "%00"])
@pytest.mark.parametrize("tail", ["", "/data", "/consents", "/events"])
def test_an_unknown_or_malformed_person_id_is_a_shaped_4xx(
    api: Api, person_id: str, tail: str
) -> None:
    response = api.client.get(f"/api/people/{person_id}{tail}?{RELATIONSHIP}", headers=api.headers)

    assert response.status_code in (400, 404, 422), response.content[:200]
    assert _shaped(response)


def test_another_persons_customership_is_not_found_under_ones_own_id(api: Api) -> None:
    # Given two people, the second with a customership
    first = api.call("post", "/people", AINO).json()["id"]
    second = api.call(
        "post",
        "/people",
        {**AINO, "email": "eero@example.fi", "account": None, "first_name": "Eero"},
    ).json()["id"]
    started = api.call(
        "post",
        f"/people/{second}/customerships",
        {"source": keys.service_source(), "started_on": "2024-01-01"},
    ).json()["id"]

    # When a client ends it under the first person's id
    response = api.call("post", f"/people/{first}/customerships/{started}/end", {})

    # Then there is no such customership, and it is not ended
    assert response.status_code == 404
    assert _shaped(response)
    body = api.call("get", f"/people/{second}?{RELATIONSHIP}").json()
    assert body["customerships"][0]["ended_on"] is None


# A safe answer to a write that clashes with an address on file.
#
# The register must refuse the write (two people never share an address), so the
# writer learns that its request clashed: hiding that would lose the person it
# meant to register. What it must not learn is *what* clashed: a distinct
# `email_taken` would let a key that may only write test addresses one by one,
# and would tell even of people the gate hides from every read (restricted,
# objecting). So every clash of a unique value - an e-mail address, a username,
# an identity code, found before the write or by a race - is the one 409
# `conflict` with the same message and no data. Whether an address is on file is
# the gate's to tell: a lookup for a purpose the key holds, audited.
# The person's own portal is not touched: there they see only their own data.
CLASHES: dict[str, Callable[[], dict[str, object]]] = {
    "e-mail": lambda: {**AINO, "account": None},
    "e-mail in another case": lambda: {
        **AINO,
        "account": None,
        "email": str(AINO["email"]).upper(),
    },
    "username": lambda: {**AINO, "email": "toinen@example.fi"},
}


@pytest.mark.parametrize("clash", list(CLASHES))
def test_a_write_that_clashes_says_not_what_clashed_nor_that_an_address_is_on_file(
    api: Api, make_key: Callable[..., str], clash: str
) -> None:
    # Given Aino on file, and a key that may only write people
    api.call("post", "/people", AINO)
    writer = Api(make_key(scopes=["people:write"]))

    # When it registers someone whose address (or username) is hers
    response = writer.call("post", "/people", CLASHES[clash]())

    # Then it hears the one answer of every clash, naming neither value nor field
    assert response.status_code == 409
    assert response.json() == {
        "code": "conflict",
        "message": "the change conflicts with data already in the register",
        "data": {},
    }
    assert (Person.objects.count(), ServiceAccount.objects.count()) == (1, 1)


def test_a_restricted_persons_address_clashes_like_anyone_elses(api: Api) -> None:
    # Given Aino on file with the processing of her data restricted
    aino = api.call("post", "/people", AINO).json()["id"]
    Person.objects.filter(pk=aino).update(restricted_since=clock.now())
    unrestricted = api.call(
        "post", "/people", {**AINO, "email": "eero@example.fi", "account": None}
    )

    # When a client changes another person's address to hers
    response = api.call(
        "patch",
        f"/people/{unrestricted.json()['id']}/contact?{RELATIONSHIP}",
        {"source": keys.subject_source(), "email": AINO["email"]},
    )

    # Then the answer is the same as for any clash: nothing tells that she is on file
    assert response.status_code == 409
    assert response.json()["code"] == "conflict"
    assert response.json()["data"] == {}
    assert EmailAddress.objects.filter(person_id=unrestricted.json()["id"]).get().address == (
        "eero@example.fi"
    )
