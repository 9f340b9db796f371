"""A survey invitation's page: answer without signing in; stored as the person's feedback."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.views.decorators.http import require_http_methods

from rekisteri.analytics.error_codes import AnalyticsCode
from rekisteri.analytics.surveys import invitation_read, survey_answer
from rekisteri.core.errors import InvalidInput, RekisteriError
from rekisteri.policy.schema import Language
from rekisteri.portal.errors import error_text
from rekisteri.portal.views import _page


@require_http_methods(["GET", "POST"])
def survey(request: HttpRequest, lang: Language, token: str) -> HttpResponse:
    translation.activate(lang)
    context: dict[str, object] = {"token": token, "ratings": range(1, 6)}
    status = 200
    try:
        context["question"] = invitation_read(token).survey.question
        if request.method == "POST":
            raw = request.POST.get("rating", "").strip()
            if raw and not (raw.isascii() and raw.isdigit()):
                raise InvalidInput(
                    "rating: choose 1 to 5",
                    code=AnalyticsCode.SURVEY_RATING_INVALID,
                    data={"field": "rating"},
                )
            survey_answer(
                token=token,
                rating=int(raw) if raw else None,
                # Cut only far past the limit, so that an over-long answer is refused, not cut.
                text=request.POST.get("text", "")[:6000],
            )
            context["done"] = True
    except RekisteriError as error:
        context["error"] = error_text(error)
        status = error.http_status
    response = _page(request, "portal/survey.html", lang, status=status, **context)
    # The token is in the address: other sites never see it.
    response["Referrer-Policy"] = "same-origin"
    response["Cache-Control"] = "no-store"
    return response
