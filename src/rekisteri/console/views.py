"""The staff console: server-rendered pages over the register's services and selectors."""

from __future__ import annotations

import datetime as dt
import io
import json
from base64 import b32encode
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import fields as dataclass_fields
from functools import wraps
from typing import Any

import qrcode
import qrcode.image.svg
from django.contrib.auth import authenticate, login, logout
from django.contrib.auth.models import User
from django.db import DataError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.safestring import mark_safe
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
    segments_of,
)
from rekisteri.audit.selectors import audit_history
from rekisteri.audit.services import audit_refusals_keep
from rekisteri.compliance import compliance_checks
from rekisteri.core import clock
from rekisteri.core.actors import Actor
from rekisteri.core.csvfiles import SafeWriter
from rekisteri.core.errors import InvalidInput, RekisteriError
from rekisteri.policy.schema import Language
from rekisteri.policy.selectors import languages_offered, policy_get
from rekisteri.register import selectors, services
from rekisteri.register.services import AddressIn
from rekisteri.retention.sweep import MonthDue, retention_preview
from rekisteri.rights import selectors as rights_selectors
from rekisteri.rights import services as rights_services
from rekisteri.rights.models import RequestChannel, RightKind, VerificationMethod
from rekisteri.rights.reports import REQUESTS_REPORT, requests_report
from rekisteri.staff import services as staff

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


def _error_page(request: HttpRequest, error: RekisteriError) -> HttpResponse:
    # A refused read stays in the audit trail though its transaction was rolled back.
    audit_refusals_keep(error)
    return render(
        request, "console/error.html", {"message": error.message}, status=error.http_status
    )


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
            error = exc.message
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
        return _error_page(request, exc)
    device = staff.enrolment_device(enrolment=enrolment)
    form = EnrolForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        try:
            user = staff.staff_enrol(
                token=token, password=form.cleaned_data["password"], code=form.cleaned_data["code"]
            )
        except RekisteriError as exc:
            error = exc.message
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
    purpose = _purpose(request, actor, request.POST.get("purpose", ""))
    form = SearchForm(request.POST if request.method == "POST" else None)
    hits: list[selectors.SearchHit] = []
    error = ""
    if form.is_valid():
        try:
            hits = selectors.people_search(
                actor=actor, purpose=purpose, query=form.cleaned_data["q"]
            )
        except RekisteriError as exc:
            error = exc.message
    return render(
        request,
        "console/home.html",
        {
            "form": form,
            "hits": hits,
            "error": error,
            "purpose": purpose,
            "purposes": _purpose_choices(actor),
            "searched": form.is_bound,
        },
    )


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
def person_view(request: HttpRequest, person_id: int) -> HttpResponse:
    actor = _actor(request)
    purpose = _purpose(request, actor)
    try:
        access = selectors.person_access(actor=actor, purpose=purpose, person_id=person_id)
    except RekisteriError as exc:
        return _error_page(request, exc)
    lang = _lang()
    policy = policy_get()
    data = selectors.person_data(access)
    categories = [
        {
            "key": key,
            "name": policy.categories[key].name(lang),
            "purposes": [policy.purposes[p].name(lang) for p in policy.categories[key].purposes],
            "rows": rows,
        }
        for key, rows in data.items()
    ]
    from rekisteri.console.forms import RectifyForm

    return render(
        request,
        "console/person.html",
        {
            "person_id": person_id,
            "purpose": purpose,
            "purposes": _purpose_choices(actor),
            "categories": categories,
            # Only a role with a purpose that covers contact details may correct them.
            "rectify_form": (
                RectifyForm() if actor.purposes & set(services.contact_write_purposes()) else None
            ),
            "history": audit_history(person_id=person_id),
        },
    )


@staff_required
@require_POST
def rectify_view(request: HttpRequest, person_id: int) -> HttpResponse:
    from rekisteri.console.forms import RectifyForm

    actor = _actor(request)
    purpose = _purpose(request, actor)
    form = RectifyForm(request.POST)
    if not form.is_valid():
        return render(request, "console/error.html", {"message": form.errors.as_text()}, status=400)
    data = form.cleaned_data
    address = None
    if data["street_address"] or data["postal_code"] or data["city"]:
        address = AddressIn(data["street_address"], data["postal_code"], data["city"])
    try:
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
    except RekisteriError as exc:
        return _error_page(request, exc)
    return HttpResponseRedirect(f"/console/people/{person_id}?purpose={purpose}")


# The data protection officer's queue of data subject requests.

REQUEST_ACTIONS = ("verify", "send_code", "code", "extend", "fulfil", "reject", "lift")


def _handler(request: HttpRequest) -> Actor:
    actor = _actor(request)
    rights_services.handler_require(actor)
    return actor


@staff_required
@require_http_methods(["GET", "POST"])
def requests_view(request: HttpRequest) -> HttpResponse:
    try:
        actor = _handler(request)
        if request.method == "POST":
            received = request.POST.get("received_on", "")
            try:
                received_on = dt.date.fromisoformat(received) if received else None
            except ValueError:
                raise InvalidInput("received_on: give a date as YYYY-MM-DD") from None
            created = rights_services.request_create(
                actor=actor,
                person_id=_int(request.POST.get("person_id", "")),
                kind=request.POST.get("kind", ""),
                channel=request.POST.get("channel", ""),
                language=request.POST.get("language", ""),
                received_at=(
                    dt.datetime.combine(received_on, dt.time(12), tzinfo=clock.zone())
                    if received_on
                    else None
                ),
            )
            return HttpResponseRedirect(f"/console/requests/{created.pk}")
    except RekisteriError as error:
        return _error_page(request, error)
    queue = rights_selectors.requests_queue()
    return render(
        request,
        "console/requests.html",
        {
            "queue": queue,
            "overdue_ids": {r.pk for r in queue.overdue},
            "soon_ids": {r.pk for r in queue.due_soon},
            "kinds": RightKind.choices,
            "channels": [c for c in RequestChannel.choices if c[0] not in ("portal", "api")],
        },
    )


def _int(value: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise InvalidInput("give a number") from None


@staff_required
@require_http_methods(["GET", "POST"])
def request_view(request: HttpRequest, request_id: int) -> HttpResponse:
    try:
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
    except RekisteriError as error:
        return _error_page(request, error)
    return render(
        request,
        "console/request.html",
        {
            "r": found,
            "today": clock.today(),
            "proposed": sorted(found.details),
            "result_json": json.dumps(found.result, indent=2, ensure_ascii=False),
        },
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
def compliance_view(request: HttpRequest) -> HttpResponse:
    """The self-check and what falls due: the data protection officer's dashboard."""
    try:
        _handler(request)
    except RekisteriError as error:
        return _error_page(request, error)
    checks = compliance_checks()
    months = retention_preview(months=12)
    bars = _chart(months)
    return render(
        request,
        "console/compliance.html",
        {
            "checks": [(c, c.text(gettext)) for c in checks],
            "findings": sum(1 for c in checks if not c.ok),
            "rows": list(zip(bars, months, strict=True)),
            "bars": bars,
            "chart_width": len(bars) * (BAR_WIDTH + 8),
            "chart_height": CHART_HEIGHT,
            "bar_width": BAR_WIDTH,
        },
    )


NO_VALUE = "\N{EN DASH}"
MAX_BARS = 24


def _cell_text(cell: Cell) -> str:
    # A suppressed cell is shown as the threshold it fell under, never as a number.
    if cell.suppressed:
        return f"<{min_cell_size()}"
    return "" if cell.value is None else str(cell.value)


def _report_view_model(report: Report) -> dict[str, Any]:
    cells = [row.cells[report.chart_column] for row in report.rows]
    bars = _bars(
        [
            (row.label, cell.value, f"{row.label}: {_cell_text(cell) or NO_VALUE}")
            for row, cell in zip(report.rows, cells, strict=True)
        ]
    )
    shown = {
        "report": report,
        "rows": [
            (row.label, [_cell_text(c) or NO_VALUE for c in row.cells]) for row in report.rows
        ],
    }
    if len(bars) > MAX_BARS:
        # Too many to read as a chart (every campaign ever): the table says it all.
        return {**shown, "bars": [], "chart_width": 0}
    return {
        **shown,
        "bars": [
            (bar, _cell_text(cell) or NO_VALUE) for bar, cell in zip(bars, cells, strict=True)
        ],
        "chart_width": max(len(bars), 1) * (BAR_WIDTH + 8),
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
def reports_view(request: HttpRequest) -> HttpResponse:
    """The reports of the purposes the role holds; counts only, small cells suppressed."""
    actor = _actor(request)
    try:
        shown = [_report_view_model(_report(actor, key)) for key in _report_keys(actor)]
    except RekisteriError as error:
        return _error_page(request, error)
    return render(
        request,
        "console/reports.html",
        {
            "reports": shown,
            "min_cell": min_cell_size(),
            "chart_height": CHART_HEIGHT,
            "bar_width": BAR_WIDTH,
        },
    )


@staff_required
@require_http_methods(["GET"])
def report_csv_view(request: HttpRequest, key: str) -> HttpResponse:
    try:
        report = _report(_actor(request), key)
    except RekisteriError as error:
        return _error_page(request, error)
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
    context: dict[str, Any] = {
        "purposes": purposes,
        "purpose": purpose,
        "asked": asked,
        "saved": segments_of(actor),
        "min_cell": min_cell_size(),
        "states": CUSTOMERSHIP_STATES,
        "allowed": filters_for(purpose) if purpose in purposes else [],
    }
    status = 200
    try:
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
                context["saved"] = segments_of(actor)
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
        context["error"] = error.message
        status = error.http_status
    return render(request, "console/segments.html", context, status=status)
