"""Who may call what: every route and API operation, for every kind of caller.

The routes are found, not listed by hand: a new URL or API operation that is
not in the matrix below fails the first test.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from rekisteri.api.api import api
from rekisteri.core.actors import SYSTEM
from rekisteri.policy.selectors import policy_get
from rekisteri.register.services import (
    AddressIn,
    OrganisationIn,
    PersonIn,
    contact_write_purposes,
    customership_start,
    person_register,
)
from rekisteri.rights.services import request_create
from rekisteri.staff.keys import Scope, api_key_create
from tests import policy_keys as keys
from tests.console.conftest import signed_in
from tests.factories import country
from tests.images import PNG
from tests.rights.conftest import BUSINESS_IDS

pytestmark = pytest.mark.django_db

PUBLIC, STAFF, NOT_ANALYST = "public", "staff", "staff but not analyst"
# The request queue: only a role that sees restricted people (the data protection officer).
HANDLER = "request handler"
# The data subject's own pages: no staff role and no anonymous caller gets in.
SUBJECT = "signed-in data subject"
# A report of the analytics purpose: roles holding that purpose.
ANALYTICS = "staff holding the purpose the statistics reports serve"
# Correcting contact details: roles holding a purpose the policy lets change them.
CONTACT_WRITER = "staff holding a purpose that covers changing contact details"
PORTAL_SIGN_IN = ("/oma/kirjaudu", "/en/my/sign-in", "/sv/mina-sidor/logga-in")
# Routes outside the API: who gets through.
PAGES: dict[str, str] = {
    "": PUBLIC,
    "en/": PUBLIC,
    "tietosuojaseloste": PUBLIC,
    "en/privacy": PUBLIC,
    "healthz": PUBLIC,
    "console/login": PUBLIC,
    "console/login/code": PUBLIC,
    "console/logout": PUBLIC,
    "console/enrol/<str:token>": PUBLIC,
    "console/": STAFF,
    "console/people/<id:person_id>": NOT_ANALYST,
    "console/people/<id:person_id>/rectify": CONTACT_WRITER,
    "console/compliance": HANDLER,
    "console/reports": STAFF,
    "console/segments": STAFF,
    "console/reports/<slug:key>.csv": ANALYTICS,
    "console/requests": HANDLER,
    "console/requests/<id:request_id>": HANDLER,
    "console/staff-reads": HANDLER,
    "i18n/setlang/": PUBLIC,
    "api/docs": PUBLIC,
    "api/openapi.json": PUBLIC,
    "oma/": SUBJECT,
    "en/my/": SUBJECT,
    "oma/kirjaudu": PUBLIC,
    "en/my/sign-in": PUBLIC,
    "oma/linkki": PUBLIC,
    "en/my/link": PUBLIC,
    "oma/ulos": PUBLIC,
    # The links of a message about a change of one's e-mail address.
    "oma/sahkoposti/vahvista": PUBLIC,
    "en/my/email/confirm": PUBLIC,
    "oma/sahkoposti/peru": PUBLIC,
    "en/my/email/undo": PUBLIC,
    "en/my/sign-out": PUBLIC,
    "oma/pyynto": SUBJECT,
    "en/my/request": SUBJECT,
    "oma/ilmoitus/<id:announcement_id>": SUBJECT,
    "en/my/announcement/<id:announcement_id>": SUBJECT,
    "oma/paketti/<id:package_id>/<str:name>": SUBJECT,
    "en/my/package/<id:package_id>/<str:name>": SUBJECT,
    "oma/valinnat": SUBJECT,
    "en/my/choices": SUBJECT,
    "oma/valinnat/muuta": SUBJECT,
    "en/my/choices/change": SUBJECT,
    # The opt-out link in every marketing message works without signing in.
    "markkinointikielto/<str:token>": PUBLIC,
    "en/opt-out/<str:token>": PUBLIC,
    "kysely/<str:token>": PUBLIC,
    "en/survey/<str:token>": PUBLIC,
    # The cookie banner, embedded on the company's web site, and its demo page.
    "consent/banner.js": PUBLIC,
    "consent/decisions": PUBLIC,
    "consent/demo": PUBLIC,
    "consent/demo/<int:page>": PUBLIC,
    "en/consent/demo": PUBLIC,
    "en/consent/demo/<int:page>": PUBLIC,
    # The same pages in Swedish, served where the policy offers Swedish.
    "sv/": PUBLIC,
    "sv/integritetspolicy": PUBLIC,
    "sv/mina-sidor/": SUBJECT,
    "sv/mina-sidor/logga-in": PUBLIC,
    "sv/mina-sidor/lank": PUBLIC,
    "sv/mina-sidor/e-post/bekrafta": PUBLIC,
    "sv/mina-sidor/e-post/angra": PUBLIC,
    "sv/mina-sidor/logga-ut": PUBLIC,
    "sv/mina-sidor/begaran": SUBJECT,
    "sv/mina-sidor/meddelande/<id:announcement_id>": SUBJECT,
    "sv/mina-sidor/paket/<id:package_id>/<str:name>": SUBJECT,
    "sv/mina-sidor/val": SUBJECT,
    "sv/mina-sidor/val/andra": SUBJECT,
    "sv/avregistrera/<str:token>": PUBLIC,
    "sv/enkat/<str:token>": PUBLIC,
    "sv/consent/demo": PUBLIC,
    "sv/consent/demo/<int:page>": PUBLIC,
}
# Pages that only take a form (POST).
POSTED = (
    "console/people/<id:person_id>/rectify",
    "oma/ilmoitus/<id:announcement_id>",
    "en/my/announcement/<id:announcement_id>",
    "oma/pyynto",
    "en/my/request",
    "oma/valinnat/muuta",
    "en/my/choices/change",
    "sv/mina-sidor/meddelande/<id:announcement_id>",
    "sv/mina-sidor/begaran",
    "sv/mina-sidor/val/andra",
)
# API operations: the scope each needs.
OPERATIONS: dict[tuple[str, str], Scope] = {
    ("post", "/api/people"): Scope.PEOPLE_WRITE,
    ("post", "/api/people/lookup"): Scope.PEOPLE_READ,
    ("get", "/api/people/{person_id}"): Scope.PEOPLE_READ,
    ("get", "/api/people/{person_id}/data"): Scope.PEOPLE_READ,
    ("patch", "/api/people/{person_id}/contact"): Scope.PEOPLE_WRITE,
    ("post", "/api/people/{person_id}/customerships"): Scope.PEOPLE_WRITE,
    ("post", "/api/people/{person_id}/customerships/{customership_id}/end"): Scope.PEOPLE_WRITE,
    ("get", "/api/people/{person_id}/events"): Scope.EVENTS_READ,
    ("post", "/api/people/{person_id}/events/usage"): Scope.EVENTS_WRITE,
    ("post", "/api/people/{person_id}/events/contact"): Scope.EVENTS_WRITE,
    ("post", "/api/people/{person_id}/events/web-visits"): Scope.EVENTS_WRITE,
    ("post", "/api/people/{person_id}/events/deliveries"): Scope.EVENTS_WRITE,
    ("post", "/api/people/{person_id}/events/payments"): Scope.EVENTS_WRITE,
    ("post", "/api/people/{person_id}/events/invoices"): Scope.EVENTS_WRITE,
    ("post", "/api/people/{person_id}/events/feedback"): Scope.EVENTS_WRITE,
    ("post", "/api/people/{person_id}/events/service-cases"): Scope.EVENTS_WRITE,
    ("post", "/api/organisations/{organisation_id}/logo"): Scope.PEOPLE_WRITE,
    ("post", "/api/requests"): Scope.REQUESTS_WRITE,
    ("get", "/api/requests/{request_id}"): Scope.REQUESTS_WRITE,
    ("get", "/api/marketing/audience"): Scope.MARKETING,
    ("post", "/api/marketing/deliveries"): Scope.MARKETING,
    ("get", "/api/people/{person_id}/consents"): Scope.PEOPLE_READ,
    ("post", "/api/people/{person_id}/consents"): Scope.PEOPLE_WRITE,
    ("get", "/api/cookie-consents/{visitor_id}"): Scope.COOKIES_READ,
}
# A body that passes the schema, so that only the caller decides the answer.
BODIES: dict[str, Any] = {
    "/api/people": {"source": keys.subject_source(), "first_name": "Uusi", "last_name": "Henkilö"},
    "/api/people/lookup": {"email": "matrix@example.fi", "purpose": keys.relationship_purpose()},
    "/api/requests": {"email": "matrix@example.fi", "kind": "access"},
    "/contact": {"source": keys.subject_source(), "phone": "0401234567"},
    "/customerships": {"source": keys.subject_source()},
    "/end": {},
    "/usage": {"source": keys.subject_source(), "action": "x"},
    "/contact-event": {"source": keys.subject_source(), "channel": "phone", "direction": "in"},
    "/web-visits": {"source": keys.web_source(), "ip_address": "192.0.2.1", "page": "/"},
    "/deliveries": {"source": keys.marketing_source(), "channel": "email", "campaign": "k"},
    "/payments": {"source": keys.subject_source(), "amount": "1.00"},
    "/invoices": {
        "source": keys.subject_source(),
        "number": "M-1",
        "amount": "1.00",
        "issued_on": "2026-01-01",
        "due_on": "2026-01-15",
        "billing_name": "A",
        "billing_address": "B",
    },
    "/feedback": {"source": keys.subject_source(), "rating": 4},
    "/service-cases": {"source": keys.subject_source(), "subject": "x"},
    "/api/marketing/deliveries": {
        "purpose": keys.marketing_purpose(),
        "channel": "email",
        "campaign": "k",
        "person_ids": [1],
    },
    "/consents": {"scope": f"{keys.marketing_purpose()}:email", "action": "withdrawn"},
}


def _page_languages(patterns: list[Any], prefix: str = "") -> Iterator[tuple[str, str]]:
    """Each route that serves a page in one language, with that language."""
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _page_languages(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern) and "lang" in entry.default_args:
            yield prefix + str(entry.pattern), entry.default_args["lang"]


def _walk(patterns: list[Any], prefix: str = "") -> Iterator[str]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern)


def test_every_route_and_operation_is_in_the_matrix() -> None:
    pages = {
        route
        for route in _walk(get_resolver().url_patterns)
        if not route.startswith("api/") or route in ("api/docs", "api/openapi.json")
    }
    spec = api.get_openapi_schema()
    operations = {(method, path) for path, item in spec["paths"].items() for method in item}

    assert pages == set(PAGES)
    assert operations == set(OPERATIONS)


@pytest.fixture
def world() -> dict[str, int]:
    person = person_register(
        actor=SYSTEM,
        source=keys.subject_source(),
        person=PersonIn(
            first_name="Matrix",
            last_name="Testi",
            email="matrix@example.fi",
            # A Finn, whichever country's register she is in.
            address=AddressIn("Katu 1", "40100", "Jyväskylä", "FI"),
            organisation=OrganisationIn("Matriisi Oy", BUSINESS_IDS.get(country())),
        ),
    )
    customership = customership_start(
        actor=SYSTEM, person_id=person.pk, source=keys.service_source()
    )
    from rekisteri.register.models import OrganisationRole

    organisation = OrganisationRole.objects.get(person=person).organisation_id
    # A request filed in writing: no API key filed it, so every key reads 404.
    request = request_create(actor=SYSTEM, person_id=person.pk, kind="access", channel="letter")
    return {
        "person_id": person.pk,
        "customership_id": customership.pk,
        "organisation_id": organisation,
        "request_id": request.pk,
        "visitor_id": "0" * 32,
    }


def _page_url(route: str, world: dict[str, int]) -> str:
    return "/" + (
        route.replace("<id:person_id>", str(world["person_id"]))
        .replace("<id:request_id>", str(world["request_id"]))
        .replace("<str:token>", "not-a-token")
        .replace("<id:package_id>", "1")
        .replace("<id:announcement_id>", "1")
        .replace("<str:name>", "access.json")
        .replace("<int:page>", "2")
        .replace("<slug:key>", "customerships")
    )


def _allowed_page(response: Any) -> bool:
    if response.status_code in (401, 403):
        return False
    return not (
        response.status_code == 302
        and response["Location"].endswith(("/console/login", *PORTAL_SIGN_IN))
    )


CALLERS = ["anonymous", *policy_get().roles]


@pytest.mark.parametrize("caller", CALLERS)
def test_pages_let_through_exactly_who_the_matrix_says(
    caller: str, world: dict[str, int], enrolled: Callable[[str, str], User]
) -> None:
    client = Client() if caller == "anonymous" else signed_in(enrolled(f"u-{caller}", caller))
    languages = dict(_page_languages(get_resolver().url_patterns))
    for route, rule in PAGES.items():
        if (
            languages.get(route, policy_get().policy.languages[0])
            not in policy_get().policy.languages
        ):
            # A language the policy does not offer only leads to the same page in its
            # default language (tests/portal/test_languages.py), where the rule applies.
            continue
        if route in (
            "console/logout",
            "console/login/code",
            "i18n/setlang/",
            "oma/ulos",
            "en/my/sign-out",
            "sv/mina-sidor/logga-ut",
        ):
            continue  # sign-in steps and the language switch: no data behind them
        url = _page_url(route, world)
        method = "post" if route in POSTED else "get"
        query = f"?purpose={keys.relationship_purpose()}&q=Testi" if caller != "anonymous" else ""
        if caller in ("marketing",):
            query = query.replace(keys.relationship_purpose(), "marketing")
        if caller == "analyst":
            query = query.replace(keys.relationship_purpose(), "analytics")
        if caller == "administrator":
            query = query.replace(keys.relationship_purpose(), "identification")
        data = {"reason": "matriisi", "phone": "0407654321"} if method == "post" else None
        response = getattr(client, method)(url + query, data)
        expected = (
            rule == PUBLIC
            or (rule == STAFF and caller != "anonymous")
            or (rule == NOT_ANALYST and caller not in ("anonymous", "analyst"))
            or (
                rule == HANDLER
                and caller != "anonymous"
                and policy_get().roles[caller].sees_restricted
            )
            or (
                rule == CONTACT_WRITER
                and caller != "anonymous"
                and bool(set(policy_get().roles[caller].purposes) & set(contact_write_purposes()))
            )
            or (
                rule == ANALYTICS
                and caller != "anonymous"
                and keys.statistics_purpose() in policy_get().roles[caller].purposes
            )
        )
        assert _allowed_page(response) == expected, (caller, route, response.status_code)


def _operation_call(
    client: Client, method: str, path: str, world: dict[str, int], key: str | None
) -> Any:
    url = path.format(**world)
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    if path.endswith("/logo"):
        from django.core.files.uploadedfile import SimpleUploadedFile

        return client.post(url, {"file": SimpleUploadedFile("l.png", PNG)}, headers=headers)
    if path == "/api/marketing/audience":
        return client.get(
            url + f"?purpose={keys.marketing_purpose()}&channel=email", headers=headers
        )
    if method == "get" or path.endswith("/contact"):
        # Reads and contact changes name their purpose.
        url += f"?purpose={keys.relationship_purpose()}"
    if method == "get":
        return client.get(url, headers=headers)
    suffix = path if path in BODIES else "/" + path.rsplit("/", 1)[-1]
    if path.endswith("/events/contact"):
        suffix = "/contact-event"
    import json

    return getattr(client, method)(
        url, data=json.dumps(BODIES[suffix]), content_type="application/json", headers=headers
    )


@pytest.mark.parametrize(("method", "path"), list(OPERATIONS))
def test_each_operation_needs_a_key_and_exactly_its_scope(
    method: str, path: str, world: dict[str, int]
) -> None:
    needed = OPERATIONS[(method, path)]
    purposes = list(policy_get().purposes)
    _, with_scope = api_key_create(
        actor=SYSTEM, name="holds", scopes=[str(needed)], purposes=purposes
    )
    _, without = api_key_create(
        actor=SYSTEM, name="lacks", scopes=[str(s) for s in Scope if s != needed], purposes=purposes
    )
    client = Client()

    anonymous = _operation_call(client, method, path, world, None)
    lacking = _operation_call(client, method, path, world, without)
    holding = _operation_call(client, method, path, world, with_scope)

    assert anonymous.status_code == 401
    assert lacking.status_code == 403, lacking.content
    assert lacking.json()["data"] == {"scope": str(needed)}
    assert holding.status_code not in (401, 403), holding.content


# The operations that read one person: a person the caller may not read is no one.
PERSON_READS = [
    (method, path)
    for (method, path) in OPERATIONS
    if (method == "get" and path.startswith("/api/people/{person_id}"))
    or path == "/api/people/lookup"
]


@pytest.mark.parametrize(("method", "path"), PERSON_READS)
def test_each_read_of_a_person_answers_a_restricted_one_as_no_one_and_audits_it(
    method: str, path: str, world: dict[str, int]
) -> None:
    from rekisteri.audit.models import AuditEntry, AuditEvent
    from rekisteri.core import clock
    from rekisteri.register.models import Person

    needed = OPERATIONS[(method, path)]
    _, key = api_key_create(
        actor=SYSTEM, name="holds", scopes=[str(needed)], purposes=list(policy_get().purposes)
    )
    client = Client()
    if path == "/api/people/lookup":
        missing = client.post(
            path,
            data={**BODIES[path], "email": "nobody@example.fi"},
            content_type="application/json",
            headers={"Authorization": f"Bearer {key}"},
        )
    else:
        missing = _operation_call(client, method, path, {**world, "person_id": 10**9}, key)
    Person.objects.filter(pk=world["person_id"]).update(restricted_since=clock.now())

    restricted = _operation_call(client, method, path, world, key)

    assert restricted.status_code == missing.status_code == 404, restricted.content
    assert restricted.json() == {
        **missing.json(),
        "message": missing.json()["message"].replace(str(10**9), str(world["person_id"])),
        "data": {
            k: world["person_id"] if v == 10**9 else v for k, v in missing.json()["data"].items()
        },
    }
    assert AuditEntry.objects.filter(
        event=AuditEvent.PERSON_READ_REFUSED,
        person_id=world["person_id"],
        data__refused="restricted",
    ).exists()
