"""A consent names a scope the policy lists: a purpose, a known channel, a known recipient."""

from __future__ import annotations

import pytest

from rekisteri.consent.models import ConsentAction, ConsentEvent
from rekisteri.consent.services import ConsentCode, consent_record
from rekisteri.core.actors import SYSTEM
from rekisteri.core.errors import InvalidInput
from rekisteri.policy.schema import LegalBasis
from rekisteri.policy.selectors import policy_get
from rekisteri.register import services as s

pytestmark = pytest.mark.django_db


def _person() -> int:
    policy = policy_get()
    contact = policy.categories[policy.category_of_field("person.first_name") or ""]
    return s.person_register(
        actor=SYSTEM,
        source=contact.sources[0],
        person=s.PersonIn(first_name="Aino", last_name="Virtanen"),
    ).pk


def _direct_marketing() -> str:
    return next(k for k, p in policy_get().purposes.items() if p.direct_marketing)


def _refused(scope: str, action: ConsentAction) -> InvalidInput:
    person_id = _person()
    with pytest.raises(InvalidInput) as refused:
        consent_record(
            actor=SYSTEM, person_id=person_id, scope=scope, action=action, channel="letter"
        )
    assert refused.value.code == ConsentCode.UNKNOWN_SCOPE
    assert refused.value.data == {"field": "scope"}
    assert not ConsentEvent.objects.exists()
    return refused.value


def test_a_scope_that_names_no_purpose_is_refused_without_repeating_it() -> None:
    refused = _refused("aino.virtanen@example.fi", ConsentAction.OBJECTED)

    assert "aino" not in refused.message
    assert "unknown purpose" in refused.message


@pytest.mark.parametrize("channel", ["", "fax", "email:email"])
def test_a_channel_the_register_does_not_know_is_refused(channel: str) -> None:
    _refused(f"{_direct_marketing()}:{channel}", ConsentAction.OBJECTED)


def test_a_channel_after_a_purpose_that_is_not_direct_marketing_is_refused() -> None:
    other = next(k for k, p in policy_get().purposes.items() if not p.direct_marketing)

    _refused(f"{other}:email", ConsentAction.OBJECTED)


def test_a_disclosure_to_a_recipient_the_policy_does_not_list_on_consent_is_refused() -> None:
    not_on_consent = [
        k for k, r in policy_get().recipients.items() if r.legal_basis != LegalBasis.CONSENT
    ]

    _refused("disclosure:nobody", ConsentAction.GRANTED)
    for recipient in not_on_consent:
        _refused(f"disclosure:{recipient}", ConsentAction.GRANTED)


def test_a_scope_the_policy_lists_is_recorded() -> None:
    person_id = _person()
    scope = f"{_direct_marketing()}:email"

    event = consent_record(
        actor=SYSTEM,
        person_id=person_id,
        scope=scope,
        action=ConsentAction.OBJECTED,
        channel="letter",
    )

    assert ConsentEvent.objects.get(pk=event.pk).scope == scope
