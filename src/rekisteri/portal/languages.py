"""The portal in the languages the register's policy offers.

Every page has an address per supported language: Finnish unprefixed, English
under /en/ and Swedish under /sv/. Which of them a register serves is its
policy's choice; a page asked in a language it does not offer leads to the same
page in the policy's default language.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import NoReverseMatch, URLPattern, reverse

from rekisteri.policy.schema import Language
from rekisteri.policy.selectors import policy_get

# The addresses templates and redirects use, by page and language.
PAGE_PATHS: dict[str, dict[Language, str]] = {
    "home": {"fi": "/", "en": "/en/", "sv": "/sv/"},
    "notice": {"fi": "/tietosuojaseloste", "en": "/en/privacy", "sv": "/sv/integritetspolicy"},
    "my": {"fi": "/oma/", "en": "/en/my/", "sv": "/sv/mina-sidor/"},
    "sign_in": {"fi": "/oma/kirjaudu", "en": "/en/my/sign-in", "sv": "/sv/mina-sidor/logga-in"},
    "sign_out": {"fi": "/oma/ulos", "en": "/en/my/sign-out", "sv": "/sv/mina-sidor/logga-ut"},
    "request": {"fi": "/oma/pyynto", "en": "/en/my/request", "sv": "/sv/mina-sidor/begaran"},
    "choices": {"fi": "/oma/valinnat", "en": "/en/my/choices", "sv": "/sv/mina-sidor/val"},
    "choose": {
        "fi": "/oma/valinnat/muuta",
        "en": "/en/my/choices/change",
        "sv": "/sv/mina-sidor/val/andra",
    },
    # Followed by the announcement's id.
    "announcement": {
        "fi": "/oma/ilmoitus/",
        "en": "/en/my/announcement/",
        "sv": "/sv/mina-sidor/meddelande/",
    },
    # Followed by the package's id and the file's name.
    "package": {"fi": "/oma/paketti/", "en": "/en/my/package/", "sv": "/sv/mina-sidor/paket/"},
    "cookie_demo": {"fi": "/consent/demo", "en": "/en/consent/demo", "sv": "/sv/consent/demo"},
}

# Each language's invitation to switch to it, in that language.
SWITCH_LABELS: dict[Language, str] = {"fi": "Suomeksi", "sv": "På svenska", "en": "In English"}


def paths_in(lang: Language) -> dict[str, str]:
    """Every page's address in one language, for templates."""
    return {page: by_lang[lang] for page, by_lang in PAGE_PATHS.items()}


def language_links(request: HttpRequest, lang: Language) -> list[dict[str, str]]:
    """Links to this page in each other language the policy offers (the switcher)."""
    links = []
    for other in policy_get().policy.languages:
        if other != lang:
            links.append(
                {"code": other, "label": SWITCH_LABELS[other], "url": _same_page(request, other)}
            )
    return links


def _same_page(request: HttpRequest, lang: Language) -> str:
    """This page in ``lang``: its address with the same query (an e-mailed link's token)."""
    match = getattr(request, "resolver_match", None)
    current = match.kwargs.get("lang") if match is not None else None
    if request.method not in ("GET", "HEAD"):
        # The answer to a form (a confirmation): its address takes forms only, so the
        # switch leads to the person's own pages, or the home page, in that language.
        own = request.path.startswith(tuple(PAGE_PATHS["my"].values()))
        return PAGE_PATHS["my" if own else "home"][lang]
    if match is not None and current and match.url_name and match.url_name.endswith(current):
        name = match.url_name[: -len(current)] + lang
        try:
            target = reverse(name, kwargs=match.captured_kwargs)
        except NoReverseMatch:
            return PAGE_PATHS["home"][lang]
        query = request.META.get("QUERY_STRING", "")
        return f"{target}?{query}" if query else target
    return PAGE_PATHS["home"][lang]


def offered_only(pattern: URLPattern) -> URLPattern:
    """Serve a language's page only where the policy offers that language."""
    page_lang = pattern.default_args.get("lang")
    if page_lang is None:
        return pattern
    view: Callable[..., HttpResponse] = pattern.callback
    name = pattern.name

    @wraps(view)
    def offered(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        languages = policy_get().policy.languages
        if kwargs.get("lang") in languages:
            return view(request, *args, **kwargs)
        if request.method not in ("GET", "HEAD") or not name or not name.endswith(page_lang):
            raise Http404
        captured = {k: v for k, v in kwargs.items() if k not in pattern.default_args}
        try:
            target = reverse(name[: -len(page_lang)] + languages[0], kwargs=captured)
        except NoReverseMatch:
            raise Http404 from None
        query = request.META.get("QUERY_STRING", "")
        return HttpResponseRedirect(f"{target}?{query}" if query else target)

    return URLPattern(pattern.pattern, offered, pattern.default_args, pattern.name)
