"""Every error under /api/ has the API's one shape, whoever produced it.

Django itself answers some requests before the API sees them: an unknown
route (404), a method the route lacks (405), a body over the size limit or a
broken multipart body (400), and an unexpected failure (500). Those come back
as HTML; here they become ``{"code", "message", "data"}`` like the rest.
"""

from __future__ import annotations

from collections.abc import Callable
from http import HTTPStatus

from django.http import HttpRequest, HttpResponse, JsonResponse


class ApiErrorShapeMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not request.path.startswith("/api/"):
            return response
        # Answers carry personal data: no browser or proxy may keep a copy.
        response["Cache-Control"] = "no-store"
        if response.status_code < 400:
            return response
        if response.get("Content-Type", "").startswith("application/json"):
            return response
        status = response.status_code
        try:
            phrase = HTTPStatus(status).phrase.lower()
        except ValueError:
            phrase = "error"
        shaped = JsonResponse(
            {"code": f"http_{status}", "message": phrase, "data": {}},
            status=status,
            json_dumps_params={"ensure_ascii": False},
        )
        if "Allow" in response:
            shaped["Allow"] = response["Allow"]
        shaped["Cache-Control"] = "no-store"
        return shaped
