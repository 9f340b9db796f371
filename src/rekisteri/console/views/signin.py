"""Signing in with both factors, enrolling a second factor, the lockout page, signing out."""

from __future__ import annotations

import io
from base64 import b32encode
from typing import Any

import qrcode
import qrcode.image.svg
from axes.helpers import get_cool_off
from django.contrib.auth import authenticate, login, logout
from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login

from rekisteri.console.errors import html_errors, refusal_caught
from rekisteri.console.forms import CodeForm, EnrolForm, LoginForm
from rekisteri.console.views.common import origin_of
from rekisteri.staff import services as staff

PENDING_USER = "rekisteri_pending_user"


@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
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
        staff.staff_login_audit(user_id=None, succeeded=False, origin=origin_of(request))
        error = "wrong"
    return render(request, "console/login.html", {"form": form, "error": error})


@require_http_methods(["GET", "POST"])
def code_view(request: HttpRequest) -> HttpResponse:
    pending = request.session.get(PENDING_USER)
    user = User.objects.filter(pk=int(pending), is_active=True).first() if pending else None
    if user is None:
        return HttpResponseRedirect("/console/login")
    form = CodeForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        with refusal_caught() as refused:
            device = staff.staff_otp_check(user=user, code=form.cleaned_data["code"])
        if refused:
            staff.staff_login_audit(user_id=user.pk, succeeded=False, origin=origin_of(request))
            error = refused.text
        else:
            # login() gives the signed-in user a new session key (no fixation).
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            otp_login(request, device)
            staff.staff_login_audit(user_id=user.pk, succeeded=True, origin=origin_of(request))
            return HttpResponseRedirect("/console/")
    return render(request, "console/code.html", {"form": form, "error": error})


@require_http_methods(["GET", "POST"])
@html_errors
def enrol_view(request: HttpRequest, token: str) -> HttpResponse:
    # An expired or used link is the error page; a wrong code or password is said on the form.
    enrolment = staff.enrolment_get(token=token)
    device = staff.enrolment_device(enrolment=enrolment)
    form = EnrolForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        with refusal_caught() as refused:
            user = staff.staff_enrol(
                token=token, password=form.cleaned_data["password"], code=form.cleaned_data["code"]
            )
        if refused:
            error = refused.text
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            otp_login(request, staff.staff_otp_device(user=user))
            staff.staff_login_audit(user_id=user.pk, succeeded=True, origin=origin_of(request))
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
