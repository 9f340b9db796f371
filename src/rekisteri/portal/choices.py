"""The data subject's consents and prohibitions, and the opt-out link in every message.

Each button appends one event to the consent ledger; nothing is rewritten.
The text a button shows is the text stored as what the person agreed to.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from rekisteri.consent import marketing, selectors, services
from rekisteri.consent.models import ConsentAction
from rekisteri.core.errors import InvalidInput, RekisteriError
from rekisteri.policy.schema import Language, LegalBasis
from rekisteri.policy.selectors import policy_get
from rekisteri.portal.errors import PortalCode, error_page
from rekisteri.portal.languages import PAGE_PATHS
from rekisteri.portal.my import MY_PATHS, _origin, subject_required
from rekisteri.portal.views import _page
from rekisteri.register.labels import VALUE_LABELS, scope_display
from rekisteri.rights import subjects

CHOICES_PATHS: dict[Language, str] = PAGE_PATHS["choices"]
CHANGE_PATHS: dict[Language, str] = PAGE_PATHS["choose"]
# The words for channels and choices are the register's, as on the own-data page.
CHANNEL_LABELS = {c: VALUE_LABELS["channel"][str(c)] for c in marketing.MarketingChannel}
DECISION_LABELS = {
    marketing.Basis.CONSENT: gettext_lazy("Allowed: you have agreed to it."),
    marketing.Basis.CUSTOMER: gettext_lazy(
        "Allowed as you are our customer (our own similar services), until you refuse it."
    ),
    marketing.Basis.BUSINESS_CONTACT: gettext_lazy(
        "Allowed as you are the contact person of a business customer, until you refuse it."
    ),
    marketing.Basis.LEGITIMATE_INTEREST: gettext_lazy("Allowed until you refuse it."),
    marketing.Refusal.RESTRICTED: gettext_lazy(
        "Not sent: the processing of your data is restricted."
    ),
    marketing.Refusal.OBJECTED: gettext_lazy("Not sent: you have prohibited it."),
    marketing.Refusal.WITHDRAWN: gettext_lazy("Not sent: you have refused it."),
    marketing.Refusal.NO_CONSENT: gettext_lazy("Not sent: only with your consent."),
    marketing.Refusal.NO_ADDRESS: gettext_lazy("Not sent: we have no address for it."),
}
ACTION_LABELS = VALUE_LABELS["consent_event.action"]
CHANNEL_OF_EVENT = VALUE_LABELS["consent_event.channel"]


def consent_text(scope: str, lang: Language) -> str:
    """The words a button shows; stored as what the person agreed to."""
    policy = policy_get()
    purpose, _sep, channel = scope.partition(":")
    name = policy.purposes[purpose].name(lang)
    with translation.override(lang):
        if channel:
            return _("%(controller)s may send me marketing by %(channel)s (%(purpose)s).") % {
                "controller": policy.controller.name,
                "channel": CHANNEL_LABELS[marketing.MarketingChannel(channel)],
                "purpose": name,
            }
        return _("I agree that %(controller)s processes my data for: %(purpose)s.") % {
            "controller": policy.controller.name,
            "purpose": name,
        }


def scope_label(scope: str, lang: Language) -> str:
    return scope_display(scope, lang)


def _channels(own: str, person_id: int, lang: Language) -> list[dict[str, Any]]:
    """Each channel of the company's own marketing, as the rules decide it for the person."""
    channels = []
    for channel in marketing.MarketingChannel:
        decided = marketing.marketing_decisions(
            purpose=own, channel=channel, person_ids=[person_id]
        ).get(person_id)
        channels.append(
            {
                "key": str(channel),
                "label": CHANNEL_LABELS[channel],
                "status": DECISION_LABELS.get(decided, "") if decided else "",
                "allowed": isinstance(decided, marketing.Basis),
                "text": consent_text(f"{own}:{channel}", lang),
            }
        )
    return channels


@require_safe
@subject_required
def choices(request: HttpRequest, lang: Language, person_id: int) -> HttpResponse:
    translation.activate(lang)
    policy = policy_get()
    state = selectors.consent_state(person_id=person_id)
    objected = selectors.direct_marketing_objections(person_id=person_id, state=state)
    purpose_wide = [s for s in objected if ":" not in s]
    own = marketing.own_marketing_purpose()
    # A register that does no direct marketing has no channels to choose.
    channels = [] if own is None else _channels(own, person_id, lang)
    consents = []
    for key, purpose in policy.purposes.items():
        if purpose.legal_basis != LegalBasis.CONSENT:
            continue
        latest = state.get(key)
        consents.append(
            {
                "key": key,
                "name": purpose.name(lang),
                "text": consent_text(key, lang),
                "granted": latest is not None and latest.action == ConsentAction.GRANTED,
                "since": latest.occurred_at if latest is not None else None,
            }
        )
    history = [
        {
            "when": e.occurred_at,
            "what": scope_label(e.scope, lang),
            "action": ACTION_LABELS.get(e.action, e.action),
            "channel": CHANNEL_OF_EVENT.get(e.channel, e.channel),
        }
        for e in selectors.consent_history(person_id=person_id)
        if e.scope.partition(":")[0] in policy.purposes
    ]
    return _page(
        request,
        "portal/my/choices.html",
        lang,
        my_paths=MY_PATHS,
        choices_paths=CHOICES_PATHS,
        change_url=CHANGE_PATHS[lang],
        own_marketing=own or "",
        channels=channels,
        consents=consents,
        prohibited=bool(purpose_wide),
        channel_prohibitions=[
            {"scope": s, "label": scope_label(s, lang)} for s in objected if ":" in s
        ],
        history=history,
        done=request.GET.get("done") == "1",
    )


def _allowed_change(scope: str, action: str) -> bool:
    """What the page's buttons can send; anything else is refused unchanged."""
    own = marketing.own_marketing_purpose()
    purpose, _sep, channel = scope.partition(":")
    purposes = policy_get().purposes
    if purpose not in purposes:
        return False
    if channel:
        return (
            purpose == own
            and channel in set(marketing.MarketingChannel)
            and action in ("granted", "withdrawn", "lifted")
        ) or (purposes[purpose].direct_marketing and action == "lifted")
    if scope == own:
        return action in ("objected", "lifted")
    if purposes[purpose].direct_marketing and action == "lifted":
        return True
    return purposes[purpose].legal_basis == LegalBasis.CONSENT and action in (
        "granted",
        "withdrawn",
    )


@require_POST
@subject_required
def choose(request: HttpRequest, lang: Language, person_id: int) -> HttpResponse:
    translation.activate(lang)
    scope = request.POST.get("scope", "")[:100]
    action = request.POST.get("action", "")[:20]
    actor = subjects.subject_actor(person_id, origin=_origin(request))
    try:
        if not _allowed_change(scope, action):
            raise InvalidInput(
                "choose one of the buttons on the page", code=PortalCode.CHOICE_UNKNOWN
            )
        services.consent_choose(
            actor=actor,
            person_id=person_id,
            scope=scope,
            action=action,
            channel="portal",
            text=consent_text(scope, lang) if action == "granted" else "",
            language=lang,
        )
    except RekisteriError as error:
        return error_page(request, lang, error, "portal/my/problem.html", my_paths=MY_PATHS)
    return HttpResponseRedirect(CHOICES_PATHS[lang] + "?done=1")


# --- The opt-out link --------------------------------------------------------


# No session and no CSRF token: the link itself is the authority, and a mail
# program's one-click unsubscribe (RFC 8058) posts without either.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def opt_out(request: HttpRequest, lang: Language, token: str) -> HttpResponse:
    translation.activate(lang)
    try:
        found = marketing.opt_out_read(token)
    except RekisteriError:
        response = _page(request, "portal/opt_out.html", lang, status=400, invalid=True)
        response["Referrer-Policy"] = "same-origin"
        return response
    context: dict[str, Any] = {
        "channel": CHANNEL_LABELS[found.channel],
        "token": token,
    }
    if request.method == "POST":
        everywhere = request.POST.get("everywhere") == "yes"
        try:
            done = services.marketing_opt_out(
                actor=subjects.subject_actor(found.person_id, origin=_origin(request)),
                token=token,
                everywhere=everywhere,
            )
        except RekisteriError as error:
            # A link to marketing the register description no longer names.
            refused = error_page(request, lang, error, "portal/opt_out.html", invalid=True)
            refused["Referrer-Policy"] = "same-origin"
            return refused
        context.update(done=True, everywhere=done.everywhere)
    response = _page(request, "portal/opt_out.html", lang, **context)
    response["Referrer-Policy"] = "same-origin"
    response["Cache-Control"] = "no-store"
    return response
