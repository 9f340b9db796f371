"""What every console page asks first: who is signed in, for which purpose, in which language."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.translation import get_language

from rekisteri.console.errors import refusal_caught
from rekisteri.core.actors import Actor
from rekisteri.policy.schema import Language
from rekisteri.policy.selectors import languages_offered, policy_get
from rekisteri.register import services
from rekisteri.rights import services as rights_services
from rekisteri.staff import services as staff


def origin_of(request: HttpRequest) -> str:
    return f"console {request.META.get('REMOTE_ADDR', '')}"


def actor_of(request: HttpRequest) -> Actor:
    return staff.staff_actor(user=request.user, origin=origin_of(request))  # type: ignore[arg-type]


def handler_of(request: HttpRequest) -> Actor:
    """The signed-in staff member, refused unless their role handles data subject requests."""
    actor = actor_of(request)
    rights_services.handler_require(actor)
    return actor


def staff_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Signed in with both factors, or back to the login page."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        # django-otp adds is_verified() to the user: both factors were given.
        if not (request.user.is_authenticated and request.user.is_verified()):  # type: ignore[attr-defined]
            return HttpResponseRedirect("/console/login")
        return view(request, *args, **kwargs)

    return wrapper


def purpose_chosen(request: HttpRequest, actor: Actor, posted: str = "") -> str:
    """The purpose the page reads under: the one asked for if the role holds it, else one
    the role holds."""
    chosen = posted or request.GET.get("purpose", "")
    if chosen in actor.purposes:
        return chosen
    return sorted(actor.purposes)[0] if actor.purposes else ""


def page_language() -> Language:
    # The active language is one of settings.LANGUAGES, which the policy sets.
    active = (get_language() or "")[:2]
    offered = languages_offered()
    return next((lang for lang in offered if lang == active), offered[0])


def purpose_choices(actor: Actor) -> list[tuple[str, str]]:
    lang = page_language()
    purposes = policy_get().purposes
    return [(key, purposes[key].name(lang)) for key in sorted(actor.purposes) if key in purposes]


def contact_purpose(actor: Actor) -> str:
    """The purpose a handler reads a person's contact details under, or none."""
    with refusal_caught():
        return services.contact_write_purpose(actor=actor)
    # A role with no purpose that covers contact details reads them under none.
    return ""
