"""A person's page, read through the purpose gate, and correcting their contact details."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.http import require_POST

from rekisteri.audit.selectors import audit_history
from rekisteri.consent.models import ConsentAction
from rekisteri.consent.selectors import consent_state
from rekisteri.console import words
from rekisteri.console.errors import html_errors
from rekisteri.console.forms import RectifyForm
from rekisteri.console.views.common import (
    actor_of,
    page_language,
    purpose_choices,
    purpose_chosen,
    staff_required,
)
from rekisteri.policy.selectors import policy_get
from rekisteri.register import selectors, services
from rekisteri.register.services import AddressIn


@staff_required
@html_errors
def person_view(request: HttpRequest, person_id: int) -> HttpResponse:
    actor = actor_of(request)
    purpose = purpose_chosen(request, actor)
    access = selectors.person_access(actor=actor, purpose=purpose, person_id=person_id)
    lang = page_language()
    policy = policy_get()
    data = selectors.person_data(access)
    categories = [
        {
            "key": key,
            "name": policy.categories[key].name(lang),
            "purposes": [policy.purposes[p].name(lang) for p in policy.categories[key].purposes],
            "rows": [
                {
                    "fields": words.datum_fields(row, lang),
                    "source": words.value_text("source", row["source"], lang),
                    "stored_at": words.value_text("stored_at", row["stored_at"], lang),
                }
                for row in rows
            ],
        }
        for key, rows in data.items()
    ]
    person = access.person
    objected = [
        words.scope_text(scope, lang)
        for scope, event in consent_state(person_id=person_id).items()
        if event.action == ConsentAction.OBJECTED
    ]
    return render(
        request,
        "console/person.html",
        {
            "person_id": person_id,
            # The name heads the page only where the purpose opens it.
            "name": (
                f"{person.first_name} {person.last_name}"
                if access.may_see("person.first_name")
                else ""
            ),
            "restricted_since": (
                words.when_text(person.restricted_since) if person.restricted_since else ""
            ),
            "objected": objected,
            "purpose": purpose,
            "purposes": purpose_choices(actor),
            "categories": categories,
            # Only a role with a purpose that covers contact details may correct them.
            "rectify_form": (
                RectifyForm(collected=services.contact_details_collected())
                if actor.purposes & set(services.contact_write_purposes())
                else None
            ),
            "history": words.history_sentences(audit_history(person_id=person_id), lang),
        },
    )


@staff_required
@require_POST
@html_errors
def rectify_view(request: HttpRequest, person_id: int) -> HttpResponse:
    actor = actor_of(request)
    purpose = purpose_chosen(request, actor)
    form = RectifyForm(request.POST, collected=services.contact_details_collected())
    if not form.is_valid():
        problems = "; ".join(
            f"{form[name].label}: {' '.join(map(str, errors))}"
            for name, errors in form.errors.items()
        )
        return render(request, "console/error.html", {"message": problems}, status=400)
    # A detail the register does not collect has no field, and is not read from the post.
    data = {"street_address": "", "postal_code": "", "city": "", "phone": "", "email": ""}
    data |= form.cleaned_data
    address = None
    if data["street_address"] or data["postal_code"] or data["city"]:
        address = AddressIn(data["street_address"], data["postal_code"], data["city"])
    # Only for a purpose that covers contact details (never for direct
    # marketing); and who may not read the person may not correct them either.
    purpose = services.contact_write_purpose(actor=actor, preferred=purpose)
    selectors.person_access(actor=actor, purpose=purpose, person_id=person_id)
    services.person_rectify(
        actor=actor,
        person_id=person_id,
        reason=data["reason"],
        purpose=purpose,
        email=data["email"] or None,
        phone=data["phone"] or None,
        address=address,
    )
    return HttpResponseRedirect(f"/console/people/{person_id}?purpose={purpose}")
