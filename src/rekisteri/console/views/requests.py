"""The data protection officer's queue of data subject requests, one request, a written one."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods

from rekisteri.console import words
from rekisteri.console.errors import html_errors, refusal_caught
from rekisteri.console.forms import WrittenRequestForm
from rekisteri.console.views.common import (
    contact_purpose,
    handler_of,
    page_language,
    staff_required,
)
from rekisteri.core import clock
from rekisteri.core.actors import Actor
from rekisteri.core.errors import InvalidInput
from rekisteri.register import selectors
from rekisteri.rights import selectors as rights_selectors
from rekisteri.rights import services as rights_services
from rekisteri.rights.models import RightKind, VerificationMethod

REQUEST_ACTIONS = ("verify", "send_code", "code", "extend", "fulfil", "reject", "lift")

# Where a service's field lands on the written-request form.
REQUEST_FORM_FIELDS = {
    "email": "new_email",
    "phone": "new_phone",
    "address": "street_address",
    "street_address": "street_address",
    "postal_code": "postal_code",
    "city": "city",
    "details": "new_email",
    "reason": "reason",
    "received_on": "received_on",
    "received_at": "received_on",
    "kind": "kind",
    "channel": "channel",
    "language": "language",
}


@staff_required
@require_http_methods(["GET", "POST"])
@html_errors
def requests_view(request: HttpRequest) -> HttpResponse:
    """The queue, and registering a written request whole: the person, the right, the letter."""
    actor = handler_of(request)
    posted = request.method == "POST"
    form = WrittenRequestForm(
        request.POST if posted else None, initial={"language": page_language()}
    )
    hits: list[selectors.SearchHit] = []
    status = 200
    if posted:
        query = request.POST.get("q", "").strip()
        if query:
            with refusal_caught() as refused:
                # Found through the purpose gate, as any search: audited, restricted
                # people only for the data protection officer.
                hits = selectors.people_search(
                    actor=actor, purpose=contact_purpose(actor), query=query[:200]
                )
            if refused:
                form.add_error("q", refused.text)
        if request.POST.get("action") == "register":
            if form.is_valid():
                with refusal_caught() as refused:
                    created = _written_request_create(actor, form.cleaned_data)
                if not refused:
                    return HttpResponseRedirect(f"/console/requests/{created.pk}")
                form.add_error(REQUEST_FORM_FIELDS.get(refused.field), refused.text)
            status = 400
    chosen = form["person_id"].value()
    queue = rights_selectors.requests_queue()
    return render(
        request,
        "console/requests.html",
        {
            "queue": queue,
            "overdue_ids": {r.pk for r in queue.overdue},
            "soon_ids": {r.pk for r in queue.due_soon},
            "form": form,
            "hits": hits,
            "chosen": str(chosen or (hits[0].person_id if len(hits) == 1 else "")),
            "searched": posted and bool(request.POST.get("q", "").strip()),
        },
        status=status,
    )


def _written_request_create(actor: Actor, data: dict[str, Any]) -> Any:
    details: dict[str, Any] = {}
    if data["reason"]:
        details["reason"] = data["reason"]
    if data["kind"] == RightKind.RECTIFICATION:
        details["email"] = data["new_email"]
        details["phone"] = data["new_phone"]
        if data["street_address"]:
            details["address"] = {
                "street_address": data["street_address"],
                "postal_code": data["postal_code"],
                "city": data["city"],
            }
    received_on = data["received_on"]
    return rights_services.request_create(
        actor=actor,
        person_id=data["person_id"],
        kind=data["kind"],
        channel=data["channel"],
        language=data["language"],
        details=details,
        received_at=(
            dt.datetime.combine(received_on, dt.time(12), tzinfo=clock.zone())
            if received_on
            else None
        ),
    )


def _int(value: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise InvalidInput("months: give a number") from None


def _act(actor: Actor, request: HttpRequest, request_id: int) -> None:
    """Do what the handler chose on the request's page; a refusal is the error page."""
    action = request.POST.get("action", "")
    reason = request.POST.get("reason", "")
    if action == "verify":
        rights_services.request_verify(
            actor=actor,
            request_id=request_id,
            method=VerificationMethod.STAFF_CHECK,
            note=request.POST.get("note", ""),
        )
    elif action == "send_code":
        rights_services.request_verification_code_send(actor=actor, request_id=request_id)
    elif action == "code":
        rights_services.request_verify_code(
            actor=actor, request_id=request_id, code=request.POST.get("code", "")[:20]
        )
    elif action == "extend":
        rights_services.request_extend(
            actor=actor,
            request_id=request_id,
            months=_int(request.POST.get("months", "")),
            reason=reason,
        )
    elif action == "fulfil":
        rights_services.request_fulfil(actor=actor, request_id=request_id, decision_reason=reason)
    elif action == "reject":
        rights_services.request_reject(actor=actor, request_id=request_id, reason=reason)
    elif action == "lift":
        rights_services.restriction_lift(actor=actor, request_id=request_id)
    else:
        raise InvalidInput(f"action: one of {', '.join(REQUEST_ACTIONS)}")


@staff_required
@require_http_methods(["GET", "POST"])
@html_errors
def request_view(request: HttpRequest, request_id: int) -> HttpResponse:
    actor = handler_of(request)
    if request.method == "POST":
        _act(actor, request, request_id)
        return HttpResponseRedirect(f"/console/requests/{request_id}")
    found = rights_selectors.request_get(request_id=request_id)
    lang = page_language()
    return render(
        request,
        "console/request.html",
        {
            "r": found,
            "today": clock.today(),
            "compared": (
                _current_and_proposed(actor, found.person_id, found.details)
                if found.kind == RightKind.RECTIFICATION and found.details
                else []
            ),
            # The service's stand-in for a request that gave no words of its own says nothing.
            "reason": (
                ""
                if found.details.get("reason") == rights_services.RECTIFICATION_NO_REASON
                else found.details.get("reason", "")
            ),
            "person_purpose": contact_purpose(actor),
            "answer": words.request_answer(found.result, lang),
            "told": rights_selectors.recipient_notices_for(request_id=found.pk, lang=lang),
        },
    )


def _current_and_proposed(
    actor: Actor, person_id: int, details: dict[str, Any]
) -> list[tuple[str, str, str]]:
    """A rectification's rows: what the register holds now beside what the letter asks."""
    current: dict[str, list[str]] = {"email": [], "phone": [], "address": []}
    access = None
    # The handler reads the person to check the request, as any read: gated, audited;
    # one they may not read shows nothing current.
    with refusal_caught():
        access = selectors.person_access(
            actor=actor, purpose=contact_purpose(actor), person_id=person_id
        )
    if access is not None:
        for rows in selectors.person_data(access).values():
            for row in rows:
                if row["table"] == "email_address" and row.get("address"):
                    current["email"].append(str(row["address"]))
                elif row["table"] == "phone_number" and row.get("number"):
                    current["phone"].append(str(row["number"]))
                elif row["table"] == "postal_address" and row.get("street_address"):
                    current["address"].append(_address_text(row))
    proposed_address = details.get("address")
    return [
        (label, ", ".join(current[key]) or words.NO_VALUE, proposed or words.NO_VALUE)
        for key, label, proposed in (
            ("email", gettext("E-mail"), str(details.get("email") or "")),
            ("phone", gettext("Phone"), str(details.get("phone") or "")),
            (
                "address",
                gettext("Postal address"),
                _address_text(proposed_address) if isinstance(proposed_address, dict) else "",
            ),
        )
    ]


def _address_text(address: dict[str, Any]) -> str:
    street, code, city = (address.get(k, "") for k in ("street_address", "postal_code", "city"))
    return f"{street}, {code} {city}"
