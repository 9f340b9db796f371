"""The staff console: server-rendered pages over the register's services and selectors."""

from __future__ import annotations

import datetime as dt
import io
from base64 import b32encode
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import fields as dataclass_fields
from functools import wraps
from typing import Any

import qrcode
import qrcode.image.svg
from axes.helpers import get_cool_off
from django.contrib.auth import authenticate, login, logout
from django.contrib.auth.models import User
from django.db import DataError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login

from rekisteri.analytics.disclosure import min_cell_size
from rekisteri.analytics.reports import Cell, Report, report_get, reports_for
from rekisteri.analytics.segments import (
    CUSTOMERSHIP_STATES,
    SegmentDefinition,
    filters_for,
    segment_figures,
    segment_get,
    segment_purposes,
    segment_save,
    segment_services,
    segments_of,
)
from rekisteri.audit.models import AuditEntry
from rekisteri.audit.selectors import audit_history, audit_reads_by
from rekisteri.audit.services import audit_refusals_keep
from rekisteri.compliance import Check, compliance_checks, rule_of
from rekisteri.consent.marketing import MarketingChannel
from rekisteri.consent.models import ConsentAction
from rekisteri.consent.selectors import consent_rates, consent_state
from rekisteri.console import words
from rekisteri.console.errors import error_field, error_page, error_text, html_errors
from rekisteri.core import clock
from rekisteri.core.actors import Actor, ActorKind
from rekisteri.core.csvfiles import SafeWriter
from rekisteri.core.errors import InvalidInput, RekisteriError
from rekisteri.policy.schema import Language, LegalBasis
from rekisteri.policy.selectors import languages_offered, policy_get
from rekisteri.register import selectors, services
from rekisteri.register.services import AddressIn
from rekisteri.retention.sweep import MonthDue, retention_preview
from rekisteri.rights import selectors as rights_selectors
from rekisteri.rights import services as rights_services
from rekisteri.rights.models import RightKind, VerificationMethod
from rekisteri.rights.reports import REQUESTS_REPORT, requests_report
from rekisteri.staff import services as staff
from rekisteri.staff.selectors import staff_all

PENDING_USER = "rekisteri_pending_user"


def _origin(request: HttpRequest) -> str:
    return f"console {request.META.get('REMOTE_ADDR', '')}"


def _actor(request: HttpRequest) -> Actor:
    return staff.staff_actor(user=request.user, origin=_origin(request))  # type: ignore[arg-type]


def staff_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Signed in with both factors, or back to the login page."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        # django-otp adds is_verified() to the user: both factors were given.
        if not (request.user.is_authenticated and request.user.is_verified()):  # type: ignore[attr-defined]
            return HttpResponseRedirect("/console/login")
        return view(request, *args, **kwargs)

    return wrapper


@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    from rekisteri.console.forms import LoginForm

    form = LoginForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        user = authenticate(
            request,
            username=form.cleaned_data["username"],
            password=form.cleaned_data["password"],
        )
        if isinstance(user, User):
            request.session.cycle_key()
            request.session[PENDING_USER] = user.pk
            return HttpResponseRedirect("/console/login/code")
        staff.staff_login_audit(user_id=None, succeeded=False, origin=_origin(request))
        error = "wrong"
    return render(request, "console/login.html", {"form": form, "error": error})


@require_http_methods(["GET", "POST"])
def code_view(request: HttpRequest) -> HttpResponse:
    from rekisteri.console.forms import CodeForm

    pending = request.session.get(PENDING_USER)
    user = User.objects.filter(pk=int(pending), is_active=True).first() if pending else None
    if user is None:
        return HttpResponseRedirect("/console/login")
    form = CodeForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        try:
            device = staff.staff_otp_check(user=user, code=form.cleaned_data["code"])
        except RekisteriError as exc:
            staff.staff_login_audit(user_id=user.pk, succeeded=False, origin=_origin(request))
            error = error_text(exc)
        else:
            # login() gives the signed-in user a new session key (no fixation).
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            otp_login(request, device)
            staff.staff_login_audit(user_id=user.pk, succeeded=True, origin=_origin(request))
            return HttpResponseRedirect("/console/")
    return render(request, "console/code.html", {"form": form, "error": error})


@require_http_methods(["GET", "POST"])
def enrol_view(request: HttpRequest, token: str) -> HttpResponse:
    from rekisteri.console.forms import EnrolForm

    try:
        enrolment = staff.enrolment_get(token=token)
    except RekisteriError as exc:
        return error_page(request, exc)
    device = staff.enrolment_device(enrolment=enrolment)
    form = EnrolForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        try:
            user = staff.staff_enrol(
                token=token, password=form.cleaned_data["password"], code=form.cleaned_data["code"]
            )
        except RekisteriError as exc:
            error = error_text(exc)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            otp_login(request, staff.staff_otp_device(user=user))
            staff.staff_login_audit(user_id=user.pk, succeeded=True, origin=_origin(request))
            return HttpResponseRedirect("/console/")
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage)
    svg = io.BytesIO()
    image.save(svg)
    return render(
        request,
        "console/enrol.html",
        {
            "form": form,
            "error": error,
            "username": enrolment.user.username,
            # Our own SVG, made from the device's URL; no user input inside.
            "qr_svg": mark_safe(svg.getvalue().decode()),  # noqa: S308
            # Authenticator apps take the key in base32, as the QR code carries it.
            "secret": b32encode(device.bin_key).decode().rstrip("="),
        },
    )


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None, credentials: Any
) -> HttpResponse:
    """django-axes' answer to a locked-out sign-in: the console's own page, for how long."""
    cool_off = get_cool_off(request)
    minutes = max(1, round(cool_off.total_seconds() / 60)) if cool_off else 0
    # 429: too many attempts; the page never repeats the username typed.
    return render(request, "console/locked.html", {"minutes": minutes}, status=429)


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return HttpResponseRedirect("/console/login")


def _purpose(request: HttpRequest, actor: Actor, posted: str = "") -> str:
    chosen = posted or request.GET.get("purpose", "")
    if chosen in actor.purposes:
        return chosen
    return sorted(actor.purposes)[0] if actor.purposes else ""


@staff_required
@require_http_methods(["GET", "POST"])
def home_view(request: HttpRequest) -> HttpResponse:
    from rekisteri.console.forms import SearchForm

    actor = _actor(request)
    # A search names a person: it travels in the body, never in the URL (or its logs).
    # Unchosen, the purpose is one that opens contact details, if the role holds one.
    purpose = _purpose(request, actor, request.POST.get("purpose", "") or _contact_purpose(actor))
    form = SearchForm(request.POST if request.method == "POST" else None)
    hits: list[selectors.SearchHit] = []
    error = ""
    if form.is_valid():
        try:
            hits = selectors.people_search(
                actor=actor, purpose=purpose, query=form.cleaned_data["q"]
            )
        except RekisteriError as exc:
            error = error_text(exc)
    context: dict[str, Any] = {
        "form": form,
        "hits": hits,
        "error": error,
        "purpose": purpose,
        "purposes": _purpose_choices(actor),
        "searched": form.is_bound,
    }
    if actor.sees_restricted:
        # The data protection officer's home is the day's view; search stays on top.
        context.update(_day_view())
        return render(request, "console/day.html", context)
    return render(request, "console/home.html", context)


# Where a finding of the self-check is looked into: a console page, or a command.
FINDING_LINKS = {
    "retention": "/console/compliance#due",
    "requests": "/console/requests",
    "recipients": "/console/requests",
    "marketing": "/console/reports",
}
FINDING_COMMANDS = {
    "audit": "rekisteri audit verify",
    "ledger": "rekisteri restore-replay",
    "transfers": "rekisteri disclosure list",
    "notice": "rekisteri notice announce",
    "catalogue": "rekisteri policy check",
}


@dataclass(frozen=True)
class _Finding:
    text: str
    count: int
    link: str
    command: str


@dataclass(frozen=True)
class _Due:
    request: Any
    days_left: int

    @property
    def days_overdue(self) -> int:
        return -self.days_left


def _check_text(check: Check, lang: Language) -> SafeString:
    """The promise in words; a command it names (between backticks) is shown as code."""
    rule = rule_of(check)
    rules = policy_get().retention
    text = gettext(check.promise) % {"rule": rules[rule].name(lang) if rule in rules else rule}
    parts = text.split("`")
    # Escaped piece by piece; every odd piece was between a pair of backticks.
    return mark_safe(  # noqa: S308 - every piece is escaped here
        "".join(
            f"<code>{escape(part)}</code>" if i % 2 else str(escape(part))
            for i, part in enumerate(parts)
        )
        if len(parts) % 2
        else escape(text)
    )


def _day_view() -> dict[str, Any]:
    """What the data protection officer looks at first: deadlines, findings, what goes when."""
    lang = _lang()
    today = clock.today()
    queue = rights_selectors.requests_queue()
    # Overdue first (the most overdue on top), then by due date: the queue's own order.
    due = [_Due(r, (r.due_on - today).days) for r in queue.open]
    checks = compliance_checks()
    findings = [
        _Finding(
            _check_text(c, lang),
            c.count,
            FINDING_LINKS.get(c.key.split(".", 1)[0], ""),
            FINDING_COMMANDS.get(c.key.split(".", 1)[0], ""),
        )
        for c in checks
        if not c.ok
    ]
    chain = {c.key: c.count for c in checks}
    months = retention_preview(months=12)
    rates = [
        (words.scope_text(r.scope, lang), r, round(100 * r.rate))
        for r in consent_rates()
        if r.scope.partition(":")[0] in policy_get().purposes
    ]
    return {
        "due": due,
        "overdue": len(queue.overdue),
        "findings": findings,
        "audit_problems": chain.get("audit.chain", 0),
        "ledger_problems": chain.get("ledger.chain", 0) + chain.get("ledger.back", 0),
        "forecast": [
            (month.month.strftime("%m/%Y") if month.month else gettext("now"), month)
            for month in months
            if month.people or month.records
        ],
        "forecast_bars": _chart(months),
        "chart_height": CHART_HEIGHT,
        "bar_width": BAR_WIDTH,
        "chart_width": len(months) * (BAR_WIDTH + 8),
        "rates": rates,
    }


def _lang() -> Language:
    # The active language is one of settings.LANGUAGES, which the policy sets.
    active = (get_language() or "")[:2]
    offered = languages_offered()
    return next((lang for lang in offered if lang == active), offered[0])


def _purpose_choices(actor: Actor) -> list[tuple[str, str]]:
    lang = _lang()
    purposes = policy_get().purposes
    return [(key, purposes[key].name(lang)) for key in sorted(actor.purposes) if key in purposes]


@staff_required
@html_errors
def person_view(request: HttpRequest, person_id: int) -> HttpResponse:
    actor = _actor(request)
    purpose = _purpose(request, actor)
    access = selectors.person_access(actor=actor, purpose=purpose, person_id=person_id)
    lang = _lang()
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
    from rekisteri.console.forms import RectifyForm

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
            "purposes": _purpose_choices(actor),
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
    from rekisteri.console.forms import RectifyForm

    actor = _actor(request)
    purpose = _purpose(request, actor)
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


# The data protection officer's queue of data subject requests.

REQUEST_ACTIONS = ("verify", "send_code", "code", "extend", "fulfil", "reject", "lift")


def _handler(request: HttpRequest) -> Actor:
    actor = _actor(request)
    rights_services.handler_require(actor)
    return actor


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
    from rekisteri.console.forms import WrittenRequestForm

    actor = _handler(request)
    posted = request.method == "POST"
    form = WrittenRequestForm(request.POST if posted else None, initial={"language": _lang()})
    hits: list[selectors.SearchHit] = []
    status = 200
    if posted:
        query = request.POST.get("q", "").strip()
        if query:
            try:
                # Found through the purpose gate, as any search: audited, restricted
                # people only for the data protection officer.
                hits = selectors.people_search(
                    actor=actor, purpose=_contact_purpose(actor), query=query[:200]
                )
            except RekisteriError as error:
                form.add_error("q", error_text(error))
        if request.POST.get("action") == "register":
            if form.is_valid():
                try:
                    created = _written_request_create(actor, form.cleaned_data)
                except RekisteriError as error:
                    audit_refusals_keep(error)
                    form.add_error(REQUEST_FORM_FIELDS.get(error_field(error)), error_text(error))
                else:
                    return HttpResponseRedirect(f"/console/requests/{created.pk}")
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


@staff_required
@require_http_methods(["GET", "POST"])
@html_errors
def request_view(request: HttpRequest, request_id: int) -> HttpResponse:
    actor = _handler(request)
    if request.method == "POST":
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
            rights_services.request_fulfil(
                actor=actor, request_id=request_id, decision_reason=reason
            )
        elif action == "reject":
            rights_services.request_reject(actor=actor, request_id=request_id, reason=reason)
        elif action == "lift":
            rights_services.restriction_lift(actor=actor, request_id=request_id)
        else:
            raise InvalidInput(f"action: one of {', '.join(REQUEST_ACTIONS)}")
        return HttpResponseRedirect(f"/console/requests/{request_id}")
    found = rights_selectors.request_get(request_id=request_id)
    lang = _lang()
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
            "person_purpose": _contact_purpose(actor),
            "answer": words.request_answer(found.result, lang),
            "told": rights_selectors.recipient_notices_for(request_id=found.pk, lang=lang),
        },
    )


def _current_and_proposed(
    actor: Actor, person_id: int, details: dict[str, Any]
) -> list[tuple[str, str, str]]:
    """A rectification's rows: what the register holds now beside what the letter asks."""
    current: dict[str, list[str]] = {"email": [], "phone": [], "address": []}
    try:
        # The handler reads the person to check the request, as any read: gated, audited.
        access = selectors.person_access(
            actor=actor, purpose=_contact_purpose(actor), person_id=person_id
        )
    except RekisteriError as error:
        audit_refusals_keep(error)
        access = None
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


def _contact_purpose(actor: Actor) -> str:
    """The purpose a handler reads a person's contact details under, or none."""
    try:
        return services.contact_write_purpose(actor=actor)
    except RekisteriError:
        return ""


def _address_text(address: dict[str, Any]) -> str:
    street, code, city = (address.get(k, "") for k in ("street_address", "postal_code", "city"))
    return f"{street}, {code} {city}"


@staff_required
@require_http_methods(["GET"])
@html_errors
def staff_reads_view(request: HttpRequest) -> HttpResponse:
    """The data protection officer's investigation: one staff member's reads over a period."""
    from rekisteri.console.forms import StaffReadsForm

    actor = _handler(request)
    lang = _lang()
    members = staff_all(lang=lang)
    today = clock.today()
    form = StaffReadsForm(
        request.GET or None,
        members=[(pk, f"{m.name} ({m.role})" if m.role else m.name) for pk, m in members],
        initial={"since": today - dt.timedelta(days=30), "until": today},
    )
    lines: list[tuple[words.HistoryLine, AuditEntry]] = []
    if form.is_valid():
        since = dt.datetime.combine(form.cleaned_data["since"], dt.time(), tzinfo=clock.zone())
        until = dt.datetime.combine(
            form.cleaned_data["until"] + dt.timedelta(days=1), dt.time(), tzinfo=clock.zone()
        )
        entries = audit_reads_by(
            actor_kind=ActorKind.STAFF,
            actor_id=form.cleaned_data["member"],
            since=since,
            until=until,
        )
        lines = list(zip(words.history_sentences(entries, lang), entries, strict=True))
    return render(
        request,
        "console/staff_reads.html",
        {
            "form": form,
            "lines": lines,
            "person_purpose": _contact_purpose(actor),
            "searched": form.is_bound and form.is_valid(),
        },
        status=400 if form.is_bound and not form.is_valid() else 200,
    )


@dataclass(frozen=True)
class _Bar:
    label: str
    value: float | None
    x: int
    height: int
    y: int
    # What the bar's tooltip says.
    note: str


CHART_HEIGHT = 160
BAR_WIDTH = 36


def _bars(points: list[tuple[str, float | None, str]]) -> list[_Bar]:
    """Bars scaled to the chart, drawn as SVG by the template; a missing value draws none."""
    top = max((v for _, v, _ in points if v is not None), default=0) or 1
    bars = []
    for i, (label, value, note) in enumerate(points):
        height = round(CHART_HEIGHT * value / top) if value is not None else 0
        bars.append(_Bar(label, value, i * (BAR_WIDTH + 8), height, CHART_HEIGHT - height, note))
    return bars


def _chart(months: list[MonthDue]) -> list[_Bar]:
    """Bars of the people falling due each month."""
    return _bars(
        [
            (
                month.month.strftime("%m/%Y") if month.month else gettext("now"),
                month.people,
                gettext("%(p)s people, %(r)s records") % {"p": month.people, "r": month.records},
            )
            for month in months
        ]
    )


@staff_required
@require_http_methods(["GET"])
@html_errors
def compliance_view(request: HttpRequest) -> HttpResponse:
    """The self-check and what falls due: the data protection officer's dashboard."""
    _handler(request)
    checks = compliance_checks()
    months = retention_preview(months=12)
    bars = _chart(months)
    return render(
        request,
        "console/compliance.html",
        {
            "checks": [(c, _check_text(c, _lang())) for c in checks],
            "findings": sum(1 for c in checks if not c.ok),
            "rows": list(zip(bars, months, strict=True)),
            "any_due": any(month.people or month.records for month in months),
            "bars": bars,
            "chart_width": len(bars) * (BAR_WIDTH + 8),
            "chart_height": CHART_HEIGHT,
            "bar_width": BAR_WIDTH,
        },
    )


NO_VALUE = "\N{EN DASH}"
# A report longer than this shows its largest rows; the CSV has every row.
MAX_ROWS = 15
# Horizontal bars: a label column, then the bar, then its figure.
HBAR_LABEL = 190
HBAR_AREA = 300
HBAR_ROW = 22
LABEL_CHARS = 28


def _cell_text(cell: Cell) -> str:
    # A suppressed cell is shown as the threshold it fell under, never as a number.
    if cell.suppressed:
        return f"<{min_cell_size()}"
    return "" if cell.value is None else str(cell.value)


def _short_labels(labels: list[str], width: int = LABEL_CHARS) -> list[str]:
    """Labels short enough for the chart, and never two alike where the full ones differ."""

    def cut(label: str) -> str:
        return label if len(label) <= width else label[: width - 1] + "\N{HORIZONTAL ELLIPSIS}"

    def middle(label: str) -> str:
        half = (width - 1) // 2
        return (
            label
            if len(label) <= width
            else f"{label[:half]}\N{HORIZONTAL ELLIPSIS}{label[-half:]}"
        )

    short = [cut(label) for label in labels]
    clashing = {s for s in short if short.count(s) > 1}
    short = [middle(lab) if s in clashing else s for lab, s in zip(labels, short, strict=True)]
    clashing = {s for s in short if short.count(s) > 1}
    return [lab if s in clashing else s for lab, s in zip(labels, short, strict=True)]


@dataclass(frozen=True)
class _HBar:
    label: str
    full: str
    y: int
    width: int
    shown: str


def _report_view_model(report: Report) -> dict[str, Any]:
    rows = report.rows
    if len(rows) > MAX_ROWS:
        # Every campaign ever is no page to read: the largest here, every row in the CSV.
        def size(row: Any) -> float:
            value = row.cells[report.chart_column].value
            return float(value) if value is not None else -1.0

        rows = sorted(rows, key=size, reverse=True)[:MAX_ROWS]
    cells = [row.cells[report.chart_column] for row in rows]
    top = max((float(c.value) for c in cells if c.value is not None), default=0.0)
    labels = _short_labels([row.label for row in rows])
    bars = [
        _HBar(
            label,
            row.label,
            i * HBAR_ROW,
            round(HBAR_AREA * float(cell.value) / top) if cell.value is not None and top else 0,
            _cell_text(cell) or NO_VALUE,
        )
        for i, (label, row, cell) in enumerate(zip(labels, rows, cells, strict=True))
    ]
    return {
        "report": report,
        "rows": [(row.label, [_cell_text(c) or NO_VALUE for c in row.cells]) for row in rows],
        "total_rows": len(report.rows),
        "cut": len(rows) < len(report.rows),
        # Every figure suppressed or nil draws an empty frame: say so instead.
        "bars": bars if top else [],
        "chart_height": len(bars) * HBAR_ROW,
    }


def _report(actor: Actor, key: str) -> Report:
    if key == REQUESTS_REPORT:
        return requests_report(actor=actor)
    return report_get(actor=actor, key=key)


def _report_keys(actor: Actor) -> list[str]:
    keys = reports_for(actor)
    if actor.handles_requests:
        keys.append(REQUESTS_REPORT)
    return keys


@staff_required
@require_http_methods(["GET"])
@html_errors
def reports_view(request: HttpRequest) -> HttpResponse:
    """The reports of the purposes the role holds; counts only, small cells suppressed."""
    actor = _actor(request)
    shown = [_report_view_model(_report(actor, key)) for key in _report_keys(actor)]
    return render(
        request,
        "console/reports.html",
        {
            "reports": shown,
            "min_cell": min_cell_size(),
            "label_width": HBAR_LABEL,
            "chart_width": HBAR_LABEL + HBAR_AREA + 60,
            "bar_height": HBAR_ROW - 6,
        },
    )


@staff_required
@require_http_methods(["GET"])
@html_errors
def report_csv_view(request: HttpRequest, key: str) -> HttpResponse:
    report = _report(_actor(request), key)
    out = io.StringIO()
    writer = SafeWriter(out)
    writer.writerow(["", *(str(c) for c in report.columns)])
    for row in report.rows:
        # Figures stay numbers; labels (a campaign's name) are text from people.
        writer.writerow(
            [row.label, *(c.value if c.value is not None else _cell_text(c) for c in row.cells)]
        )
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{report.key}.csv"'
    return response


SEGMENT_FILTERS = [field.name for field in dataclass_fields(SegmentDefinition)]


@staff_required
@require_http_methods(["GET", "POST"])
def segments_view(request: HttpRequest) -> HttpResponse:
    """Define a segment, see its size and make-up (released counts only), save it."""
    actor = _actor(request)
    source = request.POST if request.method == "POST" else request.GET
    purposes = [p for p in segment_purposes() if p in actor.purposes]
    purpose = source.get("purpose", purposes[0] if purposes else "")[:64]
    asked = {name: source.get(name, "")[:200] for name in SEGMENT_FILTERS if source.get(name)}
    lang = _lang()
    policy = policy_get()
    services_known = segment_services()
    context: dict[str, Any] = {
        "purposes": [(p, words.purpose_text(p, lang)) for p in purposes],
        "purpose": purpose,
        "asked": asked,
        "saved": [(seg, words.purpose_text(seg.purpose, lang)) for seg in segments_of(actor)],
        "min_cell": min_cell_size(),
        "states": [(st, words.value_text("customership", st, lang)) for st in CUSTOMERSHIP_STATES],
        "channels": [(str(c), words.value_text("channel", str(c), lang)) for c in MarketingChannel],
        "consent_purposes": [
            (key, p.name(lang))
            for key, p in policy.purposes.items()
            if p.legal_basis == LegalBasis.CONSENT
        ],
        "services": services_known,
        "allowed": filters_for(purpose) if purpose in purposes else [],
    }
    status = 200
    try:
        if asked.get("service") and asked["service"] not in services_known:
            # A typo would otherwise read as a segment too small to show.
            raise InvalidInput("service: choose one from the list", data={"field": "service"})
        if "segment" in source:
            chosen = segment_get(actor=actor, segment_id=int(source.get("segment", "0")[:18]))
            context["asked"] = asked = {k: str(v) for k, v in chosen.definition.items()}
            context["purpose"] = purpose = chosen.purpose
            context["name"] = chosen.name
        if asked or "show" in source:
            definition = SegmentDefinition.from_form(asked)
            if request.method == "POST":
                _, context["figures"] = segment_save(
                    actor=actor,
                    name=request.POST.get("name", "")[:200],
                    purpose=purpose,
                    definition=definition,
                )
                context["saved"] = [
                    (seg, words.purpose_text(seg.purpose, lang)) for seg in segments_of(actor)
                ]
                context["saved_now"] = True
            else:
                context["figures"] = segment_figures(
                    actor=actor, definition=definition, purpose=purpose
                )
    except ValueError:
        context["error"] = gettext("Choose a saved segment from the list.")
        status = 400
    except DataError:
        # What a database refuses to compare: the middleware refuses NUL before
        # this, and no other such character may become a server error either.
        context["error"] = gettext("A filter contains characters that cannot be stored.")
        status = 400
    except RekisteriError as error:
        context["error"] = error_text(error)
        status = error.http_status
    return render(request, "console/segments.html", context, status=status)
