"""Public pages for data subjects: the privacy notice and the way in."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_safe

from rekisteri.policy.notice import render_notice
from rekisteri.policy.schema import Language
from rekisteri.policy.selectors import notice_version_current, policy_get

# The notice lives at a Finnish address and an English one.
NOTICE_PATHS: dict[Language, str] = {"fi": "/tietosuojaseloste", "en": "/en/privacy"}
HOME_PATHS: dict[Language, str] = {"fi": "/", "en": "/en/"}


def _page(request: HttpRequest, template: str, lang: Language, **context: object) -> HttpResponse:
    translation.activate(lang)
    request.LANGUAGE_CODE = lang
    policy = policy_get()
    response = render(
        request,
        template,
        {
            "lang": lang,
            "other_lang": "en" if lang == "fi" else "fi",
            "register_name": policy.register_name(lang),
            "controller": policy.controller,
            "notice_paths": NOTICE_PATHS,
            "home_paths": HOME_PATHS,
            **context,
        },
    )
    response["Content-Language"] = lang
    return response


@require_safe
def notice(request: HttpRequest, lang: Language) -> HttpResponse:
    current = notice_version_current()
    body = render_notice(
        policy_get(),
        lang=lang,
        fmt="page",
        version_number=current.number if current else None,
        effective_on=current.effective_on if current else None,
    )
    # The body is rendered by our own template with autoescaping on.
    return _page(request, "portal/notice.html", lang, notice_html=mark_safe(body))  # noqa: S308


@require_safe
def home(request: HttpRequest, lang: Language) -> HttpResponse:
    return _page(request, "portal/home.html", lang)


@require_safe
def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")
