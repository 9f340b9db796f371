"""A change of a person's e-mail address by someone else cannot take over their portal.

The change is stored, but sign-in links keep going to the address the person
verified until the new one is confirmed from a link sent to it; the old address
is told, with a link that undoes the change without signing in.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from rekisteri.audit.models import AuditEntry, AuditEvent
from rekisteri.core.actors import SYSTEM
from rekisteri.core.jobs import jobs_run_queued
from rekisteri.register.models import EmailAddress, EmailChange, EmailChangeState
from rekisteri.register.services import contact_write_purposes
from rekisteri.staff.keys import Scope, api_key_create
from tests import policy_keys as keys
from tests.api.conftest import Api
from tests.rights.conftest import SUBJECT_EMAIL, Subject

TAKER = "taker@example.org"
# The links of the messages about the change, in the register's language: the
# person is told in it, whichever system made the change.
UNDO = reverse(f"my-email-undo-{keys.language()}")
CONFIRM = reverse(f"my-email-confirm-{keys.language()}")


@pytest.fixture
def api(db: None) -> Api:
    """An integrating system allowed to change contact details."""
    _key, secret = api_key_create(
        actor=SYSTEM,
        name="crm",
        scopes=[str(Scope.PEOPLE_WRITE)],
        purposes=[contact_write_purposes()[0]],
    )
    return Api(secret)


def _change_email(api: Api, person_id: int, address: str) -> None:
    purpose = contact_write_purposes()[0]
    response = api.call(
        "patch",
        f"/people/{person_id}/contact?purpose={purpose}",
        {"source": keys.staff_source(), "email": address},
    )
    assert response.status_code == 200, response.content
    jobs_run_queued()


def _ask_for_link(address: str, client_ip: str) -> None:
    Client(REMOTE_ADDR=client_ip).post("/en/my/sign-in", {"method": "link", "email": address})
    jobs_run_queued()


def _sign_in_links(smtp: Any, address: str) -> list[str]:
    return [
        found.group(0)
        for message in smtp.to(address)
        if (found := re.search(r"/en/my/link\?t=\S+", smtp.body(message)))
    ]


def _link(smtp: Any, address: str, path: str) -> str:
    for message in smtp.to(address):
        found = re.search(re.escape(path) + r"\?t=(\S+)", smtp.body(message))
        if found:
            return found.group(1)
    raise AssertionError(f"no {path} link in the messages")


def _addresses(person_id: int) -> set[str]:
    return set(EmailAddress.objects.filter(person_id=person_id).values_list("address", flat=True))


def test_a_change_by_an_integrating_system_does_not_send_sign_in_links_to_the_new_address(
    aino: Subject, smtp: Any, api: Api
) -> None:
    _change_email(api, aino.pk, TAKER)

    # The old address is told, with a way to undo; the new one is asked to confirm.
    [told] = smtp.to(SUBJECT_EMAIL)
    assert UNDO + "?t=" in smtp.body(told)
    [asked] = smtp.to(TAKER)
    assert CONFIRM + "?t=" in smtp.body(asked)
    assert TAKER not in smtp.body(told)

    _ask_for_link(TAKER, "192.0.2.1")
    _ask_for_link(SUBJECT_EMAIL, "192.0.2.2")

    assert _sign_in_links(smtp, TAKER) == []
    assert len(_sign_in_links(smtp, SUBJECT_EMAIL)) == 1


def test_the_old_address_undoes_the_change_without_signing_in(
    aino: Subject, smtp: Any, api: Api
) -> None:
    _change_email(api, aino.pk, TAKER)
    token = _link(smtp, SUBJECT_EMAIL, UNDO)

    asked = Client().get(UNDO, {"t": token})
    undone = Client().post(UNDO, {"t": token})
    again = Client().post(UNDO, {"t": token})

    assert asked.status_code == 200
    assert token in asked.content.decode()
    assert _addresses(aino.pk) == {SUBJECT_EMAIL}
    assert undone.status_code == 200
    was_undone = _(
        "The change was undone: the new address was removed, and sign-in links come to "
        "this address again."
    )
    assert keys.words(was_undone) in undone.content.decode()
    assert again.status_code == 400
    assert AuditEntry.objects.filter(
        event=AuditEvent.EMAIL_CHANGE_UNDONE, person_id=aino.pk
    ).exists()


def test_a_confirmed_address_gets_sign_in_links_and_the_change_can_still_be_undone(
    aino: Subject, smtp: Any, api: Api
) -> None:
    _change_email(api, aino.pk, TAKER)
    confirm = _link(smtp, TAKER, CONFIRM)
    undo = _link(smtp, SUBJECT_EMAIL, UNDO)

    confirmed = Client().post("/en/my/email/confirm", {"t": confirm})
    _ask_for_link(TAKER, "192.0.2.1")

    assert confirmed.status_code == 200
    assert "the address is confirmed" in confirmed.content.decode()
    assert len(_sign_in_links(smtp, TAKER)) == 1
    assert AuditEntry.objects.filter(
        event=AuditEvent.EMAIL_CHANGE_CONFIRMED, person_id=aino.pk
    ).exists()

    # Whoever held the new address confirmed it at once; the person can still undo.
    assert Client().post("/en/my/email/undo", {"t": undo}).status_code == 200
    _ask_for_link(TAKER, "192.0.2.3")

    assert _addresses(aino.pk) == {SUBJECT_EMAIL}
    assert len(_sign_in_links(smtp, TAKER)) == 1  # no new one
    [change] = EmailChange.objects.filter(person_id=aino.pk)
    assert change.state == EmailChangeState.UNDONE


def test_a_confirmation_link_does_not_undo_and_an_undo_link_does_not_confirm(
    aino: Subject, smtp: Any, api: Api
) -> None:
    _change_email(api, aino.pk, TAKER)
    confirm = _link(smtp, TAKER, CONFIRM)
    undo = _link(smtp, SUBJECT_EMAIL, UNDO)

    assert Client().post(UNDO, {"t": confirm}).status_code == 400
    assert Client().post(CONFIRM, {"t": undo}).status_code == 400
    assert Client().post(CONFIRM, {"t": confirm + "x"}).status_code == 400

    assert EmailChange.objects.get(person_id=aino.pk).state == EmailChangeState.PENDING


def test_undoing_the_change_signs_out_whoever_signed_in_with_the_new_address(
    aino: Subject, smtp: Any, api: Api
) -> None:
    # given a taker who confirmed the new address and signed in with its link
    _change_email(api, aino.pk, TAKER)
    Client().post("/en/my/email/confirm", {"t": _link(smtp, TAKER, CONFIRM)})
    _ask_for_link(TAKER, "192.0.2.1")
    [link] = _sign_in_links(smtp, TAKER)
    taker = Client()
    page = taker.get(link)
    token = re.search(r'name="t" value="([^"]+)"', page.content.decode())
    signed_in = taker.post("/en/my/link", {"t": token.group(1)} if token else {})
    assert taker.get("/en/my/").status_code == 200, signed_in

    # when the person undoes the change from their old address
    Client().post("/en/my/email/undo", {"t": _link(smtp, SUBJECT_EMAIL, UNDO)})

    # then the taker's session is over: no page, no package
    after = taker.get("/en/my/")
    assert after.status_code == 302
    assert after["Location"] == "/en/my/sign-in"
