"""Input no database can store is refused with a clear 400 before any view reads it.

PostgreSQL refuses NUL in text, and no database stores a lone surrogate (JSON
can carry one as an escape). Left to reach a query, either ends in a server
error on one database and not the other. One check here covers every door:
the path, the query string, cookies and headers before anything else runs,
and form fields and JSON bodies just before the view, so that a
body too large or broken is still answered as Django answers it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from enum import StrEnum
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext

from rekisteri.core.errors import InvalidInput
from rekisteri.core.text import UNSTORABLE

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
# Django decodes a form's or a query's bytes that are not UTF-8 to U+FFFD and goes
# on: the value would be stored as "���". No one types the replacement character.
NOT_UTF8 = "\ufffd"


class InputCode(StrEnum):
    UNSTORABLE_TEXT = "unstorable_text"


def _unstorable(values: Iterable[Any]) -> bool:
    """Whether any text in the values (or nested in them, as JSON nests) is unstorable."""
    stack = list(values)
    while stack:
        value = stack.pop()
        if isinstance(value, str):
            if UNSTORABLE.search(value):
                return True
        elif isinstance(value, dict):
            stack.extend(value.keys())
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
    return False


def _refusal(request: HttpRequest) -> HttpResponse:
    lang = translation.get_language_from_request(request, check_path=True)
    with translation.override(lang):
        message = gettext(
            "The request contains characters that cannot be stored (such as a NUL "
            "character). Remove them and try again."
        )
    if request.path.startswith("/api/"):
        error = InvalidInput(
            "the request contains characters that cannot be stored (NUL or a lone surrogate)",
            code=InputCode.UNSTORABLE_TEXT,
        )
        response: HttpResponse = JsonResponse(
            error.as_dict(), status=400, json_dumps_params={"ensure_ascii": False}
        )
    else:
        response = HttpResponse(
            f'<!doctype html><html lang="{lang}"><meta charset="utf-8">'
            f"<title>400</title><p>{escape(message)}</p></html>",
            status=400,
            content_type="text/html; charset=utf-8",
        )
        response["Content-Language"] = lang
    response["Cache-Control"] = "no-store"
    return response


def _body_unstorable(request: HttpRequest) -> bool:
    if request.content_type in FORM_TYPES:
        # Uploaded files' names need no check: Django drops what is not printable.
        fields = [*request.POST.keys(), *(v for _, vs in request.POST.lists() for v in vs)]
        if _unstorable(fields) or any(NOT_UTF8 in v for v in fields):
            return True
        if request.content_type == FORM_TYPES[0]:
            # Raw bytes that are not UTF-8 Django reads as Latin-1 instead ("Ã(").
            try:
                request.body.decode("utf-8")
            except UnicodeDecodeError:
                return True
        return False
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return False
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    if length <= 0 or (limit is not None and length > limit):
        # Nothing to read, or more than Django reads: the view answers as it does.
        return False
    try:
        text = request.body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    if "\x00" in text:
        return True
    if "\\u" not in text:
        return False
    try:
        return _unstorable([json.loads(text)])
    except (ValueError, RecursionError):
        return False


class UnstorableInputMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        headers = [v for k, v in request.META.items() if k.startswith("HTTP_")]
        outside_body = [
            request.path,
            *request.GET.keys(),
            *(v for _, values in request.GET.lists() for v in values),
            *request.COOKIES.keys(),
            *request.COOKIES.values(),
            *headers,
        ]
        query = [*request.GET.keys(), *(v for _, values in request.GET.lists() for v in values)]
        if _unstorable(outside_body) or any(NOT_UTF8 in v for v in query):
            return _refusal(request)
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Callable[..., Any], args: Any, kwargs: Any
    ) -> HttpResponse | None:
        if _body_unstorable(request):
            return _refusal(request)
        return None
