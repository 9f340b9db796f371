"""Cookie choices: what the endpoint records, what it refuses, and when a choice lapses."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import time_machine
from django.test import Client

from rekisteri.consent.cookies import cookie_choice_current, cookie_notice_hash
from rekisteri.consent.models import CookieDecision
from rekisteri.policy.selectors import policy_loaded
from rekisteri.policy.services import notice_version_record
from tests import policy_keys as keys

pytestmark = pytest.mark.django_db
VISITOR = "0123456789abcdef0123456789abcdef"


@pytest.fixture(autouse=True)
def notice_in_force(db: None) -> None:
    notice_version_record(loaded=policy_loaded())  # what `rekisteri setup` does


def _post(body: object, origin: str = "http://testserver", **headers: str) -> object:
    return Client().post(
        "/consent/decisions",
        data=body if isinstance(body, (str, bytes)) else json.dumps(body),
        content_type="text/plain",
        headers={"Origin": origin, **headers},
    )


def _choice(categories: list[str], **extra: object) -> dict[str, object]:
    return {
        "visitor": VISITOR,
        "categories": categories,
        "notice": cookie_notice_hash(),
        "language": keys.language(),
        **extra,
    }


def _optional() -> list[str]:
    """The cookie categories a visitor may choose, in the policy's order."""
    return [key for key, c in keys.policy().cookies.items() if not c.necessary]


def test_a_choice_is_recorded_with_time_notice_version_and_categories() -> None:
    response = _post(_choice(list(reversed(_optional()))))
    assert response.status_code == 204
    decision = CookieDecision.objects.get()
    assert decision.categories == _optional()
    assert decision.visitor_id == VISITOR
    assert decision.notice_version is not None
    assert decision.site == "testserver"
    assert decision.gpc is False


# Mainioco sets marketing cookies; a description without them has nothing for GPC to refuse.
@pytest.mark.mainioco
def test_global_privacy_control_refuses_marketing_whatever_was_ticked() -> None:
    _post(_choice(["analytics", "marketing"]), **{"Sec-GPC": "1"})
    _post(_choice(["marketing"], gpc=True))
    first, second = CookieDecision.objects.order_by("pk")
    assert (first.categories, first.gpc) == (["analytics"], True)
    assert (second.categories, second.gpc) == ([], True)


@pytest.mark.parametrize(
    ("body", "origin", "status"),
    [
        ("not JSON", "http://testserver", 400),
        ({"visitor": VISITOR}, "http://testserver", 400),
        ({"visitor": "x" * 32, "categories": []}, "http://testserver", 400),
        ({"visitor": VISITOR, "categories": ["tracking"]}, "http://testserver", 400),
        ("x" * 5000, "http://testserver", 413),
        ({"visitor": VISITOR, "categories": []}, "https://evil.example", 403),
    ],
)
def test_bad_or_foreign_choices_are_refused_and_record_nothing(
    body: object, origin: str, status: int
) -> None:
    assert _post(body, origin).status_code == status
    assert not CookieDecision.objects.exists()


def test_a_choice_made_on_an_old_notice_is_refused() -> None:
    response = _post(_choice([], notice="0" * 16))
    assert response.status_code == 409
    assert not CookieDecision.objects.exists()


def test_a_choice_lapses_after_twelve_months() -> None:
    with time_machine.travel(dt.datetime(2026, 1, 15, 12, tzinfo=dt.UTC), tick=False):
        _post(_choice(["analytics"]))
    with time_machine.travel(dt.datetime(2027, 1, 14, 12, tzinfo=dt.UTC), tick=False):
        choice = cookie_choice_current(visitor_id=VISITOR)
        assert choice is not None
        assert choice.in_force
    with time_machine.travel(dt.datetime(2027, 1, 15, 12, tzinfo=dt.UTC), tick=False):
        choice = cookie_choice_current(visitor_id=VISITOR)
        assert choice is not None
        assert not choice.in_force
        assert choice.categories == ["analytics"]


def test_the_banner_script_carries_the_policy_categories_and_the_notice_hash() -> None:
    response = Client().get("/consent/banner.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    body = response.content.decode()
    assert cookie_notice_hash() in body
    for category in _optional():
        for lang in keys.policy().policy.languages:
            assert keys.policy().cookies[category].name(lang) in body
    assert "/*CONFIG*/" not in body
    # Small: no framework.
    assert len(response.content) < 16_000
