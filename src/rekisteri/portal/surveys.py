"""A survey invitation's page: answer without signing in; stored as the person's feedback."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.views.decorators.http import require_http_methods

from rekisteri.analytics.surveys import invitation_read, survey_answer
from rekisteri.core.errors import RekisteriError
from rekisteri.policy.schema import Language
from rekisteri.portal.my import _message
from rekisteri.portal.views import _page


@require_http_methods(["GET", "POST"])
def survey(request: HttpRequest, lang: Language, token: str) -> HttpResponse:
    translation.activate(lang)
    context: dict[str, object] = {"token": token, "ratings": range(1, 6)}
    status = 200
    try:
        context["question"] = invitation_read(token).survey.question
        if request.method == "POST":
            raw = request.POST.get("rating", "")
            text = request.POST.get("text", "")[:5000]
            survey_answer(token=token, rating=int(raw) if raw.isdigit() else None, text=text)
            context["done"] = True
    except RekisteriError as error:
        context["error"] = _message(error)
        status = error.http_status
    response = _page(request, "portal/survey.html", lang, status=status, **context)
    # The token is in the address: other sites never see it.
    response["Referrer-Policy"] = "same-origin"
    response["Cache-Control"] = "no-store"
    return response
