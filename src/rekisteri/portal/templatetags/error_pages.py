"""The error pages in every language the register offers.

Django shows a server error (and a bad request) without a request context, so
no language is known: the page says it once per offered language, the policy's
default first, each with the addresses of its own language.
"""

from __future__ import annotations

from django import template
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext, gettext_noop

from rekisteri.portal.languages import PAGE_PATHS

register = template.Library()

TITLES = {
    "bad_request": gettext_noop("Bad request"),
    "forbidden": gettext_noop("Access denied"),
    "not_found": gettext_noop("Page not found"),
    "server_error": gettext_noop("Something went wrong on our side"),
}


@register.simple_tag
def error_sections(kind: str) -> list[dict[str, str]]:
    sections = []
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            sections.append(
                {
                    "lang": code,
                    "title": gettext(TITLES[kind]),
                    "home": gettext("Home page"),
                    "notice": gettext("Privacy notice"),
                    "home_url": PAGE_PATHS["home"][code],
                    "notice_url": PAGE_PATHS["notice"][code],
                }
            )
    return sections
