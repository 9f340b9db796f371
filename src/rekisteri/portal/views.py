"""Public pages for data subjects: the privacy notice and the way in."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.safestring import mark_safe
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe

from rekisteri.policy.notice import render_notice
from rekisteri.policy.schema import Language
from rekisteri.policy.selectors import notice_in_force, policy_get
from rekisteri.portal.languages import PAGE_PATHS, language_links, paths_in

# The notice lives at an address per language.
NOTICE_PATHS: dict[Language, str] = PAGE_PATHS["notice"]
HOME_PATHS: dict[Language, str] = PAGE_PATHS["home"]


def _page(
    request: HttpRequest,
    template: str,
    lang: Language,
    status: int = 200,
    **context: object,
) -> HttpResponse:
    translation.activate(lang)
    request.LANGUAGE_CODE = lang
    policy = policy_get()
    response = render(
        request,
        template,
        {
            "lang": lang,
            "language_links": language_links(request, lang),
            "paths": paths_in(lang),
            "register_name": policy.register_name(lang),
            "controller": policy.controller,
            "notice_paths": NOTICE_PATHS,
            "home_paths": HOME_PATHS,
            **context,
        },
        status=status,
    )
    response["Content-Language"] = lang
    return response


# Read-only pages: exempt from CSRF so that a POST is answered 405, not 403.
@csrf_exempt
@require_safe
def notice(request: HttpRequest, lang: Language) -> HttpResponse:
    in_force = notice_in_force()
    if in_force is None:
        # Never show a notice that was not recorded as a version.
        return _page(request, "portal/not_ready.html", lang, status=503)
    policy, version = in_force
    body = render_notice(
        policy,
        lang=lang,
        fmt="page",
        version_number=version.number,
        effective_on=version.effective_on,
    )
    # The body is rendered by our own template with autoescaping on.
    return _page(request, "portal/notice.html", lang, notice_html=mark_safe(body))  # noqa: S308


@csrf_exempt
@require_safe
def home(request: HttpRequest, lang: Language) -> HttpResponse:
    return _page(request, "portal/home.html", lang)


@csrf_exempt
@require_safe
def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")
