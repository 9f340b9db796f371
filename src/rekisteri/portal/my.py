"""The data subject's own pages: sign in, see one's data, file requests, download packages.

Every page takes the person from the session, never from the address: there
is no URL in which another person's id would show another person's data.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from axes.handlers.proxy import AxesProxyHandler
from django.contrib.auth.signals import user_login_failed
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils import translation
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from rekisteri.core import clock
from rekisteri.core.errors import RekisteriError, Throttled
from rekisteri.policy.schema import Language, Right
from rekisteri.policy.selectors import policy_get
from rekisteri.portal import consequences
from rekisteri.portal.consequences import CONFIRMED_KINDS
from rekisteri.portal.errors import error_page
from rekisteri.portal.languages import PAGE_PATHS
from rekisteri.portal.views import _page
from rekisteri.register.disclosures import disclosures_of
from rekisteri.register.labels import row_display, value_display
from rekisteri.register.selectors import person_access_own, person_data
from rekisteri.register.services import contact_details_collected
from rekisteri.rights import selectors, services, subjects
from rekisteri.rights.announcements import (
    announcement_changes,
    announcement_pending_for,
    announcement_seen,
)
from rekisteri.rights.models import RequestState, RightKind, VerificationMethod

SESSION_KEY = "rekisteri_subject"
# When the session began: an undone change of address ends the sessions before it.
SESSION_SINCE = "rekisteri_subject_since"
# A signed-in subject is signed out after this long without a page load.
IDLE_SECONDS = 30 * 60
MY_PATHS: dict[Language, str] = PAGE_PATHS["my"]
SIGN_IN_PATHS: dict[Language, str] = PAGE_PATHS["sign_in"]

REQUEST_KINDS = (
    RightKind.ACCESS,
    RightKind.PORTABILITY,
    RightKind.OBJECTION_DIRECT_MARKETING,
    # Art. 21(1): weighed by the data protection officer; restricts meanwhile.
    RightKind.OBJECTION,
    RightKind.RESTRICTION,
    RightKind.DELETION,
    RightKind.ERASURE,
)

# One line under each button; the rights that change much are explained in full,
# and asked once, on the page the button leads to.
RIGHT_HINTS = {
    RightKind.ACCESS: gettext_lazy(
        "A copy of all your data and what we do with them, to download here."
    ),
    RightKind.PORTABILITY: gettext_lazy(
        "The data you gave us and that your use of the service produced, in a form "
        "another service can read."
    ),
    RightKind.OBJECTION_DIRECT_MARKETING: gettext_lazy(
        "Stops all direct marketing to you at once. You can change this later under your "
        "consents and prohibitions."
    ),
    RightKind.OBJECTION: gettext_lazy(
        "Object to the use of your data that rests on our legitimate interest. "
        "The next page tells what follows and asks you to confirm."
    ),
    RightKind.RESTRICTION: gettext_lazy(
        "Your data are only stored, not otherwise used. The next page tells what follows "
        "and asks you to confirm."
    ),
    RightKind.DELETION: gettext_lazy(
        "End your customership; your data are deleted later by our retention rules. "
        "The next page tells when, and asks you to confirm."
    ),
    RightKind.ERASURE: gettext_lazy(
        "Erase your data at once, except what the law obliges us to keep. The next page "
        "tells what is kept and until when, and asks you to confirm."
    ),
}


def _origin(request: HttpRequest) -> str:
    return f"portal {request.META.get('REMOTE_ADDR', '')}"


def _signed_in(request: HttpRequest, person_id: int) -> None:
    request.session.cycle_key()
    request.session[SESSION_KEY] = person_id
    request.session[SESSION_SINCE] = clock.now().isoformat()
    request.session.set_expiry(IDLE_SECONDS)


def _session_stands(request: HttpRequest, person_id: int) -> bool:
    since = parse_datetime(str(request.session.get(SESSION_SINCE, "")))
    return since is not None and selectors.subject_session_valid(
        person_id=person_id, signed_in_at=since
    )


def subject_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    def wrapper(request: HttpRequest, lang: Language, *args: Any, **kwargs: Any) -> HttpResponse:
        person_id = request.session.get(SESSION_KEY)
        if not isinstance(person_id, int):
            return HttpResponseRedirect(SIGN_IN_PATHS[lang])
        if not _session_stands(request, person_id):
            # An undone change of address ends every session begun before it.
            request.session.flush()
            return HttpResponseRedirect(SIGN_IN_PATHS[lang])
        # Every page load restarts the idle clock.
        request.session.set_expiry(IDLE_SECONDS)
        response = view(request, lang, person_id, *args, **kwargs)
        response["Cache-Control"] = "no-store"
        return response

    return wrapper


@require_http_methods(["GET", "POST"])
def sign_in(request: HttpRequest, lang: Language) -> HttpResponse:
    translation.activate(lang)
    account = policy_get().portal.account_sign_in
    context: dict[str, Any] = {
        "my_paths": MY_PATHS,
        "account_sign_in": account(lang) if account else "",
    }
    if request.method == "POST":
        method = request.POST.get("method")
        if method == "password":
            # The same form of the name counts the failures and signs in, so that
            # " name" cannot slip past a lockout of "name".
            username = request.POST.get("username", "").strip()[:150]
            credentials = {"username": f"subject:{username}"}
            if not AxesProxyHandler.is_allowed(request, credentials):
                return _page(
                    request,
                    "portal/my/sign_in.html",
                    lang,
                    status=429,
                    error=_(
                        "Too many failed attempts. Try again in half an hour, "
                        "or ask for a sign-in link."
                    ),
                    **context,
                )
            try:
                person_id = subjects.subject_sign_in_password(
                    username=username,
                    password=request.POST.get("password", "")[:1000],
                    origin=_origin(request),
                )
            except RekisteriError as error:
                user_login_failed.send(sender=__name__, credentials=credentials, request=request)
                return error_page(request, lang, error, "portal/my/sign_in.html", **context)
            _signed_in(request, person_id)
            return HttpResponseRedirect(MY_PATHS[lang])
        if method == "link":
            # The same answer whether the address is on file, malformed or unknown;
            # the link itself leaves from a job, after this answer.
            try:
                subjects.subject_sign_in_link_request(
                    email=request.POST.get("email", "")[:254],
                    language=lang,
                    client=request.META.get("REMOTE_ADDR", ""),
                )
            except Throttled:
                return _page(
                    request,
                    "portal/my/sign_in.html",
                    lang,
                    status=429,
                    error=_(
                        "Too many sign-in links were asked for. Wait a few minutes and try "
                        "again; a link already sent still works."
                    ),
                    **context,
                )
            except RekisteriError:
                pass
            return _page(request, "portal/my/link_sent.html", lang, **context)
        return _page(
            request,
            "portal/my/sign_in.html",
            lang,
            status=400,
            error=_("Choose a way to sign in."),
            **context,
        )
    return _page(request, "portal/my/sign_in.html", lang, **context)


@require_http_methods(["GET", "POST"])
def sign_in_link(request: HttpRequest, lang: Language) -> HttpResponse:
    """GET asks to confirm, so that a mail scanner following the link does not use it up."""
    translation.activate(lang)
    if request.method == "POST":
        try:
            person_id = subjects.subject_sign_in_link_use(
                token=request.POST.get("t", "")[:100], origin=_origin(request)
            )
        except RekisteriError as error:
            return error_page(request, lang, error, "portal/my/link_confirm.html", failed=True)
        _signed_in(request, person_id)
        return HttpResponseRedirect(MY_PATHS[lang])
    response = _page(
        request, "portal/my/link_confirm.html", lang, token=request.GET.get("t", "")[:100]
    )
    # The token is in this page's address: keep it from other sites, but let the
    # form's own POST carry its origin (with no-referrer, Chromium sends
    # "Origin: null" and the CSRF check refuses it).
    response["Referrer-Policy"] = "same-origin"
    return response


EMAIL_CHANGE_ACTIONS = ("confirm", "undo")


@require_http_methods(["GET", "POST"])
def email_change(request: HttpRequest, lang: Language, action: str) -> HttpResponse:
    """Confirm or undo a change of one's e-mail address from a link; no sign-in.

    GET asks to confirm, so that a mail scanner following the link does not act on it.
    """
    translation.activate(lang)
    if action not in EMAIL_CHANGE_ACTIONS:
        raise Http404
    context: dict[str, Any] = {"action": action, "my_paths": MY_PATHS}
    if request.method == "POST":
        try:
            subjects.email_change_link_use(
                token=request.POST.get("t", "")[:300], action=action, origin=_origin(request)
            )
        except RekisteriError as error:
            return error_page(
                request, lang, error, "portal/my/email_change.html", failed=True, **context
            )
        return _page(request, "portal/my/email_change.html", lang, done=True, **context)
    response = _page(
        request,
        "portal/my/email_change.html",
        lang,
        token=request.GET.get("t", "")[:300],
        **context,
    )
    response["Referrer-Policy"] = "same-origin"
    return response


@require_POST
def sign_out(request: HttpRequest, lang: Language) -> HttpResponse:
    request.session.flush()
    return HttpResponseRedirect(SIGN_IN_PATHS[lang])


def _sections(person_id: int, lang: Language, origin: str) -> list[dict[str, Any]]:
    policy = policy_get()
    access = person_access_own(
        actor=subjects.subject_actor(person_id, origin=origin), person_id=person_id, right="access"
    )
    data = person_data(access)
    sections = []
    for key, category in policy.categories.items():
        rows = data.get(key)
        if not rows:
            continue
        sections.append(
            {
                "name": category.name(lang),
                "purposes": [policy.purposes[p].name(lang) for p in category.purposes],
                "rows": [
                    {
                        "fields": fields,
                        "source": policy.sources[row["source"]].name(lang)
                        if row["source"] in policy.sources
                        else "",
                        "stored_at": value_display("", "stored_at", row["stored_at"], lang),
                    }
                    for row in rows
                    # A row of keys and bookkeeping alone says nothing to a person.
                    if (fields := row_display(row, lang))
                ],
            }
        )
    return sections


@require_safe
@subject_required
def overview(request: HttpRequest, lang: Language, person_id: int) -> HttpResponse:
    translation.activate(lang)
    policy = policy_get()
    try:
        sections = _sections(person_id, lang, _origin(request))
    except RekisteriError:
        # The person is no longer in the register (forgotten): end the session.
        request.session.flush()
        return HttpResponseRedirect(SIGN_IN_PATHS[lang])
    return _page(
        request,
        "portal/my/overview.html",
        lang,
        my_paths=MY_PATHS,
        sections=sections,
        # The correction form offers only the contact details the register collects.
        collected=contact_details_collected(),
        requests=selectors.requests_of(person_id=person_id),
        packages=selectors.packages_of(person_id=person_id),
        kinds=[(k.value, k.label, RIGHT_HINTS.get(k, "")) for k in REQUEST_KINDS],
        authority=policy.supervisory_authority,
        authority_name=policy.supervisory_authority.name(lang),
        complaint_text=(
            policy.rights[Right.COMPLAINT].text(lang) if Right.COMPLAINT in policy.rights else ""
        ),
        notice=request.GET.get("done") == "1",
        kept_lines=consequences.standing(person_id=person_id, lang=lang),
        done_kind=(done := _done_kind(request.GET.get("done", ""))),
        done_lines=consequences.after(
            done,
            person_id=person_id,
            lang=lang,
            request=next(
                (r for r in selectors.requests_of(person_id=person_id) if r.kind == done), None
            ),
        )
        if done is not None
        else [],
        announcement=(announced := announcement_pending_for(person_id=person_id)),
        announcement_changes=announcement_changes(announced, lang) if announced else [],
        transfers=[
            {
                "recipient": policy.recipients[d.recipient].name(lang)
                if d.recipient in policy.recipients
                else d.recipient,
                "disclosed_on": d.disclosed_on,
                "ends_on": d.ends_on,
                "ended": getattr(d, "ended_at", None) is not None,
            }
            for d in disclosures_of(person_id=person_id)
        ],
    )


def _done_kind(value: str) -> RightKind | None:
    """The right just used, from the address after it (anything else: none)."""
    return RightKind(value) if value in CONFIRMED_KINDS else None


@require_POST
@subject_required
def announcement_read(
    request: HttpRequest, lang: Language, person_id: int, announcement_id: int
) -> HttpResponse:
    """The person has read what changes in the notice: the banner goes."""
    announcement_seen(person_id=person_id, announcement_id=announcement_id)
    return HttpResponseRedirect(MY_PATHS[lang])


@require_POST
@subject_required
def file_request(request: HttpRequest, lang: Language, person_id: int) -> HttpResponse:
    translation.activate(lang)
    kind = request.POST.get("kind", "")
    details: dict[str, Any] = {}
    if kind == RightKind.RECTIFICATION:
        details = {
            "email": request.POST.get("email", "").strip()[:254],
            "phone": request.POST.get("phone", "").strip()[:40],
            "reason": request.POST.get("reason", "").strip()[:500],
        }
        if request.POST.get("street_address", "").strip():
            details["address"] = {
                # Cut only far past any limit, so that an over-long value is refused
                # by the register's own rules rather than silently shortened.
                "street_address": request.POST.get("street_address", "")[:1000],
                "postal_code": request.POST.get("postal_code", "")[:1000],
                "city": request.POST.get("city", "")[:1000],
            }
    elif kind not in {k.value for k in REQUEST_KINDS}:
        raise Http404
    elif kind in CONFIRMED_KINDS and request.POST.get("confirm") != "yes":
        # Asked once, on a page of its own, before anything changes.
        right = RightKind(kind)
        return _page(
            request,
            "portal/my/confirm.html",
            lang,
            my_paths=MY_PATHS,
            kind=right.value,
            kind_label=right.label,
            lines=consequences.before(right, person_id=person_id, lang=lang),
        )
    try:
        created = services.request_create(
            actor=subjects.subject_actor(person_id, origin=_origin(request)),
            person_id=person_id,
            kind=kind,
            channel="portal",
            language=lang,
            details=details,
            verified_by=VerificationMethod.PORTAL_SIGN_IN,
        )
    except RekisteriError as error:
        return error_page(request, lang, error, "portal/my/problem.html", my_paths=MY_PATHS)
    if created.kind == RightKind.ERASURE and created.state == RequestState.FULFILLED:
        # Nothing is left to sign in to.
        request.session.flush()
        return _page(
            request,
            "portal/my/erased.html",
            lang,
            my_paths=MY_PATHS,
            kept=consequences.kept_after_erasure(created.result.get("certificate", {}), lang),
        )
    if created.kind in CONFIRMED_KINDS:
        return HttpResponseRedirect(f"{MY_PATHS[lang]}?done={created.kind}#done")
    return HttpResponseRedirect(MY_PATHS[lang] + "?done=1")


@require_safe
@subject_required
def download(
    request: HttpRequest, lang: Language, person_id: int, package_id: int, name: str
) -> HttpResponse:
    try:
        found = services.package_file_take(person_id=person_id, package_id=package_id, name=name)
    except RekisteriError:
        # Someone else's, expired, or no such package: the same answer.
        raise Http404 from None
    response = HttpResponse(bytes(found.content), content_type=found.content_type)
    response["Content-Disposition"] = f'attachment; filename="{found.name}"'
    return response
