"""The cookie banner the company's web site embeds, the endpoint its choices go to, and a
demo page to try it on (served only outside production)."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.templatetags.static import static
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST, require_safe

from rekisteri.consent import cookies
from rekisteri.core.errors import RekisteriError
from rekisteri.policy.schema import Language
from rekisteri.policy.selectors import policy_get
from rekisteri.portal.views import NOTICE_PATHS, _page

BANNER_SOURCE = Path(__file__).parent / "static" / "portal" / "consent" / "banner.js"
MAX_DECISION_BYTES = 4096


@lru_cache(maxsize=1)
def _banner_code() -> str:
    return BANNER_SOURCE.read_text(encoding="utf-8")


def _texts(lang: Language) -> dict[str, str]:
    policy = policy_get()
    with translation.override(lang):
        return {
            "title": _("Cookies on this site"),
            "intro": _(
                "We use strictly necessary cookies to make the site work. With your consent we "
                "also use %(optional)s; under Choose you can see what each is for and pick them "
                "one by one. Nothing else is set before you choose, and you can change or "
                "withdraw your choice at any time from the Cookie settings button."
            )
            % {
                "optional": ", ".join(
                    c.name(lang) for c in policy.cookies.values() if not c.necessary
                )
            },
            "notice": _("Privacy notice, section 10"),
            "choose": _("Choose the cookies you allow"),
            "always": _("always on"),
            "accept": _("Accept all"),
            "reject": _("Reject all"),
            "settings": _("Choose"),
            "save": _("Save my choice"),
            "reopen": _("Cookie settings"),
            "gpc": _(
                "Your browser sends the Global Privacy Control signal: we take it as a refusal "
                "of marketing cookies."
            ),
            "gpcShort": _("refused by your browser's privacy signal"),
        }


def _config(origin: str) -> dict[str, Any]:
    policy = policy_get()
    # The banner speaks the languages the policy offers; the first when asked another.
    languages = policy.policy.languages
    return {
        "languages": list(languages),
        "notice": cookies.cookie_notice_hash(),
        "months": cookies.CONSENT_MONTHS,
        "lifetimeDays": max(c.lifetime_days for c in policy.cookies.values() if c.necessary),
        "categories": [
            {
                "key": key,
                "necessary": c.necessary,
                "name": {lang: c.name(lang) for lang in languages},
                "description": {lang: c.description(lang) for lang in languages},
            }
            for key, c in policy.cookies.items()
        ],
        "marketing": cookies.marketing_categories(),
        "texts": {lang: _texts(lang) for lang in languages},
        "noticeUrl": {lang: origin + NOTICE_PATHS[lang] + "#cookies" for lang in languages},
        "css": static("portal/consent/banner.css"),
    }


@csrf_exempt
@require_safe
def banner_js(request: HttpRequest) -> HttpResponse:
    origin = f"{request.scheme}://{request.get_host()}"
    # "</" cannot end a script inside JSON, but keep the payload inert anyway.
    config = json.dumps(_config(origin), ensure_ascii=False).replace("</", "<\\/")
    body = _banner_code().replace("/*CONFIG*/ null", config, 1)
    response = HttpResponse(body, content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = "public, max-age=300"
    # Other sites embed it: let them load it whatever their own isolation policy.
    response["Cross-Origin-Resource-Policy"] = "cross-origin"
    return response


def _site_of(request: HttpRequest) -> str | None:
    """The embedding site's host, if it may record choices here; None if not."""
    origin = request.headers.get("Origin", "")
    host = urlsplit(origin).hostname or ""
    own = request.get_host().rsplit(":", 1)[0]
    allowed = {own, *settings.REKISTERI_COOKIE_SITES}
    return host if host in allowed else None


def _refusal(status: int, code: str, message: str) -> JsonResponse:
    return JsonResponse({"code": code, "message": message, "data": {}}, status=status)


# Posted from the company's pages on another origin: the Origin header, not a
# CSRF token, says which site it came from.
@csrf_exempt
@require_POST
def decision(request: HttpRequest) -> HttpResponse:
    site = _site_of(request)
    if site is None:
        return _refusal(403, "forbidden", "this site may not record cookie choices here")
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = MAX_DECISION_BYTES + 1
    # Judged by the declared length, before the body is read at all.
    if declared > MAX_DECISION_BYTES:
        return _refusal(413, "too_large", f"at most {MAX_DECISION_BYTES} bytes")
    try:
        data = json.loads(request.read(MAX_DECISION_BYTES + 1)[:MAX_DECISION_BYTES].decode("utf-8"))
        if not isinstance(data, dict) or not isinstance(data.get("categories"), list):
            raise ValueError
        categories = [str(c)[:64] for c in data["categories"][:20]]
        cookies.cookie_decision_record(
            visitor_id=str(data.get("visitor", ""))[:64],
            categories=categories,
            cookie_notice=str(data.get("notice", ""))[:64],
            language=str(data.get("language", ""))[:2],
            # The browser's header, or the script's reading of the same setting.
            gpc=request.headers.get("Sec-GPC") == "1" or data.get("gpc") is True,
            site=site,
        )
    except (ValueError, UnicodeDecodeError):
        return _refusal(400, "invalid", "send JSON: visitor, categories, notice, language")
    except RekisteriError as error:
        return _refusal(error.http_status, str(error.code), error.message)
    return HttpResponse(status=204)


@csrf_exempt
@require_safe
def demo(request: HttpRequest, lang: Language, page: int = 1) -> HttpResponse:
    """A small made-up company page that embeds the banner, to try it by hand."""
    if settings.PRODUCTION:
        raise Http404
    return _page(request, "portal/cookie_demo.html", lang, page=page)
